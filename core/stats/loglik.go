package stats

import (
	"fmt"
	"math"

	"hmmrnn/core/hmm"
)

// LogLik summarises the HMM log-likelihood per symbol, log P(seq)/T
// (natural log), of a set of sequences under a model.
type LogLik struct {
	// Mean and Std are taken across the sequences the model can produce.
	Mean float64 `json:"mean"`
	Std  float64 `json:"std"`
	// Impossible counts sequences of probability zero under the model,
	// left out of Mean and Std (all zero when every sequence is).
	Impossible int `json:"impossible"`
}

// LogLikelihood evaluates m.LogLikelihood on each of the n sequences of
// length T in obs (row-major) and summarises log P(seq)/T. A symbol out of
// range is an error naming the sequence and position.
func LogLikelihood(m *hmm.HMM, obs []uint8, n, T int) (LogLik, error) {
	if n < 0 || T < 1 || len(obs) != n*T {
		return LogLik{}, fmt.Errorf("stats: log-likelihood: %d symbols for n=%d sequences of T=%d", len(obs), n, T)
	}
	var out LogLik
	var sum, sq float64
	for i := 0; i < n; i++ {
		ll, err := m.LogLikelihood(obs[i*T : (i+1)*T])
		if err != nil {
			return LogLik{}, fmt.Errorf("stats: sequence %d: %w", i, err)
		}
		if math.IsInf(ll, -1) {
			out.Impossible++
			continue
		}
		v := ll / float64(T)
		sum += v
		sq += v * v
	}
	if k := n - out.Impossible; k > 0 {
		out.Mean = sum / float64(k)
		out.Std = popStd(sq/float64(k), out.Mean)
	}
	return out, nil
}
