//go:build wasm && wasmsimd && !purego

package sinkhorn

import "hmmrnn/core/wasmsimd"

// In a GOOS=js build with the wasmsimd tag the level sums run in the SIMD
// module of core/wasmsimd (scalar code there, but V8 keeps its loop in
// registers), when the host attached it. Each bin receives the same
// additions in the same order as in binsAllGo and binsBelowGo.

// keepAll is a threshold word that keeps every column (128 per row).
const keepAll = topBits

// binsAll adds e_j to bins[k][cost] for every column.
func (b *symBlock) binsAll(s *rowScratch, ct []uint8) {
	if !wasmsimd.Available() {
		b.binsAllGo(s, ct)
		return
	}
	wasmsimd.Bins(b.e[:b.nc], ct, s.bins, keepAll)
}

// binsBelow is binsBelowGo.
func (b *symBlock) binsBelow(s *rowScratch, ct []uint8, thr [groupRows]int) {
	if !wasmsimd.Available() {
		b.binsBelowGo(s, ct, thr)
		return
	}
	wasmsimd.Bins(b.e[:b.nc], ct, s.bins, thresholdWord(thr))
}
