package hmm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func key(obs []int) string { return fmt.Sprint(obs) }

func toU8(obs []int) []uint8 {
	out := make([]uint8, len(obs))
	for i, o := range obs {
		out[i] = uint8(o)
	}
	return out
}

func TestLogLikelihoodBruteForce(t *testing.T) {
	const tol = 1e-12
	for name, m := range tinyModels() {
		for T := 1; T <= 5; T++ {
			probs := map[string]float64{}
			seqs := map[string][]int{}
			for _, pt := range enumerate(m, T) {
				k := key(pt.obs)
				probs[k] += pt.p
				seqs[k] = pt.obs
			}
			total := 0.0
			for k, p := range probs {
				ll, err := m.LogLikelihood(toU8(seqs[k]))
				if err != nil {
					t.Fatal(err)
				}
				if math.Abs(ll-math.Log(p)) > tol {
					t.Errorf("%s %s: log-likelihood %v, brute force %v", name, k, ll, math.Log(p))
				}
				total += math.Exp(ll)
			}
			if math.Abs(total-1) > tol {
				t.Errorf("%s T=%d: likelihoods sum to %v", name, T, total)
			}
		}
	}
	m := tinyModels()["tiny3"]
	if ll, err := m.LogLikelihood(nil); err != nil || ll != 0 {
		t.Errorf("empty sequence: %v %v", ll, err)
	}
	if _, err := m.LogLikelihood([]uint8{0, 1, 3}); err == nil || !strings.Contains(err.Error(), "position 2") {
		t.Errorf("out-of-range symbol: err = %v", err)
	}
}

func TestLogLikelihoodImpossibleAndLong(t *testing.T) {
	m := &HMM{Start: []float64{1, 0}, Transition: [][]float64{{1, 0}, {0, 1}}, Emission: [][]float64{{1, 0}, {0, 1}}, SeqLen: 3}
	if ll, err := m.LogLikelihood([]uint8{0, 0, 1}); err != nil || !math.IsInf(ll, -1) {
		t.Errorf("impossible sequence: ll = %v err = %v, want -Inf, nil", ll, err)
	}
	if _, _, err := m.Viterbi([]uint8{0, 1}); err == nil {
		t.Error("Viterbi on an impossible sequence: no error")
	}
	// 10^4 steps would underflow an unscaled forward pass (p ~ 1e-4771).
	lin, _ := Preset("linear3")
	obs, _ := lin.Sample(rand.New(rand.NewPCG(1, 1)), 1, 10000)
	ll, err := lin.LogLikelihood(obs)
	if err != nil || math.IsInf(ll, 0) || math.IsNaN(ll) || ll >= 0 {
		t.Errorf("long sequence: ll = %v err = %v", ll, err)
	}
}

func TestViterbiBruteForce(t *testing.T) {
	const tol = 1e-12
	for name, m := range tinyModels() {
		for T := 1; T <= 5; T++ {
			best := map[string]float64{}
			seqs := map[string][]int{}
			joint := map[string]float64{} // key(obs)+key(states) -> p
			for _, pt := range enumerate(m, T) {
				k := key(pt.obs)
				seqs[k] = pt.obs
				joint[k+key(pt.states)] += pt.p
				if pt.p > best[k] {
					best[k] = pt.p
				}
			}
			for k, p := range best {
				path, logp, err := m.Viterbi(toU8(seqs[k]))
				if err != nil {
					t.Fatal(err)
				}
				if math.Abs(logp-math.Log(p)) > tol {
					t.Errorf("%s %s: viterbi logp %v, brute force max %v", name, k, logp, math.Log(p))
				}
				if pj := joint[k+key(path)]; math.Abs(math.Log(pj)-logp) > tol {
					t.Errorf("%s %s: path %v has log p %v, reported %v", name, k, path, math.Log(pj), logp)
				}
			}
		}
	}
	m := tinyModels()["tiny2"]
	if p, lp, err := m.Viterbi(nil); p != nil || lp != 0 || err != nil {
		t.Errorf("empty: %v %v %v", p, lp, err)
	}
	if _, _, err := m.Viterbi([]uint8{1, 2}); err == nil || !strings.Contains(err.Error(), "position 1") {
		t.Errorf("out-of-range symbol: err = %v", err)
	}
}
