// Package stats computes the emission statistics of core/METHOD.md section 4:
// how closely symbol sequences emitted by a trained RNN match the HMM they
// emulate.
//
// Summary is the cheap part (frequencies, volatility, the output transition
// matrix with per-row counts), fit for live use. Compare is the full
// evaluation: the RNN's figures beside the HMM's exact values and beside an
// independent HMM sample of the same size, with the HMM-vs-HMM sampling
// noise floor for every figure, dwell-time distributions, the HMM
// log-likelihood per symbol and the Sinkhorn-matched Euclidean distance.
// Fidelity is the engine's acceptance test (core/METHOD.md section 3).
//
// Sequences are given as symbols, row-major n*T (obs[i*T+t]), as produced
// by hmm.HMM.Sample and rnn.Net.Sample. Every figure is a float64 that is
// finite, so a Report always encodes as JSON.
//
// Standard deviations across sequences use the population convention
// (divide by n), as numpy's std does in the paper's code.
package stats
