package dynamics

import (
	"math"
	"testing"

	"hmmrnn/core/rnn"
)

// TestReadoutNoiseKnown checks the off-argmax probability against its
// exact value for a one-unit network without recurrence: h = relu(x),
// x ~ N(0, 1), logits (a h, 0). At h = 0 the logits tie (argmax 0, off
// 1/2); at h > 0 the argmax is 0 and off = 1/(1 + e^(a h)), so
// E[off] = 1/4 + integral over x > 0 of phi(x) / (1 + e^(a x)).
func TestReadoutNoiseKnown(t *testing.T) {
	for _, a := range []float64{0.5, 2, 8} {
		net := &rnn.Net{H: 1, D: 1, O: 2, Win: []float64{1}, Whh: []float64{0}, Wout: []float64{a, 0}}
		const n, T = 2000, 50
		rn, err := ReadoutNoiseOf(net, 1, 3, n, T)
		if err != nil {
			t.Fatal(err)
		}
		want := 0.25
		const dx = 1e-4
		for x := dx / 2; x < 12; x += dx {
			want += math.Exp(-x*x/2) / math.Sqrt(2*math.Pi) / (1 + math.Exp(a*x)) * dx
		}
		// Each step's off value lies in [0, 1/2]: standard error under
		// 0.5/sqrt(n*T) = 0.0016; the tolerance is 5 of those.
		if math.Abs(rn.OffArgmax-want) > 0.008 {
			t.Errorf("a = %v: off-argmax %.4f, exact %.4f", a, rn.OffArgmax, want)
		}
		if len(rn.Argmax) != n*T || rn.N != n || rn.T != T {
			t.Fatalf("a = %v: %d argmax outputs for n=%d T=%d (fields %d, %d)", a, len(rn.Argmax), n, T, rn.N, rn.T)
		}
		for i, o := range rn.Argmax {
			if o != 0 {
				t.Fatalf("a = %v: argmax %d at %d, want 0 everywhere (logit 0 never exceeds a*relu(x))", a, o, i)
			}
		}
	}
	again, err := ReadoutNoiseOf(&rnn.Net{H: 1, D: 1, O: 2, Win: []float64{1}, Whh: []float64{0}, Wout: []float64{2, 0}}, 1, 3, 2000, 50)
	if err != nil {
		t.Fatal(err)
	}
	first, _ := ReadoutNoiseOf(&rnn.Net{H: 1, D: 1, O: 2, Win: []float64{1}, Whh: []float64{0}, Wout: []float64{2, 0}}, 1, 3, 2000, 50)
	if again.OffArgmax != first.OffArgmax {
		t.Errorf("same seed, different results: %v, %v", first.OffArgmax, again.OffArgmax)
	}
	if _, err := ReadoutNoiseOf(&rnn.Net{H: 1, D: 1, O: 2, Win: []float64{1}, Whh: []float64{0}, Wout: []float64{2, 0}}, 1, 3, 0, 50); err == nil {
		t.Error("n = 0: no error")
	}
}
