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
// (e.g. the argmax outputs of dynamics.ReadoutNoiseOf) with the rare
// symbols of rep merged as rep merged them.
func (rep *Report) RunFiguresOf(obs []uint8, n, T int) RunFigures {
	if rep.DwellRNNMerged != nil {
		rare := make([]bool, rep.O)
		for _, k := range rep.RareSymbols {
			rare[k] = true
		}
		obs = MergeRare(obs, n, T, rare)
	}
	d := Dwells(obs, n, T, rep.O)
	return RunFigures{Changes: Summary(obs, n, T, rep.O).Volatility, OneStep: d.P1}
}

// Emitted returns the RunFigures of the report's RNN sample and of its
// first HMM sample.
func (rep *Report) Emitted() (rnn, sample RunFigures) {
	if rep.DwellRNNMerged != nil {
		return RunFigures{rep.VolatilityMergedRNN, rep.DwellRNNMerged.P1},
			RunFigures{rep.VolatilityMergedSample, rep.DwellSampleMerged.P1}
	}
	return RunFigures{rep.RNN.Volatility, rep.DwellRNN.P1}, RunFigures{rep.Sample.Volatility, rep.DwellSample.P1}
}
