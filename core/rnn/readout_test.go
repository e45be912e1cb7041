package rnn

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// softmaxOf is softmax(g l), computed directly.
func softmaxOf(l []float64, g float64) []float64 {
	p := make([]float64, len(l))
	var z float64
	for k, v := range l {
		p[k] = math.Exp(g * v)
		z += p[k]
	}
	for k := range p {
		p[k] /= z
	}
	return p
}

// Readout.Probs against its definition: the plain readout is softmax(l);
// a gain with no rare symbol is softmax(g l); with rare symbols they keep
// softmax(l)'s probability and the others share the rest as softmax(g l)
// over them.
func TestReadoutProbs(t *testing.T) {
	const tol = 1e-12
	l := []float64{2, -1, 0.5}
	plain := softmaxOf(l, 1)
	sharp3 := softmaxOf(l, 3)
	freq3 := softmaxOf([]float64{2, 0.5}, 3) // symbols 0 and 2 at gain 3
	twoStage := []float64{(1 - plain[1]) * freq3[0], plain[1], (1 - plain[1]) * freq3[1]}
	for _, tc := range []struct {
		name    string
		r       Readout
		want    []float64
		wantOff float64
	}{
		{"zero value", Readout{}, plain, 1 - plain[0]},
		{"gain 1 with a rare symbol", Readout{Gain: 1, Rare: []int{1}}, plain, 1 - plain[0]/(1-plain[1])},
		{"gain 3", Readout{Gain: 3}, sharp3, 1 - sharp3[0]},
		{"gain 3, output 1 rare", Readout{Gain: 3, Rare: []int{1}}, twoStage, 1 - freq3[0]},
	} {
		p := make([]float64, len(l))
		off := tc.r.Probs(l, p)
		var sum float64
		for k := range p {
			sum += p[k]
			if math.Abs(p[k]-tc.want[k]) > tol {
				t.Errorf("%s: P(%d) = %v, want %v", tc.name, k, p[k], tc.want[k])
			}
		}
		if math.Abs(sum-1) > tol || math.Abs(off-tc.wantOff) > tol {
			t.Errorf("%s: probabilities sum to %v, off-argmax %v; want 1, %v", tc.name, sum, off, tc.wantOff)
		}
	}
	// Large logits neither overflow nor lose the rare symbol's share.
	p := make([]float64, 3)
	Readout{Gain: 8, Rare: []int{1}}.Probs([]float64{800, 796, 790}, p)
	if want := math.Exp(-4) / (1 + math.Exp(-4) + math.Exp(-10)); math.Abs(p[1]-want) > tol || math.IsNaN(p[0]) {
		t.Errorf("logits 800, 796, 790 at gain 8: P = %v, want P(1) = %v", p, want)
	}
}

func TestReadoutValidate(t *testing.T) {
	for _, tc := range []struct {
		r    Readout
		want string // "" for valid
	}{
		{Readout{}, ""},
		{Readout{Gain: 3, Rare: []int{1}}, ""},
		{Readout{Gain: 0.5}, ""},
		{Readout{Gain: -1}, "gain = -1"},
		{Readout{Gain: math.NaN()}, "gain = NaN"},
		{Readout{Gain: math.Inf(1)}, "gain = +Inf"},
		{Readout{Gain: 2, Rare: []int{3}}, "rare symbol 3 outside [0, 3)"},
		{Readout{Gain: 2, Rare: []int{-1}}, "rare symbol -1"},
		{Readout{Gain: 2, Rare: []int{2, 1}}, "not increasing"},
		{Readout{Gain: 2, Rare: []int{1, 1}}, "not increasing"},
		{Readout{Gain: 2, Rare: []int{0, 1, 2}}, "no frequent symbol"},
	} {
		err := tc.r.Validate(3)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%+v: error %v, want %q", tc.r, err, tc.want)
		}
		n := &Net{H: 1, D: 1, O: 3, Win: []float64{1}, Whh: []float64{0}, Wout: []float64{1, 0, -1}, Readout: tc.r}
		if err2 := n.Validate(); (err2 == nil) != (err == nil) {
			t.Errorf("%+v: Net.Validate %v, Readout.Validate %v", tc.r, err2, err)
		}
	}
}

// A network emits with its Readout: the emitted symbols' frequencies are
// the mean of Readout.Probs over the same runs' logits, within sampling
// error; the plain readout and gain 1 emit the very symbols of the
// paper's sampling; training's forward pass ignores the readout.
func TestSampleReadout(t *testing.T) {
	n, err := New(20, 4, 3, rand.New(rand.NewPCG(5, 6)))
	if err != nil {
		t.Fatal(err)
	}
	for i := range n.Wout {
		n.Wout[i] *= 4 // a readout neither uniform nor saturated
	}
	const nSeq, T, sigma = 2000, 20, 1.0
	plainOut := n.Sample(rand.New(rand.NewPCG(1, 1)), nSeq, T, sigma)
	for _, r := range []Readout{{Gain: 1, Rare: []int{1}}, {}} {
		e := n.Clone()
		e.Readout = r
		if out := e.Sample(rand.New(rand.NewPCG(1, 1)), nSeq, T, sigma); !slices.Equal(out, plainOut) {
			t.Errorf("readout %+v: other symbols than the paper's sampling from the same random state", r)
		}
	}
	for _, r := range []Readout{{Gain: 4}, {Gain: 4, Rare: []int{1}}, {Gain: 0.5, Rare: []int{0}}} {
		e := n.Clone()
		e.Readout = r
		out, argmax, off := e.SampleArgmax(rand.New(rand.NewPCG(1, 1)), nSeq, T, sigma)
		// The same runs' logits (the second stage's draws take from the
		// runs' stream, so they are not the plain network's runs).
		again, logits := e.SampleLogits(rand.New(rand.NewPCG(1, 1)), nSeq, T, sigma)
		if !slices.Equal(out, again) {
			t.Fatalf("readout %+v: SampleArgmax and SampleLogits emit other symbols from the same random state", r)
		}
		want := make([]float64, 3)
		p := make([]float64, 3)
		var wantOff float64
		for i := range out {
			l := logits[i*3 : i*3+3]
			r.Probs(l, p)
			for k := range p {
				want[k] += p[k] / float64(len(out))
			}
			wantOff += (1 - p[argmax[i]]) / float64(len(out))
		}
		got := make([]float64, 3)
		for _, o := range out {
			got[o] += 1 / float64(len(out))
		}
		for k := range got {
			// 5 standard deviations of a frequency over len(out) symbols
			// (the runs' symbols are correlated within a sequence, less
			// than the margin).
			if tol := 5 * math.Sqrt(want[k]*(1-want[k])/float64(len(out))); math.Abs(got[k]-want[k]) > tol+1e-4 {
				t.Errorf("readout %+v: symbol %d emitted at %.4f, its probabilities average %.4f (tolerance %.4f)", r, k, got[k], want[k], tol)
			}
		}
		if math.Abs(off-wantOff) > 1e-9 {
			t.Errorf("readout %+v: off-argmax %v, want %v", r, off, wantOff)
		}
		// Training draws as the paper: the same symbols as the plain net.
		w, wp := NewWorkspace64(e, nSeq, T), NewWorkspace64(n, nSeq, T)
		a := w.Forward(e, rand.New(rand.NewPCG(2, 2)), sigma, DefaultTau)
		b := wp.Forward(n, rand.New(rand.NewPCG(2, 2)), sigma, DefaultTau)
		if !slices.Equal(a, b) {
			t.Errorf("readout %+v: training's forward pass emitted other symbols than the plain network's", r)
		}
	}
}
