// Package train fits an rnn.Net to an HMM with the paper's recipe
// (core/METHOD.md section 3): hard Gumbel-softmax samples of the noise-driven RNN
// are compared with HMM samples by the debiased Sinkhorn divergence, and Adam
// with gradient-norm clipping follows the straight-through gradient.
//
// A Trainer is a value driven one Step at a time; it owns no goroutines
// beyond those the RNN and Sinkhorn kernels use inside a step. Run is the
// one training loop around it, used by `hmmrnn train`, the sweeps and the
// page's worker: checkpoints, progress, cancellation, step and wall-clock
// budgets, and a Monitor that checks the emitted sequences against the HMM
// (fit criterion, fair-coin plateau, restarts with the next seed). Run is
// resumable, so the command line calls Advance once and the browser once
// per time slice. Evaluate is the one emission-statistics evaluation, used
// by `hmmrnn eval`, the sweeps' results, the Monitor's checks and the page.
//
// Random streams: every draw comes from a PCG(seed, stream) pair, one
// stream per purpose, so changing e.g. the validation schedule never
// changes the training trajectory. Training (seed = Config.Seed):
// 1 initial weights, 2 HMM batches, 3 RNN noise and Gumbel draws, 4
// validation noise, 101 the fixed training set, 102 the validation set.
// Evaluation (any seed; the Monitor uses Config.Seed): EvalStreamRNN (301)
// the RNN sample, EvalStreamHMM (302) the two HMM sample sets. A Snapshot
// holds the training streams' state, so training resumed from a checkpoint
// is bit-identical to training that never stopped.
package train
