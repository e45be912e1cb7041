package rnn

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestNewInit checks PyTorch's default initialisation U(-1/sqrt(H),
// 1/sqrt(H)) (core/METHOD.md section 2): every entry inside the bounds, the
// extremes close to them, mean and variance (bound^2/3) as for a uniform.
func TestNewInit(t *testing.T) {
	const H, D, O = 150, 100, 3
	n, err := New(H, D, O, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Validate(); err != nil {
		t.Fatal(err)
	}
	bound := 1 / math.Sqrt(H)
	for _, m := range []struct {
		name string
		w    []float64
	}{{"W_in", n.Win}, {"W_hh", n.Whh}, {"W_out", n.Wout}} {
		N := float64(len(m.w))
		var sum, sq, lo, hi float64
		for _, v := range m.w {
			if !(v >= -bound && v < bound) {
				t.Fatalf("%s entry %v outside [-%v, %v)", m.name, v, bound, bound)
			}
			sum += v
			sq += v * v
			lo, hi = min(lo, v), max(hi, v)
		}
		// The extremes of N uniforms miss the bounds by about 2*bound/N.
		if edge := 2 * bound * 10 / N; hi < bound-edge || lo > -bound+edge {
			t.Errorf("%s range [%v, %v], want close to +-%v", m.name, lo, hi, bound)
		}
		mean, variance := sum/N, sq/N-(sum/N)*(sum/N)
		want := bound * bound / 3
		// Standard errors: mean sqrt(want/N), variance about want*sqrt(0.8/N).
		if math.Abs(mean) > 5*math.Sqrt(want/N) {
			t.Errorf("%s mean %v, want 0", m.name, mean)
		}
		if math.Abs(variance-want) > 5*want*math.Sqrt(0.8/N) {
			t.Errorf("%s variance %v, want %v", m.name, variance, want)
		}
	}
	if got, want := n.NumParams(), H*D+H*H+O*H; got != want {
		t.Errorf("NumParams = %d, want %d", got, want)
	}
}

func TestNewErrors(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		H, D, O int
		r       *rand.Rand
		want    string
	}{
		{0, 1, 3, r, "hidden size"},
		{MaxHidden + 1, 1, 3, r, "hidden size"},
		{5, 0, 3, r, "input size"},
		{5, -2, 3, r, "input size"},
		{5, 1, 0, r, "output size"},
		{5, 1, MaxOutputs + 1, r, "output size"},
		{5, 1, 3, nil, "random source"},
	} {
		n, err := New(tc.H, tc.D, tc.O, tc.r)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("New(%d, %d, %d): net %v, error %v; want error about %q", tc.H, tc.D, tc.O, n != nil, err, tc.want)
		}
	}
}

func TestValidate(t *testing.T) {
	good := func() *Net {
		n, err := New(3, 2, 2, rand.New(rand.NewPCG(1, 2)))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, tc := range []struct {
		name   string
		modify func(n *Net)
		want   string // "" = valid
	}{
		{"valid", func(n *Net) {}, ""},
		{"NaN in W_in", func(n *Net) { n.Win[3] = math.NaN() }, "W_in[1][1]"},
		{"Inf in W_hh", func(n *Net) { n.Whh[5] = math.Inf(-1) }, "W_hh[1][2]"},
		{"NaN in W_out", func(n *Net) { n.Wout[4] = math.NaN() }, "W_out[1][1]"},
		{"short W_in", func(n *Net) { n.Win = n.Win[:5] }, "W_in has 5 entries, want 3 x 2"},
		{"long W_hh", func(n *Net) { n.Whh = append(n.Whh, 0) }, "W_hh has 10 entries"},
		{"nil W_out", func(n *Net) { n.Wout = nil }, "W_out has 0 entries"},
		{"H mismatch", func(n *Net) { n.H = 4 }, "W_in has 6 entries, want 4 x 2"},
		{"bad O", func(n *Net) { n.O = 0 }, "output size"},
	} {
		n := good()
		tc.modify(n)
		err := n.Validate()
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: unexpected error %v", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
	var nilNet *Net
	if nilNet.Validate() == nil {
		t.Error("nil net validated")
	}
}

// TestStepLogits checks Step and Logits on a hand-computed 2-unit net.
func TestStepLogits(t *testing.T) {
	n := &Net{
		H: 2, D: 1, O: 3,
		Win:  []float64{1, -2},
		Whh:  []float64{0.5, 1, -1, 0.25},
		Wout: []float64{1, 0, 0, 1, 2, -1},
	}
	h := []float64{2, 4}
	next := make([]float64, 2)
	// a = Win x + Whh h = (1*3 + 0.5*2 + 1*4, -2*3 - 1*2 + 0.25*4) = (8, -7).
	n.Step(next, h, []float64{3})
	if next[0] != 8 || next[1] != 0 {
		t.Errorf("Step with input = %v, want [8 0]", next)
	}
	// Without input: (0.5*2 + 4, -2 + 1) = (5, -1).
	n.Step(next, h, nil)
	if next[0] != 5 || next[1] != 0 {
		t.Errorf("Step without input = %v, want [5 0]", next)
	}
	l := make([]float64, 3)
	n.Logits(l, h)
	if want := []float64{2, 4, 0}; l[0] != want[0] || l[1] != want[1] || l[2] != want[2] {
		t.Errorf("Logits = %v, want %v", l, want)
	}
}

// TestRunInputFree checks Run against repeated Step and Logits at sigma = 0
// (the noise draws are consumed but scaled to zero).
func TestRunInputFree(t *testing.T) {
	const T = 12
	n, err := New(6, 2, 3, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	for i := range n.Whh {
		n.Whh[i] *= 3
	}
	h0 := []float64{1, 0.5, 0, 2, 0.1, 0.3}
	hs, logits, out := n.Run(rand.New(rand.NewPCG(3, 4)), T, 0, h0)
	if len(hs) != T*n.H || len(logits) != T*n.O || len(out) != T {
		t.Fatalf("Run lengths %d, %d, %d", len(hs), len(logits), len(out))
	}
	h := append([]float64(nil), h0...)
	next := make([]float64, n.H)
	l := make([]float64, n.O)
	for s := range T {
		n.Step(next, h, nil)
		h, next = next, h
		n.Logits(l, h)
		for i := range h {
			if hs[s*n.H+i] != h[i] {
				t.Fatalf("step %d unit %d: Run %v, Step %v", s, i, hs[s*n.H+i], h[i])
			}
		}
		for o := range l {
			if logits[s*n.O+o] != l[o] {
				t.Fatalf("step %d logit %d: Run %v, Logits %v", s, o, logits[s*n.O+o], l[o])
			}
		}
		if int(out[s]) >= n.O {
			t.Fatalf("step %d: symbol %d", s, out[s])
		}
	}
}

func TestClone(t *testing.T) {
	n, err := New(4, 3, 2, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	c := n.Clone()
	c.Win[0], c.Whh[0], c.Wout[0] = 7, 7, 7
	if n.Win[0] == 7 || n.Whh[0] == 7 || n.Wout[0] == 7 {
		t.Error("Clone shares memory with the original")
	}
	if c.H != n.H || c.D != n.D || c.O != n.O || len(c.Whh) != len(n.Whh) {
		t.Errorf("Clone shape %dx%dx%d, want %dx%dx%d", c.H, c.D, c.O, n.H, n.D, n.O)
	}
}

// SampleArgmax emits Sample's symbols from the same random state, for one
// chunk and several. Its off-argmax share is the probability that the
// emitted symbol is not the argmax, so the share of steps where they
// differ estimates it; a saturated readout emits the argmax everywhere.
func TestSampleArgmaxIsSample(t *testing.T) {
	n, err := New(12, 3, 3, rand.New(rand.NewPCG(5, 6)))
	if err != nil {
		t.Fatal(err)
	}
	for i := range n.Whh {
		n.Whh[i] *= 3 // persistent outputs, so the argmax changes within runs
	}
	for i := range n.Wout {
		n.Wout[i] *= 5 // a readout neither uniform nor saturated
	}
	for _, nSeq := range []int{1, 64, 150, 2000} {
		const T, sigma = 20, 1
		want := n.Sample(rand.New(rand.NewPCG(7, uint64(nSeq))), nSeq, T, sigma)
		out, argmax, off := n.SampleArgmax(rand.New(rand.NewPCG(7, uint64(nSeq))), nSeq, T, sigma)
		if string(out) != string(want) {
			t.Errorf("nSeq %d: SampleArgmax emitted other symbols than Sample", nSeq)
		}
		if len(argmax) != nSeq*T || !(off > 0 && off < 1) {
			t.Fatalf("nSeq %d: %d argmax outputs, off-argmax %v: want %d and a share in (0, 1)", nSeq, len(argmax), off, nSeq*T)
		}
		differ := 0
		for i := range out {
			if out[i] != argmax[i] {
				differ++
			}
		}
		share := float64(differ) / float64(len(out))
		// Each step differs with its own probability; the variance of the
		// share is at most off(1-off)/(nSeq T): the tolerance is 5 standard
		// errors.
		if tol := 5 * math.Sqrt(off*(1-off)/float64(len(out))); math.Abs(share-off) > tol {
			t.Errorf("nSeq %d: emitted differs from the argmax at %.4f of steps, off-argmax %.4f (tolerance %.4f)", nSeq, share, off, tol)
		}
		if nSeq == 2000 {
			t.Logf("off-argmax %.4f, emitted differs from the argmax at %.4f of %d steps", off, share, len(out))
		}
	}
	// A readout 1,000 times sharper emits its argmax but where every unit
	// is silent (logits tied at 0: off 2/3).
	sharp := n.Clone()
	for i := range sharp.Wout {
		sharp.Wout[i] *= 1000
	}
	out, argmax, off := sharp.SampleArgmax(rand.New(rand.NewPCG(8, 8)), 500, 20, 1)
	differ := 0
	for i := range out {
		if out[i] != argmax[i] {
			differ++
		}
	}
	if off > 0.01 || float64(differ)/float64(len(out)) > 0.01 {
		t.Errorf("a saturated readout: off-argmax %v, emitted differs from the argmax at %d of %d steps; want under 1%%", off, differ, len(out))
	}
}

// The off-argmax share against its exact value for a one-unit network
// without recurrence: h = relu(x), x ~ N(0, 1), logits (a h, 0). At h = 0
// the logits tie (argmax 0, off 1/2); at h > 0 the argmax is 0 and off =
// 1/(1 + e^(a h)), so E[off] = 1/4 + integral over x > 0 of
// phi(x) / (1 + e^(a x)).
func TestSampleArgmaxKnown(t *testing.T) {
	for _, a := range []float64{0.5, 2, 8} {
		net := &Net{H: 1, D: 1, O: 2, Win: []float64{1}, Whh: []float64{0}, Wout: []float64{a, 0}}
		const n, T = 2000, 50
		_, argmax, off := net.SampleArgmax(rand.New(rand.NewPCG(3, 4)), n, T, 1)
		want := 0.25
		const dx = 1e-4
		for x := dx / 2; x < 12; x += dx {
			want += math.Exp(-x*x/2) / math.Sqrt(2*math.Pi) / (1 + math.Exp(a*x)) * dx
		}
		// Each step's off value lies in [0, 1/2]: standard error under
		// 0.5/sqrt(n*T) = 0.0016; the tolerance is 5 of those.
		if math.Abs(off-want) > 0.008 {
			t.Errorf("a = %v: off-argmax %.4f, exact %.4f", a, off, want)
		}
		for i, o := range argmax {
			if o != 0 {
				t.Fatalf("a = %v: argmax %d at %d, want 0 everywhere (logit 0 never exceeds a*relu(x))", a, o, i)
			}
		}
		_, _, again := net.SampleArgmax(rand.New(rand.NewPCG(3, 4)), n, T, 1)
		if again != off {
			t.Errorf("a = %v: same seed, off-argmax %v then %v", a, off, again)
		}
	}
}

// SampleLogits emits Sample's symbols from the same random state and the
// logits of the same runs: their argmax and off-argmax share are
// SampleArgmax's.
func TestSampleLogits(t *testing.T) {
	n, err := New(12, 3, 3, rand.New(rand.NewPCG(5, 6)))
	if err != nil {
		t.Fatal(err)
	}
	for i := range n.Wout {
		n.Wout[i] *= 5
	}
	const nSeq, T, sigma = 150, 20, 1
	out, logits := n.SampleLogits(rand.New(rand.NewPCG(9, 9)), nSeq, T, sigma)
	same, argmax, off := n.SampleArgmax(rand.New(rand.NewPCG(9, 9)), nSeq, T, sigma)
	if string(out) != string(same) || len(logits) != nSeq*T*3 {
		t.Fatalf("SampleLogits: other symbols than SampleArgmax (%v) or %d logits for %d steps", string(out) != string(same), len(logits), nSeq*T)
	}
	var sum float64
	for i := range nSeq * T {
		k, o := readout(logits[i*3 : i*3+3])
		if k != argmax[i] {
			t.Fatalf("step %d: logits %v have argmax %d, SampleArgmax says %d", i, logits[i*3:i*3+3], k, argmax[i])
		}
		sum += o
	}
	if got := sum / (nSeq * T); math.Abs(got-off) > 1e-12 {
		t.Errorf("off-argmax from the logits %v, SampleArgmax's %v", got, off)
	}
}
