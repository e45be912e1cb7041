package train

import "math"

// Adam is the optimiser of Kingma & Ba (2015) in PyTorch's form
// (torch.optim.Adam, no weight decay, no amsgrad):
//
//	m = b1 m + (1-b1) g,  v = b2 v + (1-b2) g²,
//	p -= lr · (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps).
type Adam struct {
	LR, Beta1, Beta2, Eps float64
	// T is the number of updates taken so far.
	T int
	// M and V are the first and second moment estimates, one slice per
	// parameter slice, in the order Update receives them.
	M, V [][]float64
}

// NewAdam returns an optimiser for parameters of the given sizes.
func NewAdam(lr, beta1, beta2, eps float64, sizes ...int) *Adam {
	a := &Adam{LR: lr, Beta1: beta1, Beta2: beta2, Eps: eps}
	for _, n := range sizes {
		a.M = append(a.M, make([]float64, n))
		a.V = append(a.V, make([]float64, n))
	}
	return a
}

// Update takes one step: params[k] -= update(grads[k]).
func (a *Adam) Update(params, grads [][]float64) {
	a.T++
	bc1 := 1 - math.Pow(a.Beta1, float64(a.T))
	bc2 := 1 - math.Pow(a.Beta2, float64(a.T))
	step := a.LR / bc1
	sbc2 := math.Sqrt(bc2)
	for k, p := range params {
		g, m, v := grads[k], a.M[k], a.V[k]
		for i := range p {
			m[i] = a.Beta1*m[i] + (1-a.Beta1)*g[i]
			v[i] = a.Beta2*v[i] + (1-a.Beta2)*g[i]*g[i]
			p[i] -= step * m[i] / (math.Sqrt(v[i])/sbc2 + a.Eps)
		}
	}
}

// ClipNorm scales grads in place so their joint Euclidean norm is at most
// maxNorm, as torch.nn.utils.clip_grad_norm_ does (coefficient
// maxNorm/(norm+1e-6), applied only when below 1). It returns the norm
// before clipping. maxNorm <= 0 disables clipping.
func ClipNorm(grads [][]float64, maxNorm float64) float64 {
	var s float64
	for _, g := range grads {
		for _, v := range g {
			s += v * v
		}
	}
	norm := math.Sqrt(s)
	if maxNorm <= 0 {
		return norm
	}
	// 1e-6 is PyTorch's guard against division by zero.
	if c := maxNorm / (norm + 1e-6); c < 1 {
		for _, g := range grads {
			for i := range g {
				g[i] *= c
			}
		}
	}
	return norm
}
