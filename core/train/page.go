package train

import (
	"errors"
	"fmt"

	"hmmrnn/core/hmm"
)

// Limits of what the browser app may train: large enough for the paper's
// networks (H 150-200, D up to 200), small enough for a browser tab. Each
// setting arrives from the page's controls or a shared link's URL state, so
// none is trusted.
const (
	PageMinHidden, PageMaxHidden = 2, 256
	PageMinInput, PageMaxInput   = 1, 256
	PageMinBatch, PageMaxBatch   = 16, 4096
	PageMinLR, PageMaxLR         = 1e-5, 0.1
	PageMinSeqLen, PageMaxSeqLen = 2, 200
)

// PageMemory is the browser's memory budget for one run (MemoryBytes):
// 1 GiB, a quarter of wasm32's 4 GiB address space, which the Go heap
// never returns once grown and which also holds the app's statistics and
// portraits; tabs of a few GB are killed by some browsers and most phones.
// The limits above bound each setting alone; this bounds their product
// (H 256, D 256, B 4096, T 200 with a 64x64 custom HMM took
// 3.2 GB of the 4 GB).
const PageMemory = 1 << 30

// PageSeqLen is the sequence length of live training when the page does
// not choose one: the engine's demo recipe trains every preset at T = 30
// (core/METHOD.md section 3; the paper's T is 100 for the 2-state chain,
// which costs more than three times as much per step).
const PageSeqLen = 30

// PageSettings are what the page chooses for a training run.
type PageSettings struct {
	Arch   string   `json:"arch"`          // preset name, or "custom" with HMM set
	HMM    *hmm.HMM `json:"hmm,omitempty"` // the custom model
	Hidden int      `json:"hidden"`
	Input  int      `json:"input"`
	Batch  int      `json:"batch"`
	LR     float64  `json:"lr"` // first-stage learning rate; 0 = the recipe's
	Seed   uint64   `json:"seed"`
	SeqLen int      `json:"seq_len"` // training sequence length T; 0 = PageSeqLen
	// NoiseStd is sigma of the input noise (a loaded model's noise_std);
	// 0 = DefaultNoiseStd (a network without noise emits one sequence,
	// nothing to train).
	NoiseStd float64 `json:"noise_std,omitempty"`
	// Recipe names the training recipe (RecipeByName); "" = DefaultRecipe.
	// "paper" reproduces the published recipe, fair-coin plateau included.
	Recipe string `json:"recipe,omitempty"`
}

// TrainingRecipe is the recipe the settings name (DefaultRecipe for "")
// for their model (Recipe.For: the default recipe trains chains of three
// or more states with HybridRecipe).
func (s PageSettings) TrainingRecipe() (Recipe, error) {
	m, err := s.Model()
	if err != nil {
		return Recipe{}, err
	}
	return s.recipeFor(m)
}

// recipeFor is TrainingRecipe for the settings' model m.
func (s PageSettings) recipeFor(m *hmm.HMM) (Recipe, error) {
	r := DefaultRecipe
	if s.Recipe != "" {
		var err error
		if r, err = RecipeByName(s.Recipe); err != nil {
			return Recipe{}, err
		}
	}
	return r.For(m), nil
}

// Model returns the preset or a validated copy of the custom model
// (named "custom" when it has no name).
func (s PageSettings) Model() (*hmm.HMM, error) {
	if s.Arch != "custom" && s.Arch != "" {
		return hmm.Preset(s.Arch)
	}
	if s.HMM == nil {
		return nil, errors.New("custom architecture without a model")
	}
	m := s.HMM.Clone()
	if m.Name == "" {
		m.Name = "custom"
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return m, nil
}

// Config returns the run of the page's settings: the model's paper
// configuration with the settings' recipe applied, then the chosen sizes,
// learning rate and seed, no validation set
// (the live demo keeps every step for training), checked by CheckPage.
// Errors name the setting at fault.
func (s PageSettings) Config() (Config, error) {
	c, _, err := s.Training()
	return c, err
}

// Training is Config together with the recipe it applied
// (TrainingRecipe), from one construction of the model.
func (s PageSettings) Training() (Config, Recipe, error) {
	m, err := s.Model()
	if err != nil {
		return Config{}, Recipe{}, err
	}
	r, err := s.recipeFor(m)
	if err != nil {
		return Config{}, Recipe{}, err
	}
	c := DefaultConfig(m)
	r.Apply(&c) // a chosen learning rate below overrides the recipe's
	c.Hidden, c.Input, c.Batch, c.Seed = s.Hidden, s.Input, s.Batch, s.Seed
	if s.LR != 0 {
		c.LR = s.LR
	}
	c.SeqLen = s.SeqLen
	if c.SeqLen == 0 {
		c.SeqLen = PageSeqLen
	}
	if s.NoiseStd != 0 {
		c.NoiseStd = s.NoiseStd // Validate refuses a negative or non-finite one
	}
	c.ValEvery = 0
	return c, r, CheckPage(c)
}

// CheckPage reports the first setting of c outside the browser's limits
// (each setting alone, every stage's batch and learning rate too, then
// the memory of all together against PageMemory), then c.Validate's
// verdict. A model file's run goes through it before the
// page resumes it.
func CheckPage(c Config) error {
	if err := CheckPageNet(c.Hidden, c.Input); err != nil {
		return err
	}
	if err := pageRange("batch", c.Batch, PageMinBatch, PageMaxBatch); err != nil {
		return err
	}
	if err := pageRange("seq_len", c.SeqLen, PageMinSeqLen, PageMaxSeqLen); err != nil {
		return err
	}
	if !(c.LR >= PageMinLR && c.LR <= PageMaxLR) {
		return fmt.Errorf("learning rate %g, want %g..%g (the browser's limit)", c.LR, PageMinLR, PageMaxLR)
	}
	for i, s := range c.Stages {
		if s.Batch != 0 {
			if err := pageRange(fmt.Sprintf("stage %d batch", i+2), s.Batch, PageMinBatch, PageMaxBatch); err != nil {
				return err
			}
		}
		if s.LR != 0 && !(s.LR >= PageMinLR && s.LR <= PageMaxLR) {
			return fmt.Errorf("stage %d learning rate %g, want %g..%g (the browser's limit)", i+2, s.LR, PageMinLR, PageMaxLR)
		}
	}
	if err := c.Validate(); err != nil {
		return err
	}
	return c.CheckMemory(PageMemory, "browser's budget")
}

// CheckPageNet reports a network the page cannot show: hidden units or
// noise inputs outside the browser's limits (a loaded file that is only
// explored, not trained, need meet no other limit).
func CheckPageNet(H, D int) error {
	if err := pageRange("hidden", H, PageMinHidden, PageMaxHidden); err != nil {
		return err
	}
	return pageRange("input", D, PageMinInput, PageMaxInput)
}

func pageRange(name string, v, lo, hi int) error {
	if v < lo || v > hi {
		return fmt.Errorf("%s = %d, want %d..%d (the browser's limit)", name, v, lo, hi)
	}
	return nil
}
