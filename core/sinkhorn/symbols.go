package sinkhorn

import (
	"fmt"
	"math"
	"math/bits"
	"runtime"
	"sync"
	"sync/atomic"
)

const (
	// bandWidth bounds the spread, in nats, of the log-weights h_j that share one exponent
	// offset: within a band exp(h_j - top) lies in (e^-600, 1], far from float64 underflow
	// (e^-708). Columns whose h_j spread wider (possible at eps = 0.04, where h spans up to
	// T/eps = 750 nats) go to further bands.
	bandWidth = 600
	// negligibleMass is the transport mass of one (band, cost level) cell of a plan row below
	// which the cell is left out of the gradient's weighted average. The plan row sums to 1,
	// so the dropped total is below (T+1)*bands*1e-20, under float64 rounding of the O(1)
	// gradient terms.
	negligibleMass = 1e-20
	// chunkRows is the number of rows one goroutine claims at a time. Rows are independent,
	// so results do not depend on which goroutine computes them.
	chunkRows = 16
	// serialPairs is the problem size (rows x columns) below which a pass runs on one goroutine.
	serialPairs = 1 << 15
)

// Symbols returns the Sinkhorn divergence between the uniform measures on the one-hot
// encodings of the symbol sequences x (N x T, row-major) and y (M x T) over the alphabet
// 0..O-1, and its gradient dS/dx with respect to the flattened one-hot x (N x T x O,
// row-major). It equals Dense on the one-hot encodings (cost = half the squared Euclidean
// distance = the Hamming distance of the sequences), computed faster: sequences are
// bit-packed, duplicates merged into weighted points, each log-sum-exp over columns is
// binned by the integer cost level (one add per pair, T+1 exponentials per row), and rows
// are processed by opt.Workers goroutines (results are independent of their number).
func Symbols(x, y []uint8, N, M, T, O int, opt Options) (loss float64, gradX []float64, err error) {
	opt, err = opt.resolved()
	if err != nil {
		return 0, nil, err
	}
	if err := checkSymbols(x, y, N, M, T); err != nil {
		return 0, nil, err
	}
	if O < 1 || O > 256 {
		return 0, nil, fmt.Errorf("sinkhorn: alphabet size %d must be in 1..256", O)
	}
	for _, s := range [...]struct {
		name string
		v    []uint8
	}{{"x", x}, {"y", y}} {
		for i, v := range s.v {
			if int(v) >= O {
				return 0, nil, fmt.Errorf("sinkhorn: %s row %d position %d: symbol %d outside 0..%d", s.name, i/T, i%T, v, O-1)
			}
		}
	}
	gradX = make([]float64, N*T*O)
	d := symbolDiameter(x, y, T)
	if d == 0 {
		return 0, gradX, nil
	}
	p, xs, _ := newSymbolProblem(x, y, N, M, T, O, opt.Workers)
	width := T * O
	avgP := make([]float64, xs.n*width)
	avgQ := make([]float64, xs.n*width)
	loss, err = p.run(epsSchedule(d, opt.Blur, opt.Scaling), opt, avgP, avgQ)
	for i, u := range xs.index {
		g := gradX[i*width : (i+1)*width]
		q, pp := avgQ[int(u)*width:], avgP[int(u)*width:]
		for k := range g {
			g[k] = (q[k] - pp[k]) / float64(N)
		}
	}
	return loss, gradX, err
}

func checkSymbols(x, y []uint8, N, M, T int) error {
	switch {
	case N <= 0 || M <= 0:
		return fmt.Errorf("sinkhorn: empty batch (N=%d, M=%d)", N, M)
	case T <= 0:
		return fmt.Errorf("sinkhorn: sequence length %d must be positive", T)
	case len(x) != N*T:
		return fmt.Errorf("sinkhorn: len(x) = %d, want N*T = %d*%d", len(x), N, T)
	case len(y) != M*T:
		return fmt.Errorf("sinkhorn: len(y) = %d, want M*T = %d*%d", len(y), M, T)
	}
	return nil
}

// symbolDiameter is denseDiameter of the one-hot encodings: coordinate (t, o) has range 1 iff
// some row has o at t and some row does not, so a position contributes the number of
// distinct symbols seen there if that is at least 2, and nothing otherwise.
func symbolDiameter(x, y []uint8, T int) float64 {
	seen := make([][4]uint64, T)
	for _, s := range [][]uint8{x, y} {
		for i, v := range s {
			seen[i%T][v>>6] |= 1 << (v & 63)
		}
	}
	n := 0
	for _, w := range seen {
		k := bits.OnesCount64(w[0]) + bits.OnesCount64(w[1]) + bits.OnesCount64(w[2]) + bits.OnesCount64(w[3])
		if k >= 2 {
			n += k
		}
	}
	return math.Sqrt(float64(n))
}

// newSymbolProblem merges duplicates and builds the four Hamming cost blocks.
func newSymbolProblem(x, y []uint8, N, M, T, O, workers int) (*problem, *seqSet, *seqSet) {
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	lay := newPacking(T, O)
	xs, ys := newSeqSet(x, N, lay), newSeqSet(y, M, lay)
	p := &problem{
		xy:     newSymBlock(xs, ys, O, workers),
		yx:     newSymBlock(ys, xs, O, workers),
		xx:     newSymBlock(xs, xs, O, workers),
		yy:     newSymBlock(ys, ys, O, workers),
		logA:   xs.logW,
		logB:   ys.logW,
		countA: xs.count,
		countB: ys.count,
		n:      float64(N),
		m:      float64(M),
	}
	return p, xs, ys
}

// symBlock is a Hamming cost block between the distinct sequences of two seqSets.
type symBlock struct {
	rows, cols *seqSet
	O, workers int
	scratch    []*rowScratch // one per goroutine

	cost []uint8 // rows.n x cols.n Hamming distances, computed on the first call

	// Set per softmin call, read-only while rows are processed.
	e     []float64 // exp(h_j - top of j's band)
	band  []uint8   // band of column j (only when bands > 1)
	top   []float64 // top[k] = max(h) - k*bandWidth
	decay []float64 // decay[c] = exp(-c/eps), c = 0..T
}

// rowScratch is one goroutine's working memory.
type rowScratch struct {
	bins   *[256]float64    // single band: sum of e_j per cost level
	bins1  *[256]float64    // second accumulator (odd columns)
	multi  []float64        // several bands: bands x (T+1) sums
	factor []float64        // bands x (T+1) plan mass per unit e_j (gradient pass)
	c0     []int            // first non-empty cost level per band
	lead   []float64        // top[k] - c0[k]/eps per band
}

func newSymBlock(rows, cols *seqSet, O, workers int) *symBlock {
	b := &symBlock{rows: rows, cols: cols, O: O, workers: workers,
		e: make([]float64, cols.n), decay: make([]float64, rows.layout.T+1)}
	if rows.n*cols.n < serialPairs || b.workers < 1 {
		b.workers = 1
	}
	b.workers = min(b.workers, (rows.n+chunkRows-1)/chunkRows)
	b.scratch = make([]*rowScratch, b.workers)
	for w := range b.scratch {
		b.scratch[w] = &rowScratch{bins: new([256]float64), bins1: new([256]float64)}
	}
	return b
}

func (b *symBlock) softmin(dst, h []float64, eps float64, avg []float64) {
	T := b.rows.layout.T
	if b.cost == nil {
		nc := b.cols.n
		b.cost = make([]uint8, b.rows.n*nc)
		b.parallel(func(_ *rowScratch, lo, hi int) {
			for i := lo; i < hi; i++ {
				b.costs(b.cost[i*nc:(i+1)*nc], i)
			}
		})
	}
	hmax, hmin := math.Inf(-1), math.Inf(1)
	for _, v := range h {
		hmax = math.Max(hmax, v)
		hmin = math.Min(hmin, v)
	}
	nb := 1 + int((hmax-hmin)/bandWidth)
	b.top = b.top[:0]
	for k := 0; k < nb; k++ {
		b.top = append(b.top, hmax-float64(k)*bandWidth)
	}
	if nb == 1 {
		for j, v := range h {
			b.e[j] = math.Exp(v - hmax)
		}
	} else {
		if len(b.band) != len(h) {
			b.band = make([]uint8, len(h))
		}
		for j, v := range h {
			k := min(int((hmax-v)/bandWidth), nb-1)
			b.band[j] = uint8(k)
			b.e[j] = math.Exp(v - b.top[k])
		}
	}
	for c := range b.decay {
		b.decay[c] = math.Exp(-float64(c) / eps)
	}
	for _, s := range b.scratch {
		if need := nb * (T + 1); nb > 1 && len(s.multi) < need {
			s.multi = make([]float64, need)
		}
		if need := nb * (T + 1); len(s.factor) < need {
			s.factor = make([]float64, need)
		}
		if len(s.c0) < nb {
			s.c0 = make([]int, nb)
			s.lead = make([]float64, nb)
		}
	}
	b.parallel(func(s *rowScratch, lo, hi int) {
		for i := lo; i < hi; i++ {
			var out []float64
			if avg != nil {
				width := T * b.O
				out = avg[i*width : (i+1)*width]
			}
			dst[i] = b.row(s, i, eps, nb, out)
		}
	})
}

// parallel runs f over the rows in fixed chunks of chunkRows, on b.workers goroutines.
func (b *symBlock) parallel(f func(s *rowScratch, lo, hi int)) {
	n := b.rows.n
	if b.workers == 1 {
		f(b.scratch[0], 0, n)
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for _, s := range b.scratch {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				lo := int(next.Add(chunkRows)) - chunkRows
				if lo >= n {
					return
				}
				f(s, lo, min(lo+chunkRows, n))
			}
		}()
	}
	wg.Wait()
}

// row computes softmin for row i (and the plan-weighted average of the column one-hots
// into out, if not nil).
func (b *symBlock) row(s *rowScratch, i int, eps float64, nb int, out []float64) float64 {
	T := b.rows.layout.T
	nc := b.cols.n
	cost := b.cost[i*nc : (i+1)*nc]
	// Bin e_j by (band, cost level).
	var sum float64
	lse := 0.0
	if nb == 1 {
		bins, bins1 := s.bins, s.bins1
		clear(bins[:T+1])
		clear(bins1[:T+1])
		e := b.e[:len(cost)]
		n := len(cost) &^ 1
		for j := 0; j < n; j += 2 {
			bins[cost[j]] += e[j]
			bins1[cost[j+1]] += e[j+1]
		}
		if n < len(cost) {
			bins[cost[n]] += e[n]
		}
		for c := range bins[:T+1] {
			bins[c] += bins1[c]
		}
		c0 := 0
		for c0 < T && bins[c0] == 0 {
			c0++
		}
		for c := c0; c <= T; c++ {
			sum += b.decay[c-c0] * bins[c]
		}
		s.c0[0] = c0
		s.lead[0] = b.top[0] - float64(c0)/eps
		lse = s.lead[0] + math.Log(sum)
	} else {
		multi := s.multi[:nb*(T+1)]
		clear(multi)
		for j, c := range cost {
			multi[int(b.band[j])*(T+1)+int(c)] += b.e[j]
		}
		lmax := math.Inf(-1)
		for k := 0; k < nb; k++ {
			bins := multi[k*(T+1) : (k+1)*(T+1)]
			c0 := 0
			for c0 <= T && bins[c0] == 0 {
				c0++
			}
			s.c0[k] = c0
			s.lead[k] = math.Inf(-1)
			if c0 <= T {
				s.lead[k] = b.top[k] - float64(c0)/eps
			}
			lmax = math.Max(lmax, s.lead[k])
		}
		for k := 0; k < nb; k++ {
			c0 := s.c0[k]
			if c0 > T {
				continue
			}
			var sk float64
			for c, v := range multi[k*(T+1)+c0 : (k+1)*(T+1)] {
				sk += b.decay[c] * v
			}
			sum += math.Exp(s.lead[k]-lmax) * sk
		}
		lse = lmax + math.Log(sum)
	}
	if out != nil {
		b.average(s, cost, eps, nb, lse, out)
	}
	return -eps * lse
}

// average sets out = sum_j P_ij onehot(column j), P_ij = e_j exp(top_k - c/eps - lse), leaving
// out cells of negligible mass.
func (b *symBlock) average(s *rowScratch, cost []uint8, eps float64, nb int, lse float64, out []float64) {
	T, O := b.rows.layout.T, b.O
	clear(out)
	factor := s.factor[:nb*(T+1)]
	clear(factor)
	live := false
	for k := 0; k < nb; k++ {
		c0 := s.c0[k]
		if c0 > T {
			continue
		}
		scale := math.Exp(s.lead[k] - lse)
		var bins []float64
		if nb == 1 {
			bins = s.bins[:T+1]
		} else {
			bins = s.multi[k*(T+1) : (k+1)*(T+1)]
		}
		for c := c0; c <= T; c++ {
			f := scale * b.decay[c-c0]
			if f*bins[c] >= negligibleMass {
				factor[k*(T+1)+c] = f
				live = true
			}
		}
	}
	if !live {
		return
	}
	syms := b.cols.syms
	for j, c := range cost {
		k := 0
		if nb > 1 {
			k = int(b.band[j])
		}
		f := factor[k*(T+1)+int(c)]
		if f == 0 {
			continue
		}
		p := b.e[j] * f
		for t, v := range syms[j*T : (j+1)*T] {
			out[t*O+int(v)] += p
		}
	}
}

// costs sets dst[j] to the Hamming distance between row i and column j.
func (b *symBlock) costs(dst []uint8, i int) {
	lay := &b.rows.layout
	w := lay.words
	x := b.rows.codes[i*w : (i+1)*w]
	cols := b.cols.codes
	if w == 1 && lay.bitsPer == 2 {
		xi, low := x[0], lay.low
		cols = cols[:len(dst)]
		for j, c := range cols {
			z := xi ^ c
			dst[j] = uint8(bits.OnesCount64((z | z>>1) & low))
		}
		return
	}
	for j := range dst {
		dst[j] = uint8(lay.hamming(x, cols[j*w:(j+1)*w]))
	}
}
