package train

import (
	"math"
	"testing"
)

// An untrained network emits nearly independent symbols: the check must
// call it a plateau once PlateauAfter steps have passed, and not before.
func TestMonitorPlateau(t *testing.T) {
	c := smallConfig(t, DataFresh)
	c.SeqLen = 30
	tr, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	run(t, tr, 2)
	m := Monitor{Every: 2, Samples: 500, PlateauAfter: 3, Seed: 1}
	if !m.Due(2) || m.Due(3) {
		t.Error("Due does not follow Every")
	}
	ch, err := m.Check(tr)
	if err != nil {
		t.Fatal(err)
	}
	// Independent symbols: independence 1 up to sampling noise (500
	// sequences x 29 pairs give a standard error below 0.01).
	if math.Abs(ch.Independence-1) > 0.05 {
		t.Errorf("independence of an untrained net %.3f, want 1 ± 0.05", ch.Independence)
	}
	if ch.HMMIndependence > 0.3 {
		t.Errorf("HMM independence %.3f, want the chain's strong persistence (< 0.3)", ch.HMMIndependence)
	}
	if ch.Plateau || ch.Fit {
		t.Errorf("step 2 < PlateauAfter 3: plateau %v fit %v, want neither", ch.Plateau, ch.Fit)
	}
	run(t, tr, 2)
	ch, _ = m.Check(tr)
	if !ch.Plateau {
		t.Errorf("step 4 >= PlateauAfter with independence %.2f: no plateau reported", ch.Independence)
	}
	next, err := m.Restart(tr)
	if err != nil {
		t.Fatal(err)
	}
	if next.Config().Seed != c.Seed+1 || next.StepCount() != 0 {
		t.Errorf("restart: seed %d step %d, want %d, 0", next.Config().Seed, next.StepCount(), c.Seed+1)
	}
}
