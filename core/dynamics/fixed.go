package dynamics

import (
	"errors"
	"fmt"
	"math"
	"sort"

	"hmmrnn/core/rnn"
)

// Collapse is the paper's input-free test (core/METHOD.md section 5.2): runs without input
// from states on the noise-driven run, and where they end.
type Collapse struct {
	Runs  int `json:"runs"`
	Steps int `json:"steps"`
	// Endpoints is the number of distinct end states (within EndTol); a
	// single one means every trajectory collapses to one fixed point.
	Endpoints int     `json:"endpoints"`
	EndTol    float64 `json:"end_tolerance"`
	// FixedPoint is the mean end state when Endpoints == 1 (the origin for
	// trained networks without biases: core/METHOD.md section 3 pitfalls).
	FixedPoint     []float64 `json:"fixed_point"`
	FixedPointNorm float64   `json:"fixed_point_norm"`
	// MeanStartNorm and MeanEndNorm are mean |h| at the start and the end.
	MeanStartNorm float64 `json:"mean_start_norm"`
	MeanEndNorm   float64 `json:"mean_end_norm"`
	// Decay20 is the median of |h_20| / |h_0| over runs (core/METHOD.md section 3: about 1/50
	// in trained networks).
	Decay20 float64 `json:"decay_20"`
	// Rate is the asymptotic per-step contraction |h_{t+1}|/|h_t| over the
	// last steps of the runs that had not reached zero (0 if all did).
	Rate float64 `json:"asymptotic_rate"`
	// LogNorm is the mean over runs of log10 |h_t| for t = 0..Steps (runs
	// that reach exactly zero count as log10 of the smallest float).
	LogNorm []float64 `json:"log10_norm"`
	// Direction is the unit direction of approach of the slowest-decaying
	// run (nil if every run reached exactly zero); its activation pattern
	// gives the Jacobian at the origin along the approach.
	Direction []float64 `json:"-"`
	// Trajectories keeps the first few runs (for the figure).
	Trajectories []*Run `json:"-"`
}

// keptCollapseRuns is how many input-free trajectories Collapse keeps for
// plotting.
const keptCollapseRuns = 10

// RunCollapse runs `runs` input-free trajectories of `steps` steps from the
// given start states (n x H, row-major), under the intervention iv.
func RunCollapse(net *rnn.Net, starts []float64, runs, steps int, iv Intervention) (*Collapse, error) {
	s, err := NewSim(net, 0, iv)
	if err != nil {
		return nil, err
	}
	H := net.H
	if runs <= 0 || steps <= 0 {
		return nil, fmt.Errorf("dynamics: collapse needs runs > 0 and steps > 0, got %d, %d", runs, steps)
	}
	if len(starts) != runs*H {
		return nil, fmt.Errorf("dynamics: collapse has %d start values, want %d x %d", len(starts), runs, H)
	}
	c := &Collapse{Runs: runs, Steps: steps, LogNorm: make([]float64, steps+1)}
	h := append([]float64(nil), starts...)
	next := make([]float64, runs*H)
	norms0 := make([]float64, runs)
	ratio20 := make([]float64, 0, runs)
	logn := func(t int, h []float64) {
		for b := 0; b < runs; b++ {
			nb := norm(h[b*H : (b+1)*H])
			c.LogNorm[t] += math.Log10(math.Max(nb, math.SmallestNonzeroFloat64)) / float64(runs)
			switch t {
			case 0:
				norms0[b] = nb
				c.MeanStartNorm += nb / float64(runs)
			case 20:
				if norms0[b] > 0 {
					ratio20 = append(ratio20, nb/norms0[b])
				}
			}
		}
	}
	logn(0, h)
	keep := min(runs, keptCollapseRuns)
	for b := 0; b < keep; b++ {
		c.Trajectories = append(c.Trajectories, &Run{T: steps, H: H, O: net.O, States: make([]float64, steps*H)})
	}
	prevNorm := make([]float64, runs)
	for t := 1; t <= steps; t++ {
		if t == steps {
			for b := 0; b < runs; b++ {
				prevNorm[b] = norm(h[b*H : (b+1)*H])
			}
		}
		s.step(next, h, runs, nil)
		h, next = next, h
		logn(t, h)
		for b := 0; b < keep; b++ {
			copy(c.Trajectories[b].States[(t-1)*H:t*H], h[b*H:(b+1)*H])
		}
	}
	if len(ratio20) > 0 {
		sort.Float64s(ratio20)
		c.Decay20 = ratio20[len(ratio20)/2]
	}
	// Asymptotic rate and direction from the slowest run still above zero.
	best := -1.0
	for b := 0; b < runs; b++ {
		hb := h[b*H : (b+1)*H]
		nb := norm(hb)
		c.MeanEndNorm += nb / float64(runs)
		if nb > 0 && prevNorm[b] > 0 {
			if r := nb / prevNorm[b]; r > best {
				best = r
				c.Rate = r
				c.Direction = scaled(hb, 1/nb)
			}
		}
	}
	c.EndTol = endTol(c.MeanStartNorm)
	c.Endpoints = endpoints(h, runs, H, c.EndTol)
	if c.Endpoints == 1 {
		c.FixedPoint = make([]float64, H)
		for b := 0; b < runs; b++ {
			for i := 0; i < H; i++ {
				c.FixedPoint[i] += h[b*H+i] / float64(runs)
			}
		}
		c.FixedPointNorm = norm(c.FixedPoint)
	}
	return c, nil
}

// endTol is the distance within which two end states count as one: 1e-6
// of the mean start norm.
func endTol(startNorm float64) float64 { return 1e-6*startNorm + 1e-300 }

// endpoints counts the distinct states among the runs rows of h (runs x H)
// by greedy clustering within tol.
func endpoints(h []float64, runs, H int, tol float64) int {
	var centers [][]float64
	for b := 0; b < runs; b++ {
		hb := h[b*H : (b+1)*H]
		found := false
		for _, ctr := range centers {
			if dist(ctr, hb) <= tol {
				found = true
				break
			}
		}
		if !found {
			centers = append(centers, hb)
		}
	}
	return len(centers)
}

// collapseCheckEvery is how often CollapsesToOne looks for a single end
// state: clustering costs about as much as a few steps.
const collapseCheckEvery = 25

// CollapsesToOne reports whether input-free runs from the given start
// states (runs x H) all end at one state within maxSteps steps, with
// RunCollapse's tolerance: RunCollapse's Endpoints == 1 without its
// figures, stopping as soon as the runs have met (the paper's networks
// within a few dozen steps), so a slowly contracting network costs
// maxSteps steps and a fast one a few.
func CollapsesToOne(net *rnn.Net, starts []float64, runs, maxSteps int) (bool, error) {
	s, err := NewSim(net, 0, Intervention{})
	if err != nil {
		return false, err
	}
	H := net.H
	if runs <= 0 || maxSteps <= 0 || len(starts) != runs*H {
		return false, fmt.Errorf("dynamics: collapse test needs runs > 0, steps > 0 and runs x H start values, got %d, %d, %d", runs, maxSteps, len(starts))
	}
	var startNorm float64
	for b := 0; b < runs; b++ {
		startNorm += norm(starts[b*H:(b+1)*H]) / float64(runs)
	}
	tol := endTol(startNorm)
	h := append([]float64(nil), starts...)
	next := make([]float64, runs*H)
	for t := 1; t <= maxSteps; t++ {
		s.step(next, h, runs, nil)
		h, next = next, h
		if (t%collapseCheckEvery == 0 || t == maxSteps) && endpoints(h, runs, H, tol) == 1 {
			return true, nil
		}
	}
	return false, nil
}

func scaled(v []float64, a float64) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = a * x
	}
	return out
}

func dist(a, b []float64) float64 {
	var s float64
	for i, v := range a {
		d := v - b[i]
		s += d * d
	}
	return math.Sqrt(s)
}

// FixedPoint is a solution of the fixed-point search.
type FixedPoint struct {
	// Kind is "origin" (h = 0), "fixed" (a non-zero fixed point; without
	// biases these come as whole rays c*h, c > 0) or "slow" (a direction
	// along which the map moves least).
	Kind string `json:"kind"`
	// State is h for "fixed" and the unit direction for "slow" and
	// "origin" (the direction along which trajectories approach 0, when
	// known; else zeros).
	State []float64 `json:"state"`
	// Speed is |relu(W_hh h) - h| / |h| (relative step length; 0 for exact
	// fixed points, undefined and 0 for the origin).
	Speed float64 `json:"speed"`
	// Q is q(h) = |relu(W_hh h) - h|^2 / 2 at State.
	Q float64 `json:"q"`
	// Starts is how many starting points converged here.
	Starts   int      `json:"starts"`
	Spectrum Spectrum `json:"spectrum"`
}

// SolveOptions tune FindFixedPoints.
type SolveOptions struct {
	// FixedTol: a solution is an exact fixed point when its relative speed
	// is below FixedTol (default 1e-6).
	FixedTol float64
	// SlowMax: directions with a relative speed below SlowMax are reported
	// as slow points (default 0.1: the map moves such a state by less than
	// 10% of its norm per step).
	SlowMax float64
	// SameCos: two solutions are the same when the cosine of their angle
	// exceeds SameCos (default 0.999).
	SameCos float64
	// Iterations caps the optimiser's major iterations per start (default 500).
	Iterations int
}

func (o *SolveOptions) defaults() {
	if o.FixedTol <= 0 {
		o.FixedTol = 1e-6
	}
	if o.SlowMax <= 0 {
		o.SlowMax = 0.1
	}
	if o.SameCos <= 0 {
		o.SameCos = 0.999
	}
	if o.Iterations <= 0 {
		o.Iterations = 500
	}
}

// addGatedWhhT adds W_hh^T diag(gate > 0) v to dst: v pulled back through
// a ReLU step whose preactivation (or output) is gate. Rows of a closed
// gate or a zero v are skipped.
func addGatedWhhT(dst []float64, net *rnn.Net, gate, v []float64) {
	H := net.H
	for i, a := range gate {
		if a <= 0 || v[i] == 0 {
			continue
		}
		row := net.Whh[i*H : (i+1)*H]
		for j, w := range row {
			dst[j] += w * v[i]
		}
	}
}

// Q returns q(h) = |relu(W_hh h) - h|^2 / 2 and, when grad is not nil,
// stores dq/dh = (D W_hh - I)^T (relu(W_hh h) - h) in it (D = diag(W_hh h > 0)).
func Q(net *rnn.Net, h, grad []float64) float64 {
	H := net.H
	pre := make([]float64, H)
	mulT(pre, h, net.Whh, 1, H, H)
	res := make([]float64, H)
	var q float64
	for i, v := range pre {
		res[i] = math.Max(v, 0) - h[i]
		q += res[i] * res[i] / 2
	}
	if grad != nil {
		for j := range grad {
			grad[j] = -res[j]
		}
		addGatedWhhT(grad, net, pre, res)
	}
	return q
}

// FindFixedPoints searches fixed and slow points of the input-free map
// h -> relu(W_hh h) from the given starting states (n x H), going beyond
// the paper's simulation (core/METHOD.md section 5.2).
//
// Without biases the map is positively homogeneous (relu(W c h) = c
// relu(W h) for c > 0), so q(ch) = c^2 q(h): q has no isolated minima but
// the origin and rays of exact fixed points, and minimising q from any start
// either reaches 0 or a fixed ray. We therefore run two searches from every
// start with L-BFGS (minimise):
//  1. minimise q(h) itself, which finds the origin or an exact non-zero
//     fixed point (reported as "origin" / "fixed");
//  2. minimise the scale-free speed q(h)/|h|^2, which finds the directions
//     along which the map moves least ("slow" when the relative speed is
//     below SlowMax, "fixed" when below FixedTol).
//
// Solutions are merged by direction (cosine > SameCos) and each gets the
// Jacobian spectrum at its state. approach is the unit direction along which
// input-free trajectories reach the origin (Collapse.Direction; may be nil),
// used for the origin's spectrum.
func FindFixedPoints(net *rnn.Net, starts []float64, n int, approach []float64, opt SolveOptions) ([]FixedPoint, error) {
	if net == nil {
		return nil, errors.New("dynamics: nil network")
	}
	if err := checkNet(net); err != nil {
		return nil, err
	}
	H := net.H
	if n <= 0 || len(starts) != n*H {
		return nil, fmt.Errorf("dynamics: fixed-point search has %d start values, want n x %d with n > 0", len(starts), H)
	}
	opt.defaults()
	spectra, err := NewSpectra(net, nil)
	if err != nil {
		return nil, err
	}
	var sols []FixedPoint
	add := func(fp FixedPoint) error {
		if fp.Kind == "origin" {
			for k := range sols {
				if sols[k].Kind == "origin" {
					sols[k].Starts++
					return nil
				}
			}
		} else {
			for k := range sols {
				if sols[k].Kind == "origin" {
					continue
				}
				if cosine(sols[k].State, fp.State) > opt.SameCos {
					sols[k].Starts++
					if fp.Speed < sols[k].Speed {
						fp.Starts = sols[k].Starts
						sp := sols[k].Spectrum
						sols[k] = fp
						sols[k].Spectrum = sp
					}
					return nil
				}
			}
		}
		fp.Starts = 1
		var sp Spectrum
		var err error
		switch {
		case fp.Kind != "origin":
			sp, err = spectra.At(fp.State)
		case approach != nil:
			sp, err = spectra.At(approach)
		default:
			sp, err = spectra.Pattern(nil)
		}
		if err != nil {
			return err
		}
		fp.Spectrum = sp
		sols = append(sols, fp)
		return nil
	}
	grad := make([]float64, H)
	for k := 0; k < n; k++ {
		x0 := starts[k*H : (k+1)*H]
		n0 := norm(x0)
		if n0 == 0 {
			continue
		}
		// Search 1: q itself.
		x, err := minimise(H, x0, opt.Iterations, func(x, g []float64) float64 { return Q(net, x, g) })
		if err != nil {
			return nil, err
		}
		nx := norm(x)
		if nx <= 1e-6*n0 {
			if err := add(FixedPoint{Kind: "origin", State: unitOrZero(approach, H)}); err != nil {
				return nil, err
			}
		} else if sp := math.Sqrt(2*Q(net, x, nil)) / nx; sp < opt.FixedTol {
			if err := add(FixedPoint{Kind: "fixed", State: x, Speed: sp, Q: Q(net, x, nil)}); err != nil {
				return nil, err
			}
		}
		// Search 2: relative speed q/|h|^2, on the unit sphere's scale.
		v, err := minimise(H, scaled(x0, 1/n0), opt.Iterations, func(x, g []float64) float64 {
			q := Q(net, x, grad)
			nn := dot(x, x)
			if nn == 0 {
				if g != nil {
					for i := range g {
						g[i] = 0
					}
				}
				return 0
			}
			if g != nil {
				for i := range g {
					g[i] = grad[i]/nn - 2*q*x[i]/(nn*nn)
				}
			}
			return q / nn
		})
		if err != nil {
			return nil, err
		}
		nv := norm(v)
		if nv == 0 {
			continue
		}
		v = scaled(v, 1/nv)
		q := Q(net, v, nil)
		speed := math.Sqrt(2 * q)
		switch {
		case speed < opt.FixedTol:
			if err := add(FixedPoint{Kind: "fixed", State: v, Speed: speed, Q: q}); err != nil {
				return nil, err
			}
		case speed < opt.SlowMax:
			if err := add(FixedPoint{Kind: "slow", State: v, Speed: speed, Q: q}); err != nil {
				return nil, err
			}
		}
	}
	sort.SliceStable(sols, func(i, j int) bool {
		if (sols[i].Kind == "origin") != (sols[j].Kind == "origin") {
			return sols[i].Kind == "origin"
		}
		return sols[i].Speed < sols[j].Speed
	})
	return sols, nil
}

func unitOrZero(v []float64, H int) []float64 {
	if v == nil {
		return make([]float64, H)
	}
	if n := norm(v); n > 0 {
		return scaled(v, 1/n)
	}
	return make([]float64, H)
}

func cosine(a, b []float64) float64 {
	na, nb := norm(a), norm(b)
	if na == 0 || nb == 0 {
		return 0
	}
	return dot(a, b) / (na * nb)
}

// minimise runs L-BFGS (memory lbfgsMemory, Armijo backtracking) on f
// from x0 and returns the best point found. Running out of iterations on
// this piecewise-quadratic objective is not an error: the best point so far
// is returned.
//
// Why not gonum/optimize's LBFGS: q is only piecewise quadratic (its
// gradient jumps where a ReLU gate opens or closes), and there gonum's
// line searches give up: on the gallery's linear3, all 20 slow-point
// searches ended in Failure ("linesearch: failed to converge" with its
// default Bisection and with MoreThuente, "non-descent search direction"
// or "no change in location" with Backtracking). Measured on the six
// gallery networks (20 starts each, as report.Analyze picks them), with
// Bisection 0-5 of the 40 minimisations per network stopped at a point
// with a higher objective than this one reaches from the same start (on
// linear3, 4 slow-point searches stopped at relative speed 0.106, above
// SlowMax, where this one reaches 0.056, so their starts were lost), on
// fully3 only 15 of 20 starts reached the origin, and linear4, linear5 and
// cyclic4 got a spurious extra slow point; with MoreThuente, cyclic4 had
// not finished after a minute (this one: 1.3 s). Restarting gonum from
// where its line search failed recovers most but not all of it (linear5
// then misses one of this solver's five points and cyclic4 keeps an extra
// one). This solver does that restart itself: when the L-BFGS direction
// is not a descent direction it drops its memory and steps down the
// gradient. gonum/optimize would also add golang.org/x/tools to go.mod
// (through gonum/stat/distmv).
func minimise(H int, x0 []float64, iters int, f func(x, g []float64) float64) ([]float64, error) {
	x := append([]float64(nil), x0...)
	g := make([]float64, H)
	fx := f(x, g)
	var ss, ys [][]float64
	var rhos []float64
	d := make([]float64, H)
	xn := make([]float64, H)
	gn := make([]float64, H)
	alpha := make([]float64, lbfgsMemory)
	for it := 0; it < iters; it++ {
		gg := norm(g)
		if gg <= 1e-14*math.Max(1, math.Abs(fx)) || fx == 0 {
			break
		}
		// Two-loop recursion: d = -H_k g.
		copy(d, g)
		for k := len(ss) - 1; k >= 0; k-- {
			alpha[k] = rhos[k] * dot(ss[k], d)
			for i := range d {
				d[i] -= alpha[k] * ys[k][i]
			}
		}
		if k := len(ss) - 1; k >= 0 {
			gamma := dot(ss[k], ys[k]) / dot(ys[k], ys[k])
			for i := range d {
				d[i] *= gamma
			}
		} else {
			for i := range d {
				d[i] /= gg
			}
		}
		for k := range ss {
			b := rhos[k] * dot(ys[k], d)
			for i := range d {
				d[i] += ss[k][i] * (alpha[k] - b)
			}
		}
		for i := range d {
			d[i] = -d[i]
		}
		slope := dot(g, d)
		if slope >= 0 { // not a descent direction: restart from steepest descent
			ss, ys, rhos = ss[:0], ys[:0], rhos[:0]
			for i := range d {
				d[i] = -g[i] / gg
			}
			slope = -gg
		}
		step, ok := 1.0, false
		var fn float64
		for ls := 0; ls < 40; ls++ {
			for i := range xn {
				xn[i] = x[i] + step*d[i]
			}
			fn = f(xn, gn)
			if fn <= fx+1e-4*step*slope {
				ok = true
				break
			}
			step /= 2
		}
		if !ok {
			break
		}
		s := make([]float64, H)
		y := make([]float64, H)
		for i := range s {
			s[i] = xn[i] - x[i]
			y[i] = gn[i] - g[i]
		}
		if sy := dot(s, y); sy > 1e-300 {
			if len(ss) == lbfgsMemory {
				ss, ys, rhos = ss[1:], ys[1:], rhos[1:]
			}
			ss, ys, rhos = append(ss, s), append(ys, y), append(rhos, 1/sy)
		}
		improved := fx - fn
		copy(x, xn)
		copy(g, gn)
		fx = fn
		if improved <= 1e-15*math.Max(1e-300, math.Abs(fx)) {
			break
		}
	}
	for _, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, errors.New("dynamics: fixed-point optimiser diverged")
		}
	}
	return x, nil
}

// lbfgsMemory is the number of correction pairs L-BFGS keeps.
const lbfgsMemory = 10
