package stats

import (
	"math"
	"slices"
	"testing"

	"hmmrnn/core/hmm"
)

// TestEmissionFidelityHand checks the one fidelity definition on
// sequences whose statistics are known by hand: 200 sequences of fifteen
// 0s then fifteen 2s, so row 0 is {14/15, 0, 1/15} (3000 transitions),
// row 2 is {0, 0, 1} (2800) and row 1 has no data.
func TestEmissionFidelityHand(t *testing.T) {
	const n, T = 200, 30
	obs := make([]uint8, 0, n*T)
	for range n {
		for k := range T {
			obs = append(obs, uint8(2*(k/15)))
		}
	}
	s := Summary(obs, n, T, 3)
	ex := hmm.Exact{Freq: []float64{0.5, 0, 0.5}, Trans: [][]float64{{0.9, 0, 0.1}, {0, 1, 0}, {0.1, 0, 0.9}}, Changes: 1.25}
	f := EmissionFidelity(s, s, ex)
	// Row 2 differs most: |0 - 0.1| = |1 - 0.9| = 0.1; row 0 by 1/30.
	if math.Abs(f.TransDiff-0.1) > 1e-12 || f.FreqDiff > 1e-12 || math.Abs(f.ChangesDiff+0.25) > 1e-12 || f.Changes != 1 {
		t.Errorf("fit %+v: want trans diff 0.1, freq diff 0, changes 1 (diff -0.25)", f)
	}
	if !slices.Equal(f.Rows, []int{0, 2}) || f.OK {
		t.Errorf("rows %v ok %v: want rows [0 2] (row 1 has no data) and not ok (0.1 >= %v)", f.Rows, f.OK, FidelityTransTol)
	}
	ok, dTrans, dFreq := FidelityBasic(s, s, ex)
	if ok != f.OK || dTrans != f.TransDiff || dFreq != f.FreqDiff {
		t.Errorf("FidelityBasic %v %v %v, EmissionFidelity %v %v %v: one definition, two answers", ok, dTrans, dFreq, f.OK, f.TransDiff, f.FreqDiff)
	}
	// Too few sequences: no well-sampled row, the largest difference 1.
	small := Summary(obs[:10*T], 10, T, 3)
	if f := EmissionFidelity(small, small, ex); len(f.Rows) != 0 || f.TransDiff != 1 || f.OK {
		t.Errorf("10 sequences: %+v, want no rows and trans diff 1", f)
	}
}
