package rnn

import _ "embed"

// The WebAssembly SIMD kernels.
//
// Go compiles nothing to WebAssembly's 128-bit SIMD instructions, so in the
// browser the float32 products run in a small hand-encoded module instead:
// WasmSIMDModule returns its bytes. The module imports the Go program's
// linear memory ("env" "mem") and works on Go's slices in place; a Go
// program built for GOOS=js with the wasmsimd build tag imports its
// functions ("hmmrnn_simd128" ...). WasmSIMDLoader is the JavaScript that
// provides those imports and attaches the module once the Go instance
// exists. The kernels compute exactly what the portable Go kernels compute
// (gather the nonzeros of each row of op(A), then sum rows of B over them),
// four float32 lanes at a time; see kernel_wasmsimd.go.
//
// Functions (all arguments i32; pointers are byte addresses in Go's memory,
// strides are in elements):
//
//	gather(m, n, k, a, si, sp, b, ldb, c, ldc, scratch, set)
//	    row i of C (m x n, stride ldc) += (or, if set != 0, =) the sum over
//	    p < k of op(A)[i][p] * row p of B (stride ldb), op(A)[i][p] =
//	    a[i*si + p*sp]; scratch holds 8 bytes per p.
//	relu(x, n)      x[i] = x[i] < 0 ? 0 : x[i]            (n a multiple of 4)
//	mask(h, dh, n)  h[i] = h[i] > 0 ? dh[i] : 0            (n a multiple of 4)

// WasmSIMDImport is the import module name of the kernels in the Go program.
const WasmSIMDImport = "hmmrnn_simd128"

// WasmSIMDLoader is the JavaScript (classic script or CommonJS module) that
// defines hmmrnnSIMD(importObject): it adds the kernel imports to a Go
// importObject and returns {attach(instance, bytes)}, which instantiates
// WasmSIMDModule against the Go instance's memory; without SIMD support the
// Go side falls back to the portable kernels.
//
//go:embed wasmsimd.js
var WasmSIMDLoader string

// WasmSIMDModule returns the WebAssembly module with the SIMD kernels
// (about 1 KB). Each call encodes it afresh; the bytes are always the same.
func WasmSIMDModule() []byte {
	var m wasmModule
	m.function("gather", 12, []wasmLocals{{15, i32Type}, {7, v128Type}, {2, f32Type}}, gatherBody())
	m.function("relu", 2, []wasmLocals{{1, i32Type}}, reluBody())
	m.function("mask", 3, []wasmLocals{{1, i32Type}}, maskBody())
	return m.encode("env", "mem")
}

// gatherBody is the code of gather. Locals: 0-11 the parameters, then
// 12 i (row), 13 p, 14 ap (address in A), 15 bp (address of row p of B),
// 16 w (scratch write pointer), 17 end (of the gathered list), 18 ci (row
// of C), 19 j (byte offset of the strip), 20 q (scratch read pointer),
// 21 addr, 22-26 the strides in bytes (si, sp, ldb, ldc) and n in bytes,
// then v128 accumulators 27-30 and the f32 scalar accumulator 31.
var stripVectors = []uint32{4, 2, 1}

func gatherBody() *wasmCode {
	const (
		pm, pn, pk, pa, psi, psp, pb, pldb, pc, pldc, pscr, pset = 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
		li, lp, lap, lbp, lw, lend, lci, lj, lq, laddr           = 12, 13, 14, 15, 16, 17, 18, 19, 20, 21
		si4, sp4, ldb4, ldc4, n4                                 = 22, 23, 24, 25, 26
		acc0, lval, sacc, lsv                                    = 27, 33, 34, 35
	)
	c := &wasmCode{}
	// Strides in bytes.
	for _, s := range [][2]uint32{{psi, si4}, {psp, sp4}, {pldb, ldb4}, {pldc, ldc4}, {pn, n4}} {
		c.get(s[0]).i32c(2).op(opI32Shl).set(s[1])
	}
	c.i32c(0).set(li)
	c.while(func() { c.get(li).get(pm).op(opI32LtS) }, func() {
		// Gather the nonzeros of row i of op(A): (address of row p of B, value).
		c.get(pa).get(li).get(si4).op(opI32Mul).op(opI32Add).set(lap)
		c.get(pb).set(lbp)
		c.get(pscr).set(lw)
		c.i32c(0).set(lp)
		c.while(func() { c.get(lp).get(pk).op(opI32LtS) }, func() {
			// Branch-free: always write the pair, keep it (advance w) only
			// if the value is nonzero. About half are zeros, at random, so
			// a branch would be mispredicted often.
			c.get(lap).mem(opF32Load, 2, 0).set(lsv)
			c.get(lw).get(lbp).mem(opI32Store, 2, 0)
			c.get(lw).get(lsv).mem(opF32Store, 2, 4)
			c.get(lw).get(lsv).f32c(0).op(opF32Ne).i32c(3).op(opI32Shl).op(opI32Add).set(lw)
			c.get(lap).get(sp4).op(opI32Add).set(lap)
			c.get(lbp).get(ldb4).op(opI32Add).set(lbp)
			c.get(lp).i32c(1).op(opI32Add).set(lp)
		})
		c.get(lw).set(lend)
		c.get(pc).get(li).get(ldc4).op(opI32Mul).op(opI32Add).set(lci)
		c.i32c(0).set(lj)
		// Strips of stripVectors vectors of 4 lanes, widest first.
		for _, w := range stripVectors {
			c.while(func() { c.get(lj).i32c(int32(16 * w)).op(opI32Add).get(n4).op(opI32LeS) }, func() {
				for v := range w {
					c.v128zero().set(acc0 + v)
				}
				// acc += val * B strip for the entry at q + 8e.
				entry := func(e uint32) {
					c.get(lq).mem(opI32Load, 2, 8*e).get(lj).op(opI32Add).set(laddr)
					c.get(lq).mem(opF32Load, 2, 8*e+4).simd(simdF32x4Splat).set(lval)
					for v := range w {
						c.get(acc0 + v)
						c.get(lval)
						c.get(laddr).simdMem(simdV128Load, 0, 16*v)
						c.simd(simdF32x4Mul).simd(simdF32x4Add).set(acc0 + v)
					}
				}
				c.get(pscr).set(lq)
				c.while(func() { c.get(lq).get(lend).op(opI32LtU) }, func() {
					entry(0)
					c.get(lq).i32c(8).op(opI32Add).set(lq)
				})
				c.get(lci).get(lj).op(opI32Add).set(laddr)
				c.get(pset)
				c.ifElse(func() {
					for v := range w {
						c.get(laddr).get(acc0+v).simdMem(simdV128Store, 0, 16*v)
					}
				}, func() {
					for v := range w {
						c.get(laddr).get(laddr).simdMem(simdV128Load, 0, 16*v).get(acc0+v).simd(simdF32x4Add).simdMem(simdV128Store, 0, 16*v)
					}
				})
				c.get(lj).i32c(int32(16 * w)).op(opI32Add).set(lj)
			})
		}
		// Remaining columns one by one.
		c.while(func() { c.get(lj).get(n4).op(opI32LtS) }, func() {
			c.f32c(0).set(sacc)
			c.get(pscr).set(lq)
			c.while(func() { c.get(lq).get(lend).op(opI32LtU) }, func() {
				c.get(sacc)
				c.get(lq).mem(opF32Load, 2, 4)
				c.get(lq).mem(opI32Load, 2, 0).get(lj).op(opI32Add).mem(opF32Load, 2, 0)
				c.op(opF32Mul).op(opF32Add).set(sacc)
				c.get(lq).i32c(8).op(opI32Add).set(lq)
			})
			c.get(lci).get(lj).op(opI32Add).set(laddr)
			c.get(laddr)
			c.get(pset)
			c.ifElseValue(f32Type, func() { c.get(sacc) }, func() {
				c.get(laddr).mem(opF32Load, 2, 0).get(sacc).op(opF32Add)
			})
			c.mem(opF32Store, 2, 0)
			c.get(lj).i32c(4).op(opI32Add).set(lj)
		})
		c.get(li).i32c(1).op(opI32Add).set(li)
	})
	return c
}

// reluBody: x[i] = pmax(x[i], 0), which is x < 0 ? 0 : x (NaN and -0 stay,
// as in reluGo). Locals: 0 x, 1 n, 2 end.
func reluBody() *wasmCode {
	c := &wasmCode{}
	c.get(0).get(1).i32c(2).op(opI32Shl).op(opI32Add).set(2)
	c.while(func() { c.get(0).get(2).op(opI32LtU) }, func() {
		c.get(0).get(0).simdMem(simdV128Load, 0, 0).v128zero().simd(simdF32x4Pmax).simdMem(simdV128Store, 0, 0)
		c.get(0).i32c(16).op(opI32Add).set(0)
	})
	return c
}

// maskBody: h[i] = h[i] > 0 ? dh[i] : 0, as dh AND (h > 0). Locals: 0 h,
// 1 dh, 2 n, 3 end.
func maskBody() *wasmCode {
	c := &wasmCode{}
	c.get(0).get(2).i32c(2).op(opI32Shl).op(opI32Add).set(3)
	c.while(func() { c.get(0).get(3).op(opI32LtU) }, func() {
		c.get(0)
		c.get(1).simdMem(simdV128Load, 0, 0)
		c.get(0).simdMem(simdV128Load, 0, 0).v128zero().simd(simdF32x4Gt)
		c.simd(simdV128And).simdMem(simdV128Store, 0, 0)
		c.get(0).i32c(16).op(opI32Add).set(0)
		c.get(1).i32c(16).op(opI32Add).set(1)
	})
	return c
}
