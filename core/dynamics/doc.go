// Package dynamics reverse-engineers a noise-driven ReLU RNN (package rnn)
// that emulates an HMM, following core/METHOD.md section 5:
//
//   - Sim, Run: simulation with noise std sigma (0 = no input) and
//     per-neuron interventions scaling the recurrent and/or noise input
//     (Intervention, Scale, Mode); RateEval measures transition rates
//     under interventions with common random numbers.
//   - FitPCA: principal components of a long run (5.1).
//   - RunCollapse, FindFixedPoints, Q: input-free collapse and a fixed/slow
//     point solver minimising q(h) = |relu(W_hh h) - h|^2/2 (5.2).
//   - Spectra, Spectrum, Mobius: Jacobian J = D W_hh spectra, unstable and
//     critical-pair counts (5.5).
//   - Residency, ClassifyZone: residency times and zones (5.4).
//   - NoiseSensitivity: spread and noise share of the motion of
//     continuations under noise mixing (5.6).
//   - ScanNoise: the noise-level scan, densities, stochastic-resonance
//     curve and emission fidelity (stats.EmissionFidelity) versus noise
//     level (5.3); Resonance, the same curve one level at a time (for the
//     page).
//   - ReferenceRun: the seeded long noise-driven run the analyses read (5.1).
//   - StretchZones, ZoneSensitivity: residency, zones and stability along a
//     stretch of the run with per-zone means (5.4, 5.5), and the noise
//     sensitivity of its cluster and transition states (5.6).
//   - FindKickNeurons, Prevention, IntegratingPopulations, Blocks, UnitRoles,
//     GroupActivity: automatic kick neurons and connectivity (5.7).
//   - CausalTests, Hazards: scaling neuron sets by mu in [0, 2] (5.8).
//   - RunEvolution, NoiseDrift: training evolution and the bifurcation (5.9).
//   - ClusterSeparation: how well a 2-D projection tells the output.
//   - ReadoutAngles, Compositionality: readout geometry and output-pair
//     subspaces (5.10, 5.11).
//
// Every number the paper fixes is a named constant in consts.go citing its
// core/METHOD.md section; all randomness comes from a passed *rand.Rand (or a seed
// for common random numbers). Throughout, "the output" of a state is the
// argmax of its logits and a transition rate counts switches of that
// output per step. The package is pure Go and builds for js/wasm.
package dynamics
