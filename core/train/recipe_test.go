package train

import (
	"math"
	"slices"
	"strings"
	"testing"

	"hmmrnn/core/hmm"
)

// WhhGain scales the random W_hh and nothing else; the gain is recorded in
// a snapshot and comes back with the configuration.
func TestWhhGain(t *testing.T) {
	c := smallConfig(t, DataFresh)
	base, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	c.WhhGain = 3
	scaled, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	a, b := base.Net(), scaled.Net()
	if !slices.Equal(a.Win, b.Win) || !slices.Equal(a.Wout, b.Wout) {
		t.Error("the gain changed W_in or W_out")
	}
	for i := range a.Whh {
		if b.Whh[i] != 3*a.Whh[i] {
			t.Fatalf("W_hh[%d] = %v, want 3 x %v", i, b.Whh[i], a.Whh[i])
		}
	}
	f, err := scaled.Snapshot(false, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ConfigFrom(f)
	if err != nil {
		t.Fatal(err)
	}
	if back.WhhGain != 3 {
		t.Errorf("recorded gain %v, want 3", back.WhhGain)
	}
	for _, g := range []float64{-1, math.NaN(), math.Inf(1)} {
		c.WhhGain = g
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "whh-gain") {
			t.Errorf("gain %v: error %v, want one naming whh-gain", g, err)
		}
	}
}

// WhhDecay shrinks W_hh by 1 - decay after every update and touches
// nothing else: from the same weights, one step with the decay gives the
// W_hh of one step without it times 1 - decay, and the same W_in and
// W_out. The decay is recorded in a snapshot, a resumed run continues
// bit-identically, and bad values are refused.
func TestWhhDecay(t *testing.T) {
	c := smallConfig(t, DataFresh)
	plain, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	c.WhhDecay = 0.01
	decayed, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := plain.Step(); err != nil {
		t.Fatal(err)
	}
	if _, err := decayed.Step(); err != nil {
		t.Fatal(err)
	}
	p, d := plain.Net(), decayed.Net()
	if !slices.Equal(p.Win, d.Win) || !slices.Equal(p.Wout, d.Wout) {
		t.Error("the decay changed W_in or W_out")
	}
	for i := range p.Whh {
		if want := p.Whh[i] * (1 - c.WhhDecay); d.Whh[i] != want {
			t.Fatalf("W_hh[%d] = %v after one step with decay, want %v x (1 - %v) = %v", i, d.Whh[i], p.Whh[i], c.WhhDecay, want)
		}
	}

	// Recorded, and resumed bit-identically.
	a, _ := New(c)
	for i := 0; i < 3; i++ {
		a.Step()
	}
	f, err := a.Snapshot(false, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if back, err := ConfigFrom(f); err != nil || back.WhhDecay != c.WhhDecay {
		t.Fatalf("recorded decay %v (%v), want %v", back.WhhDecay, err, c.WhhDecay)
	}
	b, err := Resume(f)
	if err != nil {
		t.Fatal(err)
	}
	a.Step()
	b.Step()
	if !slices.Equal(a.Net().Whh, b.Net().Whh) {
		t.Error("a resumed run with decay differs from the uninterrupted one")
	}
	for _, d := range []float64{-0.1, 1, math.NaN()} {
		c.WhhDecay = d
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "whh-decay") {
			t.Errorf("decay %v: error %v, want one naming whh-decay", d, err)
		}
	}
}

func TestRecipeByName(t *testing.T) {
	for _, name := range RecipeNames() {
		r, err := RecipeByName(name)
		if err != nil || r.Name != name {
			t.Errorf("%s: %+v, %v", name, r, err)
		}
	}
	if _, err := RecipeByName("nope"); err == nil || !strings.Contains(err.Error(), "default, hybrid, paper") {
		t.Errorf("unknown recipe: error %v, want one listing the recipes", err)
	}
	// The paper's recipe is the paper's configuration, unchanged.
	m := smallConfig(t, DataFresh)
	c := m
	PaperRecipe.Apply(&c)
	if c.LR != DefaultLR || (c.WhhGain != 0 && c.WhhGain != 1) || c.WhhDecay != 0 {
		t.Errorf("paper recipe: lr %v gain %v decay %v, want %v, 1 and 0", c.LR, c.WhhGain, c.WhhDecay, DefaultLR)
	}
}

// The default recipe's stages fit the browser: at the demo settings every
// preset's run, stages included, passes CheckPage (batch, learning rate,
// memory), and the paper's recipe has none. The page trains the chains of
// 3 or more states with recipe hybrid (Recipe.For), the 2-state chain
// with recipe sharp (the default recipe's stages and more), the others
// with the default recipe's stages.
func TestDefaultStagesFitThePage(t *testing.T) {
	if len(DefaultRecipe.Stages) == 0 || len(PaperRecipe.Stages) != 0 {
		t.Fatalf("default recipe stages %v, paper recipe stages %v: want some and none", DefaultRecipe.Stages, PaperRecipe.Stages)
	}
	for _, name := range hmm.PresetNames() {
		s := PageSettings{Arch: name, Hidden: DefaultHidden, Input: DefaultInput, Batch: DefaultBatch, LR: DefaultLR, Seed: 1}
		c, err := s.Config()
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		want := DefaultRecipe
		switch name {
		case "linear3", "linear4", "linear5":
			want = HybridRecipe
		case "linear2":
			want = SharpRecipe
		}
		if r, _ := s.TrainingRecipe(); r.Name != want.Name {
			t.Errorf("%s: the page trains with recipe %q, want %q", name, r.Name, want.Name)
		}
		if !slices.Equal(c.Stages, want.Stages) || c.SoftWeight != want.SoftWeight || c.CalibrateReadout != want.CalibrateReadout || c.Energy != want.Energy || c.EnergySelf != want.EnergySelf || c.TrainSeqLen != want.TrainSeqLen || c.FreqWeight != want.FreqWeight {
			t.Errorf("%s: page config stages %v soft weight %v energy %v (self %v), want recipe %s's %v, %v, %v (%v)", name, c.Stages, c.SoftWeight, c.Energy, c.EnergySelf, want.Name, want.Stages, want.SoftWeight, want.Energy, want.EnergySelf)
		}
	}
	// Apply copies the stages: a change to a run's stages leaves the recipe's.
	var c Config
	DefaultRecipe.Apply(&c)
	c.Stages[0].Batch = 1
	if DefaultRecipe.Stages[0].Batch == 1 {
		t.Error("Apply shared the recipe's stages with the config")
	}
}

// The soft-sample term changes the update but not the reported loss (the
// paper's), the same seed gives the same weights, the weight is recorded
// and a resumed run continues bit-identically, bad weights are refused,
// the hybrid recipe sets it, and the memory estimate counts its matrices.
func TestSoftWeight(t *testing.T) {
	c := smallConfig(t, DataFresh)
	c.ValEvery = 0
	plain, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	c.SoftWeight = 1
	soft, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	si, err := soft.Step()
	if err != nil {
		t.Fatal(err)
	}
	pi, _ := plain.Step()
	if si.Loss != pi.Loss {
		t.Errorf("reported loss %v with the soft term, %v without: want the paper's loss both times", si.Loss, pi.Loss)
	}
	if slices.Equal(soft.Net().Wout, plain.Net().Wout) {
		t.Error("the soft term did not change the update")
	}
	again, _ := New(c)
	again.Step()
	if !slices.Equal(again.Net().Whh, soft.Net().Whh) || !slices.Equal(again.Net().Wout, soft.Net().Wout) {
		t.Error("same seed, different weights with the soft term")
	}
	for i := 0; i < 2; i++ {
		soft.Step()
	}
	f, err := soft.Snapshot(false, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if back, err := ConfigFrom(f); err != nil || back.SoftWeight != 1 {
		t.Fatalf("recorded soft weight %v (%v), want 1", back.SoftWeight, err)
	}
	resumed, err := Resume(f)
	if err != nil {
		t.Fatal(err)
	}
	soft.Step()
	resumed.Step()
	if !slices.Equal(soft.Net().Wout, resumed.Net().Wout) || !slices.Equal(soft.Net().Whh, resumed.Net().Whh) {
		t.Error("a resumed run with the soft term differs from the uninterrupted one")
	}
	for _, w := range []float64{-1, math.Inf(1), math.NaN()} {
		c.SoftWeight = w
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "soft-weight") {
			t.Errorf("soft weight %v: error %v, want one naming soft-weight", w, err)
		}
	}
	c.SoftWeight = 0
	h := HybridRecipe
	h.Apply(&c)
	if c.SoftWeight != 1 || len(c.Stages) != 0 || c.WhhGain != DefaultRecipe.WhhGain || c.WhhDecay != DefaultRecipe.WhhDecay {
		t.Errorf("hybrid recipe applied: soft %v stages %v gain %v decay %v", c.SoftWeight, c.Stages, c.WhhGain, c.WhhDecay)
	}
	if m := c.MemoryBytes(); m <= func() int64 { d := c; d.SoftWeight = 0; return d.MemoryBytes() }() {
		t.Errorf("memory estimate %d does not count the soft term's cost matrices", m)
	}
}

// Recipe.For: the default recipe trains chains of 3+ states with recipe
// hybrid and every other HMM as it is;
// other recipes, and a default recipe a flag changed (renamed), are never
// substituted; For is idempotent.
func TestRecipeFor(t *testing.T) {
	for _, name := range hmm.PresetNames() {
		m, err := hmm.Preset(name)
		if err != nil {
			t.Fatal(err)
		}
		want := RecipeDefault
		switch {
		case m.IsChain() && m.States() >= 3:
			want = RecipeHybrid
		case m.IsChain() && m.States() == 2:
			want = RecipeSharp
		}
		got := DefaultRecipe.For(m)
		if got.Name != want {
			t.Errorf("%s: default recipe -> %q, want %q", name, got.Name, want)
		}
		if again := got.For(m); again.Name != got.Name || again.SoftWeight != got.SoftWeight {
			t.Errorf("%s: For not idempotent: %q then %q", name, got.Name, again.Name)
		}
		for _, r := range []Recipe{PaperRecipe, HybridRecipe, SharpRecipe} {
			if r.For(m).Name != r.Name {
				t.Errorf("%s: recipe %s -> %q", name, r.Name, r.For(m).Name)
			}
		}
		changed := DefaultRecipe
		changed.Name, changed.SoftWeight = "default, soft weight 0.5", 0.5
		if c := changed.For(m); c.Name != changed.Name || c.SoftWeight != 0.5 {
			t.Errorf("%s: a changed default recipe was substituted: %q", name, c.Name)
		}
	}
	if DefaultRecipe.For(nil).Name != RecipeDefault {
		t.Error("For(nil) substituted")
	}
}
