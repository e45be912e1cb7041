// Package hmm implements the categorical hidden Markov models that the RNNs
// of this project learn to emulate (core/METHOD.md section 1).
//
// A model has M hidden states and O output symbols (both at most 255, so
// that states and symbols fit in a uint8). Start is the distribution of the
// first hidden state, Transition[i][j] = P(s_t = j | s_{t-1} = i) and
// Emission[i][k] = P(o_t = k | s_t = i). SeqLen is the default sequence
// length T used when training on and evaluating against the model.
//
// The package offers the paper's presets (Preset, PresetNames), checked
// construction and JSON parsing (New, Parse, Validate), seeded sampling
// (Sample, SampleInto), exact quantities that serve as noise-free test
// oracles (Exact, Stationary, StationaryOutput), the scaled forward
// algorithm (LogLikelihood) and the Viterbi path.
//
// Randomness only comes from a caller-supplied *rand.Rand (math/rand/v2).
// Functions that take user input return errors naming the offending row or
// position; they never panic on such input. Methods other than Validate
// assume a valid model (as returned by New, Parse or Preset); calling them
// on a model that was mutated into an invalid one is a programmer error.
package hmm
