//go:build (!amd64 && !(wasm && wasmsimd)) || purego

package rnn

// kernelsFor returns the portable kernels; only amd64 has assembly ones.
func kernelsFor[F float]() kernels[F] { return portableKernels[F]() }

func kernelName() string { return "portable" }
