package stats

import "fmt"

// Dwell is the distribution of dwell times: lengths of runs of one symbol.
// Only complete runs count: the first run of a sequence (it may have begun
// before t = 0) and the last (it may continue after T-1) are censored and
// dropped, so a run length is at most T-2. Symbols are taken as emitted
// (a rare symbol between two runs of another one ends both runs).
type Dwell struct {
	// Runs is the number of complete runs.
	Runs int `json:"runs"`
	// Hist[d] is the number of complete runs of length d (Hist[0] = 0);
	// len(Hist) = max(T-1, 1).
	Hist []int `json:"hist"`
	// Mean is the mean run length and P1 the fraction of runs of length 1
	// (both 0 when Runs == 0). An HMM that stays with probability 1-q has
	// roughly geometric dwells, P1 near q; core/METHOD.md section 3 reports
	// trained RNNs suppressing 1-step dwells.
	Mean float64 `json:"mean"`
	P1   float64 `json:"p1"`
	// PerSymbol[k] describes the complete runs of symbol k.
	PerSymbol []DwellSymbol `json:"per_symbol"`
}

// DwellSymbol summarises the complete runs of one symbol.
type DwellSymbol struct {
	Runs int     `json:"runs"`
	Mean float64 `json:"mean"`
	P1   float64 `json:"p1"`
}

// Dwells computes the dwell-time distribution of obs (row-major n*T,
// symbols below O). Like Summary it panics on inconsistent sizes or
// out-of-range symbols.
func Dwells(obs []uint8, n, T, O int) Dwell {
	if n < 0 || T < 0 || O < 1 || len(obs) != n*T {
		panic(fmt.Sprintf("stats: Dwells: %d symbols for n=%d T=%d O=%d", len(obs), n, T, O))
	}
	d := Dwell{Hist: make([]int, max(T-1, 1)), PerSymbol: make([]DwellSymbol, O)}
	sum := make([]int, O)
	ones := make([]int, O)
	for i := 0; i < n; i++ {
		o := obs[i*T : (i+1)*T]
		start := -1 // start of the current run; -1 while in the censored first run
		for t := 1; t < T; t++ {
			if int(o[t]) >= O {
				panic(fmt.Sprintf("stats: Dwells: symbol %d at sequence %d position %d, O = %d", o[t], i, t, O))
			}
			if o[t] == o[t-1] {
				continue
			}
			if start >= 0 {
				L, s := t-start, o[t-1]
				d.Hist[L]++
				d.PerSymbol[s].Runs++
				sum[s] += L
				if L == 1 {
					ones[s]++
				}
			}
			start = t
		}
	}
	total, totalOnes := 0, 0
	for k := range d.PerSymbol {
		ps := &d.PerSymbol[k]
		d.Runs += ps.Runs
		total += sum[k]
		totalOnes += ones[k]
		if ps.Runs > 0 {
			ps.Mean = float64(sum[k]) / float64(ps.Runs)
			ps.P1 = float64(ones[k]) / float64(ps.Runs)
		}
	}
	if d.Runs > 0 {
		d.Mean = float64(total) / float64(d.Runs)
		d.P1 = float64(totalOnes) / float64(d.Runs)
	}
	return d
}

// RareFreq is the exact frequency below which Compare treats a symbol as a
// rare blip and also reports dwell times and volatility with its
// occurrences merged into the preceding run. It singles out the linear
// chains' output 1 (probability 0.01, core/METHOD.md section 1), as the peer's
// volatility_02 and dwell analysis do; the threshold is our choice.
const RareFreq = 0.05

// MergedRare marks the symbols that Compare and the fit criterion merge
// into the runs they interrupt, given the HMM's exact frequencies: those
// below RareFreq, when at least two other symbols remain to have runs;
// nil when none is merged.
func MergedRare(exactFreq []float64) []bool {
	rare := make([]bool, len(exactFreq))
	n := 0
	for k, f := range exactFreq {
		if f < RareFreq {
			rare[k] = true
			n++
		}
	}
	if n == 0 || len(exactFreq)-n < 2 {
		return nil
	}
	return rare
}

// MergeRare returns a copy of obs (row-major n*T) in which every symbol s
// with rare[s] at t >= 1 is replaced by the (already merged) symbol at t-1,
// so blips of rare symbols extend the surrounding run. Position 0 is kept.
func MergeRare(obs []uint8, n, T int, rare []bool) []uint8 {
	out := append([]uint8(nil), obs...)
	for i := 0; i < n; i++ {
		o := out[i*T : (i+1)*T]
		for t := 1; t < T; t++ {
			if int(o[t]) < len(rare) && rare[o[t]] {
				o[t] = o[t-1]
			}
		}
	}
	return out
}
