// Package sinkhorn computes the debiased Sinkhorn divergence that the paper trains with
// (core/METHOD.md section 3), its gradient, and Sinkhorn transport matchings (section 4).
//
// The loss is exactly that of geomloss 0.2.6, SamplesLoss("sinkhorn", p=2, blur=0.2) with
// the default scaling 0.5 and the "tensorized" backend: the debiased divergence of Feydy et
// al., "Interpolating between Optimal Transport and MMD using Sinkhorn Divergences"
// (AISTATS 2019),
//
//	S(a, b) = OT_eps(a, b) - OT_eps(a, a)/2 - OT_eps(b, b)/2,
//
// between uniform measures on two point batches with cost |x-y|^2/2, computed by
// epsilon-scaling from the squared diameter down to eps = blur^2 (8 temperatures for
// one-hot sequences of length 30 over 3 symbols) with symmetric averaged log-domain updates
// and one final extrapolation, through which the gradient is taken. This is an annealed,
// not a converged, Sinkhorn: the value lies 10-20% below the converged divergence on
// one-hot batches. Options.Converged gives the converged divergence instead (not the
// paper's loss).
//
// Dense is the plain float64 reference on arbitrary points; it agrees with an independent
// PyTorch implementation of the loss (itself checked against geomloss) to about 1e-14
// (testdata/peer_fixture.json).
// Symbols is the fast path for batches of symbol sequences, compared through their one-hot
// encodings: the cost is the Hamming distance, an integer in 0..T, which allows bit-packed
// costs, merged duplicate sequences, level-binned log-sum-exps and provably negligible cost
// levels skipped at small eps; it equals Dense on the one-hot encoding up to rounding.
// SymbolsBoth also returns the gradient with respect to the second batch from the same
// solve. Match assigns each sequence of one batch to a sequence of the other by the largest
// entry of the entropic transport plan. WireRemote and ServeWire solve Symbols problems in
// another process or Web Worker over byte messages, bit for bit.
//
// All functions are deterministic: goroutines split the rows, and every row is computed
// by the same operations whatever the number of goroutines.
package sinkhorn
