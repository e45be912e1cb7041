//go:build wasm && wasmsimd && !purego

package rnn

import "hmmrnn/core/wasmsimd"

// A GOOS=js build with the wasmsimd tag runs the float32 products in the
// SIMD module of core/wasmsimd when the host attached it, and the portable
// kernels otherwise; float64 always runs portably.

func kernelName() string {
	if wasmsimd.Available() {
		return "wasm-simd128"
	}
	return "portable"
}

// simdGather is gatherGo (with set: C = op(A) B) in the SIMD module.
func simdGather(set bool, m, n, k int, a []float32, si, sp int, b []float32, ldb int, c []float32, ldc int) {
	if m <= 0 || n <= 0 {
		return
	}
	if k <= 0 {
		if set {
			for i := range m {
				clear(c[i*ldc : i*ldc+n])
			}
		}
		return
	}
	wasmsimd.Gather(set, m, k, a, si, sp, wasmsimd.Out{N: n, B: b, LDB: ldb, C: c, LDC: ldc}, nil)
}

func simdKernels() kernels[float32] {
	return kernels[float32]{
		nn: func(m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
			simdGather(false, m, n, k, a, lda, 1, b, ldb, c, ldc)
		},
		nnSet: func(m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
			simdGather(true, m, n, k, a, lda, 1, b, ldb, c, ldc)
		},
		tn: func(m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
			simdGather(false, m, n, k, a, 1, lda, b, ldb, c, ldc)
		},
		tn2: func(m, k int, a []float32, lda int, n1 int, b1 []float32, ldb1 int, c1 []float32, ldc1 int,
			n2 int, b2 []float32, ldb2 int, c2 []float32, ldc2 int) {
			if m <= 0 || k <= 0 {
				return
			}
			wasmsimd.Gather(false, m, k, a, 1, lda, wasmsimd.Out{N: n1, B: b1, LDB: ldb1, C: c1, LDC: ldc1},
				&wasmsimd.Out{N: n2, B: b2, LDB: ldb2, C: c2, LDC: ldc2})
		},
		relu: wasmsimd.Relu,
		mask: wasmsimd.Mask,
	}
}

// kernelsFor returns the SIMD kernels for float32 when the host attached
// them, else the portable ones.
func kernelsFor[F float]() kernels[F] {
	var k kernels[F]
	if kk, ok := any(&k).(*kernels[float32]); ok && wasmsimd.Available() {
		*kk = simdKernels()
		return k
	}
	return portableKernels[F]()
}
