package dynamics

import (
	"math"

	"hmmrnn/core/hmm"
	"reflect"
	"testing"
)

func TestResonance(t *testing.T) {
	net := PlantedNet()
	// The HMM the planted network emulates at sigma = 1 (see TestScanNoise).
	m, err := hmm.New("planted", []float64{0.5, 0.5}, [][]float64{{0.97, 0.03}, {0.03, 0.97}}, [][]float64{{1, 0, 0}, {0, 0, 1}}, 30)
	if err != nil {
		t.Fatal(err)
	}
	opt := ResonanceOptions{Sigmas: []float64{0, 0.3, 1, 2}, Chains: 4, Steps: 300, HMM: m, Seqs: 50}
	curve := func() []ResonancePoint {
		c, err := NewResonance(net, 7, opt)
		if err != nil {
			t.Fatal(err)
		}
		var pts []ResonancePoint
		for !c.Done() {
			p, ok, err := c.Next()
			if err != nil || !ok {
				t.Fatalf("level %d: ok %v, %v", len(pts), ok, err)
			}
			pts = append(pts, p)
		}
		if _, ok, err := c.Next(); ok || err != nil {
			t.Errorf("Next after the last level: ok %v, %v", ok, err)
		}
		return pts
	}
	a := curve()
	if len(a) != 4 {
		t.Fatalf("%d points, want 4", len(a))
	}
	// Without noise the planted network stays at h = 0 and never switches;
	// its kicks need noise, so the rate grows with sigma on this range.
	if a[0].Rate != 0 {
		t.Errorf("rate %v at sigma 0, want 0", a[0].Rate)
	}
	for k := 1; k < len(a); k++ {
		if a[k].Sigma != opt.Sigmas[k] || !(a[k].Rate > a[k-1].Rate) {
			t.Errorf("level %d: sigma %v rate %v after rate %v", k, a[k].Sigma, a[k].Rate, a[k-1].Rate)
		}
	}
	for _, p := range a {
		if p.Fidelity == nil || math.IsNaN(p.Error) || p.Error < 0 || math.Abs(p.Error-fitScore(p.Fidelity, 30)) > 1e-15 {
			t.Errorf("sigma %v: fidelity %+v error %v", p.Sigma, p.Fidelity, p.Error)
		}
	}
	if b := curve(); !reflect.DeepEqual(a, b) {
		t.Errorf("same seed, different curves")
	}
	// Runs of a short horizon from h0 = 0: the output flickers while the
	// planted network leaves h = 0 (the argmax of near-zero logits), so
	// more switches per step than in the long chains; none without noise.
	opt.Horizon = 10
	h := curve()
	if h[0].Rate != 0 || !(h[3].Rate > a[3].Rate) {
		t.Errorf("horizon rates %v %v, long-chain rate %v", h[0].Rate, h[3].Rate, a[3].Rate)
	}
}

func TestResonanceErrors(t *testing.T) {
	net := PlantedNet()
	m, _ := hmm.Preset("linear2")
	m.SeqLen = 0
	for name, opt := range map[string]ResonanceOptions{
		"negative sigma": {Sigmas: []float64{1, -1}},
		"NaN sigma":      {Sigmas: []float64{math.NaN()}},
		"HMM T = 0":      {HMM: m},
		"horizon < 0":    {Horizon: -1},
	} {
		if _, err := NewResonance(net, 1, opt); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
	if _, err := NewResonance(nil, 1, ResonanceOptions{}); err == nil {
		t.Error("nil network accepted")
	}
	c, err := NewResonance(net, 1, ResonanceOptions{})
	if err != nil || !reflect.DeepEqual(c.Sigmas(), DefaultResonanceSigmas) {
		t.Errorf("default levels %v, %v", c.Sigmas(), err)
	}
}
