package stats

// RunFigures are the two figures that tell a network's switching from
// its readout's blips: changes per sequence and the fraction of complete
// runs one step long, both counted after merging the report's rare symbols
// like the fit criterion's volatility and dwell figures.
type RunFigures struct {
	// Changes is the mean number of output changes per sequence; OneStep
	// the fraction of complete runs (Dwell.P1) one step long.
	Changes float64 `json:"changes"`
	OneStep float64 `json:"one_step"`
}

// RunFiguresOf computes RunFigures for n sequences of length T of obs
// (e.g. the argmax outputs of the RNN sample, Report.Argmax) with the rare
// symbols of rep merged as rep merged them.
func (rep *Report) RunFiguresOf(obs []uint8, n, T int) RunFigures {
	var rare []bool
	if rep.DwellRNNMerged != nil {
		rare = rep.rareMask()
	}
	v, d := mergedRuns(obs, n, T, rep.O, rare)
	return RunFigures{Changes: v, OneStep: d.P1}
}

// rareMask marks rep's rare symbols.
func (rep *Report) rareMask() []bool {
	rare := make([]bool, rep.O)
	for _, k := range rep.RareSymbols {
		rare[k] = true
	}
	return rare
}

// mergedRuns returns the volatility and the dwell times of obs (n
// sequences of length T over O symbols) after merging the symbols marked
// in rare into the runs they interrupt (none when rare is nil).
func mergedRuns(obs []uint8, n, T, O int, rare []bool) (float64, Dwell) {
	if rare != nil {
		obs = MergeRare(obs, n, T, rare)
	}
	return Summary(obs, n, T, O).Volatility, Dwells(obs, n, T, O)
}

// ExactChanges is the HMM's exact changes per sequence that the fit
// criterion's volatility compares with (JudgeFit): after merging the rare
// symbols when the report merges them, else hmm.Exact's.
func (rep *Report) ExactChanges() float64 {
	if rep.DwellRNNMerged != nil {
		return rep.VolatilityMergedExact
	}
	return rep.Exact.Changes
}

// Emitted returns the RunFigures of the report's RNN sample and of its
// first HMM sample, with the rare symbols merged when the report merges
// them (as JudgeFit counts them).
func (rep *Report) Emitted() (rnn, sample RunFigures) {
	if rep.DwellRNNMerged != nil {
		return RunFigures{rep.VolatilityMergedRNN, rep.DwellRNNMerged.P1},
			RunFigures{rep.VolatilityMergedSample, rep.DwellSampleMerged.P1}
	}
	return RunFigures{rep.RNN.Volatility, rep.DwellRNN.P1}, RunFigures{rep.Sample.Volatility, rep.DwellSample.P1}
}
