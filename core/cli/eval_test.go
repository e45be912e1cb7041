package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hmmrnn/core/model"
	"hmmrnn/core/stats"
	"hmmrnn/core/train"
)

// TestEvalReproducesSweepResult is the consistency property of the one
// evaluation: `hmmrnn eval --model DIR/models/<id>.json --seed <entry
// seed> --samples <eval.sequences> --json` prints exactly the "stats"
// object of DIR/results/<id>.json.
func TestEvalReproducesSweepResult(t *testing.T) {
	dir := t.TempDir()
	grid := filepath.Join(dir, "grid.json")
	const seqs = 80
	err := os.WriteFile(grid, []byte(fmt.Sprintf(`{"name": "consistency",
	 "train": {"steps": 4, "batch": 16, "seq_len": 12, "val_size": 16, "val_every": 2},
	 "eval": {"sequences": %d},
	 "blocks": [{"hmm": ["linear2"], "hidden": [6], "input": [2], "seeds": [5]}]}`, seqs)), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	sw := filepath.Join(dir, "sweep")
	for _, args := range [][]string{
		{"sweep", "plan", "--grid", grid, "--out", sw, "--bin", "/bin/true"},
		{"sweep", "run", "--manifest", sw, "--index", "0"},
	} {
		if code, _, errs := runCLI(context.Background(), args...); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errs)
		}
	}
	results, err := filepath.Glob(filepath.Join(sw, "results", "*.json"))
	if err != nil || len(results) != 1 {
		t.Fatalf("results %v: %v", results, err)
	}
	data, err := os.ReadFile(results[0])
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		ID    string          `json:"id"`
		Seed  uint64          `json:"seed"`
		Stats json.RawMessage `json:"stats"`
	}
	if err := json.Unmarshal(data, &res); err != nil || len(res.Stats) == 0 || res.Seed != 5 {
		t.Fatalf("result %s: seed %d, %d bytes of stats: %v", results[0], res.Seed, len(res.Stats), err)
	}
	code, stdout, errs := runCLI(context.Background(), "eval", "--model", filepath.Join(sw, "models", res.ID+".json"),
		"--seed", fmt.Sprint(res.Seed), "--samples", fmt.Sprint(seqs), "--json")
	if code != 0 {
		t.Fatalf("eval: exit %d: %s", code, errs)
	}
	var want, got bytes.Buffer
	if err := json.Compact(&want, res.Stats); err != nil {
		t.Fatal(err)
	}
	if err := json.Compact(&got, []byte(stdout)); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Errorf("eval --json differs from the sweep's stats:\n got %.300s\nwant %.300s", got.Bytes(), want.Bytes())
	}
	// Another seed draws other samples: the comparison above is not vacuous.
	_, other, _ := runCLI(context.Background(), "eval", "--model", filepath.Join(sw, "models", res.ID+".json"),
		"--seed", "6", "--samples", fmt.Sprint(seqs), "--json")
	got.Reset()
	if err := json.Compact(&got, []byte(other)); err != nil || bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Errorf("eval with another seed printed the same report (%v)", err)
	}
}

// TestEvalReadoutNoise checks the text's readout-noise section against the
// library on the same model, seed and sample size: the off-argmax share,
// argmax and emitted figures of the runs train.EvaluateFile evaluates.
func TestEvalReadoutNoise(t *testing.T) {
	const path, seqs, seed = "../internal/testdata/linear2-blips.json", 300, 4
	code, stdout, errs := runCLI(context.Background(), "eval", "--model", path, "--samples", fmt.Sprint(seqs), "--seed", fmt.Sprint(seed), "--no-match")
	if code != 0 {
		t.Fatalf("eval: exit %d: %s", code, errs)
	}
	f, err := model.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := train.EvaluateFile(f, seqs, 0, seed, stats.Options{SkipMatch: true})
	if err != nil {
		t.Fatal(err)
	}
	rd, err := train.ReadoutOf(f.HMM, rep)
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := rd.WriteText(&want); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(stdout, want.String()) {
		t.Errorf("eval text does not end with the readout section of the library:\n%s\nwant suffix:\n%s", stdout, want.String())
	}
	argmax := rep.RunFiguresOf(rep.Argmax, seqs, rep.T)
	emitted, _ := rep.Emitted()
	if rd.OffArgmax != rep.OffArgmax || rd.Argmax != argmax || rd.Emitted != emitted || rd.HMMOffMode != f.HMM.OffMode(rep.T) {
		t.Errorf("train.ReadoutOf %+v is not the evaluation's off-argmax share %v and figures (argmax %+v, emitted %+v)", rd, rep.OffArgmax, argmax, emitted)
	}
	// The fixture's linear2 blips through its readout: the emitted outputs
	// have more 1-step runs than its argmax outputs.
	if !(rep.OffArgmax > 0.005 && emitted.OneStep > argmax.OneStep) {
		t.Errorf("off-argmax %.4f, 1-step runs emitted %.3f argmax %.3f: want an unsaturated readout adding 1-step runs", rep.OffArgmax, emitted.OneStep, argmax.OneStep)
	}
}
