package sinkhorn

import (
	"fmt"
	"math"
)

// Dense returns the Sinkhorn divergence S between the uniform measures on the rows of x
// (N x Dim, row-major) and y (M x Dim) with cost |x-y|^2/2, computed exactly as geomloss
// 0.2.6 SamplesLoss("sinkhorn", p=2, blur, scaling), "tensorized" backend (core/METHOD.md
// section 3), and its gradient dS/dx (N x Dim, row-major):
//
//	gradX_i = (1/N) (sum_k Q_ik x_k - sum_j P_ij y_j)
//
// with P and Q the row-softmax plans of the final extrapolation step.
//
// Dense is the plain float64 reference: it stores the four cost matrices ((N+M)^2 float64)
// and evaluates N M + M N + N^2 + M^2 exponentials per iteration. If all
// points coincide the diameter is zero; geomloss then fails, Dense returns S = 0 and a zero
// gradient (the exact value). With opt.Converged an ErrNotConverged-wrapping error may be
// returned together with the values of the last iterate.
func Dense(x, y []float64, N, M, Dim int, opt Options) (loss float64, gradX []float64, err error) {
	opt, err = opt.resolved()
	if err != nil {
		return 0, nil, err
	}
	switch {
	case N <= 0 || M <= 0:
		return 0, nil, fmt.Errorf("sinkhorn: empty batch (N=%d, M=%d)", N, M)
	case Dim <= 0:
		return 0, nil, fmt.Errorf("sinkhorn: dimension %d must be positive", Dim)
	case len(x) != N*Dim:
		return 0, nil, fmt.Errorf("sinkhorn: len(x) = %d, want N*Dim = %d*%d", len(x), N, Dim)
	case len(y) != M*Dim:
		return 0, nil, fmt.Errorf("sinkhorn: len(y) = %d, want M*Dim = %d*%d", len(y), M, Dim)
	}
	if err := checkFinite("x", x, Dim); err != nil {
		return 0, nil, err
	}
	if err := checkFinite("y", y, Dim); err != nil {
		return 0, nil, err
	}

	d := denseDiameter(x, y, Dim)
	if math.IsInf(d, 0) {
		return 0, nil, fmt.Errorf("sinkhorn: diameter overflows")
	}
	gradX = make([]float64, N*Dim)
	if d == 0 {
		return 0, gradX, nil
	}
	p := &problem{
		xy:     newDenseBlock(x, y, Dim),
		yx:     newDenseBlock(y, x, Dim),
		xx:     newDenseBlock(x, x, Dim),
		yy:     newDenseBlock(y, y, Dim),
		logA:   constSlice(N, -math.Log(float64(N))),
		logB:   constSlice(M, -math.Log(float64(M))),
		countA: constSlice(N, 1),
		countB: constSlice(M, 1),
		n:      float64(N),
		m:      float64(M),
	}
	avgP := make([]float64, N*Dim)
	avgQ := make([]float64, N*Dim)
	loss, err = p.run(epsSchedule(d, opt.Blur, opt.Scaling), opt, averages{p: avgP, q: avgQ})
	for i := range gradX {
		gradX[i] = (avgQ[i] - avgP[i]) / float64(N)
	}
	return loss, gradX, err
}

// denseDiameter is geomloss's max_diameter: the Euclidean norm of the per-coordinate range
// (max - min) over both point sets.
func denseDiameter(x, y []float64, dim int) float64 {
	lo := make([]float64, dim)
	hi := make([]float64, dim)
	copy(lo, x[:dim])
	copy(hi, x[:dim])
	for _, pts := range [][]float64{x, y} {
		for i := 0; i < len(pts); i += dim {
			for k, v := range pts[i : i+dim] {
				lo[k] = math.Min(lo[k], v)
				hi[k] = math.Max(hi[k], v)
			}
		}
	}
	var s float64
	for k := range lo {
		r := hi[k] - lo[k]
		s += r * r
	}
	return math.Sqrt(s)
}

func constSlice(n int, v float64) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = v
	}
	return s
}

// denseBlock holds a full cost matrix C_ij = |r_i - c_j|^2 / 2.
type denseBlock struct {
	cost       []float64 // rows x cols
	rows, cols int
	colPts     []float64 // cols x dim
	dim        int
	terms      []float64 // scratch, one row
}

func newDenseBlock(rowPts, colPts []float64, dim int) *denseBlock {
	rows, cols := len(rowPts)/dim, len(colPts)/dim
	b := &denseBlock{cost: make([]float64, rows*cols), rows: rows, cols: cols, colPts: colPts, dim: dim,
		terms: make([]float64, cols)}
	for i := 0; i < rows; i++ {
		r := rowPts[i*dim : (i+1)*dim]
		for j := 0; j < cols; j++ {
			var s float64
			for k, v := range colPts[j*dim : (j+1)*dim] {
				dv := r[k] - v
				s += dv * dv
			}
			b.cost[i*cols+j] = s / 2
		}
	}
	return b
}

// softmin uses the peer's expression h_j + C_ij * (-1/eps) and log-sum-exp with the row
// maximum subtracted.
func (b *denseBlock) softmin(dst, h []float64, eps float64, avg []float64) {
	alpha := -1 / eps
	for i := 0; i < b.rows; i++ {
		row := b.cost[i*b.cols : (i+1)*b.cols]
		m := math.Inf(-1)
		for j, c := range row {
			v := h[j] + c*alpha
			b.terms[j] = v
			m = math.Max(m, v)
		}
		var s float64
		for j, v := range b.terms {
			e := math.Exp(v - m)
			b.terms[j] = e
			s += e
		}
		dst[i] = -eps * (m + math.Log(s))
		if avg == nil {
			continue
		}
		out := avg[i*b.dim : (i+1)*b.dim]
		clear(out)
		for j, e := range b.terms {
			pij := e / s
			for k, v := range b.colPts[j*b.dim : (j+1)*b.dim] {
				out[k] += pij * v
			}
		}
	}
}

// checkFinite returns an error naming the first non-finite entry of v
// (points of dim coordinates) and its row.
func checkFinite(name string, v []float64, dim int) error {
	for i, u := range v {
		if math.IsNaN(u) || math.IsInf(u, 0) {
			return fmt.Errorf("sinkhorn: %s[%d] (row %d) is %v", name, i, i/dim, u)
		}
	}
	return nil
}
