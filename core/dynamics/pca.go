package dynamics

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

// PCA is a principal-component basis of hidden states.
type PCA struct {
	H, K int
	Mean []float64 // H
	// Axes holds the K leading principal axes as rows (K x H), unit length,
	// each signed so that its components sum to >= 0 (a reproducible sign).
	Axes []float64
	// Var holds the variance along each axis; TotalVar the total variance.
	Var      []float64
	TotalVar float64
}

// FitPCA fits K components to the rows of states (T x H row-major).
//
// It diagonalises the H x H covariance matrix (gonum stat.CovarianceMatrix
// and mat.EigenSym) instead of calling stat.PC, which takes the SVD of the
// whole T x H data matrix: the axes are the same (a test checks it against
// stat.PC), and at T = 30,000, H = 150 the covariance route is several times
// faster.
func FitPCA(states []float64, T, H, K int) (*PCA, error) {
	if T < 2 || H < 1 {
		return nil, fmt.Errorf("dynamics: PCA needs at least 2 states of dimension >= 1, got %d x %d", T, H)
	}
	if len(states) != T*H {
		return nil, fmt.Errorf("dynamics: PCA data has %d values, want %d x %d", len(states), T, H)
	}
	if K < 1 || K > H {
		return nil, fmt.Errorf("dynamics: PCA components %d out of range [1, %d]", K, H)
	}
	for _, v := range states {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("dynamics: PCA data has a non-finite value")
		}
	}
	x := mat.NewDense(T, H, states)
	var cov mat.SymDense
	stat.CovarianceMatrix(&cov, x, nil)
	var es mat.EigenSym
	if ok := es.Factorize(&cov, true); !ok {
		return nil, fmt.Errorf("dynamics: PCA eigendecomposition did not converge")
	}
	vals := es.Values(nil) // ascending
	var vecs mat.Dense
	es.VectorsTo(&vecs)
	p := &PCA{H: H, K: K, Mean: make([]float64, H), Axes: make([]float64, K*H), Var: make([]float64, K)}
	for _, v := range vals {
		if v > 0 {
			p.TotalVar += v
		}
	}
	for k := 0; k < K; k++ {
		c := H - 1 - k
		p.Var[k] = math.Max(vals[c], 0)
		axis := p.Axes[k*H : (k+1)*H]
		var sum float64
		for i := 0; i < H; i++ {
			axis[i] = vecs.At(i, c)
			sum += axis[i]
		}
		if sum < 0 {
			for i := range axis {
				axis[i] = -axis[i]
			}
		}
	}
	for t := 0; t < T; t++ {
		row := states[t*H : (t+1)*H]
		for i, v := range row {
			p.Mean[i] += v
		}
	}
	for i := range p.Mean {
		p.Mean[i] /= float64(T)
	}
	return p, nil
}

// ExplainedRatio returns the fraction of the total variance along each axis.
func (p *PCA) ExplainedRatio() []float64 {
	r := make([]float64, p.K)
	if p.TotalVar > 0 {
		for k, v := range p.Var {
			r[k] = v / p.TotalVar
		}
	}
	return r
}

// Project returns the coordinates (n x K) of the rows of states (n x H).
func (p *PCA) Project(states []float64, n int) []float64 {
	out := make([]float64, n*p.K)
	c := make([]float64, p.H)
	for t := 0; t < n; t++ {
		row := states[t*p.H : (t+1)*p.H]
		for i, v := range row {
			c[i] = v - p.Mean[i]
		}
		for k := 0; k < p.K; k++ {
			out[t*p.K+k] = dot(c, p.Axes[k*p.H:(k+1)*p.H])
		}
	}
	return out
}

// ProjectPoint returns the K coordinates of one state.
func (p *PCA) ProjectPoint(h []float64) []float64 { return p.Project(h, 1) }

func dot(a, b []float64) float64 {
	var s float64
	for i, v := range a {
		s += v * b[i]
	}
	return s
}

func norm(a []float64) float64 { return math.Sqrt(dot(a, a)) }
