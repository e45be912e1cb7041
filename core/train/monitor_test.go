package train

import (
	"math"
	"testing"

	"hmmrnn/core/stats"
)

// An untrained network emits nearly independent symbols: the check must
// find the plateau, and the policy must ask for a restart only once
// PlateauAfter steps have passed.
func TestMonitorPlateau(t *testing.T) {
	c := smallConfig(t, DataFresh)
	c.SeqLen = 30
	tr, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	run(t, tr, 2)
	m := &Monitor{Every: 2, Samples: 500, PlateauAfter: 3, PlateauChecks: 1, FitStreak: 1, MaxRestarts: 1}
	if !m.due(2) || m.due(3) {
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
	if !ch.Plateau || ch.Stuck || ch.Fit || ch.Restart {
		t.Errorf("step 2 < PlateauAfter 3: plateau %v stuck %v fit %v restart %v, want a plateau only", ch.Plateau, ch.Stuck, ch.Fit, ch.Restart)
	}
	run(t, tr, 2)
	if ch, _ = m.Check(tr); !ch.Stuck || !ch.Restart {
		t.Errorf("step 4 >= PlateauAfter with independence %.2f: stuck %v restart %v", ch.Independence, ch.Stuck, ch.Restart)
	}
	tr.SetHelper(&syncHelper{})
	next, err := m.restart(tr)
	if err != nil {
		t.Fatal(err)
	}
	if next.Config().Seed != c.Seed+1 || next.StepCount() != 0 || next.helper != tr.helper {
		t.Errorf("restart: seed %d step %d, want %d, 0, and the helper kept", next.Config().Seed, next.StepCount(), c.Seed+1)
	}
	// MaxRestarts 1 is used up: the plateau persists, no second restart.
	run(t, next, 4)
	if ch, _ = m.Check(next); !ch.Stuck || ch.Restart {
		t.Errorf("after the last allowed restart: plateau %v restart %v", ch.Plateau, ch.Restart)
	}
}

// A check is Evaluate with the run's seed: the same report as calling it
// directly, so the page, the command line and a sweep judge alike.
func TestMonitorEvaluateIsEvaluate(t *testing.T) {
	c := smallConfig(t, DataFresh)
	tr, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	run(t, tr, 3)
	m := DefaultMonitor(3, 200)
	ch, err := m.Check(tr)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Evaluate(tr.Net(), c.HMM, c.NoiseStd, 200, c.SeqLen, c.Seed, stats.Options{SkipMatch: true})
	if err != nil {
		t.Fatal(err)
	}
	if ch.Report.RNN.Volatility != rep.RNN.Volatility || ch.Report.Sample2.Volatility != rep.Sample2.Volatility {
		t.Errorf("check report differs from Evaluate's")
	}
	want := DefaultCriterion(rep)
	if ch.Fit != want.Fit || len(ch.Figures) != 4 || ch.Figures[1].Value != rep.Fit.Figure(stats.FitTrans).Value || ch.Figures[0].Limit < stats.FidelityFreqTol {
		t.Errorf("verdict %+v, want %+v", ch.Verdict, want)
	}
}

// A pass counts only when a second, independent sample of the same
// weights confirms it; otherwise the check carries the confirming
// sample's report and failing verdict.
func TestAssessConfirmsPass(t *testing.T) {
	c := smallConfig(t, DataFresh)
	tr, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	var seen []*stats.Report
	passFirst := func(rep *stats.Report) Verdict {
		seen = append(seen, rep)
		return Verdict{Fit: len(seen)%2 == 1, Figures: []Figure{{Name: "call", Value: float64(len(seen)), Limit: 1.5}}}
	}
	m := DefaultMonitor(1, 60)
	m.Criterion = passFirst
	chk, err := m.Check(tr)
	if err != nil {
		t.Fatal(err)
	}
	if chk.Fit || chk.Met || chk.Streak != 0 || len(seen) != 2 || chk.Report != seen[1] || chk.Figures[0].Value != 2 {
		t.Fatalf("unconfirmed pass: fit %v met %v streak %d, %d evaluations, report is the second %v, figure %v",
			chk.Fit, chk.Met, chk.Streak, len(seen), chk.Report == seen[1], chk.Figures)
	}
	if equalObs(seen[0], seen[1]) {
		t.Error("the confirmation drew the same samples as the check")
	}
	// The same weights and seed assess identically (common random numbers).
	rep, v, _, _, err := m.Assess(tr.Net(), c.HMM, c.NoiseStd, c.SeqLen, c.Seed, 0)
	if err != nil || v.Fit || rep.RNN.Volatility != seen[1].RNN.Volatility {
		t.Errorf("repeat assessment: fit %v, volatility %v vs %v, err %v", v.Fit, rep.RNN.Volatility, seen[1].RNN.Volatility, err)
	}
}

// equalObs reports whether two reports summarise identical samples (same
// RNN and HMM volatility and frequencies).
func equalObs(a, b *stats.Report) bool {
	return a.RNN.Volatility == b.RNN.Volatility && a.Sample.Volatility == b.Sample.Volatility &&
		a.RNN.Freq[0] == b.RNN.Freq[0] && a.Sample.Freq[0] == b.Sample.Freq[0]
}
