package rnn

import "unsafe"

// Matrix kernels used by the batched forward and backward passes. All
// matrices are row-major with explicit leading dimensions (row strides).
// The portable versions below are what WebAssembly and non-amd64 builds run;
// kernel_amd64.go swaps in AVX2/FMA assembly where the CPU supports it.

// KernelName names the float32 matrix kernels NewWorkspace runs in this
// program: "avx2-fma" (amd64 assembly), "wasm-simd128" (core/wasmsimd's
// module, attached by the host) or "portable" (Go loops).
func KernelName() string { return kernelName() }

// float is the element type of the training engine.
type float interface{ float32 | float64 }

// kernels bundles the matrix products for one element type.
type kernels[F float] struct {
	// nn computes C += A B with A m x k (lda), B k x n (ldb), C m x n (ldc).
	nn func(m, n, k int, a []F, lda int, b []F, ldb int, c []F, ldc int)
	// nnSet computes C = A B (shapes as nn).
	nnSet func(m, n, k int, a []F, lda int, b []F, ldb int, c []F, ldc int)
	// tn computes C += A^T B with A k x m (lda), B k x n (ldb), C m x n (ldc).
	tn func(m, n, k int, a []F, lda int, b []F, ldb int, c []F, ldc int)
	// tn2 computes C1 += A^T B1 and C2 += A^T B2 (C1 m x n1, C2 m x n2) for
	// one A (k x m, lda): the two weight gradients of a step. Kernels that
	// gather op(A)'s nonzeros gather them once for both.
	tn2 func(m, k int, a []F, lda int, n1 int, b1 []F, ldb1 int, c1 []F, ldc1 int, n2 int, b2 []F, ldb2 int, c2 []F, ldc2 int)
	// relu sets x = max(x, 0) elementwise.
	relu func(x []F)
	// mask sets h = dh where h > 0 and h = 0 elsewhere (dL/da from dL/dh).
	mask func(h, dh []F)
}

// The portable kernels compute C row by row. For a row of op(A) they first
// gather its nonzero entries and their row offsets into B (the ReLU states
// and the masked gradients fed to them are about half zeros), then run over
// C in 8-wide strips, each kept in eight local accumulators while the loop
// takes two nonzeros per iteration. The gathered list makes the inner loop
// branch-free, and the bounds are checked once per row so that the loop can
// use unchecked loads. This suits WebAssembly, where the Go compiler sends
// every loop iteration through the function's dispatch table and V8 reloads
// the accumulators on each pass: against strips that tested every entry of A
// for zero, BenchmarkKernels (H = 50) in Node 20 ran 1.7x faster for the
// weight gradient and 1.3x for the recurrent and input products, and 1.2-1.35x
// natively with -tags purego.

// gatherBlock is the largest number of entries of a row of op(A) gathered at
// once (stack arrays); longer rows are summed in blocks.
const gatherBlock = 256

// nnGo is the portable C += A B.
func nnGo[F float](m, n, k int, a []F, lda int, b []F, ldb int, c []F, ldc int) {
	gatherGo(m, n, k, a, lda, 1, b, ldb, c, ldc)
}

// nnSetGo is the portable C = A B.
func nnSetGo[F float](m, n, k int, a []F, lda int, b []F, ldb int, c []F, ldc int) {
	for i := range m {
		clear(c[i*ldc : i*ldc+n])
	}
	nnGo(m, n, k, a, lda, b, ldb, c, ldc)
}

// tnGo is the portable C += A^T B: row i of C gathers column i of A.
func tnGo[F float](m, n, k int, a []F, lda int, b []F, ldb int, c []F, ldc int) {
	gatherGo(m, n, k, a, 1, lda, b, ldb, c, ldc)
}

// gatherGo adds to row i of C (m x n) the sum over p < k of op(A)[i][p] *
// row p of B, where op(A)[i][p] = a[i*si + p*sp]: (si, sp) = (lda, 1) for
// A, (1, lda) for A^T. The nonzeros of each row of op(A) are gathered first
// (ReLU makes many), in blocks of gatherBlock, then summed by rowStrips.
func gatherGo[F float](m, n, k int, a []F, si, sp int, b []F, ldb int, c []F, ldc int) {
	if m <= 0 || n <= 0 || k <= 0 {
		return
	}
	var off [gatherBlock]int
	var val [gatherBlock]F
	for k0 := 0; k0 < k; k0 += gatherBlock {
		k1 := min(k, k0+gatherBlock)
		for i := range m {
			// Branch-free: every entry is written, and kept (nz advanced)
			// only if nonzero; the zeros fall at random, so a branch on
			// them would often be mispredicted.
			nz := 0
			for p := k0; p < k1; p++ {
				av := a[i*si+p*sp]
				off[nz&(gatherBlock-1)] = p * ldb
				val[nz&(gatherBlock-1)] = av
				keep := 0
				if av != 0 {
					keep = 1
				}
				nz += keep
			}
			rowStrips(c[i*ldc:i*ldc+n], off[:nz], val[:nz], b)
		}
	}
}

// rowStrips adds sum_q val[q] * b[off[q] : off[q]+len(ci)] to ci. The
// offsets must be monotone (they are p*ldb for increasing p).
func rowStrips[F float](ci []F, off []int, val []F, b []F) {
	nz, n := len(val), len(ci)
	if nz == 0 {
		return
	}
	off = off[:nz]
	n8 := n &^ 7
	// Every load from b below lies in b[off[q] : off[q]+n], and the offsets
	// are monotone: checking the first and the last covers the unchecked loads.
	_ = b[off[0] : off[0]+n]
	_ = b[off[nz-1] : off[nz-1]+n]
	sz, isz := unsafe.Sizeof(b[0]), unsafe.Sizeof(off[0])
	pv, po := unsafe.Pointer(&val[0]), unsafe.Pointer(&off[0])
	// at returns val[q] and the strip at b[off[q]+j:], unchecked: q < nz.
	at := func(pb unsafe.Pointer, q int) (F, *[8]F) {
		o := *(*int)(unsafe.Add(po, uintptr(q)*isz))
		return *(*F)(unsafe.Add(pv, uintptr(q)*sz)), (*[8]F)(unsafe.Add(pb, uintptr(o)*sz))
	}
	for j := 0; j < n8; j += 8 {
		pb := unsafe.Pointer(&b[j])
		var c0, c1, c2, c3, c4, c5, c6, c7 F
		q := 0
		for ; q+1 < nz; q += 2 {
			av, bp := at(pb, q)
			aw, bq := at(pb, q+1)
			c0 += av*bp[0] + aw*bq[0]
			c1 += av*bp[1] + aw*bq[1]
			c2 += av*bp[2] + aw*bq[2]
			c3 += av*bp[3] + aw*bq[3]
			c4 += av*bp[4] + aw*bq[4]
			c5 += av*bp[5] + aw*bq[5]
			c6 += av*bp[6] + aw*bq[6]
			c7 += av*bp[7] + aw*bq[7]
		}
		if q < nz {
			av, bp := at(pb, q)
			c0 += av * bp[0]
			c1 += av * bp[1]
			c2 += av * bp[2]
			c3 += av * bp[3]
			c4 += av * bp[4]
			c5 += av * bp[5]
			c6 += av * bp[6]
			c7 += av * bp[7]
		}
		s := (*[8]F)(ci[j:])
		s[0] += c0
		s[1] += c1
		s[2] += c2
		s[3] += c3
		s[4] += c4
		s[5] += c5
		s[6] += c6
		s[7] += c7
	}
	for j := n8; j < n; j++ {
		var cj F
		for q, o := range off {
			cj += val[q] * b[o+j]
		}
		ci[j] += cj
	}
}

func reluGo[F float](x []F) {
	for i, v := range x {
		if v < 0 {
			x[i] = 0
		}
	}
}

func maskGo[F float](h, dh []F) {
	dh = dh[:len(h)]
	for i, v := range h {
		if v > 0 {
			h[i] = dh[i]
		} else {
			h[i] = 0
		}
	}
}

// twoTN makes tn2 from two calls of tn.
func twoTN[F float](tn func(m, n, k int, a []F, lda int, b []F, ldb int, c []F, ldc int)) func(m, k int, a []F, lda int, n1 int, b1 []F, ldb1 int, c1 []F, ldc1 int, n2 int, b2 []F, ldb2 int, c2 []F, ldc2 int) {
	return func(m, k int, a []F, lda int, n1 int, b1 []F, ldb1 int, c1 []F, ldc1 int, n2 int, b2 []F, ldb2 int, c2 []F, ldc2 int) {
		tn(m, n1, k, a, lda, b1, ldb1, c1, ldc1)
		tn(m, n2, k, a, lda, b2, ldb2, c2, ldc2)
	}
}

// portableKernels returns the pure-Go kernels.
func portableKernels[F float]() kernels[F] {
	return kernels[F]{nn: nnGo[F], nnSet: nnSetGo[F], tn: tnGo[F], tn2: twoTN(tnGo[F]), relu: reluGo[F], mask: maskGo[F]}
}
