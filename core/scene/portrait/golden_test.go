package portrait

import (
	"math/rand/v2"
	"testing"

	"hmmrnn/core/dynamics"
	"hmmrnn/core/internal/golden"
	"hmmrnn/core/model"
	"hmmrnn/core/scene"
)

// TestPortraitGolden pins the encoded portrait (the bytes the worker posts
// to the app) of a trained linear2 network (core/internal/testdata), every layer on and
// the kick neurons detected, to testdata/golden/linear2.portrait. A
// mismatch is reported by the decoded field that differs, numbers within a
// relative 1e-5 (the encoding is float32, whose last bit is ~6e-8 relative,
// and a platform with fused multiply-adds may move a few). Regenerate after
// a deliberate change with `go test ./core/scene/portrait -update` and
// review the diff.
func TestPortraitGolden(t *testing.T) {
	f, err := model.Load("../../internal/testdata/linear2-blips.json")
	if err != nil {
		t.Fatal(err)
	}
	opt := Options{Steps: 2000, DrawSteps: 300, Sigma: f.NoiseStd, Flow: true, Density: true, Decay: true, Zones: true,
		// The detection of analyze and the sweeps, on a shorter run and rate
		// measurement to keep the test to seconds.
		Detect: &dynamics.KickOptions{Seed: 1, Sigma: f.NoiseStd, Steps: 4000, Eval: dynamics.RateOptions{Chains: 8, Steps: 250}, Controls: -1}}
	p, _, _, err := Build(f.RNN, rand.New(rand.NewPCG(1, 2)), opt)
	if err != nil {
		t.Fatal(err)
	}
	golden.Encoded(t, "linear2.portrait", p.Encode(), func(b []byte) (any, error) { return scene.Decode(b) }, 1e-5)
}
