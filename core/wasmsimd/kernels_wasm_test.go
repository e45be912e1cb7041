//go:build wasm && wasmsimd && !purego

package wasmsimd

import (
	"math"
	"math/rand/v2"
	"os"
	"testing"
)

// TestAvailable fails when the host was asked to attach the module
// (HMMRNN_WANT_SIMD=1, as TestNode sets) but it is not there, so that a
// module the engine rejects cannot pass unnoticed.
func TestAvailable(t *testing.T) {
	if os.Getenv("HMMRNN_WANT_SIMD") == "1" && !Available() {
		t.Fatal("the SIMD module is not attached")
	}
	if !Available() {
		t.Skip("module not attached")
	}
}

func need(t *testing.T) {
	if !Available() {
		t.Skip("module not attached")
	}
}

// refGather is the plain product: C (+)= op(A) B in float64.
func refGather(set bool, m, k int, a []float32, si, sp int, o Out) []float32 {
	c := append([]float32(nil), o.C...)
	for i := range m {
		for j := range o.N {
			var s float64
			for p := range k {
				s += float64(a[i*si+p*sp]) * float64(o.B[p*o.LDB+j])
			}
			if set {
				c[i*o.LDC+j] = float32(s)
			} else {
				c[i*o.LDC+j] += float32(s)
			}
		}
	}
	return c
}

func randSlice(r *rand.Rand, n int, zeros bool) []float32 {
	s := make([]float32, n)
	for i := range s {
		if !zeros || r.IntN(2) == 0 {
			s[i] = float32(r.NormFloat64())
		}
	}
	return s
}

// TestGather compares gather with the plain product for A and A^T, set and
// add, one and two outputs, widths that use every strip and the scalar
// tail, and checks that padding after each row of C is not written.
func TestGather(t *testing.T) {
	need(t)
	r := rand.New(rand.NewPCG(1, 2))
	for _, c := range []struct{ m, k, n1, n2 int }{
		{1, 1, 1, 0}, {4, 7, 3, 0}, {64, 50, 56, 0}, {56, 64, 16, 56}, {5, 9, 33, 7}, {3, 300, 29, 2}, {2, 5, 8, 1},
	} {
		for _, tn := range []bool{false, true} {
			for _, set := range []bool{false, true} {
				if set && c.n2 > 0 {
					continue // the engine only fuses accumulating products
				}
				lda := c.k + 3
				si, sp, rowsA := lda, 1, c.m
				if tn {
					lda = c.m + 2
					si, sp, rowsA = 1, lda, c.k
				}
				a := randSlice(r, rowsA*lda, true)
				mk := func(n int) Out {
					return Out{N: n, B: randSlice(r, c.k*(n+1), false), LDB: n + 1, C: randSlice(r, c.m*(n+5), false), LDC: n + 5}
				}
				o1 := mk(c.n1)
				want1 := refGather(set, c.m, c.k, a, si, sp, o1)
				var o2 *Out
				var want2 []float32
				if c.n2 > 0 {
					o := mk(c.n2)
					o2 = &o
					want2 = refGather(set, c.m, c.k, a, si, sp, o)
				}
				Gather(set, c.m, c.k, a, si, sp, o1, o2)
				check := func(name string, o Out, want []float32) {
					for i, g := range o.C {
						tol := 1e-5 * (1 + math.Sqrt(float64(c.k)))
						if j := i % o.LDC; j >= o.N && g != want[i] {
							t.Fatalf("%+v tn=%v set=%v %s: wrote padding at %d", c, tn, set, name, i)
						}
						if math.Abs(float64(g-want[i])) > tol {
							t.Fatalf("%+v tn=%v set=%v %s: C[%d] = %v, want %v", c, tn, set, name, i, g, want[i])
						}
					}
				}
				check("C1", o1, want1)
				if o2 != nil {
					check("C2", *o2, want2)
				}
			}
		}
	}
}

func TestReluMask(t *testing.T) {
	need(t)
	negZero := float32(math.Copysign(0, -1))
	nan := float32(math.NaN())
	for _, n := range []int{0, 1, 3, 4, 5, 16, 23} {
		r := rand.New(rand.NewPCG(3, uint64(n)))
		x := randSlice(r, n, true)
		if n > 2 {
			x[0], x[1] = negZero, nan
		}
		want := append([]float32(nil), x...)
		for i, v := range want {
			if v < 0 {
				want[i] = 0
			}
		}
		Relu(x)
		for i := range x {
			if math.Float32bits(x[i]) != math.Float32bits(want[i]) {
				t.Fatalf("Relu n=%d: x[%d] = %v, want %v", n, i, x[i], want[i])
			}
		}
		h, dh := randSlice(r, n, true), randSlice(r, n, false)
		want = make([]float32, n)
		for i, v := range h {
			if v > 0 {
				want[i] = dh[i]
			}
		}
		Mask(h, dh)
		for i := range h {
			if math.Float32bits(h[i]) != math.Float32bits(want[i]) {
				t.Fatalf("Mask n=%d: h[%d] = %v, want %v", n, i, h[i], want[i])
			}
		}
	}
}

// TestBins compares bins with the plain loop: same additions in the same
// order, so the bins must be equal bit for bit.
func TestBins(t *testing.T) {
	need(t)
	r := rand.New(rand.NewPCG(5, 6))
	for _, nc := range []int{1, 7, 200} {
		for _, T := range []int{30, 127} {
			e := make([]float64, nc)
			for i := range e {
				e[i] = r.Float64()
			}
			cost := make([]uint8, 8*nc)
			for i := range cost {
				cost[i] = uint8(r.IntN(T + 1))
			}
			for _, thrMax := range []int{128, 5, T / 2} {
				var below uint64
				var thr [8]int
				for k := 7; k >= 0; k-- {
					thr[k] = r.IntN(thrMax + 1)
					if thrMax == 128 {
						thr[k] = 128
					}
					below = below<<8 | uint64(thr[k])
				}
				var got, want [8][256]float64
				for k := range got {
					for c := range got[k] {
						got[k][c] = float64(k*256 + c)
						want[k][c] = got[k][c]
					}
				}
				for j := range nc {
					keep := false
					for k := range 8 {
						keep = keep || int(cost[8*j+k]) < thr[k]
					}
					if keep {
						for k := range 8 {
							want[k][cost[8*j+k]] += e[j]
						}
					}
				}
				Bins(e, cost, &got, below)
				if got != want {
					t.Fatalf("nc=%d T=%d thresholds %v: bins differ", nc, T, thr)
				}
			}
		}
	}
}
