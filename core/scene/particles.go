package scene

import (
	"fmt"
	"math/rand/v2"
)

// WarmUp is the number of noise-driven steps from h = 0 before a run is
// used (core/METHOD.md section 5: PCA runs start after a warm-up of 20 steps).
const WarmUp = 20

// Particles are independent noise-driven copies of one network, stepped
// together: the orbit-flow animation. Each step is the network's update
// h <- relu(G (W_in x + W_hh h)), x ~ N(0, sigma^2 I_D) (core/METHOD.md section 2), where the
// diagonal gain G scales both inputs of chosen neurons (core/METHOD.md section 5.8: 0
// silences, 1 is nominal, 2 doubles; the "both" mode of core/dynamics, in
// which its kick-neuron detection silences).
type Particles struct {
	w     *Weights
	n     int
	h     []float64 // n x H, row-major
	next  []float64 // H
	x     []float64 // D
	gain  []float64 // H
	logit []float64 // O
}

// NewParticles starts n particles at h = 0 and runs them WarmUp steps with
// noise sigma drawn from r.
func NewParticles(w *Weights, n int, sigma float64, r *rand.Rand) (*Particles, error) {
	if err := w.Validate(); err != nil {
		return nil, err
	}
	if n <= 0 {
		return nil, fmt.Errorf("scene: particles: count %d must be positive", n)
	}
	p := &Particles{
		w:     w,
		n:     n,
		h:     make([]float64, n*w.H),
		next:  make([]float64, w.H),
		x:     make([]float64, w.D),
		gain:  make([]float64, w.H),
		logit: make([]float64, w.O),
	}
	for i := range p.gain {
		p.gain[i] = 1
	}
	for range WarmUp {
		p.Step(sigma, r)
	}
	return p, nil
}

// Rebind makes the particles follow new weights of the same shape (a
// network that goes on training), keeping their states.
func (p *Particles) Rebind(w *Weights) error {
	if err := w.Validate(); err != nil {
		return err
	}
	if w.H != p.w.H || w.D != p.w.D || w.O != p.w.O {
		return fmt.Errorf("scene: particles: new weights are %dx%dx%d, particles follow %dx%dx%d", w.H, w.D, w.O, p.w.H, p.w.D, p.w.O)
	}
	p.w = w
	return nil
}

// Len returns the number of particles.
func (p *Particles) Len() int { return p.n }

// State returns particle i's hidden state (aliases internal memory).
func (p *Particles) State(i int) []float64 { return p.h[i*p.w.H : (i+1)*p.w.H] }

// SetGain sets the gain of the listed neurons to mu and of every
// other neuron to 1; out-of-range indices are ignored.
func (p *Particles) SetGain(neurons []int, mu float64) {
	for i := range p.gain {
		p.gain[i] = 1
	}
	for _, k := range neurons {
		if k >= 0 && k < len(p.gain) {
			p.gain[k] = mu
		}
	}
}

// Step advances every particle one time step with noise std sigma.
func (p *Particles) Step(sigma float64, r *rand.Rand) {
	H, D := p.w.H, p.w.D
	for i := range p.n {
		h := p.State(i)
		for k := range p.x {
			p.x[k] = sigma * r.NormFloat64()
		}
		for a := range H {
			rec := 0.0
			row := p.w.Whh[a*H : (a+1)*H]
			for b, v := range h {
				rec += row[b] * v
			}
			in := 0.0
			rowIn := p.w.Win[a*D : (a+1)*D]
			for k, v := range p.x {
				in += rowIn[k] * v
			}
			p.next[a] = max(p.gain[a]*(in+rec), 0)
		}
		copy(h, p.next)
	}
}

// Output returns the argmax of particle i's logits W_out h (the colour
// rule of core/METHOD.md section 5: points are coloured by the argmax of the logits).
func (p *Particles) Output(i int) int {
	return Argmax(p.w, p.State(i), p.logit)
}

// Argmax returns argmax_o (W_out h)_o, using buf (length O) as scratch.
func Argmax(w *Weights, h, buf []float64) int {
	best := 0
	for o := range w.O {
		s := 0.0
		for j, v := range h {
			s += w.Wout[o*w.H+j] * v
		}
		buf[o] = s
		if s > buf[best] {
			best = o
		}
	}
	return best
}

// Project maps a hidden state to the picture plane:
// (PC1·(h-mean), PC2·(h-mean)).
func Project(h, mean, pc1, pc2 []float64) Vec {
	var v Vec
	for i, x := range h {
		d := x - mean[i]
		v.X += pc1[i] * d
		v.Y += pc2[i] * d
	}
	return v
}

// particleBudget is the multiply-adds per animation frame the particles may
// cost; at wasm's speed (about 350 million per second measured on these
// machines) it keeps the simulation near 2 ms a frame.
const particleBudget = 700_000

// ParticleCount returns how many particles of network w fit the per-frame
// budget, between 16 and 250.
func ParticleCount(w *Weights) int {
	per := w.H * (w.H + w.D + w.O)
	return min(max(particleBudget/max(per, 1), 16), 250)
}
