// Command worker is the computing half of the browser app: an Ebiten-free
// WebAssembly program that runs in a Web Worker (web/worker.js starts it),
// so training never blocks the page. It owns one Session: the HMM, the
// engine's training loop (core/train's Run and Monitor, advanced in
// time-boxed slices) or a loaded model (core/model), and the analyses
// (core/scene/portrait, train.Evaluate's statistics), and it answers the page's
// commands with compact messages: status with the new losses, emission
// statistics next to the HMM's exact values, and phase portraits encoded
// for the drawing app (scene.Portrait.Encode).
//
// The session logic is plain Go (session.go) and is tested natively; only
// main.go touches syscall/js.
package main
