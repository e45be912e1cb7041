package wasmsimd

import _ "embed"

// ImportModule is the import module name of the kernels in the Go program.
const ImportModule = "hmmrnn_simd128"

// Loader is the JavaScript (a classic script or a CommonJS module) that
// defines hmmrnnSIMD(importObject): it adds the kernel imports to a Go
// importObject and returns {attach(instance, bytes)}, which instantiates
// Module against the Go instance's memory.
//
//go:embed loader.js
var Loader string

// Module returns the WebAssembly module with the kernels (about 2 KB). The
// bytes are the same on every call. Its functions (all arguments i32;
// pointers are byte addresses in Go's memory, strides in elements):
//
//	gather(m, k, a, si, sp, scratch, set, n, b, ldb, c, ldc, n2, b2, ldb2, c2, ldc2)
//	    for each row i < m of op(A), op(A)[i][p] = a[i*si + p*sp] (float32):
//	    row i of C (n columns, stride ldc) += (or, if set != 0, =) the sum
//	    over the nonzero op(A)[i][p], p < k, of op(A)[i][p] * row p of B
//	    (stride ldb), and, if n2 > 0, the same for B2 and C2 with the same
//	    A (one gather serves both). scratch holds 16 bytes per p.
//	relu(x, n)      x[i] = x[i] < 0 ? 0 : x[i]      (float32, n a multiple of 4)
//	mask(h, dh, n)  h[i] = h[i] > 0 ? dh[i] : 0      (float32, n a multiple of 4)
//	bins(e, nc, cost, bins, tlo, thi)
//	    for each column j < nc whose eight costs cost[8j..8j+7] (bytes)
//	    include one below its row's threshold (byte r of the 64-bit word
//	    thi:tlo is row r's; costs below 128, thresholds at most 128, or all
//	    thresholds 128 to keep every column), add e[j] (float64) to
//	    bins[r][cost[8j+r]] for every row r < 8 (bins: 8 x 256 float64).
func Module() []byte {
	var m wasmModule
	m.funcs = append(m.funcs, gatherFunc(), reluFunc(), maskFunc(), binsFunc())
	return m.encode("env", "mem")
}

// stripVectors are the widths, in vectors of 4 float32, of the column
// strips gather sums in registers, widest first. Four vectors measured
// fastest for rows of 56 (H = 50 padded) in V8 (Node 20): 6 or 2 were
// 25-30% slower.
var stripVectors = []uint32{4, 2, 1}

// entrySize is the size of one gathered entry: the address of row p of B,
// the value op(A)[i][p] and the address of row p of B2 (and 4 bytes of
// padding, so that the size is a power of two).
const entrySize = 16

// gatherFunc encodes gather. For each row of op(A) it first gathers the
// nonzero entries without branches (each entry is written, and kept only if
// nonzero: about half are zeros, at random, so a branch would often be
// mispredicted; this made the demo's products 2x faster), then for each
// output sums the rows of B over the entries in strips of columns held in
// vector accumulators, then the last columns one by one. Per output element
// the sum runs over p in increasing order.
func gatherFunc() *wasmFunc {
	const (
		pm, pk, pa, psi, psp, pscr, pset = 0, 1, 2, 3, 4, 5, 6
		pn, pb, pldb, pc, pldc           = 7, 8, 9, 10, 11
		pn2, pb2, pldb2, pc2, pldc2      = 12, 13, 14, 15, 16
	)
	f := newFunc("gather", 17)
	i, ap, bp, bp2, w, end := f.local(i32Type), f.local(i32Type), f.local(i32Type), f.local(i32Type), f.local(i32Type), f.local(i32Type)
	ci, j, q, addr := f.local(i32Type), f.local(i32Type), f.local(i32Type), f.local(i32Type)
	si4, sp4, ldb4, ldb24, n4 := f.local(i32Type), f.local(i32Type), f.local(i32Type), f.local(i32Type), f.local(i32Type)
	var acc [4]uint32
	for v := range acc {
		acc[v] = f.local(v128Type)
	}
	val := f.local(v128Type)
	sacc, av := f.local(f32Type), f.local(f32Type)

	// Strides in bytes.
	for _, s := range [][2]uint32{{psi, si4}, {psp, sp4}, {pldb, ldb4}, {pldb2, ldb24}} {
		f.get(s[0]).i32c(2).op(opI32Shl).set(s[1])
	}
	// sums emits the strips of one output: n columns, C at c (stride ldc),
	// the address of the entry's row of B at offset off in the entry.
	sums := func(pn, pc, pldc uint32, off uint32) {
		f.get(pn).i32c(2).op(opI32Shl).set(n4)
		f.get(pc).get(i).get(pldc).op(opI32Mul).i32c(2).op(opI32Shl).op(opI32Add).set(ci)
		f.i32c(0).set(j)
		for _, wd := range stripVectors {
			f.while(func() { f.get(j).i32c(int32(16 * wd)).op(opI32Add).get(n4).op(opI32LeS) }, func() {
				for v := range wd {
					f.v128zero().set(acc[v])
				}
				f.get(pscr).set(q)
				f.while(func() { f.get(q).get(end).op(opI32LtU) }, func() {
					f.get(q).mem(opI32Load, 2, off).get(j).op(opI32Add).set(addr)
					f.get(q).mem(opF32Load, 2, 4).simd(simdF32x4Splat).set(val)
					for v := range wd {
						f.get(acc[v]).get(val).get(addr).simdMem(simdV128Load, 0, 16*v)
						f.simd(simdF32x4Mul).simd(simdF32x4Add).set(acc[v])
					}
					f.get(q).i32c(entrySize).op(opI32Add).set(q)
				})
				f.get(ci).get(j).op(opI32Add).set(addr)
				f.get(pset)
				f.ifElse(func() {
					for v := range wd {
						f.get(addr).get(acc[v]).simdMem(simdV128Store, 0, 16*v)
					}
				}, func() {
					for v := range wd {
						f.get(addr).get(addr).simdMem(simdV128Load, 0, 16*v).get(acc[v]).simd(simdF32x4Add)
						f.simdMem(simdV128Store, 0, 16*v)
					}
				})
				f.get(j).i32c(int32(16 * wd)).op(opI32Add).set(j)
			})
		}
		f.while(func() { f.get(j).get(n4).op(opI32LtS) }, func() {
			f.f32c(0).set(sacc)
			f.get(pscr).set(q)
			f.while(func() { f.get(q).get(end).op(opI32LtU) }, func() {
				f.get(sacc).get(q).mem(opF32Load, 2, 4)
				f.get(q).mem(opI32Load, 2, off).get(j).op(opI32Add).mem(opF32Load, 2, 0)
				f.op(opF32Mul).op(opF32Add).set(sacc)
				f.get(q).i32c(entrySize).op(opI32Add).set(q)
			})
			f.get(ci).get(j).op(opI32Add).set(addr)
			f.get(addr).get(pset)
			f.ifElseValue(f32Type, func() { f.get(sacc) }, func() {
				f.get(addr).mem(opF32Load, 2, 0).get(sacc).op(opF32Add)
			})
			f.mem(opF32Store, 2, 0)
			f.get(j).i32c(4).op(opI32Add).set(j)
		})
	}

	f.i32c(0).set(i)
	f.while(func() { f.get(i).get(pm).op(opI32LtS) }, func() {
		f.get(pa).get(i).get(si4).op(opI32Mul).op(opI32Add).set(ap)
		f.get(pb).set(bp)
		f.get(pb2).set(bp2)
		f.get(pscr).set(w)
		f.get(ap).get(pk).get(sp4).op(opI32Mul).op(opI32Add).set(end) // end of the row of op(A)
		f.while(func() { f.get(ap).get(end).op(opI32LtU) }, func() {
			f.get(ap).mem(opF32Load, 2, 0).set(av)
			f.get(w).get(bp).mem(opI32Store, 2, 0)
			f.get(w).get(av).mem(opF32Store, 2, 4)
			f.get(w).get(bp2).mem(opI32Store, 2, 8)
			f.get(w).get(av).f32c(0).op(opF32Ne).i32c(4).op(opI32Shl).op(opI32Add).set(w) // entrySize = 1<<4
			f.get(ap).get(sp4).op(opI32Add).set(ap)
			f.get(bp).get(ldb4).op(opI32Add).set(bp)
			f.get(bp2).get(ldb24).op(opI32Add).set(bp2)
		})
		f.get(w).set(end)
		sums(pn, pc, pldc, 0)
		f.i32c(0).get(pn2).op(opI32LtS)
		f.ifThen(func() { sums(pn2, pc2, pldc2, 8) })
		f.get(i).i32c(1).op(opI32Add).set(i)
	})
	return f
}

// reluFunc: x[i] = pmax(x[i], 0), which is x < 0 ? 0 : x (NaN and -0 stay,
// as in Go's loop).
func reluFunc() *wasmFunc {
	f := newFunc("relu", 2)
	end := f.local(i32Type)
	f.get(0).get(1).i32c(2).op(opI32Shl).op(opI32Add).set(end)
	f.while(func() { f.get(0).get(end).op(opI32LtU) }, func() {
		f.get(0).get(0).simdMem(simdV128Load, 0, 0).v128zero().simd(simdF32x4Pmax).simdMem(simdV128Store, 0, 0)
		f.get(0).i32c(16).op(opI32Add).set(0)
	})
	return f
}

// maskFunc: h[i] = h[i] > 0 ? dh[i] : 0, as dh AND (h > 0).
func maskFunc() *wasmFunc {
	f := newFunc("mask", 3)
	end := f.local(i32Type)
	f.get(0).get(2).i32c(2).op(opI32Shl).op(opI32Add).set(end)
	f.while(func() { f.get(0).get(end).op(opI32LtU) }, func() {
		f.get(0)
		f.get(1).simdMem(simdV128Load, 0, 0)
		f.get(0).simdMem(simdV128Load, 0, 0).v128zero().simd(simdF32x4Gt)
		f.simd(simdV128And).simdMem(simdV128Store, 0, 0)
		f.get(0).i32c(16).op(opI32Add).set(0)
		f.get(1).i32c(16).op(opI32Add).set(1)
	})
	return f
}

// topBits is the top bit of every byte of a 64-bit word.
const topBits = -0x7f7f7f7f7f7f7f80 // 0x8080808080808080 as an int64

// binsFunc encodes bins. A column is kept iff ^((w | topBits) - t) &
// topBits != 0: for a byte x < 128 and a threshold byte t <= 128, the top
// bit of (x | 0x80) - t is clear iff x < t, and no borrow crosses bytes;
// with every t = 128 the top bits are clear for any x, so all are kept.
func binsFunc() *wasmFunc {
	const pe, pnc, pcost, pbins, ptlo, pthi = 0, 1, 2, 3, 4, 5
	f := newFunc("bins", 6)
	end, addr := f.local(i32Type), f.local(i32Type)
	t, w := f.local(i64Type), f.local(i64Type)
	x := f.local(f64Type)
	f.get(ptlo).op(opI64ExtendU).get(pthi).op(opI64ExtendU).i64c(32).op(opI64Shl).op(opI64Or).set(t)
	f.get(pe).get(pnc).i32c(3).op(opI32Shl).op(opI32Add).set(end)
	f.while(func() { f.get(pe).get(end).op(opI32LtU) }, func() {
		f.get(pcost).mem(opI64Load, 3, 0).set(w)
		f.get(w).i64c(topBits).op(opI64Or).get(t).op(opI64Sub).i64c(-1).op(opI64Xor).i64c(topBits).op(opI64And)
		f.i64c(0).op(opI64Ne)
		f.ifThen(func() {
			f.get(pe).mem(opF64Load, 3, 0).set(x)
			for r := range uint32(8) {
				// addr = bins + 8 * (byte r of w); row r's 2 KB offset is
				// the constant offset of the load and the store.
				f.get(pbins).get(w)
				if r > 0 {
					f.i64c(int64(8 * r)).op(opI64ShrU)
				}
				f.op(opI32WrapI64).i32c(0xff).op(opI32And).i32c(3).op(opI32Shl).op(opI32Add).set(addr)
				f.get(addr).get(addr).mem(opF64Load, 3, 2048*r).get(x).op(opF64Add).mem(opF64Store, 3, 2048*r)
			}
		})
		f.get(pe).i32c(8).op(opI32Add).set(pe)
		f.get(pcost).i32c(8).op(opI32Add).set(pcost)
	})
	return f
}
