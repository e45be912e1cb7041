package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"hmmrnn/core/hmm"
	"hmmrnn/core/model"
	"hmmrnn/core/sweep"
	"hmmrnn/core/train"
)

const studySynopsis = `hmmrnn study [--hmm P[,P...]] [--seeds 1-10] [--max-time 3m] [--max-steps N]
       [--hidden H] [--input D] [--batch B] [--seq-len T] [--recipe NAME] [--lr LR] [--soft-weight W] [--freq-weight W] [--freq-pairs] [--energy] [--energy-self W] [--train-seq-len T] [--calibrate-readout] [--out study.json]

Measures a training recipe: trains every (HMM, seed) pair from random weights until the
fit criterion holds (frequencies, transition rows, volatility, dwell times; each figure
beside its HMM-vs-HMM floor) or the budget is spent, restarting runs stuck on the
fair-coin plateau. Prints per HMM the seeds meeting the criterion, the median steps and
seconds to it, the restarts and how many kept networks are in the paper's noise-driven
regime (bounded, persistent switching, input-free collapse to one fixed point:
core/METHOD.md section 5.9) and, per seed, the share of its emitted symbols that are
not its logits' argmax (the readout noise of hmmrnn eval), and writes every run's
figures, regime and readout noise as JSON.
Progress goes to stderr. Runs one after the other (each uses the machine's cores).`

// maxSeed bounds --seeds.
const maxSeed = 1_000_000

func runStudy(env *Env, args []string) error {
	fs := newFlags(env, "study", studySynopsis)
	hmms := fs.String("hmm", strings.Join(hmm.PresetNames(), ","), "comma-separated presets or HMM files")
	seeds := fs.String("seeds", "1-10", "starting seeds: a list and/or ranges, e.g. 1-10 or 1,4,7-9")
	maxTime := fs.Duration("max-time", 3*time.Minute, "wall-clock budget of each run (0: none)")
	maxSteps := fs.Int("max-steps", 0, "step budget of each run, restarts included (0: none)")
	hidden := fs.Int("hidden", train.DefaultHidden, "hidden units H")
	input := fs.Int("input", train.DefaultInput, "noise dimension D")
	batch := fs.Int("batch", train.DefaultBatch, "batch size B")
	seqLen := fs.Int("seq-len", 0, "sequence length T (0: the HMM's default)")
	recipe := newRecipeFlags(fs, "", "")
	lr := fs.Float64("lr", 0, "learning rate of the recipe's first stage (0: the recipe's)")
	every := fs.Int("every", train.DefaultFitEvery, "steps between fit checks")
	samples := fs.Int("samples", train.DefaultFitSamples, "sequences per fit check")
	out := fs.String("out", "study.json", "JSON file to write ('' : none)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *maxTime < 0 || *maxSteps < 0 || (*maxTime == 0 && *maxSteps == 0) {
		return badUsage("--max-time %v --max-steps %d: want values >= 0, not both 0", *maxTime, *maxSteps)
	}
	if *every < 1 || *samples < 2 {
		return badUsage("--every %d --samples %d: want >= 1 and >= 2", *every, *samples)
	}
	rc, err := recipe.recipe()
	if err != nil {
		return err
	}
	if *lr != 0 {
		if !(*lr > 0) || math.IsInf(*lr, 0) {
			return badUsage("--lr %v: want a finite value > 0 (0: the recipe's)", *lr)
		}
		// Renamed, so Recipe.For keeps it and the table says what ran.
		rc.LR, rc.Name = *lr, fmt.Sprintf("%s, lr %g", rc.Name, *lr)
	}
	idx, err := sweep.ParseIndices(*seeds, maxSeed+1)
	if err != nil {
		return badUsage("--seeds %q: %v (seeds 0-%d)", *seeds, strings.TrimPrefix(err.Error(), "sweep: "), maxSeed)
	}
	var ms []*hmm.HMM
	for _, spec := range strings.Split(*hmms, ",") {
		m, err := loadHMM(strings.TrimSpace(spec))
		if err != nil {
			return badUsage("%v", err)
		}
		ms = append(ms, m)
	}
	st := train.Study{HMMs: ms, Progress: env.Stderr,
		Run: train.FitRun{Recipe: rc, Every: *every, Samples: *samples, MaxSteps: *maxSteps, MaxTime: *maxTime}}
	for _, i := range idx {
		st.Seeds = append(st.Seeds, uint64(i))
	}
	var bad error
	st.Config = func(m *hmm.HMM, seed uint64) train.Config {
		c := train.DefaultConfig(m)
		c.Hidden, c.Input, c.Batch, c.Seed = *hidden, *input, *batch, seed
		if *seqLen != 0 {
			c.SeqLen = *seqLen
		}
		if err := c.Validate(); err != nil && bad == nil {
			bad = err
		}
		return c
	}
	// Check the sizes once before the first run.
	st.Config(ms[0], st.Seeds[0])
	if bad != nil {
		return badUsage("%v", strings.TrimPrefix(bad.Error(), "train: "))
	}
	sums, err := st.Do(env.Ctx)
	if werr := train.WriteStudy(env.Stdout, sums); werr != nil && err == nil {
		err = werr
	}
	if *out != "" && len(sums) > 0 {
		data, jerr := json.MarshalIndent(studyFile{Recipe: rc, Hidden: *hidden, Input: *input, Batch: *batch, SeqLen: *seqLen,
			MaxTime: maxTime.String(), MaxSteps: *maxSteps, Command: "hmmrnn study " + strings.Join(args, " "), HMMs: sums}, "", " ")
		if jerr != nil {
			return errors.Join(err, jerr)
		}
		if werr := model.WriteFileAtomic(*out, append(data, '\n')); werr != nil {
			return errors.Join(err, werr)
		}
		fmt.Fprintf(env.Stderr, "wrote %s\n", *out)
	}
	return err
}

// studyFile is the JSON written by study.
type studyFile struct {
	Command  string               `json:"command"`
	Recipe   train.Recipe         `json:"recipe"`
	Hidden   int                  `json:"hidden"`
	Input    int                  `json:"input"`
	Batch    int                  `json:"batch"`
	SeqLen   int                  `json:"seq_len"` // 0: each HMM's default
	MaxTime  string               `json:"max_time"`
	MaxSteps int                  `json:"max_steps"`
	HMMs     []train.StudySummary `json:"hmms"`
}
