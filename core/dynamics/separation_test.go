package dynamics

import (
	"math"
	"math/rand/v2"
	"testing"
)

// twoClusters draws n points per output around centres (-d/2, 0) and
// (d/2, 0) with unit Gaussian spread per axis, plus rare points of output 1.
func twoClusters(r *rand.Rand, n int, d float64, rare int) ([]float64, []uint8) {
	var xy []float64
	var out []uint8
	for k, o := range []uint8{0, 2} {
		c := (float64(k) - 0.5) * d
		for range n {
			xy = append(xy, c+r.NormFloat64(), r.NormFloat64())
			out = append(out, o)
		}
	}
	for range rare {
		xy = append(xy, 100, 100) // far away: would dominate if counted
		out = append(out, 1)
	}
	return xy, out
}

func TestClusterSeparation(t *testing.T) {
	// Pooled RMS distance to the own centroid is sqrt(2) for unit spread
	// per axis, so the ratio is d/sqrt(2); the accuracy is Phi(d/2) (the
	// boundary is the bisector x = 0). Separated needs a skill >= 0.5, i.e.
	// accuracy >= 0.75: d >= 2 Phi^-1(0.75) = 1.35.
	for _, tc := range []struct {
		d         float64
		separated bool
	}{{0, false}, {1, false}, {1.2, false}, {1.5, true}, {3, true}, {8, true}} {
		r := rand.New(rand.NewPCG(3, 3))
		xy, out := twoClusters(r, 20000, tc.d, 50)
		s, err := ClusterSeparation(xy, out, 3)
		if err != nil {
			t.Fatal(err)
		}
		wantR := tc.d / math.Sqrt2
		wantA := 0.5 * math.Erfc(-tc.d/2/math.Sqrt2)
		wantS := (wantA - 0.5) / 0.5 // equal shares: chance 1/2
		if math.Abs(s.Ratio-wantR) > 0.03 || math.Abs(s.Accuracy-wantA) > 0.01 || math.Abs(s.Chance-0.5) > 1e-12 || math.Abs(s.Skill-wantS) > 0.02 {
			t.Errorf("d = %g: ratio %.3f accuracy %.3f skill %.3f, want %.3f, %.3f, %.3f", tc.d, s.Ratio, s.Accuracy, s.Skill, wantR, wantA, wantS)
		}
		if s.Separated != tc.separated || len(s.Outputs) != 2 || s.Outputs[0] != 0 || s.Outputs[1] != 2 {
			t.Errorf("d = %g: %+v", tc.d, s)
		}
	}
}

func TestClusterSeparationEdges(t *testing.T) {
	one, err := ClusterSeparation([]float64{0, 0, 1, 1}, []uint8{0, 0}, 3)
	if err != nil || one.Ratio != 0 || one.Accuracy != 0 || one.Separated {
		t.Errorf("one output: %+v, %v", one, err)
	}
	points, err := ClusterSeparation([]float64{0, 0, 0, 0, 1, 0, 1, 0}, []uint8{0, 0, 2, 2}, 3)
	if err != nil || points.Ratio != math.MaxFloat64 || points.Accuracy != 1 || !points.Separated {
		t.Errorf("two points: %+v, %v", points, err)
	}
	if _, err := ClusterSeparation([]float64{0, 0}, []uint8{0, 1}, 3); err == nil {
		t.Error("length mismatch accepted")
	}
	if _, err := ClusterSeparation([]float64{0, 0}, []uint8{5}, 3); err == nil {
		t.Error("output out of range accepted")
	}
}
