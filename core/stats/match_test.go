package stats

import (
	"math/rand/v2"
	"testing"

	"hmmrnn/core/hmm"
)

func TestMatchedDistance(t *testing.T) {
	const n, T = 300, 30
	m, _ := hmm.Preset("linear2")
	r := rand.New(rand.NewPCG(21, 22))
	a, _ := m.Sample(r, n, T)
	b, _ := m.Sample(r, n, T)
	c, _ := m.Sample(r, n, T)

	if d, err := MatchedDistance(a, a, n, T, MatchEps); err != nil || d != 0 {
		t.Errorf("a set matched to itself: distance %v, err %v; want 0", d, err)
	}
	dRNN, err := MatchedDistance(c, a, n, T, MatchEps)
	if err != nil {
		t.Fatal(err)
	}
	floor, err := MatchedDistance(b, a, n, T, MatchEps)
	if err != nil {
		t.Fatal(err)
	}
	// Two HMM sample sets against a third: same distribution. The mean over
	// 300 matched pairs fluctuates by a few per cent (distances are
	// sqrt(2*Hamming), typically 1-2, sd about 0.7 over pairs).
	if ratio := dRNN / floor; ratio < 0.85 || ratio > 1.18 {
		t.Errorf("HMM vs HMM: matched distance %.4f, floor %.4f (ratio %.3f)", dRNN, floor, ratio)
	}
	// Uniform iid symbols are far from every HMM sequence: Hamming about
	// 2/3*T = 20 against a few for HMM pairs.
	u := make([]uint8, n*T)
	for i := range u {
		u[i] = uint8(r.IntN(3))
	}
	dU, err := MatchedDistance(u, a, n, T, MatchEps)
	if err != nil {
		t.Fatal(err)
	}
	if dU < 3*floor {
		t.Errorf("uniform iid: matched distance %.4f, not well above the floor %.4f", dU, floor)
	}
	if _, err := MatchedDistance(a[:n*T-1], a, n, T, MatchEps); err == nil {
		t.Error("wrong length: no error")
	}
}
