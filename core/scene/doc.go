// Package scene describes what the browser app draws, as plain data: world
// coordinates of polylines, markers, arrows and heatmaps with their colours,
// a view that maps the world onto a pixel rectangle, and the triangles that
// a GPU renderer (Ebiten in wasm/app) draws in a few batched calls.
//
// Nothing here touches a graphics library, so every piece of geometry
// (projection, colours, triangle generation, the binary form sent from the
// worker to the drawing app) is tested natively.
package scene
