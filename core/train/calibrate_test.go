package train

import (
	"math"
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
	sharp.Readout = rnn.Readout{Gain: g, Rare: RareSymbols(f.HMM, T)}
	after, sharpFigs := emittedFit(t, sharp, f.HMM, f.NoiseStd, 2000, T, 11)
	t.Logf("gain %v: worst figure %.2f of its limit -> %.2f\n  before: %v\n  after:  %v", g, before, after, figs, sharpFigs)
	if g <= 1 || after >= before {
		t.Errorf("gain %v: worst figure %.2f of its limit -> %.2f, want a gain > 1 that lowers it", g, before, after)
	}
	// The calibrated readout emits the rare symbol (output 1) as often as
	// the trained one, where W_out times the gain emits it less. This
	// network hardly emits it (0.007%), so output 1's readout row is made
	// the mean of the two others': its logit is then half-way between
	// theirs, and it is emitted a few percent of the time.
	withRare := f.RNN.Clone()
	H := withRare.H
	for i := range H {
		withRare.Wout[H+i] = (withRare.Wout[i] + withRare.Wout[2*H+i]) / 2
	}
	sharp = withRare.Clone()
	sharp.Readout = rnn.Readout{Gain: g, Rare: RareSymbols(f.HMM, T)}
	scaled := withRare.Clone()
	for i := range scaled.Wout {
		scaled.Wout[i] *= g
	}
	const runs = 5000
	rareRate := func(n *rnn.Net) float64 {
		obs := n.Sample(rand.New(rand.NewPCG(3, 4)), runs, T, f.NoiseStd)
		c := 0
		for _, o := range obs {
			if o == 1 {
				c++
			}
		}
		return float64(c) / float64(len(obs))
	}
	trained, calibrated, single := rareRate(withRare), rareRate(sharp), rareRate(scaled)
	t.Logf("output 1 emitted: trained readout %.3f%%, calibrated %.3f%%, W_out times %v %.3f%%", 100*trained, 100*calibrated, g, 100*single)
	// Tolerance: 5 standard deviations of the difference of two binomial
	// rates over runs*T symbols.
	if tol := 5 * math.Sqrt(2*trained/(runs*T)); trained < 0.001 || math.Abs(calibrated-trained) > tol || single > trained-2*tol {
		t.Errorf("output 1 emitted at %.3f%% by the trained readout, %.3f%% by the calibrated one, %.3f%% by W_out times the gain: want the first above 0.1%%, the second within %.3f%% of it and the third below it by twice that",
			100*trained, 100*calibrated, 100*single, 100*tol)
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

// blipsConfig is a calibrated run from the blipping linear2 network, whose
// readout blips at T = 30 (TestReadoutGain), so that the first calibration
// has work to do, at a learning rate so small that the first 100 steps
// leave the network as TestReadoutGain finds it.
func blipsConfig(t *testing.T) Config {
	t.Helper()
	f, err := model.Load("../internal/testdata/linear2-blips.json")
	if err != nil {
		t.Fatal(err)
	}
	c := smallConfig(t, DataFresh)
	c.Hidden, c.Input, c.SeqLen, c.Init, c.LR = f.RNN.H, f.RNN.D, 30, f.RNN, 1e-7
	c.CalibrateReadout = true
	return c
}

// CalibrateReadout fits the emitter's gain every calibrateEvery steps and
// only then: Net is the trained network with a calibrated readout (gain >= 1,
// the rare output 1 as trained),
// training itself goes on exactly as without the calibration (the gain
// never reaches the gradients), and a checkpoint records the gain, holds
// the emitted network as its rnn, and resumes bit for bit.
func TestCalibrateReadoutInTraining(t *testing.T) {
	c := blipsConfig(t)
	c.ValEvery = 0
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
	if !same(a.Net(), b.Net()) {
		t.Error("the calibration changed the weights")
	}
	if r := a.Net().Readout; r.Gain != g || !slices.Equal(r.Rare, []int{1}) {
		t.Errorf("the calibrated run emits with readout %+v, want gain %v and rare output 1", r, g)
	}
	snap, err := a.Snapshot(false, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if !snap.Training.CalibrateReadout || snap.Training.ReadoutGain != g {
		t.Errorf("the checkpoint records calibration %v, gain %v; want true, %v", snap.Training.CalibrateReadout, snap.Training.ReadoutGain, g)
	}
	if !same(snap.RNN, a.Net()) || snap.RNN.Readout.Gain != g || !slices.Equal(snap.RNN.Readout.Rare, []int{1}) || !same(snap.Resume.Current, b.Net()) || !snap.Resume.Current.Readout.IsPlain() {
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

// The best-validation weights are kept with the readout they were
// emitted with at their step: the plain readout before the first
// calibration, the calibrated one after it (copyNet copies the readout).
func TestBestKeepsItsReadout(t *testing.T) {
	c := blipsConfig(t)
	c.ValEvery, c.ValSize = 50, 200
	tr, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	run(t, tr, 50)
	if best, step := tr.Best(); step != 50 || !best.Readout.IsPlain() {
		t.Fatalf("at step 50: best step %d, readout %+v; want 50 and the plain readout", step, best.Readout)
	}
	// The readout the run emitted with at each step that validated best.
	var want rnn.Readout
	for range 2 * calibrateEvery {
		run(t, tr, 1)
		if _, s := tr.Best(); s == tr.StepCount() {
			want = tr.Net().Readout.Clone()
		}
	}
	best, step := tr.Best()
	t.Logf("best-validation step %d, readout %+v", step, best.Readout)
	if step < calibrateEvery || want.Gain <= 1 {
		t.Fatalf("best step %d with readout %+v: want a calibrated readout that validates best (the blips removed)", step, want)
	}
	snap, err := tr.Snapshot(true, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if best.Readout.Gain != want.Gain || !slices.Equal(best.Readout.Rare, []int{1}) || snap.RNN.Readout.Gain != want.Gain {
		t.Errorf("the best-validation network (step %d) is kept with readout %+v (in its file %+v), want %+v", step, best.Readout, snap.RNN.Readout, want)
	}
}
