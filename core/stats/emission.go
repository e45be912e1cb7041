package stats

import (
	"hmmrnn/core/hmm"
)

// EmissionFit is how closely sampled sequences match an HMM's exact
// emission statistics. It is the one definition of emission fidelity:
// the training monitor (FidelityBasic), the evaluation (Fidelity) and the
// noise-level scan of core/dynamics all judge by it.
type EmissionFit struct {
	// Freq and Changes are the sample's symbol frequencies and mean output
	// changes per sequence.
	Freq    []float64 `json:"freq"`
	Changes float64   `json:"changes"`
	// FreqDiff is max_k |Freq_k - exact_k|. TransDiff is the largest
	// absolute difference between the sample's transition matrix and the
	// exact one over the well-sampled rows, Rows: the symbols with at least
	// MinRowCount transitions out of them in both the sample and an HMM
	// sample of the same size (a rare output's row is noise, e.g. output 1
	// of the linear chains at 1%); 1 when no row is well sampled.
	// ChangesDiff is Changes minus the exact expected changes.
	FreqDiff    float64 `json:"freq_diff"`
	TransDiff   float64 `json:"trans_diff"`
	ChangesDiff float64 `json:"changes_diff"`
	Rows        []int   `json:"rows"`
	// OK is the acceptance test: TransDiff < FidelityTransTol and FreqDiff
	// < FidelityFreqTol.
	OK bool `json:"ok"`
}

// EmissionFidelity compares a sample's summary with ex (hmm.HMM.Exact at
// the sample's T); hmmSample, an HMM sample of the same size, decides
// which rows are well sampled.
func EmissionFidelity(sample, hmmSample Basic, ex hmm.Exact) EmissionFit {
	rows := WellSampled(sample, hmmSample, MinRowCount)
	ok, dTrans, dFreq := judge(sample, ex, rows)
	return EmissionFit{Freq: sample.Freq, Changes: sample.Volatility, FreqDiff: dFreq, TransDiff: dTrans,
		ChangesDiff: sample.Volatility - ex.Changes, Rows: rows, OK: ok}
}
