package sinkhorn

import (
	"fmt"
	"math"
	"runtime"
)

const (
	// matchMarginalTol is Match's stopping tolerance: the L1 distance between the plan's row
	// sums and the uniform weights (the plan's column sums are exact after each update).
	// Sinkhorn converges sublinearly on HMM-like batches at eps = 0.1 (at 5000 sequences
	// about 1000 iterations reach 2e-3, 2000 reach 5e-4), while the mean matched distance
	// already varies by well under 1% between such iterates.
	matchMarginalTol = 1e-3
	// matchMaxIter caps Match's Sinkhorn iterations at the target temperature.
	matchMaxIter = 10000
)

// Match returns, for each row of x (N x T symbols, row-major), the index of the row of y
// (M x T) that receives the largest mass from it in the entropic optimal transport plan
// between the uniform measures on x and y, with the Hamming cost (half the squared Euclidean
// distance of the one-hot encodings) at temperature eps (core/METHOD.md section 4 uses 0.1).
//
// The plan is pi_ij = exp((f_i + g_j - C_ij)/eps)/(N M) with converged potentials: Match
// anneals the temperature along the geomloss schedule (blur sqrt(eps), scaling 0.5), then
// alternates Sinkhorn updates at eps until the plan's row sums are within 1e-3 (L1) of the
// uniform weights, its column sums being exact (at most 10000 iterations; otherwise the
// matches of the last iterate are returned with an error wrapping ErrNotConverged). The
// argmax is ill-conditioned where several y rows are nearly tied (common between two
// HMM batches): a few matches can still change between such iterates, the mean matched
// distance by well under 1%. Ties go to the lowest y index; identical x rows get the same
// match. The work is O(distinct x rows * distinct y rows) per iteration.
func Match(x, y []uint8, N, M, T int, eps float64) ([]int, error) {
	if err := checkSymbols(x, y, N, M, T); err != nil {
		return nil, err
	}
	if !(eps >= MinBlur*MinBlur) || math.IsInf(eps, 0) {
		return nil, fmt.Errorf("sinkhorn: match temperature %v must be finite and at least %g", eps, MinBlur*MinBlur)
	}
	O := 1
	for _, s := range [][]uint8{x, y} {
		for _, v := range s {
			O = max(O, int(v)+1)
		}
	}
	match := make([]int, N)
	d := symbolDiameter(x, y, T)
	if d == 0 {
		return match, nil // all sequences identical: every plan entry is equal
	}
	lay := newPacking(T, O)
	xs, ys := newSeqSet(x, N, lay), newSeqSet(y, M, lay)
	workers := runtime.GOMAXPROCS(0)
	xy, yx := newSymBlock(xs, ys, O, workers), newSymBlock(ys, xs, O, workers)
	var best []int
	err := withCosts(func() error {
		g, err := convergedPotential(xy, yx, xs.logW, ys.logW, epsSchedule(d, math.Sqrt(eps), DefaultScaling), eps)
		best = xy.argmaxPlan(g)
		return err
	}, xy, yx)
	for i, u := range xs.index {
		match[i] = ys.first[best[u]]
	}
	return match, err
}

// convergedPotential runs geomloss's symmetric averaged updates of OT(a, b) along epsList,
// then alternating Sinkhorn updates at eps until the row marginals are within
// matchMarginalTol, and returns g (on the columns of xy).
func convergedPotential(xy, yx block, logA, logB, epsList []float64, eps float64) ([]float64, error) {
	nx, ny := len(logA), len(logB)
	f, ft, hA := make([]float64, nx), make([]float64, nx), make([]float64, nx)
	g, gt, hB := make([]float64, ny), make([]float64, ny), make([]float64, ny)
	yx.softmin(g, logA, epsList[0], nil)
	xy.softmin(f, logB, epsList[0], nil)
	for _, e := range epsList {
		for j := range hB {
			hB[j] = logB[j] + g[j]/e
		}
		for i := range hA {
			hA[i] = logA[i] + f[i]/e
		}
		xy.softmin(ft, hB, e, nil)
		yx.softmin(gt, hA, e, nil)
		for i := range f {
			f[i] = 0.5 * (f[i] + ft[i])
		}
		for j := range g {
			g[j] = 0.5 * (g[j] + gt[j])
		}
	}
	for it := 0; ; it++ {
		for j := range hB {
			hB[j] = logB[j] + g[j]/eps
		}
		xy.softmin(ft, hB, eps, nil)
		// Row i of the plan sums to a_i exp((f_i - ft_i)/eps).
		var merr float64
		for i, v := range ft {
			merr += math.Exp(logA[i]) * math.Abs(math.Expm1((f[i]-v)/eps))
		}
		if merr <= matchMarginalTol {
			return g, nil
		}
		if it == matchMaxIter {
			return g, fmt.Errorf("%w: plan row sums off by %.3g (L1) after %d iterations at eps %g",
				ErrNotConverged, merr, it, eps)
		}
		for i, v := range ft {
			f[i] = v
			hA[i] = logA[i] + v/eps
		}
		yx.softmin(g, hA, eps, nil)
	}
}

// argmaxPlan returns, for every row, the column maximising g_j - C_ij (the lowest on ties).
func (b *symBlock) argmaxPlan(g []float64) []int {
	best := make([]int, b.rows.n)
	nc := b.nc
	b.parallel(func(_ *rowScratch, grp int) {
		ct := b.cost[grp*nc*groupRows : (grp+1)*nc*groupRows]
		for k := 0; k < groupRows && grp*groupRows+k < b.rows.n; k++ {
			arg, top := 0, math.Inf(-1)
			for j, v := range g {
				if s := v - float64(ct[j*groupRows+k]); s > top {
					arg, top = j, s
				}
			}
			best[grp*groupRows+k] = arg
		}
	})
	return best
}
