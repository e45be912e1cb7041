package sinkhorn

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestMatchReference compares Match with the argmax of an independently computed converged
// plan (plain alternating Sinkhorn from zero potentials, float64, many iterations) on rows
// whose best column leads the runner-up clearly; near-ties are ill-conditioned (see Match).
func TestMatchReference(t *testing.T) {
	const (
		eps   = 0.1 // core/METHOD.md section 4
		iters = 3000
		gap   = 0.05 // rows compared: best g_j - C_ij leads the runner-up by this much
	)
	r := rand.New(rand.NewPCG(21, 22))
	for _, c := range []struct {
		name    string
		x, y    []uint8
		N, M, T int
	}{
		{"uniform T=8", uniformSeqs(r, 40, 8, 3), uniformSeqs(r, 30, 8, 3), 40, 30, 8},
		{"uniform vs HMM T=30", uniformSeqs(r, 50, 30, 3), hmmLike(r, 60, 30, 0.05), 50, 60, 30},
		{"HMM vs HMM T=30", hmmLike(r, 60, 30, 0.1), hmmLike(r, 50, 30, 0.1), 60, 50, 30},
	} {
		got, err := Match(c.x, c.y, c.N, c.M, c.T, eps)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		cost := make([][]float64, c.N)
		for i := range cost {
			cost[i] = make([]float64, c.M)
			for j := range cost[i] {
				for k := 0; k < c.T; k++ {
					if c.x[i*c.T+k] != c.y[j*c.T+k] {
						cost[i][j]++
					}
				}
			}
		}
		_, g := plainSinkhorn(cost, eps, iters)
		compared := 0
		for i := range cost {
			best, second, arg := math.Inf(-1), math.Inf(-1), -1
			for j, v := range g {
				s := v - cost[i][j]
				if s > best {
					best, second, arg = s, best, j
				} else if s > second && !sameSeq(c.y, arg, j, c.T) {
					second = s
				}
			}
			if best-second < gap {
				continue
			}
			compared++
			if !sameSeq(c.y, got[i], arg, c.T) {
				t.Errorf("%s: row %d matched to %d (cost %v), reference %d (cost %v)", c.name, i, got[i], cost[i][got[i]], arg, cost[i][arg])
			}
		}
		if compared < c.N/2 {
			t.Errorf("%s: only %d of %d rows without near-ties", c.name, compared, c.N)
		}
	}
}

// sameSeq reports whether rows j and k of s (length T) are equal.
func sameSeq(s []uint8, j, k, T int) bool {
	for t := 0; t < T; t++ {
		if s[j*T+t] != s[k*T+t] {
			return false
		}
	}
	return true
}

func TestMatchStructure(t *testing.T) {
	r := rand.New(rand.NewPCG(23, 24))
	const T = 30
	// y is a permutation of distinct x rows: every row finds its copy.
	x := uniformSeqs(r, 50, T, 3)
	perm := r.Perm(50)
	y := make([]uint8, len(x))
	for j, i := range perm {
		copy(y[j*T:(j+1)*T], x[i*T:(i+1)*T])
	}
	got, err := Match(x, y, 50, 50, T, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	for j, i := range perm {
		if got[i] != j {
			t.Errorf("row %d matched to %d, its copy is %d", i, got[i], j)
		}
	}
	// Duplicates: identical y rows resolve to the lowest index, identical x rows agree.
	s0, s1, s2 := x[0:T], x[T:2*T], x[2*T:3*T]
	cat := func(rows ...[]uint8) []uint8 {
		var out []uint8
		for _, s := range rows {
			out = append(out, s...)
		}
		return out
	}
	got, err = Match(cat(s1, s0, s1), cat(s0, s1, s1, s2), 3, 4, T, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{1, 0, 1}; got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("duplicates: got %v, want %v", got, want)
	}
	// All sequences identical: index 0.
	got, err = Match(cat(s2, s2), cat(s2, s2, s2), 2, 3, T, 0.1)
	if err != nil || got[0] != 0 || got[1] != 0 {
		t.Errorf("identical: got %v, %v", got, err)
	}
}
