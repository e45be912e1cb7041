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

// KickOptions tune FindKickNeurons; zero fields take the defaults below.
type KickOptions struct {
	// Window is how many steps before a switch count as "just before"
	// (default 3) and MinDwell the dwell filter of Events (default 3).
	Window, MinDwell int
	// Lag is how many steps after the original switch time a replayed
	// switch may still happen (default 2); ReplayEvents caps the switches
	// replayed per direction (default 60).
	Lag, ReplayEvents int
	// MinZ is the minimum pre-switch z-score of a candidate (default 0.5).
	MinZ float64
	// MinEvents is the minimum number of switches of a direction for it to
	// be analysed (default 5).
	MinEvents int
	// MaxFraction caps the set at this fraction of the neurons (default
	// MaxKickFraction = 0.1).
	MaxFraction float64
	// Keep is the fraction of the best cut a smaller set must retain
	// (default 0.9) and MinCut the smallest best cut for a direction to get
	// kick neurons (default 0.5).
	Keep, MinCut float64
	// Mode is how candidates are silenced (mu = 0); default Both, which
	// makes the neuron's output zero.
	Mode Mode
	// ModeSet marks Mode as given (Mode's zero value is Recurrent).
	ModeSet bool
	// Eval sets how transition rates are measured.
	Eval RateOptions
}

func (o *KickOptions) defaults() {
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
	if o.MinEvents <= 0 {
		o.MinEvents = 5
	}
	if o.MaxFraction <= 0 {
		o.MaxFraction = MaxKickFraction
	}
	if o.Keep <= 0 {
		o.Keep = 0.9
	}
	if o.MinCut <= 0 {
		o.MinCut = 0.5
	}
	if !o.ModeSet {
		o.Mode = Both
	}
}

// KickCandidate is a neuron's pre-switch firing for its preferred direction.
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
	// happen when the neuron is silenced just before them (Prevention).
	Prevented float64 `json:"prevented"`
}

// KickResult is the automatic kick-neuron detection.
type KickResult struct {
	// Neurons is the kick set (0-based, ascending).
	Neurons []int `json:"neurons"`
	// Groups maps each direction to its kick neurons.
	Groups []KickGroup `json:"groups"`
	// Candidates lists the direction-selective candidates that were tried,
	// direction by direction, by decreasing score.
	Candidates []KickCandidate `json:"candidates"`
	// Directions holds each analysed direction's hazard cuts.
	Directions []DirectionCut `json:"directions"`
	// Events is the number of dwell-filtered switches per direction.
	Events map[string]int `json:"events"`
	// BaseRate is the transition rate without intervention and Cut the
	// overall cut 1 - rate/BaseRate with the whole kick set silenced.
	BaseRate float64 `json:"base_rate"`
	Cut      float64 `json:"cut"`
	Mode     string  `json:"mode"`
}

// DirectionCut records the causal step of the detection for one direction.
type DirectionCut struct {
	Direction Direction `json:"direction"`
	// PrefixCut[k] is the hazard cut with the direction's first k+1
	// candidates silenced; Cut that of the final group (0 if none).
	PrefixCut []float64 `json:"prefix_cut"`
	Cut       float64   `json:"cut"`
}

// KickGroup is the kick neurons of one direction.
type KickGroup struct {
	Direction Direction `json:"direction"`
	Neurons   []int     `json:"neurons"`
}

// FindKickNeurons detects kick neurons automatically (METHOD 5.7; the paper
// picked them by hand). The criterion combines when a neuron fires with
// what silencing it does:
//
//  1. Timing, direction and drive. On the noise-driven run, every
//     dwell-filtered switch a->b (Events) is a transition of direction
//     a->b. When the run kept its noise, each neuron is silenced in turn
//     from Window+1 steps before each switch, with the run's own noise
//     replayed (Prevention): the fraction of the direction's switches that
//     then fail to happen within Lag steps measures how much the neuron's
//     firing just before the switch initiates it. A neuron is a candidate
//     for the direction where this fraction is largest, if it is > 0 and
//     larger than for every other direction (direction-selective).
//     Without stored noise the first-order Attribution stands in for it
//     (candidates need Z >= MinZ and Attribution > 0). Z and Attribution
//     are reported for every candidate. Each direction keeps its
//     MaxFraction*H/(number of directions) best candidates.
//  2. Cause. With common random numbers (the same start states and noise
//     for every condition), the cut of a set S for direction a->b is
//     1 - hazard_ab(S silenced)/hazard_ab(none), where hazard_ab is the
//     number of a->b switches per step spent in a (Hazards), and S is
//     silenced by mu = 0 in Mode. Per direction, the group is the shortest
//     prefix of its candidates (best first) whose cut reaches Keep
//     times the best cut of any prefix; then, from the weakest candidate up,
//     members whose removal keeps the cut >= Keep * best are dropped (so
//     redundant neurons go, but one of a redundant pair stays). A direction
//     whose best cut is below MinCut gets no kick neurons.
//
// Using per-direction hazards rather than the overall rate matters:
// silencing one direction's kicks alone already traps the network in one
// state and stops all switching, which would hide the other direction.
// The kick set is the union of the groups; Cut reports the overall
// transition-rate cut when all of it is silenced.
//
// run is a long noise-driven run (its Out drives the timing), sim its
// simulator (noise level, no intervention).
func FindKickNeurons(sim *Sim, r *rand.Rand, run *Run, opt KickOptions) (*KickResult, error) {
	if sim == nil || run == nil {
		return nil, errors.New("dynamics: nil simulator or run")
	}
	if r == nil {
		return nil, errors.New("dynamics: nil random source")
	}
	opt.defaults()
	net := sim.Net
	H, O := net.H, net.O
	if run.H != H {
		return nil, fmt.Errorf("dynamics: run has H = %d, network %d", run.H, H)
	}
	res := &KickResult{Events: map[string]int{}, Mode: opt.Mode.String()}
	perDir := kickCandidates(net, run, opt, res.Events)
	if len(perDir) == 0 {
		return res, nil
	}
	perCap := max(1, int(opt.MaxFraction*float64(H))/len(perDir))
	ev, err := NewRateEval(net, sim.Sigma, r.Uint64(), run, opt.Eval)
	if err != nil {
		return nil, err
	}
	res.BaseRate = ev.Base
	baseRuns, err := ev.Runs(Intervention{})
	if err != nil {
		return nil, err
	}
	baseHz := Hazards(O, baseRuns...)
	var all []int
	for _, cands := range perDir {
		if len(cands) > perCap {
			cands = cands[:perCap]
		}
		d := cands[0].Direction
		res.Candidates = append(res.Candidates, cands...)
		base := baseHz[d.From][d.To]
		cut := func(set []int) (float64, error) {
			iv, err := Scale(H, set, 0, opt.Mode)
			if err != nil {
				return 0, err
			}
			runs, err := ev.Runs(iv)
			if err != nil {
				return 0, err
			}
			hz := Hazards(O, runs...)[d.From][d.To]
			if math.IsNaN(hz) || math.IsNaN(base) || base == 0 {
				return 0, nil
			}
			return 1 - hz/base, nil
		}
		dc := DirectionCut{Direction: d}
		set := make([]int, 0, len(cands))
		best := math.Inf(-1)
		for _, c := range cands {
			set = append(set, c.Neuron)
			cu, err := cut(set)
			if err != nil {
				return nil, err
			}
			dc.PrefixCut = append(dc.PrefixCut, cu)
			best = math.Max(best, cu)
		}
		if best < opt.MinCut {
			res.Directions = append(res.Directions, dc)
			continue
		}
		goal := opt.Keep * best
		n := 0
		for dc.PrefixCut[n] < goal {
			n++
		}
		kept := append([]int(nil), set[:n+1]...)
		dc.Cut = dc.PrefixCut[n]
		// cands is sorted by decreasing score: try dropping from the end.
		for k := n; k >= 0 && len(kept) > 1; k-- {
			drop := set[k]
			trial := make([]int, 0, len(kept)-1)
			for _, x := range kept {
				if x != drop {
					trial = append(trial, x)
				}
			}
			cu, err := cut(trial)
			if err != nil {
				return nil, err
			}
			if cu >= goal {
				kept, dc.Cut = trial, cu
			}
		}
		sort.Ints(kept)
		res.Groups = append(res.Groups, KickGroup{Direction: d, Neurons: kept})
		res.Directions = append(res.Directions, dc)
		all = append(all, kept...)
	}
	sort.Ints(all)
	res.Neurons = all
	if len(all) > 0 {
		rate, err := ev.Rate(all, 0, opt.Mode)
		if err != nil {
			return nil, err
		}
		if ev.Base > 0 {
			res.Cut = 1 - rate/ev.Base
		}
	}
	return res, nil
}

// kickCandidates implements step 1 of FindKickNeurons: per direction (in
// order of direction), its candidates by decreasing attribution.
func kickCandidates(net *rnn.Net, run *Run, opt KickOptions, counts map[string]int) [][]KickCandidate {
	H, T := run.H, run.T
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
	byDir := map[Direction][]int{}
	var dirs []Direction
	for _, e := range Events(run.Out, opt.MinDwell) {
		if e.T <= opt.Window {
			continue
		}
		d := Direction{e.From, e.To}
		if _, ok := byDir[d]; !ok {
			dirs = append(dirs, d)
		}
		byDir[d] = append(byDir[d], e.T)
	}
	sort.Slice(dirs, func(i, j int) bool {
		if dirs[i].From != dirs[j].From {
			return dirs[i].From < dirs[j].From
		}
		return dirs[i].To < dirs[j].To
	})
	var used []Direction
	for _, d := range dirs {
		counts[d.String()] = len(byDir[d])
		if len(byDir[d]) >= opt.MinEvents {
			used = append(used, d)
		}
	}
	if len(used) == 0 {
		return nil
	}
	// z[d][i]: mean pre-switch z-score; att[d][i]: mean attribution.
	z := make([][]float64, len(used))
	att := make([][]float64, len(used))
	g := make([]float64, H)
	gp := make([]float64, H)
	for di, d := range used {
		z[di] = make([]float64, H)
		att[di] = make([]float64, H)
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
					att[di][i] += v * g[i]
					if sd[i] > 0 {
						z[di][i] += (v - mean[i]) / sd[i]
					}
				}
			}
		}
		for i := 0; i < H; i++ {
			z[di][i] /= float64(len(ts) * opt.Window)
			att[di][i] /= float64(len(ts))
		}
	}
	// Causal timing: replay the switches with each neuron silenced.
	var prev [][]float64
	if run.Noise != nil {
		var evs []Event
		for _, d := range used {
			for _, t := range byDir[d] {
				evs = append(evs, Event{T: t, From: d.From, To: d.To})
			}
		}
		var err error
		prev, err = Prevention(net, run, used, evs, opt.Window, opt.Lag, opt.ReplayEvents, opt.Mode)
		if err != nil {
			prev = nil
		}
	}
	perDir := make([][]KickCandidate, len(used))
	for i := 0; i < H; i++ {
		best := -1
		score := func(di int) float64 {
			if prev != nil {
				return prev[di][i]
			}
			return att[di][i]
		}
		for di := range used {
			if score(di) <= 0 || (prev == nil && z[di][i] < opt.MinZ) {
				continue
			}
			selective := true
			for dj := range used {
				if dj != di && score(dj) >= score(di) {
					selective = false
				}
			}
			if selective && (best < 0 || score(di) > score(best)) {
				best = di
			}
		}
		if best < 0 {
			continue
		}
		c := KickCandidate{Neuron: i, Direction: used[best], Z: z[best][i], Attribution: att[best][i]}
		if prev != nil {
			c.Prevented = prev[best][i]
		}
		perDir[best] = append(perDir[best], c)
	}
	var out [][]KickCandidate
	for _, c := range perDir {
		if len(c) == 0 {
			continue
		}
		sort.SliceStable(c, func(a, b int) bool {
			if c[a].Prevented != c[b].Prevented {
				return c[a].Prevented > c[b].Prevented
			}
			return c[a].Attribution > c[b].Attribution
		})
		out = append(out, c)
	}
	return out
}

// IntegratingPopulations ranks, for each kick group, the other neurons j by
// their mean weight onto the group, mean over k in the group of W_hh[k, j]
// (the kick neurons' rows of W_hh, METHOD 5.7), and returns the top `size`
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
// integrating<->integrating (METHOD 5.7).
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
				if argmax(lg[b*O:(b+1)*O]) == int(e.to) {
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
