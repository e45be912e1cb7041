package rnn

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// benchSizes are the (H, D, T, B) of the PyTorch peer's benchmark table.
var benchSizes = []struct{ H, D, T, B int }{
	{50, 10, 30, 256},
	{64, 16, 30, 256},
	{150, 100, 30, 512},
	{150, 100, 30, 4096},
}

func benchForwardBackward(b *testing.B, mk func(*Net, int, int) *Workspace) {
	for _, s := range benchSizes {
		b.Run(fmt.Sprintf("H%d_D%d_T%d_B%d", s.H, s.D, s.T, s.B), func(b *testing.B) {
			r := rand.New(rand.NewPCG(1, 2))
			n, err := New(s.H, s.D, 3, r)
			if err != nil {
				b.Fatal(err)
			}
			dY := make([]float64, s.B*s.T*3)
			for i := range dY {
				dY[i] = r.NormFloat64()
			}
			w := mk(n, s.B, s.T)
			var grad Net
			w.Forward(n, r, 1, 1)
			w.Backward(n, dY, &grad)
			b.ReportAllocs()
			c0 := cpuTime()
			for b.Loop() {
				w.Forward(n, r, 1, 1)
				w.Backward(n, dY, &grad)
			}
			b.ReportMetric(float64(cpuTime()-c0)/float64(b.N), "cpu-ns/op")
		})
	}
}

// BenchmarkForwardBackward times one training pass (noise generation,
// forward, straight-through backward, BPTT) of the default float32 engine.
func BenchmarkForwardBackward(b *testing.B) { benchForwardBackward(b, NewWorkspace) }

// BenchmarkForwardBackward64 is BenchmarkForwardBackward for the float64
// engine.
func BenchmarkForwardBackward64(b *testing.B) { benchForwardBackward(b, NewWorkspace64) }
