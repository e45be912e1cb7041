package stats

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// WriteText prints the report as a plain-text table, one figure per line:
// RNN | HMM exact | HMM sample | |RNN - HMM sample| | noise floor, followed
// by the transition-matrix differences, the fidelity verdict and the fit
// criterion's figures beside their limits and floors. It returns the first
// write error.
func (r *Report) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	name := r.HMM
	if name == "" {
		name = "(unnamed)"
	}
	fmt.Fprintf(tw, "emission statistics vs HMM %s: n = %d sequences of T = %d per set (core/METHOD.md section 4)\n", name, r.N, r.T)
	fmt.Fprintf(tw, "floor = |HMM sample - second HMM sample|, the sampling noise |RNN - HMM| is to be read against\n\n")
	fmt.Fprint(tw, "figure\tRNN\tHMM exact\tHMM sample\t|RNN-HMM|\tfloor\t\n")
	for _, f := range r.Figures {
		exact := "-"
		if f.Exact != nil {
			exact = fmt.Sprintf("%.4f", *f.Exact)
		}
		mark := ""
		if f.Note != "" {
			mark = " *"
		}
		fmt.Fprintf(tw, "%s%s\t%.4f\t%s\t%.4f\t%.4f\t%.4f\t\n", f.Name, mark, f.RNN, exact, f.Sample, f.Diff, f.Floor)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, f := range r.Figures {
		if f.Note != "" && !seen[f.Note] {
			seen[f.Note] = true
			fmt.Fprintf(tw, "* %s\n", f.Note)
		}
	}
	fmt.Fprintf(tw, "\ntransition matrices over well-sampled rows %v (>= %d transitions in RNN and HMM sample):\n", r.WellSampledRows, r.MinRowCount)
	fmt.Fprint(tw, "comparison\tmax |d|\tsum d^2\tmax |d| all rows\t\n")
	for _, c := range []struct {
		name string
		d    Diff
	}{
		{"RNN vs exact", r.RNNVsExact},
		{"HMM sample vs exact (floor)", r.SampleVsExact},
		{"RNN vs HMM sample", r.RNNVsSample},
		{"HMM sample vs HMM sample (floor)", r.SampleVsSample},
	} {
		fmt.Fprintf(tw, "%s\t%.4f\t%.5f\t%.4f\t\n", c.name, c.d.TransMaxAbs, c.d.TransSumSq, c.d.TransMaxAbsAll)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	verdict := "FAIL"
	if r.Fidelity.OK {
		verdict = "PASS"
	}
	_, err := fmt.Fprintf(w, "\nfidelity vs exact (core/METHOD.md section 3): %s  max|dTrans| = %.4f (< %.2f on well-sampled rows), max|dFreq| = %.4f (< %.2f)\n",
		verdict, r.Fidelity.DTrans, FidelityTransTol, r.Fidelity.DFreq, FidelityFreqTol)
	if err != nil {
		return err
	}
	verdict = "FAIL"
	if r.Fit.OK {
		verdict = "PASS"
	}
	fmt.Fprintf(tw, "\nfit criterion (frequencies, transition rows, volatility, dwell times): %s\n", verdict)
	fmt.Fprint(tw, "figure\tRNN\tlimit\tfloor\t\t\n")
	for _, f := range r.Fit.Figures {
		ok := "ok"
		if !f.OK {
			ok = "FAIL"
		}
		fmt.Fprintf(tw, "%s\t%.4f\t%.4f\t%.4f\t%s\t\n", f.Name, f.Value, f.Limit, f.Floor, ok)
	}
	return tw.Flush()
}
