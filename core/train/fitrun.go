package train

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
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
	// DefaultFitRunStreak is how many successive checks must meet the
	// criterion. One: a pass is confirmed on a second, independent sample
	// of the same weights before it counts (so sampling luck does not
	// decide), and the criterion judges a network, not how steadily
	// training holds it (runs that fit drift in and out of it by SGD
	// noise: cyclic4 passed checks at steps 1,750, 2,250 and 2,750 and
	// failed those between).
	DefaultFitRunStreak = 1
)

// FitRun trains until the fit criterion (stats.JudgeFit) is met, within a
// step and a wall-clock budget, restarting runs that stay on the fair-coin
// plateau with the next seed. Its fields are the policy; Train runs it.
type FitRun struct {
	Recipe Recipe
	// Every, Samples and Streak: check every Every steps with Samples
	// sequences (a pass is confirmed on a second sample of the same size);
	// Streak successive passing checks count as fit (0: the defaults above).
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
	// Restarts is the number of plateau restarts.
	Restarts int
	// Fit is Net's verdict (the check that chose it).
	Fit stats.FitResult
}

// Check streams: every check of a trainer draws its RNN sample and its two
// HMM sets from fresh PCGs seeded with the trainer's seed (common random
// numbers: successive checks differ by the weights only); draw 1, the
// confirmation of a pass, uses the next pair of streams.
const (
	streamFitRNN = 301
	streamFitHMM = 302
)

// CheckFit samples n sequences of net and judges them against cfg's HMM
// with stats.JudgeFit; the report (without matched distances) comes along.
// draw selects the random streams (0: a FitRun's checks, 1: their
// confirmations).
func CheckFit(net *rnn.Net, cfg Config, n int, draw uint64) (*stats.Report, error) {
	x := net.Sample(rand.New(rand.NewPCG(cfg.Seed, streamFitRNN+2*draw)), n, cfg.SeqLen, cfg.NoiseStd)
	return stats.CompareWith(cfg.HMM, x, n, cfg.SeqLen, rand.New(rand.NewPCG(cfg.Seed, streamFitHMM+2*draw)), stats.Options{SkipMatch: true})
}

// Train runs the policy from cfg (the recipe applied to it first). An error
// is a failed step or a cancelled ctx; the outcome then holds the best
// network so far.
func (f FitRun) Train(ctx context.Context, cfg Config) (FitOutcome, error) {
	every, samples, streakNeed := f.Every, f.Samples, f.Streak
	if every <= 0 {
		every = DefaultFitEvery
	}
	if samples <= 0 {
		samples = DefaultFitSamples
	}
	if streakNeed <= 0 {
		streakNeed = DefaultFitRunStreak
	}
	if f.MaxSteps <= 0 && f.MaxTime <= 0 {
		return FitOutcome{}, errors.New("train: a fit run needs a step or a time budget")
	}
	now := f.Now
	if now == nil {
		now = time.Now
	}
	patience := f.Recipe.PlateauAfter
	if patience <= 0 {
		patience = DefaultPlateauAfter
	}
	f.Recipe.Apply(&cfg)
	cfg.ValEvery = 0 // the checks choose the network kept; validation would only cost time
	tr, err := New(cfg)
	if err != nil {
		return FitOutcome{}, err
	}
	start := now()
	var out FitOutcome
	bestScore := math.Inf(1)
	done, streak := 0, 0 // steps of abandoned trainers; successive passes
	finish := func(err error) (FitOutcome, error) {
		out.Steps, out.Seconds = done+tr.StepCount(), now().Sub(start).Seconds()
		if out.Net == nil { // never checked: keep and judge the current weights
			out.Net, out.Trainer, out.Seed, out.Config = tr.Net().Clone(), tr, tr.cfg.Seed, tr.cfg
			rep, cerr := CheckFit(out.Net, out.Config, samples, 0)
			if cerr != nil {
				return out, errors.Join(err, cerr)
			}
			out.Fit = rep.Fit
		}
		return out, err
	}
	for {
		if err := ctx.Err(); err != nil {
			return finish(err)
		}
		steps := done + tr.StepCount()
		if (f.MaxSteps > 0 && steps >= f.MaxSteps) || (f.MaxTime > 0 && now().Sub(start) >= f.MaxTime) {
			return finish(nil)
		}
		if _, err := tr.Step(); err != nil {
			return finish(err)
		}
		if tr.StepCount()%every != 0 {
			continue
		}
		rep, err := CheckFit(tr.Net(), tr.cfg, samples, 0)
		if err != nil {
			return finish(err)
		}
		if rep.Fit.OK { // confirm on fresh samples; the verdict is the worse of the two
			conf, err := CheckFit(tr.Net(), tr.cfg, samples, 1)
			if err != nil {
				return finish(err)
			}
			if !conf.Fit.OK {
				rep = conf
			}
		}
		if f.OnCheck != nil {
			f.OnCheck(tr.cfg.Seed, done+tr.StepCount(), rep.Fit)
		}
		if sc := FitScore(rep.Fit); sc < bestScore {
			bestScore = sc
			out.Net, out.Trainer, out.Seed, out.Config, out.Fit = tr.Net().Clone(), tr, tr.cfg.Seed, tr.cfg, rep.Fit
		}
		if rep.Fit.OK {
			streak++
		} else {
			streak = 0
		}
		if streak >= streakNeed {
			out = FitOutcome{Net: tr.Net().Clone(), Trainer: tr, Seed: tr.cfg.Seed, Config: tr.cfg, Met: true,
				Steps: done + tr.StepCount(), Seconds: now().Sub(start).Seconds(), Restarts: out.Restarts, Fit: rep.Fit}
			return out, nil
		}
		if !rep.Fit.OK && tr.StepCount() >= patience && Plateaued(rep.RNN, rep.Sample) {
			c := tr.cfg
			c.Seed++
			next, err := New(c)
			if err != nil {
				return finish(fmt.Errorf("train: restart at step %d: %w", done+tr.StepCount(), err))
			}
			done += tr.StepCount()
			tr, streak = next, 0
			out.Restarts++
		}
	}
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
