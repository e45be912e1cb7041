package train

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"hmmrnn/core/hmm"
	"hmmrnn/core/model"
	"hmmrnn/core/rnn"
	"hmmrnn/core/stats"
)

// emittedFit is the fit criterion's verdict on net's emitted symbols
// (Evaluate on n fresh sequences of T steps) and its worst figure
// relative to its limit (worstFigure).
func emittedFit(t *testing.T, net *rnn.Net, m *hmm.HMM, sigma float64, n, T int, seed uint64) (float64, stats.FitResult) {
	t.Helper()
	rep, err := Evaluate(net, m, sigma, n, T, seed, stats.Options{SkipMatch: true})
	if err != nil {
		t.Fatal(err)
	}
	_, w := worstFigure(rep.Fit)
	return w, rep.Fit
}

// A trained linear2 network (core/internal/testdata/linear2-blips.json), judged at the demo's T = 30, blips at
// its transitions (its emitted symbols change more often per sequence
// than its argmax outputs): the calibration sharpens its readout, and on
// 2000 fresh sequences its worst figure of the fit criterion falls. The
// same network with its readout saturated (nothing to sharpen), or a
// random network on the fair-coin plateau (whose argmax outputs switch far
// more than the HMM's), is left as it is.
func TestReadoutGain(t *testing.T) {
	f, err := model.Load("../internal/testdata/linear2-blips.json")
	if err != nil {
		t.Fatal(err)
	}
	const T = 30
	g, err := ReadoutGain(f.RNN, f.HMM, f.NoiseStd, T, 1, streamCalibrate)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := ReadoutGain(f.RNN, f.HMM, f.NoiseStd, T, 1, streamCalibrate)
	if again != g {
		t.Errorf("same seed and stream: gain %v then %v", g, again)
	}
	before, figs := emittedFit(t, f.RNN, f.HMM, f.NoiseStd, 2000, T, 11)
	sharp := f.RNN.Clone()
	for i := range sharp.Wout {
		sharp.Wout[i] *= g
	}
	after, sharpFigs := emittedFit(t, sharp, f.HMM, f.NoiseStd, 2000, T, 11)
	t.Logf("gain %v: worst figure %.2f of its limit -> %.2f\n  before: %v\n  after:  %v", g, before, after, figs, sharpFigs)
	if g <= 1 || after >= before {
		t.Errorf("gain %v: worst figure %.2f of its limit -> %.2f, want a gain > 1 that lowers it", g, before, after)
	}
	saturated := f.RNN.Clone()
	for i := range saturated.Wout {
		saturated.Wout[i] *= 10
	}
	if g2, err := ReadoutGain(saturated, f.HMM, f.NoiseStd, T, 2, streamCalibrate); err != nil || g2 != 1 {
		t.Errorf("the network with a saturated readout: gain %v (%v), want 1", g2, err)
	}
	random, err := rnn.New(50, 10, 3, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	if g, err := ReadoutGain(random, f.HMM, 1, T, 1, streamCalibrate); err != nil || g != 1 {
		t.Errorf("a random network on the plateau: gain %v (%v), want 1", g, err)
	}
	for _, tc := range []struct {
		name string
		net  *rnn.Net
		m    *hmm.HMM
		T    int
		want string
	}{
		{"no network", nil, f.HMM, T, "no network"},
		{"no HMM", f.RNN, nil, T, "no HMM"},
		{"outputs", random, &hmm.HMM{Name: "two", Start: []float64{1}, Transition: [][]float64{{1}}, Emission: [][]float64{{0.5, 0.5}}}, T, "3 outputs, HMM with 2"},
		{"T", f.RNN, f.HMM, 1, "T = 1"},
	} {
		if _, err := ReadoutGain(tc.net, tc.m, 1, tc.T, 1, 1); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want mention of %q", tc.name, err, tc.want)
		}
	}
}

// CalibrateReadout fits the emitter's gain every calibrateEvery steps and
// only then: Net is the trained network with W_out times one gain >= 1,
// training itself goes on exactly as without the calibration (the gain
// never reaches the gradients), and a checkpoint records the gain, holds
// the emitted network as its rnn, and resumes bit for bit.
func TestCalibrateReadoutInTraining(t *testing.T) {
	// From the blipping linear2 network, whose readout blips at T = 30
	// (TestReadoutGain), so that the first calibration has work to do.
	f, err := model.Load("../internal/testdata/linear2-blips.json")
	if err != nil {
		t.Fatal(err)
	}
	c := smallConfig(t, DataFresh)
	// A learning rate so small that the first 100 steps leave the network
	// as TestReadoutGain finds it.
	c.Hidden, c.Input, c.SeqLen, c.Init, c.LR = f.RNN.H, f.RNN.D, 30, f.RNN, 1e-7
	c.ValEvery = 0
	c.CalibrateReadout = true
	plain := c
	plain.CalibrateReadout = false
	a, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(plain)
	if err != nil {
		t.Fatal(err)
	}
	same := func(x, y *rnn.Net) bool {
		return slices.Equal(x.Win, y.Win) && slices.Equal(x.Whh, y.Whh) && slices.Equal(x.Wout, y.Wout)
	}
	run(t, a, calibrateEvery-1)
	run(t, b, calibrateEvery-1)
	if !same(a.Net(), b.Net()) || a.ReadoutGain() != 1 {
		t.Fatalf("before its first calibration the calibrated run emits with gain %v, other weights than the plain run's", a.ReadoutGain())
	}
	run(t, a, 1)
	run(t, b, 1)
	g := a.ReadoutGain()
	t.Logf("gain at step %d: %v", calibrateEvery, g)
	if g <= 1 {
		t.Fatalf("gain %v at the first calibration of a blipping readout, want > 1", g)
	}
	if !slices.Equal(a.Net().Win, b.Net().Win) || !slices.Equal(a.Net().Whh, b.Net().Whh) {
		t.Error("the calibration changed more than W_out")
	}
	for i, w := range a.Net().Wout {
		if w != g*b.Net().Wout[i] {
			t.Fatalf("W_out[%d] = %v, uncalibrated %v: not the gain %v times it", i, w, b.Net().Wout[i], g)
		}
	}
	snap, err := a.Snapshot(false, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if !snap.Training.CalibrateReadout || snap.Training.ReadoutGain != g {
		t.Errorf("the checkpoint records calibration %v, gain %v; want true, %v", snap.Training.CalibrateReadout, snap.Training.ReadoutGain, g)
	}
	if !same(snap.RNN, a.Net()) || !same(snap.Resume.Current, b.Net()) {
		t.Error("the checkpoint's rnn is not the emitted network, or its resume state not the trained one")
	}
	back, err := Resume(snap)
	if err != nil || !back.Config().CalibrateReadout || back.ReadoutGain() != g {
		t.Fatalf("resumed: calibrate %v, gain %v (%v), want true, %v", back != nil && back.Config().CalibrateReadout, back != nil && back.ReadoutGain() == g, err, g)
	}
	run(t, a, 5)
	run(t, b, 5)
	run(t, back, 5)
	if !same(a.Net(), back.Net()) {
		t.Error("a resumed calibrated run differs from the uninterrupted one")
	}
	trained, err := a.Snapshot(false, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if !same(trained.Resume.Current, b.Net()) {
		t.Error("the calibrated run trained other weights than the plain run: the gain reached the gradients")
	}
	for _, tc := range []struct {
		gain      float64
		calibrate bool
	}{{0.7, true}, {1.15, true}, {2, false}} {
		bad, _ := a.Snapshot(false, "", 0)
		bad.Training.ReadoutGain, bad.Training.CalibrateReadout = tc.gain, tc.calibrate
		if _, err := Resume(bad); err == nil || !strings.Contains(err.Error(), "readout_gain") {
			t.Errorf("readout gain %v with calibrate_readout %v: error %v, want one naming readout_gain", tc.gain, tc.calibrate, err)
		}
	}
}
