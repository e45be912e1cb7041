package stats_test

import (
	"fmt"
	"math/rand/v2"

	"hmmrnn/core/hmm"
	"hmmrnn/core/stats"
)

func ExampleSummary() {
	// Two sequences of length 4 over the symbols 0, 1, 2.
	obs := []uint8{
		0, 0, 1, 2,
		2, 2, 2, 0,
	}
	b := stats.Summary(obs, 2, 4, 3)
	fmt.Printf("freq %.3f, std across sequences %.3f\n", b.Freq, b.FreqStd)
	fmt.Printf("changes per sequence %.1f ± %.1f\n", b.Volatility, b.VolatilityStd)
	fmt.Println("transitions out of each symbol", b.RowCounts)
	fmt.Printf("P(next | 2) = %.3f\n", b.Trans[2])
	// Output:
	// freq [0.375 0.125 0.500], std across sequences [0.125 0.125 0.250]
	// changes per sequence 1.5 ± 0.5
	// transitions out of each symbol [2 1 3]
	// P(next | 2) = [0.333 0.000 0.667]
}

func ExampleFidelityBasic() {
	m, _ := hmm.Preset("linear2")
	const n, T = 2000, 30
	ex := m.Exact(T)
	r := rand.New(rand.NewPCG(1, 2))
	ref, _ := m.Sample(r, n, T)
	hmmSample := stats.Summary(ref, n, T, 3)

	good, _ := m.Sample(r, n, T) // stands in for a faithful RNN
	ok, dTrans, dFreq := stats.FidelityBasic(stats.Summary(good, n, T, 3), hmmSample, ex)
	fmt.Printf("HMM sample:  ok=%v dTrans=%.3f dFreq=%.3f\n", ok, dTrans, dFreq)

	// Strict alternation 0, 2, 0, 2, ...: right frequencies, wrong transitions.
	alt := make([]uint8, n*T)
	for i := range alt {
		alt[i] = uint8(2 * (i % 2))
	}
	ok, dTrans, dFreq = stats.FidelityBasic(stats.Summary(alt, n, T, 3), hmmSample, ex)
	fmt.Printf("alternating: ok=%v dTrans=%.3f dFreq=%.3f\n", ok, dTrans, dFreq)
	// Output:
	// HMM sample:  ok=true dTrans=0.002 dFreq=0.002
	// alternating: ok=false dTrans=0.951 dFreq=0.010
}
