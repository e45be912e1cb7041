package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"hmmrnn/core/model"
	"hmmrnn/core/train"
)

func runCLI(ctx context.Context, args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = Run(ctx, args, &o, &e)
	return code, o.String(), e.String()
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"frobnicate"}, "unknown command"},
		{[]string{"train", "--bogus"}, "bogus"},
		{[]string{"train", "--hidden", "0"}, "hidden"},
		{[]string{"train", "--hidden", "many"}, "hidden"},
		{[]string{"train", "--hmm", "nope"}, "neither a preset"},
		{[]string{"train", "--lr", "-1"}, "lr"},
		{[]string{"train", "--data", "xyz"}, "data"},
		{[]string{"train", "--stop-at-fit"}, "eval-every"},
		{[]string{"train", "extra"}, "unexpected argument"},
		{[]string{"eval", "--samples", "1"}, "samples"},
		{[]string{"bench", "--configs", "1,2"}, "H,D,T,B"},
		// sizes that do not fit refused before the
		// first allocation, with the estimate and the limit named.
		{[]string{"train", "--seq-len", "300"}, "seq-len = 300, want 1..255"},
		{[]string{"train", "--clip", "NaN"}, "--clip NaN"},
		{[]string{"train", "--hidden", "4096", "--max-memory", "8G"}, "H=4096 D=10 O=3), more than the --max-memory limit of 8.0 GiB"},
		{[]string{"train", "--batch", "65536", "--max-memory", "8G"}, "B=65536"},
		{[]string{"train", "--max-memory", "4X"}, "not a size"},
		{[]string{"eval", "--samples", "1048576"}, "--no-match"},
		{[]string{"eval", "--seq-len", "300"}, "want 0..255"},
		{[]string{"train", "--recipe", "magic"}, "default, hybrid, paper"},
		{[]string{"train", "--max-time", "-1s", "--stop-at-fit"}, "max-time"},
		{[]string{"study", "--seeds", "3-1"}, "reversed"},
		{[]string{"study", "--seeds", "x"}, "seeds"},
		{[]string{"study", "--max-time", "0"}, "not both 0"},
		{[]string{"study", "--hmm", "linear2,nope"}, "neither a preset"},
		{[]string{"study", "--recipe", "magic"}, "default, hybrid, paper"},
		{[]string{"study", "--batch", "1"}, "batch"},
		{[]string{"study", "--soft-weight", "-0.5"}, "--soft-weight -0.5"},
		{[]string{"study", "--lr", "-0.001"}, "--lr -0.001"},
		{[]string{"study", "--lr", "NaN"}, "--lr NaN"},
		{[]string{"train", "--soft-weight", "NaN"}, "--soft-weight NaN"},
		{[]string{"train", "--soft-weight", "+Inf"}, "want a finite value"},
		{[]string{"train", "--energy-self", "0"}, "--energy-self 0: want a weight in (0, 1]"},
		{[]string{"study", "--energy-self", "1.5"}, "--energy-self 1.5"},
		{[]string{"train", "--energy-self", "NaN"}, "--energy-self NaN"},
		{[]string{"train", "--train-seq-len", "-2"}, "--train-seq-len -2: want 0..255"},
		{[]string{"train", "--freq-weight", "-0.5"}, "--freq-weight -0.5: want a finite value >= 0"},
		{[]string{"study", "--freq-weight", "Inf"}, "--freq-weight +Inf"},
		{[]string{"study", "--train-seq-len", "256"}, "--train-seq-len 256"},
	}
	for _, tc := range tests {
		code, _, stderr := runCLI(context.Background(), tc.args...)
		if code != 2 {
			t.Errorf("%v: exit %d, want 2", tc.args, code)
		}
		if !strings.Contains(stderr, tc.want) || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("%v: stderr %q, want one line mentioning %q", tc.args, stderr, tc.want)
		}
	}
}

// TestBadFiles gives train, eval and analyze files a hostile user could
// write (bad files and flags): each must end in one line naming the
// fault, exit status 2, before anything is sampled or allocated.
func TestBadFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	ckpt := filepath.Join(dir, "ckpt.json")
	if code, _, errs := runCLI(context.Background(), append([]string{"train", "--steps", "4", "--data", "fixed", "--train-size", "40", "--out", ckpt}, tiny...)...); code != 0 {
		t.Fatalf("train: %s", errs)
	}
	good, err := os.ReadFile(ckpt)
	if err != nil {
		t.Fatal(err)
	}
	edit := func(name, re, repl string) string {
		out := regexp.MustCompile(re).ReplaceAllString(string(good), repl)
		if out == string(good) {
			t.Fatalf("%s: %s does not occur in the checkpoint", name, re)
		}
		return write(name, out)
	}
	hmm1e9 := write("hmm1e9.json", `{"start":[1,0],"transition":[[0.5,0.5],[0,1]],"emission":[[1,0],[0.25,0.75]],"seq_len":1000000000}`)
	model1e9 := edit("model1e9.json", `"seq_len": 100\n`, "\"seq_len\": 1000000000\n")
	posNeg := edit("pos.json", `"pos": \d+`, `"pos": -100`)
	adamNeg := edit("adam.json", `"adam_t": \d+`, `"adam_t": -3`)
	noNoise := edit("nonoise.json", `"noise_std": 1,`, ``)
	big := edit("batch.json", `"batch": 16,`, `"batch": 65536,`)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"train", "--hmm", hmm1e9}, "seq_len is 1000000000, want 1..255"},
		{[]string{"train", "--hmm", model1e9}, "seq_len is 1000000000"},
		{[]string{"train", "--hmm", noNoise}, `missing field "noise_std"`},
		{[]string{"eval", "--model", model1e9}, "seq_len is 1000000000"},
		{[]string{"analyze", "--model", model1e9, "--out", filepath.Join(dir, "an")}, "seq_len is 1000000000"},
		{[]string{"train", "--resume", posNeg, "--out", filepath.Join(dir, "o.json")}, "resume.pos = 1, -100"},
		{[]string{"train", "--resume", adamNeg, "--out", filepath.Join(dir, "o.json")}, "adam_t is -3"},
		{[]string{"train", "--resume", big, "--max-memory", "8G", "--out", filepath.Join(dir, "o.json")}, "B=65536"},
	} {
		code, _, stderr := runCLI(context.Background(), tc.args...)
		if code != 2 || !strings.Contains(stderr, tc.want) || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("%v: exit %d, stderr %q, want exit 2 and one line mentioning %q", tc.args[:3], code, stderr, tc.want)
		}
	}
}

func TestHelp(t *testing.T) {
	for _, c := range []string{"train", "eval", "bench"} {
		code, out, _ := runCLI(context.Background(), c, "--help")
		if code != 0 || strings.Count(out, "usage:") != 1 || !strings.Contains(out, "-steps") && !strings.Contains(out, "-samples") {
			t.Errorf("%s --help: exit %d, output %q", c, code, out)
		}
	}
	code, out, _ := runCLI(context.Background())
	if code != 0 || !strings.Contains(out, "train") {
		t.Errorf("no args: exit %d, output %q", code, out)
	}
}

// A study of two seeds with a step budget writes its JSON and a table
// line per HMM; train --max-time --stop-at-fit writes the kept network.
func TestStudyAndTrainToFit(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "s.json")
	args := []string{"study", "--hmm", "linear2", "--seeds", "1-2", "--max-steps", "4", "--every", "2", "--samples", "50",
		"--hidden", "8", "--input", "3", "--batch", "16", "--seq-len", "10", "--out", out}
	code, stdout, stderr := runCLI(context.Background(), args...)
	if code != 0 {
		t.Fatalf("study: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "linear2") || !strings.Contains(stderr, "linear2 seed 2: met") {
		t.Errorf("study output: %q / %q", stdout, stderr)
	}
	var sf studyFile
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &sf); err != nil {
		t.Fatal(err)
	}
	if len(sf.HMMs) != 1 || sf.HMMs[0].Seeds != 2 || len(sf.HMMs[0].Runs) != 2 || sf.HMMs[0].Runs[1].Steps != 4 ||
		len(sf.HMMs[0].Runs[0].Fit.Figures) != 4 || sf.Recipe.Name != "default" {
		t.Errorf("study JSON: %s", data)
	}
	driven := 0
	for _, r := range sf.HMMs[0].Runs {
		if r.Regime.NoiseDriven {
			driven++
		}
		if !strings.Contains(stdout, r.Regime.Regime) {
			t.Errorf("table lacks seed %d's regime %q: %s", r.Seed, r.Regime.Regime, stdout)
		}
	}
	if sf.HMMs[0].Driven != driven {
		t.Errorf("%d runs noise-driven, summary says %d", driven, sf.HMMs[0].Driven)
	}
	// --lr sets the recipe's first-stage rate and names it.
	if code, _, stderr := runCLI(context.Background(), append(args[:len(args)-2:len(args)-2], "--seeds", "1", "--recipe", "sharp", "--lr", "0.003", "--out", out)...); code != 0 {
		t.Fatalf("study --lr: exit %d: %s", code, stderr)
	}
	if data, err = os.ReadFile(out); err != nil {
		t.Fatal(err)
	}
	sf = studyFile{}
	if err := json.Unmarshal(data, &sf); err != nil {
		t.Fatal(err)
	}
	if sf.Recipe.LR != 0.003 || sf.Recipe.Name != "sharp, lr 0.003" || sf.Recipe.CalibrateReadout != train.SharpRecipe.CalibrateReadout {
		t.Errorf("study --recipe sharp --lr 0.003 recorded recipe %+v", sf.Recipe)
	}
	m := filepath.Join(dir, "m.json")
	code, stdout, stderr = runCLI(context.Background(), append([]string{"train", "--max-time", "1h", "--stop-at-fit", "--steps", "4", "--out", m}, tiny...)...)
	if code != 0 || !strings.Contains(stdout, "wrote "+m) {
		t.Fatalf("train to fit: exit %d: %s / %s", code, stdout, stderr)
	}
	// To the fit criterion, --eval-every and --fit-streak are the checks'
	// interval and streak (they were once silently the defaults), and a
	// checkpoint interval, which such a run cannot honour, is refused.
	code, _, stderr = runCLI(context.Background(), append([]string{"train", "--max-time", "1h", "--stop-at-fit", "--steps", "4", "--eval-every", "2", "--fit-streak", "3", "--out", m}, tiny...)...)
	if code != 0 || !strings.Contains(stderr, "checks every 2 steps, 3 passing in a row") || !strings.Contains(stderr, "seed 1 step 2: ") || !strings.Contains(stderr, "seed 1 step 4: ") {
		t.Errorf("train to fit with --eval-every 2 --fit-streak 3: exit %d: %s", code, stderr)
	}
	code, _, stderr = runCLI(context.Background(), append([]string{"train", "--max-time", "1h", "--stop-at-fit", "--steps", "4", "--checkpoint-every", "2", "--out", m}, tiny...)...)
	if code != 2 || !strings.Contains(stderr, "--checkpoint-every with --max-time --stop-at-fit") {
		t.Errorf("train to fit with --checkpoint-every: exit %d: %s", code, stderr)
	}
	f, err := model.Load(m)
	if err != nil {
		t.Fatal(err)
	}
	if f.Training.WhhGain != train.DefaultRecipe.WhhGain {
		t.Errorf("whh gain %v recorded, want the default recipe's %v", f.Training.WhhGain, train.DefaultRecipe.WhhGain)
	}
	// --soft-weight overrides the recipe's and is recorded.
	code, _, stderr = runCLI(context.Background(), append([]string{"train", "--steps", "2", "--soft-weight", "0.5", "--out", m}, tiny...)...)
	if code != 0 {
		t.Fatalf("train --soft-weight 0.5: exit %d: %s", code, stderr)
	}
	if f, err = model.Load(m); err != nil {
		t.Fatal(err)
	}
	if f.Training.SoftWeight != 0.5 {
		t.Errorf("soft weight %v recorded, want 0.5", f.Training.SoftWeight)
	}
	// --energy switches the loss either way and is recorded, and so does
	// --calibrate-readout the readout's calibration; the default recipe
	// has the energy distance, recipe sharp also the calibration, and the
	// default recipe trains this 2-state chain with recipe sharp
	// (train.Recipe.For) unless a flag changed it.
	// So does --energy-self the weight of the energy distance's RNN-RNN
	// term (recipe sharp's is train.SharpRecipe.EnergySelf).
	for _, c := range []struct {
		args              []string
		energy, calibrate bool
		self              float64
		recipe            string
	}{
		{nil, true, true, train.SharpRecipe.EnergySelf, "(recipe sharp)"},
		{[]string{"--recipe", "sharp"}, true, true, train.SharpRecipe.EnergySelf, "(recipe sharp)"},
		{[]string{"--recipe", "paper", "--energy"}, true, false, 0, "(recipe paper, energy)"},
		{[]string{"--energy=false"}, false, false, 0, "(recipe default, no energy)"},
		{[]string{"--recipe", "sharp", "--calibrate-readout=false"}, true, false, train.SharpRecipe.EnergySelf, "(recipe sharp, uncalibrated readout)"},
		{[]string{"--recipe", "paper", "--calibrate-readout"}, false, true, 0, "(recipe paper, calibrated readout)"},
		{[]string{"--recipe", "sharp", "--energy-self", "0.5"}, true, true, 0.5, "(recipe sharp, energy self 0.5)"},
		{[]string{"--recipe", "sharp", "--freq-weight", "2"}, true, true, train.SharpRecipe.EnergySelf, "(recipe sharp, freq weight 2)"},
		{[]string{"--recipe", "sharp", "--freq-pairs=false"}, true, true, train.SharpRecipe.EnergySelf, "(recipe sharp, frequencies of symbols)"},
	} {
		code, _, stderr = runCLI(context.Background(), append(append([]string{"train", "--steps", "2", "--out", m}, c.args...), tiny...)...)
		if code != 0 {
			t.Fatalf("train %v: exit %d: %s", c.args, code, stderr)
		}
		if f, err = model.Load(m); err != nil {
			t.Fatal(err)
		}
		if wantFreq := strings.Contains(c.recipe, "freq weight 2"); (f.Training.FreqWeight == 2) != wantFreq {
			t.Errorf("train %v: freq_weight %v recorded", c.args, f.Training.FreqWeight)
		}
		// Recipe sharp counts pairs of symbols (train.Config.FreqPairs).
		if wantPairs := strings.Contains(c.recipe, "sharp") && !strings.Contains(c.recipe, "frequencies of symbols"); f.Training.FreqPairs != wantPairs {
			t.Errorf("train %v: freq_pairs %v recorded, want %v", c.args, f.Training.FreqPairs, wantPairs)
		}
		if f.Training.Energy != c.energy || f.Training.EnergySelf != c.self || f.Training.CalibrateReadout != c.calibrate || !strings.Contains(stderr, c.recipe) {
			t.Errorf("train %v: energy %v (self %v), calibration %v recorded, stderr %q; want %v (%v), %v and %s", c.args, f.Training.Energy, f.Training.EnergySelf, f.Training.CalibrateReadout, stderr, c.energy, c.self, c.calibrate, c.recipe)
		}
	}
}

// --train-seq-len caps the training sequences, is recorded and said, and
// renames the recipe; the run still judges whole sequences (train's
// TestTrainSeqLen).
func TestTrainSeqLenFlag(t *testing.T) {
	m := filepath.Join(t.TempDir(), "m.json")
	code, _, stderr := runCLI(context.Background(), append([]string{"train", "--steps", "2", "--out", m, "--recipe", "sharp", "--train-seq-len", "4"}, tiny...)...)
	if code != 0 {
		t.Fatalf("train --train-seq-len 4: exit %d: %s", code, stderr)
	}
	f, err := model.Load(m)
	if err != nil {
		t.Fatal(err)
	}
	if f.Training.TrainSeqLen != 4 || f.Training.SeqLen != 10 {
		t.Errorf("recorded train_seq_len %d and seq_len %d, want 4 and 10", f.Training.TrainSeqLen, f.Training.SeqLen)
	}
	for _, want := range []string{"(recipe sharp, train seq len 4)", "T=10 (trained on its first 4 steps)"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr %q does not say %q", stderr, want)
		}
	}
}

var tiny = []string{"--hmm", "linear2", "--hidden", "8", "--input", "3", "--batch", "16", "--seq-len", "10", "--val-every", "2", "--val-size", "16"}

func TestTrainEval(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "m.json")
	code, stdout, stderr := runCLI(context.Background(), append([]string{"train", "--steps", "4", "--out", out, "--checkpoint-every", "2"}, tiny...)...)
	if code != 0 {
		t.Fatalf("train: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "trained 4 steps") || !strings.Contains(stderr, "steps/s") {
		t.Errorf("train output lacks the summary or progress: %q / %q", stdout, stderr)
	}
	f, err := model.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	if f.Training.Step != 4 || len(f.Training.Loss) != 4 || !strings.Contains(f.Training.Command, "--hidden 8") {
		t.Errorf("training record: step %d, %d losses, command %q", f.Training.Step, len(f.Training.Loss), f.Training.Command)
	}
	for _, s := range []string{"step-0000002.json", "step-0000004.json"} {
		if _, err := model.Load(filepath.Join(dir, "m.ckpt", s)); err != nil {
			t.Errorf("checkpoint %s: %v", s, err)
		}
	}
	code, stdout, stderr = runCLI(context.Background(), "eval", "--model", out, "--samples", "300", "--json")
	if code != 0 {
		t.Fatalf("eval: exit %d: %s", code, stderr)
	}
	var rep map[string]any
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("eval --json output is not JSON: %v", err)
	}
	if rep["fidelity"] == nil || rep["matched_floor"] == nil {
		t.Errorf("eval report lacks fidelity or matched distances: %v", rep)
	}
	code, stdout, _ = runCLI(context.Background(), "eval", "--model", out, "--samples", "300", "--no-match")
	if code != 0 || !strings.Contains(stdout, "noise") {
		t.Errorf("eval text: exit %d, output %q", code, stdout)
	}
}

// cancelOn cancels a context when a line it watches for is written.
type cancelOn struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	watch  string
	cancel context.CancelFunc
}

func (c *cancelOn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.buf.Write(p)
	if strings.Contains(c.buf.String(), c.watch) {
		c.cancel()
	}
	return len(p), nil
}

// TestInterruptSavesAndResumes: Ctrl-C (a cancelled context) after step 3
// writes the run; resuming it to step 6 gives the weights of an
// uninterrupted 6-step run, bit for bit.
func TestInterruptSavesAndResumes(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stderr := &cancelOn{watch: "step 3:", cancel: cancel}
	part := filepath.Join(dir, "part.json")
	code := Run(ctx, append([]string{"train", "--steps", "6", "--eval-every", "3", "--out", part}, tiny...), &bytes.Buffer{}, stderr)
	if code != 1 || !strings.Contains(stderr.buf.String(), "interrupted at step 3") {
		t.Fatalf("interrupt: exit %d, stderr %q", code, stderr.buf.String())
	}
	code, _, errs := runCLI(context.Background(), "train", "--steps", "6", "--resume", part, "--out", part)
	if code != 0 {
		t.Fatalf("resume: exit %d: %s", code, errs)
	}
	whole := filepath.Join(dir, "whole.json")
	if code, _, errs := runCLI(context.Background(), append([]string{"train", "--steps", "6", "--out", whole}, tiny...)...); code != 0 {
		t.Fatalf("train: %s", errs)
	}
	a, err := model.Load(part)
	if err != nil {
		t.Fatal(err)
	}
	b, err := model.Load(whole)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.Resume.Current.Whh, b.Resume.Current.Whh) || !slices.Equal(a.Training.Loss, b.Training.Loss) {
		t.Error("interrupted+resumed run differs from the uninterrupted one")
	}
}

func TestBench(t *testing.T) {
	code, out, errs := runCLI(context.Background(), "bench", "--hidden", "8", "--input", "3", "--batch", "16", "--seq-len", "10", "--steps", "2", "--warmup", "0", "--peer", "off")
	if code != 0 || !strings.Contains(out, "RNN fwd+bwd") {
		t.Errorf("bench: exit %d, out %q, err %q", code, out, errs)
	}
}

// TestOutputChecked: an output path that cannot be written is refused in
// one line with exit status 2 before any training or analysis starts.
func TestOutputChecked(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	train := func(out string) []string {
		return append([]string{"train", "--steps", "3", "--out", out}, tiny...)
	}
	good := filepath.Join(dir, "m.json")
	if code, _, stderr := runCLI(context.Background(), train(good)...); code != 0 {
		t.Fatalf("train: %s", stderr)
	}
	sw := filepath.Join(dir, "sweep")
	if code, _, stderr := runCLI(context.Background(), "sweep", "plan", "--grid", "tiny", "--out", sw, "--bin", "/bin/true"); code != 0 {
		t.Fatalf("plan: %s", stderr)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{train(filepath.Join(dir, "missing", "m.json")), "does not exist"},
		{train(dir), "is a directory"},
		{train(""), "empty file name"},
		{train(filepath.Join(file, "m.json")), "not a directory"},
		{[]string{"analyze", "--model", good, "--out", file}, "is a file"},
		{[]string{"analyze", "--model", good, "--out", filepath.Join(file, "sub")}, "--out"},
		{[]string{"sweep", "collect", "--manifest", sw, "--out", file}, "is a file"},
	} {
		code, stdout, stderr := runCLI(context.Background(), tc.args...)
		if code != 2 || !strings.Contains(stderr, tc.want) || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("%q: exit %d, stderr %q; want 2 and one line mentioning %q", tc.args, code, stderr, tc.want)
		}
		if strings.Contains(stderr, "training") || stdout != "" {
			t.Errorf("%q: work started before the output was checked: %q %q", tc.args, stdout, stderr)
		}
	}
}

// TestAbandonOnInterrupt: a command that does not watch the context (eval,
// analyze) returns as soon as it is cancelled.
func TestAbandonOnInterrupt(t *testing.T) {
	block := make(chan struct{})
	defer close(block)
	c := command{name: "slow", run: func(*Env, []string) error { <-block; return nil }}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	env := &Env{Ctx: ctx, Stdout: io.Discard, Stderr: io.Discard}
	if err := runCommand(env, c, nil); !errors.Is(err, errInterrupted) {
		t.Errorf("cancelled slow command: %v, want errInterrupted", err)
	}
	c.watchesCtx = true
	c.run = func(*Env, []string) error { return nil }
	if err := runCommand(env, c, nil); err != nil {
		t.Errorf("a command that watches the context is left to return itself: %v", err)
	}
}

// TestSweepPlanRefusesBeforeWriting: bad Slurm values and grids that cannot
// run are refused in one line (exit 2) and nothing is written.
func TestSweepPlanRefusesBeforeWriting(t *testing.T) {
	dir := t.TempDir()
	long := `{"name":"long","train":{"steps":2},"blocks":[{"hmm":[{"name":"` + strings.Repeat("x", 300) +
		`","start":[0.5,0.5],"transition":[[0.9,0.1],[0.1,0.9]],"emission":[[1,0],[0,1]],"seq_len":10}],"hidden":[4],"input":[2],"seeds":[1]}]}`
	list := make([]string, 200)
	for i := range list {
		list[i] = strconv.Itoa(i + 1)
	}
	l := "[" + strings.Join(list, ",") + "]"
	big := `{"name":"big","train":{"steps":10},"blocks":[{"hmm":["linear2"],"hidden":` + l + `,"input":` + l + `,"seeds":` + l + `}]}`
	grids := map[string]string{"long": long, "big": big}
	for name, g := range grids {
		if err := os.WriteFile(filepath.Join(dir, name+".json"), []byte(g), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for i, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--partition", "gpu\necho PWNED"}, "--partition"},
		{[]string{"--time", "1:00\nrm -rf ~"}, "--time"},
		{[]string{"--mem", "4G; reboot"}, "--mem"},
		{[]string{"--account", "a\tb"}, "--account"},
		{[]string{"--sbatch", "--qos=x\necho PWNED"}, "--sbatch"},
		{[]string{"--bin", "/b\necho PWNED"}, "control character"},
		{[]string{"--grid", filepath.Join(dir, "long.json")}, "at most 64"},
		{[]string{"--grid", filepath.Join(dir, "big.json")}, "more than 10000 networks"},
	} {
		out := filepath.Join(dir, fmt.Sprint("sweep", i))
		code, _, stderr := runCLI(context.Background(), append([]string{"sweep", "plan", "--grid", "tiny", "--out", out}, tc.args...)...)
		if code != 2 || !strings.Contains(stderr, tc.want) || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("%q: exit %d, stderr %q; want 2 and one line mentioning %q", tc.args, code, stderr, tc.want)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("%q: %s was created", tc.args, out)
		}
	}
	code, _, stderr := runCLI(context.Background(), "sweep", "plan", "--grid", "tiny", "--out", filepath.Join(dir, "a b"), "--bin", "/bin/true")
	if code != 2 || !strings.Contains(stderr, "--out") {
		t.Errorf("directory with a blank: exit %d, %q", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "a b")); err == nil {
		t.Error("a refused plan wrote its manifest")
	}
	// A good plan writes everything.
	out := filepath.Join(dir, "good")
	if code, _, stderr := runCLI(context.Background(), "sweep", "plan", "--grid", "tiny", "--out", out, "--bin", "/bin/true", "--partition", "gpu", "--time", "1-00:00:00", "--mem", "4G"); code != 0 {
		t.Fatalf("plan: exit %d: %s", code, stderr)
	}
	script, err := os.ReadFile(filepath.Join(out, "sweep.sbatch"))
	if err != nil || !strings.Contains(string(script), "#SBATCH --partition=gpu\n") {
		t.Errorf("script: %v\n%s", err, script)
	}
}
