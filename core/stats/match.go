package stats

import (
	"errors"
	"fmt"
	"math"

	"hmmrnn/core/sinkhorn"
)

// MatchEps is the entropic regularisation of the transport plan used to
// match sequences (core/METHOD.md section 4: eps 0.1).
const MatchEps = 0.1

// MaxMatchSamples is the most sequences MatchedDistance matches: the
// matching holds two n x n byte cost matrices (512 MiB at 2^14) and
// iterates over them up to thousands of times, so 2^14, about three times
// the paper's 5000, bounds both (2^20 sequences asked for a
// 2 TB matching).
const MaxMatchSamples = 1 << 14

// MatchedDistance matches each of the n sequences in x to a sequence of the
// n in y by the entropic transport plan (sinkhorn.Match at eps) and returns
// the mean Euclidean distance between matched pairs in the one-hot
// encoding, sqrt(2 * Hamming distance). Time and memory are those of
// sinkhorn.Match, O(n*n) cost entries.
//
// If the Sinkhorn iterations do not converge, the distance of the last
// iterate's matches is returned together with an error wrapping
// sinkhorn.ErrNotConverged; any other error returns 0.
func MatchedDistance(x, y []uint8, n, T int, eps float64) (float64, error) {
	if n < 1 || T < 1 || len(x) != n*T || len(y) != n*T {
		return 0, fmt.Errorf("stats: matched distance: %d and %d symbols for n=%d sequences of T=%d", len(x), len(y), n, T)
	}
	if n > MaxMatchSamples {
		return 0, fmt.Errorf("stats: matched distance: %d sequences, at most %d (the matching's cost grows as n*n)", n, MaxMatchSamples)
	}
	idx, err := sinkhorn.Match(x, y, n, n, T, eps)
	if err != nil && !errors.Is(err, sinkhorn.ErrNotConverged) {
		return 0, fmt.Errorf("stats: matched distance: %w", err)
	}
	matchErr := err
	if len(idx) != n {
		return 0, fmt.Errorf("stats: matched distance: matching returned %d indices for %d sequences", len(idx), n)
	}
	sum := 0.0
	for i, j := range idx {
		if j < 0 || j >= n {
			return 0, fmt.Errorf("stats: matched distance: sequence %d matched to index %d of %d", i, j, n)
		}
		sum += math.Sqrt(2 * float64(hamming(x[i*T:(i+1)*T], y[j*T:(j+1)*T])))
	}
	if matchErr != nil {
		return sum / float64(n), fmt.Errorf("stats: matched distance: %w", matchErr)
	}
	return sum / float64(n), nil
}

// hamming counts the positions where a and b differ.
func hamming(a, b []uint8) int {
	d := 0
	for t := range a {
		if a[t] != b[t] {
			d++
		}
	}
	return d
}
