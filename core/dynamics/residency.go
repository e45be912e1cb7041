package dynamics

import (
	"errors"
	"fmt"
	"math/rand/v2"
)

// Zone is the residency class of a state (core/METHOD.md section 5.4).
type Zone uint8

const (
	// Other: slow (residency > 8) but the readout is not confident
	// (max softmax probability <= 0.8).
	Other Zone = iota
	// Transition: residency < 2.
	Transition
	// KickZone: residency in [2, 8].
	KickZone
	// Cluster: residency > 8 and max softmax probability > 0.8.
	Cluster
)

// Zones lists the zones in a fixed order (for tables and figures).
var Zones = []Zone{Transition, KickZone, Cluster, Other}

// String returns "transition", "kick", "cluster" or "other".
func (z Zone) String() string {
	switch z {
	case Transition:
		return "transition"
	case KickZone:
		return "kick"
	case Cluster:
		return "cluster"
	}
	return "other"
}

// MarshalText writes the zone's name.
func (z Zone) MarshalText() ([]byte, error) { return []byte(z.String()), nil }

// ClassifyZone applies the thresholds of core/METHOD.md section 5.4 to a residency time and
// the state's maximum softmax probability.
func ClassifyZone(residency, maxProb float64) Zone {
	switch {
	case residency < TransitionMaxResidency:
		return Transition
	case residency <= KickZoneMaxResidency:
		return KickZone
	case maxProb > ClusterMinProb:
		return Cluster
	}
	return Other
}

// Residence is the residency analysis of one state.
type Residence struct {
	// Residency is the mean over continuations of the number of steps until
	// the argmax output first differs from the state's own (1 = it changes
	// at the next step); continuations that never change count MaxSteps.
	Residency float64 `json:"residency"`
	// SignChanges is the mean number of sign changes of the step-to-step
	// change of the current output's logit, counted up to the switch.
	SignChanges float64 `json:"sign_changes"`
	// MaxProb is the probability with which the network's readout emits
	// the state's argmax output (its largest softmax probability, or its
	// calibrated emitter's: rnn.Readout).
	MaxProb float64 `json:"max_prob"`
	Zone    Zone    `json:"zone"`
}

// ResidencyOptions tune Residency; zero fields take the core/METHOD.md section 5.4 values.
type ResidencyOptions struct {
	Continuations int // default ResidencyContinuations (20)
	MaxSteps      int // default ResidencyMaxSteps (50)
}

// residencyChunk is how many states are continued together (their
// continuations form one batch of matrix products).
const residencyChunk = 64

// Residency measures, for each of the n states (n x H), how long the output
// stays put under fresh noise (core/METHOD.md section 5.4). sim fixes the noise level and any
// intervention. Noise is drawn per step for the continuations still running,
// in order of state then continuation.
func Residency(sim *Sim, r *rand.Rand, states []float64, n int, opt ResidencyOptions) ([]Residence, error) {
	if sim == nil {
		return nil, errors.New("dynamics: nil simulator")
	}
	net := sim.Net
	H, O, D := net.H, net.O, net.D
	if n < 0 || len(states) != n*H {
		return nil, fmt.Errorf("dynamics: residency got %d state values, want %d x %d", len(states), n, H)
	}
	if sim.Sigma > 0 && r == nil {
		return nil, errors.New("dynamics: nil random source")
	}
	nc, maxSteps := opt.Continuations, opt.MaxSteps
	if nc <= 0 {
		nc = ResidencyContinuations
	}
	if maxSteps <= 0 {
		maxSteps = ResidencyMaxSteps
	}
	out := make([]Residence, n)
	lg0 := make([]float64, O)
	for c0 := 0; c0 < n; c0 += residencyChunk {
		c1 := min(n, c0+residencyChunk)
		B := (c1 - c0) * nc
		// Per-chain bookkeeping.
		own := make([]int, B)
		last := make([]float64, B)
		prevSign := make([]int8, B)
		signs := make([]int, B)
		act := make([]int, B)
		h := make([]float64, B*H)
		for k := c0; k < c1; k++ {
			hk := states[k*H : (k+1)*H]
			logits(lg0, hk, net, 1)
			o := Argmax(lg0)
			out[k].MaxProb = maxProb(net.Readout, lg0)
			for c := 0; c < nc; c++ {
				b := (k-c0)*nc + c
				own[b], last[b], act[b] = o, lg0[o], b
				copy(h[b*H:], hk)
			}
		}
		next := make([]float64, B*H)
		lg := make([]float64, B*O)
		x := make([]float64, B*D)
		for s := 1; s <= maxSteps && len(act) > 0; s++ {
			A := len(act)
			var xs []float64
			if sim.Sigma > 0 {
				xs = x[:A*D]
				for i := range xs {
					xs[i] = sim.Sigma * r.NormFloat64()
				}
			}
			sim.step(next[:A*H], h[:A*H], A, xs)
			logits(lg[:A*O], next[:A*H], net, A)
			keep := 0
			for a, b := range act {
				l := lg[a*O : (a+1)*O]
				cur := l[own[b]]
				d := cur - last[b]
				last[b] = cur
				var sg int8
				if d > 0 {
					sg = 1
				} else if d < 0 {
					sg = -1
				}
				if sg != 0 {
					if prevSign[b] != 0 && sg != prevSign[b] {
						signs[b]++
					}
					prevSign[b] = sg
				}
				k := c0 + b/nc
				if Argmax(l) != own[b] || s == maxSteps {
					out[k].Residency += float64(s) / float64(nc)
					out[k].SignChanges += float64(signs[b]) / float64(nc)
					continue
				}
				act[keep] = b
				copy(h[keep*H:(keep+1)*H], next[a*H:(a+1)*H])
				keep++
			}
			act = act[:keep]
		}
		for k := c0; k < c1; k++ {
			out[k].Zone = ClassifyZone(out[k].Residency, out[k].MaxProb)
		}
	}
	return out, nil
}
