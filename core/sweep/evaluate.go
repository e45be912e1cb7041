package sweep

import (
	"context"
	"encoding/json"
	"fmt"

	"hmmrnn/core/dynamics"
	"hmmrnn/core/model"
	"hmmrnn/core/stats"
	"hmmrnn/core/train"
)

// Evaluate is the Evaluator of the paper's measures: Sequences fresh RNN
// sequences (at the training noise level and sequence length) against the
// HMM with train.EvaluateFile and the entry's seed (core/METHOD.md section 4;
// `hmmrnn eval --seed <entry seed> --samples <sequences> --json` prints the
// same report), and, when the entry asks for it,
// dynamics.FindKickNeurons with the entry's seed at the model's noise
// level (core/METHOD.md section 5.7; `hmmrnn analyze --seed <entry seed> --only
// kick` reports the same neurons).
func Evaluate(ctx context.Context, e *Entry, f *model.File) (*Evaluation, error) {
	n := e.Eval.Sequences
	if n <= 0 {
		n = train.EvalSequences
	}
	rep, err := train.EvaluateFile(f, n, 0, e.Seed, stats.Options{})
	if err != nil {
		return nil, err
	}
	ev := &Evaluation{Fidelity: FidelityOf(rep)}
	if ev.Stats, err = json.Marshal(rep); err != nil {
		return nil, fmt.Errorf("statistics report: %w", err)
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if e.Eval.Kick {
		if ev.Kick, err = findKick(e, f); err != nil {
			return nil, fmt.Errorf("kick neurons: %w", err)
		}
	}
	return ev, nil
}

// FidelityOf extracts the headline numbers of a statistics report; OK is
// the fit criterion training judges by (train.DefaultCriterion).
func FidelityOf(rep *stats.Report) Fidelity {
	return Fidelity{
		OK:               train.DefaultCriterion(rep).Fit,
		WellSampledRows:  len(rep.WellSampledRows),
		TransMaxAbs:      rep.RNNVsExact.TransMaxAbs,
		TransMaxAbsFloor: rep.SampleVsExact.TransMaxAbs,
		TransSumSq:       rep.RNNVsExact.TransSumSq,
		TransSumSqFloor:  rep.SampleVsExact.TransSumSq,
		FreqMaxAbs:       rep.RNNVsExact.Freq,
		FreqMaxAbsFloor:  rep.SampleVsExact.Freq,
		Volatility:       rep.RNN.Volatility,
		VolatilityHMM:    rep.Exact.Changes,
		Matched:          rep.MatchedRNN,
		MatchedFloor:     rep.MatchedFloor,
		LogLik:           rep.LogLikRNN.Mean,
		LogLikHMM:        rep.LogLikSample.Mean,
	}
}

// findKick runs dynamics.FindKickNeurons with the entry's seed at the
// model's noise level: the same call as `hmmrnn analyze --seed <entry
// seed> --only kick`, so both report the same kick set.
func findKick(e *Entry, f *model.File) (*Kick, error) {
	res, err := dynamics.FindKickNeurons(f.RNN, dynamics.KickOptions{Seed: e.Seed, Sigma: f.NoiseStd})
	if err != nil {
		return nil, err
	}
	detail, err := json.Marshal(res)
	if err != nil {
		return nil, err
	}
	return &Kick{Found: len(res.Neurons) > 0, Neurons: res.Neurons, Cut: res.Cut, Detail: detail}, nil
}
