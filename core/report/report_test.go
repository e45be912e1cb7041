package report

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"hmmrnn/core/dynamics"
	"hmmrnn/core/hmm"
	"hmmrnn/core/rnn"
)

func TestAnalyzePlanted(t *testing.T) {
	m, err := hmm.Preset("linear2")
	if err != nil {
		t.Fatal(err)
	}
	net := dynamics.PlantedNet()
	cps := []dynamics.Checkpoint{{Label: "early", Step: 1, Net: net.Clone()}, {Label: "late", Step: 2, Net: net}}
	for i := range cps[0].Net.Whh {
		cps[0].Net.Whh[i] *= 0.2
	}
	rep, err := Analyze(Input{Name: "planted", Net: net, HMM: m, NoiseStd: 1, Checkpoints: cps}, Options{
		Seed: 3, PCASteps: 8000, ResidencyStates: 200,
		Noise:     dynamics.NoiseScanOptions{Sigmas: []float64{0.5, 1, 2}, Steps: 1000, FidelitySeqs: 50},
		Kick:      dynamics.KickOptions{Eval: dynamics.RateOptions{Chains: 16, Steps: 400}},
		Causal:    dynamics.CausalOptions{Mode: dynamics.Both, Mus: []float64{0, 1, 2}, Controls: 2},
		Evolution: dynamics.EvolutionOptions{Steps: 300, EigenStates: 5},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rep.KickNeurons, []int{40, 41}) {
		t.Errorf("kick neurons %v, want the planted [40 41]", rep.KickNeurons)
	}
	if rep.Causal == nil || rep.Causal.KickCut < 0.9 || rep.Causal.ControlCutMax > 0.3 {
		t.Errorf("causal: %+v", rep.Causal)
	}
	if rep.Checks.OneFixedPoint == nil || !*rep.Checks.OneFixedPoint {
		t.Errorf("planted network should collapse to the origin without input: %+v", rep.Collapse)
	}
	// Noise sensitivity (core/METHOD.md section 5.6): the planted kick flips the state in one
	// deterministic step, the populations diffuse. The transition states are
	// topped up from the run's switches to the full count.
	if si := rep.Sensitivity; si == nil {
		t.Error("no sensitivity analysis")
	} else {
		if len(si.ClusterStates) != dynamics.DefaultSensitivityStates || len(si.TransitionStates) != dynamics.DefaultSensitivityStates || si.Candidates == 0 {
			t.Errorf("sensitivity from %d cluster and %d transition states (%d candidates), want %d each",
				len(si.ClusterStates), len(si.TransitionStates), si.Candidates, dynamics.DefaultSensitivityStates)
		}
		G := len(si.Gammas) - 1
		if c, tr := si.Cluster[G].NoiseSharePC[0], si.Transition[G].NoiseSharePC[0]; c < 0.3 || tr > 0.1 {
			t.Errorf("noise share after the first step: cluster %.3f (want > 0.3), transition %.3f (want < 0.1: the kick is deterministic)", c, tr)
		}
		if si.Ratio < 1.5 || si.FullRatio < 1.2 {
			t.Errorf("noise-share ratio cluster/transition %.3g (PC plane, want > 1.5), %.3g (all dims, want > 1.2)", si.Ratio, si.FullRatio)
		}
		if rep.Checks.SensitivityRatio == nil || *rep.Checks.SensitivityRatio != si.Ratio {
			t.Errorf("checks.sensitivity_ratio %v, want %v", rep.Checks.SensitivityRatio, si.Ratio)
		}
		if len(si.ClusterShares) != len(si.ClusterStates) || len(si.TransitionShares) != len(si.TransitionStates) {
			t.Errorf("%d/%d per-state shares for %d/%d states", len(si.ClusterShares), len(si.TransitionShares), len(si.ClusterStates), len(si.TransitionStates))
		}
	}
	files, err := rep.Files()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"report.json", "index.html", "orbit.svg", "collapse.svg", "spectra.svg", "residency.svg",
		"zones.svg", "stability.svg", "sensitivity.svg", "density.svg", "resonance.svg", "kick_weights.svg",
		"kick_activity.svg", "causal.svg", "evolution.svg", "evolution_pca.svg", "readout.svg", "compose.svg"} {
		b, ok := files[name]
		if !ok {
			t.Errorf("missing %s", name)
			continue
		}
		if strings.HasSuffix(name, ".svg") && !strings.Contains(string(b[:min(len(b), 400)]), "<svg") {
			t.Errorf("%s is not an SVG", name)
		}
		if strings.HasSuffix(name, ".svg") && !strings.Contains(string(files["index.html"]), name) {
			t.Errorf("index.html does not show %s", name)
		}
	}
	var back map[string]any
	if err := json.Unmarshal(files["report.json"], &back); err != nil {
		t.Fatal(err)
	}
	if back["schema"] != Schema {
		t.Errorf("schema %v", back["schema"])
	}
	if k, ok := back["kick_neurons"].([]any); !ok || len(k) != 2 {
		t.Errorf("kick_neurons in JSON: %v", back["kick_neurons"])
	}
}

func TestAnalyzeOnly(t *testing.T) {
	net := dynamics.PlantedNet()
	rep, err := Analyze(Input{Net: net, NoiseStd: 1}, Options{Only: []string{"causal"}, PCASteps: 4000, Kick: dynamics.KickOptions{Eval: dynamics.RateOptions{Chains: 8, Steps: 300}}, Causal: dynamics.CausalOptions{Mus: []float64{0, 1}, Controls: 1, Mode: dynamics.Both}})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Kick == nil || rep.Causal == nil || rep.Collapse != nil || rep.Noise != nil {
		t.Errorf("only causal: want kick and causal, nothing else; got kick %v causal %v collapse %v noise %v", rep.Kick != nil, rep.Causal != nil, rep.Collapse != nil, rep.Noise != nil)
	}
	if _, err := Analyze(Input{Net: net}, Options{Only: []string{"nonsense"}}); err == nil {
		t.Error("unknown analysis: no error")
	}
	if _, err := Analyze(Input{}, Options{}); err == nil {
		t.Error("no network: no error")
	}
}

// BenchmarkAnalyzeH150 times the whole analysis of a random H = 150, D = 100
// network at the paper's run lengths (see BenchmarkResidencyH150 in package
// dynamics for the slowest single part).
func BenchmarkAnalyzeH150(b *testing.B) {
	net, err := rnn.New(150, 100, 3, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		b.Fatal(err)
	}
	m, _ := hmm.Preset("linear2")
	for b.Loop() {
		if _, err := Analyze(Input{Net: net, HMM: m, NoiseStd: 1}, Options{Seed: 1, Noise: dynamics.NoiseScanOptions{Steps: 4000, FidelitySeqs: 200}}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestJSONSanitize checks that non-finite values are written as 0 and
// named in the notes, and that encoding leaves the report as it was.
func TestJSONSanitize(t *testing.T) {
	r := &Report{Schema: Schema, KickNeurons: []int{}, Sigma: math.NaN(), Notes: []string{"kept"},
		PCA:  &PCAInfo{Explained: []float64{1, math.Inf(1)}},
		Kick: &KickInfo{KickResult: dynamics.KickResult{Events: map[string]int{"0->2": 3}, Cut: math.NaN()}}}
	first, err := r.JSON()
	if err != nil {
		t.Fatal(err)
	}
	if !math.IsNaN(r.Sigma) || !math.IsInf(r.PCA.Explained[1], 1) || !math.IsNaN(r.Kick.Cut) || len(r.Notes) != 1 {
		t.Errorf("JSON changed the report: sigma %v explained %v kick cut %v notes %v", r.Sigma, r.PCA.Explained, r.Kick.Cut, r.Notes)
	}
	second, err := r.JSON()
	if err != nil {
		t.Fatal(err)
	}
	if string(first) != string(second) {
		t.Error("encoding twice gives different bytes")
	}
	var back Report
	if err := json.Unmarshal(first, &back); err != nil {
		t.Fatal(err)
	}
	if back.Sigma != 0 || back.PCA.Explained[1] != 0 || back.Kick.Cut != 0 || len(back.Notes) != 2 || back.Notes[0] != "kept" ||
		!strings.Contains(back.Notes[1], "report.pca.explained[1]") || !strings.Contains(back.Notes[1], "report.kick.cut") {
		t.Errorf("sanitised report: sigma %v explained %v kick cut %v notes %v", back.Sigma, back.PCA.Explained, back.Kick.Cut, back.Notes)
	}
}
