package train

import (
	"context"
	"errors"
	"math"
	"time"

	"hmmrnn/core/model"
	"hmmrnn/core/rnn"
	"hmmrnn/core/stats"
)

// Defaults of a FitRun.
const (
	// DefaultFitEvery is the step interval of a FitRun's checks: at ~6 ms
	// per demo step (one thread) a check, which samples DefaultFitSamples
	// RNN sequences (~0.2 s at H 50, T 30) and two HMM sets, costs about a
	// sixth of the 250 steps between checks.
	DefaultFitEvery = 250
	// DefaultFitSamples is the number of sequences per check: at 2000 every
	// noise floor of every preset is under half its tolerance
	// (stats.TestFitHMMSamplePasses); at 1000 the fully-connected HMM's
	// frequency noise (about 0.02 for the largest of three) nears the 0.03
	// tolerance, so a perfect emulator would fail checks by chance.
	DefaultFitSamples = 2000
)

// FitRun trains until the fit criterion (stats.JudgeFit) is met, within a
// step and a wall-clock budget, on the one training loop (Run): the
// Monitor's checks judge by the fit criterion and restart runs that stay
// on the fair-coin plateau with the next seed (DefaultMonitor's policy,
// with the recipe's patience). Its fields are the policy; Train runs it.
type FitRun struct {
	Recipe Recipe
	// Every, Samples and Streak: check every Every steps with Samples
	// sequences (a pass is confirmed on a second sample of the same size);
	// Streak successive passing checks count as fit (0: DefaultFitEvery,
	// DefaultFitSamples, DefaultFitStreak).
	Every, Samples, Streak int
	// MaxSteps bounds the steps summed over restarts and MaxTime the wall
	// time (0: no bound; at least one must be set).
	MaxSteps int
	MaxTime  time.Duration
	// Now is the clock MaxTime is read on (nil: time.Now).
	Now func() time.Time
	// OnCheck, when set, sees every check: the trainer's seed, the steps
	// of the whole run so far, the verdict.
	OnCheck func(seed uint64, steps int, fit stats.FitResult)
}

// FitOutcome is what a FitRun found.
type FitOutcome struct {
	// Net is the network meeting the criterion, else the checked network
	// closest to it (lowest FitScore over every check of every trainer,
	// restarts included), else (no check) the last one. The checks rank
	// networks of different seeds on one scale, which validation losses
	// (each seed has its own validation set) would not, and a network that
	// passed a single check is kept over one that never did.
	Net *rnn.Net
	// Trainer is the trainer Net comes from; Seed and Config are its.
	Trainer *Trainer
	Seed    uint64
	Config  Config
	// Met reports the criterion met; Steps is then the run's step count
	// (summed over restarts) when the streak completed and Seconds the wall
	// time to it. Otherwise they are the totals of the budget spent.
	Met     bool
	Steps   int
	Seconds float64
	// Restarts is the number of restarts (plateau or no fit).
	Restarts int
	// Fit is Net's verdict and Report the evaluation behind it (the check
	// that chose it).
	Fit    stats.FitResult
	Report *stats.Report
}

// FitVerdict is the monitor's form of a fit verdict.
func FitVerdict(f stats.FitResult) Verdict {
	v := Verdict{Fit: f.OK}
	for _, g := range f.Figures {
		v.Figures = append(v.Figures, Figure{Name: g.Name, Value: g.Value, Limit: g.Limit, Floor: g.Floor})
	}
	return v
}

// Train runs the policy from cfg (the recipe for its HMM, Recipe.For,
// applied to it first) on the
// one training loop (Run) with a Monitor whose criterion is the fit
// criterion, a pass confirmed on a second sample. An error is a failed
// step or a cancelled ctx; the outcome then holds the best network so far.
func (f FitRun) Train(ctx context.Context, cfg Config) (FitOutcome, error) {
	every, samples, streakNeed := f.Every, f.Samples, f.Streak
	if every <= 0 {
		every = DefaultFitEvery
	}
	if samples <= 0 {
		samples = DefaultFitSamples
	}
	if streakNeed <= 0 {
		streakNeed = DefaultFitStreak
	}
	if f.MaxSteps <= 0 && f.MaxTime <= 0 {
		return FitOutcome{}, errors.New("train: a fit run needs a step or a time budget")
	}
	now := f.Now
	if now == nil {
		now = time.Now
	}
	rc := f.Recipe.For(cfg.HMM)
	rc.Apply(&cfg)
	cfg.ValEvery = 0 // the checks choose the network kept; validation would only cost time
	tr, err := New(cfg)
	if err != nil {
		return FitOutcome{}, err
	}
	mon := rc.Monitor(every, samples)
	mon.FitStreak = streakNeed
	run := NewRun(tr)
	run.Monitor, run.StopAtFit, run.Now = mon, true, now
	var out FitOutcome
	var last *stats.Report
	bestScore := math.Inf(1)
	run.Hooks.Check = func(c Check) {
		t := run.Trainer()
		fit := c.Report.Fit // the verdict's figures (Assess: the confirming sample's when it failed)
		last = c.Report
		if sc := FitScore(fit); sc < bestScore {
			bestScore = sc
			out.Net, out.Trainer, out.Seed, out.Config, out.Fit, out.Report = t.Net().Clone(), t, t.Config().Seed, t.Config(), fit, c.Report
		}
		if f.OnCheck != nil {
			f.OnCheck(t.Config().Seed, run.Steps(), fit)
		}
	}
	start := now()
	lim := Limit{Steps: NoStepLimit}
	if f.MaxSteps > 0 {
		lim.Steps = f.MaxSteps
	}
	if f.MaxTime > 0 {
		lim.Deadline = start.Add(f.MaxTime)
	}
	stop, err := run.Advance(ctx, lim)
	out.Steps, out.Seconds, out.Restarts = run.Steps(), now().Sub(start).Seconds(), len(run.Restarts())
	t := run.Trainer()
	switch {
	case stop == StopFit:
		out.Met, out.Net, out.Trainer, out.Seed, out.Config, out.Fit, out.Report = true, t.Net().Clone(), t, t.Config().Seed, t.Config(), last.Fit, last
	case out.Net == nil: // never checked: keep and judge the current weights
		out.Net, out.Trainer, out.Seed, out.Config = t.Net().Clone(), t, t.Config().Seed, t.Config()
		rep, cerr := Evaluate(out.Net, cfg.HMM, cfg.NoiseStd, samples, cfg.SeqLen, cfg.Seed, stats.Options{SkipMatch: true})
		if cerr != nil {
			return out, errors.Join(err, cerr)
		}
		out.Fit, out.Report = rep.Fit, rep
	}
	return out, err
}

// FitScore ranks verdicts: the largest value/limit over the figures (at
// most 1 when every figure passes; the worst figure decides, as it does
// for the verdict). A verdict without figures scores +Inf.
func FitScore(f stats.FitResult) float64 {
	if len(f.Figures) == 0 {
		return math.Inf(1)
	}
	worst := 0.0
	for _, g := range f.Figures {
		r := math.Inf(1)
		if g.Limit > 0 {
			r = g.Value / g.Limit
		} else if g.Value <= 0 {
			r = 0
		}
		worst = math.Max(worst, r)
	}
	return worst
}

// Snapshot returns the kept network as a model file: the kept trainer's
// snapshot, whose rnn is Net and whose resume state is the trainer's
// latest (as with a best-validation file: training resumes from where the
// trainer stopped, not from Net).
func (o FitOutcome) Snapshot(command string) (*model.File, error) {
	if o.Trainer == nil {
		return nil, errors.New("train: the fit run kept no trainer")
	}
	f, err := o.Trainer.Snapshot(false, command, o.Seconds)
	if err != nil {
		return nil, err
	}
	f.RNN = o.Net.Clone()
	return f, nil
}
