// Command app is the drawing half of the browser app: an Ebiten program,
// compiled to WebAssembly, that runs in its own page inside an iframe of
// the main page (Ebiten sizes its canvas from the page body, so the iframe
// fixes its size and the same page serves embedding).
//
// It draws the phase portrait that the training worker computes (a
// scene.Portrait received through window.hmmrnnApp.setPortrait) and
// animates noise-driven particles of the current network on it, with the
// noise level and the silencing of kick neurons set by the page
// (window.hmmrnnApp.setParams). All geometry comes from core/scene; this
// program only turns it into triangles on the GPU.
package main
