package train

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"hmmrnn/core/hmm"
)

// benchStepSizes are the (H, D, T, B) of the speed table: the two
// paper-sized runs and the two small ones (the last is the browser demo).
var benchStepSizes = []struct {
	H, D, T, B int
	big        bool // skipped with -short and under WebAssembly
}{
	{50, 10, 30, 256, false},
	{64, 16, 30, 256, false},
	{150, 100, 30, 512, true},
	{150, 100, 30, 4096, true},
}

// BenchmarkStep times one full training step (HMM batch, RNN forward,
// Sinkhorn loss and gradient, BPTT, clipping and Adam) on the linear
// 2-state chain with fresh data and no validation, as `hmmrnn bench` does.
// Besides ns/op it reports the mean split into rnn-ms/op and
// sinkhorn-ms/op. The paper-sized runs take seconds per step in
// WebAssembly and are skipped there and with -short.
func BenchmarkStep(b *testing.B) {
	m, err := hmm.Preset("linear2")
	if err != nil {
		b.Fatal(err)
	}
	for _, s := range benchStepSizes {
		b.Run(fmt.Sprintf("H%d_D%d_T%d_B%d", s.H, s.D, s.T, s.B), func(b *testing.B) {
			if s.big && (testing.Short() || runtime.GOARCH == "wasm") {
				b.Skip("paper-sized step: skipped with -short and under wasm")
			}
			c := DefaultConfig(m)
			c.Hidden, c.Input, c.SeqLen, c.Batch, c.ValEvery = s.H, s.D, s.T, s.B, 0
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
}
