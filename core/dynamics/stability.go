package dynamics

import (
	"fmt"
	"math"
	"math/cmplx"

	"gonum.org/v1/gonum/mat"

	"hmmrnn/core/rnn"
)

// Mobius maps an eigenvalue lambda of a discrete-time Jacobian to
// z = (lambda - 1)/(lambda + 1) (core/METHOD.md section 5.5): the unit circle goes to the
// imaginary axis, so Re z > 0 exactly when |lambda| > 1, and a complex pair
// crossing the unit circle (a Hopf point) crosses Re z = 0 with Im z != 0.
// lambda = -1 maps to complex infinity.
func Mobius(lambda complex128) complex128 {
	if lambda == -1 {
		return cmplx.Inf()
	}
	return (lambda - 1) / (lambda + 1)
}

// Spectrum summarises the Jacobian J = D diag(mu) W_hh of the input-free map
// h -> relu(mu ⊙ W_hh h) at a state h, with D = diag(mu ⊙ W_hh h > 0)
// (core/METHOD.md section 5.5). We evaluate D at the pre-activation of the noise-free update
// from h (the mean input is zero), so that at a fixed point it is the usual
// linearisation; this choice is ours where core/METHOD.md says "pre-activation".
type Spectrum struct {
	// Eigen holds all H eigenvalues: those of the active block of J and one
	// zero per inactive neuron (an inactive neuron's row of J is zero).
	Eigen    []complex128 `json:"-"`
	Active   int          `json:"active"`   // neurons with positive pre-activation
	Unstable int          `json:"unstable"` // eigenvalues with |lambda| > 1 (Re z > 0)
	Complex  int          `json:"complex"`  // eigenvalues with a non-zero imaginary part
	Critical int          `json:"critical"` // critical pairs: |Re z| < CriticalRe, Im z > CriticalIm
	Radius   float64      `json:"radius"`   // spectral radius
}

// imagTol separates genuinely complex eigenvalues from real ones carrying
// round-off (relative to the spectral radius).
const imagTol = 1e-9

// Spectra evaluates Jacobian spectra of one network (with an optional
// per-neuron recurrent scaling mu) and caches them by activation pattern:
// along a run many states share a pattern, and the spectrum depends on the
// pattern only.
type Spectra struct {
	net   *rnn.Net
	mu    []float64
	cache map[string][]complex128
	pre   []float64
	key   []byte
}

// NewSpectra returns an evaluator; mu nil means no scaling.
func NewSpectra(net *rnn.Net, mu []float64) (*Spectra, error) {
	if net == nil {
		return nil, fmt.Errorf("dynamics: nil network")
	}
	if err := checkNet(net); err != nil {
		return nil, err
	}
	if mu != nil && len(mu) != net.H {
		return nil, fmt.Errorf("dynamics: recurrent scaling has %d entries, want H = %d", len(mu), net.H)
	}
	return &Spectra{net: net, mu: mu, cache: map[string][]complex128{}, pre: make([]float64, net.H), key: make([]byte, (net.H+7)/8)}, nil
}

// At returns the spectrum at state h (length H).
func (s *Spectra) At(h []float64) (Spectrum, error) {
	H := s.net.H
	if len(h) != H {
		return Spectrum{}, fmt.Errorf("dynamics: state has %d values, want H = %d", len(h), H)
	}
	mulT(s.pre, h, s.net.Whh, 1, H, H)
	var active []int
	for i := range s.key {
		s.key[i] = 0
	}
	for i, v := range s.pre {
		if s.mu != nil {
			v *= s.mu[i]
		}
		if v > 0 {
			active = append(active, i)
			s.key[i/8] |= 1 << (i % 8)
		}
	}
	return s.pattern(active, string(s.key))
}

// Pattern returns the spectrum of J = D diag(mu) W_hh for an explicit set of
// active neurons (D_ii = 1 for i in active).
func (s *Spectra) Pattern(active []int) (Spectrum, error) {
	H := s.net.H
	key := make([]byte, (H+7)/8)
	for _, i := range active {
		if i < 0 || i >= H {
			return Spectrum{}, fmt.Errorf("dynamics: active neuron %d out of range [0, %d)", i, H)
		}
		key[i/8] |= 1 << (i % 8)
	}
	return s.pattern(active, string(key))
}

func (s *Spectra) pattern(active []int, key string) (Spectrum, error) {
	H := s.net.H
	ev, ok := s.cache[key]
	if !ok {
		ev = make([]complex128, 0, H)
		if n := len(active); n > 0 {
			sub := mat.NewDense(n, n, nil)
			for a, i := range active {
				m := 1.0
				if s.mu != nil {
					m = s.mu[i]
				}
				for b, j := range active {
					sub.Set(a, b, m*s.net.Whh[i*H+j])
				}
			}
			var eig mat.Eigen
			if !eig.Factorize(sub, mat.EigenNone) {
				return Spectrum{}, fmt.Errorf("dynamics: eigendecomposition of the %d x %d active Jacobian block did not converge", n, n)
			}
			ev = append(ev, eig.Values(nil)...)
		}
		for len(ev) < H {
			ev = append(ev, 0)
		}
		s.cache[key] = ev
	}
	sp := Summarise(ev)
	sp.Active = len(active)
	return sp, nil
}

// Summarise counts unstable, complex and critical eigenvalues.
func Summarise(ev []complex128) Spectrum {
	sp := Spectrum{Eigen: ev}
	for _, l := range ev {
		sp.Radius = math.Max(sp.Radius, cmplx.Abs(l))
	}
	tol := imagTol * math.Max(sp.Radius, 1)
	for _, l := range ev {
		if cmplx.Abs(l) > 1 {
			sp.Unstable++
		}
		if math.Abs(imag(l)) > tol {
			sp.Complex++
		}
		if z := Mobius(l); !cmplx.IsInf(z) && math.Abs(real(z)) < CriticalRe && imag(z) > CriticalIm {
			sp.Critical++
		}
	}
	return sp
}
