// Package portrait computes the phase portrait of a noise-driven RNN as a
// scene.Portrait: the analyses of core/METHOD.md section 5.1-5.4 (from core/dynamics) turned
// into lines, arrows, markers and a density map in the plane of the first
// two principal components. It runs in the training worker; the drawing app
// imports only core/scene, which keeps gonum out of the main wasm.
package portrait
