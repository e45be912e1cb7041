package hmm_test

import (
	"fmt"
	"math/rand/v2"

	"hmmrnn/core/hmm"
)

func Example() {
	m, err := hmm.Preset("linear2")
	if err != nil {
		fmt.Println(err)
		return
	}
	ex := m.Exact(m.SeqLen)
	fmt.Printf("linear2, T=%d: freq %.3f, changes per sequence %.2f\n", m.SeqLen, ex.Freq, ex.Changes)
	fmt.Printf("P(o_t | o_{t-1}=0) = %.4f\n", ex.Trans[0])

	obs, states := m.Sample(rand.New(rand.NewPCG(1, 2)), 1, 20)
	fmt.Println("states ", states)
	fmt.Println("outputs", obs)
	path, _, _ := m.Viterbi(obs)
	fmt.Println("viterbi", path)
	ll, _ := m.LogLikelihood(obs)
	fmt.Printf("log-likelihood %.3f\n", ll)
	// Output:
	// linear2, T=100: freq [0.495 0.010 0.495], changes per sequence 6.81
	// P(o_t | o_{t-1}=0) = [0.9405 0.0100 0.0495]
	// states  [1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 0 0 0 0 0]
	// outputs [2 2 2 2 2 2 2 2 2 2 2 2 2 2 2 0 0 0 0 0]
	// viterbi [1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 0 0 0 0 0]
	// log-likelihood -4.813
}

func ExampleParse() {
	_, err := hmm.Parse([]byte(`{"start":[0.5,0.5],"transition":[[0.9,0.1],[0.2,0.7]],"emission":[[1,0],[0,1]],"seq_len":30}`))
	fmt.Println(err)
	// Output:
	// hmm: transition row 1: sums to 0.9, want 1 (tolerance 1e-06)
}
