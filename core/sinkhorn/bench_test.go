package sinkhorn

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// benchSeqLen is core/METHOD.md's T = 30; benchSwitch is the linear 2-state chain's q = 0.05.
const (
	benchSeqLen = 30
	benchSwitch = 0.05
)

// BenchmarkSymbols times one loss+gradient evaluation at N = M = B, T = 30, O = 3: y from the
// linear 2-state HMM, x either HMM-like (a trained RNN) or uniform (an untrained one).
func BenchmarkSymbols(b *testing.B) {
	for _, B := range []int{256, 512, 4096} {
		for _, kind := range []string{"hmm", "uniform"} {
			b.Run(fmt.Sprintf("B=%d/x=%s", B, kind), func(b *testing.B) {
				r := rand.New(rand.NewPCG(7, uint64(B)))
				y := hmmLike(r, B, benchSeqLen, benchSwitch)
				x := hmmLike(r, B, benchSeqLen, benchSwitch)
				if kind == "uniform" {
					x = uniformSeqs(r, B, benchSeqLen, 3)
				}
				b.ResetTimer()
				cpu := processCPU()
				for range b.N {
					if _, _, err := Symbols(x, y, B, B, benchSeqLen, 3, Options{}); err != nil {
						b.Fatal(err)
					}
				}
				reportCPU(b, cpu)
			})
		}
	}
}

// BenchmarkDense times the dense reference on the one-hot encoding at B = 256.
func BenchmarkDense(b *testing.B) {
	const B = 256
	r := rand.New(rand.NewPCG(7, B))
	y := oneHot(hmmLike(r, B, benchSeqLen, benchSwitch), B, benchSeqLen, 3)
	x := oneHot(uniformSeqs(r, B, benchSeqLen, 3), B, benchSeqLen, 3)
	b.ResetTimer()
	cpu := processCPU()
	for range b.N {
		if _, _, err := Dense(x, y, B, B, benchSeqLen*3, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu)
}

// reportCPU adds the process CPU time per operation (all goroutines, GC included), which
// unlike ns/op does not grow when other processes compete for the cores.
func reportCPU(b *testing.B, start float64) {
	b.ReportMetric((processCPU()-start)*1e3/float64(b.N), "cpu-ms/op")
}

// BenchmarkSoft times Soft, the soft-sample term of train.Config.SoftWeight: B soft
// sequences (softmax of Gaussian logits, sd 3: mostly near one-hot, as a trained RNN's
// relaxed samples) against B HMM sequences, T = 30, O = 3; Dense on the same inputs for
// comparison at B = 256.
func BenchmarkSoft(b *testing.B) {
	for _, B := range []int{64, 256, 1024} {
		r := rand.New(rand.NewPCG(9, uint64(B)))
		x := softSeqs(r, B, benchSeqLen, 3, 3)
		y := hmmLike(r, B, benchSeqLen, benchSwitch)
		b.Run(fmt.Sprintf("B=%d", B), func(b *testing.B) {
			cpu := processCPU()
			for range b.N {
				if _, _, err := Soft(x, y, B, B, benchSeqLen, 3, Options{}); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, cpu)
		})
		if B == 256 {
			b.Run(fmt.Sprintf("B=%d/dense", B), func(b *testing.B) {
				yd := oneHot(y, B, benchSeqLen, 3)
				cpu := processCPU()
				for range b.N {
					if _, _, err := Dense(x, yd, B, B, benchSeqLen*3, Options{}); err != nil {
						b.Fatal(err)
					}
				}
				reportCPU(b, cpu)
			})
		}
	}
}
