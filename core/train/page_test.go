package train

import (
	"math"
	"strings"
	"testing"

	"hmmrnn/core/hmm"
	"hmmrnn/core/rnn"
)

// uniformHMM is an n-state, n-output model with uniform rows.
func uniformHMM(n, T int) *hmm.HMM {
	row := func() []float64 {
		r := make([]float64, n)
		for i := range r {
			r[i] = 1 / float64(n)
		}
		return r
	}
	m := &hmm.HMM{Start: row(), SeqLen: T}
	for range n {
		m.Transition = append(m.Transition, row())
		m.Emission = append(m.Emission, row())
	}
	return m
}

func TestPageSettings(t *testing.T) {
	ok := PageSettings{Arch: "linear2", Hidden: 8, Input: 2, Batch: 16, LR: 1e-3, Seed: 1}
	c, err := ok.Config()
	if err != nil {
		t.Fatal(err)
	}
	if c.SeqLen != PageSeqLen || c.ValEvery != 0 || c.HMM.Name != "linear2" || c.Hidden != 8 {
		t.Errorf("config %+v: want T = %d, no validation, the preset and the sizes", c, PageSeqLen)
	}
	for _, tc := range []struct {
		name   string
		mutate func(s *PageSettings)
		want   string
	}{
		{"hidden", func(s *PageSettings) { s.Hidden = 1 }, "hidden = 1, want 2..256"},
		{"input", func(s *PageSettings) { s.Input = 1000 }, "input = 1000, want 1..256"},
		{"batch", func(s *PageSettings) { s.Batch = 1 << 16 }, "batch = 65536, want 16..4096"},
		{"lr", func(s *PageSettings) { s.LR = 1 }, "learning rate 1"},
		{"lr NaN", func(s *PageSettings) { s.LR = math.NaN() }, "learning rate NaN"},
		{"seq_len 1", func(s *PageSettings) { s.SeqLen = 1 }, "seq_len = 1, want 2..200"},
		{"seq_len 300", func(s *PageSettings) { s.SeqLen = 300 }, "seq_len = 300"},
		{"negative seq_len", func(s *PageSettings) { s.SeqLen = -4 }, "seq_len = -4"},
		{"arch", func(s *PageSettings) { s.Arch = "linear9" }, "linear9"},
		{"custom without a model", func(s *PageSettings) { s.Arch = "custom" }, "without a model"},
		{"custom bad row", func(s *PageSettings) {
			s.Arch = "custom"
			s.HMM = &hmm.HMM{Start: []float64{1, 0}, Transition: [][]float64{{0.5, 0.6}, {0, 1}}, Emission: [][]float64{{1, 0}, {0, 1}}, SeqLen: 5}
		}, "transition row 0"},
		{"custom seq_len 1e9", func(s *PageSettings) { s.Arch, s.HMM = "custom", uniformHMM(2, 1e9) }, "seq_len is 1000000000"},
		// Each setting at its limit, together with a 64x64 custom model:
		// measured: 3.2 GB of wasm memory.
		{"product of the limits", func(s *PageSettings) {
			s.Arch, s.HMM = "custom", uniformHMM(64, 30)
			s.Hidden, s.Input, s.Batch, s.SeqLen = PageMaxHidden, PageMaxInput, PageMaxBatch, PageMaxSeqLen
		}, "more than the browser's budget of 1.0 GiB"},
	} {
		s := ok
		tc.mutate(&s)
		if _, err := s.Config(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want mention of %q", tc.name, err, tc.want)
		}
	}
	// The paper's sizes on the 2-state chain at its T = 100 fit the budget.
	paper := PageSettings{Arch: "linear2", Hidden: 150, Input: 100, Batch: 512, LR: 1e-3, SeqLen: 100}
	if _, err := paper.Config(); err != nil {
		t.Errorf("paper sizes refused: %v", err)
	}
}

// TestPageMemoryWithinHelperBound: the helper worker refuses workspaces
// over rnn.MaxPartBytes, so every run the page accepts must fit under it.
func TestPageMemoryWithinHelperBound(t *testing.T) {
	if PageMemory > rnn.MaxPartBytes {
		t.Errorf("PageMemory %d exceeds rnn.MaxPartBytes %d: the helper would refuse runs the page accepts", PageMemory, rnn.MaxPartBytes)
	}
}

// TestPageRecipe: the page's settings name a recipe; "" is the default one,
// "paper" the published one, anything else an error naming the choices.
func TestPageRecipe(t *testing.T) {
	base := PageSettings{Arch: "linear2", Hidden: 8, Input: 2, Batch: 16, LR: 1e-3, Seed: 1}
	for _, tc := range []struct {
		recipe string
		gain   float64
		err    string
	}{
		{"", DefaultRecipe.WhhGain, ""},
		{"default", DefaultRecipe.WhhGain, ""},
		{"paper", PaperRecipe.WhhGain, ""},
		{"magic", 0, `recipe "magic"`},
	} {
		s := base
		s.Recipe = tc.recipe
		c, err := s.Config()
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("recipe %q: error %v, want %q", tc.recipe, err, tc.err)
			}
			continue
		}
		if err != nil || c.WhhGain != tc.gain || c.LR != base.LR {
			t.Errorf("recipe %q: gain %v lr %v (%v), want gain %v and the chosen lr", tc.recipe, c.WhhGain, c.LR, err, tc.gain)
		}
	}
	if DefaultRecipe.WhhGain == PaperRecipe.WhhGain {
		t.Fatal("the recipes no longer differ in their gain: the table tests nothing")
	}
	// A learning rate of 0 is the recipe's: the 2-state chain's (recipe
	// sharp, Recipe.For) for the default recipe, the paper's for paper.
	for _, tc := range []struct {
		recipe string
		lr     float64
	}{{"", SharpRecipe.LR}, {"paper", PaperRecipe.LR}, {"hybrid", HybridRecipe.LR}} {
		s := base
		s.Recipe, s.LR = tc.recipe, 0
		if c, err := s.Config(); err != nil || c.LR != tc.lr {
			t.Errorf("recipe %q with lr 0: lr %v (%v), want the recipe's %v", tc.recipe, c.LR, err, tc.lr)
		}
	}
	if SharpRecipe.LR == PaperRecipe.LR {
		t.Error("recipe sharp's learning rate is the paper's: the lr-0 cases test nothing")
	}
}
