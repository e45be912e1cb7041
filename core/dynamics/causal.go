package dynamics

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"hmmrnn/core/rnn"
)

// RateOptions set how a RateEval measures transition rates.
type RateOptions struct {
	// Chains chains of Steps counted steps each, after Warmup uncounted
	// steps, start from states spread evenly over the reference run
	// (defaults 16, 400, 20).
	Chains, Steps, Warmup int
}

func (o *RateOptions) defaults() {
	if o.Chains <= 0 {
		o.Chains = 16
	}
	if o.Steps <= 0 {
		o.Steps = 400
	}
	if o.Warmup <= 0 {
		o.Warmup = PCAWarmup
	}
}

// RateEval measures transition rates under interventions with common random
// numbers: every condition sees the same start states and the same noise, so
// differences between conditions are not sampling noise. The noise input
// W_in x of every chain and step is computed once.
type RateEval struct {
	Net   *rnn.Net
	Sigma float64
	Opt   RateOptions
	// Base is the rate without intervention.
	Base   float64
	starts []float64 // Chains x H
	inp    []float64 // (Warmup+Steps) x Chains x H
}

// NewRateEval prepares the common noise (drawn from a generator seeded with
// seed) and start states (spread evenly over run; zeros when run is nil).
func NewRateEval(net *rnn.Net, sigma float64, seed uint64, run *Run, opt RateOptions) (*RateEval, error) {
	sim, err := NewSim(net, sigma, Intervention{})
	if err != nil {
		return nil, err
	}
	opt.defaults()
	H, C := net.H, opt.Chains
	e := &RateEval{Net: net, Sigma: sigma, Opt: opt, starts: make([]float64, C*H)}
	if run != nil {
		if run.H != H {
			return nil, fmt.Errorf("dynamics: run has H = %d, network %d", run.H, H)
		}
		for c := 0; c < C; c++ {
			copy(e.starts[c*H:], run.State(c*run.T/C))
		}
	}
	total := opt.Warmup + opt.Steps
	if sigma > 0 {
		r := newRand(seed)
		e.inp = make([]float64, total*C*H)
		for t := 0; t < total; t++ {
			x := sim.drawNoise(r, C)
			mulT(e.inp[t*C*H:(t+1)*C*H], x, net.Win, C, net.D, H)
		}
	}
	runs, err := e.Outputs(Intervention{})
	if err != nil {
		return nil, err
	}
	e.Base = TransitionRate(runs...)
	return e, nil
}

// Runs simulates the chains under iv and returns the counted part of each.
func (e *RateEval) Runs(iv Intervention) ([]*Run, error) { return e.runs(iv, true) }

// Outputs is Runs keeping only the outputs (States and Logits nil): all
// that rates and Hazards read, without storing Chains x Steps x H states.
func (e *RateEval) Outputs(iv Intervention) ([]*Run, error) { return e.runs(iv, false) }

func (e *RateEval) runs(iv Intervention, keep bool) ([]*Run, error) {
	sim, err := NewSim(e.Net, e.Sigma, iv)
	if err != nil {
		return nil, err
	}
	H, O, C := e.Net.H, e.Net.O, e.Opt.Chains
	h := append([]float64(nil), e.starts...)
	next := make([]float64, C*H)
	lg := make([]float64, C*O)
	runs := make([]*Run, C)
	for c := range runs {
		runs[c] = &Run{T: e.Opt.Steps, H: H, O: O, D: e.Net.D, Out: make([]uint8, e.Opt.Steps)}
		if keep {
			runs[c].States, runs[c].Logits = make([]float64, e.Opt.Steps*H), make([]float64, e.Opt.Steps*O)
		}
	}
	for t := 0; t < e.Opt.Warmup+e.Opt.Steps; t++ {
		var inp []float64
		if e.inp != nil {
			inp = e.inp[t*C*H : (t+1)*C*H]
		}
		sim.stepInp(next, h, C, inp)
		h, next = next, h
		k := t - e.Opt.Warmup
		if k < 0 {
			continue
		}
		logits(lg, h, e.Net, C)
		for c, run := range runs {
			l := lg[c*O : (c+1)*O]
			run.Out[k] = uint8(Argmax(l))
			if keep {
				copy(run.States[k*H:(k+1)*H], h[c*H:(c+1)*H])
				copy(run.Logits[k*O:(k+1)*O], l)
			}
		}
	}
	return runs, nil
}

// Rate is the transition rate with the given neurons scaled by mu in mode.
func (e *RateEval) Rate(neurons []int, mu float64, mode Mode) (float64, error) {
	iv, err := Scale(e.Net.H, neurons, mu, mode)
	if err != nil {
		return 0, err
	}
	runs, err := e.Outputs(iv)
	if err != nil {
		return 0, err
	}
	return TransitionRate(runs...), nil
}

// Hazards returns the switch hazards of the runs: hz[a][b] is the number of
// switches a->b divided by the number of steps that could switch out of a
// (steps t >= 1 with output a at t-1); NaN where a never occurs.
func Hazards(O int, runs ...*Run) [][]float64 {
	sw := make([][]float64, O)
	occ := make([]float64, O)
	for a := range sw {
		sw[a] = make([]float64, O)
	}
	for _, r := range runs {
		for t := 1; t < r.T; t++ {
			a, b := int(r.Out[t-1]), int(r.Out[t])
			if a >= O || b >= O {
				continue
			}
			occ[a]++
			if a != b {
				sw[a][b]++
			}
		}
	}
	for a := range sw {
		for b := range sw[a] {
			if occ[a] == 0 {
				sw[a][b] = math.NaN()
			} else {
				sw[a][b] /= occ[a]
			}
		}
	}
	return sw
}

// CausalOptions tune CausalTests.
type CausalOptions struct {
	Mus  []float64 // default DefaultMus (0..2 by 0.25)
	Mode Mode      // which input is scaled (zero value: Recurrent, core/METHOD.md section 5.8)
	// Controls is the number of random control sets (default 5), each the
	// size of the kick set, drawn from the non-kick neurons that are active
	// on at least 1% of the run's steps (so controls are not padded with
	// silent neurons whose scaling cannot matter).
	Controls int
	// EigenStates caps the states per condition whose Jacobian spectra give
	// the critical-pair counts (default 24; states at and just before
	// switches, or spread over the run when there are none). 0 takes the
	// default; < 0 skips spectra.
	EigenStates int
	Eval        RateOptions
}

// CausalCurve is one neuron set's response to scaling.
type CausalCurve struct {
	Name    string `json:"name"`
	Neurons []int  `json:"neurons"`
	// Rate[k] is the transition rate at Mus[k]; Cut[k] = 1 - Rate/base.
	Rate []float64 `json:"rate"`
	Cut  []float64 `json:"cut"`
	// Critical[k] and Unstable[k] are mean critical-pair and unstable
	// eigenvalue counts over states around switches at Mus[k].
	Critical []float64 `json:"critical,omitempty"`
	Unstable []float64 `json:"unstable,omitempty"`
}

// Causal is the causal test of core/METHOD.md section 5.8.
type Causal struct {
	Mus      []float64     `json:"mus"`
	Mode     string        `json:"mode"`
	BaseRate float64       `json:"base_rate"`
	Curves   []CausalCurve `json:"curves"`
	// Cuts at mu = 0 (when 0 is on the grid) for the whole kick set, the
	// integrating set and the random controls (mean and max); GroupCuts
	// per direction's kick group (when there are several) and their
	// largest, BestGroupCut. Silencing one direction's group blocks that
	// direction and traps the network, while silencing all groups can
	// cancel out; both are reported.
	KickCut        float64            `json:"kick_cut"`
	IntegratingCut float64            `json:"integrating_cut"`
	ControlCutMean float64            `json:"control_cut_mean"`
	ControlCutMax  float64            `json:"control_cut_max"`
	GroupCuts      map[string]float64 `json:"group_cuts"`
	BestGroupCut   float64            `json:"best_group_cut"`
	// Cuts at mu = MuMax (doubling), when on the grid.
	KickDoubleCut        float64 `json:"kick_double_cut"`
	ControlDoubleCutMean float64 `json:"control_double_cut_mean"`
}

// CausalTests scales the recurrent (or noise, or whole) input of the kick
// set, the integrating set and random control sets of the kick set's size
// by each mu and reports transition rates and critical-pair counts around
// switches (core/METHOD.md section 5.8). run is the reference noise-driven run.
func CausalTests(net *rnn.Net, r *rand.Rand, sigma float64, run *Run, kick []int, groups []KickGroup, integrating []int, opt CausalOptions) (*Causal, error) {
	if r == nil || run == nil {
		return nil, errors.New("dynamics: nil random source or run")
	}
	if len(kick) == 0 {
		return nil, errors.New("dynamics: causal test needs a non-empty kick set")
	}
	mus := opt.Mus
	if len(mus) == 0 {
		mus = DefaultMus
	}
	for _, m := range mus {
		if m < 0 || m > MuMax {
			return nil, fmt.Errorf("dynamics: scale factor %v outside [0, %v]", m, MuMax)
		}
	}
	nCtl := opt.Controls
	if nCtl <= 0 {
		nCtl = 5
	}
	nEig := opt.EigenStates
	if nEig == 0 {
		nEig = 24
	}
	ev, err := NewRateEval(net, sigma, r.Uint64(), run, opt.Eval)
	if err != nil {
		return nil, err
	}
	c := &Causal{Mus: mus, Mode: opt.Mode.String(), BaseRate: ev.Base}
	sets := []CausalCurve{{Name: "kick", Neurons: kick}}
	if len(groups) > 1 {
		for _, g := range groups {
			sets = append(sets, CausalCurve{Name: "kick " + g.Direction.String(), Neurons: g.Neurons})
		}
	}
	if len(integrating) > 0 {
		sets = append(sets, CausalCurve{Name: "integrating", Neurons: integrating})
	}
	pool := activeNonMembers(run, kick, 0.01)
	if len(pool) < len(kick) {
		pool = activeNonMembers(run, kick, 0)
	}
	if len(pool) >= len(kick) {
		for k := 0; k < nCtl; k++ {
			perm := r.Perm(len(pool))
			set := make([]int, len(kick))
			for i := range set {
				set[i] = pool[perm[i]]
			}
			sort.Ints(set)
			sets = append(sets, CausalCurve{Name: fmt.Sprintf("control%d", k+1), Neurons: set})
		}
	}
	for si := range sets {
		s := &sets[si]
		for _, mu := range mus {
			iv, err := Scale(net.H, s.Neurons, mu, opt.Mode)
			if err != nil {
				return nil, err
			}
			// States are needed only for the spectra at switches.
			runs, err := ev.runs(iv, nEig > 0)
			if err != nil {
				return nil, err
			}
			rate := TransitionRate(runs...)
			s.Rate = append(s.Rate, rate)
			cut := 0.0
			if ev.Base > 0 {
				cut = 1 - rate/ev.Base
			}
			s.Cut = append(s.Cut, cut)
			if nEig > 0 {
				crit, unst, err := switchSpectra(net, iv.MuRec, runs, nEig)
				if err != nil {
					return nil, err
				}
				s.Critical = append(s.Critical, crit)
				s.Unstable = append(s.Unstable, unst)
			}
		}
	}
	c.Curves = sets
	z, d := -1, -1
	for k, m := range mus {
		switch m {
		case 0:
			z = k
		case MuMax:
			d = k
		}
	}
	c.GroupCuts = map[string]float64{}
	var nc int
	for _, s := range sets {
		switch {
		case s.Name == "kick":
			if z >= 0 {
				c.KickCut = s.Cut[z]
			}
			if d >= 0 {
				c.KickDoubleCut = s.Cut[d]
			}
		case s.Name == "integrating":
			if z >= 0 {
				c.IntegratingCut = s.Cut[z]
			}
		case len(s.Name) > 5 && s.Name[:5] == "kick ":
			if z >= 0 {
				c.GroupCuts[s.Name[5:]] = s.Cut[z]
				c.BestGroupCut = max(c.BestGroupCut, s.Cut[z])
			}
		default:
			if z >= 0 {
				c.ControlCutMean += s.Cut[z]
				c.ControlCutMax = max(c.ControlCutMax, s.Cut[z])
			}
			if d >= 0 {
				c.ControlDoubleCutMean += s.Cut[d]
			}
			nc++
		}
	}
	if nc > 0 {
		c.ControlCutMean /= float64(nc)
		c.ControlDoubleCutMean /= float64(nc)
	}
	return c, nil
}

// activeNonMembers lists neurons outside set that are active (h > 0) on at
// least frac of the run's steps.
func activeNonMembers(run *Run, set []int, frac float64) []int {
	in := map[int]bool{}
	for _, k := range set {
		in[k] = true
	}
	count := make([]int, run.H)
	for t := 0; t < run.T; t++ {
		for i, v := range run.State(t) {
			if v > 0 {
				count[i]++
			}
		}
	}
	var out []int
	for i, n := range count {
		if !in[i] && float64(n) >= frac*float64(run.T) {
			out = append(out, i)
		}
	}
	return out
}

// switchSpectra averages critical-pair and unstable counts of J = D diag(mu)
// W_hh over up to n states at and just before switches of the runs (or
// spread over the runs when nothing switches).
func switchSpectra(net *rnn.Net, mu []float64, runs []*Run, n int) (crit, unst float64, err error) {
	sp, err := NewSpectra(net, mu)
	if err != nil {
		return 0, 0, err
	}
	type at struct{ r, t int }
	var cand []at
	for ri, run := range runs {
		for t := 1; t < run.T; t++ {
			if run.Out[t] != run.Out[t-1] {
				cand = append(cand, at{ri, t - 1})
			}
		}
	}
	if len(cand) == 0 {
		for ri, run := range runs {
			for t := 0; t < run.T; t += max(1, run.T/4) {
				cand = append(cand, at{ri, t})
			}
		}
	}
	if len(cand) == 0 {
		return 0, 0, nil
	}
	stride := max(1, len(cand)/n)
	var m int
	for k := 0; k < len(cand) && m < n; k += stride {
		s, err := sp.At(runs[cand[k].r].State(cand[k].t))
		if err != nil {
			return 0, 0, err
		}
		crit += float64(s.Critical)
		unst += float64(s.Unstable)
		m++
	}
	return crit / float64(m), unst / float64(m), nil
}
