//go:build wasm && wasmsimd && !purego

package wasmsimd

import "unsafe"

// The Go side of the module's functions. Every wrapper checks the bounds
// of what the module will touch before passing raw addresses.

//go:wasmimport hmmrnn_simd128 ready
func ready() int32

//go:wasmimport hmmrnn_simd128 gather
func gather(m, k int32, a unsafe.Pointer, si, sp int32, scratch unsafe.Pointer, set int32,
	n int32, b unsafe.Pointer, ldb int32, c unsafe.Pointer, ldc int32,
	n2 int32, b2 unsafe.Pointer, ldb2 int32, c2 unsafe.Pointer, ldc2 int32)

//go:wasmimport hmmrnn_simd128 relu
func relu(x unsafe.Pointer, n int32)

//go:wasmimport hmmrnn_simd128 mask
func mask(h, dh unsafe.Pointer, n int32)

//go:wasmimport hmmrnn_simd128 bins
func bins(e unsafe.Pointer, nc int32, cost unsafe.Pointer, bins unsafe.Pointer, tlo, thi int32)

// available is read once: the host attaches the module before Go runs.
var available = ready() != 0

// Available reports whether the host attached the module.
func Available() bool { return available }

// scratch receives gather's entries, entrySize bytes per entry of a row of
// op(A). One buffer serves every goroutine: WebAssembly runs them on one
// thread and an imported call never yields.
var scratch []byte

// Out is one output of Gather: C (rows of N columns, stride LDC) gets the
// product with B (stride LDB).
type Out struct {
	N   int
	B   []float32
	LDB int
	C   []float32
	LDC int
}

// Gather computes, for each row i < m of op(A), op(A)[i][p] = a[i*si +
// p*sp], row i of o.C (+)= sum over p < k of op(A)[i][p] * row p of o.B
// (= if set, else +=), for o1 and, if o2 is not nil, for o2 with the same
// A. It panics (index out of range) if a slice is too short.
func Gather(set bool, m, k int, a []float32, si, sp int, o1 Out, o2 *Out) {
	if m <= 0 || k <= 0 {
		panic("wasmsimd: Gather needs m, k >= 1")
	}
	_ = a[(m-1)*si+(k-1)*sp]
	outs := []*Out{&o1, o2}
	for _, o := range outs {
		if o != nil && o.N > 0 {
			_ = o.B[(k-1)*o.LDB+o.N-1]
			_ = o.C[(m-1)*o.LDC+o.N-1]
		}
	}
	if len(scratch) < k*entrySize {
		scratch = make([]byte, k*entrySize)
	}
	var s int32
	if set {
		s = 1
	}
	args := func(o *Out) (int32, unsafe.Pointer, int32, unsafe.Pointer, int32) {
		if o == nil || o.N <= 0 {
			return 0, nil, 0, nil, 0
		}
		return int32(o.N), unsafe.Pointer(&o.B[0]), int32(o.LDB), unsafe.Pointer(&o.C[0]), int32(o.LDC)
	}
	n1, b1, ldb1, c1, ldc1 := args(&o1)
	n2, b2, ldb2, c2, ldc2 := args(o2)
	gather(int32(m), int32(k), unsafe.Pointer(&a[0]), int32(si), int32(sp), unsafe.Pointer(&scratch[0]), s,
		n1, b1, ldb1, c1, ldc1, n2, b2, ldb2, c2, ldc2)
}

// Relu sets x[i] = 0 where x[i] < 0 (NaN and -0 stay).
func Relu(x []float32) {
	n := len(x) &^ 3
	if n > 0 {
		relu(unsafe.Pointer(&x[0]), int32(n))
	}
	for i, v := range x[n:] {
		if v < 0 {
			x[n+i] = 0
		}
	}
}

// Mask sets h[i] = dh[i] where h[i] > 0 and h[i] = 0 elsewhere.
func Mask(h, dh []float32) {
	dh = dh[:len(h)]
	n := len(h) &^ 3
	if n > 0 {
		mask(unsafe.Pointer(&h[0]), unsafe.Pointer(&dh[0]), int32(n))
	}
	for i, v := range h[n:] {
		if v > 0 {
			h[n+i] = dh[n+i]
		} else {
			h[n+i] = 0
		}
	}
}

// Bins adds e[j] to bins[r][cost[8j+r]] for r < 8 and every column j whose
// eight costs include one below its row's threshold, byte r of below (a
// threshold of 128 keeps every column). Costs must be below 128.
func Bins(e []float64, cost []uint8, b *[8][256]float64, below uint64) {
	if len(e) == 0 {
		return
	}
	_ = cost[8*len(e)-1]
	bins(unsafe.Pointer(&e[0]), int32(len(e)), unsafe.Pointer(&cost[0]), unsafe.Pointer(b), int32(uint32(below)), int32(uint32(below>>32)))
}
