package stats

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"hmmrnn/core/hmm"
	"hmmrnn/core/sinkhorn"
)

// MinRowCount is the number of transitions out of a symbol, in both the
// RNN and the HMM sample, from which its transition row counts as well
// sampled. core/METHOD.md section 3 ("Pitfalls") asks to judge fidelity on
// well-sampled rows because the rare output 1 (probability 0.01) gets a
// handful of samples. The number is our choice: with 1000 samples the
// standard error of an estimated transition probability is at most
// sqrt(0.25/1000) = 0.016, so even a perfect emulator's sampling noise
// exceeds the 0.05 tolerance of Fidelity with probability about 0.002 per
// entry (3.2 sd). With 200 samples (sd 0.035) it would fail one time in
// six. At the paper's evaluation size (5000 sequences of T = 30) the
// linear chains' row 1 has about 1450 HMM transitions.
const MinRowCount = 1000

// Options tunes CompareWith; the zero value gives Compare's defaults.
type Options struct {
	// MinRowCount overrides the package constant MinRowCount when > 0.
	MinRowCount int
	// MatchEps overrides MatchEps when > 0.
	MatchEps float64
	// SkipMatch leaves out the Sinkhorn-matched distances, whose cost
	// grows as n*n.
	SkipMatch bool
}

// Diff compares two sets of figures.
type Diff struct {
	// Freq is max_k |freq_a[k] - freq_b[k]|.
	Freq float64 `json:"freq"`
	// Volatility is the absolute difference of the mean changes per sequence.
	Volatility float64 `json:"volatility"`
	// TransMaxAbs and TransSumSq are the largest absolute and the summed
	// squared differences of the transition matrices over the report's
	// well-sampled rows (0 when there are none).
	TransMaxAbs float64 `json:"trans_max_abs"`
	TransSumSq  float64 `json:"trans_sum_sq"`
	// TransMaxAbsAll and TransSumSqAll are the same over all rows; a row
	// without data is all zeros, so it counts as a miss.
	TransMaxAbsAll float64 `json:"trans_max_abs_all"`
	TransSumSqAll  float64 `json:"trans_sum_sq_all"`
}

// Figure is one line of the comparison table.
type Figure struct {
	Name string `json:"name"`
	// RNN is the figure of the RNN sample; Exact the HMM's exact value
	// (absent when the package has no exact formula); Sample the figure of
	// the first HMM sample set.
	RNN    float64  `json:"rnn"`
	Exact  *float64 `json:"exact,omitempty"`
	Sample float64  `json:"hmm_sample"`
	// Diff is |RNN - Sample| and Floor |Sample - Sample2|, the same
	// difference between two HMM sample sets of the same size: the
	// sampling noise floor Diff is to be read against.
	Diff  float64 `json:"diff"`
	Floor float64 `json:"floor"`
	// Note flags figures to be read with care (rows that are not well
	// sampled).
	Note string `json:"note,omitempty"`
}

// Verdict is the outcome of Fidelity.
type Verdict struct {
	OK     bool    `json:"ok"`
	DTrans float64 `json:"d_trans"`
	DFreq  float64 `json:"d_freq"`
}

// Report is the full comparison made by Compare.
type Report struct {
	HMM string `json:"hmm"` // model name
	N   int    `json:"n"`   // sequences in each sample set
	T   int    `json:"t"`   // sequence length
	O   int    `json:"o"`   // alphabet size

	MinRowCount int `json:"min_row_count"`
	// WellSampledRows lists the symbols whose transition rows have at
	// least MinRowCount samples in both RNN and Sample.
	WellSampledRows []int `json:"well_sampled_rows"`

	Exact   hmm.Exact `json:"exact"`       // m.Exact(T)
	RNN     Basic     `json:"rnn"`         // the RNN sample
	Sample  Basic     `json:"hmm_sample"`  // first HMM sample set
	Sample2 Basic     `json:"hmm_sample2"` // second HMM sample set (noise floor)

	RNNVsExact     Diff `json:"rnn_vs_exact"`
	SampleVsExact  Diff `json:"sample_vs_exact"` // noise floor of RNNVsExact
	RNNVsSample    Diff `json:"rnn_vs_sample"`
	SampleVsSample Diff `json:"sample_vs_sample"` // noise floor of RNNVsSample

	DwellRNN     Dwell `json:"dwell_rnn"`
	DwellSample  Dwell `json:"dwell_hmm_sample"`
	DwellSample2 Dwell `json:"dwell_hmm_sample2"`

	// RareSymbols lists the symbols with exact frequency below RareFreq.
	// When there are any and at least two symbols are not rare, the Merged
	// figures repeat volatility and dwell times after MergeRare (the peer's
	// volatility_02): switching between the frequent symbols only.
	RareSymbols             []int   `json:"rare_symbols"`
	VolatilityMergedExact   float64 `json:"volatility_merged_exact,omitempty"` // hmm.MergedChanges
	VolatilityMergedRNN     float64 `json:"volatility_merged_rnn,omitempty"`
	VolatilityMergedSample  float64 `json:"volatility_merged_hmm_sample,omitempty"`
	VolatilityMergedSample2 float64 `json:"volatility_merged_hmm_sample2,omitempty"`
	DwellRNNMerged          *Dwell  `json:"dwell_merged_rnn,omitempty"`
	DwellSampleMerged       *Dwell  `json:"dwell_merged_hmm_sample,omitempty"`
	DwellSample2Merged      *Dwell  `json:"dwell_merged_hmm_sample2,omitempty"`

	// Argmax and OffArgmax describe the RNN sample's readout when the
	// caller knew its logits (train.Evaluate sets them; nil and 0
	// otherwise): the argmax of every step's logits in the same runs,
	// row-major like the sample, and the mean probability that an emitted
	// symbol is not its step's argmax (rnn.Net.SampleArgmax).
	Argmax    []uint8 `json:"-"`
	OffArgmax float64 `json:"-"`

	LogLikRNN     LogLik `json:"loglik_rnn"`
	LogLikSample  LogLik `json:"loglik_hmm_sample"`
	LogLikSample2 LogLik `json:"loglik_hmm_sample2"`

	// Matched reports whether the Sinkhorn-matched distances were computed.
	// MatchedRNN is the mean distance of RNN sequences to their matched
	// Sample sequences, MatchedFloor that of Sample2 sequences to theirs.
	Matched      bool    `json:"matched"`
	MatchEps     float64 `json:"match_eps"`
	MatchedRNN   float64 `json:"matched_rnn"`
	MatchedFloor float64 `json:"matched_floor"`
	// MatchNotConverged is set when a matching's Sinkhorn iterations did
	// not converge (sinkhorn.ErrNotConverged); its last iterate was used.
	MatchNotConverged bool `json:"match_not_converged,omitempty"`

	Fidelity Verdict `json:"fidelity"`
	// Fit is the fit criterion's verdict (JudgeFit), each figure beside
	// its floor.
	Fit FitResult `json:"fit"`

	// Figures is the table printed by WriteText.
	Figures []Figure `json:"figures"`
}

// Compare evaluates n RNN sequences of length T (rnnObs, row-major n*T)
// against the HMM m with the defaults of Options{}. See CompareWith.
func Compare(m *hmm.HMM, rnnObs []uint8, n, T int, r *rand.Rand) (*Report, error) {
	return CompareWith(m, rnnObs, n, T, r, Options{})
}

// CompareWith evaluates n RNN sequences of length T against the HMM m. It
// draws two independent HMM sample sets of n sequences from r (Sample
// first, then Sample2, each by m.Sample) and fills every figure of the
// Report. Invalid models, sizes, or RNN symbols outside the model's
// alphabet are errors.
func CompareWith(m *hmm.HMM, rnnObs []uint8, n, T int, r *rand.Rand, opt Options) (*Report, error) {
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("stats: compare: %w", err)
	}
	if r == nil {
		return nil, errors.New("stats: compare: nil random source")
	}
	if n < 1 || T < 1 {
		return nil, fmt.Errorf("stats: compare: need n >= 1 and T >= 1, got n=%d T=%d", n, T)
	}
	if len(rnnObs) != n*T {
		return nil, fmt.Errorf("stats: compare: RNN sample has %d symbols, want n*T = %d*%d = %d", len(rnnObs), n, T, n*T)
	}
	O := m.Outputs()
	for i, s := range rnnObs {
		if int(s) >= O {
			return nil, fmt.Errorf("stats: compare: RNN sequence %d position %d: symbol %d out of range (model has %d outputs)", i/T, i%T, s, O)
		}
	}
	rep := &Report{HMM: m.Name, N: n, T: T, O: O, MinRowCount: MinRowCount, MatchEps: MatchEps}
	if opt.MinRowCount > 0 {
		rep.MinRowCount = opt.MinRowCount
	}
	if opt.MatchEps > 0 {
		rep.MatchEps = opt.MatchEps
	}
	a, _ := m.Sample(r, n, T)
	b, _ := m.Sample(r, n, T)

	rep.Exact = m.Exact(T)
	rep.RNN = Summary(rnnObs, n, T, O)
	rep.Sample = Summary(a, n, T, O)
	rep.Sample2 = Summary(b, n, T, O)
	rep.WellSampledRows = WellSampled(rep.RNN, rep.Sample, rep.MinRowCount)
	rows := rep.WellSampledRows
	ex := rep.Exact
	rep.RNNVsExact = diff(rep.RNN.Freq, ex.Freq, rep.RNN.Volatility, ex.Changes, rep.RNN.Trans, ex.Trans, rows)
	rep.SampleVsExact = diff(rep.Sample.Freq, ex.Freq, rep.Sample.Volatility, ex.Changes, rep.Sample.Trans, ex.Trans, rows)
	rep.RNNVsSample = diffBasic(rep.RNN, rep.Sample, rows)
	rep.SampleVsSample = diffBasic(rep.Sample, rep.Sample2, rows)

	rep.DwellRNN = Dwells(rnnObs, n, T, O)
	rep.DwellSample = Dwells(a, n, T, O)
	rep.DwellSample2 = Dwells(b, n, T, O)

	rep.RareSymbols = []int{}
	for k, f := range ex.Freq {
		if f < RareFreq {
			rep.RareSymbols = append(rep.RareSymbols, k)
		}
	}
	if rare := MergedRare(ex.Freq); rare != nil {
		merged := func(obs []uint8) (float64, *Dwell) {
			v, d := mergedRuns(obs, n, T, O, rare)
			return v, &d
		}
		rep.VolatilityMergedExact = m.MergedChanges(T, rare)
		rep.VolatilityMergedRNN, rep.DwellRNNMerged = merged(rnnObs)
		rep.VolatilityMergedSample, rep.DwellSampleMerged = merged(a)
		rep.VolatilityMergedSample2, rep.DwellSample2Merged = merged(b)
	}

	var err error
	if rep.LogLikRNN, err = LogLikelihood(m, rnnObs, n, T); err != nil {
		return nil, err
	}
	if rep.LogLikSample, err = LogLikelihood(m, a, n, T); err != nil {
		return nil, err
	}
	if rep.LogLikSample2, err = LogLikelihood(m, b, n, T); err != nil {
		return nil, err
	}

	if !opt.SkipMatch {
		// Unconverged matchings are kept (the last iterate's plan) and flagged.
		for _, mt := range []struct {
			x   []uint8
			dst *float64
		}{{rnnObs, &rep.MatchedRNN}, {b, &rep.MatchedFloor}} {
			d, err := MatchedDistance(mt.x, a, n, T, rep.MatchEps)
			if errors.Is(err, sinkhorn.ErrNotConverged) {
				rep.MatchNotConverged = true
			} else if err != nil {
				return nil, err
			}
			*mt.dst = d
		}
		rep.Matched = true
	}

	ok, dT, dF := Fidelity(rep)
	rep.Fidelity = Verdict{OK: ok, DTrans: dT, DFreq: dF}
	rep.Fit = JudgeFit(rep)
	rep.Figures = rep.figures()
	return rep, nil
}

// WellSampled returns the symbols i (ascending) with at least minCount
// transitions out of i in both a and b.
func WellSampled(a, b Basic, minCount int) []int {
	rows := []int{}
	for i := range a.RowCounts {
		if i < len(b.RowCounts) && a.RowCounts[i] >= minCount && b.RowCounts[i] >= minCount {
			rows = append(rows, i)
		}
	}
	return rows
}

func diffBasic(a, b Basic, rows []int) Diff {
	return diff(a.Freq, b.Freq, a.Volatility, b.Volatility, a.Trans, b.Trans, rows)
}

func diff(fa, fb []float64, va, vb float64, ta, tb [][]float64, rows []int) Diff {
	d := Diff{Volatility: math.Abs(va - vb)}
	for k := range fa {
		d.Freq = math.Max(d.Freq, math.Abs(fa[k]-fb[k]))
	}
	all := make([]int, len(ta))
	for i := range all {
		all[i] = i
	}
	d.TransMaxAbsAll, d.TransSumSqAll = rowDiff(ta, tb, all)
	d.TransMaxAbs, d.TransSumSq = rowDiff(ta, tb, rows)
	return d
}

// rowDiff returns max |a-b| and sum (a-b)^2 over the given rows.
func rowDiff(a, b [][]float64, rows []int) (maxAbs, sumSq float64) {
	for _, i := range rows {
		for j := range a[i] {
			e := a[i][j] - b[i][j]
			maxAbs = math.Max(maxAbs, math.Abs(e))
			sumSq += e * e
		}
	}
	return maxAbs, sumSq
}

// figures builds the comparison table.
func (rep *Report) figures() []Figure {
	var out []Figure
	add := func(name string, rnn float64, exact *float64, s1, s2 float64, note string) {
		out = append(out, Figure{Name: name, RNN: rnn, Exact: exact, Sample: s1,
			Diff: math.Abs(rnn - s1), Floor: math.Abs(s1 - s2), Note: note})
	}
	val := func(v float64) *float64 { return &v }
	R, S, S2, ex := &rep.RNN, &rep.Sample, &rep.Sample2, &rep.Exact
	for k := 0; k < rep.O; k++ {
		add(fmt.Sprintf("freq[%d]", k), R.Freq[k], val(ex.Freq[k]), S.Freq[k], S2.Freq[k], "")
	}
	for k := 0; k < rep.O; k++ {
		add(fmt.Sprintf("freq_std[%d]", k), R.FreqStd[k], val(ex.FreqStd[k]), S.FreqStd[k], S2.FreqStd[k], "")
	}
	add("volatility", R.Volatility, val(ex.Changes), S.Volatility, S2.Volatility, "")
	add("volatility_std", R.VolatilityStd, val(ex.ChangesStd), S.VolatilityStd, S2.VolatilityStd, "")
	well := make(map[int]bool, len(rep.WellSampledRows))
	for _, i := range rep.WellSampledRows {
		well[i] = true
	}
	for i := 0; i < rep.O; i++ {
		note := ""
		if !well[i] {
			note = fmt.Sprintf("row %d not well sampled (RNN %d, HMM %d transitions; need %d)", i, R.RowCounts[i], S.RowCounts[i], rep.MinRowCount)
		}
		for j := 0; j < rep.O; j++ {
			add(fmt.Sprintf("trans[%d][%d]", i, j), R.Trans[i][j], val(ex.Trans[i][j]), S.Trans[i][j], S2.Trans[i][j], note)
		}
	}
	add("dwell_mean", rep.DwellRNN.Mean, nil, rep.DwellSample.Mean, rep.DwellSample2.Mean, "")
	add("dwell_p1", rep.DwellRNN.P1, nil, rep.DwellSample.P1, rep.DwellSample2.P1, "")
	if rep.DwellRNNMerged != nil {
		add("volatility_merged", rep.VolatilityMergedRNN, val(rep.VolatilityMergedExact), rep.VolatilityMergedSample, rep.VolatilityMergedSample2, "")
		add("dwell_mean_merged", rep.DwellRNNMerged.Mean, nil, rep.DwellSampleMerged.Mean, rep.DwellSample2Merged.Mean, "")
		add("dwell_p1_merged", rep.DwellRNNMerged.P1, nil, rep.DwellSampleMerged.P1, rep.DwellSample2Merged.P1, "")
	}
	note := ""
	if k := rep.LogLikRNN.Impossible; k > 0 {
		note = fmt.Sprintf("%d RNN sequences impossible under the HMM, left out", k)
	}
	add("loglik_per_symbol", rep.LogLikRNN.Mean, nil, rep.LogLikSample.Mean, rep.LogLikSample2.Mean, note)
	if rep.Matched {
		out = append(out, Figure{Name: "matched_distance", RNN: rep.MatchedRNN, Sample: rep.MatchedFloor,
			Diff: math.Abs(rep.MatchedRNN - rep.MatchedFloor), Floor: rep.MatchedFloor,
			Note: "HMM sample = second HMM sample matched to the first, itself the noise floor"})
	}
	return out
}
