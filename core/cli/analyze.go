package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"hmmrnn/core/dynamics"
	"hmmrnn/core/report"
)

const analyzeSynopsis = `hmmrnn analyze --model model.json [--checkpoints DIR] [--out DIR] [--json]
       [--only pca,collapse,fixed,residency,sensitivity,noise,kick,causal,evolution,readout,compose]
       [--seed S] [--sigma S] [--steps N] [--residency-states N] [--noise-sigmas LIST]
       [--noise-steps N] [--kick-score prevention|attribution] [--kick-mode recurrent|noise|both]
       [--mus LIST] [--mode recurrent|noise|both] [--controls N]

Reverse-engineers a trained model (core/METHOD.md section 5) and writes report.json,
one SVG figure per analysis and index.html into --out. With --json (and no
--out) only report.json is printed to stdout. Progress goes to stderr.
"noise" is the noise-level scan of one network (not "hmmrnn sweep", a grid
of networks). The kick neurons are those "hmmrnn sweep" stores for the same
model and --seed.`

func runAnalyze(env *Env, args []string) error {
	fs := newFlags(env, "analyze", analyzeSynopsis)
	modelPath := fs.String("model", "", "model file to analyse (required)")
	ckDir := fs.String("checkpoints", "", "directory of training checkpoints (*.json) for the evolution analysis")
	maxCk := fs.Int("max-checkpoints", 40, "use at most this many checkpoints, evenly spaced")
	out := fs.String("out", "", "output directory (default \"report\"; none with --json unless given)")
	asJSON := fs.Bool("json", false, "print report.json to stdout")
	only := fs.String("only", "", "comma-separated analyses to run (default all; prerequisites are added)")
	seed := fs.Uint64("seed", 1, "random seed")
	sigma := fs.Float64("sigma", 0, "noise std of the analyses (0: the model's noise_std)")
	steps := fs.Int("steps", dynamics.PCASteps, "length of the reference noise-driven run (core/METHOD.md section 5: 30000)")
	resStates := fs.Int("residency-states", 600, "consecutive states whose residency, zone and spectrum are computed")
	noiseSigmas := fs.String("noise-sigmas", "", "comma-separated noise levels of the noise scan (default 0,0.1,0.25,0.5,0.75,1,1.25,1.5,2,3,4 plus the model's)")
	noiseSteps := fs.Int("noise-steps", 4000, "steps per noise level of the noise scan (arXiv 2510.25674 section 5.3 uses 10000)")
	kickScore := fs.String("kick-score", "prevention", "how kick candidates are ranked: prevention (silence and replay each switch) or attribution (first-order)")
	mus := fs.String("mus", "", "comma-separated causal-test scale factors in [0, 2] (default 0,0.25,...,2)")
	mode := fs.String("mode", "both", "input scaled in the causal test: recurrent, noise or both (both: mu = 0 silences the neuron)")
	kickMode := fs.String("kick-mode", "both", "how kick candidates are silenced during detection: recurrent, noise or both")
	controls := fs.Int("controls", 5, "number of random control sets in the causal test")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *modelPath == "" {
		return badUsage("--model is required (see --help)")
	}
	if *maxCk < 1 || *steps < 100 || *resStates < 1 || *noiseSteps < 10 || *controls < 1 {
		return badUsage("--max-checkpoints, --residency-states, --controls must be >= 1, --steps >= 100, --noise-steps >= 10")
	}
	if *sigma < 0 {
		return badUsage("--sigma must be >= 0")
	}
	opt := report.Options{Seed: *seed, Sigma: *sigma, PCASteps: *steps, ResidencyStates: *resStates, Progress: env.Stderr}
	if *only != "" {
		opt.Only = strings.Split(*only, ",")
	}
	var err error
	if opt.Noise.Sigmas, err = floatList(*noiseSigmas, "--noise-sigmas"); err != nil {
		return err
	}
	opt.Noise.Steps = *noiseSteps
	opt.Noise.FidelitySeqs = 200
	if opt.Causal.Mus, err = floatList(*mus, "--mus"); err != nil {
		return err
	}
	for _, m := range opt.Causal.Mus {
		if m < 0 || m > dynamics.MuMax {
			return badUsage("--mus: %g outside [0, %g]", m, dynamics.MuMax)
		}
	}
	if opt.Causal.Mode, err = dynamics.ParseMode(*mode); err != nil {
		return badUsage("--mode: %v", err)
	}
	if opt.Kick.Mode, err = dynamics.ParseMode(*kickMode); err != nil {
		return badUsage("--kick-mode: %v", err)
	}
	opt.Kick.ModeSet = true
	if opt.Kick.Score, err = dynamics.ParseKickScore(*kickScore); err != nil {
		return badUsage("--kick-score: %v", err)
	}
	opt.Causal.Controls = *controls

	f, err := loadModel(*modelPath)
	if err != nil {
		return err
	}
	in := report.Input{Name: filepath.Base(*modelPath), Net: f.RNN, HMM: f.HMM, NoiseStd: f.NoiseStd}
	if *ckDir != "" {
		t0 := time.Now()
		cps, err := loadCheckpoints(*ckDir, *maxCk)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stderr, "analyze: loaded %d checkpoints in %.1fs\n", len(cps), time.Since(t0).Seconds())
		in.Checkpoints = cps
	}
	dir := *out
	if dir == "" && !*asJSON {
		dir = "report"
	}
	if dir != "" {
		if err := checkOutDir("--out", dir); err != nil {
			return err
		}
	}
	if err := env.Ctx.Err(); err != nil {
		return err
	}
	rep, err := report.Analyze(in, opt)
	if err != nil {
		return err
	}
	if dir != "" {
		files, err := rep.Files()
		if err != nil {
			return err
		}
		names := make([]string, 0, len(files))
		for n := range files {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			if err := os.WriteFile(filepath.Join(dir, n), files[n], 0o644); err != nil {
				return err
			}
		}
		fmt.Fprintf(env.Stderr, "analyze: wrote %d files to %s (open %s)\n", len(files), dir, filepath.Join(dir, "index.html"))
	}
	if *asJSON {
		b, err := rep.JSON()
		if err != nil {
			return err
		}
		if _, err := env.Stdout.Write(b); err != nil {
			return err
		}
	} else {
		printSummary(env.Stdout, rep)
	}
	return nil
}

func floatList(s, flag string) ([]float64, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var out []float64
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || v < 0 {
			return nil, badUsage("%s: %q is not a number >= 0", flag, f)
		}
		out = append(out, v)
	}
	return out, nil
}

// loadCheckpoints reads every *.json model file in dir, orders them by
// training step and keeps at most maxN, evenly spaced (always the last).
// A checkpoint's weights are its current weights (resume.current) when it
// has them, else its rnn.
func loadCheckpoints(dir string, maxN int) ([]dynamics.Checkpoint, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("no *.json checkpoints in %s", dir)
	}
	sort.Strings(paths)
	if len(paths) > maxN {
		keep := make([]string, 0, maxN)
		for k := 0; k < maxN; k++ {
			keep = append(keep, paths[k*(len(paths)-1)/max(1, maxN-1)])
		}
		paths = keep
	}
	var cps []dynamics.Checkpoint
	for i, p := range paths {
		f, err := loadModel(p)
		if err != nil {
			return nil, fmt.Errorf("checkpoint %s: %w", p, err)
		}
		net := f.RNN
		step := i
		if f.Resume != nil && f.Resume.Current != nil {
			net = f.Resume.Current
		}
		if f.Training != nil {
			step = f.Training.Step
		}
		cps = append(cps, dynamics.Checkpoint{Label: fmt.Sprintf("step %d", step), Step: step, Net: net})
	}
	sort.SliceStable(cps, func(i, j int) bool { return cps[i].Step < cps[j].Step })
	return cps, nil
}

func printSummary(w io.Writer, r *report.Report) {
	fmt.Fprintf(w, "model %s: H=%d D=%d O=%d sigma=%g\n", r.Model.Name, r.Model.H, r.Model.D, r.Model.O, r.Sigma)
	if r.PCA != nil {
		fmt.Fprintf(w, "transition rate %.4f per step; PCA explained %.3f %.3f\n", r.PCA.TransitionRate, r.PCA.Explained[0], r.PCA.Explained[min(1, len(r.PCA.Explained)-1)])
	}
	if c := r.Collapse; c != nil {
		fmt.Fprintf(w, "without input: %d distinct end state(s) of %d runs, |h*| = %.3g, |h_20|/|h_0| = %.3g\n", c.Endpoints, c.Runs, c.FixedPointNorm, c.Decay20)
	}
	if r.Residency != nil {
		for _, z := range r.Residency.ByZone {
			if z.Count > 0 {
				fmt.Fprintf(w, "zone %-10s %4d states, residency %5.1f, unstable %.2f, critical %.2f\n", z.Zone, z.Count, z.MeanResidency, z.MeanUnstable, z.MeanCritical)
			}
		}
	}
	if s := r.Sensitivity; s != nil {
		fmt.Fprintf(w, "noise share of the motion cluster/transition (%d/%d states): PC1-PC2 %.3g, all H dims %.3g (raw spread ratio %.3g)\n",
			len(s.ClusterStates), len(s.TransitionStates), s.Ratio, s.FullRatio, s.RawRatio)
	}
	if k := r.Kick; k != nil {
		fmt.Fprintf(w, "kick neurons %v (%.1f%% of H), detection cut %.2f\n", r.KickNeurons, 100*k.Fraction, k.Cut)
		for _, d := range k.Directions {
			fmt.Fprintf(w, "  direction %v: %.2f%% of steps, %s", d.Direction, 100*d.Rate, d.Status)
			switch d.Status {
			case dynamics.KickFound:
				for _, g := range k.Groups {
					if g.Direction == d.Direction {
						fmt.Fprintf(w, " %v", g.Neurons)
					}
				}
				fmt.Fprintf(w, ", cut %.2f, random sets %.2f (median)", d.Cut, d.ControlCut)
			case dynamics.KickNone:
				fmt.Fprintf(w, ", best cut %.2f", d.BestCut)
			}
			fmt.Fprintln(w)
		}
	}
	if c := r.Causal; c != nil {
		fmt.Fprintf(w, "silencing (mu=0, %s input) cuts the rate: kick set %.2f, integrating %.2f, random %.2f (max %.2f)\n", c.Mode, c.KickCut, c.IntegratingCut, c.ControlCutMean, c.ControlCutMax)
		for g, v := range c.GroupCuts {
			fmt.Fprintf(w, "  kick group %s alone: cut %.2f\n", g, v)
		}
		fmt.Fprintf(w, "doubling (mu=2) cuts the rate: kick set %.2f, random %.2f\n", c.KickDoubleCut, c.ControlDoubleCutMean)
	}
	if e := r.Evolution; e != nil && e.Bifurcation >= 0 {
		fmt.Fprintf(w, "bifurcation at checkpoint %d (step %d)\n", e.Bifurcation, e.BifurcationStep)
	}
	var total float64
	for _, s := range r.Seconds {
		total += s
	}
	fmt.Fprintf(w, "analyses took %.1fs\n", total)
}
