package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"hmmrnn/core/model"
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
