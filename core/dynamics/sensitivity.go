package dynamics

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
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
// what core/METHOD.md section 5.6 asks, whether the motion from h0 is made by the noise or
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
// for each gamma (core/METHOD.md section 5.6). orig (steps x D) is the noise that actually
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

// Sensitivity is the noise-sensitivity analysis (arXiv 2510.25674 section
// 5.6), averaged over many cluster and transition states.
//
// The headline number is the noise share of the motion (Spread):
// after Steps steps with fully fresh noise (the largest gamma), the share
// of the continuations' mean squared displacement from the start that is
// spread rather than common drift, in the PC1-PC2 plane where the orbit
// lives. Clusters are noise-driven when their share is high (near 1: the
// state moves only by diffusion) and transitions deterministic when theirs
// is low (every continuation makes the same excursion). The raw spreads
// (trace of the covariance) are reported too, but they cannot show the
// claim: the noise enters additively with the same covariance everywhere,
// so the raw spread is about the same from every state.
type Sensitivity struct {
	Gammas        []float64 `json:"gammas"`
	Steps         int       `json:"steps"`
	Continuations int       `json:"continuations"`
	// ClusterStates and TransitionStates are the run steps continued. The
	// states come from the residency stretch; when it holds too few
	// transition states, Candidates more states (the two before each of a
	// sample of the run's output switches) are classified by the same
	// residency criterion (core/METHOD.md section 5.4) and their transition states added.
	ClusterStates    []int `json:"cluster_states"`
	TransitionStates []int `json:"transition_states"`
	Candidates       int   `json:"candidates"`
	// Cluster and Transition are the spreads averaged over the states
	// (noise shares are means of the per-state shares).
	Cluster    []Spread `json:"cluster"`
	Transition []Spread `json:"transition"`
	// ClusterShares and TransitionShares are the per-state noise shares
	// (PC1-PC2 plane, largest gamma, last step) behind Ratio.
	ClusterShares    []float64 `json:"cluster_shares"`
	TransitionShares []float64 `json:"transition_shares"`
	// Ratio is the cluster/transition ratio of the mean noise share in the
	// PC1-PC2 plane at the largest gamma after the last step (> 1: clusters
	// noise-driven, transitions deterministic); FullRatio the same in all
	// H dimensions. RawRatio and RawPlaneRatio are the cluster/transition
	// ratios of the raw spread (trace of the covariance) in all dimensions
	// and in the plane.
	Ratio         float64 `json:"ratio"`
	FullRatio     float64 `json:"full_ratio"`
	RawRatio      float64 `json:"raw_ratio"`
	RawPlaneRatio float64 `json:"raw_plane_ratio"`
}

// DefaultSensitivityStates is how many cluster and how many transition
// states the noise sensitivity averages over by default: arXiv 2510.25674 section 5.6 shows
// one of each, but single states scatter widely (per-state noise shares
// range over most of [0, 1]), so the report averages many.
const DefaultSensitivityStates = 30

// ZoneSensitivity runs the noise-sensitivity analysis (arXiv 2510.25674
// section 5.6) from up to m cluster and m transition states of run, which
// must have kept its noise. st is the residency analysis of a stretch of
// the run (StretchZones); more transition states, if needed, are found
// among the states just before the run's output switches by the same
// residency criterion (section 5.4).
func ZoneSensitivity(sim *Sim, r *rand.Rand, run *Run, pca *PCA, st *Stretch, m int) (*Sensitivity, error) {
	if sim == nil || run == nil || pca == nil || st == nil {
		return nil, errors.New("dynamics: nil simulator, run, PCA or stretch")
	}
	if run.Noise == nil {
		return nil, errors.New("dynamics: noise sensitivity needs a run that kept its noise")
	}
	res, t0 := st.Res, st.Start
	if m <= 0 {
		m = DefaultSensitivityStates
	}
	S := SensitivitySteps
	D := sim.Net.D
	// A state h_t can be continued when the run holds the S inputs after it.
	usable := func(t int) bool { return t >= 0 && t+S < run.T }
	var cl, tr []int
	for k, rs := range res {
		if t := t0 + k; usable(t) {
			switch rs.Zone {
			case Cluster:
				cl = append(cl, t)
			case Transition:
				tr = append(tr, t)
			}
		}
	}
	si := &Sensitivity{Gammas: DefaultGammas, Steps: S, Continuations: SensitivityContinuations}
	if len(tr) < m {
		// Candidates outside the stretch: the states 1 and 2 steps before
		// a sample of the run's output switches (state t switches when
		// Out[t+1] != Out[t]).
		var sw []int
		for t := 1; t+1 < run.T; t++ {
			if run.Out[t+1] != run.Out[t] && (t < t0 || t-1 >= t0+len(res)) && usable(t) {
				sw = append(sw, t)
			}
		}
		var cand []int
		for _, t := range spreadInts(sw, 2*m) {
			cand = append(cand, t-1, t)
		}
		if len(cand) > 0 {
			H := sim.Net.H
			states := make([]float64, 0, len(cand)*H)
			for _, t := range cand {
				states = append(states, run.State(t)...)
			}
			cres, err := Residency(sim, r, states, len(cand), ResidencyOptions{})
			if err != nil {
				return nil, err
			}
			for k, rs := range cres {
				if rs.Zone == Transition {
					tr = append(tr, cand[k])
				}
			}
			sort.Ints(tr)
			si.Candidates = len(cand)
		}
	}
	si.ClusterStates, si.TransitionStates = spreadInts(cl, m), spreadInts(tr, m)
	// The orbit plane: the PCA restricted to PC1-PC2.
	var plane *PCA
	if pca.K >= 2 {
		plane = &PCA{H: pca.H, K: 2, Mean: pca.Mean, Axes: pca.Axes[:2*pca.H], Var: pca.Var[:2], TotalVar: pca.TotalVar}
	}
	G := len(si.Gammas) - 1 // the largest gamma (DefaultGammas is increasing)
	for _, grp := range []struct {
		ts     []int
		mean   *[]Spread
		shares *[]float64
	}{{si.ClusterStates, &si.Cluster, &si.ClusterShares}, {si.TransitionStates, &si.Transition, &si.TransitionShares}} {
		for _, t := range grp.ts {
			// The state h_t is followed on the run by the inputs x_{t+1..t+S}.
			sp, err := NoiseSensitivity(sim, r, run.State(t), run.Noise[(t+1)*D:(t+1+S)*D], si.Gammas, si.Continuations, S, plane)
			if err != nil {
				return nil, err
			}
			*grp.mean = addSpreads(*grp.mean, sp, 1/float64(len(grp.ts)))
			share := sp[G].NoiseShare[S-1]
			if plane != nil {
				share = sp[G].NoiseSharePC[S-1]
			}
			*grp.shares = append(*grp.shares, share)
		}
	}
	if len(si.Cluster) == 0 || len(si.Transition) == 0 {
		return si, nil
	}
	c, t := si.Cluster[G], si.Transition[G]
	ratio := func(a, b float64) float64 {
		if b > 0 {
			return a / b
		}
		return 0
	}
	si.FullRatio = ratio(c.NoiseShare[S-1], t.NoiseShare[S-1])
	si.RawRatio = ratio(c.TraceCov[S-1], t.TraceCov[S-1])
	si.Ratio = si.FullRatio
	if plane != nil {
		si.Ratio = ratio(c.NoiseSharePC[S-1], t.NoiseSharePC[S-1])
		si.RawPlaneRatio = ratio(c.TracePC[S-1], t.TracePC[S-1])
	}
	return si, nil
}

// addSpreads adds w times sp to acc (allocated on first use).
func addSpreads(acc, sp []Spread, w float64) []Spread {
	add := func(dst *[]float64, src []float64) {
		if src == nil {
			return
		}
		if *dst == nil {
			*dst = make([]float64, len(src))
		}
		for k, v := range src {
			(*dst)[k] += w * v
		}
	}
	if acc == nil {
		acc = make([]Spread, len(sp))
		for g := range sp {
			acc[g].Gamma = sp[g].Gamma
		}
	}
	for g := range sp {
		a, s := &acc[g], &sp[g]
		add(&a.TraceCov, s.TraceCov)
		add(&a.MeanDist, s.MeanDist)
		add(&a.Drift, s.Drift)
		add(&a.NoiseShare, s.NoiseShare)
		add(&a.TracePC, s.TracePC)
		add(&a.DriftPC, s.DriftPC)
		add(&a.NoiseSharePC, s.NoiseSharePC)
	}
	return acc
}
