package train

import (
	"bytes"
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"hmmrnn/core/dynamics"
	"hmmrnn/core/hmm"
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

// A study records each kept network's readout noise, the same for the same
// seed, and its table shows the share of emitted symbols off the argmax.
func TestStudyReadout(t *testing.T) {
	m, err := hmm.Preset("linear2")
	if err != nil {
		t.Fatal(err)
	}
	st := Study{HMMs: []*hmm.HMM{m}, Seeds: []uint64{3},
		Run: FitRun{Recipe: DefaultRecipe, Every: 20, Samples: 60, MaxSteps: 40},
		Config: func(m *hmm.HMM, seed uint64) Config {
			c := DefaultConfig(m)
			c.Hidden, c.Input, c.Batch, c.SeqLen, c.Seed = 6, 2, 16, 12, seed
			return c
		}}
	var outs [2][]StudySummary
	for i := range outs {
		if outs[i], err = st.Do(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	r := outs[0][0].Runs[0].Readout
	if !(r.OffArgmax > 0 && r.OffArgmax < 1) || r.HMM.Changes <= 0 || !reflect.DeepEqual(r, outs[1][0].Runs[0].Readout) {
		t.Errorf("readout %+v (again %+v): want an off-argmax share in (0, 1), the HMM's changes, the same twice", r, outs[1][0].Runs[0].Readout)
	}
	var b bytes.Buffer
	if err := WriteStudy(&b, outs[0]); err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("%.1f%%", 100*r.OffArgmax); !strings.Contains(b.String(), want) {
		t.Errorf("table lacks the off-argmax share %s:\n%s", want, b.String())
	}
}
