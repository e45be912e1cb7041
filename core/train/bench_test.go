package train

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"hmmrnn/core/hmm"
)

// benchStepSizes are the (H, D, T, B) of the speed table: the two
// paper-sized runs and the small ones (the first is the browser demo, the
// second its big-batch stage, DefaultStages).
var benchStepSizes = []struct {
	H, D, T, B int
	big        bool // skipped with -short and under WebAssembly
}{
	{50, 10, 30, 256, false},
	{50, 10, 30, 1024, false},
	{64, 16, 30, 256, false},
	{150, 100, 30, 512, true},
	{150, 100, 30, 4096, true},
}

// BenchmarkStep times one full training step (HMM batch, RNN forward,
// Sinkhorn loss and gradient, BPTT, clipping and Adam) on the linear
// 2-state chain with fresh data and no validation, as `hmmrnn bench` does;
// at the small sizes also with the soft-sample term of recipe hybrid
// (SoftWeight 1, counted in sinkhorn-ms/op; no helper), and at every size
// with the default recipe's energy distance (Config.Energy).
// Besides ns/op it reports the mean split into rnn-ms/op and
// sinkhorn-ms/op. The paper-sized runs take seconds per step in
// WebAssembly and are skipped there and with -short.
func BenchmarkStep(b *testing.B) {
	m, err := hmm.Preset("linear2")
	if err != nil {
		b.Fatal(err)
	}
	for _, s := range benchStepSizes {
		name := fmt.Sprintf("H%d_D%d_T%d_B%d", s.H, s.D, s.T, s.B)
		benchStep(b, name, m, s.H, s.D, s.T, s.B, 0, false, s.big)
		benchStep(b, name+"_energy", m, s.H, s.D, s.T, s.B, 0, true, s.big)
		if !s.big {
			benchStep(b, name+"_soft", m, s.H, s.D, s.T, s.B, 1, false, s.big)
		}
	}
}

func benchStep(b *testing.B, name string, m *hmm.HMM, H, D, T, B int, soft float64, energy, big bool) {
	b.Run(name, func(b *testing.B) {
		if big && (testing.Short() || runtime.GOARCH == "wasm") {
			b.Skip("paper-sized step: skipped with -short and under wasm")
		}
		c := DefaultConfig(m)
		c.Hidden, c.Input, c.SeqLen, c.Batch, c.ValEvery, c.SoftWeight, c.Energy = H, D, T, B, 0, soft, energy
		tr, err := New(c)
		if err != nil {
			b.Fatal(err)
		}
		// Warm-up: workspaces, pooled Sinkhorn buffers.
		for range 2 {
			if _, err := tr.Step(); err != nil {
				b.Fatal(err)
			}
		}
		var rnnT, skT time.Duration
		b.ReportAllocs()
		for b.Loop() {
			info, err := tr.Step()
			if err != nil {
				b.Fatal(err)
			}
			rnnT += info.Time.RNN
			skT += info.Time.Sinkhorn
		}
		b.ReportMetric(float64(rnnT.Nanoseconds())/1e6/float64(b.N), "rnn-ms/op")
		b.ReportMetric(float64(skT.Nanoseconds())/1e6/float64(b.N), "sinkhorn-ms/op")
	})
}

func TestBench(t *testing.T) {
	m, err := hmm.Preset("linear2")
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig(m)
	cfg.Hidden, cfg.Input, cfg.SeqLen, cfg.Batch, cfg.ValEvery = 8, 3, 10, 32, 0
	r, err := Bench(t.Context(), cfg, 1, 3, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Steps != 3 || r.Kernels == "" {
		t.Errorf("Bench: %d steps, kernels %q; want 3 and a name", r.Steps, r.Kernels)
	}
	if !(r.Step > 0) || !(r.RNN > 0) || !(r.Sinkhorn > 0) {
		t.Errorf("Bench: step %v, RNN %v, Sinkhorn %v; want all > 0", r.Step, r.RNN, r.Sinkhorn)
	}
	for _, c := range []struct{ warmup, steps int }{{0, 0}, {-1, 3}} {
		if _, err := Bench(t.Context(), cfg, c.warmup, c.steps, nil); err == nil {
			t.Errorf("Bench(warmup %d, steps %d) gave no error", c.warmup, c.steps)
		}
	}
	bad := cfg
	bad.Hidden = 0
	if _, err := Bench(t.Context(), bad, 0, 1, nil); err == nil {
		t.Error("Bench with hidden 0 gave no error")
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := Bench(ctx, cfg, 0, 1, nil); err == nil {
		t.Error("Bench with a cancelled context gave no error")
	}
}

// medianSplit gives the parts of the median step, so they never add up to
// more than it (part-by-part medians would: 9+3 > 10 below).
func TestMedianSplit(t *testing.T) {
	st := []time.Duration{10, 10, 12}
	rn := []time.Duration{9, 1, 9}
	sk := []time.Duration{1, 9, 3}
	if step, r, s := medianSplit(st, rn, sk); step != 10 || r+s > step {
		t.Errorf("odd: %v %v %v, want a step of 10 and its own parts", step, r, s)
	}
	if median(rn)+median(sk) <= median(st) {
		t.Fatal("this case no longer shows the part-by-part inconsistency")
	}
	st, rn, sk = []time.Duration{8, 2, 6, 4}, []time.Duration{7, 1, 2, 3}, []time.Duration{1, 1, 4, 1}
	if step, r, s := medianSplit(st, rn, sk); step != 5 || r != 2 || s != 2 {
		t.Errorf("even: %v %v %v, want the means over the steps of 4 and 6: 5 2 2", step, r, s)
	}
}

func TestMedian(t *testing.T) {
	for _, c := range []struct {
		in   []time.Duration
		want time.Duration
	}{{[]time.Duration{5}, 5}, {[]time.Duration{3, 1, 2}, 2}, {[]time.Duration{4, 1, 3, 2}, 2}, {[]time.Duration{9, 1}, 5}} {
		if got := median(c.in); got != c.want {
			t.Errorf("median(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}
