package cli

import (
	"cmp"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"hmmrnn/core/hmm"
	"hmmrnn/core/model"
	"hmmrnn/core/sinkhorn"
	"hmmrnn/core/stats"
	"hmmrnn/core/train"
)

const trainSynopsis = `hmmrnn train --hmm NAME|FILE [--hidden H] [--input D] [--batch B] [--seq-len T]
       [--steps N] [--max-time D] [--lr LR] [--seed S] [--out model.json] [--checkpoint-every K] [--resume FILE]
       [--recipe NAME] [--soft-weight W] [--freq-weight W] [--freq-pairs] [--energy] [--energy-self W] [--train-seq-len T] [--calibrate-readout] [--max-time D --stop-at-fit]

Trains a noise-driven ReLU RNN to emit the sequences of an HMM (Sinkhorn-divergence
loss, Adam, gradient clipping; core/METHOD.md section 3). Ctrl-C saves the run to --out
(resumable with --resume) before exiting. The model file holds the best-validation
weights and the state needed to continue training.

With --max-time and --stop-at-fit, trains until the fit criterion holds (checks of 2000
sequences every --eval-every steps, default 250, each pass confirmed on a second sample,
--fit-streak passes in a row), within that wall-clock budget (and --steps if given),
restarting runs stuck on the fair-coin plateau (after --plateau-after steps, default the
recipe's) with the next seed, and writes the network that met the criterion, else the
checked network closest to it over every restart.`

// loadHMM accepts a preset name or a path to an HMM JSON file (or a model
// file, whose hmm is used).
func loadHMM(spec string) (*hmm.HMM, error) {
	if m, err := hmm.Preset(spec); err == nil {
		return m, nil
	}
	data, err := os.ReadFile(spec)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("--hmm %q is neither a preset (%s) nor a file", spec, strings.Join(hmm.PresetNames(), ", "))
		}
		return nil, err
	}
	m, err := model.ParseHMM(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", spec, err)
	}
	if m.Name == "" {
		m.Name = strings.TrimSuffix(filepath.Base(spec), filepath.Ext(spec))
	}
	return m, nil
}

func runTrain(env *Env, args []string) error {
	fs := newFlags(env, "train", trainSynopsis)
	hmmSpec := fs.String("hmm", "linear2", "HMM preset ("+strings.Join(hmm.PresetNames(), ", ")+") or JSON file")
	hidden := fs.Int("hidden", train.DefaultHidden, "hidden units H")
	input := fs.Int("input", train.DefaultInput, "noise dimension D")
	batch := fs.Int("batch", train.DefaultBatch, "batch size B (RNN and HMM sequences per step)")
	seqLen := fs.Int("seq-len", 0, "sequence length T (0: the HMM's default)")
	steps := fs.Int("steps", 4000, "total optimisation steps, plateau restarts included (with --resume: the total to reach)")
	lr := fs.Float64("lr", train.DefaultLR, "Adam learning rate")
	clip := fs.Float64("clip", -1, "gradient-norm bound (-1: 0.3 for fully3/cyclic4, else 0.9; 0: off)")
	seed := fs.Uint64("seed", 1, "random seed (same seed and flags: bit-identical weights)")
	noiseStd := fs.Float64("noise-std", train.DefaultNoiseStd, "input noise standard deviation sigma")
	data := fs.String("data", train.DataFresh, "fresh (new HMM batch every step) or fixed (the paper's fixed training set)")
	trainSize := fs.Int("train-size", train.PaperTrainSize, "sequences in the fixed training set (--data fixed)")
	valSize := fs.Int("val-size", train.DefaultValSize, "validation sequences")
	valEvery := fs.Int("val-every", train.DefaultValEvery, "steps between validation losses (0: off; best model kept)")
	out := fs.String("out", "model.json", "model file to write")
	ckEvery := fs.Int("checkpoint-every", 0, "write a checkpoint every K steps into --checkpoint-dir (0: off)")
	ckDir := fs.String("checkpoint-dir", "", "checkpoint directory (default: <out without .json>.ckpt)")
	resume := fs.String("resume", "", "continue training from this checkpoint or model file")
	initFrom := fs.String("init", "", "start from this model file's weights instead of a random initialisation (same H, D, outputs)")
	evalEvery := fs.Int("eval-every", 0, "steps between emission-statistics checks against the HMM (0: off)")
	stopAtFit := fs.Bool("stop-at-fit", false, "stop once --fit-streak successive checks (--eval-every) meet the fit criterion")
	fitStreak := fs.Int("fit-streak", train.DefaultFitStreak, "successive passing checks that --stop-at-fit requires (each pass is already confirmed on a second sample)")
	plateau := fs.Bool("restart-plateau", false, fmt.Sprintf("restart with the next seed when %d successive checks find the fair-coin plateau after --plateau-after steps, or when a recipe's restart-after steps pass without a fit (at most %d restarts; needs --eval-every)", train.DefaultPlateauChecks, train.DefaultMaxRestarts))
	maxTime := fs.Duration("max-time", 0, "wall-clock budget of the training, e.g. 3m (0: none); the run is saved when it ends")
	plateauAfter := fs.Int("plateau-after", 0, "steps a run may emit temporally independent symbols before it counts as stuck (0: the recipe's patience, as the page and --max-time use it)")
	maxMem := memoryFlag(fs)
	recipe := newRecipeFlags(fs, "; paper: the paper's plain recipe", "; --lr overrides its first stage's learning rate")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *steps < 0 || *ckEvery < 0 || *evalEvery < 0 || *maxTime < 0 || *fitStreak < 1 || *plateauAfter < 0 {
		return badUsage("--steps, --checkpoint-every, --eval-every and --max-time must be >= 0, --fit-streak >= 1, --plateau-after >= 0")
	}
	if math.IsNaN(*clip) {
		return badUsage("--clip NaN: want a number (-1: the HMM's default, 0: off)")
	}
	rc, err := recipe.recipe()
	if err != nil {
		return err
	}
	if err := checkOutFile("--out", *out); err != nil {
		return err
	}
	if (*stopAtFit || *plateau) && *evalEvery == 0 && !(*stopAtFit && *maxTime > 0) {
		return badUsage("--stop-at-fit and --restart-plateau need --eval-every > 0 (--stop-at-fit with --max-time trains to the fit criterion)")
	}
	lrSet, stepsSet := flagSet(fs, "lr"), flagSet(fs, "steps")
	command := "hmmrnn train " + strings.Join(args, " ")
	var tr *train.Trainer
	if *resume != "" {
		f, err := loadModel(*resume)
		if err != nil {
			return err
		}
		if err := checkFileMemory(f, *maxMem); err != nil {
			return err
		}
		if tr, err = train.Resume(f); err != nil {
			return badUsage("%s: %s", *resume, strings.TrimPrefix(err.Error(), "train: "))
		}
		fmt.Fprintf(env.Stderr, "resumed %s at step %d\n", *resume, tr.StepCount())
	} else {
		m, err := loadHMM(*hmmSpec)
		if err != nil {
			return badUsage("%v", err)
		}
		rc = rc.For(m) // the default recipe trains chains of 3+ states as hybrid does
		cfg := train.DefaultConfig(m)
		rc.Apply(&cfg)
		if lrSet {
			cfg.LR = *lr
			rc.LR = *lr
		}
		cfg.Hidden, cfg.Input, cfg.Batch, cfg.Seed = *hidden, *input, *batch, *seed
		cfg.NoiseStd, cfg.Data, cfg.TrainSize, cfg.ValSize, cfg.ValEvery = *noiseStd, *data, *trainSize, *valSize, *valEvery
		if *seqLen != 0 {
			cfg.SeqLen = *seqLen
		}
		if *clip >= 0 {
			cfg.Clip = *clip
		}
		if *initFrom != "" {
			f, err := loadModel(*initFrom)
			if err != nil {
				return err
			}
			cfg.Init = f.RNN
		}
		if err := cfg.Validate(); err != nil {
			return badUsage("%v", strings.TrimPrefix(err.Error(), "train: "))
		}
		if err := checkMemory(cfg, *maxMem); err != nil {
			return err
		}
		if *maxTime > 0 && *stopAtFit {
			if !stepsSet {
				*steps = 0 // the time budget alone bounds a run to the fit criterion
			}
			if *ckEvery > 0 {
				return badUsage("--checkpoint-every with --max-time --stop-at-fit: a run to the fit criterion restarts with new seeds and writes only its result to --out")
			}
			if *plateauAfter > 0 {
				rc.PlateauAfter = *plateauAfter
			}
			fr := train.FitRun{Recipe: rc, MaxTime: *maxTime, MaxSteps: *steps, Every: *evalEvery, Streak: *fitStreak}
			return trainToFit(env, cfg, fr, *out, command)
		}
		if tr, err = train.New(cfg); err != nil {
			return err
		}
	}
	if *ckEvery > 0 {
		if *ckDir == "" {
			*ckDir = strings.TrimSuffix(*out, ".json") + ".ckpt"
		}
		if err := os.MkdirAll(*ckDir, 0o755); err != nil {
			return err
		}
	}
	run := &trainRun{env: env, tr: tr, command: command, out: *out, start: time.Now()}
	cfg := tr.Config()
	recipeNote := ""
	if *resume == "" {
		recipeNote = " (recipe " + rc.Name + ")"
	}
	fmt.Fprintf(env.Stderr, "training %s%s: H=%d D=%d B=%d T=%s lr=%g clip=%g seed=%d data=%s%s, %d steps\n",
		cfg.HMM.Name, recipeNote, cfg.Hidden, cfg.Input, cfg.Batch, seqLenNote(cfg), cfg.LR, cfg.Clip, cfg.Seed, cfg.Data, train.FormatStages(cfg.Stages), *steps)
	loop := train.NewRun(tr)
	if *evalEvery > 0 {
		loop.Monitor = rc.Monitor(*evalEvery, train.DefaultCheckSamples)
		loop.Monitor.FitStreak = *fitStreak
		if *plateauAfter > 0 {
			loop.Monitor.PlateauAfter = *plateauAfter
		}
		if !*plateau {
			loop.Monitor.MaxRestarts = 0
		}
	}
	loop.StopAtFit, loop.CheckpointEvery = *stopAtFit, *ckEvery
	lastPrint := time.Now()
	startStep := tr.StepCount()
	loop.Hooks = train.Hooks{
		Step: func(info train.StepInfo) {
			done := loop.Steps()
			if time.Since(lastPrint) < time.Second && done != *steps {
				return
			}
			lastPrint = time.Now()
			rate := float64(done-startStep) / time.Since(run.start).Seconds()
			eta := time.Duration(float64(*steps-done)/rate) * time.Second
			fmt.Fprintf(env.Stderr, "\rstep %d/%d  loss %.4f  %.1f steps/s  ETA %v   ", done, *steps, info.Loss, rate, eta.Round(time.Second))
		},
		Checkpoint: func(t *train.Trainer) error {
			return run.checkpoint(filepath.Join(*ckDir, fmt.Sprintf("step-%07d.json", t.StepCount())))
		},
		Check: func(c train.Check) { fmt.Fprintf(env.Stderr, "\rstep %d: %s\n", c.Step, c) },
		Restart: func(c train.Check, next *train.Trainer) {
			fmt.Fprintf(env.Stderr, "fair-coin plateau at step %d: restarting with seed %d\n", c.Step, next.Config().Seed)
			run.tr, run.restarts = next, run.restarts+1
		},
		Save: func(t *train.Trainer, cause error) error {
			if err := run.save(); err != nil {
				return err
			}
			if env.Ctx.Err() != nil {
				fmt.Fprintf(env.Stderr, "\ninterrupted at step %d; saved %s (continue with --resume %s)\n", t.StepCount(), *out, *out)
			} else {
				fmt.Fprintf(env.Stderr, "\nsaved the last good state to %s\n", *out)
			}
			return nil
		},
	}
	lim := train.Limit{Steps: *steps}
	if *maxTime > 0 {
		lim.Deadline = run.start.Add(*maxTime)
	}
	switch stop, err := loop.Advance(env.Ctx, lim); {
	case err != nil && env.Ctx.Err() != nil:
		return fmt.Errorf("interrupted: %w", err)
	case err != nil:
		return err
	case stop == train.StopFit:
		fmt.Fprintf(env.Stderr, "fidelity criterion met at step %d after %.1f s\n", loop.Trainer().StepCount(), run.seconds())
		run.keepCurrent = true // the weights just judged, not the best-validation ones
	case stop == train.StopDeadline:
		fmt.Fprintf(env.Stderr, "\n--max-time %v reached at step %d\n", *maxTime, loop.Steps())
	}
	fmt.Fprintln(env.Stderr)
	if err := run.save(); err != nil {
		return err
	}
	return run.summary()
}

// trainRun holds what saving needs.
type trainRun struct {
	env     *Env
	tr      *train.Trainer
	command string
	out     string
	start   time.Time
	// keepCurrent saves the current weights instead of the best-validation ones.
	keepCurrent bool
	restarts    int // plateau restarts (tr is the last run's trainer)
}

func (r *trainRun) seconds() float64 { return time.Since(r.start).Seconds() }

// save writes the model file (best weights, resume state) to --out.
func (r *trainRun) save() error {
	f, err := r.tr.Snapshot(!r.keepCurrent, r.command, r.seconds())
	if err != nil {
		return err
	}
	return f.Save(r.out)
}

// checkpoint writes the current weights with resume state.
func (r *trainRun) checkpoint(path string) error {
	f, err := r.tr.Snapshot(false, r.command, r.seconds())
	if err != nil {
		return err
	}
	return f.Save(path)
}

// summary prints the final line: steps, time, losses.
func (r *trainRun) summary() error {
	tr := r.tr
	losses := tr.Losses()
	last := math.NaN()
	if len(losses) > 0 {
		// mean of the last 100 steps (or fewer) smooths the batch noise.
		k := min(100, len(losses))
		var s float64
		for _, v := range losses[len(losses)-k:] {
			s += v
		}
		last = s / float64(k)
	}
	_, bestStep := tr.Best()
	restarted := ""
	if r.restarts > 0 {
		restarted = fmt.Sprintf(" (seed %d, after %d plateau restarts)", tr.Config().Seed, r.restarts)
	}
	fmt.Fprintf(r.env.Stdout, "trained %d steps%s in %.1f s; mean loss of the last 100 steps %.4f; best validation step %d; wrote %s\n",
		tr.StepCount(), restarted, r.seconds(), last, bestStep, r.out)
	return nil
}

// trainToFit runs train --max-time --stop-at-fit: a train.FitRun within the
// budget, then writes the network it kept.
func trainToFit(env *Env, cfg train.Config, f train.FitRun, out, command string) error {
	every, streak := cmp.Or(f.Every, train.DefaultFitEvery), cmp.Or(f.Streak, train.DefaultFitStreak)
	fmt.Fprintf(env.Stderr, "training %s to fit (recipe %s): H=%d D=%d B=%d T=%s lr=%g seed=%d%s, budget %v and %d steps, checks every %d steps, %d passing in a row\n",
		cfg.HMM.Name, f.Recipe.Name, cfg.Hidden, cfg.Input, cfg.Batch, seqLenNote(cfg), cfg.LR, cfg.Seed, train.FormatStages(cfg.Stages), f.MaxTime, f.MaxSteps, every, streak)
	f.OnCheck = func(seed uint64, step int, fit stats.FitResult) {
		fmt.Fprintf(env.Stderr, "seed %d step %d: %s\n", seed, step, fit)
	}
	o, err := f.Train(env.Ctx, cfg)
	if o.Trainer == nil {
		return err
	}
	file, serr := o.Snapshot(command)
	if serr == nil {
		serr = file.Save(out)
	}
	if serr != nil {
		return errors.Join(err, serr)
	}
	what := "criterion not met; kept the checked network closest to it"
	if o.Met {
		what = "fit criterion met"
	}
	fmt.Fprintf(env.Stdout, "%s at step %d after %.1f s (%d restarts, seed %d); wrote %s\n%s\n", what, o.Steps, o.Seconds, o.Restarts, o.Seed, out, o.Fit)
	return err
}

// seqLenNote writes a run's sequence length, and the length it trains on
// when that is shorter (train.Config.TrainSeqLen).
func seqLenNote(c train.Config) string {
	if t := c.TrainLen(); t < c.SeqLen {
		return fmt.Sprintf("%d (trained on its first %d steps)", c.SeqLen, t)
	}
	return fmt.Sprint(c.SeqLen)
}

// recipeFlags are the --recipe, --soft-weight, --freq-weight, --energy, --energy-self,
// --train-seq-len and --calibrate-readout flags of train and study.
type recipeFlags struct {
	fs         *flag.FlagSet
	name       *string
	softWeight *float64
	freqWeight *float64
	freqPairs  *bool
	energy     *bool
	energySelf *float64
	trainLen   *int
	calibrate  *bool
}

// newRecipeFlags defines the recipe flags on fs; --recipe's text is
// "training recipe (<names><inside>)<after>".
func newRecipeFlags(fs *flag.FlagSet, inside, after string) recipeFlags {
	return recipeFlags{fs: fs,
		name:       fs.String("recipe", train.RecipeDefault, "training recipe ("+strings.Join(train.RecipeNames(), ", ")+inside+")"+after),
		softWeight: fs.Float64("soft-weight", -1, "weight of the soft-sample term (-1: the recipe's; 0: the paper's loss alone; 1: recipe hybrid's)"),
		freqWeight: fs.Float64("freq-weight", -1, "weight of the symbol-frequency term (train.Config.FreqWeight; -1: the recipe's; 0: none)"),
		freqPairs:  fs.Bool("freq-pairs", false, "with =true or =false: the frequency term counts pairs of consecutive symbols or symbols (train.Config.FreqPairs; unset: as the recipe does)"),
		energy:     fs.Bool("energy", false, "with =true or =false: train on the minibatch energy distance built on the paper's divergence or not (train.Config.Energy; unset: as the recipe does, the default recipe does)"),
		energySelf: fs.Float64("energy-self", -1, "weight in (0, 1] of the energy distance's RNN-RNN term (train.Config.EnergySelf; -1: the recipe's; 1: the energy distance)"),
		trainLen:   fs.Int("train-seq-len", -1, "train on the first T steps of each sequence at most, and judge whole ones (train.Config.TrainSeqLen; -1: the recipe's; 0: whole sequences)"),
		calibrate:  fs.Bool("calibrate-readout", false, "with =true or =false: fit the scale of the readout the network emits with to the HMM every 100 steps or not (train.Config.CalibrateReadout; unset: as the recipe does)"),
	}
}

// recipe returns the named recipe changed by --soft-weight, --freq-weight, --freq-pairs, --energy,
// --energy-self, --train-seq-len and --calibrate-readout, renamed after each change (so
// Recipe.For leaves it as it is): a weight of -1 keeps the recipe's, and
// the switches count only when given.
func (f recipeFlags) recipe() (train.Recipe, error) {
	rc, err := train.RecipeByName(*f.name)
	if err != nil {
		return rc, badUsage("--recipe: %v", strings.TrimPrefix(err.Error(), "train: "))
	}
	if err := weight("soft-weight", *f.softWeight, &rc.SoftWeight, &rc.Name); err != nil {
		return rc, err
	}
	if err := weight("freq-weight", *f.freqWeight, &rc.FreqWeight, &rc.Name); err != nil {
		return rc, err
	}
	f.toggle("freq-pairs", *f.freqPairs, &rc.FreqPairs, &rc.Name, "frequencies of pairs", "frequencies of symbols")
	f.toggle("energy", *f.energy, &rc.Energy, &rc.Name, "energy", "no energy")
	switch w := *f.energySelf; {
	case w == -1:
	case !(w > 0 && w <= 1):
		return rc, badUsage("--energy-self %v: want a weight in (0, 1] (-1: the recipe's)", w)
	default:
		rc.EnergySelf = w
		rc.Name = fmt.Sprintf("%s, energy self %g", rc.Name, w)
	}
	switch n := *f.trainLen; {
	case n == -1:
	case n < 0 || n > sinkhorn.MaxSeqLen:
		return rc, badUsage("--train-seq-len %d: want 0..%d (-1: the recipe's; 0: whole sequences)", n, sinkhorn.MaxSeqLen)
	default:
		rc.TrainSeqLen = n
		rc.Name = fmt.Sprintf("%s, train seq len %d", rc.Name, n)
	}
	f.toggle("calibrate-readout", *f.calibrate, &rc.CalibrateReadout, &rc.Name, "calibrated readout", "uncalibrated readout")
	return rc, nil
}

// weight sets *field to the weight w of the flag called flag unless w is
// -1 (the recipe's), and appends it to the recipe's name ("soft-weight"
// 0.5: ", soft weight 0.5"); w must be finite and >= 0.
func weight(flag string, w float64, field *float64, name *string) error {
	switch {
	case w == -1:
	case !(w >= 0) || math.IsInf(w, 0):
		return badUsage("--%s %v: want a finite value >= 0 (-1: the recipe's)", flag, w)
	default:
		*field = w
		*name = fmt.Sprintf("%s, %s %g", *name, strings.ReplaceAll(flag, "-", " "), w)
	}
	return nil
}

// toggle sets *field to v when the switch called flag was given and
// changes it, and appends to the recipe's name what it now is (on or off).
func (f recipeFlags) toggle(flag string, v bool, field *bool, name *string, on, off string) {
	if !flagSet(f.fs, flag) || v == *field {
		return
	}
	*field = v
	if v {
		*name += ", " + on
	} else {
		*name += ", " + off
	}
}

// flagSet reports whether the flag called name was given.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}
