package rnn

import (
	"math"
	"math/rand/v2"
	"testing"
)

// naive computes C += op(A) B in float64 with op = transpose if tn.
func naive[F float](tn bool, m, n, k int, a []F, lda int, b []F, ldb int, c []F, ldc int) {
	for i := range m {
		for j := range n {
			var s float64
			for p := range k {
				var av F
				if tn {
					av = a[p*lda+i]
				} else {
					av = a[i*lda+p]
				}
				s += float64(av) * float64(b[p*ldb+j])
			}
			c[i*ldc+j] += F(s)
		}
	}
}

func testKernels[F float](t *testing.T, name string, ks kernels[F], tol float64) {
	r := rand.New(rand.NewPCG(1, 1))
	for _, sz := range [][3]int{
		{1, 1, 1}, {4, 8, 1}, {4, 24, 5}, {5, 23, 7}, {64, 152, 150}, {152, 104, 64},
		{3, 152, 64}, {66, 56, 50}, {7, 17, 0}, {12, 40, 33}, {8, 4, 9},
		{6, 20, 600}, {9, 33, 257}, // rows of op(A) longer than gatherBlock
	} {
		m, n, k := sz[0], sz[1], sz[2]
		for mode := range 3 { // nn, nnSet, tn
			tn, set := mode == 2, mode == 1
			lda, ldb, ldc := k+3, n+5, n+2
			ar, ac := m, k
			if tn {
				lda, ar, ac = m+1, k, m
			}
			a := make([]F, max(ar*lda, 1))
			for i := range ar {
				for j := range ac {
					if r.IntN(3) > 0 { // a third zeros, as after a ReLU
						a[i*lda+j] = F(r.NormFloat64())
					}
				}
			}
			b := make([]F, max(k*ldb, 1))
			for i := range b {
				b[i] = F(r.NormFloat64())
			}
			c := make([]F, m*ldc)
			for i := range c {
				c[i] = F(r.NormFloat64())
			}
			want := append([]F(nil), c...)
			if set {
				for i := range m {
					clear(want[i*ldc : i*ldc+n])
				}
			}
			naive(tn, m, n, k, a, lda, b, ldb, want, ldc)
			f := [3]func(m, n, k int, a []F, lda int, b []F, ldb int, c []F, ldc int){ks.nn, ks.nnSet, ks.tn}[mode]
			f(m, n, k, a, lda, b, ldb, c, ldc)
			for i := range m {
				for j := range ldc {
					got, w := float64(c[i*ldc+j]), float64(want[i*ldc+j])
					if j >= n && got != w {
						t.Fatalf("%s mode %d %v: wrote outside C at (%d,%d)", name, mode, sz, i, j)
					}
					if math.Abs(got-w) > tol*(1+math.Sqrt(float64(k))) {
						t.Fatalf("%s mode %d %v: C[%d][%d] = %v, want %v", name, mode, sz, i, j, got, w)
					}
				}
			}
		}
	}
}

// TestKernels checks the machine's kernels and the portable ones against
// a naive float64 product (modes: C += A B, C = A B, C += A^T B), including
// edge tiles and untouched padding.
func TestKernels(t *testing.T) {
	testKernels(t, "float32", kernelsFor[float32](), 1e-5)
	testKernels(t, "float64", kernelsFor[float64](), 1e-12)
	testKernels(t, "portable float32", portableKernels[float32](), 1e-5)
	testKernels(t, "portable float64", portableKernels[float64](), 1e-12)
}

// BenchmarkKernels times the products of one chunk step at H = 50, D = 10
// (padded to 56 and 16): the recurrent product, the input product and the
// weight-gradient product.
func BenchmarkKernels(b *testing.B) {
	const rows, hp, H, D, dp = 64, 56, 50, 10, 16
	r := rand.New(rand.NewPCG(1, 1))
	fill := func(n int, zeros bool) []float32 {
		s := make([]float32, n)
		for i := range s {
			if !zeros || r.IntN(2) == 0 {
				s[i] = float32(r.NormFloat64())
			}
		}
		return s
	}
	h, w, x, c := fill(rows*hp, true), fill(hp*hp, false), fill(rows*dp, false), make([]float32, rows*hp)
	for _, k := range []struct {
		name string
		ks   kernels[float32]
	}{{"machine", kernelsFor[float32]()}, {"portable", portableKernels[float32]()}} {
		b.Run(k.name+"/recurrent", func(b *testing.B) {
			for b.Loop() {
				k.ks.nn(rows, hp, H, h, hp, w, hp, c, hp)
			}
		})
		b.Run(k.name+"/input", func(b *testing.B) {
			for b.Loop() {
				k.ks.nnSet(rows, hp, D, x, dp, w, hp, c, hp)
			}
		})
		b.Run(k.name+"/gradient", func(b *testing.B) {
			for b.Loop() {
				k.ks.tn(hp, hp, rows, h, hp, h, hp, c, hp)
			}
		})
	}
}
