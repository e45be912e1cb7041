package sinkhorn

import (
	"fmt"
	"math"
	"runtime"
)

// Soft returns the Sinkhorn divergence S between the uniform measures on N soft sequences x
// (N x T x O row-major: a vector per step, such as the relaxed Gumbel-softmax samples of an
// RNN) and M symbol sequences y (M x T), each symbol standing for its one-hot vector, with
// cost |x-y|^2/2, and its gradient dS/dx (N x T x O). It is Dense on x and the one-hot
// encoding of y, to rounding (measured: within 3e-13), computed for what the
// trainer's soft-sample term needs (train.Config.SoftWeight):
//
//   - the cost between a soft and a one-hot sequence is a gather,
//     (|x_i|^2 + T)/2 - sum_t x_i[t, y_jt], T terms per pair instead of T*O;
//   - duplicate y sequences are merged into weighted points, and the y-y block uses
//     Symbols' binned Hamming kernel (its costs are Hamming distances);
//   - terms below negligibleMass of their row's largest are left out (as in Symbols);
//   - the four softmins of an update run at once on up to Options.Workers goroutines
//     (results do not depend on it).
//
// Errors are returned for empty batches, mismatched lengths, symbols outside 0..O-1 and
// non-finite x, naming the offending row.
func Soft(x []float64, y []uint8, N, M, T, O int, opt Options) (loss float64, gradX []float64, err error) {
	opt, err = opt.resolved()
	if err != nil {
		return 0, nil, err
	}
	switch {
	case N <= 0 || M <= 0:
		return 0, nil, fmt.Errorf("sinkhorn: empty batch (N=%d, M=%d)", N, M)
	case T <= 0 || T > MaxSeqLen:
		return 0, nil, fmt.Errorf("sinkhorn: sequence length %d outside 1..%d", T, MaxSeqLen)
	case O < 1 || O > 256:
		return 0, nil, fmt.Errorf("sinkhorn: alphabet size %d must be in 1..256", O)
	case len(x) != N*T*O:
		return 0, nil, fmt.Errorf("sinkhorn: len(x) = %d, want N*T*O = %d*%d*%d", len(x), N, T, O)
	case len(y) != M*T:
		return 0, nil, fmt.Errorf("sinkhorn: len(y) = %d, want M*T = %d*%d", len(y), M, T)
	}
	if err := checkFinite("x", x, T*O); err != nil {
		return 0, nil, err
	}
	if err := checkSymbolRange("y", y, T, O); err != nil {
		return 0, nil, err
	}
	width := T * O
	gradX = make([]float64, N*width)
	d := softDiameter(x, y, T, O)
	if math.IsInf(d, 0) {
		return 0, nil, fmt.Errorf("sinkhorn: diameter overflows")
	}
	if d == 0 {
		return 0, gradX, nil
	}
	workers := opt.Workers
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	ys := newSeqSet(y, M, newPacking(T, O))
	sq := make([]float64, N) // |x_i|^2
	for i := range sq {
		for _, v := range x[i*width : (i+1)*width] {
			sq[i] += v * v
		}
	}
	xy := &softBlock{rows: N, cols: ys.n, colPts: nil, colSyms: ys.syms, T: T, O: O}
	yx := &softBlock{rows: ys.n, cols: N, colPts: x, T: T, O: O}
	xx := &softBlock{rows: N, cols: N, colPts: x, T: T, O: O}
	xy.cost, yx.cost, xx.cost = make([]float64, N*ys.n), make([]float64, ys.n*N), make([]float64, N*N)
	for i := 0; i < N; i++ {
		xi := x[i*width : (i+1)*width]
		for j := 0; j < ys.n; j++ {
			var g float64
			for t, v := range ys.syms[j*T : (j+1)*T] {
				g += xi[t*O+int(v)]
			}
			c := max(0, (sq[i]+float64(T))/2-g)
			xy.cost[i*ys.n+j], yx.cost[j*N+i] = c, c
		}
		for k := 0; k < i; k++ {
			var s float64
			for l, v := range x[k*width : (k+1)*width] {
				dv := xi[l] - v
				s += dv * dv
			}
			xx.cost[i*N+k], xx.cost[k*N+i] = s/2, s/2
		}
	}
	yy := newSymBlock(ys, ys, O, 1)
	countA := constSlice(N, 1)
	p := &problem{
		concurrent: min(workers, 4),
		xy:         xy,
		yx:         yx,
		xx:         xx,
		yy:         yy,
		logA:       constSlice(N, -math.Log(float64(N))),
		logB:       ys.logW,
		countA:     countA,
		countB:     ys.count,
		n:          float64(N),
		m:          float64(M),
	}
	avgP := make([]float64, N*width)
	avgQ := make([]float64, N*width)
	err = withCosts(func() error {
		var err error
		loss, err = p.run(epsSchedule(d, opt.Blur, opt.Scaling), opt, averages{p: avgP, q: avgQ})
		return err
	}, yy)
	for i := range gradX {
		gradX[i] = (avgQ[i] - avgP[i]) / float64(N)
	}
	return loss, gradX, err
}

// softDiameter is denseDiameter of x and the one-hot encoding of y, coordinate by
// coordinate in the same order, so the two give the same epsilon schedule.
func softDiameter(x []float64, y []uint8, T, O int) float64 {
	dim := T * O
	lo := make([]float64, dim)
	hi := make([]float64, dim)
	copy(lo, x[:dim])
	copy(hi, x[:dim])
	for i := 0; i < len(x); i += dim {
		for k, v := range x[i : i+dim] {
			lo[k] = math.Min(lo[k], v)
			hi[k] = math.Max(hi[k], v)
		}
	}
	// A one-hot coordinate (t, o) is 1 in the rows with y_t = o and 0 in the others.
	for i := 0; i < len(y); i += T {
		for t, v := range y[i : i+T] {
			for o := range O {
				u := 0.0
				if int(v) == o {
					u = 1
				}
				lo[t*O+o] = math.Min(lo[t*O+o], u)
				hi[t*O+o] = math.Max(hi[t*O+o], u)
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

// softBlock is a stored cost block whose columns are soft points (colPts, T*O each) or
// symbol sequences (colSyms, T each, standing for their one-hot vectors).
type softBlock struct {
	cost       []float64 // rows x cols
	rows, cols int
	colPts     []float64
	colSyms    []uint8
	T, O       int
	terms      []float64 // scratch, one row
}

// softmin is denseBlock.softmin (the same expression h_j + C_ij * (-1/eps)) with the terms
// below negligibleMass of the row's largest left out: there are at most cols of them, each
// under negligibleMass/cols of the row total.
func (b *softBlock) softmin(dst, h []float64, eps float64, avg []float64) {
	if len(b.terms) != b.cols {
		b.terms = make([]float64, b.cols)
	}
	alpha := -1 / eps
	cut := math.Log(negligibleMass / float64(b.cols))
	width := b.T * b.O
	for i := 0; i < b.rows; i++ {
		row := b.cost[i*b.cols : (i+1)*b.cols]
		m := math.Inf(-1)
		for j, c := range row {
			v := h[j] + c*alpha
			b.terms[j] = v
			if v > m {
				m = v
			}
		}
		lo := m + cut
		var s float64
		for j, v := range b.terms {
			if v < lo {
				b.terms[j] = 0
				continue
			}
			e := expm(v - m)
			b.terms[j] = e
			s += e
		}
		dst[i] = -eps * (m + math.Log(s))
		if avg == nil {
			continue
		}
		out := avg[i*width : (i+1)*width]
		clear(out)
		for j, e := range b.terms {
			if e == 0 {
				continue
			}
			pij := e / s
			if b.colSyms != nil {
				for t, v := range b.colSyms[j*b.T : (j+1)*b.T] {
					out[t*b.O+int(v)] += pij
				}
				continue
			}
			for k, v := range b.colPts[j*width : (j+1)*width] {
				out[k] += pij * v
			}
		}
	}
}

// expm returns e^x for x in [minExpArg, 0] within 3 ulp of math.Exp (TestExpm). It is
// softBlock's exponential: the standard library's pure-Go Exp (the WebAssembly build has no
// assembly one) spends most of its time in Ldexp and its special cases, which this range
// does not need. Method: e^x = 2^k e^r with k = round(x/ln 2) and |r| <= ln(2)/2, r from a
// two-part ln 2 (Cody and Waite), e^r by its Taylor series to degree 13 (truncation error
// below 0.35^14/14! = 4e-18), 2^k built from its exponent bits (k >= minExpArg/ln 2 > -145:
// a normal number).
func expm(x float64) float64 {
	const (
		log2e = 1.44269504088896338700e+00
		ln2Hi = 6.93147180369123816490e-01 // the high bits of ln 2, exact times any k < 2^20
		ln2Lo = 1.90821492927058770002e-10 // ln 2 - ln2Hi
	)
	k := math.Floor(x*log2e + 0.5)
	r := (x - k*ln2Hi) - k*ln2Lo
	p := 1.0 / 6227020800 // 1/13!
	p = p*r + 1.0/479001600
	p = p*r + 1.0/39916800
	p = p*r + 1.0/3628800
	p = p*r + 1.0/362880
	p = p*r + 1.0/40320
	p = p*r + 1.0/5040
	p = p*r + 1.0/720
	p = p*r + 1.0/120
	p = p*r + 1.0/24
	p = p*r + 1.0/6
	p = p*r + 0.5
	p = p*r + 1
	p = p*r + 1
	return p * math.Float64frombits(uint64(int64(k)+1023)<<52)
}

// minExpArg is the smallest argument softBlock passes to expm: terms below
// negligibleMass/cols of the row's largest are left out, and cols < 2^31.
const minExpArg = -100
