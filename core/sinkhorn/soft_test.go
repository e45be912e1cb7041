package sinkhorn

import (
	"math"
	"math/rand/v2"
	"testing"
)

// softSeqs returns n soft sequences (n x T x O): at each step the softmax of Gaussian logits
// of standard deviation scale, so large scales give nearly one-hot steps, small ones nearly
// uniform steps.
func softSeqs(r *rand.Rand, n, T, O int, scale float64) []float64 {
	x := make([]float64, n*T*O)
	for i := 0; i < n*T; i++ {
		p := x[i*O : (i+1)*O]
		var s float64
		for o := range p {
			p[o] = math.Exp(scale * r.NormFloat64())
			s += p[o]
		}
		for o := range p {
			p[o] /= s
		}
	}
	return x
}

// softTol is Soft's relative tolerance against Dense: the same log-sum-exps with the costs
// summed in another order (a gather instead of squared differences), merged duplicate y
// rows, the y-y block binned, and terms under negligibleMass left out. Measured on the cases
// below: loss within 5e-16, gradient within 2.2e-13 (T 100), relative.
const softTol = 1e-11

func TestSoftMatchesDense(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, c := range []struct {
		name       string
		x          []float64
		y          []uint8
		N, M, T, O int
		opt        Options
	}{
		{"soft vs HMM 40v33", softSeqs(r, 40, 30, 3, 1), hmmLike(r, 33, 30, 0.05), 40, 33, 30, 3, Options{}},
		{"sharp vs HMM 64v64", softSeqs(r, 64, 30, 3, 5), hmmLike(r, 64, 30, 0.05), 64, 64, 30, 3, Options{}},
		{"sharp vs HMM 256v256", softSeqs(r, 256, 30, 3, 4), hmmLike(r, 256, 30, 0.05), 256, 256, 30, 3, Options{}},
		{"flat vs uniform 50v60", softSeqs(r, 50, 30, 3, 0.1), uniformSeqs(r, 60, 30, 3), 50, 60, 30, 3, Options{}},
		{"one-hot x (the hard case)", oneHot(hmmLike(r, 30, 30, 0.05), 30, 30, 3), hmmLike(r, 30, 30, 0.05), 30, 30, 30, 3, Options{}},
		{"O=7 T=20", softSeqs(r, 30, 20, 7, 2), uniformSeqs(r, 25, 20, 7), 30, 25, 20, 7, Options{}},
		{"T=100", softSeqs(r, 20, 100, 3, 3), hmmLike(r, 25, 100, 0.05), 20, 25, 100, 3, Options{}},
		{"blur 1 scaling 0.8", softSeqs(r, 50, 30, 3, 2), hmmLike(r, 50, 30, 0.05), 50, 50, 30, 3, Options{Blur: 1, Scaling: 0.8}},
		{"blur 0.05", softSeqs(r, 50, 30, 3, 2), hmmLike(r, 50, 30, 0.05), 50, 50, 30, 3, Options{Blur: 0.05}},
		{"converged", softSeqs(r, 20, 10, 3, 2), hmmLike(r, 20, 10, 0.05), 20, 20, 10, 3, Options{Converged: true, MaxIter: 200}},
		{"y all duplicates", softSeqs(r, 10, 30, 3, 3), make([]uint8, 5*30), 10, 5, 30, 3, Options{}},
		{"N=1 M=1", softSeqs(r, 1, 30, 3, 2), uniformSeqs(r, 1, 30, 3), 1, 1, 30, 3, Options{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			ls, gs, errS := Soft(c.x, c.y, c.N, c.M, c.T, c.O, c.opt)
			ld, gd, errD := Dense(c.x, oneHot(c.y, c.M, c.T, c.O), c.N, c.M, c.T*c.O, c.opt)
			if (errS == nil) != (errD == nil) {
				t.Fatalf("Soft error %v, Dense error %v", errS, errD)
			}
			blur := c.opt.Blur
			if blur == 0 {
				blur = DefaultBlur
			}
			t.Logf("loss %.12g dense %.12g rel %.1e grad rel %.1e", ls, ld, relDiff(ls, ld), gradDiff(gs, gd, c.N))
			if e := relDiff(ls, ld); e > softTol {
				t.Errorf("loss %.17g, dense %.17g (rel %.1e)", ls, ld, e)
			}
			if e := gradDiff(gs, gd, c.N); e > softTol*math.Max(1, DefaultBlur*DefaultBlur/(blur*blur)) {
				t.Errorf("gradient rel.max diff %.1e", e)
			}
		})
	}
}

// TestSoftWorkers: results do not depend on the number of goroutines (bitwise).
func TestSoftWorkers(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	const B, T = 200, 30
	x, y := softSeqs(r, B, T, 3, 3), hmmLike(r, B, T, 0.05)
	ref, gref, err := Soft(x, y, B, B, T, 3, Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []int{2, 3, 8, 0} {
		l, g, err := Soft(x, y, B, B, T, 3, Options{Workers: w})
		if err != nil {
			t.Fatal(err)
		}
		if l != ref {
			t.Errorf("workers %d: loss %v, 1 worker %v", w, l, ref)
		}
		for i := range g {
			if g[i] != gref[i] {
				t.Errorf("workers %d: gradient[%d] %v, 1 worker %v", w, i, g[i], gref[i])
				break
			}
		}
	}
}

func TestSoftBadInputs(t *testing.T) {
	x := []float64{1, 0, 0, 0, 1, 0}
	y := []uint8{0, 1}
	for _, c := range []struct {
		name       string
		x          []float64
		y          []uint8
		N, M, T, O int
	}{
		{"N=0", nil, y, 0, 1, 2, 3},
		{"M=0", x, nil, 1, 0, 2, 3},
		{"T=0", nil, nil, 1, 1, 0, 3},
		{"T too long", make([]float64, 3*(MaxSeqLen+1)), make([]uint8, MaxSeqLen+1), 1, 1, MaxSeqLen + 1, 3},
		{"O=0", nil, y, 1, 1, 2, 0},
		{"len x", x[:5], y, 1, 1, 2, 3},
		{"len y", x, y[:1], 1, 1, 2, 3},
		{"symbol >= O", x, []uint8{0, 3}, 1, 1, 2, 3},
		{"NaN x", []float64{1, 0, math.NaN(), 0, 1, 0}, y, 1, 1, 2, 3},
		{"Inf x", []float64{1, 0, 0, 0, math.Inf(-1), 0}, y, 1, 1, 2, 3},
		{"overflowing diameter", []float64{1e308, 0, 0, 0, 1, 0, -1e308, 0, 0, 0, 1, 0}, y, 2, 1, 2, 3},
	} {
		if _, _, err := Soft(c.x, c.y, c.N, c.M, c.T, c.O, Options{}); err == nil {
			t.Errorf("%s: no error", c.name)
		} else {
			t.Logf("%s: %v", c.name, err)
		}
	}
}

// TestSoftZeroDiameter: one-hot x equal to y everywhere gives S = 0 and a zero gradient.
func TestSoftZeroDiameter(t *testing.T) {
	y := []uint8{0, 2, 2, 0, 2, 2}
	l, g, err := Soft(oneHot(y, 2, 3, 3), y, 2, 2, 3, 3, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if l != 0 {
		t.Errorf("loss %v, want 0", l)
	}
	for i, v := range g {
		if v != 0 {
			t.Fatalf("gradient[%d] = %v, want 0", i, v)
		}
	}
}

// TestExpm: expm agrees with math.Exp within 3 ulp on [minExpArg, 0], endpoints included.
func TestExpm(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	xs := []float64{0, -0.5 * math.Ln2, 0.5 * math.Ln2 * -3, -1e-300, -math.SmallestNonzeroFloat64, minExpArg}
	for range 200000 {
		xs = append(xs, minExpArg*r.Float64())
	}
	worst := 0.0
	for _, x := range xs {
		got, want := expm(x), math.Exp(x)
		ulp := math.Nextafter(want, math.Inf(1)) - want
		if d := math.Abs(got-want) / ulp; d > worst {
			worst = d
		}
		if math.Abs(got-want) > 3*ulp {
			t.Fatalf("expm(%v) = %v, math.Exp %v (%.1f ulp)", x, got, want, math.Abs(got-want)/ulp)
		}
	}
	t.Logf("worst %.1f ulp", worst)
}
