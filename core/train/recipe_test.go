package train

import (
	"math"
	"slices"
	"strings"
	"testing"
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

func TestRecipeByName(t *testing.T) {
	for _, name := range RecipeNames() {
		r, err := RecipeByName(name)
		if err != nil || r.Name != name {
			t.Errorf("%s: %+v, %v", name, r, err)
		}
	}
	if _, err := RecipeByName("nope"); err == nil || !strings.Contains(err.Error(), "default, paper") {
		t.Errorf("unknown recipe: error %v, want one listing the recipes", err)
	}
	// The paper's recipe is the paper's configuration, unchanged.
	m := smallConfig(t, DataFresh)
	c := m
	PaperRecipe.Apply(&c)
	if c.LR != DefaultLR || (c.WhhGain != 0 && c.WhhGain != 1) {
		t.Errorf("paper recipe: lr %v gain %v, want %v and 1", c.LR, c.WhhGain, DefaultLR)
	}
}
