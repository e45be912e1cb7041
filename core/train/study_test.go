package train

import (
	"bytes"
	"strings"
	"testing"

	"hmmrnn/core/dynamics"
)

// RegimeOf tells the planted noise-driven network from the same network
// with its recurrence weakened (outputs independent step to step), and the
// study's table names each run's regime and counts the driven ones.
func TestRegimeOfAndTable(t *testing.T) {
	driven, err := RegimeOf(dynamics.PlantedNet(), 1, 3)
	if err != nil {
		t.Fatal(err)
	}
	weakNet := dynamics.PlantedNet()
	for i := range weakNet.Whh {
		weakNet.Whh[i] *= 0.1
	}
	weak, err := RegimeOf(weakNet, 1, 3)
	if err != nil {
		t.Fatal(err)
	}
	if !driven.NoiseDriven || dynamics.RegimeName(driven) != "driven" || weak.NoiseDriven || dynamics.RegimeName(weak) != "independent" {
		t.Fatalf("planted: %s %+v; weakened: %s %+v", dynamics.RegimeName(driven), driven, dynamics.RegimeName(weak), weak)
	}
	again, _ := RegimeOf(dynamics.PlantedNet(), 1, 3)
	if again.Rate != driven.Rate || again.Persistence != driven.Persistence {
		t.Errorf("same seed, different regime measurement: %v vs %v", again.Rate, driven.Rate)
	}
	sum := Summarise("planted", []StudyRun{{Seed: 1, Regime: driven}, {Seed: 2, Regime: weak}})
	if sum.Driven != 1 {
		t.Errorf("driven count %d, want 1", sum.Driven)
	}
	var b bytes.Buffer
	if err := WriteStudy(&b, []StudySummary{sum}); err != nil {
		t.Fatal(err)
	}
	if out := b.String(); !strings.Contains(out, "1/2") || !strings.Contains(out, " driven") || !strings.Contains(out, "independent") {
		t.Errorf("table:\n%s", out)
	}
}
