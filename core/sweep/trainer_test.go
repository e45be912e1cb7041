package sweep

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"

	"hmmrnn/core/model"
)

// constEval stands in for the statistics: it records what it was given.
func constEval(ctx context.Context, e *Entry, f *model.File) (*Evaluation, error) {
	if f.RNN.H != e.Hidden || f.RNN.D != e.Input {
		return nil, errors.New("evaluated the wrong network")
	}
	return &Evaluation{Fidelity: Fidelity{TransMaxAbs: 0.5}, Stats: []byte(`{"n": 1}`)}, nil
}

func tinyManifest(t *testing.T, steps, every int) *Manifest {
	t.Helper()
	g, err := ParseGrid([]byte(`{"name": "t", "train": {"steps": 6, "batch": 8, "seq_len": 12, "val_size": 8, "val_every": 2},
	 "blocks": [{"hmm": ["linear2"], "hidden": [6], "input": [2], "seeds": [5]}]}`), ".")
	if err != nil {
		t.Fatal(err)
	}
	g.Train.Steps, g.Train.CheckpointEvery = steps, every
	m, err := Expand(g)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestTrainRunnerResume(t *testing.T) {
	m := tinyManifest(t, 6, 4)
	run := TrainRunner(constEval)

	// Reference: uninterrupted.
	refDir := t.TempDir()
	ref, err := RunEntry(context.Background(), refDir, m, 0, run, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if ref.Steps != 6 || ref.ResumedAt != 0 || ref.Fidelity.TransMaxAbs != 0.5 || string(ref.Stats) != `{"n": 1}` {
		t.Errorf("reference result %+v", ref)
	}
	refModel, err := model.Load(Paths(refDir, &m.Entries[0]).Model)
	if err != nil {
		t.Fatal(err)
	}
	if refModel.Resume != nil || refModel.Training.Step != 6 {
		t.Errorf("final model: step %d, resume state kept: %v", refModel.Training.Step, refModel.Resume != nil)
	}

	// Interrupted after 3 steps (between the checkpoints at 0 and 4): the
	// cancellation itself saves a checkpoint.
	dir := t.TempDir()
	ctx := &countdownCtx{Context: context.Background(), n: 3}
	var log strings.Builder
	if _, err := RunEntry(ctx, dir, m, 0, run, &log, Options{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted run: %v", err)
	}
	p := Paths(dir, &m.Entries[0])
	cp, err := model.Load(p.Checkpoint)
	if err != nil || cp.Training.Step != 3 || cp.Resume == nil {
		t.Fatalf("checkpoint after interruption: %v", err)
	}
	if _, err := os.Stat(p.Result); err == nil {
		t.Fatal("interrupted run wrote a result")
	}
	r, err := RunEntry(context.Background(), dir, m, 0, run, &log, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.ResumedAt != 3 || r.Steps != 6 || !strings.Contains(log.String(), "resuming from the checkpoint at step 3") {
		t.Errorf("resumed result %+v; log:\n%s", r, log.String())
	}
	got, err := model.Load(p.Model)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.RNN, refModel.RNN) || !reflect.DeepEqual(got.Training.Loss, refModel.Training.Loss) {
		t.Error("resumed training differs from uninterrupted training")
	}
	if r.FinalLoss != ref.FinalLoss || r.BestStep != ref.BestStep {
		t.Errorf("final loss %v best %d, want %v %d", r.FinalLoss, r.BestStep, ref.FinalLoss, ref.BestStep)
	}

	// Killed after the model was saved but before the result: the model
	// is evaluated without training again.
	if err := os.Remove(p.Result); err != nil {
		t.Fatal(err)
	}
	log.Reset()
	if _, err := RunEntry(context.Background(), dir, m, 0, run, &log, Options{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "already holds 6 steps") {
		t.Errorf("log:\n%s", log.String())
	}
}

func TestTrainRunnerForeignCheckpoint(t *testing.T) {
	dir := t.TempDir()
	m := tinyManifest(t, 2, 1)
	ctx := &countdownCtx{Context: context.Background(), n: 1}
	if _, err := RunEntry(ctx, dir, m, 0, TrainRunner(constEval), nil, Options{}); !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
	// The grid changed under the checkpoint: refuse to mix the runs.
	m.Entries[0].Train.LR = 0.05
	_, err := RunEntry(context.Background(), dir, m, 0, TrainRunner(constEval), nil, Options{})
	if err == nil || !strings.Contains(err.Error(), "other settings") {
		t.Errorf("foreign checkpoint: %v", err)
	}
}

func TestConfigFor(t *testing.T) {
	m := tinyManifest(t, 6, 4)
	e := m.Entries[0]
	c, err := ConfigFor(&e)
	if err != nil {
		t.Fatal(err)
	}
	if c.Hidden != 6 || c.Input != 2 || c.Seed != 5 || c.Batch != 8 || c.SeqLen != 12 || c.ValEvery != 2 {
		t.Errorf("config %+v", c)
	}
	if c.LR != 1e-3 || c.Clip != 0.9 {
		t.Errorf("defaults: lr %v clip %v, want the paper's 1e-3 and 0.9", c.LR, c.Clip)
	}
	e.Train.Batch = 1
	if _, err := ConfigFor(&e); err == nil {
		t.Error("batch 1 accepted")
	}
}

func TestEvaluate(t *testing.T) {
	m := tinyManifest(t, 3, 0)
	m.Entries[0].Eval = Eval{Sequences: 60, Kick: true}
	r, err := RunEntry(context.Background(), t.TempDir(), m, 0, TrainRunner(Evaluate), nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	f := r.Fidelity
	// linear2 at T = 12: the exact volatility is 11 * P(change) > 0, and two
	// HMM sample sets of 60 sequences are not identical.
	if !(f.VolatilityHMM > 0) || !(f.MatchedFloor > 0) || !(f.Matched > 0) || !(f.LogLikHMM < 0) {
		t.Errorf("fidelity %+v", f)
	}
	if r.Kick == nil || len(r.Kick.Detail) == 0 {
		t.Errorf("kick detection did not run: %+v", r.Kick)
	}
	var rep struct {
		N int `json:"n"`
		T int `json:"t"`
	}
	if err := json.Unmarshal(r.Stats, &rep); err != nil || rep.N != 60 || rep.T != 12 {
		t.Errorf("stats report n=%d t=%d: %v", rep.N, rep.T, err)
	}
}
