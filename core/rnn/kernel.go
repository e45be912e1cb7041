package rnn

// Matrix kernels used by the batched forward and backward passes. All
// matrices are row-major with explicit leading dimensions (row strides).
// The portable versions below are what WebAssembly and non-amd64 builds run;
// kernel_amd64.go swaps in AVX2/FMA assembly where the CPU supports it.

// float is the element type of the training engine.
type float interface{ float32 | float64 }

// kernels bundles the matrix products for one element type.
type kernels[F float] struct {
	// nn computes C += A B with A m x k (lda), B k x n (ldb), C m x n (ldc).
	nn func(m, n, k int, a []F, lda int, b []F, ldb int, c []F, ldc int)
	// tn computes C += A^T B with A k x m (lda), B k x n (ldb), C m x n (ldc).
	tn func(m, n, k int, a []F, lda int, b []F, ldb int, c []F, ldc int)
	// relu sets x = max(x, 0) elementwise.
	relu func(x []F)
	// mask sets h = dh where h > 0 and h = 0 elsewhere (dL/da from dL/dh).
	mask func(h, dh []F)
}

// nnGo is the portable C += A B. It walks A row by row and adds scaled rows
// of B (axpy form), skipping zero entries of A: the ReLU states and the
// masked gradients fed to it are about half zeros.
func nnGo[F float](m, n, k int, a []F, lda int, b []F, ldb int, c []F, ldc int) {
	for i := range m {
		ci := c[i*ldc : i*ldc+n]
		for p, av := range a[i*lda : i*lda+k] {
			if av == 0 {
				continue
			}
			bp := b[p*ldb : p*ldb+len(ci)]
			for j, bv := range bp {
				ci[j] += av * bv
			}
		}
	}
}

// tnGo is the portable C += A^T B: for each shared row p it adds
// A[p][i] * B[p][:] to row i of C, skipping zero entries of A.
func tnGo[F float](m, n, k int, a []F, lda int, b []F, ldb int, c []F, ldc int) {
	for p := range k {
		bp := b[p*ldb : p*ldb+n]
		for i, av := range a[p*lda : p*lda+m] {
			if av == 0 {
				continue
			}
			ci := c[i*ldc : i*ldc+len(bp)]
			for j, bv := range bp {
				ci[j] += av * bv
			}
		}
	}
}

func reluGo[F float](x []F) {
	for i, v := range x {
		if v < 0 {
			x[i] = 0
		}
	}
}

func maskGo[F float](h, dh []F) {
	dh = dh[:len(h)]
	for i, v := range h {
		if v > 0 {
			h[i] = dh[i]
		} else {
			h[i] = 0
		}
	}
}

// portableKernels returns the pure-Go kernels.
func portableKernels[F float]() kernels[F] {
	return kernels[F]{nn: nnGo[F], tn: tnGo[F], relu: reluGo[F], mask: maskGo[F]}
}
