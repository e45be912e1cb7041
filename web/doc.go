// Package web holds the browser page's static files (index.html, style.css,
// worker.js, the ES modules under js/). It has no Go code: its test runs
// the modules' unit tests (js/*.test.js) under node --test, so that the
// README's `go test ./...` covers them.
package web
