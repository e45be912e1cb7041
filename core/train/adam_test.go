package train

import (
	"math"
	"testing"
)

// TestAdamHandComputed checks two Adam steps against values worked out by
// hand from the update rule (betas 0.9, 0.9 as in the paper).
func TestAdamHandComputed(t *testing.T) {
	a := NewAdam(0.1, 0.9, 0.9, 1e-8, 2)
	p := [][]float64{{1, -2}}
	// Step 1, g = (0.5, -1): m = 0.1 g, v = 0.1 g², mhat = g, vhat = g²,
	// so p -= 0.1 * g/(|g| + 1e-8) = 0.1 * sign(g) (up to 1e-8/|g|).
	a.Update(p, [][]float64{{0.5, -1}})
	want1 := []float64{1 - 0.1*0.5/(0.5+1e-8), -2 + 0.1*1/(1+1e-8)}
	// Step 2, g = (0.25, 1): m = 0.9*0.05 + 0.1*0.25 = 0.07 and
	// 0.9*(-0.1) + 0.1*1 = 0.01; v = 0.9*0.025 + 0.1*0.0625 = 0.02875 and
	// 0.9*0.1 + 0.1*1 = 0.19; bias corrections 1-0.81 = 0.19 for both.
	const tol = 1e-12
	for i, w := range want1 {
		if math.Abs(p[0][i]-w) > tol {
			t.Fatalf("step 1: p[%d] = %.15g, want %.15g", i, p[0][i], w)
		}
	}
	a.Update(p, [][]float64{{0.25, 1}})
	m := []float64{0.07, 0.01}
	v := []float64{0.02875, 0.19}
	for i := range m {
		w := want1[i] - 0.1*(m[i]/0.19)/(math.Sqrt(v[i]/0.19)+1e-8)
		if math.Abs(p[0][i]-w) > tol {
			t.Errorf("step 2: p[%d] = %.15g, want %.15g", i, p[0][i], w)
		}
		if math.Abs(a.M[0][i]-m[i]) > tol || math.Abs(a.V[0][i]-v[i]) > tol {
			t.Errorf("moments[%d] = %g, %g, want %g, %g", i, a.M[0][i], a.V[0][i], m[i], v[i])
		}
	}
}

func TestClipNorm(t *testing.T) {
	tests := []struct {
		name    string
		g       [][]float64
		max     float64
		norm    float64
		clipped [][]float64
	}{
		{"below bound untouched", [][]float64{{0.3}, {0.4}}, 0.9, 0.5, [][]float64{{0.3}, {0.4}}},
		{"scaled to bound", [][]float64{{3}, {4}}, 1, 5, [][]float64{{3 / (5 + 1e-6)}, {4 / (5 + 1e-6)}}},
		{"disabled", [][]float64{{3, 4}}, 0, 5, [][]float64{{3, 4}}},
	}
	for _, tc := range tests {
		got := ClipNorm(tc.g, tc.max)
		if math.Abs(got-tc.norm) > 1e-12 {
			t.Errorf("%s: norm %g, want %g", tc.name, got, tc.norm)
		}
		for k := range tc.g {
			for i := range tc.g[k] {
				if math.Abs(tc.g[k][i]-tc.clipped[k][i]) > 1e-12 {
					t.Errorf("%s: g[%d][%d] = %g, want %g", tc.name, k, i, tc.g[k][i], tc.clipped[k][i])
				}
			}
		}
	}
}
