package sinkhorn_test

import (
	"fmt"

	"hmmrnn/core/sinkhorn"
)

// The divergence between two small batches of symbol sequences (T = 6, alphabet 0..2) and
// its gradient with respect to the one-hot encoding of the first batch.
func ExampleSymbols() {
	const N, M, T, O = 3, 2, 6, 3
	x := []uint8{
		0, 0, 0, 2, 2, 2,
		0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, // a duplicate row
	}
	y := []uint8{
		0, 0, 0, 0, 2, 2,
		2, 2, 2, 2, 2, 2,
	}
	loss, grad, err := sinkhorn.Symbols(x, y, N, M, T, O, sinkhorn.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("S = %.4f, gradient has %d = N*T*O entries\n", loss, len(grad))
	// The same value from the dense reference on the one-hot encoding.
	oneHot := func(s []uint8) []float64 {
		v := make([]float64, len(s)*O)
		for i, c := range s {
			v[i*O+int(c)] = 1
		}
		return v
	}
	dense, _, err := sinkhorn.Dense(oneHot(x), oneHot(y), N, M, T*O, sinkhorn.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("Dense = %.4f\n", dense)
	// Output:
	// S = 2.8787, gradient has 54 = N*T*O entries
	// Dense = 2.8787
}

// Matching each x sequence to the y sequence that receives most of its transport mass at
// eps = 0.1 (core/METHOD.md section 4).
func ExampleMatch() {
	const T = 5
	x := []uint8{
		0, 0, 0, 0, 0,
		2, 2, 2, 0, 0,
	}
	y := []uint8{
		2, 2, 2, 2, 0,
		0, 0, 0, 0, 1,
	}
	match, err := sinkhorn.Match(x, y, 2, 2, T, 0.1)
	fmt.Println(match, err)
	// Output:
	// [1 0] <nil>
}

// Both gradients of one divergence from one solve: the gradient with
// respect to y is the one Symbols gives with the batches swapped, bit for
// bit (the energy distance of core/train needs both for S(x1, x2)).
func ExampleSymbolsBoth() {
	const N, M, T, O = 2, 2, 4, 3
	x := []uint8{0, 0, 2, 2, 0, 0, 0, 0}
	y := []uint8{0, 2, 2, 2, 2, 2, 2, 2}
	loss, gx, gy, err := sinkhorn.SymbolsBoth(x, y, N, M, T, O, sinkhorn.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	swapped, gyAlone, err := sinkhorn.Symbols(y, x, M, N, T, O, sinkhorn.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	same := loss == swapped
	for i := range gy {
		same = same && gy[i] == gyAlone[i]
	}
	fmt.Printf("S = %.4f; %d + %d gradient entries; equal to the swapped solve: %v\n", loss, len(gx), len(gy), same)
	// Output:
	// S = 2.4723; 24 + 24 gradient entries; equal to the swapped solve: true
}
