package rnn

import (
	"math/rand/v2"
	"testing"
)

// TestPCGMatchesStdlib checks that pcg reproduces math/rand/v2's PCG and
// NormFloat64 bit for bit, so the documented draws ("r.NormFloat64()")
// are literally what the fast path computes.
func TestPCGMatchesStdlib(t *testing.T) {
	const draws = 2_000_000 // covers the rare tail and wedge branches
	r := rand.New(rand.NewPCG(3, 4))
	p := &pcg{}
	p.Seed(3, 4)
	for i := range draws {
		if i%2 == 0 {
			if a, b := r.NormFloat64(), p.norm(); a != b {
				t.Fatalf("draw %d: NormFloat64 %v, pcg.norm %v", i, a, b)
			}
		} else if a, b := r.Uint64(), p.Uint64(); a != b {
			t.Fatalf("draw %d: Uint64 %v, pcg %v", i, a, b)
		}
	}
}

func BenchmarkNorm(b *testing.B) {
	b.Run("pcg", func(b *testing.B) {
		var p pcg
		p.Seed(1, 2)
		var s float64
		for b.Loop() {
			s += p.norm()
		}
		_ = s
	})
	b.Run("stdlib", func(b *testing.B) {
		r := rand.New(rand.NewPCG(1, 2))
		var s float64
		for b.Loop() {
			s += r.NormFloat64()
		}
		_ = s
	})
}
