package sinkhorn

import (
	"math"
	"math/rand/v2"
	"testing"
)

// hmmLike samples n sequences of length T from the linear 2-state HMM of core/METHOD.md section 1
// (switch probability q, emissions [0.99 0.01 0] and [0 0.01 0.99]), uniform start.
func hmmLike(r *rand.Rand, n, T int, q float64) []uint8 {
	s := make([]uint8, n*T)
	for i := 0; i < n; i++ {
		state := r.IntN(2)
		for t := 0; t < T; t++ {
			if t > 0 && r.Float64() < q {
				state = 1 - state
			}
			u := r.Float64()
			switch {
			case u < 0.01:
				s[i*T+t] = 1
			case state == 0:
				s[i*T+t] = 0
			default:
				s[i*T+t] = 2
			}
		}
	}
	return s
}

func uniformSeqs(r *rand.Rand, n, T, O int) []uint8 {
	s := make([]uint8, n*T)
	for i := range s {
		s[i] = uint8(r.IntN(O))
	}
	return s
}

// symbolsTol is the relative tolerance of Symbols against Dense on the one-hot encoding: both
// are float64 log-sum-exps of the same terms, grouped differently (merged duplicates, sums
// per cost level), so they differ by rounding only (measured: loss 2e-15, gradient 2e-13).
// The gradient's plan entries exp((g_j - C_ij)/eps) turn potential rounding (~1e-15 on
// values ~10) into relative errors ~1e-15/eps, so the gradient tolerance grows as 0.04/eps
// for temperatures below the paper's.
const symbolsTol = 1e-12

func TestSymbolsMatchesDense(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	type tc struct {
		name       string
		x, y       []uint8
		N, M, T, O int
		opt        Options
	}
	var cases []tc
	add := func(name string, x, y []uint8, N, M, T, O int, opt Options) {
		cases = append(cases, tc{name, x, y, N, M, T, O, opt})
	}
	add("uniform vs HMM 40v33", uniformSeqs(r, 40, 30, 3), hmmLike(r, 33, 30, 0.05), 40, 33, 30, 3, Options{})
	add("HMM vs HMM 64v64", hmmLike(r, 64, 30, 0.05), hmmLike(r, 64, 30, 0.05), 64, 64, 30, 3, Options{})
	add("HMM vs HMM 300v200", hmmLike(r, 300, 30, 0.05), hmmLike(r, 200, 30, 0.05), 300, 200, 30, 3, Options{})
	add("uniform vs uniform 150v170", uniformSeqs(r, 150, 30, 3), uniformSeqs(r, 150, 30, 3), 150, 150, 30, 3, Options{})
	add("T=100 HMM vs uniform", hmmLike(r, 50, 100, 0.05), uniformSeqs(r, 60, 100, 3), 50, 60, 100, 3, Options{})
	add("O=7 T=20", uniformSeqs(r, 30, 20, 7), uniformSeqs(r, 25, 20, 7), 30, 25, 20, 7, Options{})
	add("O=40 T=9", uniformSeqs(r, 30, 9, 40), uniformSeqs(r, 25, 9, 40), 30, 25, 9, 40, Options{})
	add("O=3 symbol 1 unused", hmmLike(r, 20, 30, 0.2), hmmLike(r, 20, 30, 0.2), 20, 20, 30, 4, Options{})
	add("blur 1 scaling 0.8", hmmLike(r, 50, 30, 0.05), uniformSeqs(r, 50, 30, 3), 50, 50, 30, 3, Options{Blur: 1, Scaling: 0.8})
	add("blur 0.05 (several bands)", hmmLike(r, 50, 30, 0.05), uniformSeqs(r, 50, 30, 3), 50, 50, 30, 3, Options{Blur: 0.05})
	add("blur 1e-3 (many bands)", hmmLike(r, 50, 30, 0.05), uniformSeqs(r, 40, 30, 3), 50, 40, 30, 3, Options{Blur: 1e-3})
	add("HMM vs uniform 600v500 (parallel, pruned)", hmmLike(r, 600, 30, 0.05), uniformSeqs(r, 500, 30, 3), 600, 500, 30, 3, Options{})
	add("T=150 (no byte-parallel scan)", hmmLike(r, 40, 150, 0.05), hmmLike(r, 35, 150, 0.05), 40, 35, 150, 3, Options{})
	add("T=1 O=2", uniformSeqs(r, 9, 1, 2), uniformSeqs(r, 7, 1, 2), 9, 7, 1, 2, Options{})
	add("N=1 M=1", uniformSeqs(r, 1, 30, 3), uniformSeqs(r, 1, 30, 3), 1, 1, 30, 3, Options{})
	dup := hmmLike(r, 10, 30, 0.05)
	add("x all duplicates", append(append(dup[:30:30], dup[:30]...), dup[:30]...), dup, 3, 10, 30, 3, Options{})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ls, gs, err := Symbols(c.x, c.y, c.N, c.M, c.T, c.O, c.opt)
			if err != nil {
				t.Fatal(err)
			}
			if l, err := SymbolsLoss(c.x, c.y, c.N, c.M, c.T, c.O, c.opt); l != ls || err != nil {
				t.Errorf("SymbolsLoss %.17g (%v), Symbols' loss %.17g: want the same bits", l, err, ls)
			}
			ld, gd, err := Dense(oneHot(c.x, c.N, c.T, c.O), oneHot(c.y, c.M, c.T, c.O), c.N, c.M, c.T*c.O, c.opt)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("loss %.12g dense %.12g rel %.1e grad rel %.1e", ls, ld, relDiff(ls, ld), gradDiff(gs, gd, c.N))
			if e := relDiff(ls, ld); e > symbolsTol {
				t.Errorf("loss %.17g, dense %.17g (rel %.1e)", ls, ld, e)
			}
			blur := c.opt.Blur
			if blur == 0 {
				blur = DefaultBlur
			}
			if e := gradDiff(gs, gd, c.N); e > symbolsTol*math.Max(1, DefaultBlur*DefaultBlur/(blur*blur)) {
				t.Errorf("gradient rel.max diff %.1e", e)
			}
		})
	}
}

// TestSymbolsWorkers checks that results do not depend on the number of goroutines or on
// earlier calls (recycled buffers): bitwise equality. Batch 500 runs the four blocks of an
// update at once (below concurrentPairs), batch 800 splits each block's rows.
func TestSymbolsWorkers(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	const T = 30
	for _, B := range []int{500, 800} {
		x, y := uniformSeqs(r, B, T, 3), hmmLike(r, B, T, 0.05)
		if B*B <= concurrentPairs == (B == 800) {
			t.Fatalf("batch %d does not take the path this test means", B)
		}
		ref, gref, err := Symbols(x, y, B, B, T, 3, Options{Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range []int{2, 3, 8, 0, 2} {
			l, g, err := Symbols(x, y, B, B, T, 3, Options{Workers: w})
			if err != nil {
				t.Fatal(err)
			}
			if l != ref {
				t.Errorf("B %d workers %d: loss %v, 1 worker %v", B, w, l, ref)
			}
			for i := range g {
				if g[i] != gref[i] {
					t.Errorf("B %d workers %d: gradient[%d] %v, 1 worker %v", B, w, i, g[i], gref[i])
					break
				}
			}
		}
	}
}

func TestSymbolDiameter(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, c := range []struct {
		x, y    []uint8
		N, M, T int
		O       int
	}{
		{hmmLike(r, 20, 30, 0.05), hmmLike(r, 15, 30, 0.05), 20, 15, 30, 3},
		{uniformSeqs(r, 20, 12, 200), uniformSeqs(r, 5, 12, 200), 20, 5, 12, 200},
		{[]uint8{0, 1, 2, 0, 1, 2}, []uint8{0, 1, 2}, 2, 1, 3, 3}, // all identical: 0
		{[]uint8{0, 1, 2}, []uint8{0, 2, 2}, 1, 1, 3, 3},          // one position, 2 symbols: sqrt(2)
	} {
		want := denseDiameter(oneHot(c.x, c.N, c.T, c.O), oneHot(c.y, c.M, c.T, c.O), c.T*c.O)
		if got := symbolDiameter(c.x, c.y, c.T); got != want {
			t.Errorf("diameter %v, dense on one-hot %v", got, want)
		}
	}
	// core/METHOD.md section 3: d^2 = T*O = 90 when every coordinate takes both values.
	x, y := uniformSeqs(r, 200, 30, 3), uniformSeqs(r, 200, 30, 3)
	if d := symbolDiameter(x, y, 30); d*d != 90 {
		t.Errorf("uniform batches: d^2 = %v, want 90", d*d)
	}
}

func TestZeroDiameter(t *testing.T) {
	x := []uint8{1, 0, 2, 1, 0, 2}
	loss, grad, err := Symbols(x, x[:3], 2, 1, 3, 3, Options{})
	if err != nil || loss != 0 || len(grad) != 18 {
		t.Fatalf("Symbols on identical sequences: %v %v %v", loss, grad, err)
	}
	for _, g := range grad {
		if g != 0 {
			t.Fatalf("nonzero gradient %v", grad)
		}
	}
	p := []float64{1.5, -2}
	loss, grad, err = Dense(p, append(p, p...), 1, 2, 2, Options{})
	if err != nil || loss != 0 || grad[0] != 0 || grad[1] != 0 {
		t.Fatalf("Dense on identical points: %v %v %v", loss, grad, err)
	}
}

// TestSymbolsBoth checks that SymbolsBoth's gradients are Symbols' with the
// arguments either way round, bit for bit: small batches (four blocks at
// once), a large one (rows split), unequal sizes, merged duplicates, and
// the zero-diameter case.
func TestSymbolsBoth(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	const T = 30
	same := []uint8{1, 0, 2, 1, 0, 2}
	for _, c := range []struct {
		name    string
		x, y    []uint8
		N, M, T int
	}{
		{"B128", hmmLike(r, 128, T, 0.05), hmmLike(r, 128, T, 0.05), 128, 128, T},
		{"N100_M60", uniformSeqs(r, 100, T, 3), hmmLike(r, 60, T, 0.05), 100, 60, T},
		{"B800", uniformSeqs(r, 800, T, 3), hmmLike(r, 800, T, 0.2), 800, 800, T},
		{"duplicates", hmmLike(r, 200, 6, 0.01), hmmLike(r, 150, 6, 0.3), 200, 150, 6},
		{"zero diameter", same, same[:3], 2, 1, 3},
	} {
		t.Run(c.name, func(t *testing.T) {
			opt := Options{Workers: 2}
			loss, gx, gy, err := SymbolsBoth(c.x, c.y, c.N, c.M, c.T, 3, opt)
			if err != nil {
				t.Fatal(err)
			}
			lxy, wantX, err := Symbols(c.x, c.y, c.N, c.M, c.T, 3, opt)
			if err != nil {
				t.Fatal(err)
			}
			lyx, wantY, err := Symbols(c.y, c.x, c.M, c.N, c.T, 3, opt)
			if err != nil {
				t.Fatal(err)
			}
			if loss != lxy || loss != lyx {
				t.Errorf("loss %v; Symbols(x, y) %v, Symbols(y, x) %v", loss, lxy, lyx)
			}
			for _, g := range []struct {
				name      string
				got, want []float64
			}{{"dS/dx", gx, wantX}, {"dS/dy", gy, wantY}} {
				if len(g.got) != len(g.want) {
					t.Fatalf("%s: %d values, want %d", g.name, len(g.got), len(g.want))
				}
				for i := range g.got {
					if g.got[i] != g.want[i] {
						t.Errorf("%s[%d] = %v, want %v", g.name, i, g.got[i], g.want[i])
						break
					}
				}
			}
		})
	}
}
