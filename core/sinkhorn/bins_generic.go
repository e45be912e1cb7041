//go:build !(wasm && wasmsimd) || purego

package sinkhorn

// binsAll adds e_j to bins[k][cost] for every column (see binsAllGo).
func (b *symBlock) binsAll(s *rowScratch, ct []uint8) { b.binsAllGo(s, ct) }

// binsBelow is binsBelowGo.
func (b *symBlock) binsBelow(s *rowScratch, ct []uint8, thr [groupRows]int) {
	b.binsBelowGo(s, ct, thr)
}
