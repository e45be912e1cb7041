package portrait

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"hmmrnn/core/dynamics"
	"hmmrnn/core/rnn"
	"hmmrnn/core/scene"
)

func testNet(t *testing.T) *rnn.Net {
	t.Helper()
	n, err := rnn.New(12, 4, 3, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestBuildLayers(t *testing.T) {
	n := testNet(t)
	opt := Options{Steps: 600, DrawSteps: 200, Flow: true, Density: true, Decay: true, Zones: true, Kick: []int{3}}
	p, info, pca, err := Build(n, rand.New(rand.NewPCG(2, 2)), opt)
	if err != nil {
		t.Fatal(err)
	}
	s := &p.Scene
	// The trajectory: the lines coloured per point (one per run shown; the
	// input-free runs have one colour), 200 points in all.
	var traj scene.Polyline
	for _, l := range s.Lines {
		if l.Colors != nil {
			traj.Points = append(traj.Points, l.Points...)
			traj.Colors = append(traj.Colors, l.Colors...)
		}
	}
	if len(traj.Points) != 200 || len(traj.Colors) != 200 {
		t.Fatalf("trajectory has %d points, %d colours; want 200 (%s)", len(traj.Points), len(traj.Colors), info.Caption)
	}
	// The frame holds the central 99% of the states along each axis
	// (boundsQuantile), plus 8% padding: at most 2% of them fall outside.
	out := 0
	for _, q := range traj.Points {
		if q.X < s.Bounds.Min.X || q.X > s.Bounds.Max.X || q.Y < s.Bounds.Min.Y || q.Y > s.Bounds.Max.Y {
			out++
		}
	}
	if out > len(traj.Points)/50 {
		t.Errorf("%d of %d points outside bounds %v", out, len(traj.Points), s.Bounds)
	}
	// Colours are output colours (alpha aside).
	for _, c := range traj.Colors {
		ok := false
		for o := range 3 {
			ok = ok || c.WithAlpha(1) == scene.OutputColor(o)
		}
		if !ok {
			t.Fatalf("trajectory colour %v is no output's", c)
		}
	}
	if len(s.Heatmaps) != 1 || s.Heatmaps[0].Rows != DefaultDensityGrid {
		t.Errorf("density layer missing")
	}
	if len(s.Arrows) == 0 {
		t.Errorf("flow layer missing")
	}
	if len(info.Zones) != len(dynamics.Zones) {
		t.Errorf("zone counts %v", info.Zones)
	}
	sum := 0
	for _, z := range info.Zones {
		sum += z
	}
	if sum != min(DefaultZoneStates, 200) {
		t.Errorf("%d states classified, want %d", sum, min(DefaultZoneStates, 200))
	}
	if info.TransitionRate < 0 || info.TransitionRate > 1 || len(info.Explained) != 2 || info.Explained[0] < info.Explained[1] {
		t.Errorf("info %+v", info)
	}
	if pca.H != 12 || len(p.PC1) != 12 || p.Net == nil || p.Net.H != 12 || len(p.Kick) != 1 {
		t.Errorf("projection or weights missing")
	}
	// The portrait survives the trip to the app.
	if _, err := scene.Decode(p.Encode()); err != nil {
		t.Errorf("decode: %v", err)
	}
}

func TestBuildDeterministicAndBasisReuse(t *testing.T) {
	n := testNet(t)
	opt := Options{Steps: 400, Flow: true, Decay: true}
	p1, _, pca, err := Build(n, rand.New(rand.NewPCG(7, 7)), opt)
	if err != nil {
		t.Fatal(err)
	}
	p2, _, _, _ := Build(n, rand.New(rand.NewPCG(7, 7)), opt)
	if !bytes.Equal(p1.Encode(), p2.Encode()) {
		t.Errorf("same seed, different portraits")
	}
	opt.Basis, opt.Sigma = pca, 2
	p3, info, pca3, err := Build(n, rand.New(rand.NewPCG(8, 8)), opt)
	if err != nil {
		t.Fatal(err)
	}
	if pca3 != pca || info.Sigma != 2 {
		t.Errorf("basis not reused or sigma lost")
	}
	for i := range p3.PC1 {
		if p3.PC1[i] != p1.PC1[i] {
			t.Fatalf("axis changed despite the given basis")
		}
	}
}

func TestBuildSilenced(t *testing.T) {
	n := testNet(t)
	_, info0, _, err := Build(n, rand.New(rand.NewPCG(3, 3)), Options{Steps: 500})
	if err != nil {
		t.Fatal(err)
	}
	// Silencing every neuron (mu = 0 on both inputs) leaves h = 0: no switches.
	all := make([]int, n.H)
	for i := range all {
		all[i] = i
	}
	_, info, _, err := Build(n, rand.New(rand.NewPCG(3, 3)), Options{Steps: 500, Neurons: all, Mu: 0, Mode: dynamics.Both})
	if err != nil {
		t.Fatal(err)
	}
	if info.TransitionRate != 0 {
		t.Errorf("fully silenced network switches at rate %v (nominal %v)", info.TransitionRate, info0.TransitionRate)
	}
	if _, _, _, err := Build(n, rand.New(rand.NewPCG(3, 3)), Options{Steps: 100, Neurons: []int{99}}); err == nil {
		t.Errorf("out-of-range neuron accepted")
	}
	if _, _, _, err := Build(n, rand.New(rand.NewPCG(3, 3)), Options{Neurons: []int{1}, Detect: &dynamics.KickOptions{}}); err == nil {
		t.Errorf("kick search under an intervention accepted")
	}
	if _, _, _, err := Build(nil, nil, Options{}); err == nil {
		t.Errorf("nil network accepted")
	}
}

func TestBuildDivergingNetwork(t *testing.T) {
	n := testNet(t)
	// W_hh = 50 I: relu activity grows 50-fold a step, so the long run
	// overflows float64 within about 200 steps, while runs of the trained
	// horizon (30 steps) stay finite but span 50^30 in |h|.
	clear(n.Whh)
	for i := range n.H {
		n.Whh[i*n.H+i] = 50
	}
	p, info, _, err := Build(n, rand.New(rand.NewPCG(1, 2)), Options{Steps: 1000, Decay: true, Flow: true, Zones: true})
	if err != nil {
		t.Fatal(err)
	}
	if info.Source != SourceHorizon || info.Scale != ScaleDirection || info.Diverged || info.Runs != 1000/30 ||
		info.Horizon != DefaultHorizon || info.Steps != 990 || info.LongDivergedAt < 1 || info.LongDivergedAt > 200 {
		t.Errorf("info %+v", info)
	}
	if info.NormSpread <= MaxNormSpread || info.Caption == "" {
		t.Errorf("norm spread %v, caption %q", info.NormSpread, info.Caption)
	}
	for _, l := range p.Scene.Lines {
		for _, q := range l.Points {
			if !finite([]float64{q.X, q.Y}) {
				t.Fatalf("non-finite point %v", q)
			}
		}
	}
	if _, err := json.Marshal(info); err != nil {
		t.Errorf("info of a diverging network does not encode: %v", err)
	}
	if _, err := scene.Decode(p.Encode()); err != nil {
		t.Errorf("decode: %v", err)
	}

	// W_hh = 1e60 I overflows float64 within 6 steps: what stayed finite is
	// drawn and flagged.
	for i := range n.H {
		n.Whh[i*n.H+i] = 1e60
	}
	_, info, _, err = Build(n, rand.New(rand.NewPCG(1, 2)), Options{Steps: 1000, Horizon: 30})
	if err != nil {
		t.Fatal(err)
	}
	if !info.Diverged || info.Runs != 1 || info.Steps < 2 || info.Steps >= 30 {
		t.Errorf("overflowing network: %+v", info)
	}
	if _, err := json.Marshal(info); err != nil {
		t.Errorf("info of an overflowing network does not encode: %v", err)
	}
}

func TestBuildBoundedUsesLongRun(t *testing.T) {
	_, info, _, err := Build(testNet(t), rand.New(rand.NewPCG(1, 2)), Options{Steps: 500})
	if err != nil {
		t.Fatal(err)
	}
	if info.Source != SourceLong || info.Scale != ScaleState || info.Runs != 1 || info.Horizon != 500 || info.LongDivergedAt != 0 || info.Diverged {
		t.Errorf("info %+v", info)
	}
	// The caption names the run, not the regime: the page says
	// "noise-driven" only of the regime (dynamics.IsNoiseDriven), which
	// this untrained network is not in.
	if want := "one long run of 500 steps with input noise"; !strings.HasPrefix(info.Caption, want) || strings.Contains(info.Caption, "noise-driven") {
		t.Errorf("caption %q: want it to begin %q and not to say noise-driven", info.Caption, want)
	}
}

func TestBuildWindow(t *testing.T) {
	n := testNet(t)
	_, info, _, err := Build(n, rand.New(rand.NewPCG(4, 4)), Options{Steps: 300, Window: 120})
	if err != nil {
		t.Fatal(err)
	}
	w := info.Window
	if w == nil || w.Steps != 120 || w.H != n.H || len(w.Level) != 120*n.H || len(w.Peak) != n.H || len(w.Outputs) != 120 || len(w.Starts) != 0 {
		t.Fatalf("window %+v", w)
	}
	// Each active unit reaches level 255 at its peak, and levels scale
	// with activity.
	for i, p := range w.Peak {
		top := byte(0)
		for s := range w.Steps {
			top = max(top, w.Level[s*n.H+i])
		}
		if (p > 0) != (top == 255) {
			t.Errorf("unit %d: peak %v, top level %d", i, p, top)
		}
	}
	// Horizon runs mark where each run starts.
	clear(n.Whh)
	for i := range n.H {
		n.Whh[i*n.H+i] = 50
	}
	_, info, _, err = Build(n, rand.New(rand.NewPCG(4, 4)), Options{Steps: 300, Window: 100, Horizon: 30})
	if err != nil {
		t.Fatal(err)
	}
	// 10 runs of 30 = 300 states; the last 100 start at state 200, runs
	// start at 210, 240, 270: window steps 10, 40, 70.
	if w := info.Window; w == nil || !reflect.DeepEqual(w.Starts, []int{10, 40, 70}) {
		t.Errorf("run starts %v", w.Starts)
	}
	if _, err := json.Marshal(info); err != nil {
		t.Error(err)
	}
}

func TestBuildLongRunOnOneOutput(t *testing.T) {
	// A readout that always names output 0 (h >= 0, row 0 all +1, the
	// others -1): the bounded long run stays on one output, so the trained
	// horizon's runs are shown, and say that no clusters can be told apart.
	n := testNet(t)
	for o := range n.O {
		for i := range n.H {
			n.Wout[o*n.H+i] = -1
			if o == 0 {
				n.Wout[o*n.H+i] = 1
			}
		}
	}
	_, info, _, err := Build(n, rand.New(rand.NewPCG(5, 5)), Options{Steps: 600, Horizon: 20})
	if err != nil {
		t.Fatal(err)
	}
	if info.Source != SourceHorizon || !info.LongOneOutput || info.LongDivergedAt != 0 || info.Runs != 30 || info.Horizon != 20 ||
		info.Separation.Separated || len(info.Separation.Outputs) != 1 {
		t.Errorf("info %+v", info)
	}
	if want := "a long run stays on one output"; !strings.Contains(info.Caption, want) {
		t.Errorf("caption %q lacks %q", info.Caption, want)
	}
}

func TestBuildPrefersSeparatedHorizon(t *testing.T) {
	// The untrained test network: its long run's outputs are not
	// separated in the PC plane, its runs of 30 steps from h0 = 0 are
	// (with this seed), so those are drawn, and the
	// caption says why.
	_, info, _, err := Build(testNet(t), rand.New(rand.NewPCG(2, 2)), Options{Steps: 600, DrawSteps: 200})
	if err != nil {
		t.Fatal(err)
	}
	if info.Source != SourceHorizon || !info.LongNotSeparated || !info.Separation.Separated || !(info.LongSkill < info.Separation.Skill) ||
		info.LongDivergedAt != 0 || !strings.Contains(info.Caption, "a long run's outputs are not separated") {
		t.Errorf("info %+v", info)
	}
}
