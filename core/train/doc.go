// Package train fits an rnn.Net to an HMM with the paper's recipe
// (METHOD.md section 3): hard Gumbel-softmax samples of the noise-driven RNN
// are compared with HMM samples by the debiased Sinkhorn divergence, and Adam
// with gradient-norm clipping follows the straight-through gradient.
//
// A Trainer is a value driven one Step at a time, so the command line can run
// it in a loop and the browser in time-boxed slices; it owns no goroutines
// beyond those the RNN and Sinkhorn kernels use inside a step. Every random
// draw comes from PCG streams derived from Config.Seed, and a Snapshot holds
// their state, so training resumed from a checkpoint is bit-identical to
// training that never stopped.
package train
