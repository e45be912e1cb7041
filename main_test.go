//go:build unix

package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"hmmrnn/core/model"
)

// TestMain lets the test binary act as the hmmrnn program: with
// HMMRNN_TEST_MAIN=1 it runs main on its arguments, so the tests below can
// signal a real process without building another binary.
func TestMain(m *testing.M) {
	if os.Getenv("HMMRNN_TEST_MAIN") == "1" {
		main()
	}
	os.Exit(m.Run())
}

// program is a running hmmrnn process whose stderr is read line by line.
type program struct {
	cmd    *exec.Cmd
	stderr *bufio.Reader
	seen   strings.Builder
}

func start(t *testing.T, args ...string) *program {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "HMMRNN_TEST_MAIN=1", "GOMAXPROCS=1")
	pipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return &program{cmd: cmd, stderr: bufio.NewReader(pipe)}
}

// waitFor reads stderr until a line (or \r-separated progress piece)
// contains s; it fails the test if the process ends first.
func (p *program) waitFor(t *testing.T, s string) {
	t.Helper()
	for {
		line, err := p.stderr.ReadString('\n')
		p.seen.WriteString(line)
		if strings.Contains(line, s) {
			return
		}
		if err != nil {
			t.Fatalf("process ended before printing %q: %v; stderr:\n%s", s, err, p.seen.String())
		}
	}
}

// finish reads the rest of stderr and returns the exit status.
func (p *program) finish(t *testing.T) int {
	t.Helper()
	rest, _ := io.ReadAll(p.stderr)
	p.seen.Write(rest)
	err := p.cmd.Wait()
	if err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			t.Fatal(err)
		}
	}
	return p.cmd.ProcessState.ExitCode()
}

var tinyTrain = []string{"--hmm", "linear2", "--hidden", "8", "--input", "3", "--batch", "16", "--seq-len", "10", "--val-every", "2", "--val-size", "16"}

// TestSignalsSaveTraining sends SIGTERM, SIGHUP and SIGINT to a real
// `train` process: each saves the run to --out, resumable with --resume.
func TestSignalsSaveTraining(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGHUP, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "m.json")
			p := start(t, append([]string{"train", "--steps", "100000000", "--out", out}, tinyTrain...)...)
			p.waitFor(t, "training linear2")
			if err := p.cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			if code := p.finish(t); code != 1 || !strings.Contains(p.seen.String(), "interrupted at step") {
				t.Fatalf("%v: exit %d, stderr:\n%s", sig, code, p.seen.String())
			}
			f, err := model.Load(out)
			if err != nil {
				t.Fatalf("after %v: %v", sig, err)
			}
			if f.Resume == nil || f.Training == nil {
				t.Fatalf("after %v the model file has no resume state", sig)
			}
			step := f.Training.Step
			want := step + 2
			code := run(context.Background(), []string{"train", "--resume", out, "--steps", fmt.Sprint(want), "--out", out}, io.Discard, io.Discard)
			if code != 0 {
				t.Fatalf("resume: exit %d", code)
			}
			if g, err := model.Load(out); err != nil || g.Training.Step != want {
				t.Errorf("resumed to step %v (%v), want %d", g.Training.Step, err, want)
			}
		})
	}
}

// TestSignalEndsAnalyze: analyze, which has nothing to save, ends at once
// on SIGTERM instead of finishing its analyses.
func TestSignalEndsAnalyze(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "m.json")
	code := run(context.Background(), append([]string{"train", "--steps", "4", "--checkpoint-every", "2", "--out", out}, tinyTrain...), io.Discard, io.Discard)
	if code != 0 {
		t.Fatalf("train: exit %d", code)
	}
	// Enough steps that the analyses take far longer than a signal's delivery.
	p := start(t, "analyze", "--model", out, "--checkpoints", filepath.Join(dir, "m.ckpt"), "--steps", "400000", "--out", filepath.Join(dir, "report"))
	p.waitFor(t, "loaded 2 checkpoints")
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := p.finish(t); code != 1 || !strings.Contains(p.seen.String(), "analyze: interrupted") {
		t.Errorf("exit %d, stderr:\n%s", code, p.seen.String())
	}
}

// TestSignalsCheckpointSweepEntry sends SIGTERM and SIGHUP to a real `sweep
// run` (what a Slurm array task runs; Slurm sends SIGTERM at scancel and at
// the time limit): the entry saves its checkpoint and stays pending.
func TestSignalsCheckpointSweepEntry(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			if code := run(context.Background(), []string{"sweep", "plan", "--grid", "tiny", "--steps", "100000000", "--out", dir, "--bin", "/bin/true"}, io.Discard, io.Discard); code != 0 {
				t.Fatalf("plan: exit %d", code)
			}
			p := start(t, "sweep", "run", "--manifest", dir, "--index", "0")
			p.waitFor(t, "step 1/") // a step was taken: there is something to checkpoint
			if err := p.cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			if code := p.finish(t); code != 1 || !strings.Contains(p.seen.String(), "checkpoint saved") {
				t.Fatalf("%v: exit %d, stderr:\n%s", sig, code, p.seen.String())
			}
			ck, err := filepath.Glob(filepath.Join(dir, "checkpoints", "*.json"))
			if err != nil || len(ck) != 1 {
				t.Fatalf("checkpoints: %v %v", ck, err)
			}
			if f, err := model.Load(ck[0]); err != nil || f.Resume == nil {
				t.Errorf("checkpoint %s: %v (resume state %v)", ck[0], err, f != nil && f.Resume != nil)
			}
			var out strings.Builder
			run(context.Background(), []string{"sweep", "status", "--manifest", dir, "--list"}, &out, io.Discard)
			if !strings.Contains(out.String(), "pending (interrupted; resumes from its checkpoint)") {
				t.Errorf("status after %v:\n%s", sig, out.String())
			}
		})
	}
}
