package train

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"hmmrnn/core/model"
	"hmmrnn/core/rnn"
)

// Snapshot returns the run as a model file. With best set, the file's rnn
// holds the best-validation weights (when any were measured); otherwise the
// current ones. The file always carries the resume state, so training can
// continue from it bit-identically. command and seconds are recorded as given.
func (t *Trainer) Snapshot(best bool, command string, seconds float64) (*model.File, error) {
	c := t.cfg
	tr := &model.Training{
		Command: command, HMMName: c.HMM.Name, Hidden: c.Hidden, Input: c.Input, Batch: c.Batch, SeqLen: c.SeqLen,
		LR: c.LR, Beta1: c.Beta1, Beta2: c.Beta2, AdamEps: c.AdamEps, Clip: c.Clip, Tau: c.Tau, Seed: c.Seed,
		Data: c.Data, TrainSize: c.TrainSize, ValSize: c.ValSize, ValEvery: c.ValEvery,
		SinkhornConverged: c.Sinkhorn.Converged,
		Step:              t.step, Loss: append([]float64(nil), t.loss...), Val: append([]model.ValPoint(nil), t.val...),
		Seconds: seconds,
	}
	if c.Data != DataFixed {
		tr.TrainSize = 0
	}
	net := t.net
	if t.best != nil {
		tr.BestStep, tr.BestVal = t.bestStep, t.bestVal
		if best {
			net = t.best
		}
	}
	streams := map[string][]byte{}
	for name, p := range t.pcg {
		b, err := p.MarshalBinary()
		if err != nil {
			return nil, fmt.Errorf("train: saving stream %s: %w", name, err)
		}
		streams[name] = b
	}
	res := &model.Resume{
		Current: t.net.Clone(), AdamM: t.grad.Clone(), AdamV: t.grad.Clone(),
		AdamT: t.adam.T, Streams: streams, Epoch: t.epoch, Pos: t.pos,
	}
	copy(res.AdamM.Win, t.adam.M[0])
	copy(res.AdamM.Whh, t.adam.M[1])
	copy(res.AdamM.Wout, t.adam.M[2])
	copy(res.AdamV.Win, t.adam.V[0])
	copy(res.AdamV.Whh, t.adam.V[1])
	copy(res.AdamV.Wout, t.adam.V[2])
	if t.best != nil {
		res.Best = t.best.Clone()
	}
	return &model.File{HMM: c.HMM.Clone(), RNN: net.Clone(), NoiseStd: c.NoiseStd, Training: tr, Resume: res}, nil
}

// ConfigFrom rebuilds the configuration recorded in a model file.
func ConfigFrom(f *model.File) (Config, error) {
	tr := f.Training
	if tr == nil {
		return Config{}, errors.New("train: the model file has no training record")
	}
	c := Config{
		HMM: f.HMM.Clone(), Hidden: tr.Hidden, Input: tr.Input, Batch: tr.Batch, SeqLen: tr.SeqLen,
		LR: tr.LR, Beta1: tr.Beta1, Beta2: tr.Beta2, AdamEps: tr.AdamEps, Clip: tr.Clip, Tau: tr.Tau,
		NoiseStd: f.NoiseStd, Seed: tr.Seed, Data: tr.Data, TrainSize: tr.TrainSize, ValSize: tr.ValSize, ValEvery: tr.ValEvery,
	}
	c.Sinkhorn.Converged = tr.SinkhornConverged
	if f.RNN.H != c.Hidden || f.RNN.D != c.Input {
		return Config{}, fmt.Errorf("train: training record says H=%d D=%d but rnn is H=%d D=%d", c.Hidden, c.Input, f.RNN.H, f.RNN.D)
	}
	return c, c.Validate()
}

// Resume continues the run saved in a checkpoint. The result takes exactly
// the steps the original run would have taken.
func Resume(f *model.File) (*Trainer, error) {
	cfg, err := ConfigFrom(f)
	if err != nil {
		return nil, err
	}
	r := f.Resume
	if r == nil {
		return nil, errors.New("train: the model file has no resume state (not a checkpoint)")
	}
	t := &Trainer{cfg: cfg, pcg: map[string]*rand.PCG{}, bestVal: math.Inf(1)}
	t.ws = map[int]*rnn.Workspace{}
	t.net = r.Current.Clone()
	for _, name := range []string{streamData, streamNoise} {
		b, ok := r.Streams[name]
		if !ok {
			return nil, fmt.Errorf("train: checkpoint lacks random stream %q", name)
		}
		p := &rand.PCG{}
		if err := p.UnmarshalBinary(b); err != nil {
			return nil, fmt.Errorf("train: checkpoint stream %q: %w", name, err)
		}
		t.pcg[name] = p
	}
	t.setup()
	copy(t.adam.M[0], r.AdamM.Win)
	copy(t.adam.M[1], r.AdamM.Whh)
	copy(t.adam.M[2], r.AdamM.Wout)
	copy(t.adam.V[0], r.AdamV.Win)
	copy(t.adam.V[1], r.AdamV.Whh)
	copy(t.adam.V[2], r.AdamV.Wout)
	t.adam.T = r.AdamT
	t.epoch, t.pos = r.Epoch, r.Pos
	tr := f.Training
	t.step = tr.Step
	if len(tr.Loss) != tr.Step {
		return nil, fmt.Errorf("train: checkpoint has %d losses for %d steps", len(tr.Loss), tr.Step)
	}
	t.loss = append([]float64(nil), tr.Loss...)
	t.val = append([]model.ValPoint(nil), tr.Val...)
	if r.Best != nil {
		t.best, t.bestStep, t.bestVal = r.Best.Clone(), tr.BestStep, tr.BestVal
	}
	return t, nil
}
