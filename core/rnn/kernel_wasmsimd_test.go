//go:build wasm && wasmsimd && !purego

package rnn

import (
	"os"
	"testing"
)

// TestSIMDAttached fails when the host was asked to attach the SIMD kernels
// (HMMRNN_WANT_SIMD=1, as TestNode in core/wasmsimd sets) but the portable ones run, so
// that a module the engine rejects cannot pass unnoticed.
func TestSIMDAttached(t *testing.T) {
	if os.Getenv("HMMRNN_WANT_SIMD") == "1" && KernelName() != "wasm-simd128" {
		t.Fatalf("kernels %q, want wasm-simd128", KernelName())
	}
}
