package sinkhorn

import (
	"fmt"
	"math"
	"math/bits"
	"runtime"
)

// concurrentPairs is the largest block (rows x columns) for which the four
// blocks of an update run at once. Measured on 2 cores (BenchmarkStep):
// batch 256 1.65 ms instead of 2.46 ms per loss, 512 4.5 instead of 5.1 ms,
// but 4096 149 instead of 121 ms (four large cost matrices in use at once
// crowd the caches), so large problems keep splitting rows.
const concurrentPairs = 1 << 19

// MaxSeqLen is the longest sequence Symbols and Match accept (costs are stored in bytes).
const MaxSeqLen = 255

// Symbols returns the Sinkhorn divergence between the uniform measures on the one-hot
// encodings of the symbol sequences x (N x T, row-major) and y (M x T) over the alphabet
// 0..O-1, and its gradient dS/dx with respect to the flattened one-hot x (N x T x O,
// row-major). It equals Dense on the one-hot encodings, where the cost |x-y|^2/2 is the
// Hamming distance of the sequences, and is computed much faster:
//
//   - sequences are bit-packed and duplicates merged into weighted points (exact: duplicate
//     rows have identical potentials);
//   - the Hamming costs (integers 0..T) are computed once per call by XOR and popcount;
//   - each log-sum-exp over columns sums exp(h_j - max h) per integer cost level (one add
//     per pair) and combines the T+1 level sums with exp(-c/eps);
//   - at small eps, cost levels whose total mass is provably below 1e-20 of the row's
//     (from the potentials' spread) are skipped;
//   - rows are processed by opt.Workers goroutines; every row is computed independently
//     by the same sequence of operations, so results do not depend on scheduling.
//
// The same conventions as Dense apply (zero diameter gives 0, Converged may return an
// ErrNotConverged-wrapping error with the last iterate).
func Symbols(x, y []uint8, N, M, T, O int, opt Options) (loss float64, gradX []float64, err error) {
	loss, gradX, _, err = symbols(x, y, N, M, T, O, opt, gradX1)
	return loss, gradX, err
}

// SymbolsLoss is Symbols' loss alone, the same value bit for bit, without
// the gradient's weighted averages: a loss nothing differentiates, such as
// train's validation loss.
func SymbolsLoss(x, y []uint8, N, M, T, O int, opt Options) (float64, error) {
	loss, _, _, err := symbols(x, y, N, M, T, O, opt, gradNone)
	return loss, err
}

// SymbolsBoth is Symbols with the gradient dS/dy with respect to the
// flattened one-hot y (M x T x O) too, from the same solve: the divergence
// is symmetric, and the loop updates both potentials alike, so gradY is
// bit for bit Symbols(y, x, ...)'s gradient, at the cost of one solve
// instead of two (train.Config.Energy needs both gradients of S(x1, x2)).
func SymbolsBoth(x, y []uint8, N, M, T, O int, opt Options) (loss float64, gradX, gradY []float64, err error) {
	return symbols(x, y, N, M, T, O, opt, gradX1|gradY1)
}

// Which gradients symbols computes.
const (
	gradX1   = 1 << iota // dS/dx
	gradY1               // dS/dy
	gradNone = 0
)

// symbols is Symbols, SymbolsLoss and SymbolsBoth: it returns the gradients
// that grad asks for and skips the weighted averages behind the others.
func symbols(x, y []uint8, N, M, T, O int, opt Options, grad int) (loss float64, gradX, gradY []float64, err error) {
	opt, err = opt.resolved()
	if err != nil {
		return 0, nil, nil, err
	}
	if err := checkSymbols(x, y, N, M, T); err != nil {
		return 0, nil, nil, err
	}
	if O < 1 || O > 256 {
		return 0, nil, nil, fmt.Errorf("sinkhorn: alphabet size %d must be in 1..256", O)
	}
	if err := checkSymbolRange("x", x, T, O); err != nil {
		return 0, nil, nil, err
	}
	if err := checkSymbolRange("y", y, T, O); err != nil {
		return 0, nil, nil, err
	}
	if grad&gradX1 != 0 {
		gradX = make([]float64, N*T*O)
	}
	if grad&gradY1 != 0 {
		gradY = make([]float64, M*T*O)
	}
	d := symbolDiameter(x, y, T)
	if d == 0 {
		return 0, gradX, gradY, nil
	}
	workers := opt.Workers
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	lay := newPacking(T, O)
	xs, ys := newSeqSet(x, N, lay), newSeqSet(y, M, lay)
	// Small problems run the four blocks of an update at once on up to four
	// goroutines, each splitting its rows over the remaining threads; large
	// ones split every block's rows over all threads (see concurrentPairs).
	concurrent, inner := 1, workers
	if max(xs.n, ys.n)*max(xs.n, ys.n) <= concurrentPairs {
		concurrent = min(workers, 4)
		inner = max(1, workers/concurrent)
	}
	xy, yx := newSymBlock(xs, ys, O, inner), newSymBlock(ys, xs, O, inner)
	xx, yy := newSymBlock(xs, xs, O, inner), newSymBlock(ys, ys, O, inner)
	p := &problem{
		concurrent: concurrent,
		xy:         xy,
		yx:         yx,
		xx:         xx,
		yy:         yy,
		logA:       xs.logW,
		logB:       ys.logW,
		countA:     xs.count,
		countB:     ys.count,
		n:          float64(N),
		m:          float64(M),
	}
	width := T * O
	var avg averages
	if gradX != nil {
		avg.p, avg.q = make([]float64, xs.n*width), make([]float64, xs.n*width)
	}
	if gradY != nil {
		avg.py, avg.qy = make([]float64, ys.n*width), make([]float64, ys.n*width)
	}
	err = withCosts(func() error {
		var err error
		loss, err = p.run(epsSchedule(d, opt.Blur, opt.Scaling), opt, avg)
		return err
	}, xy, yx, xx, yy)
	if gradX != nil {
		gradientOf(gradX, xs, avg.p, avg.q, width, N)
	}
	if gradY != nil {
		gradientOf(gradY, ys, avg.py, avg.qy, width, M)
	}
	return loss, gradX, gradY, err
}

// gradientOf sets the gradient g of the divergence with respect to the n
// one-hot rows of the point set s from its merged points' averages under
// the cross plan (p) and the self plan (q): (q - p) / n per row.
func gradientOf(g []float64, s *seqSet, p, q []float64, width, n int) {
	for i, u := range s.index {
		gi := g[i*width : (i+1)*width]
		qu, pu := q[int(u)*width:], p[int(u)*width:]
		for k := range gi {
			gi[k] = (qu[k] - pu[k]) / float64(n)
		}
	}
}

func checkSymbols(x, y []uint8, N, M, T int) error {
	switch {
	case N <= 0 || M <= 0:
		return fmt.Errorf("sinkhorn: empty batch (N=%d, M=%d)", N, M)
	case T <= 0 || T > MaxSeqLen:
		return fmt.Errorf("sinkhorn: sequence length %d outside 1..%d", T, MaxSeqLen)
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

// checkSymbolRange returns an error naming the first symbol of s (sequences
// of length T) outside 0..O-1, with its row and position.
func checkSymbolRange(name string, s []uint8, T, O int) error {
	for i, v := range s {
		if int(v) >= O {
			return fmt.Errorf("sinkhorn: %s row %d position %d: symbol %d outside 0..%d", name, i/T, i%T, v, O-1)
		}
	}
	return nil
}
