package train

import (
	"errors"
	"fmt"
	"io"
	"text/tabwriter"

	"hmmrnn/core/hmm"
	"hmmrnn/core/stats"
)

// Readout is a network's readout noise beside an evaluation's emitted
// figures (core/METHOD.md section 4): the share of steps whose emitted
// symbol, a sample of its readout (rnn.Readout), is not the logits' argmax, and the
// changes per sequence and share of 1-step runs of the argmax outputs, of
// the emitted outputs and of the HMM sample, and the HMM's exact changes
// that the fit criterion judges the emitted ones by. An excess of 1-step runs
// that the argmax outputs lack comes from sampling an unsaturated
// readout, not from the dynamics. `hmmrnn eval`, `hmmrnn study` and the
// page show it.
type Readout struct {
	OffArgmax float64 `json:"off_argmax"`
	// HMMOffMode is the HMM's own counterpart (hmm.HMM.OffMode): the
	// share of its outputs that are not their state's most likely output,
	// so a visitor can tell emission noise the HMM has from flicker it has
	// not (linear3's middle state emits 0 and 2 at 0.495 each).
	HMMOffMode float64          `json:"hmm_off_mode"`
	Argmax     stats.RunFigures `json:"argmax"`
	Emitted    stats.RunFigures `json:"emitted"`
	HMM        stats.RunFigures `json:"hmm"`
	// HMMExactChanges is the HMM's exact changes per sequence, the value
	// the fit criterion's volatility compares the emitted changes with
	// (stats.Report.ExactChanges); HMM.Changes is its sample's, which
	// sampling noise moves by about the volatility's floor.
	HMMExactChanges float64 `json:"hmm_exact_changes"`
	// RareMerged lists the rare symbols merged into the runs they
	// interrupt before counting, as the fit criterion does.
	RareMerged []int `json:"rare_merged,omitempty"`
}

// ReadoutOf is the readout noise of the RNN sample behind rep, an
// evaluation against m by Evaluate: the argmax and the emitted outputs of
// the same runs.
func ReadoutOf(m *hmm.HMM, rep *stats.Report) (Readout, error) {
	if m == nil || rep == nil || len(rep.Argmax) != rep.N*rep.T || rep.N == 0 {
		return Readout{}, errors.New("train: readout noise: want an HMM and a report of Evaluate, which holds the sample's argmax outputs")
	}
	r := Readout{OffArgmax: rep.OffArgmax, HMMOffMode: m.OffMode(rep.T), Argmax: rep.RunFiguresOf(rep.Argmax, rep.N, rep.T), HMMExactChanges: rep.ExactChanges()}
	r.Emitted, r.HMM = rep.Emitted()
	if rep.DwellRNNMerged != nil {
		r.RareMerged = rep.RareSymbols
	}
	return r, nil
}

// WriteText writes the readout noise as `hmmrnn eval` ends its report.
func (r Readout) WriteText(w io.Writer) error {
	merged := ""
	if len(r.RareMerged) > 0 {
		merged = fmt.Sprintf(", rare symbols %v merged as in the fit criterion", r.RareMerged)
	}
	if _, err := fmt.Fprintf(w, "\nreadout noise: the emitted symbol (a sample of its readout) is not the argmax at %.2f%% of steps (the HMM's output is not its state's most likely one at %.2f%%)%s\n", 100*r.OffArgmax, 100*r.HMMOffMode, merged); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "outputs\tchanges/seq\t1-step runs\t\n")
	for _, row := range []struct {
		name string
		f    stats.RunFigures
	}{{"RNN argmax", r.Argmax}, {"RNN emitted", r.Emitted}, {"HMM sample", r.HMM}} {
		fmt.Fprintf(tw, "%s\t%.3f\t%.3f\t\n", row.name, row.f.Changes, row.f.OneStep)
	}
	fmt.Fprintf(tw, "HMM exact\t%.3f\t-\t\n", r.HMMExactChanges)
	return tw.Flush()
}
