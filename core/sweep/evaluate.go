package sweep

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"

	"hmmrnn/core/dynamics"
	"hmmrnn/core/model"
	"hmmrnn/core/stats"
	"hmmrnn/core/train"
)

// streamKick is the random stream, with the entry's seed, of the kick
// detection's long run and interventions, so that re-evaluating a model
// gives the same neurons. (The statistics use train.Evaluate's streams.)
const streamKick = 1002

// KickRunSteps is the length of the noise-driven run the kick-neuron
// detection reads switches from: the paper's long run of 30,000 steps
// (METHOD.md section 5), after a warm-up of 20.
const KickRunSteps = dynamics.PCASteps

// Evaluate is the Evaluator of the paper's measures: Sequences fresh RNN
// sequences (at the training noise level and sequence length) against the
// HMM with train.EvaluateFile and the entry's seed (METHOD.md section 4;
// `hmmrnn eval --seed <entry seed> --samples <sequences> --json` prints the
// same report), and, when the entry asks
// for it, dynamics.FindKickNeurons on a long noise-driven run at
// sigma = 1 (METHOD.md section 5.7).
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

func findKick(e *Entry, f *model.File) (*Kick, error) {
	r := rand.New(rand.NewPCG(e.Seed, streamKick))
	sim, err := dynamics.NewSim(f.RNN, dynamics.DefaultSigma, dynamics.Intervention{})
	if err != nil {
		return nil, err
	}
	run, err := sim.Simulate(r, dynamics.PCAWarmup+KickRunSteps, nil, false)
	if err != nil {
		return nil, err
	}
	run = tail(run, dynamics.PCAWarmup)
	res, err := dynamics.FindKickNeurons(sim, r, run, dynamics.KickOptions{})
	if err != nil {
		return nil, err
	}
	detail, err := json.Marshal(res)
	if err != nil {
		return nil, err
	}
	return &Kick{Found: len(res.Neurons) > 0, Neurons: res.Neurons, Cut: res.Cut, Detail: detail}, nil
}

// tail drops the first k steps of a run (the warm-up from h = 0).
func tail(r *dynamics.Run, k int) *dynamics.Run {
	out := *r
	out.T = r.T - k
	out.States = r.States[k*r.H:]
	out.Logits = r.Logits[k*r.O:]
	out.Out = r.Out[k:]
	if r.Noise != nil {
		out.Noise = r.Noise[k*r.D:]
	}
	return &out
}
