package cli

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"

	"hmmrnn/core/dynamics"
	"hmmrnn/core/hmm"
	"hmmrnn/core/model"
	"hmmrnn/core/scene/portrait"
	"hmmrnn/core/sweep"
)

// TestKickConsistency checks that the three callers of the kick detection
// name the same neurons for one model and seed: `hmmrnn analyze --only
// kick --json` (kick_neurons), the sweep's evaluation (kick.neurons of the
// result file) and the browser's portrait (the neurons it marks). The model
// is the planted network of package dynamics, whose kick neurons are known.
func TestKickConsistency(t *testing.T) {
	m, err := hmm.Preset("linear2")
	if err != nil {
		t.Fatal(err)
	}
	f := &model.File{HMM: m, RNN: dynamics.PlantedNet(), NoiseStd: 1}
	path := filepath.Join(t.TempDir(), "planted.json")
	if err := f.Save(path); err != nil {
		t.Fatal(err)
	}
	const seed = 7
	code, stdout, stderr := runCLI(context.Background(), "analyze", "--model", path, "--seed", "7", "--only", "kick", "--json")
	if code != 0 {
		t.Fatalf("analyze: exit %d: %s", code, stderr)
	}
	var rep struct {
		KickNeurons []int `json:"kick_neurons"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rep.KickNeurons, []int{40, 41}) {
		t.Errorf("analyze: kick_neurons %v, want the planted [40 41]", rep.KickNeurons)
	}
	ev, err := sweep.Evaluate(context.Background(), &sweep.Entry{Seed: seed, HMM: m, Eval: sweep.Eval{Sequences: 20, Kick: true}}, f)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Kick == nil || !slices.Equal(ev.Kick.Neurons, rep.KickNeurons) {
		t.Errorf("sweep stores kick neurons %+v, analyze reports %v", ev.Kick, rep.KickNeurons)
	}
	p, _, _, err := portrait.Build(f.RNN, rand.New(rand.NewPCG(1, 2)), portrait.Options{Steps: 300, Detect: &dynamics.KickOptions{Seed: seed, Sigma: f.NoiseStd}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(p.Kick, rep.KickNeurons) {
		t.Errorf("portrait marks %v, analyze reports %v", p.Kick, rep.KickNeurons)
	}
}
