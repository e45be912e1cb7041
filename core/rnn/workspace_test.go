package rnn

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

// noise replays the documented draw order of Workspace.Forward and returns
// the inputs (B x T x D) and Gumbel values (B x T x O) it uses.
func noise(r *rand.Rand, B, T, D, O int, sigma float64) (x, g []float64) {
	x = make([]float64, B*T*D)
	g = make([]float64, B*T*O)
	type seeds struct{ s1, s2 uint64 }
	var ss []seeds
	for row0 := 0; row0 < B; row0 += chunkRows {
		s1 := r.Uint64()
		s2 := r.Uint64()
		ss = append(ss, seeds{s1, s2})
	}
	for c, s := range ss {
		cr := rand.New(rand.NewPCG(s.s1, s.s2))
		row0 := c * chunkRows
		rows := min(chunkRows, B-row0)
		for t := range T {
			for i := range rows {
				for k := range D {
					x[((row0+i)*T+t)*D+k] = sigma * cr.NormFloat64()
				}
			}
			for i := range rows {
				for o := range O {
					e := cr.ExpFloat64()
					for e == 0 { // redrawn, as documented
						e = cr.ExpFloat64()
					}
					g[((row0+i)*T+t)*O+o] = -math.Log(e)
				}
			}
		}
	}
	return x, g
}

// refForward is a plain per-sequence forward pass with given noise. It
// returns the hard symbols and the soft loss sum(c * s) with
// s = softmax((logits + g)/tau), and reports the ReLU pattern (true = a > 0).
func refForward(n *Net, x, g, c []float64, B, T int, tau float64) (out []uint8, loss float64, active []bool) {
	H, D, O := n.H, n.D, n.O
	out = make([]uint8, B*T)
	h := make([]float64, H)
	hn := make([]float64, H)
	l := make([]float64, O)
	for b := range B {
		clear(h)
		for t := range T {
			xt := x[(b*T+t)*D : (b*T+t+1)*D]
			for i := range H {
				var a float64
				for k := range D {
					a += n.Win[i*D+k] * xt[k]
				}
				for j := range H {
					a += n.Whh[i*H+j] * h[j]
				}
				active = append(active, a > 0)
				hn[i] = max(a, 0)
			}
			h, hn = hn, h
			n.Logits(l, h)
			gt := g[(b*T+t)*O : (b*T+t+1)*O]
			best, zmax := 0, math.Inf(-1)
			for o := range O {
				if z := l[o] + gt[o]; z > zmax {
					best, zmax = o, z
				}
			}
			out[b*T+t] = uint8(best)
			var sum float64
			for o := range O {
				sum += math.Exp((l[o] + gt[o] - zmax) / tau)
			}
			for o := range O {
				s := math.Exp((l[o]+gt[o]-zmax)/tau) / sum
				loss += c[(b*T+t)*O+o] * s
			}
		}
	}
	return out, loss, active
}

func params(n *Net) []*float64 {
	var p []*float64
	for _, w := range [][]float64{n.Win, n.Whh, n.Wout} {
		for i := range w {
			p = append(p, &w[i])
		}
	}
	return p
}

func equalBool(a, b []bool) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestBackwardFiniteDifferences checks Forward's symbols against the plain
// reference and Backward against central finite differences of the soft
// loss sum(c * s) with the noise held fixed: with dL/dy = c the
// straight-through gradient is exactly the gradient of that loss.
func TestBackwardFiniteDifferences(t *testing.T) {
	const (
		step   = 1e-5 // finite-difference step
		relTol = 1e-6 // |grad - fd| <= relTol * (|fd| + 1e-2 * max|fd|)
	)
	for _, tc := range []struct {
		name             string
		H, D, O, B, T    int
		sigma, tau, gain float64
	}{
		{"paper-like", 9, 3, 3, 70, 6, 1, 1, 2},
		{"tau", 5, 2, 4, 7, 8, 0.7, 0.5, 2.5},
		{"one chunk", 16, 8, 3, 4, 3, 1, 1, 1.5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, 2))
			n, err := New(tc.H, tc.D, tc.O, r)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range params(n) {
				*p *= tc.gain // livelier dynamics than the init
			}
			c := make([]float64, tc.B*tc.T*tc.O)
			for i := range c {
				c[i] = r.NormFloat64()
			}
			seed := r.Uint64()
			w := NewWorkspace64(n, tc.B, tc.T)
			out := w.Forward(n, rand.New(rand.NewPCG(seed, 0)), tc.sigma, tc.tau)
			x, g := noise(rand.New(rand.NewPCG(seed, 0)), tc.B, tc.T, tc.D, tc.O, tc.sigma)
			refOut, _, _ := refForward(n, x, g, c, tc.B, tc.T, tc.tau)
			for i := range out {
				if out[i] != refOut[i] {
					t.Fatalf("symbol %d: Forward %d, reference %d", i, out[i], refOut[i])
				}
			}
			var grad Net
			w.Backward(n, c, &grad)
			ps, gs := params(n), params(&grad)
			fd := make([]float64, len(ps))
			skip := make([]bool, len(ps))
			var fdMax float64
			for i, p := range ps {
				orig := *p
				*p = orig + step
				_, lp, ap := refForward(n, x, g, c, tc.B, tc.T, tc.tau)
				*p = orig - step
				_, lm, am := refForward(n, x, g, c, tc.B, tc.T, tc.tau)
				*p = orig
				skip[i] = !equalBool(ap, am) // a ReLU kink inside the stencil
				fd[i] = (lp - lm) / (2 * step)
				fdMax = max(fdMax, math.Abs(fd[i]))
			}
			var skipped, worst int
			var worstErr float64
			for i := range ps {
				if skip[i] {
					skipped++
					continue
				}
				e := math.Abs(*gs[i]-fd[i]) / (math.Abs(fd[i]) + 1e-2*fdMax)
				if e > worstErr {
					worst, worstErr = i, e
				}
			}
			if skipped > len(ps)/10 {
				t.Fatalf("%d of %d parameters straddle a ReLU kink", skipped, len(ps))
			}
			if worstErr > relTol {
				t.Errorf("parameter %d: Backward %.10g, finite difference %.10g (relative error %.2g > %g)",
					worst, *gs[worst], fd[worst], worstErr, relTol)
			}
			if fdMax == 0 {
				t.Error("all finite differences are zero; the test checks nothing")
			}
			t.Logf("worst relative error %.2g over %d parameters (%d skipped at kinks)", worstErr, len(ps), skipped)
		})
	}
}

// TestFloat32MatchesFloat64 checks the float32 engine (the fast path)
// against the float64 one on the same noise.
func TestFloat32MatchesFloat64(t *testing.T) {
	const (
		symbolTol = 0.002 // fraction of symbols allowed to flip at near-ties
		gradTol   = 1e-4  // |g32 - g64|_inf <= gradTol * |g64|_inf
	)
	for _, tc := range []struct{ H, D, O, B, T int }{
		{50, 10, 3, 256, 30},
		{150, 100, 3, 100, 12},
		{13, 5, 3, 67, 9},
	} {
		r := rand.New(rand.NewPCG(3, 4))
		n, err := New(tc.H, tc.D, tc.O, r)
		if err != nil {
			t.Fatal(err)
		}
		dY := make([]float64, tc.B*tc.T*tc.O)
		for i := range dY {
			dY[i] = r.NormFloat64()
		}
		w32 := NewWorkspace(n, tc.B, tc.T)
		w64 := NewWorkspace64(n, tc.B, tc.T)
		o32 := append([]uint8(nil), w32.Forward(n, rand.New(rand.NewPCG(5, 6)), 1, 1)...)
		o64 := w64.Forward(n, rand.New(rand.NewPCG(5, 6)), 1, 1)
		var flips int
		for i := range o32 {
			if o32[i] != o64[i] {
				flips++
			}
		}
		if float64(flips) > symbolTol*float64(len(o32)) {
			t.Errorf("%+v: %d of %d symbols differ", tc, flips, len(o32))
		}
		var g32, g64 Net
		w32.Backward(n, dY, &g32)
		w64.Backward(n, dY, &g64)
		p32, p64 := params(&g32), params(&g64)
		var diff, scale float64
		for i := range p32 {
			diff = max(diff, math.Abs(*p32[i]-*p64[i]))
			scale = max(scale, math.Abs(*p64[i]))
		}
		if flips == 0 && diff > gradTol*scale {
			t.Errorf("%+v: float32 gradient differs by %.3g (scale %.3g)", tc, diff, scale)
		}
		t.Logf("%+v: %d symbol flips, max gradient difference %.3g of %.3g", tc, flips, diff, scale)
	}
}

// TestDeterminism checks that the same seed gives bit-identical symbols and
// gradients for any GOMAXPROCS, with both engines.
func TestDeterminism(t *testing.T) {
	const H, D, O, B, T = 20, 6, 3, 300, 10
	n, err := New(H, D, O, rand.New(rand.NewPCG(7, 8)))
	if err != nil {
		t.Fatal(err)
	}
	dY := make([]float64, B*T*O)
	r := rand.New(rand.NewPCG(9, 10))
	for i := range dY {
		dY[i] = r.NormFloat64()
	}
	for _, mk := range []struct {
		name string
		f    func(*Net, int, int) *Workspace
	}{{"float32", NewWorkspace}, {"float64", NewWorkspace64}} {
		var refOut []uint8
		var refGrad []*float64
		for _, procs := range []int{1, 2, 5} {
			old := runtime.GOMAXPROCS(procs)
			w := mk.f(n, B, T)
			out := w.Forward(n, rand.New(rand.NewPCG(11, 12)), 1, 1)
			var grad Net
			w.Backward(n, dY, &grad)
			runtime.GOMAXPROCS(old)
			g := params(&grad)
			if refOut == nil {
				refOut, refGrad = append([]uint8(nil), out...), g
				continue
			}
			for i := range out {
				if out[i] != refOut[i] {
					t.Fatalf("%s GOMAXPROCS=%d: symbol %d differs", mk.name, procs, i)
				}
			}
			for i := range g {
				if math.Float64bits(*g[i]) != math.Float64bits(*refGrad[i]) {
					t.Fatalf("%s GOMAXPROCS=%d: gradient entry %d %v != %v", mk.name, procs, i, *g[i], *refGrad[i])
				}
			}
		}
	}
}

// TestSampleMatchesForward checks that Sample draws its noise as Forward
// does.
func TestSampleMatchesForward(t *testing.T) {
	const B, T = 130, 7
	n, err := New(11, 4, 3, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	got := n.Sample(rand.New(rand.NewPCG(2, 2)), B, T, 1.5)
	want := NewWorkspace64(n, B, T).Forward(n, rand.New(rand.NewPCG(2, 2)), 1.5, 1)
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("symbol %d: Sample %d, Forward %d", i, got[i], want[i])
		}
	}
}

// TestSampleGumbelMax checks emitted frequencies against softmax
// probabilities (the Gumbel-max property). Run: a unit with a self-loop of
// weight 1 and no input keeps h = 1 from h0 = 1, so the logits are fixed at
// (0, ln 2, ln 3) and P = (1, 2, 3)/6. Sample: with D = 1, H = 2 and
// W_in = (1, -1) the state is (relu(x), relu(-x)); equal W_out columns v
// make the logits v|x|, so P(o) = E[softmax(v|x|)_o] over x ~ N(0, sigma^2),
// computed here by quadrature.
func TestSampleGumbelMax(t *testing.T) {
	const (
		nSeq, T = 4000, 10
		zTol    = 5 // allowed deviation in binomial standard errors
	)
	fixed := &Net{H: 1, D: 1, O: 3, Win: []float64{0}, Whh: []float64{1}, Wout: []float64{0, math.Log(2), math.Log(3)}}
	_, _, obs := fixed.Run(rand.New(rand.NewPCG(6, 6)), nSeq*T, 0, []float64{1})
	checkFreq(t, "Run, fixed logits", obs, []float64{1.0 / 6, 2.0 / 6, 3.0 / 6}, zTol)

	const sigma = 1.3
	v := []float64{-1, 0.5, 2}
	abs := &Net{H: 2, D: 1, O: 3, Win: []float64{1, -1}, Whh: make([]float64, 4),
		Wout: []float64{v[0], v[0], v[1], v[1], v[2], v[2]}}
	p := make([]float64, 3)
	const steps, top = 200000, 12.0 // trapezoid rule on |x| in [0, 12 sigma]
	for q := range steps + 1 {
		a := top * sigma * float64(q) / steps
		wq := 2 * math.Exp(-a*a/(2*sigma*sigma)) / (sigma * math.Sqrt(2*math.Pi)) * top * sigma / steps
		if q == 0 || q == steps {
			wq /= 2
		}
		var sum float64
		for o := range v {
			sum += math.Exp(v[o] * a)
		}
		for o := range v {
			p[o] += wq * math.Exp(v[o]*a) / sum
		}
	}
	obs = abs.Sample(rand.New(rand.NewPCG(5, 5)), nSeq, T, sigma)
	checkFreq(t, "Sample, logits v|x|", obs, p, zTol)
}

func checkFreq(t *testing.T, name string, obs []uint8, p []float64, zTol float64) {
	t.Helper()
	counts := make([]float64, len(p))
	for _, o := range obs {
		counts[o]++
	}
	N := float64(len(obs))
	for o, pc := range p {
		se := math.Sqrt(pc * (1 - pc) / N)
		if f := counts[o] / N; math.Abs(f-pc) > zTol*se {
			t.Errorf("%s: frequency of %d is %.4f, want %.4f +- %.4f", name, o, f, pc, zTol*se)
		}
	}
}

// TestWorkspaceMisuse checks the documented panics.
func TestWorkspaceMisuse(t *testing.T) {
	n, err := New(4, 2, 3, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	other, err := New(5, 2, 3, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	const B, T = 3, 4
	dY := make([]float64, B*T*3)
	for _, tc := range []struct {
		name string
		f    func(w *Workspace)
	}{
		{"Backward first", func(w *Workspace) { w.Backward(n, dY, &Net{}) }},
		{"Backward twice", func(w *Workspace) {
			w.Forward(n, rand.New(rand.NewPCG(1, 1)), 1, 1)
			w.Backward(n, dY, &Net{})
			w.Backward(n, dY, &Net{})
		}},
		{"short dY", func(w *Workspace) {
			w.Forward(n, rand.New(rand.NewPCG(1, 1)), 1, 1)
			w.Backward(n, dY[1:], &Net{})
		}},
		{"other shape", func(w *Workspace) { w.Forward(other, rand.New(rand.NewPCG(1, 1)), 1, 1) }},
		{"negative tau", func(w *Workspace) { w.Forward(n, rand.New(rand.NewPCG(1, 1)), 1, -1) }},
		{"zero batch", func(*Workspace) { NewWorkspace(n, 0, T) }},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", tc.name)
				}
			}()
			tc.f(NewWorkspace(n, B, T))
		}()
	}
}

// TestMachineKernelsMatchPortable runs the float32 engine with the
// machine's kernels (assembly on amd64) and with the portable Go kernels
// (what WebAssembly runs) on the same noise.
func TestMachineKernelsMatchPortable(t *testing.T) {
	const (
		H, D, O, B, T = 37, 12, 3, 150, 20
		gradTol       = 1e-5 // |g_machine - g_portable|_inf <= gradTol * |g|_inf
	)
	r := rand.New(rand.NewPCG(3, 4))
	n, err := New(H, D, O, r)
	if err != nil {
		t.Fatal(err)
	}
	dY := make([]float64, B*T*O)
	for i := range dY {
		dY[i] = r.NormFloat64()
	}
	portable := newWorkspace(n, B, T, func(H, D, O, B, T int) engine {
		e := newEngine[float32](H, D, O, B, T, true)
		e.k = portableKernels[float32]()
		return e
	})
	var g [2]Net
	var out [2][]uint8
	for i, w := range []*Workspace{NewWorkspace(n, B, T), portable} {
		out[i] = append([]uint8(nil), w.Forward(n, rand.New(rand.NewPCG(5, 6)), 1, 1)...)
		w.Backward(n, dY, &g[i])
	}
	for i := range out[0] {
		if out[0][i] != out[1][i] {
			t.Fatalf("symbol %d differs: %d vs %d", i, out[0][i], out[1][i])
		}
	}
	p0, p1 := params(&g[0]), params(&g[1])
	var diff, scale float64
	for i := range p0 {
		diff = max(diff, math.Abs(*p0[i]-*p1[i]))
		scale = max(scale, math.Abs(*p1[i]))
	}
	if diff > gradTol*scale {
		t.Errorf("gradients differ by %.3g (scale %.3g)", diff, scale)
	}
}

// TestWorkspaceBytes requires WorkspaceBytes to account for what
// NewWorkspace allocates (measured by the runtime's allocation counter),
// within the rounding of Go's size classes and the small headers it leaves
// out.
func TestWorkspaceBytes(t *testing.T) {
	for _, sz := range [][5]int{{50, 10, 3, 256, 30}, {7, 3, 2, 70, 5}, {128, 64, 8, 1000, 100}, {300, 1, 255, 64, 20}} {
		H, D, O, B, T := sz[0], sz[1], sz[2], sz[3], sz[4]
		n, err := New(H, D, O, rand.New(rand.NewPCG(1, 1)))
		if err != nil {
			t.Fatal(err)
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		w := NewWorkspace(n, B, T)
		runtime.ReadMemStats(&after)
		runtime.KeepAlive(w)
		got, est := int64(after.TotalAlloc-before.TotalAlloc), WorkspaceBytes(H, D, O, B, T)
		if r := float64(got) / float64(est); r < 0.9 || r > 1.25 {
			t.Errorf("H=%d D=%d O=%d B=%d T=%d: allocated %d bytes, WorkspaceBytes %d (ratio %.3f)", H, D, O, B, T, got, est, r)
		}
	}
}

// Soft returns the soft samples the reference forward computes: with
// costs c, sum c . s equals the reference's linear loss, each row sums to
// 1 and peaks at the hard symbol; it refuses without a Forward.
func TestSoft(t *testing.T) {
	const tol = 1e-12
	r := rand.New(rand.NewPCG(3, 4))
	n, err := New(6, 2, 3, r)
	if err != nil {
		t.Fatal(err)
	}
	const B, T, tau = 70, 5, 0.7
	c := make([]float64, B*T*3)
	for i := range c {
		c[i] = r.NormFloat64()
	}
	w := NewWorkspace64(n, B, T)
	if _, err := w.Soft(nil); err == nil {
		t.Error("Soft before any Forward: no error")
	}
	out := w.Forward(n, rand.New(rand.NewPCG(9, 0)), 1, tau)
	x, g := noise(rand.New(rand.NewPCG(9, 0)), B, T, 2, 3, 1)
	_, want, _ := refForward(n, x, g, c, B, T, tau)
	s, err := w.Soft(nil)
	if err != nil {
		t.Fatal(err)
	}
	var got float64
	for i, v := range s {
		got += c[i] * v
	}
	if math.Abs(got-want) > tol*math.Max(1, math.Abs(want)) {
		t.Errorf("sum c . soft = %.15g, reference %.15g", got, want)
	}
	for i := range out {
		row := s[i*3 : i*3+3]
		best := 0
		for o := range row {
			if row[o] > row[best] {
				best = o
			}
		}
		if sum := row[0] + row[1] + row[2]; math.Abs(sum-1) > tol || best != int(out[i]) {
			t.Fatalf("soft row %d %v: sum %v, peak %d, hard symbol %d", i, row, sum, best, out[i])
		}
	}
	var grad Net
	w.Backward(n, c, &grad)
	if _, err := w.Soft(s); err == nil {
		t.Error("Soft after Backward: no error")
	}
}
