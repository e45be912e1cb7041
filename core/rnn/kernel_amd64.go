//go:build amd64 && !purego

package rnn

//go:generate sh -c "go run asm_gen.go > kernel_amd64.s"

// Tile kernels in kernel_amd64.s (AVX2 + FMA). Each adds A B (nn) or A^T B
// (tn) to C, or stores A B in C (nnSet), for m4 rows, m4 a multiple of 4,
// and 8w float32 (4w float64) columns; see asm_gen.go.

//go:noescape
func nnTile1f32(m4, k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc int)

//go:noescape
func nnTile2f32(m4, k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc int)

//go:noescape
func nnTile3f32(m4, k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc int)

//go:noescape
func tnTile1f32(m4, k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc int)

//go:noescape
func tnTile2f32(m4, k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc int)

//go:noescape
func tnTile3f32(m4, k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc int)

//go:noescape
func nnTile1f64(m4, k int, a *float64, lda int, b *float64, ldb int, c *float64, ldc int)

//go:noescape
func nnTile2f64(m4, k int, a *float64, lda int, b *float64, ldb int, c *float64, ldc int)

//go:noescape
func nnTile3f64(m4, k int, a *float64, lda int, b *float64, ldb int, c *float64, ldc int)

//go:noescape
func tnTile1f64(m4, k int, a *float64, lda int, b *float64, ldb int, c *float64, ldc int)

//go:noescape
func tnTile2f64(m4, k int, a *float64, lda int, b *float64, ldb int, c *float64, ldc int)

//go:noescape
func tnTile3f64(m4, k int, a *float64, lda int, b *float64, ldb int, c *float64, ldc int)

//go:noescape
func nnSetTile1f32(m4, k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc int)

//go:noescape
func nnSetTile2f32(m4, k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc int)

//go:noescape
func nnSetTile3f32(m4, k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc int)

//go:noescape
func nnSetTile1f64(m4, k int, a *float64, lda int, b *float64, ldb int, c *float64, ldc int)

//go:noescape
func nnSetTile2f64(m4, k int, a *float64, lda int, b *float64, ldb int, c *float64, ldc int)

//go:noescape
func nnSetTile3f64(m4, k int, a *float64, lda int, b *float64, ldb int, c *float64, ldc int)

//go:noescape
func reluf32(x *float32, n int)

//go:noescape
func maskf32(h, dh *float32, n int)

//go:noescape
func reluf64(x *float64, n int)

//go:noescape
func maskf64(h, dh *float64, n int)

func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)

func xgetbv0() (eax uint32)

// hasAVX2FMA reports whether the CPU and OS support AVX2 and FMA.
var hasAVX2FMA = func() bool {
	maxID, _, _, _ := cpuid(0, 0)
	if maxID < 7 {
		return false
	}
	_, _, ecx1, _ := cpuid(1, 0)
	const fma, osxsave, avx = 1 << 12, 1 << 27, 1 << 28
	if ecx1&(fma|osxsave|avx) != fma|osxsave|avx {
		return false
	}
	if xgetbv0()&6 != 6 { // XMM and YMM state enabled by the OS
		return false
	}
	_, ebx7, _, _ := cpuid(7, 0)
	return ebx7&(1<<5) != 0
}()

type tileFunc[F float] func(m4, k int, a *F, lda int, b *F, ldb int, c *F, ldc int)

// tiled runs the assembly tiles on the largest part of C they cover (rows
// in fours, columns in vectors of lanes elements, widest tiles first) and the
// portable kernel on the rest. tiles[w-1] handles w vectors.
func tiled[F float](tn bool, lanes int, tiles [3]tileFunc[F], ref func(m, n, k int, a []F, lda int, b []F, ldb int, c []F, ldc int)) func(m, n, k int, a []F, lda int, b []F, ldb int, c []F, ldc int) {
	return func(m, n, k int, a []F, lda int, b []F, ldb int, c []F, ldc int) {
		if m <= 0 || n <= 0 {
			return
		}
		if k <= 0 {
			ref(m, n, 0, a, lda, b, ldb, c, ldc)
			return
		}
		// Bounds the assembly relies on.
		if tn {
			_ = a[(k-1)*lda+m-1]
		} else {
			_ = a[(m-1)*lda+k-1]
		}
		_ = b[(k-1)*ldb+n-1]
		_ = c[(m-1)*ldc+n-1]
		m4 := m &^ 3
		j := 0
		if m4 > 0 {
			for w := 3; w >= 1; w-- {
				for ; j+w*lanes <= n; j += w * lanes {
					tiles[w-1](m4, k, &a[0], lda, &b[j], ldb, &c[j], ldc)
				}
			}
			if j < n {
				ref(m4, n-j, k, a, lda, b[j:], ldb, c[j:], ldc)
			}
		}
		if m4 < m {
			if tn {
				ref(m-m4, n, k, a[m4:], lda, b, ldb, c[m4*ldc:], ldc)
			} else {
				ref(m-m4, n, k, a[m4*lda:], lda, b, ldb, c[m4*ldc:], ldc)
			}
		}
	}
}

// vectorRelu runs the assembly relu on whole vectors and Go on the rest.
func vectorRelu[F float](lanes int, f func(x *F, n int)) func(x []F) {
	return func(x []F) {
		n := len(x) / lanes * lanes
		if n > 0 {
			f(&x[0], n)
		}
		reluGo(x[n:])
	}
}

// vectorMask runs the assembly mask on whole vectors and Go on the rest.
func vectorMask[F float](lanes int, f func(h, dh *F, n int)) func(h, dh []F) {
	return func(h, dh []F) {
		dh = dh[:len(h)]
		n := len(h) / lanes * lanes
		if n > 0 {
			f(&h[0], &dh[0], n)
		}
		maskGo(h[n:], dh[n:])
	}
}

func kernelName() string {
	if hasAVX2FMA {
		return "avx2-fma"
	}
	return "portable"
}

// kernelsFor returns the AVX2/FMA kernels when the CPU has them.
func kernelsFor[F float]() kernels[F] {
	if !hasAVX2FMA {
		return portableKernels[F]()
	}
	var k kernels[F]
	switch kk := any(&k).(type) {
	case *kernels[float32]:
		kk.nn = tiled(false, 8, [3]tileFunc[float32]{nnTile1f32, nnTile2f32, nnTile3f32}, nnGo[float32])
		kk.nnSet = tiled(false, 8, [3]tileFunc[float32]{nnSetTile1f32, nnSetTile2f32, nnSetTile3f32}, nnSetGo[float32])
		kk.tn = tiled(true, 8, [3]tileFunc[float32]{tnTile1f32, tnTile2f32, tnTile3f32}, tnGo[float32])
		kk.tn2 = twoTN(kk.tn)
		kk.relu = vectorRelu(8, reluf32)
		kk.mask = vectorMask(8, maskf32)
	case *kernels[float64]:
		kk.nn = tiled(false, 4, [3]tileFunc[float64]{nnTile1f64, nnTile2f64, nnTile3f64}, nnGo[float64])
		kk.nnSet = tiled(false, 4, [3]tileFunc[float64]{nnSetTile1f64, nnSetTile2f64, nnSetTile3f64}, nnSetGo[float64])
		kk.tn = tiled(true, 4, [3]tileFunc[float64]{tnTile1f64, tnTile2f64, tnTile3f64}, tnGo[float64])
		kk.tn2 = twoTN(kk.tn)
		kk.relu = vectorRelu(4, reluf64)
		kk.mask = vectorMask(4, maskf64)
	}
	return k
}
