package rnn

import (
	"math"
	"math/rand/v2"
	"testing"
)

// zeroFirst is a source whose first word makes rand.ExpFloat64 return
// exactly 0; the words after it come from a PCG.
type zeroFirst struct {
	n   int
	pcg *rand.PCG
}

func (z *zeroFirst) Uint64() uint64 {
	z.n++
	if z.n == 1 {
		return 0
	}
	return z.pcg.Uint64()
}

// TestExpPositiveSkipsZero: the exact zero of ExpFloat64 (probability
// 2^-32) must not reach the Gumbel factor 1/E, where it made the soft
// sample NaN.
func TestExpPositiveSkipsZero(t *testing.T) {
	if e := rand.New(&zeroFirst{pcg: rand.NewPCG(1, 1)}).ExpFloat64(); e != 0 {
		t.Skipf("ExpFloat64 of a zero word is %v, not 0: the guard is not exercised", e)
	}
	r := rand.New(&zeroFirst{pcg: rand.NewPCG(1, 1)})
	if e := expPositive(r); !(e > 0) || math.IsInf(e, 0) {
		t.Fatalf("expPositive = %v, want a finite positive draw", e)
	}
	r = rand.New(&zeroFirst{pcg: rand.NewPCG(1, 1)})
	if g := gumbel(r); math.IsInf(g, 0) || math.IsNaN(g) {
		t.Fatalf("gumbel = %v after a zero exponential draw", g)
	}
}
