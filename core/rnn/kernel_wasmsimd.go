//go:build wasm && wasmsimd && !purego

package rnn

import "unsafe"

// The float32 kernels of a GOOS=js build with the wasmsimd tag run in the
// SIMD module of WasmSIMDModule, which the host attaches with
// WasmSIMDLoader; when it did not (an engine without SIMD), simdReady
// reports 0 and the portable kernels run. float64 always runs portably.

//go:wasmimport hmmrnn_simd128 ready
func simdReady() int32

//go:wasmimport hmmrnn_simd128 gather
func simdGather(m, n, k int32, a unsafe.Pointer, si, sp int32, b unsafe.Pointer, ldb int32, c unsafe.Pointer, ldc int32, scratch unsafe.Pointer, set int32)

//go:wasmimport hmmrnn_simd128 relu
func simdRelu(x unsafe.Pointer, n int32)

//go:wasmimport hmmrnn_simd128 mask
func simdMask(h, dh unsafe.Pointer, n int32)

// simdScratch receives the gathered (address, value) pairs, 8 bytes per
// entry of a row of op(A). One buffer serves every goroutine: WebAssembly
// runs them on one thread and an imported call never yields.
var simdScratch []uint64

// gatherSIMD is gatherGo (with set: C = op(A) B) in the SIMD module. The
// bounds checks below cover every address the module touches.
func gatherSIMD(set bool, m, n, k int, a []float32, si, sp int, b []float32, ldb int, c []float32, ldc int) {
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
	_ = a[(m-1)*si+(k-1)*sp]
	_ = b[(k-1)*ldb+n-1]
	_ = c[(m-1)*ldc+n-1]
	if len(simdScratch) < k {
		simdScratch = make([]uint64, k)
	}
	var s int32
	if set {
		s = 1
	}
	simdGather(int32(m), int32(n), int32(k), unsafe.Pointer(&a[0]), int32(si), int32(sp),
		unsafe.Pointer(&b[0]), int32(ldb), unsafe.Pointer(&c[0]), int32(ldc), unsafe.Pointer(&simdScratch[0]), s)
}

func simdKernels() kernels[float32] {
	return kernels[float32]{
		nn: func(m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
			gatherSIMD(false, m, n, k, a, lda, 1, b, ldb, c, ldc)
		},
		nnSet: func(m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
			gatherSIMD(true, m, n, k, a, lda, 1, b, ldb, c, ldc)
		},
		tn: func(m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
			gatherSIMD(false, m, n, k, a, 1, lda, b, ldb, c, ldc)
		},
		relu: func(x []float32) {
			n := len(x) &^ 3
			if n > 0 {
				simdRelu(unsafe.Pointer(&x[0]), int32(n))
			}
			reluGo(x[n:])
		},
		mask: func(h, dh []float32) {
			dh = dh[:len(h)]
			n := len(h) &^ 3
			if n > 0 {
				simdMask(unsafe.Pointer(&h[0]), unsafe.Pointer(&dh[0]), int32(n))
			}
			maskGo(h[n:], dh[n:])
		},
	}
}

func kernelName() string {
	if simdReady() != 0 {
		return "wasm-simd128"
	}
	return "portable"
}

// kernelsFor returns the SIMD kernels for float32 when the host attached
// them, else the portable ones.
func kernelsFor[F float]() kernels[F] {
	var k kernels[F]
	if kk, ok := any(&k).(*kernels[float32]); ok && simdReady() != 0 {
		*kk = simdKernels()
		return k
	}
	return portableKernels[F]()
}
