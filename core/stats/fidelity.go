package stats

import (
	"math"

	"hmmrnn/core/hmm"
)

// Acceptance thresholds of the engine (core/METHOD.md section 3: transition
// matrix differences < 0.05 and frequency differences < 0.03).
const (
	FidelityTransTol = 0.05
	FidelityFreqTol  = 0.03
)

// Fidelity is the engine's acceptance test: ok when the largest absolute
// difference between the RNN's transition matrix and the HMM's exact one,
// over the report's well-sampled rows, is below FidelityTransTol and the
// largest frequency difference to the exact frequencies is below
// FidelityFreqTol (core/METHOD.md section 3). With no well-sampled row dTrans
// is 1 (the largest possible difference) and the test fails. A nil report
// fails with both differences 1.
func Fidelity(rep *Report) (ok bool, dTrans, dFreq float64) {
	if rep == nil {
		return false, 1, 1
	}
	return judge(rep.RNN, rep.Exact, rep.WellSampledRows)
}

// FidelityBasic applies the same test to cheap summaries, for use during
// training: rnn and hmmSample from Summary (any sizes; a row is well
// sampled when both have at least MinRowCount transitions out of it), ex
// from hmm.HMM.Exact at the same T.
func FidelityBasic(rnn, hmmSample Basic, ex hmm.Exact) (ok bool, dTrans, dFreq float64) {
	f := EmissionFidelity(rnn, hmmSample, ex)
	return f.OK, f.TransDiff, f.FreqDiff
}

func judge(rnn Basic, ex hmm.Exact, rows []int) (ok bool, dTrans, dFreq float64) {
	if len(rnn.Freq) != len(ex.Freq) || len(rnn.Trans) != len(ex.Trans) {
		return false, 1, 1
	}
	for k := range rnn.Freq {
		dFreq = math.Max(dFreq, math.Abs(rnn.Freq[k]-ex.Freq[k]))
	}
	if len(rows) == 0 {
		return false, 1, dFreq
	}
	dTrans, _ = rowDiff(rnn.Trans, ex.Trans, rows)
	return dTrans < FidelityTransTol && dFreq < FidelityFreqTol, dTrans, dFreq
}
