package report

import (
	"testing"

	"hmmrnn/core/dynamics"
	"hmmrnn/core/hmm"
	"hmmrnn/core/internal/golden"
)

// goldenTol is the relative tolerance of report.json's numbers against the
// golden file: far below any change of method (those move figures in the
// second or third digit) and far above the last-bit differences a platform
// with fused multiply-adds can accumulate over the analyses' runs.
const goldenTol = 1e-6

// TestReportJSONGolden pins report.json of every analysis on the planted
// network (small settings, fixed seed) to testdata/golden/report.json.
// Regenerate after a deliberate change with `go test ./core/report -update`
// and review the diff.
func TestReportJSONGolden(t *testing.T) {
	m, err := hmm.Preset("linear2")
	if err != nil {
		t.Fatal(err)
	}
	net := dynamics.PlantedNet()
	early := net.Clone()
	for i := range early.Whh {
		early.Whh[i] *= 0.2
	}
	cps := []dynamics.Checkpoint{{Label: "early", Step: 1, Net: early}, {Label: "late", Step: 2, Net: net}}
	rep, err := Analyze(Input{Name: "planted", Net: net, HMM: m, NoiseStd: 1, Checkpoints: cps}, Options{
		Seed: 5, PCASteps: 3000, ResidencyStates: 100, SensitivityStates: 4,
		Noise:     dynamics.NoiseScanOptions{Sigmas: []float64{0.5, 1}, Steps: 500, FidelitySeqs: 20},
		Kick:      dynamics.KickOptions{Eval: dynamics.RateOptions{Chains: 8, Steps: 250}, Controls: 3},
		Causal:    dynamics.CausalOptions{Mode: dynamics.Both, Mus: []float64{0, 1}, Controls: 1},
		Evolution: dynamics.EvolutionOptions{Steps: 600, EigenStates: 3},
	})
	if err != nil {
		t.Fatal(err)
	}
	// Wall times are the one part that is not a function of the inputs.
	for k := range rep.Seconds {
		rep.Seconds[k] = 0
	}
	b, err := rep.JSON()
	if err != nil {
		t.Fatal(err)
	}
	golden.JSON(t, "report.json", b, goldenTol)
}
