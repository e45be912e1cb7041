package stats

import (
	"fmt"
	"io"
	"text/tabwriter"
)

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

// WriteReadout writes the readout-noise comparison: how often the emitted
// symbol is not the logits' argmax (offArgmax) and the run figures of the
// argmax outputs beside those of the emitted symbols and of the HMM. An
// excess of one-step runs in the emitted symbols that the argmax outputs do
// not have is made by sampling an unsaturated readout, not by the dynamics.
func (rep *Report) WriteReadout(w io.Writer, offArgmax float64, argmax RunFigures) error {
	rnn, sample := rep.Emitted()
	merged := ""
	if rep.DwellRNNMerged != nil {
		merged = fmt.Sprintf(", rare symbols %v merged as in the fit criterion", rep.RareSymbols)
	}
	if _, err := fmt.Fprintf(w, "\nreadout noise: the emitted symbol (a sample of softmax(logits)) is not the argmax at %.2f%% of steps%s\n", 100*offArgmax, merged); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "outputs\tchanges/seq\t1-step runs\t\n")
	for _, r := range []struct {
		name string
		f    RunFigures
	}{{"RNN argmax", argmax}, {"RNN emitted", rnn}, {"HMM sample", sample}} {
		fmt.Fprintf(tw, "%s\t%.3f\t%.3f\t\n", r.name, r.f.Changes, r.f.OneStep)
	}
	return tw.Flush()
}
