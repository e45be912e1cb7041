// Package build turns the source tree into the static web site of the
// browser app and serves it.
//
// Site compiles the two WebAssembly programs with the real Go toolchain
// (GOOS=js GOARCH=wasm go build, via os/exec): wasm/app, the Ebiten drawing
// program, and wasm/worker, the Ebiten-free trainer that runs in a Web
// Worker. It copies the matching wasm_exec.js from $(go env GOROOT)/lib/wasm,
// copies the static files of web/, writes gallery/index.json, and stores a
// gzip-compressed twin (NAME.gz) of every compressible file. Only what is
// stale is rebuilt: a wasm file is rebuilt when a Go file under core/ or
// wasm/ (or go.mod, go.sum, the Go version) is newer than it.
//
// Handler serves such a directory: .wasm as application/wasm (browsers
// compile large modules only with instantiateStreaming, which insists on
// that type), and the .gz twin with Content-Encoding: gzip when the client
// accepts it.
package build
