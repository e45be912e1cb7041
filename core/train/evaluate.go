package train

import (
	"errors"
	"fmt"
	"math/rand/v2"

	"hmmrnn/core/hmm"
	"hmmrnn/core/model"
	"hmmrnn/core/rnn"
	"hmmrnn/core/stats"
)

// EvalSequences is the evaluation size of core/METHOD.md section 4 (the
// paper's 5000 fresh sequences from the RNN and from the HMM): the default
// of `hmmrnn eval` and of a sweep's evaluation.
const EvalSequences = 5000

// Random streams of Evaluate, as PCG(seed, stream) pairs. They differ from
// the trainer's streams (1-4, 101, 102: see streamIDs), so evaluating with
// a run's own seed never reuses the numbers that drew its weights or its
// batches.
const (
	// EvalStreamRNN drives the RNN sample: rnn.Net.Sample draws its noise
	// and Gumbel variables from it, sequence by sequence.
	EvalStreamRNN = 301
	// EvalStreamHMM drives both HMM sample sets of stats.CompareWith: the
	// reference sample first, then the second (noise-floor) sample, each
	// with hmm.HMM.Sample's documented draw order.
	EvalStreamHMM = 302
)

// Evaluate is the one emission-statistics evaluation (core/METHOD.md section 4)
// behind `hmmrnn eval`, a sweep's result, the Monitor's checks during
// training and the page's statistics: n sequences of length T from net at
// noise level sigma against the HMM m, by stats.CompareWith.
//
// Random-stream layout: the RNN sample comes from PCG(seed,
// EvalStreamRNN); the two HMM sample sets (reference, then noise floor)
// from PCG(seed, EvalStreamHMM). The Sinkhorn matching of the matched
// distances (skipped with opt.SkipMatch) draws nothing. So a seed, n, T and
// the weights determine the report bit for bit. The report also holds the
// RNN sample's argmax outputs and off-argmax share (rnn.Net.SampleArgmax),
// from which ReadoutOf measures the readout noise of the same runs.
func Evaluate(net *rnn.Net, m *hmm.HMM, sigma float64, n, T int, seed uint64, opt stats.Options) (*stats.Report, error) {
	if net == nil || m == nil {
		return nil, errors.New("train: evaluate: no network or no HMM")
	}
	if net.O != m.Outputs() {
		return nil, fmt.Errorf("train: evaluate: the network has %d outputs, the HMM %d", net.O, m.Outputs())
	}
	if n < 1 || T < 1 {
		return nil, fmt.Errorf("train: evaluate: need n >= 1 and T >= 1, got n=%d T=%d", n, T)
	}
	obs, argmax, off := net.SampleArgmax(rand.New(rand.NewPCG(seed, EvalStreamRNN)), n, T, sigma)
	rep, err := stats.CompareWith(m, obs, n, T, rand.New(rand.NewPCG(seed, EvalStreamHMM)), opt)
	if err != nil {
		return nil, err
	}
	rep.Argmax, rep.OffArgmax = argmax, off
	return rep, nil
}

// EvalSeqLen is the sequence length a model file is evaluated at: its
// training length when it has a training record, else its HMM's.
func EvalSeqLen(f *model.File) int {
	if f.Training != nil && f.Training.SeqLen > 0 {
		return f.Training.SeqLen
	}
	return f.HMM.SeqLen
}

// EvaluateFile evaluates a model file's network at its own noise level
// (noise_std) with Evaluate; T = 0 means EvalSeqLen(f).
func EvaluateFile(f *model.File, n, T int, seed uint64, opt stats.Options) (*stats.Report, error) {
	if T == 0 {
		T = EvalSeqLen(f)
	}
	return Evaluate(f.RNN, f.HMM, f.NoiseStd, n, T, seed, opt)
}
