package dynamics

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"hmmrnn/core/rnn"
)

// Event is one switch of the argmax output on a run.
type Event struct {
	T        int   `json:"t"` // first step of the new output
	From, To uint8 // outputs before and after
}

// Events lists the switches of out whose old output was held for at least
// minDwell steps before and whose new output is held for at least minDwell
// steps after (so flicker does not count as a transition).
func Events(out []uint8, minDwell int) []Event {
	var ev []Event
	minDwell = max(1, minDwell)
	for t := minDwell; t+minDwell <= len(out); t++ {
		if out[t] == out[t-1] {
			continue
		}
		ok := true
		for k := 1; k <= minDwell && ok; k++ {
			ok = out[t-k] == out[t-1] && out[t+k-1] == out[t]
		}
		if ok {
			ev = append(ev, Event{T: t, From: out[t-1], To: out[t]})
		}
	}
	return ev
}

// Direction is an ordered pair of outputs (a switch from From to To).
type Direction struct {
	From uint8 `json:"from"`
	To   uint8 `json:"to"`
}

func (d Direction) String() string { return fmt.Sprintf("%d->%d", d.From, d.To) }

// KickScore is how FindKickNeurons ranks a direction's candidate neurons.
type KickScore int

const (
	// ScorePrevention (the default) ranks a neuron by the fraction of the
	// direction's switches that fail when it is silenced just before them,
	// the run's own noise replayed (Prevention): a causal timing test.
	ScorePrevention KickScore = iota
	// ScoreAttribution ranks it by the first-order Attribution (cheaper,
	// no replay; a candidate also needs Z >= MinZ).
	ScoreAttribution
)

// String returns "prevention" or "attribution".
func (s KickScore) String() string {
	switch s {
	case ScorePrevention:
		return "prevention"
	case ScoreAttribution:
		return "attribution"
	}
	return fmt.Sprintf("KickScore(%d)", int(s))
}

// ParseKickScore is the inverse of KickScore.String.
func ParseKickScore(s string) (KickScore, error) {
	for _, k := range []KickScore{ScorePrevention, ScoreAttribution} {
		if k.String() == s {
			return k, nil
		}
	}
	return 0, fmt.Errorf("dynamics: unknown kick score %q (want prevention or attribution)", s)
}

// KickOptions tune FindKickNeurons; zero fields take the defaults below.
type KickOptions struct {
	// Seed, Sigma and Steps define the noise-driven run the detection reads,
	// ReferenceRun(net, Sigma, Seed, Steps) (defaults: Sigma DefaultSigma,
	// Steps PCASteps), and seed its rate measurements and controls: the
	// same network and options give the same kick set in every caller.
	Seed  uint64
	Sigma float64
	Steps int
	// Score is how candidates are ranked (default ScorePrevention).
	Score KickScore
	// Window is how many steps before a switch count as "just before"
	// (default 3) and MinDwell the dwell filter of Events (default 3).
	Window, MinDwell int
	// Lag is how many steps after the original switch time a replayed
	// switch may still happen (default 2); ReplayEvents caps the switches
	// replayed per direction (default 60).
	Lag, ReplayEvents int
	// MinZ is the minimum pre-switch z-score of a candidate under
	// ScoreAttribution (default 0.5).
	MinZ float64
	// MinRate is the fraction of the run's steps at which a direction must
	// switch to be analysed (default MinDirectionRate); MinEvents the
	// fewest dwell-filtered switches that time its candidates (default 5).
	MinRate   float64
	MinEvents int
	// MaxFraction caps each direction's group at this fraction of the
	// neurons (default MaxKickFraction).
	MaxFraction float64
	// MinCut is the cut of the direction's hazard a group must reach
	// (default KickMinCut); Keep is the fraction of the best cut of any
	// prefix of candidates the group must keep (default 0.9), so that a
	// group is not cut down to the edge of MinCut when more is reachable.
	MinCut, Keep float64
	// Controls is the number of random sets of a group's size whose median
	// cut is the group's control (0: KickControls; < 0: none, for a caller
	// that needs only the kick set, which controls do not change).
	Controls int
	// Mode is how candidates are silenced (mu = 0); default Both, which
	// makes the neuron's output zero.
	Mode Mode
	// ModeSet marks Mode as given (Mode's zero value is Recurrent).
	ModeSet bool
	// Eval sets how transition rates are measured (default KickEval).
	Eval RateOptions
}

// KickEval is the default rate measurement of the kick detection: twice
// the chains and steps of RateOptions' default, so that a direction
// switching at MinDirectionRate (0.2% of steps) still makes ~50 switches
// in the unperturbed chains and a 70% cut is not sampling noise.
var KickEval = RateOptions{Chains: 32, Steps: 800}

func (o *KickOptions) defaults() {
	if o.Sigma <= 0 {
		o.Sigma = DefaultSigma
	}
	if o.Steps <= 0 {
		o.Steps = PCASteps
	}
	if o.Window <= 0 {
		o.Window = 3
	}
	if o.MinDwell <= 0 {
		o.MinDwell = 3
	}
	if o.Lag <= 0 {
		o.Lag = 2
	}
	if o.ReplayEvents <= 0 {
		o.ReplayEvents = 60
	}
	if o.MinZ <= 0 {
		o.MinZ = 0.5
	}
	if o.MinRate <= 0 {
		o.MinRate = MinDirectionRate
	}
	if o.MinEvents <= 0 {
		o.MinEvents = 5
	}
	if o.MaxFraction <= 0 {
		o.MaxFraction = MaxKickFraction
	}
	if o.MinCut <= 0 {
		o.MinCut = KickMinCut
	}
	if o.Keep <= 0 {
		o.Keep = 0.9
	}
	if o.Controls == 0 {
		o.Controls = KickControls
	}
	if !o.ModeSet {
		o.Mode = Both
	}
	if o.Eval == (RateOptions{}) {
		o.Eval = KickEval
	}
}

// KickCandidate is a neuron's pre-switch firing for one direction.
type KickCandidate struct {
	Neuron    int       `json:"neuron"`
	Direction Direction `json:"direction"`
	// Z is the neuron's mean z-scored activity over the Window steps before
	// the switches of Direction. Attribution is the mean over those
	// switches of sum_w h_i(t-w) * d(l_to - l_from)(t)/dh_i(t-w), w =
	// 1..Window: how much the neuron's activity just before the switch
	// pushes the readout towards the new output (first-order effect of
	// removing it, propagated through the trajectory's Jacobians).
	Z           float64 `json:"z"`
	Attribution float64 `json:"attribution"`
	// Prevented is the fraction of the direction's switches that no longer
	// happen when the neuron is silenced just before them (Prevention;
	// ScorePrevention only).
	Prevented float64 `json:"prevented"`
}

// KickResult is the automatic kick-neuron detection.
type KickResult struct {
	// Seed, Sigma and Steps are the run the detection read (KickOptions);
	// Score the ranking used.
	Seed  uint64  `json:"seed"`
	Sigma float64 `json:"sigma"`
	Steps int     `json:"steps"`
	Score string  `json:"score"`
	// Neurons is the kick set, the union of the groups (0-based, ascending).
	Neurons []int `json:"neurons"`
	// Groups maps each direction that has one to its kick neurons.
	Groups []KickGroup `json:"groups"`
	// Candidates lists the candidates tried, direction by direction, by
	// decreasing score.
	Candidates []KickCandidate `json:"candidates"`
	// Directions has one entry per direction that switched on the run:
	// its rate, what the search found and the cuts.
	Directions []DirectionCut `json:"directions"`
	// Events is the number of dwell-filtered switches per direction.
	Events map[string]int `json:"events"`
	// BaseRate is the transition rate without intervention and Cut the
	// overall cut 1 - rate/BaseRate with the whole kick set silenced.
	BaseRate float64 `json:"base_rate"`
	Cut      float64 `json:"cut"`
	Mode     string  `json:"mode"`
}

// Direction statuses of DirectionCut.Status.
const (
	KickFound = "group" // a group reaching MinCut was found
	KickNone  = "none"  // analysed; no set of candidates reached MinCut
	KickRare  = "rare"  // switches on fewer than MinRate of the steps: not analysed
	KickFew   = "few"   // fewer than MinEvents dwell-filtered switches to time candidates
)

// DirectionCut records the search for one direction's kick group.
type DirectionCut struct {
	Direction Direction `json:"direction"`
	// Rate is the direction's switches per step of the run (all switches,
	// no dwell filter); Events its dwell-filtered switches.
	Rate   float64 `json:"rate"`
	Events int     `json:"events"`
	// Status is KickFound, KickNone, KickRare or KickFew.
	Status string `json:"status"`
	// PrefixCut[k] is the hazard cut with the direction's first k+1
	// candidates silenced and BestCut the largest of them (the selection
	// measurement). Cut is the group's cut measured again on independent
	// noise (the check measurement); for a direction that reached MinCut in
	// selection but not in the check (status none), the larger check cut of
	// the sets tried; 0 otherwise.
	PrefixCut []float64 `json:"prefix_cut"`
	BestCut   float64   `json:"best_cut"`
	Cut       float64   `json:"cut"`
	// ControlCut is the median hazard cut of Controls random sets of the
	// group's size (active neurons outside the kick set, the check
	// measurement's common random numbers); ControlCutMax the largest. 0
	// without a group.
	ControlCut    float64 `json:"control_cut"`
	ControlCutMax float64 `json:"control_cut_max"`
}

// KickGroup is the kick neurons of one direction.
type KickGroup struct {
	Direction Direction `json:"direction"`
	Neurons   []int     `json:"neurons"`
}

// FindKickNeurons detects kick neurons automatically (arXiv 2510.25674
// section 5.7 picked them by hand) on the noise-driven run
// ReferenceRun(net, opt.Sigma, opt.Seed, opt.Steps). It is the one
// detection of the command line, the sweeps and the browser. The
// criterion combines when a neuron fires with what silencing it does:
//
//  1. Timing. Every dwell-filtered switch a->b of the run (Events) is a
//     transition of direction a->b. Directions switching on at least
//     MinRate of the steps are analysed. Under ScorePrevention each
//     neuron is silenced in turn from Window+1 steps before each switch,
//     the run's own noise replayed (Prevention): the fraction of the
//     direction's switches that then fail to happen within Lag steps is
//     the neuron's score for the direction. Under ScoreAttribution the
//     first-order Attribution is the score (and Z >= MinZ is required).
//     A neuron with a positive score is a candidate for every direction it
//     scores on (one neuron may gate several, e.g. both ways out of a
//     state). Each direction keeps its MaxFraction*H best candidates.
//  2. Cause. With common random numbers (the same start states and noise
//     for every condition), the cut of a set S for direction a->b is
//     1 - hazard_ab(S silenced)/hazard_ab(none), where hazard_ab is the
//     number of a->b switches per step spent in a (Hazards), and S is
//     silenced by mu = 0 in Mode. The goal is max(MinCut, Keep times the
//     best cut of any prefix of the candidates, best first); the group is
//     the shortest prefix reaching it, then, from the weakest member up,
//     members whose removal keeps the cut at the goal are dropped (so
//     redundant neurons go, but one of a redundant pair stays). A
//     direction where no prefix reaches MinCut gets no group; its entry
//     says so with the best cut reached. A cut chosen as the best of many
//     trials is biased up, so the group is then measured again on
//     independent noise (fresh noise, the same start states): it stands
//     if it still reaches the goal there; else the better of it and the
//     best prefix stands if it reaches MinCut there; else the direction
//     gets no group. The reported cut is this second measurement.
//  3. Control. Each group's cut is set beside the median cut of Controls
//     random sets of its size, drawn from the neurons outside the kick set
//     that are active on at least 1% of the run's steps, measured with the
//     second measurement's common random numbers.
//
// Using per-direction hazards rather than the overall rate matters:
// silencing one direction's kicks alone already traps the network in one
// state and stops all switching, which would hide the other direction.
// Cut reports the overall transition-rate cut when the kick set is
// silenced.
func FindKickNeurons(net *rnn.Net, opt KickOptions) (*KickResult, error) {
	if net == nil {
		return nil, errors.New("dynamics: nil network")
	}
	opt.defaults()
	if opt.Score != ScorePrevention && opt.Score != ScoreAttribution {
		return nil, fmt.Errorf("dynamics: unknown kick score %v", opt.Score)
	}
	for _, v := range []struct {
		name string
		v    float64
	}{{"MinCut", opt.MinCut}, {"Keep", opt.Keep}, {"MaxFraction", opt.MaxFraction}, {"MinRate", opt.MinRate}} {
		if !(v.v <= 1) {
			return nil, fmt.Errorf("dynamics: kick option %s = %v, want a fraction in (0, 1]", v.name, v.v)
		}
	}
	run, err := ReferenceRun(net, opt.Sigma, opt.Seed, opt.Steps)
	if err != nil {
		return nil, err
	}
	H := net.H
	res := &KickResult{Seed: opt.Seed, Sigma: opt.Sigma, Steps: opt.Steps, Score: opt.Score.String(),
		Events: map[string]int{}, Mode: opt.Mode.String()}
	dirs, perDir, err := kickCandidates(net, run, opt, res.Events)
	if err != nil {
		return nil, err
	}
	// sel chooses the groups; check, on independent noise, measures the
	// cuts reported (a cut chosen as the best of many trials is biased up).
	sel, err := newHazardCut(net, opt, streamKickEval, run)
	if err != nil {
		return nil, err
	}
	check, err := newHazardCut(net, opt, streamKickCheck, run)
	if err != nil {
		return nil, err
	}
	res.BaseRate = sel.ev.Base
	perCap := max(1, int(opt.MaxFraction*float64(H)))
	inKick := map[int]bool{}
	for di := range dirs {
		dc := &dirs[di]
		cands := perDir[di]
		if dc.Status != "" {
			continue
		}
		if len(cands) > perCap {
			cands = cands[:perCap]
		}
		res.Candidates = append(res.Candidates, cands...)
		set := make([]int, 0, len(cands))
		best, bestAt := math.Inf(-1), 0
		for k, c := range cands {
			set = append(set, c.Neuron)
			cu, err := sel.cut(dc.Direction, set)
			if err != nil {
				return nil, err
			}
			dc.PrefixCut = append(dc.PrefixCut, cu)
			if cu > best {
				best, bestAt = cu, k
			}
		}
		dc.BestCut = math.Max(0, best)
		if best < opt.MinCut {
			dc.Status = KickNone
			continue
		}
		goal := math.Max(opt.MinCut, opt.Keep*best)
		n := 0
		for dc.PrefixCut[n] < goal {
			n++
		}
		kept := append([]int(nil), set[:n+1]...)
		// cands is sorted by decreasing score: try dropping from the end.
		for k := n; k >= 0 && len(kept) > 1; k-- {
			trial := make([]int, 0, len(kept)-1)
			for _, x := range kept {
				if x != set[k] {
					trial = append(trial, x)
				}
			}
			cu, err := sel.cut(dc.Direction, trial)
			if err != nil {
				return nil, err
			}
			if cu >= goal {
				kept = trial
			}
		}
		// Confirm on independent noise: the pruned group if it holds the
		// goal there, else the better of it and the best prefix if that
		// holds MinCut; else no group.
		var group []int
		for _, try := range [][]int{kept, set[:bestAt+1]} {
			cu, err := check.cut(dc.Direction, try)
			if err != nil {
				return nil, err
			}
			if cu > dc.Cut || group == nil {
				group, dc.Cut = try, cu
			}
			if cu >= goal {
				break
			}
		}
		if dc.Cut < opt.MinCut {
			group = nil
		}
		group = append([]int(nil), group...)
		if len(group) == 0 {
			dc.Status = KickNone
			continue
		}
		sort.Ints(group)
		dc.Status = KickFound
		res.Groups = append(res.Groups, KickGroup{Direction: dc.Direction, Neurons: group})
		for _, k := range group {
			inKick[k] = true
		}
	}
	for k := range inKick {
		res.Neurons = append(res.Neurons, k)
	}
	sort.Ints(res.Neurons)
	// Controls: random sets of each group's size outside the kick set,
	// measured like the group's cut.
	pool := activeNonMembers(run, res.Neurons, 0.01)
	cr := rand.New(rand.NewPCG(opt.Seed, streamKickControls))
	for di := range dirs {
		dc := &dirs[di]
		if dc.Status != KickFound || opt.Controls < 0 {
			continue
		}
		size := 0
		for _, g := range res.Groups {
			if g.Direction == dc.Direction {
				size = len(g.Neurons)
			}
		}
		if len(pool) < size {
			continue
		}
		cuts := make([]float64, opt.Controls)
		for k := range cuts {
			perm := cr.Perm(len(pool))
			set := make([]int, size)
			for i := range set {
				set[i] = pool[perm[i]]
			}
			if cuts[k], err = check.cut(dc.Direction, set); err != nil {
				return nil, err
			}
			dc.ControlCutMax = math.Max(dc.ControlCutMax, cuts[k])
		}
		dc.ControlCut = median(cuts)
	}
	res.Directions = dirs
	if len(res.Neurons) > 0 {
		rate, err := sel.ev.Rate(res.Neurons, 0, opt.Mode)
		if err != nil {
			return nil, err
		}
		if sel.ev.Base > 0 {
			res.Cut = 1 - rate/sel.ev.Base
		}
	}
	return res, nil
}

// hazardCut measures per-direction hazard cuts with one RateEval's common
// random numbers (FindKickNeurons step 2).
type hazardCut struct {
	ev   *RateEval
	base [][]float64 // hazards without intervention
	mode Mode
}

func newHazardCut(net *rnn.Net, opt KickOptions, stream uint64, run *Run) (*hazardCut, error) {
	ev, err := NewRateEval(net, opt.Sigma, streamSeed(opt.Seed, stream), run, opt.Eval)
	if err != nil {
		return nil, err
	}
	runs, err := ev.Outputs(Intervention{})
	if err != nil {
		return nil, err
	}
	return &hazardCut{ev: ev, base: Hazards(net.O, runs...), mode: opt.Mode}, nil
}

// cut is 1 - hazard_d(set silenced)/hazard_d(none); 0 when the direction
// never switches without intervention.
func (h *hazardCut) cut(d Direction, set []int) (float64, error) {
	iv, err := Scale(h.ev.Net.H, set, 0, h.mode)
	if err != nil {
		return 0, err
	}
	runs, err := h.ev.Outputs(iv)
	if err != nil {
		return 0, err
	}
	base := h.base[d.From][d.To]
	hz := Hazards(h.ev.Net.O, runs...)[d.From][d.To]
	if math.IsNaN(hz) || math.IsNaN(base) || base == 0 {
		return 0, nil
	}
	return 1 - hz/base, nil
}

// median returns the median of v (sorted in place); 0 for none.
func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	sort.Float64s(v)
	m := len(v) / 2
	if len(v)%2 == 1 {
		return v[m]
	}
	return (v[m-1] + v[m]) / 2
}

// kickCandidates implements step 1 of FindKickNeurons. It returns one
// entry per direction that switched on the run (ordered by direction),
// with Status set to KickRare or KickFew when the direction is not
// analysed, and, aligned with it, each analysed direction's candidates by
// decreasing score.
func kickCandidates(net *rnn.Net, run *Run, opt KickOptions, counts map[string]int) ([]DirectionCut, [][]KickCandidate, error) {
	H, T, O := run.H, run.T, run.O
	mean := make([]float64, H)
	sd := make([]float64, H)
	for t := 0; t < T; t++ {
		for i, v := range run.State(t) {
			mean[i] += v / float64(T)
		}
	}
	for t := 0; t < T; t++ {
		for i, v := range run.State(t) {
			d := v - mean[i]
			sd[i] += d * d / float64(T)
		}
	}
	for i := range sd {
		sd[i] = math.Sqrt(sd[i])
	}
	// Every switch counts for the rate; dwell-filtered ones time candidates.
	switches := make([]int, O*O)
	for t := 1; t < T; t++ {
		if a, b := run.Out[t-1], run.Out[t]; a != b {
			switches[int(a)*O+int(b)]++
		}
	}
	byDir := map[Direction][]int{}
	for _, e := range Events(run.Out, opt.MinDwell) {
		if e.T <= opt.Window {
			continue
		}
		d := Direction{e.From, e.To}
		byDir[d] = append(byDir[d], e.T)
	}
	var dirs []DirectionCut
	var used []int // indices into dirs of the analysed directions
	for a := 0; a < O; a++ {
		for b := 0; b < O; b++ {
			d := Direction{uint8(a), uint8(b)}
			if len(byDir[d]) > 0 {
				counts[d.String()] = len(byDir[d])
			}
			if a == b || switches[a*O+b] == 0 {
				continue
			}
			dc := DirectionCut{Direction: d, Rate: float64(switches[a*O+b]) / float64(max(1, T-1)), Events: len(byDir[d])}
			switch {
			case dc.Rate < opt.MinRate:
				dc.Status = KickRare
			case dc.Events < opt.MinEvents:
				dc.Status = KickFew
			default:
				used = append(used, len(dirs))
			}
			dirs = append(dirs, dc)
		}
	}
	perDir := make([][]KickCandidate, len(dirs))
	if len(used) == 0 {
		return dirs, perDir, nil
	}
	// z[k][i]: mean pre-switch z-score; att[k][i]: mean attribution, for
	// the k-th analysed direction.
	z := make([][]float64, len(used))
	att := make([][]float64, len(used))
	g := make([]float64, H)
	gp := make([]float64, H)
	for k, di := range used {
		d := dirs[di].Direction
		z[k] = make([]float64, H)
		att[k] = make([]float64, H)
		ts := byDir[d]
		for _, t := range ts {
			// g = d(l_to - l_from)(h_t)/dh_t, then back through the steps.
			for i := range g {
				g[i] = net.Wout[int(d.To)*H+i] - net.Wout[int(d.From)*H+i]
			}
			for w := 1; w <= opt.Window; w++ {
				// dh_{s+1}/dh_s = diag(h_{s+1} > 0) W_hh, s = t - w.
				clear(gp)
				addGatedWhhT(gp, net, run.State(t-w+1), g)
				g, gp = gp, g
				hs := run.State(t - w)
				for i, v := range hs {
					att[k][i] += v * g[i]
					if sd[i] > 0 {
						z[k][i] += (v - mean[i]) / sd[i]
					}
				}
			}
		}
		for i := 0; i < H; i++ {
			z[k][i] /= float64(len(ts) * opt.Window)
			att[k][i] /= float64(len(ts))
		}
	}
	var prev [][]float64
	if opt.Score == ScorePrevention {
		// Causal timing: replay the switches with each neuron silenced.
		ds := make([]Direction, len(used))
		var evs []Event
		for k, di := range used {
			d := dirs[di].Direction
			ds[k] = d
			for _, t := range byDir[d] {
				evs = append(evs, Event{T: t, From: d.From, To: d.To})
			}
		}
		var err error
		if prev, err = Prevention(net, run, ds, evs, opt.Window, opt.Lag, opt.ReplayEvents, opt.Mode); err != nil {
			return nil, nil, err
		}
	}
	for k, di := range used {
		var c []KickCandidate
		for i := 0; i < H; i++ {
			kc := KickCandidate{Neuron: i, Direction: dirs[di].Direction, Z: finiteOr0(z[k][i]), Attribution: finiteOr0(att[k][i])}
			if prev != nil {
				kc.Prevented = prev[k][i]
				if kc.Prevented <= 0 {
					continue
				}
			} else if kc.Attribution <= 0 || kc.Z < opt.MinZ {
				continue
			}
			c = append(c, kc)
		}
		sort.SliceStable(c, func(a, b int) bool {
			if c[a].Prevented != c[b].Prevented {
				return c[a].Prevented > c[b].Prevented
			}
			return c[a].Attribution > c[b].Attribution
		})
		perDir[di] = c
		if len(c) == 0 {
			dirs[di].Status = KickNone
		}
	}
	return dirs, perDir, nil
}

// IntegratingPopulations ranks, for each kick group, the other neurons j by
// their mean weight onto the group, mean over k in the group of W_hh[k, j]
// (the kick neurons' rows of W_hh, core/METHOD.md section 5.7), and returns the top `size`
// with a positive score per group (default IntegratingSize = 35). This is
// our reading of the authors' hand procedure: the neurons whose activity
// drives the kick neurons, i.e. that integrate the noise up to a kick.
func IntegratingPopulations(net *rnn.Net, groups []KickGroup, size int) ([][]int, error) {
	if net == nil {
		return nil, errors.New("dynamics: nil network")
	}
	if size <= 0 {
		size = IntegratingSize
	}
	H := net.H
	kick := map[int]bool{}
	for _, g := range groups {
		for _, k := range g.Neurons {
			if k < 0 || k >= H {
				return nil, fmt.Errorf("dynamics: kick neuron %d out of range [0, %d)", k, H)
			}
			kick[k] = true
		}
	}
	out := make([][]int, len(groups))
	for gi, g := range groups {
		type sc struct {
			j int
			s float64
		}
		var all []sc
		for j := 0; j < H; j++ {
			if kick[j] || len(g.Neurons) == 0 {
				continue
			}
			var s float64
			for _, k := range g.Neurons {
				s += net.Whh[k*H+j]
			}
			s /= float64(len(g.Neurons))
			if s > 0 {
				all = append(all, sc{j, s})
			}
		}
		sort.SliceStable(all, func(a, b int) bool { return all[a].s > all[b].s })
		for k := 0; k < len(all) && k < size; k++ {
			out[gi] = append(out[gi], all[k].j)
		}
		sort.Ints(out[gi])
	}
	return out, nil
}

// Block is the mean and the size of a submatrix W_hh[to, from].
type Block struct {
	To   string  `json:"to"`
	From string  `json:"from"`
	Mean float64 `json:"mean"`
	Rows int     `json:"rows"`
	Cols int     `json:"cols"`
}

// Blocks returns the mean weight of W_hh between every ordered pair of named
// neuron groups (to <- from), e.g. kick<->kick, kick<->integrating,
// integrating<->integrating (core/METHOD.md section 5.7).
func Blocks(net *rnn.Net, names []string, groups [][]int) []Block {
	H := net.H
	var out []Block
	for a, to := range groups {
		for b, from := range groups {
			bl := Block{To: names[a], From: names[b], Rows: len(to), Cols: len(from)}
			for _, i := range to {
				for _, j := range from {
					bl.Mean += net.Whh[i*H+j]
				}
			}
			if n := len(to) * len(from); n > 0 {
				bl.Mean /= float64(n)
			}
			out = append(out, bl)
		}
	}
	return out
}

// GroupActivity returns, for each group, the mean activity of its neurons
// at every step of run[t0:t1] (len(groups) x (t1-t0)).
func GroupActivity(run *Run, groups [][]int, t0, t1 int) [][]float64 {
	t0, t1 = max(0, t0), min(run.T, t1)
	out := make([][]float64, len(groups))
	for g, idx := range groups {
		out[g] = make([]float64, max(0, t1-t0))
		if len(idx) == 0 {
			continue
		}
		for t := t0; t < t1; t++ {
			h := run.State(t)
			var s float64
			for _, i := range idx {
				s += h[i]
			}
			out[g][t-t0] = s / float64(len(idx))
		}
	}
	return out
}

// Prevention replays the switches of the run with each neuron silenced in
// turn and returns, per direction (in the order of dirs) and neuron, the
// fraction of that direction's switches that no longer happen: the state
// Window+1 steps before the switch is continued with the noise the run
// actually received, neuron i silenced (mu = 0 in mode), and the switch
// counts as prevented when the output is not the new one at any of the
// steps t..t+lag. The unperturbed replay reproduces every switch exactly,
// so this measures what the neuron's activity just before a switch does
// for it. At most maxEvents switches per direction are replayed (evenly
// spaced). run must have kept its noise.
func Prevention(net *rnn.Net, run *Run, dirs []Direction, events []Event, window, lag, maxEvents int, mode Mode) ([][]float64, error) {
	if run.Noise == nil {
		return nil, errors.New("dynamics: prevention needs a run that kept its noise")
	}
	H, D, O := net.H, net.D, net.O
	span := window + 1 + lag
	type ev struct {
		t  int
		to uint8
		d  int
	}
	var evs []ev
	for di, d := range dirs {
		var ts []int
		for _, e := range events {
			if e.From == d.From && e.To == d.To && e.T-window-2 >= 0 && e.T+lag < run.T {
				ts = append(ts, e.T)
			}
		}
		for _, t := range spreadInts(ts, maxEvents) {
			evs = append(evs, ev{t, d.To, di})
		}
	}
	out := make([][]float64, len(dirs))
	for di := range out {
		out[di] = make([]float64, H)
	}
	B := len(evs)
	if B == 0 {
		return out, nil
	}
	count := make([]float64, len(dirs))
	for _, e := range evs {
		count[e.d]++
	}
	// Start states and the recorded noise input W_in x, step by step.
	h0 := make([]float64, B*H)
	inp := make([]float64, span*B*H)
	x := make([]float64, B*D)
	for b, e := range evs {
		copy(h0[b*H:], run.State(e.t-window-2))
	}
	for k := 0; k < span; k++ {
		for b, e := range evs {
			s := e.t - window - 1 + k
			copy(x[b*D:(b+1)*D], run.Noise[s*D:(s+1)*D])
		}
		mulT(inp[k*B*H:(k+1)*B*H], x, net.Win, B, D, H)
	}
	h := make([]float64, B*H)
	next := make([]float64, B*H)
	lg := make([]float64, B*O)
	hit := make([]bool, B)
	for i := 0; i < H; i++ {
		iv, err := Scale(H, []int{i}, 0, mode)
		if err != nil {
			return nil, err
		}
		sim, err := NewSim(net, 1, iv)
		if err != nil {
			return nil, err
		}
		copy(h, h0)
		for b := range hit {
			hit[b] = false
		}
		for k := 0; k < span; k++ {
			sim.stepInp(next, h, B, inp[k*B*H:(k+1)*B*H])
			h, next = next, h
			if k < window+1 {
				continue
			}
			logits(lg, h, net, B)
			for b, e := range evs {
				if Argmax(lg[b*O:(b+1)*O]) == int(e.to) {
					hit[b] = true
				}
			}
		}
		for b, e := range evs {
			if !hit[b] {
				out[e.d][i] += 1 / count[e.d]
			}
		}
	}
	return out, nil
}

func spreadInts(idx []int, m int) []int {
	if m <= 0 || len(idx) <= m {
		return idx
	}
	out := make([]int, m)
	for k := range out {
		out[k] = idx[k*len(idx)/m]
	}
	return out
}

// finiteOr0 is x, or 0 when x is NaN or infinite: the first-order scores of
// a reference run whose activity overflows (a network that grows out of
// range over the long run) carry no ranking information, and a report or a
// page message must stay valid JSON.
func finiteOr0(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return 0
	}
	return x
}
