package dynamics

import (
	"math"
	"math/cmplx"
	"sort"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"

	"hmmrnn/core/rnn"
)

func TestMobius(t *testing.T) {
	const tol = 1e-12
	for _, c := range []struct {
		lambda, z complex128
	}{
		{0, -1},
		{1, 0},
		{2, complex(1.0/3, 0)},
		{0.5, complex(-1.0/3, 0)},
		{1i, 1i},   // on the unit circle -> imaginary axis
		{-1i, -1i}, // conjugate
		{3, 0.5},
	} {
		if got := Mobius(c.lambda); cmplx.Abs(got-c.z) > tol {
			t.Errorf("Mobius(%v) = %v, want %v", c.lambda, got, c.z)
		}
	}
	if !cmplx.IsInf(Mobius(-1)) {
		t.Errorf("Mobius(-1) = %v, want infinity", Mobius(-1))
	}
	// Re z > 0 iff |lambda| > 1.
	for _, l := range []complex128{1.01, -1.2, 0.99i, 1.01i, complex(0.8, 0.7), complex(0.6, 0.5)} {
		if (real(Mobius(l)) > 0) != (cmplx.Abs(l) > 1) {
			t.Errorf("lambda %v: Re z = %v but |lambda| = %v", l, real(Mobius(l)), cmplx.Abs(l))
		}
	}
}

// rotNet has W_hh = [[a, -b, 0], [b, a, 0], [0, 0, c]]: eigenvalues a +- ib and c.
func rotNet(a, b, c float64) *rnn.Net {
	return &rnn.Net{H: 3, D: 1, O: 2,
		Win:  []float64{1, 1, 1},
		Whh:  []float64{a, -b, 0, b, a, 0, 0, 0, c},
		Wout: []float64{1, 0, 0, 0, 1, 0}}
}

func TestSpectrumKnown(t *testing.T) {
	const tol = 1e-9
	net := rotNet(0.9, 0.6, 0.5) // |0.9 +- 0.6i| = 1.08: unstable complex pair near the unit circle
	sp, err := NewSpectra(net, nil)
	if err != nil {
		t.Fatal(err)
	}
	// At h = (1, 0.1, 1) the pre-activation W h = (0.84, 0.69, 0.5) > 0: J = W.
	s, err := sp.At([]float64{1, 0.1, 1})
	if err != nil {
		t.Fatal(err)
	}
	if s.Active != 3 || s.Unstable != 2 || s.Complex != 2 || s.Critical != 1 {
		t.Errorf("got active %d unstable %d complex %d critical %d; want 3 2 2 1", s.Active, s.Unstable, s.Complex, s.Critical)
	}
	want := []complex128{complex(0.9, 0.6), complex(0.9, -0.6), 0.5}
	for _, w := range want {
		found := false
		for _, l := range s.Eigen {
			found = found || cmplx.Abs(l-w) < tol
		}
		if !found {
			t.Errorf("eigenvalue %v missing from %v", w, s.Eigen)
		}
	}
	if math.Abs(s.Radius-math.Hypot(0.9, 0.6)) > tol {
		t.Errorf("radius %v, want %v", s.Radius, math.Hypot(0.9, 0.6))
	}
	// At h = (0, 0, 1) only neuron 2 is active: eigenvalues {0.5, 0, 0}.
	s, err = sp.At([]float64{0, 0, 1})
	if err != nil {
		t.Fatal(err)
	}
	if s.Active != 1 || s.Unstable != 0 || s.Complex != 0 || s.Critical != 0 || math.Abs(s.Radius-0.5) > tol {
		t.Errorf("single active neuron: got %+v", s)
	}
	// Scaling the recurrent input by mu scales the active rows.
	sp2, err := NewSpectra(net, []float64{0.5, 0.5, 4})
	if err != nil {
		t.Fatal(err)
	}
	s, err = sp2.At([]float64{0, 0, 1})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(s.Radius-2) > tol || s.Unstable != 1 {
		t.Errorf("mu-scaled: radius %v unstable %d, want 2 and 1", s.Radius, s.Unstable)
	}
	if _, err := sp.At([]float64{1}); err == nil {
		t.Error("wrong-length state: no error")
	}
}

// rayNet has W_hh = [[.5,.5],[.5,.5]] * g: for g = 1 every h = c (1, 1) is a
// fixed point, for g < 1 trajectories collapse to 0 along (1, 1) at rate g.
func rayNet(g float64) *rnn.Net {
	return &rnn.Net{H: 2, D: 1, O: 2, Win: []float64{1, 1},
		Whh: []float64{g / 2, g / 2, g / 2, g / 2}, Wout: []float64{1, -1, -1, 1}}
}

func TestFixedPointsKnown(t *testing.T) {
	starts := []float64{1, 0.2, 0.3, 2, 5, 5.5, 0.1, 0.05}
	// g = 1: a ray of fixed points along (1, 1) with Jacobian spectrum {1, 0}.
	fps, err := FindFixedPoints(rayNet(1), starts, 4, nil, SolveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var fixed *FixedPoint
	for i := range fps {
		if fps[i].Kind == "fixed" {
			if fixed != nil {
				t.Fatalf("two fixed rays: %+v", fps)
			}
			fixed = &fps[i]
		}
	}
	if fixed == nil {
		t.Fatalf("no fixed point found: %+v", fps)
	}
	if c := cosine(fixed.State, []float64{1, 1}); c < 1-1e-9 {
		t.Errorf("fixed direction %v, cosine to (1,1) = %v", fixed.State, c)
	}
	ev := append([]complex128(nil), fixed.Spectrum.Eigen...)
	sort.Slice(ev, func(i, j int) bool { return real(ev[i]) < real(ev[j]) })
	if cmplx.Abs(ev[0]) > 1e-9 || cmplx.Abs(ev[1]-1) > 1e-9 {
		t.Errorf("fixed-point spectrum %v, want {0, 1}", ev)
	}
	// g = 0.5: only the origin; the collapse approaches it along (1,1) at rate 0.5.
	net := rayNet(0.5)
	col, err := RunCollapse(net, []float64{1, 1, 2, 2, 0.3, 0.3, 5, 5}, 4, 60, Intervention{})
	if err != nil {
		t.Fatal(err)
	}
	if col.Endpoints != 1 || col.FixedPointNorm > 1e-12 {
		t.Errorf("collapse: %d endpoints, fixed point norm %v; want 1 and ~0", col.Endpoints, col.FixedPointNorm)
	}
	if math.Abs(col.Rate-0.5) > 1e-9 || math.Abs(col.Decay20-math.Pow(0.5, 20)) > 1e-12 {
		t.Errorf("rate %v decay20 %v, want 0.5 and 0.5^20", col.Rate, col.Decay20)
	}
	fps, err = FindFixedPoints(net, starts, 4, col.Direction, SolveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(fps) == 0 || fps[0].Kind != "origin" || fps[0].Starts != 4 {
		t.Fatalf("want the origin from all 4 starts first, got %+v", fps)
	}
	if r := fps[0].Spectrum.Radius; math.Abs(r-0.5) > 1e-9 {
		t.Errorf("origin spectrum along the approach: radius %v, want 0.5", r)
	}
	for _, fp := range fps[1:] {
		if fp.Kind == "fixed" {
			t.Errorf("spurious fixed point %+v", fp)
		}
	}
	if _, err := FindFixedPoints(net, starts[:3], 4, nil, SolveOptions{}); err == nil {
		t.Error("short start slice: no error")
	}
}

func TestQGradient(t *testing.T) {
	net := PlantedNet()
	r := newRand(3)
	h := make([]float64, net.H)
	for i := range h {
		h[i] = r.Float64()
	}
	g := make([]float64, net.H)
	Q(net, h, g)
	const eps = 1e-6
	for _, i := range []int{0, 5, 21, 40, 41, 70} {
		hp := append([]float64(nil), h...)
		hm := append([]float64(nil), h...)
		hp[i] += eps
		hm[i] -= eps
		num := (Q(net, hp, nil) - Q(net, hm, nil)) / (2 * eps)
		if math.Abs(num-g[i]) > 1e-5*math.Max(1, math.Abs(num)) {
			t.Errorf("dq/dh[%d] = %v, numerical %v", i, g[i], num)
		}
	}
}

func TestPCAKnownAxis(t *testing.T) {
	const H, T = 5, 4000
	u := []float64{1, 2, -1, 0.5, 3}
	nu := norm(u)
	for i := range u {
		u[i] /= nu
	}
	r := newRand(4)
	data := make([]float64, T*H)
	for t := 0; t < T; t++ {
		a := 3 * r.NormFloat64()
		for i := 0; i < H; i++ {
			data[t*H+i] = 10 + a*u[i] + 0.1*r.NormFloat64()
		}
	}
	p, err := FitPCA(data, T, H, 2)
	if err != nil {
		t.Fatal(err)
	}
	if c := math.Abs(dot(p.Axes[:H], u)); c < 0.9999 {
		t.Errorf("|PC1 . u| = %v, want ~1", c)
	}
	if ex := p.ExplainedRatio(); ex[0] < 0.99 {
		t.Errorf("PC1 explains %v, want > 0.99", ex[0])
	}
	// Same axes and variances as gonum's stat.PC.
	var pc stat.PC
	if !pc.PrincipalComponents(mat.NewDense(T, H, data), nil) {
		t.Fatal("stat.PC failed")
	}
	var vecs mat.Dense
	pc.VectorsTo(&vecs)
	vars := pc.VarsTo(nil)
	for k := 0; k < 2; k++ {
		var d float64
		for i := 0; i < H; i++ {
			d += vecs.At(i, k) * p.Axes[k*H+i]
		}
		if math.Abs(math.Abs(d)-1) > 1e-8 {
			t.Errorf("axis %d differs from stat.PC: |cos| = %v", k, math.Abs(d))
		}
		if math.Abs(vars[k]-p.Var[k]) > 1e-8*vars[k] {
			t.Errorf("variance %d: %v, stat.PC %v", k, p.Var[k], vars[k])
		}
	}
	// Projection of the mean is the origin.
	if c := p.ProjectPoint(p.Mean); math.Abs(c[0])+math.Abs(c[1]) > 1e-9 {
		t.Errorf("projected mean %v, want 0", c)
	}
	for _, bad := range []struct{ T, H, K int }{{1, 5, 1}, {T, H, 0}, {T, H, 6}} {
		if _, err := FitPCA(data[:bad.T*bad.H], bad.T, bad.H, bad.K); err == nil {
			t.Errorf("FitPCA(%d, %d, %d): no error", bad.T, bad.H, bad.K)
		}
	}
}

func TestClassifyZone(t *testing.T) {
	for _, c := range []struct {
		res, prob float64
		want      Zone
	}{
		{1, 0.99, Transition},
		{1.99, 0.5, Transition},
		{2, 0.99, KickZone},
		{8, 0.99, KickZone},
		{8.01, 0.99, Cluster},
		{50, 0.81, Cluster},
		{50, 0.8, Other},
		{20, 0.5, Other},
	} {
		if got := ClassifyZone(c.res, c.prob); got != c.want {
			t.Errorf("ClassifyZone(%v, %v) = %v, want %v", c.res, c.prob, got, c.want)
		}
	}
}

// cycleNet moves a unit of activity around a ring of L neurons, e_i -> e_{i+1};
// neurons 0..L/2-1 read out as output 0, the rest as output 1, with logit
// gap 2*scale. From e_i (i < L/2) the output changes after L/2 - i steps.
func cycleNet(L int, scale float64) *rnn.Net {
	n := &rnn.Net{H: L, D: 1, O: 2, Win: make([]float64, L), Whh: make([]float64, L*L), Wout: make([]float64, 2*L)}
	for i := 0; i < L; i++ {
		n.Whh[((i+1)%L)*L+i] = 1
		if i < L/2 {
			n.Wout[i], n.Wout[L+i] = scale, -scale
		} else {
			n.Wout[i], n.Wout[L+i] = -scale, scale
		}
	}
	return n
}

func TestResidencyZones(t *testing.T) {
	const L = 24
	net := cycleNet(L, 3)
	sim, err := NewSim(net, 0, Intervention{}) // no noise: deterministic residency
	if err != nil {
		t.Fatal(err)
	}
	idx := []int{11, 10, 6, 4, 3, 0, 12}
	states := make([]float64, len(idx)*L)
	for k, i := range idx {
		states[k*L+i] = 1
	}
	res, err := Residency(sim, nil, states, len(idx), ResidencyOptions{Continuations: 3, MaxSteps: 50})
	if err != nil {
		t.Fatal(err)
	}
	wantRes := []float64{1, 2, 6, 8, 9, 12, 12}
	wantZone := []Zone{Transition, KickZone, KickZone, KickZone, Cluster, Cluster, Cluster}
	for k := range idx {
		if math.Abs(res[k].Residency-wantRes[k]) > 1e-12 || res[k].Zone != wantZone[k] {
			t.Errorf("state e_%d: residency %v zone %v, want %v %v", idx[k], res[k].Residency, res[k].Zone, wantRes[k], wantZone[k])
		}
		// max prob = 1/(1+e^-6) > 0.8.
		if math.Abs(res[k].MaxProb-1/(1+math.Exp(-6))) > 1e-12 {
			t.Errorf("max prob %v", res[k].MaxProb)
		}
	}
	// The current logit stays constant (diff 0) until the switch: no sign changes.
	if res[5].SignChanges != 0 {
		t.Errorf("sign changes %v, want 0", res[5].SignChanges)
	}
	// Low confidence readout: slow states become Other.
	sim2, _ := NewSim(cycleNet(L, 0.2), 0, Intervention{})
	res, err = Residency(sim2, nil, states, len(idx), ResidencyOptions{Continuations: 1, MaxSteps: 50})
	if err != nil {
		t.Fatal(err)
	}
	if res[5].Zone != Other {
		t.Errorf("unconfident slow state: zone %v, want other", res[5].Zone)
	}
	// Capped residency.
	res, _ = Residency(sim, nil, states, len(idx), ResidencyOptions{Continuations: 1, MaxSteps: 5})
	if res[5].Residency != 5 {
		t.Errorf("capped residency %v, want 5", res[5].Residency)
	}
}

func TestNoiseSensitivityLinear(t *testing.T) {
	// W_hh = 0.5 I, W_in = I: from h0 = 100 the state stays far from the
	// ReLU kink, so one step is linear: h1 = 50 + x and the spread of x =
	// (1-g) o + g f is g^2 sigma^2 per dimension.
	const H = 4
	net := &rnn.Net{H: H, D: H, O: 2, Win: make([]float64, H*H), Whh: make([]float64, H*H), Wout: make([]float64, 2*H)}
	for i := 0; i < H; i++ {
		net.Win[i*H+i] = 1
		net.Whh[i*H+i] = 0.5
	}
	sim, _ := NewSim(net, 1, Intervention{})
	h0 := []float64{100, 100, 100, 100}
	orig := []float64{0.3, -0.2, 1, 0}
	pca := &PCA{H: H, K: 1, Mean: make([]float64, H), Axes: []float64{1, 0, 0, 0}, Var: []float64{1}, TotalVar: 1}
	sp, err := NoiseSensitivity(sim, newRand(5), h0, orig, []float64{0, 0.5, 1}, 4000, 1, pca)
	if err != nil {
		t.Fatal(err)
	}
	if sp[0].TraceCov[0] > 1e-18 || sp[0].MeanDist[0] > 1e-9 {
		t.Errorf("gamma 0: spread %v %v, want 0", sp[0].TraceCov[0], sp[0].MeanDist[0])
	}
	for k, g := range []float64{0.5, 1} {
		want := g * g * H
		if got := sp[k+1].TraceCov[0]; math.Abs(got-want) > 0.1*want {
			t.Errorf("gamma %v: trace cov %v, want %v +- 10%%", g, got, want)
		}
		// Along the single PCA axis e_0: g^2.
		if got := sp[k+1].TracePC[0]; math.Abs(got-g*g) > 0.1*g*g {
			t.Errorf("gamma %v: PC trace %v, want %v +- 10%%", g, got, g*g)
		}
	}
	if _, err := NoiseSensitivity(sim, newRand(5), h0, orig, []float64{1.5}, 10, 1, nil); err == nil {
		t.Error("gamma 1.5: no error")
	}
}

// conveyorNet is a network with a known answer for the noise sensitivity:
// neuron 0 is a constant bias (self-weight 1, no input), neuron 1 the
// position p (self-weight 1, unit noise), and neurons 2, 3 compute
// relu(p - theta) and relu(p - theta - 1), whose difference (0 below theta,
// 1 above theta + 1) pushes p forward by v per step. Below theta p is a pure
// random walk (a noise-driven slow region); above theta + 1 it moves by v
// per step plus the same noise (a deterministic fast region). Far from the
// ReLU kinks both regions are exactly linear.
func conveyorNet(theta, v float64) *rnn.Net {
	const H = 4
	net := &rnn.Net{H: H, D: 1, O: 2, Win: make([]float64, H), Whh: make([]float64, H*H), Wout: make([]float64, 2*H)}
	w := func(to, from int, x float64) { net.Whh[to*H+from] = x }
	w(0, 0, 1)
	w(1, 1, 1)
	w(1, 2, v)
	w(1, 3, -v)
	w(2, 1, 1)
	w(2, 0, -theta)
	w(3, 1, 1)
	w(3, 0, -theta-1)
	net.Win[1] = 1
	net.Wout[1], net.Wout[H+1] = 1, -1
	return net
}

func TestNoiseSensitivityConveyor(t *testing.T) {
	const (
		theta, v = 40.0, 10.0
		steps, n = 5, 400
	)
	net := conveyorNet(theta, v)
	sim, err := NewSim(net, 1, Intervention{})
	if err != nil {
		t.Fatal(err)
	}
	// PCA axis along the position neuron: the "orbit" of this network.
	pca := &PCA{H: 4, K: 1, Mean: make([]float64, 4), Axes: []float64{0, 1, 0, 0}, Var: []float64{1}, TotalVar: 1}
	orig := []float64{0.4, -1.1, 0.7, 0.2, -0.3}
	slow := []float64{1, 20, 0, 0}                   // p = 20 < theta: random walk
	fast := []float64{1, 60, 60 - theta, 59 - theta} // p = 60 > theta + 1: conveyor
	gammas := []float64{0, 0.5, 1}
	sSlow, err := NoiseSensitivity(sim, newRand(7), slow, orig, gammas, n, steps, pca)
	if err != nil {
		t.Fatal(err)
	}
	sFast, err := NoiseSensitivity(sim, newRand(8), fast, orig, gammas, n, steps, pca)
	if err != nil {
		t.Fatal(err)
	}
	last := steps - 1
	for _, sp := range [][]Spread{sSlow, sFast} {
		if sp[0].TraceCov[last] > 1e-18 || sp[0].NoiseShare[last] > 1e-12 || sp[0].NoiseSharePC[last] > 1e-12 {
			t.Errorf("gamma 0 replays the run: spread %v, shares %v %v, want 0", sp[0].TraceCov[last], sp[0].NoiseShare[last], sp[0].NoiseSharePC[last])
		}
	}
	// Along the orbit both regions get the same raw spread, gamma^2 k per
	// step k: the raw spread cannot tell the regions apart.
	for g, gamma := range gammas[1:] {
		want := gamma * gamma * steps
		for name, sp := range map[string][]Spread{"slow": sSlow, "fast": sFast} {
			if got := sp[g+1].TracePC[last]; math.Abs(got-want) > 0.2*want {
				t.Errorf("%s, gamma %v: PC spread %.3f, want %.3f +- 20%%", name, gamma, got, want)
			}
		}
	}
	// The noise share after k steps at gamma = 1: slow, the mean stays put
	// (drift^2 ~ k/n), share ~ n/(n+1); fast, the drift is v k, share =
	// k / (k + (v k)^2).
	k := float64(steps)
	wantFast := k / (k + v*v*k*k)
	if got := sSlow[2].NoiseSharePC[last]; got < 0.95 {
		t.Errorf("slow region, gamma 1: noise share %.4f, want ~1 (> 0.95)", got)
	}
	if got := sFast[2].NoiseSharePC[last]; math.Abs(got-wantFast) > 0.25*wantFast {
		t.Errorf("fast region, gamma 1: noise share %.5f, want %.5f +- 25%%", got, wantFast)
	}
	if got := sFast[2].DriftPC[last]; math.Abs(got-v*k) > 1 {
		t.Errorf("fast region: PC drift %.2f, want v k = %v", got, v*k)
	}
	// The share grows with gamma in the slow region and stays small in the
	// fast one; in all H dimensions too.
	if !(sSlow[1].NoiseSharePC[last] > 0.1 && sSlow[2].NoiseSharePC[last] > sSlow[1].NoiseSharePC[last]) {
		t.Errorf("slow region: shares %v, want growing with gamma", []float64{sSlow[1].NoiseSharePC[last], sSlow[2].NoiseSharePC[last]})
	}
	if r := sSlow[2].NoiseShare[last] / sFast[2].NoiseShare[last]; r < 50 {
		t.Errorf("full-space noise share ratio slow/fast %.1f, want > 50", r)
	}
}

func TestEvents(t *testing.T) {
	out := []uint8{0, 0, 0, 2, 2, 2, 0, 2, 2, 2, 2, 0, 0, 0}
	ev := Events(out, 3)
	want := []Event{{T: 3, From: 0, To: 2}, {T: 11, From: 2, To: 0}}
	if len(ev) != len(want) {
		t.Fatalf("events %v, want %v", ev, want)
	}
	for i := range ev {
		if ev[i] != want[i] {
			t.Errorf("event %d = %v, want %v", i, ev[i], want[i])
		}
	}
	if got := Switches(out); got != 4 {
		t.Errorf("switches %d, want 4", got)
	}
}

func TestSimulateIntervention(t *testing.T) {
	net := PlantedNet()
	// Silencing (mu = 0, Both) a neuron keeps it at zero forever.
	iv, err := Scale(net.H, []int{3, 40}, 0, Both)
	if err != nil {
		t.Fatal(err)
	}
	sim, _ := NewSim(net, 1, iv)
	run, err := sim.Simulate(newRand(6), 500, nil, true)
	if err != nil {
		t.Fatal(err)
	}
	for tt := 0; tt < run.T; tt++ {
		if h := run.State(tt); h[3] != 0 || h[40] != 0 {
			t.Fatalf("silenced neuron active at step %d", tt)
		}
	}
	// Replaying the stored noise with the plain step reproduces the run.
	plain, _ := NewSim(net, 1, Intervention{})
	run2, _ := plain.Simulate(newRand(6), 50, nil, true)
	h := make([]float64, net.H)
	next := make([]float64, net.H)
	for tt := 0; tt < 50; tt++ {
		plain.step(next, h, 1, run2.Noise[tt*net.D:(tt+1)*net.D])
		h, next = next, h
		if d := dist(h, run2.State(tt)); d > 1e-12 {
			t.Fatalf("replay differs at step %d by %v", tt, d)
		}
	}
	for _, bad := range []float64{math.NaN(), math.Inf(1)} {
		if _, err := Scale(net.H, []int{1}, bad, Both); err == nil {
			t.Errorf("Scale(mu = %v): no error", bad)
		}
	}
	if _, err := Scale(net.H, []int{net.H}, 0, Both); err == nil {
		t.Error("Scale(out-of-range neuron): no error")
	}
	if _, err := NewSim(net, -1, Intervention{}); err == nil {
		t.Error("negative sigma: no error")
	}
	bad := net.Clone()
	bad.Whh[0] = math.NaN()
	if _, err := NewSim(bad, 1, Intervention{}); err == nil {
		t.Error("NaN weight: no error")
	}
}

func TestReadoutAngles(t *testing.T) {
	p := &PCA{H: 3, K: 2, Mean: make([]float64, 3), Axes: []float64{1, 0, 0, 0, 1, 0}, Var: []float64{2, 1}, TotalVar: 3}
	net := &rnn.Net{H: 3, D: 1, O: 3, Win: []float64{1, 1, 1}, Whh: make([]float64, 9),
		Wout: []float64{1, 1, 0, 1, 0, 1, 0, 0, 2}}
	a, err := ReadoutAngles(net, p)
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range []float64{0, 45, 90} {
		if math.Abs(a[k].Degrees-want) > 1e-9 {
			t.Errorf("output %d: %v degrees, want %v", k, a[k].Degrees, want)
		}
	}
}

func TestCompositionality(t *testing.T) {
	// Outputs: 0 0 0 0 0 1 1 1 1 1 (twice), 0 0, then 2 2, 1 x 6, 2 x 6: a
	// {0,1} span of 22 steps (0->1 twice, 1->0 twice) and a {1,2} span of
	// 14 (one switch each way).
	var out []uint8
	for i := 0; i < 20; i++ {
		out = append(out, uint8([]int{0, 1}[(i/5)%2]))
	}
	out = append(out, 0, 0, 2, 2)
	for i := 0; i < 12; i++ {
		out = append(out, uint8([]int{1, 2}[i/6]))
	}
	T := len(out)
	run := &Run{T: T, H: 2, O: 3, Out: out, States: make([]float64, 2*T)}
	r := newRand(7)
	for i := range run.States {
		run.States[i] = r.Float64()
	}
	ps, err := Compositionality(run, map[int]Zone{0: Cluster, 4: Transition}, CompositionOptions{MinSpan: 10, MinSteps: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 2 {
		t.Fatalf("got %d pairs, want 2: %+v", len(ps), ps)
	}
	if ps[0].Outputs != [2]uint8{0, 1} || ps[0].Steps != 22 || ps[0].Switches != [2]int{2, 2} || ps[0].Zones["cluster"] != 1 || ps[0].Zones["transition"] != 1 {
		t.Errorf("pair 0/1: %+v", ps[0])
	}
	if ps[1].Outputs != [2]uint8{1, 2} || ps[1].Steps != 14 || ps[1].Switches != [2]int{1, 1} || ps[1].Spans != 1 {
		t.Errorf("pair 1/2: %+v", ps[1])
	}
}
