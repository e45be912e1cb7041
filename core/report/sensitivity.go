package report

import (
	"math/rand/v2"
	"sort"

	"hmmrnn/core/dynamics"
)

// defaultSensitivityStates is how many cluster and how many transition
// states the noise sensitivity averages over by default: METHOD 5.6 shows
// one of each, but single states scatter widely (per-state noise shares
// range over most of [0, 1]), so the report averages many.
const defaultSensitivityStates = 30

// sensitivity runs the noise-sensitivity analysis (METHOD 5.6) from up to m
// cluster and m transition states of the reference run. res holds the
// residency analysis of the states t0, t0+1, ... of the run; more
// transition states, if needed, are found among the states just before the
// run's output switches by the same residency criterion (METHOD 5.4).
func sensitivity(sim *dynamics.Sim, run *dynamics.Run, pca *dynamics.PCA, res []dynamics.Residence, t0, m int, r *rand.Rand) (*SensitivityInfo, error) {
	if m <= 0 {
		m = defaultSensitivityStates
	}
	S := dynamics.SensitivitySteps
	D := sim.Net.D
	// A state h_t can be continued when the run holds the S inputs after it.
	usable := func(t int) bool { return t >= 0 && t+S < run.T }
	var cl, tr []int
	for k, rs := range res {
		if t := t0 + k; usable(t) {
			switch rs.Zone {
			case dynamics.Cluster:
				cl = append(cl, t)
			case dynamics.Transition:
				tr = append(tr, t)
			}
		}
	}
	si := &SensitivityInfo{Gammas: dynamics.DefaultGammas, Steps: S, Continuations: dynamics.SensitivityContinuations}
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
		for _, t := range spread(sw, 2*m) {
			cand = append(cand, t-1, t)
		}
		if len(cand) > 0 {
			H := sim.Net.H
			states := make([]float64, 0, len(cand)*H)
			for _, t := range cand {
				states = append(states, run.State(t)...)
			}
			cres, err := dynamics.Residency(sim, r, states, len(cand), dynamics.ResidencyOptions{})
			if err != nil {
				return nil, err
			}
			for k, rs := range cres {
				if rs.Zone == dynamics.Transition {
					tr = append(tr, cand[k])
				}
			}
			sort.Ints(tr)
			si.Candidates = len(cand)
		}
	}
	si.ClusterStates, si.TransitionStates = spread(cl, m), spread(tr, m)
	// The orbit plane: the PCA restricted to PC1-PC2.
	var plane *dynamics.PCA
	if pca.K >= 2 {
		plane = &dynamics.PCA{H: pca.H, K: 2, Mean: pca.Mean, Axes: pca.Axes[:2*pca.H], Var: pca.Var[:2], TotalVar: pca.TotalVar}
	}
	G := len(si.Gammas) - 1 // the largest gamma (DefaultGammas is increasing)
	for _, grp := range []struct {
		ts     []int
		mean   *[]dynamics.Spread
		shares *[]float64
	}{{si.ClusterStates, &si.Cluster, &si.ClusterShares}, {si.TransitionStates, &si.Transition, &si.TransitionShares}} {
		for _, t := range grp.ts {
			// The state h_t is followed on the run by the inputs x_{t+1..t+S}.
			sp, err := dynamics.NoiseSensitivity(sim, r, run.State(t), run.Noise[(t+1)*D:(t+1+S)*D], si.Gammas, si.Continuations, S, plane)
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
func addSpreads(acc, sp []dynamics.Spread, w float64) []dynamics.Spread {
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
		acc = make([]dynamics.Spread, len(sp))
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

func mean(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}
