package dynamics

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
)

// Spread is the cloud of continuations at one noise-mixing weight gamma.
// Index k of every slice is the cloud after k+1 steps.
//
// Two kinds of numbers describe the cloud. The raw spreads (TraceCov,
// MeanDist, TracePC) measure how wide it is. In a network driven by
// additive noise they are nearly the same from every state: each step adds
// W_in x with the same covariance wherever the state is (only the ReLU
// gating differs), so a raw spread cannot tell noise-driven from
// deterministic motion. The noise shares (NoiseShare, NoiseSharePC) measure
// what METHOD 5.6 asks, whether the motion from h0 is made by the noise or
// by the deterministic flow: the share of the continuations' mean squared
// displacement from h0 that is spread rather than common drift,
//
//	share = tr Cov / (tr Cov + |mean - h0|^2)   in [0, 1],
//
// 0 when every continuation moves the same way (deterministic), 1 when the
// mean stays put and only the noise moves the state (pure diffusion).
type Spread struct {
	Gamma float64 `json:"gamma"`
	// TraceCov[k] is the trace of the covariance of the continuations'
	// states (all H dimensions); MeanDist[k] their mean distance to their
	// mean.
	TraceCov []float64 `json:"trace_cov"`
	MeanDist []float64 `json:"mean_dist"`
	// Drift[k] is the distance of the continuations' mean from h0: how far
	// the state moves in common, against how much it spreads.
	Drift []float64 `json:"drift"`
	// NoiseShare[k] = TraceCov / (TraceCov + Drift^2) (see the type doc).
	NoiseShare []float64 `json:"noise_share"`
	// TracePC, DriftPC and NoiseSharePC are the same three numbers for the
	// continuations projected on the PCA (when one is given): the spread
	// and the motion along the orbit rather than in all H directions.
	TracePC      []float64 `json:"trace_pc,omitempty"`
	DriftPC      []float64 `json:"drift_pc,omitempty"`
	NoiseSharePC []float64 `json:"noise_share_pc,omitempty"`
}

// noiseShare is tr / (tr + drift^2), 0 when both vanish (gamma = 0 from a
// state that does not move).
func noiseShare(tr, drift float64) float64 {
	if d := tr + drift*drift; d > 0 {
		return tr / d
	}
	return 0
}

// NoiseSensitivity continues the state h0 `n` times for `steps` steps with
// inputs x_k = (1 - gamma) orig_k + gamma * fresh_k, fresh_k ~ N(0, sigma^2),
// for each gamma (METHOD 5.6). orig (steps x D) is the noise that actually
// followed h0 on the run. gamma = 0 replays the run (zero spread); gamma = 1
// is fully fresh noise. A noise share that grows with gamma to near 1 means
// the state's motion is noise-driven (clusters); one that stays near 0 that
// it moves deterministically (transitions). See Spread for why the raw
// spreads cannot show this.
func NoiseSensitivity(sim *Sim, r *rand.Rand, h0, orig []float64, gammas []float64, n, steps int, pca *PCA) ([]Spread, error) {
	if sim == nil {
		return nil, errors.New("dynamics: nil simulator")
	}
	net := sim.Net
	H, D := net.H, net.D
	if len(h0) != H {
		return nil, fmt.Errorf("dynamics: sensitivity start has %d values, want H = %d", len(h0), H)
	}
	if n < 2 || steps < 1 {
		return nil, fmt.Errorf("dynamics: sensitivity needs >= 2 continuations and >= 1 step, got %d, %d", n, steps)
	}
	if len(orig) != steps*D {
		return nil, fmt.Errorf("dynamics: sensitivity original noise has %d values, want %d x %d", len(orig), steps, D)
	}
	if r == nil {
		return nil, errors.New("dynamics: nil random source")
	}
	if pca != nil && pca.H != H {
		return nil, fmt.Errorf("dynamics: PCA of dimension %d for H = %d", pca.H, H)
	}
	var p0 []float64
	if pca != nil {
		p0 = pca.ProjectPoint(h0)
	}
	out := make([]Spread, len(gammas))
	h := make([]float64, n*H)
	next := make([]float64, n*H)
	x := make([]float64, n*D)
	mean := make([]float64, H)
	for g, gamma := range gammas {
		if math.IsNaN(gamma) || gamma < 0 || gamma > 1 {
			return nil, fmt.Errorf("dynamics: noise-mixing weight %v outside [0, 1]", gamma)
		}
		sp := Spread{Gamma: gamma, TraceCov: make([]float64, steps), MeanDist: make([]float64, steps),
			Drift: make([]float64, steps), NoiseShare: make([]float64, steps)}
		if pca != nil {
			sp.TracePC = make([]float64, steps)
			sp.DriftPC = make([]float64, steps)
			sp.NoiseSharePC = make([]float64, steps)
		}
		for b := 0; b < n; b++ {
			copy(h[b*H:], h0)
		}
		for k := 0; k < steps; k++ {
			o := orig[k*D : (k+1)*D]
			for b := 0; b < n; b++ {
				xb := x[b*D : (b+1)*D]
				for i := range xb {
					xb[i] = (1-gamma)*o[i] + gamma*sim.Sigma*r.NormFloat64()
				}
			}
			sim.step(next, h, n, x)
			h, next = next, h
			for i := range mean {
				mean[i] = 0
			}
			for b := 0; b < n; b++ {
				for i, v := range h[b*H : (b+1)*H] {
					mean[i] += v / float64(n)
				}
			}
			var tr, md float64
			for b := 0; b < n; b++ {
				var d2 float64
				for i, v := range h[b*H : (b+1)*H] {
					d := v - mean[i]
					d2 += d * d
				}
				tr += d2 / float64(n-1)
				md += math.Sqrt(d2) / float64(n)
			}
			sp.TraceCov[k], sp.MeanDist[k], sp.Drift[k] = tr, md, dist(mean, h0)
			sp.NoiseShare[k] = noiseShare(tr, sp.Drift[k])
			if pca != nil {
				pr := pca.Project(h, n)
				var d2 float64
				for c := 0; c < pca.K; c++ {
					var m, v float64
					for b := 0; b < n; b++ {
						m += pr[b*pca.K+c] / float64(n)
					}
					for b := 0; b < n; b++ {
						d := pr[b*pca.K+c] - m
						v += d * d / float64(n-1)
					}
					sp.TracePC[k] += v
					d2 += (m - p0[c]) * (m - p0[c])
				}
				sp.DriftPC[k] = math.Sqrt(d2)
				sp.NoiseSharePC[k] = noiseShare(sp.TracePC[k], sp.DriftPC[k])
			}
		}
		out[g] = sp
	}
	return out, nil
}
