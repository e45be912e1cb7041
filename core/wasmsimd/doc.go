// Package wasmsimd holds the WebAssembly SIMD kernels of the browser build.
//
// Go compiles nothing to WebAssembly's 128-bit SIMD instructions, and its
// WebAssembly code keeps few values in registers, so the hot loops of
// training (the RNN's matrix products and the Sinkhorn loss's level sums)
// run there in a small hand-encoded module: Module returns its bytes
// (encoded by this package's minimal encoder, following the WebAssembly
// Core Specification 2.0). The module imports the Go program's linear
// memory ("env" "mem") and works on Go's slices in place.
//
// A Go program built for GOOS=js GOARCH=wasm with the build tag wasmsimd
// imports the module's functions (import module "hmmrnn_simd128"); Loader
// is the JavaScript that provides those imports and attaches the module to
// the Go instance before it runs (the site's worker.js does this). When the
// host did not attach it (an engine without SIMD), Available reports false
// and core/rnn and core/sinkhorn run their portable Go loops. Without the
// tag, or with purego, nothing is imported and this package only provides
// Module and Loader.
//
// Every kernel computes what the portable Go code computes, in the same
// order for each output element except where the doc of a kernel says
// otherwise; the tests run core/rnn's and core/sinkhorn's suites in Node
// with the module attached (TestNode).
package wasmsimd
