package sweep

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"time"

	"hmmrnn/core/model"
	"hmmrnn/core/train"
)

// DefaultCheckpointEvery is the number of steps between checkpoints when
// an entry does not set checkpoint_every. At the paper's scale a step takes
// seconds, so a killed task loses minutes at most.
const DefaultCheckpointEvery = 50

// ConfigFor returns the training configuration of an entry: the trainer's
// defaults for the entry's HMM with the entry's sizes, seed and settings.
func ConfigFor(e *Entry) (train.Config, error) {
	c := train.DefaultConfig(e.HMM)
	c.Hidden, c.Input, c.Seed = e.Hidden, e.Input, e.Seed
	t := e.Train
	if t.Batch > 0 {
		c.Batch = t.Batch
	}
	if t.SeqLen > 0 {
		c.SeqLen = t.SeqLen
	}
	if t.LR > 0 {
		c.LR = t.LR
	}
	if t.Clip > 0 {
		c.Clip = t.Clip
	}
	if t.Tau > 0 {
		c.Tau = t.Tau
	}
	if t.NoiseStd > 0 {
		c.NoiseStd = t.NoiseStd
	}
	if t.Data != "" {
		c.Data = t.Data
	}
	if t.TrainSize > 0 {
		c.TrainSize = t.TrainSize
	}
	if t.ValSize > 0 {
		c.ValSize = t.ValSize
	}
	if t.ValEvery > 0 {
		c.ValEvery = t.ValEvery
	}
	if err := c.Validate(); err != nil {
		return c, fmt.Errorf("sweep: %s: %w", e.ID, err)
	}
	return c, nil
}

// Evaluation is what an Evaluator reports about a trained network.
type Evaluation struct {
	Fidelity Fidelity
	Kick     *Kick  // nil when kick detection was not asked for
	Stats    []byte // the full statistics report as JSON (optional)
}

// Evaluator measures a trained model (its rnn holds the kept weights)
// against its HMM with the entry's evaluation settings.
type Evaluator func(ctx context.Context, e *Entry, f *model.File) (*Evaluation, error)

// TrainRunner returns the Runner that trains an entry with core/train,
// saving a checkpoint every checkpoint_every steps (and when ctx is
// cancelled) and resuming from it, then evaluates the kept weights with
// eval. A model file already holding all steps (a task killed between
// saving the model and writing the result) is evaluated without training.
func TrainRunner(eval Evaluator) Runner {
	return func(ctx context.Context, t Task) (*Result, error) {
		e := t.Entry
		f, res, err := trainEntry(ctx, t)
		if err != nil {
			return nil, err
		}
		t0 := time.Now()
		ev, err := eval(ctx, e, f)
		if err != nil {
			return nil, fmt.Errorf("evaluate: %w", err)
		}
		res.EvalSeconds = time.Since(t0).Seconds()
		res.Fidelity, res.Kick, res.Stats = ev.Fidelity, ev.Kick, ev.Stats
		fmt.Fprintf(t.Log, "%s: evaluated in %.1fs: transition max |diff| %.4f (floor %.4f), matched %.3f (floor %.3f)\n",
			e.ID, res.EvalSeconds, ev.Fidelity.TransMaxAbs, ev.Fidelity.TransMaxAbsFloor, ev.Fidelity.Matched, ev.Fidelity.MatchedFloor)
		return res, nil
	}
}

// trainEntry brings the entry's model file up to date and returns it with
// the training part of the result.
func trainEntry(ctx context.Context, t Task) (*model.File, *Result, error) {
	e := t.Entry
	cfg, err := ConfigFor(e)
	if err != nil {
		return nil, nil, err
	}
	steps := e.Train.Steps
	if f, err := model.Load(t.Model); err == nil && f.Training != nil && f.Training.Step == steps && matches(f, cfg) {
		fmt.Fprintf(t.Log, "%s: model file already holds %d steps; evaluating it\n", e.ID, steps)
		return f, trainResult(f, 0), nil
	}
	every := e.Train.CheckpointEvery
	if every <= 0 {
		every = DefaultCheckpointEvery
	}
	command := fmt.Sprintf("hmmrnn sweep run --index %d (%s)", e.Index, e.ID)
	var tr *train.Trainer
	var prevSecs float64
	resumedAt := 0
	cp, err := model.Load(t.Checkpoint)
	switch {
	case err == nil:
		if !matches(cp, cfg) {
			return nil, nil, fmt.Errorf("checkpoint %s was written for other settings; delete it to start over", t.Checkpoint)
		}
		if tr, err = train.Resume(cp); err != nil {
			return nil, nil, fmt.Errorf("resume from %s: %w", t.Checkpoint, err)
		}
		prevSecs = cp.Training.Seconds
		resumedAt = tr.StepCount()
		fmt.Fprintf(t.Log, "%s: resuming from the checkpoint at step %d of %d\n", e.ID, resumedAt, steps)
	case errors.Is(err, fs.ErrNotExist):
		if tr, err = train.New(cfg); err != nil {
			return nil, nil, err
		}
		fmt.Fprintf(t.Log, "%s: training H=%d D=%d B=%d T=%d for %d steps (seed %d)\n",
			e.ID, cfg.Hidden, cfg.Input, cfg.Batch, cfg.SeqLen, steps, cfg.Seed)
	default:
		return nil, nil, fmt.Errorf("checkpoint: %w (delete it to start over)", err)
	}
	if tr.StepCount() > steps {
		return nil, nil, fmt.Errorf("checkpoint at step %d is past the entry's %d steps", tr.StepCount(), steps)
	}
	start := time.Now()
	secs := func() float64 { return prevSecs + time.Since(start).Seconds() }
	checkpoint := func(tr *train.Trainer) error {
		f, err := tr.Snapshot(false, command, secs())
		if err != nil {
			return err
		}
		return f.Save(t.Checkpoint)
	}
	lastLog := start
	loop := train.NewRun(tr)
	loop.CheckpointEvery = every
	loop.Hooks = train.Hooks{
		Step: func(info train.StepInfo) {
			// The first step is logged too: it tells how long a step takes.
			if now := time.Now(); now.Sub(lastLog) >= 10*time.Second || info.Step == steps || info.Step == resumedAt+1 {
				lastLog = now
				fmt.Fprintf(t.Log, "%s: step %d/%d loss %.4f (%.2fs/step)\n", e.ID, info.Step, steps, info.Loss,
					time.Since(start).Seconds()/float64(info.Step-resumedAt))
			}
		},
		Checkpoint: func(tr *train.Trainer) error {
			if tr.StepCount() == steps {
				return nil // the final model follows
			}
			return checkpoint(tr)
		},
		Save: func(tr *train.Trainer, cause error) error {
			if ctx.Err() == nil || tr.StepCount() == resumedAt {
				return nil // a failed step is recorded as a failure; nothing new to keep
			}
			if err := checkpoint(tr); err != nil {
				return err
			}
			fmt.Fprintf(t.Log, "%s: interrupted at step %d; checkpoint saved\n", e.ID, tr.StepCount())
			return nil
		},
	}
	if _, err := loop.Advance(ctx, train.Limit{Steps: steps}); err != nil {
		return nil, nil, err
	}
	f, err := tr.Snapshot(true, command, secs())
	if err != nil {
		return nil, nil, err
	}
	f.Resume = nil // the final model keeps the best weights only
	if err := f.Save(t.Model); err != nil {
		return nil, nil, err
	}
	return f, trainResult(f, resumedAt), nil
}

func trainResult(f *model.File, resumedAt int) *Result {
	tr := f.Training
	r := &Result{Steps: tr.Step, ResumedAt: resumedAt, TrainSeconds: tr.Seconds, BestStep: tr.BestStep, BestVal: tr.BestVal}
	if n := len(tr.Loss); n > 0 {
		r.FinalLoss = tr.Loss[n-1]
	}
	if math.IsInf(r.BestVal, 0) || math.IsNaN(r.BestVal) {
		r.BestVal = 0
	}
	return r
}

// matches tells whether a model file was trained with cfg.
func matches(f *model.File, cfg train.Config) bool {
	got, err := train.ConfigFrom(f)
	if err != nil {
		return false
	}
	return got.Hidden == cfg.Hidden && got.Input == cfg.Input && got.Batch == cfg.Batch && got.SeqLen == cfg.SeqLen && got.TrainSeqLen == cfg.TrainSeqLen &&
		got.Seed == cfg.Seed && got.LR == cfg.LR && got.Clip == cfg.Clip && got.Tau == cfg.Tau &&
		got.NoiseStd == cfg.NoiseStd && got.Data == cfg.Data && got.ValSize == cfg.ValSize && got.ValEvery == cfg.ValEvery &&
		(cfg.Data != train.DataFixed || got.TrainSize == cfg.TrainSize) && sameHMM(f, cfg)
}

func sameHMM(f *model.File, cfg train.Config) bool {
	a, b := f.HMM, cfg.HMM
	if a == nil || b == nil || a.States() != b.States() || a.Outputs() != b.Outputs() {
		return false
	}
	for i := range a.Transition {
		if a.Start[i] != b.Start[i] {
			return false
		}
		for j := range a.Transition[i] {
			if a.Transition[i][j] != b.Transition[i][j] {
				return false
			}
		}
		for k := range a.Emission[i] {
			if a.Emission[i][k] != b.Emission[i][k] {
				return false
			}
		}
	}
	return true
}
