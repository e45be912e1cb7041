package train

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

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
		SinkhornConverged: c.Sinkhorn.Converged, WhhGain: c.WhhGain, WhhDecay: c.WhhDecay, SoftWeight: c.SoftWeight, FreqWeight: c.FreqWeight, FreqPairs: c.FreqPairs, Energy: c.Energy, EnergySelf: c.EnergySelf, TrainSeqLen: c.TrainSeqLen, CalibrateReadout: c.CalibrateReadout, Stages: slices.Clone(c.Stages),
		ReadoutGain: t.gain,
		Step:        t.step, Loss: append([]float64(nil), t.loss...), Val: append([]model.ValPoint(nil), t.val...),
		Seconds: seconds,
	}
	if c.Data != DataFixed {
		tr.TrainSize = 0
	}
	net := t.Net()
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
		AdamT: t.adam.T, Stage: t.stage, Streams: streams, Epoch: t.epoch, Pos: t.pos,
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
	c.Sinkhorn.Converged, c.WhhGain, c.WhhDecay, c.SoftWeight, c.FreqWeight, c.FreqPairs, c.Energy, c.EnergySelf, c.TrainSeqLen, c.CalibrateReadout, c.Stages = tr.SinkhornConverged, tr.WhhGain, tr.WhhDecay, tr.SoftWeight, tr.FreqWeight, tr.FreqPairs, tr.Energy, tr.EnergySelf, tr.TrainSeqLen, tr.CalibrateReadout, slices.Clone(tr.Stages)
	if f.RNN.H != c.Hidden || f.RNN.D != c.Input {
		return Config{}, fmt.Errorf("train: training record says H=%d D=%d but rnn is H=%d D=%d", c.Hidden, c.Input, f.RNN.H, f.RNN.D)
	}
	return c, c.Validate()
}

// Resume continues the run saved in a checkpoint. The result takes exactly
// the steps the original run would have taken. The resume state is checked
// (CheckResume) before anything is allocated.
func Resume(f *model.File) (*Trainer, error) {
	cfg, err := ConfigFrom(f)
	if err != nil {
		return nil, err
	}
	if err := CheckResume(f, cfg); err != nil {
		return nil, err
	}
	r := f.Resume
	t := &Trainer{cfg: cfg, pcg: map[string]*rand.PCG{}, bestVal: math.Inf(1), gain: 1}
	t.ws = map[int]*rnn.Workspace{}
	if g := f.Training.ReadoutGain; g != 0 {
		t.gain = g // checked by CheckResume
	}
	t.net = r.Current.Clone()
	for _, name := range []string{streamData, streamNoise} {
		p := &rand.PCG{}
		p.UnmarshalBinary(r.Streams[name]) // checked by CheckResume
		t.pcg[name] = p
	}
	tr := f.Training
	t.step = tr.Step // before setup, which begins the stage in force
	t.setup()
	copy(t.adam.M[0], r.AdamM.Win)
	copy(t.adam.M[1], r.AdamM.Whh)
	copy(t.adam.M[2], r.AdamM.Wout)
	copy(t.adam.V[0], r.AdamV.Win)
	copy(t.adam.V[1], r.AdamV.Whh)
	copy(t.adam.V[2], r.AdamV.Wout)
	t.adam.T = r.AdamT
	t.epoch, t.pos = r.Epoch, r.Pos
	t.loss = append([]float64(nil), tr.Loss...)
	t.val = append([]model.ValPoint(nil), tr.Val...)
	if r.Best != nil {
		t.best, t.bestStep, t.bestVal = r.Best.Clone(), tr.BestStep, tr.BestVal
	}
	return t, nil
}

// CheckResume reports the first field of f's resume state that a run of
// cfg (ConfigFrom(f)) could not have written: Resume trusts none of them,
// since a bad position panics in the middle of a step and a negative or
// non-finite moment turns every later update into NaN. model.Parse has
// already checked the shapes and finiteness of the weight sets.
func CheckResume(f *model.File, cfg Config) error {
	r, tr := f.Resume, f.Training
	if r == nil {
		return errors.New("train: the model file has no resume state (not a checkpoint)")
	}
	if tr == nil {
		return errors.New("train: the model file has no training record")
	}
	for _, w := range []struct {
		name string
		net  *rnn.Net
	}{{"resume.current", r.Current}, {"resume.adam_m", r.AdamM}, {"resume.adam_v", r.AdamV}} {
		if w.net == nil || w.net.H != cfg.Hidden || w.net.D != cfg.Input || w.net.O != cfg.HMM.Outputs() {
			return fmt.Errorf("train: checkpoint %s is missing or not shaped like the run's network (H=%d D=%d O=%d)",
				w.name, cfg.Hidden, cfg.Input, cfg.HMM.Outputs())
		}
	}
	if tr.Step < 0 {
		return fmt.Errorf("train: checkpoint step is %d, want >= 0", tr.Step)
	}
	if len(tr.Loss) != tr.Step {
		return fmt.Errorf("train: checkpoint has %d losses for %d steps", len(tr.Loss), tr.Step)
	}
	if g := tr.ReadoutGain; g != 0 && (!slices.Contains(readoutGains, g) || !cfg.CalibrateReadout && g != 1) {
		return fmt.Errorf("train: checkpoint training.readout_gain is %v, want one of %v with calibrate_readout (%v)", g, readoutGains, cfg.CalibrateReadout)
	}
	// Every step makes exactly one Adam update (a failed step makes none
	// and is not counted), and each stage starts a fresh Adam, so the
	// counters follow from the step count.
	stage, _, _, _ := cfg.stageAt(tr.Step)
	if r.Stage != stage {
		return fmt.Errorf("train: checkpoint resume.stage is %d, want %d (the stages begun after %d steps)", r.Stage, stage, tr.Step)
	}
	if start := cfg.stageStart(stage); r.AdamT != tr.Step-start {
		return fmt.Errorf("train: checkpoint resume.adam_t is %d, want %d (one Adam update per step since step %d, where the stage began)",
			r.AdamT, tr.Step-start, start)
	}
	for _, m := range []struct {
		name string
		v    []float64
	}{{"resume.adam_v.w_in", r.AdamV.Win}, {"resume.adam_v.w_hh", r.AdamV.Whh}, {"resume.adam_v.w_out", r.AdamV.Wout}} {
		for i, v := range m.v {
			if v < 0 {
				return fmt.Errorf("train: checkpoint %s entry %d is %v, want >= 0 (a second moment)", m.name, i, v)
			}
		}
	}
	for _, name := range []string{streamData, streamNoise} {
		b, ok := r.Streams[name]
		if !ok {
			return fmt.Errorf("train: checkpoint lacks random stream %q", name)
		}
		if err := new(rand.PCG).UnmarshalBinary(b); err != nil {
			return fmt.Errorf("train: checkpoint stream %q: %w", name, err)
		}
	}
	epoch, pos := dataPosition(cfg, tr.Step)
	if r.Epoch != epoch || r.Pos != pos {
		return fmt.Errorf("train: checkpoint resume.epoch, resume.pos = %d, %d; after %d steps of %s data (batch %d, train size %d) they are %d, %d",
			r.Epoch, r.Pos, tr.Step, cfg.Data, cfg.Batch, cfg.TrainSize, epoch, pos)
	}
	last := 0
	for i, v := range tr.Val {
		if cfg.ValEvery == 0 || v.Step <= last || v.Step > tr.Step || v.Step%cfg.ValEvery != 0 {
			return fmt.Errorf("train: checkpoint training.val[%d] is at step %d: want increasing multiples of val_every %d up to step %d",
				i, v.Step, cfg.ValEvery, tr.Step)
		}
		last = v.Step
	}
	if r.Best != nil {
		if r.Best.H != cfg.Hidden || r.Best.D != cfg.Input {
			return fmt.Errorf("train: checkpoint resume.best is %dx%d, rnn is %dx%d", r.Best.H, r.Best.D, cfg.Hidden, cfg.Input)
		}
		if cfg.ValEvery == 0 || tr.BestStep < 1 || tr.BestStep > tr.Step || tr.BestStep%cfg.ValEvery != 0 {
			return fmt.Errorf("train: checkpoint best_step is %d: want a validation step (a multiple of val_every %d) in 1..%d",
				tr.BestStep, cfg.ValEvery, tr.Step)
		}
	}
	return nil
}

// dataPosition is where a run of c stands in its fixed training set after
// steps steps (epoch and next sequence): each step takes the next batch of
// its stage (nextBatch). Fresh data has no position (0, 0). It replays the
// steps, since the stages' batches make the epochs uneven; the checkpoint
// holds a loss per step, so the replay is no longer than the file.
func dataPosition(c Config, steps int) (epoch, pos int) {
	if c.Data != DataFixed {
		return 0, 0
	}
	stage, b := 0, c.Batch
	for i := range steps {
		if stage < len(c.Stages) && c.Stages[stage].From == i {
			_, b, _, _ = c.stageAt(i)
			stage++
		}
		epoch, pos = nextBatch(epoch, pos, b, c.TrainSize)
	}
	return epoch, pos
}
