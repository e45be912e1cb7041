package stats

import (
	"fmt"
	"math"
)

// Basic holds the cheap statistics of n symbol sequences of length T over
// an alphabet of O symbols.
type Basic struct {
	N int `json:"n"`
	T int `json:"t"`
	O int `json:"o"`
	// Counts[k] is the number of occurrences of symbol k.
	Counts []int `json:"counts"`
	// Freq[k] = Counts[k] / (n*T), the pooled frequency (equal to the mean
	// over sequences of the per-sequence frequency).
	Freq []float64 `json:"freq"`
	// FreqStd[k] is the standard deviation across sequences of the
	// per-sequence frequency of k.
	FreqStd []float64 `json:"freq_std"`
	// Volatility is the mean number of output changes per sequence
	// (t in 1..T-1 with o_t != o_{t-1}); VolatilityStd its std.
	Volatility    float64 `json:"volatility"`
	VolatilityStd float64 `json:"volatility_std"`
	// TransCounts[i][j] counts the pairs (o_{t-1}, o_t) = (i, j).
	TransCounts [][]int `json:"trans_counts"`
	// RowCounts[i] = sum_j TransCounts[i][j], the number of samples behind
	// transition row i.
	RowCounts []int `json:"row_counts"`
	// Trans is TransCounts normalised by row; a row without data
	// (RowCounts[i] == 0) is all zeros.
	Trans [][]float64 `json:"trans"`
}

// Summary computes Basic for obs (row-major n*T). It is a single pass over
// the data with O(O*O) extra memory. obs must hold exactly n*T symbols,
// each below O; anything else is a programmer error and panics (Compare
// checks user data before calling it).
func Summary(obs []uint8, n, T, O int) Basic {
	if n < 0 || T < 0 || O < 1 || len(obs) != n*T {
		panic(fmt.Sprintf("stats: Summary: %d symbols for n=%d T=%d O=%d", len(obs), n, T, O))
	}
	b := Basic{
		N: n, T: T, O: O,
		Counts:      make([]int, O),
		Freq:        make([]float64, O),
		FreqStd:     make([]float64, O),
		TransCounts: make([][]int, O),
		RowCounts:   make([]int, O),
		Trans:       make([][]float64, O),
	}
	for i := range b.TransCounts {
		b.TransCounts[i] = make([]int, O)
		b.Trans[i] = make([]float64, O)
	}
	if n == 0 || T == 0 {
		return b
	}
	seq := make([]int, O)
	sumSq := make([]float64, O)
	var volSum, volSq float64
	for i := 0; i < n; i++ {
		o := obs[i*T : (i+1)*T]
		clear(seq)
		changes := 0
		prev := int(o[0])
		if prev >= O {
			panic(fmt.Sprintf("stats: Summary: symbol %d at sequence %d position 0, O = %d", prev, i, O))
		}
		seq[prev]++
		for t := 1; t < T; t++ {
			s := int(o[t])
			if s >= O {
				panic(fmt.Sprintf("stats: Summary: symbol %d at sequence %d position %d, O = %d", s, i, t, O))
			}
			seq[s]++
			b.TransCounts[prev][s]++
			if s != prev {
				changes++
			}
			prev = s
		}
		for k, c := range seq {
			b.Counts[k] += c
			f := float64(c) / float64(T)
			sumSq[k] += f * f
		}
		volSum += float64(changes)
		volSq += float64(changes) * float64(changes)
	}
	fn := float64(n)
	for k := 0; k < O; k++ {
		b.Freq[k] = float64(b.Counts[k]) / (fn * float64(T))
		b.FreqStd[k] = popStd(sumSq[k]/fn, b.Freq[k])
		for _, c := range b.TransCounts[k] {
			b.RowCounts[k] += c
		}
		if b.RowCounts[k] > 0 {
			for j, c := range b.TransCounts[k] {
				b.Trans[k][j] = float64(c) / float64(b.RowCounts[k])
			}
		}
	}
	b.Volatility = volSum / fn
	b.VolatilityStd = popStd(volSq/fn, b.Volatility)
	return b
}

// popStd returns sqrt(E[x^2] - E[x]^2), clamped at 0 against rounding.
func popStd(meanSq, mean float64) float64 {
	return math.Sqrt(math.Max(meanSq-mean*mean, 0))
}

// Persistence is a switch rate (output changes per step) divided by that
// of independent draws with the given symbol frequencies, 1 - sum_k p_k^2:
// about 1 for outputs that forget the previous one (the fair-coin plateau
// of core/METHOD.md section 3), small for persistent ones; 0 when
// independent draws would never switch (one symbol).
func Persistence(switchRate float64, freq []float64) float64 {
	iid := 1.0
	for _, p := range freq {
		iid -= p * p
	}
	if iid <= 0 {
		return 0
	}
	return switchRate / iid
}
