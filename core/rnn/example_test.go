package rnn_test

import (
	"fmt"
	"math/rand/v2"

	"hmmrnn/core/rnn"
)

// A hand-made network: one step of the dynamics and its readout.
func Example() {
	n := &rnn.Net{
		H: 2, D: 1, O: 3,
		Win:  []float64{1, -1},        // unit 0 gets +x, unit 1 gets -x
		Whh:  []float64{0.5, 0, 0, 0}, // unit 0 leaks into itself
		Wout: []float64{1, 0, 0, 1, -1, -1},
	}
	if err := n.Validate(); err != nil {
		fmt.Println(err)
		return
	}
	h := []float64{2, 0}
	next := make([]float64, n.H)
	n.Step(next, h, []float64{0.5}) // relu(0.5 + 0.5*2, -0.5)
	logits := make([]float64, n.O)
	n.Logits(logits, next)
	fmt.Println(next, logits)
	// Output: [1.5 0] [1.5 0 -1.5]
}

// One training pass: run a batch, get dL/dW for a loss on the symbols.
func ExampleWorkspace() {
	const H, D, O, B, T = 50, 10, 3, 256, 30
	r := rand.New(rand.NewPCG(1, 2))
	n, err := rnn.New(H, D, O, r)
	if err != nil {
		fmt.Println(err)
		return
	}
	w := rnn.NewWorkspace(n, B, T)
	y := w.Forward(n, r, 1, rnn.DefaultTau) // B*T symbols
	// Loss: the number of emitted 0s, L = sum of y[b][t][0].
	dY := make([]float64, B*T*O)
	for i := range B * T {
		dY[i*O] = 1
	}
	var grad rnn.Net
	w.Backward(n, dY, &grad)
	fmt.Println(len(y), grad.H, grad.D, grad.O, len(grad.Whh))
	// Output: 7680 50 10 3 2500
}
