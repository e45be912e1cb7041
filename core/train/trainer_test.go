package train

import (
	"math"
	"slices"
	"strings"
	"testing"

	"hmmrnn/core/hmm"
	"hmmrnn/core/rnn"
)

func smallConfig(t testing.TB, data string) Config {
	t.Helper()
	m, err := hmm.Preset("linear2")
	if err != nil {
		t.Fatal(err)
	}
	c := DefaultConfig(m)
	c.Hidden, c.Input, c.Batch, c.SeqLen = 8, 3, 16, 10
	c.Data, c.TrainSize, c.ValSize, c.ValEvery = data, 40, 20, 2
	c.Seed = 7
	return c
}

func run(t *testing.T, tr *Trainer, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		if _, err := tr.Step(); err != nil {
			t.Fatal(err)
		}
	}
}

func sameNet(a, b *rnn.Net) bool {
	return slices.Equal(a.Win, b.Win) && slices.Equal(a.Whh, b.Whh) && slices.Equal(a.Wout, b.Wout)
}

func TestDeterministic(t *testing.T) {
	for _, data := range []string{DataFresh, DataFixed} {
		c := smallConfig(t, data)
		a, err := New(c)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := New(c)
		run(t, a, 7)
		run(t, b, 7)
		if !sameNet(a.Net(), b.Net()) {
			t.Errorf("%s: same seed gave different weights", data)
		}
		c.Seed++
		d, _ := New(c)
		run(t, d, 7)
		if sameNet(a.Net(), d.Net()) {
			t.Errorf("%s: a different seed gave the same weights", data)
		}
	}
}

// TestResumeBitIdentical trains 9 steps straight and 4 + (save, parse,
// resume) + 5, and requires identical weights, losses and best model.
func TestResumeBitIdentical(t *testing.T) {
	for _, data := range []string{DataFresh, DataFixed} {
		c := smallConfig(t, data)
		a, _ := New(c)
		run(t, a, 9)
		r, err := Resume(checkpoint(t, c))
		if err != nil {
			t.Fatal(err)
		}
		if r.StepCount() != 4 {
			t.Fatalf("resumed at step %d, want 4", r.StepCount())
		}
		run(t, r, 5)
		if !sameNet(a.Net(), r.Net()) {
			t.Errorf("%s: resumed run's weights differ from the uninterrupted run's", data)
		}
		if !slices.Equal(a.Losses(), r.Losses()) {
			t.Errorf("%s: losses differ: %v vs %v", data, a.Losses(), r.Losses())
		}
		ab, as := a.Best()
		rb, rs := r.Best()
		if as != rs || !sameNet(ab, rb) {
			t.Errorf("%s: best model differs (steps %d vs %d)", data, as, rs)
		}
	}
}

func TestBestModelKept(t *testing.T) {
	c := smallConfig(t, DataFresh)
	tr, _ := New(c)
	run(t, tr, 10)
	vals := tr.ValLosses()
	if len(vals) != 5 {
		t.Fatalf("%d validation points after 10 steps at val-every 2, want 5", len(vals))
	}
	bi := 0
	for i, v := range vals {
		if v.Loss < vals[bi].Loss {
			bi = i
		}
	}
	best, step := tr.Best()
	if step != vals[bi].Step {
		t.Fatalf("best step %d, want %d (lowest validation loss)", step, vals[bi].Step)
	}
	// Re-measuring the kept weights gives the recorded loss (validation uses
	// fixed noise).
	probe, _ := New(c)
	copyNet(probe.net, best)
	v, err := probe.Validate()
	if err != nil {
		t.Fatal(err)
	}
	if v != vals[bi].Loss {
		t.Errorf("validation loss of the kept weights %v, recorded %v", v, vals[bi].Loss)
	}
	f, _ := tr.Snapshot(true, "", 0)
	if !sameNet(f.RNN, best) || f.Training.BestStep != step {
		t.Error("snapshot with best=true does not hold the best weights")
	}
}

func TestFixedDataEpochs(t *testing.T) {
	c := smallConfig(t, DataFixed)
	c.TrainSize, c.Batch = 40, 16 // batches of 16, 16, 8 per epoch
	tr, _ := New(c)
	run(t, tr, 3)
	if tr.epoch != 0 || tr.pos != 40 {
		t.Fatalf("after one epoch: epoch %d pos %d, want 0, 40", tr.epoch, tr.pos)
	}
	run(t, tr, 1)
	if tr.epoch != 1 || tr.pos != 16 {
		t.Fatalf("after 4 steps: epoch %d pos %d, want 1, 16", tr.epoch, tr.pos)
	}
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		field string
		edit  func(c *Config)
	}{
		{"no HMM", func(c *Config) { c.HMM = nil }},
		{"hidden", func(c *Config) { c.Hidden = 0 }},
		{"input", func(c *Config) { c.Input = -1 }},
		{"batch", func(c *Config) { c.Batch = 1 }},
		{"seq-len", func(c *Config) { c.SeqLen = 0 }},
		{"lr", func(c *Config) { c.LR = math.NaN() }},
		{"betas", func(c *Config) { c.Beta2 = 1 }},
		{"clip", func(c *Config) { c.Clip = math.Inf(1) }},
		{"noise-std", func(c *Config) { c.NoiseStd = -1 }},
		{"data", func(c *Config) { c.Data = "streaming" }},
		{"train-size", func(c *Config) { c.Data, c.TrainSize = DataFixed, 1 }},
		{"val-size", func(c *Config) { c.ValSize = 0 }},
	}
	for _, tc := range tests {
		c := smallConfig(t, DataFresh)
		tc.edit(&c)
		_, err := New(c)
		if err == nil {
			t.Errorf("%s: no error", tc.field)
			continue
		}
		if !strings.Contains(err.Error(), strings.Split(tc.field, " ")[len(strings.Split(tc.field, " "))-1]) {
			t.Errorf("%s: error %q does not name the field", tc.field, err)
		}
	}
}

func TestDefaultClip(t *testing.T) {
	for _, name := range hmm.PresetNames() {
		m, _ := hmm.Preset(name)
		want := DefaultClip
		if name == "fully3" || name == "cyclic4" {
			want = ClipDense
		}
		if got := DefaultConfig(m).Clip; got != want {
			t.Errorf("%s: clip %v, want %v", name, got, want)
		}
	}
}

func TestInitFromWeights(t *testing.T) {
	c := smallConfig(t, DataFresh)
	a, _ := New(c)
	run(t, a, 3)
	c.Init = a.Net()
	b, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	if !sameNet(b.Net(), a.Net()) {
		t.Error("a run started from given weights does not hold them")
	}
	run(t, b, 1)
	if sameNet(b.Net(), a.Net()) || b.Net() == c.Init {
		t.Error("training changed the caller's initial weights or did not train")
	}
	c.Hidden++
	if _, err := New(c); err == nil || !strings.Contains(err.Error(), "initial weights") {
		t.Errorf("mismatched initial weights: error %v", err)
	}
}
