package cli

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"hmmrnn/core/model"
)

// A network that cannot leave the plateau (2 neurons, 1 noise input) is
// restarted with the next seed by the shared monitor policy, within the
// step budget, and the saved model is the last run's.
func TestTrainRestartsOnPlateau(t *testing.T) {
	out := filepath.Join(t.TempDir(), "m.json")
	code, stdout, stderr := runCLI(context.Background(), "train", "--hmm", "linear2", "--hidden", "2", "--input", "1", "--batch", "16",
		"--seq-len", "30", "--val-every", "0", "--steps", "14", "--seed", "3", "--eval-every", "2", "--restart-plateau", "--plateau-after", "4",
		"--recipe", "paper", "--out", out) // the default recipe's W_hh gain lets even this network leave the plateau
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "fair-coin plateau at step 6: restarting with seed 4") || !strings.Contains(stdout, "(seed 5, after 2 plateau restarts)") {
		t.Errorf("stderr %q\nstdout %q", stderr, stdout)
	}
	f, err := model.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	if f.Training.Seed != 5 || f.Training.Step != 2 {
		t.Errorf("saved run: seed %d, %d steps; want seed 5 with 14-6-6 = 2 steps (3 plateau checks, 2 steps apart, before each restart)", f.Training.Seed, f.Training.Step)
	}
}

// --max-time ends the training and saves it; a negative budget is bad
// usage.
func TestTrainMaxTime(t *testing.T) {
	out := filepath.Join(t.TempDir(), "m.json")
	code, _, stderr := runCLI(context.Background(), append([]string{"train", "--steps", "100000", "--max-time", "1ns", "--out", out}, tiny...)...)
	if code != 0 || !strings.Contains(stderr, "--max-time 1ns reached at step 1") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if f, err := model.Load(out); err != nil || f.Training.Step != 1 {
		t.Errorf("saved model: %v", err)
	}
	if code, _, stderr := runCLI(context.Background(), "train", "--max-time", "-1s"); code != 2 || !strings.Contains(stderr, "max-time") {
		t.Errorf("--max-time -1s: exit %d, %q", code, stderr)
	}
}
