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

// TestFillNormal checks that the inlined loop draws what p.norm draws.
func TestFillNormal(t *testing.T) {
	const n = 1_000_000
	var p, q pcg
	p.Seed(5, 6)
	q.Seed(5, 6)
	dst := make([]float64, n)
	fillNormal(&p, dst[:n/3], 2)
	fillNormal(&p, dst[n/3:], 2)
	for k, v := range dst {
		if w := 2 * q.norm(); v != w {
			t.Fatalf("draw %d: fillNormal %v, norm %v", k, v, w)
		}
	}
	if p != q {
		t.Errorf("states differ after the draws: %v %v", p, q)
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
	b.Run("fill", func(b *testing.B) {
		var p pcg
		p.Seed(1, 2)
		dst := make([]float32, 1000)
		for b.Loop() {
			fillNormal(&p, dst, 1)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(dst)), "ns/draw")
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
