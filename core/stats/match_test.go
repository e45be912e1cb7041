package stats

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"hmmrnn/core/hmm"
	"hmmrnn/core/sinkhorn"
)

// matched calls MatchedDistance, accepting an unconverged matching (its
// distance is still returned) but no other error.
func matched(t *testing.T, x, y []uint8, n, T int) float64 {
	t.Helper()
	d, err := MatchedDistance(x, y, n, T, MatchEps)
	if err != nil && !errors.Is(err, sinkhorn.ErrNotConverged) {
		t.Fatal(err)
	}
	return d
}

func TestMatchedDistance(t *testing.T) {
	const n, T = 100, 30
	m, _ := hmm.Preset("linear2")
	r := rand.New(rand.NewPCG(21, 22))
	a, _ := m.Sample(r, n, T)
	b, _ := m.Sample(r, n, T)
	c, _ := m.Sample(r, n, T)

	if d := matched(t, a, a, n, T); d != 0 {
		t.Errorf("a set matched to itself: distance %v, want 0", d)
	}
	dRNN := matched(t, c, a, n, T)
	floor := matched(t, b, a, n, T)
	// Two HMM sample sets against a third: same distribution. The mean over
	// 100 matched pairs fluctuates by several per cent (distances are
	// sqrt(2*Hamming), typically 1-3, sd about 1 over pairs, so the mean has
	// sd about 0.1 against a mean near 2).
	if ratio := dRNN / floor; ratio < 0.75 || ratio > 1.33 {
		t.Errorf("HMM vs HMM: matched distance %.4f, floor %.4f (ratio %.3f)", dRNN, floor, ratio)
	}
	// Uniform iid symbols are far from every HMM sequence: against a nearly
	// constant HMM sequence the Hamming distance is about 2/3*T = 20,
	// distance sqrt(40) = 6.3, against about 2 for HMM pairs.
	u := make([]uint8, n*T)
	for i := range u {
		u[i] = uint8(r.IntN(3))
	}
	dU := matched(t, u, a, n, T)
	if dU < 2*floor {
		t.Errorf("uniform iid: matched distance %.4f, not well above the floor %.4f", dU, floor)
	}
	if _, err := MatchedDistance(a[:n*T-1], a, n, T, MatchEps); err == nil {
		t.Error("wrong length: no error")
	}
	// One sequence past the cap is refused before any cost is built.
	big := make([]uint8, MaxMatchSamples+1)
	if _, err := MatchedDistance(big, big, MaxMatchSamples+1, 1, MatchEps); err == nil || !strings.Contains(err.Error(), "at most 16384") {
		t.Errorf("%d sequences: err = %v, want the cap named", MaxMatchSamples+1, err)
	}
}
