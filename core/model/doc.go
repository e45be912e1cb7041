// Package model is the JSON file format of a trained (or training) network:
// the target HMM, the RNN weights, the noise level, how it was trained, and,
// in checkpoints, the optimiser state needed to resume bit-identically.
//
// The fields hmm.transition (MxM), hmm.emission (MxO), hmm.start (M),
// hmm.seq_len, rnn.w_in (HxD rows), rnn.w_hh (HxH), rnn.w_out (OxH) and
// noise_std are fixed: other tools read them. Everything else may grow; the
// format field names the file kind and version is bumped on breaking change.
//
// Files are written atomically (temporary file in the same directory, then
// rename), so an interrupted save never leaves a half-written model behind.
package model
