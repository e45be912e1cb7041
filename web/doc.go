// Package web holds the browser page's static files (index.html, style.css,
// worker.js, the ES modules under js/, the trained networks under
// gallery/). It has no Go code, only tests: the modules' unit tests
// (js/*.test.js) run under node --test, so that the README's
// `go test ./...` covers them, and every gallery network is checked to
// meet the fit criterion with a margin on fresh sequences and to be in the
// noise-driven regime, as a visitor who opens it is told.
package web
