package portrait

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"hmmrnn/core/dynamics"
	"hmmrnn/core/rnn"
	"hmmrnn/core/scene"
)

// Defaults of the live phase portrait. The paper fits PCA on 30,000 steps
// (METHOD 5); the browser refits while training, so it uses a shorter run
// whose leading axes are already stable, and draws only its recent part.
const (
	DefaultSteps       = 4000 // noise-driven steps after the warm-up
	DefaultDrawSteps   = 800  // most recent steps drawn as the trajectory
	DefaultFlowGrid    = 17   // flow-field arrows per side
	DefaultDensityGrid = 48   // density cells per side
	// Input-free runs (METHOD 5.2 uses 100 runs of 500 steps; the picture
	// draws a few and marks where all of them end).
	DefaultDecayRuns  = 24
	DefaultDecaySteps = 500
	DefaultDecayDrawn = 6
	DefaultZoneStates = 160 // states whose residency zone is measured
)

// Options choose what Build computes; zero fields take the
// defaults above, Sigma = 0 takes dynamics.DefaultSigma (a noise-free run
// has no orbit to show).
type Options struct {
	Steps, DrawSteps int
	Sigma            float64
	// Neurons, Mu and Mode scale the inputs of chosen neurons during the
	// noise-driven run (METHOD 5.8); nil Neurons = nominal network.
	Neurons []int
	Mu      float64
	Mode    dynamics.Mode
	// Basis reuses a projection (e.g. when only the noise level changed, so
	// the picture does not jump); nil fits PCA on this run.
	Basis *dynamics.PCA
	// Flow, Density, Decay, Zones switch the layers on.
	Flow, Density, Decay, Zones bool
	// Kick lists known kick neurons: passed to the portrait (for the app's
	// silencing switch) and highlighted where they fire.
	Kick []int
	// Detect, when not nil, runs dynamics.FindKickNeurons with these
	// options and uses its kick set as Kick: the same call, seed and
	// options as `hmmrnn analyze` and the sweeps, so the page marks the
	// same neurons. It needs the nominal network (no Neurons).
	Detect *dynamics.KickOptions
}

// Info holds the numbers the page shows beside the picture.
type Info struct {
	TransitionRate float64   `json:"transition_rate"` // output switches per step of the run
	Explained      []float64 `json:"explained"`       // variance fraction of PC1, PC2
	FixedPoint     []float64 `json:"fixed_point"`     // PC coordinates of the input-free end point
	FixedNorm      float64   `json:"fixed_norm"`      // its norm in hidden space
	Endpoints      int       `json:"endpoints"`       // distinct input-free end points
	Zones          []int     `json:"zones,omitempty"` // counts per dynamics.Zones entry
	// Kick is the kick-neuron detection when Options.Detect was set.
	Kick  *dynamics.KickResult `json:"kick,omitempty"`
	Sigma float64              `json:"sigma"`
	// Steps of the run drawn: fewer than asked when the activity diverged.
	Steps    int  `json:"steps"`
	Diverged bool `json:"diverged"`
}

// Zone colours (ring markers of the residency analysis).
var zoneColors = map[dynamics.Zone]scene.Color{
	dynamics.Transition: scene.RGB(0xd0, 0x10, 0x40),
	dynamics.KickZone:   scene.RGB(0xf0, 0xa0, 0x00),
	dynamics.Cluster:    scene.RGB(0x30, 0x30, 0x30),
	dynamics.Other:      scene.RGB(0xb0, 0xb0, 0xb0),
}

// ZoneColor returns the colour of a residency zone.
func ZoneColor(z dynamics.Zone) scene.Color { return zoneColors[z] }

// Build computes the phase portrait of net (METHOD 5.1-5.4): a
// noise-driven run projected on its first two principal components and
// coloured by the argmax output, the density of the run, the flow field of
// the input-free dynamics in the PC plane, input-free runs and the fixed
// point they reach, and the residency zones of states along the run.
// Randomness comes only from r. The returned PCA is the basis used.
func Build(net *rnn.Net, r *rand.Rand, opt Options) (*scene.Portrait, *Info, *dynamics.PCA, error) {
	if net == nil {
		return nil, nil, nil, errors.New("scene: portrait: nil network")
	}
	if opt.Steps <= 0 {
		opt.Steps = DefaultSteps
	}
	if opt.DrawSteps <= 0 || opt.DrawSteps > opt.Steps {
		opt.DrawSteps = min(DefaultDrawSteps, opt.Steps)
	}
	if opt.Sigma == 0 {
		opt.Sigma = dynamics.DefaultSigma
	}
	H := net.H
	iv := dynamics.Intervention{}
	if len(opt.Neurons) > 0 {
		var err error
		if iv, err = dynamics.Scale(H, opt.Neurons, opt.Mu, opt.Mode); err != nil {
			return nil, nil, nil, fmt.Errorf("scene: portrait: %w", err)
		}
	}
	sim, err := dynamics.NewSim(net, opt.Sigma, iv)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("scene: portrait: %w", err)
	}
	run, err := sim.Simulate(r, dynamics.PCAWarmup+opt.Steps, nil, false)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("scene: portrait: %w", err)
	}
	states := run.States[dynamics.PCAWarmup*H:]
	outs := run.Out[dynamics.PCAWarmup:]
	T := opt.Steps
	// An unstable network's activity can overflow: keep the finite part.
	diverged := false
	for t := range T {
		if !finite(states[t*H : (t+1)*H]) {
			T, diverged = t, true
			break
		}
	}
	if T < 2 {
		return nil, nil, nil, errors.New("scene: portrait: the network's activity diverges at once (|h| overflows)")
	}
	if opt.DrawSteps > T {
		opt.DrawSteps = T
	}

	pca := opt.Basis
	if pca == nil || pca.H != H || pca.K < 2 {
		if pca, err = dynamics.FitPCA(states, T, H, 2); err != nil {
			// A dead network (all states equal) has no principal axes:
			// fall back to the first two neurons.
			pca = axisBasis(H)
		}
	}
	mean, pc1, pc2 := pca.Mean, pca.Axes[:H], pca.Axes[H:2*H]
	proj := make([]scene.Vec, T)
	bounds := scene.EmptyRect()
	for t := range T {
		proj[t] = scene.Project(states[t*H:(t+1)*H], mean, pc1, pc2)
		bounds = bounds.Add(proj[t])
	}
	info := &Info{Sigma: opt.Sigma, Steps: T, Diverged: diverged, Explained: pca.ExplainedRatio(),
		TransitionRate: dynamics.TransitionRate(&dynamics.Run{T: T, Out: outs})}

	if opt.Detect != nil {
		if len(opt.Neurons) > 0 {
			return nil, nil, nil, errors.New("scene: portrait: kick neurons are found on the nominal network, not under an intervention")
		}
		kr, err := dynamics.FindKickNeurons(net, *opt.Detect)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("scene: portrait: %w", err)
		}
		info.Kick = kr
		opt.Kick = kr.Neurons
	}

	p := &scene.Portrait{Mean: mean, PC1: pc1, PC2: pc2, Kick: opt.Kick, Net: weightsOf(net)}
	s := &p.Scene

	// Input-free runs from states on the run (METHOD 5.2).
	var decay *dynamics.Collapse
	if opt.Decay {
		runs := min(DefaultDecayRuns, T)
		starts := make([]float64, 0, runs*H)
		for k := range runs {
			t := (k*T)/runs + r.IntN(max(T/runs, 1))
			starts = append(starts, states[min(t, T-1)*H:(min(t, T-1)+1)*H]...)
		}
		decay, err = dynamics.RunCollapse(net, starts, runs, DefaultDecaySteps, iv)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("scene: portrait: %w", err)
		}
		info.Endpoints = decay.Endpoints
	}

	if bounds.Empty() {
		bounds = scene.Rect{Min: scene.Vec{X: -1, Y: -1}, Max: scene.Vec{X: 1, Y: 1}}
	}
	bounds = bounds.Pad(0.08)
	s.Bounds = bounds

	if opt.Density {
		s.Heatmaps = append(s.Heatmaps, density(proj, bounds, DefaultDensityGrid))
	}
	if opt.Flow {
		s.Arrows = flowField(net, iv, bounds, mean, pc1, pc2, DefaultFlowGrid)
	}
	if decay != nil {
		for _, tr := range decay.Trajectories[:min(DefaultDecayDrawn, len(decay.Trajectories))] {
			l := scene.Polyline{Color: scene.FlowColor.WithAlpha(0.7), Width: 1}
			for t := range min(tr.T, 60) {
				l.Points = append(l.Points, scene.Project(tr.State(t), mean, pc1, pc2))
			}
			s.Lines = append(s.Lines, l)
		}
	}
	traj := scene.Polyline{Width: 1.5}
	for t := T - opt.DrawSteps; t < T; t++ {
		traj.Points = append(traj.Points, proj[t])
		traj.Colors = append(traj.Colors, scene.OutputColor(int(outs[t])).WithAlpha(0.85))
	}
	s.Lines = append(s.Lines, traj)

	if len(opt.Kick) > 0 {
		s.Markers = append(s.Markers, kickMarks(states, proj, T, H, T-opt.DrawSteps, opt.Kick)...)
	}
	if opt.Zones {
		n := min(DefaultZoneStates, opt.DrawSteps)
		zs := make([]float64, 0, n*H)
		idx := make([]int, n)
		for k := range n {
			idx[k] = T - opt.DrawSteps + k*opt.DrawSteps/n
			zs = append(zs, states[idx[k]*H:(idx[k]+1)*H]...)
		}
		res, err := dynamics.Residency(sim, r, zs, n, dynamics.ResidencyOptions{})
		if err != nil {
			return nil, nil, nil, fmt.Errorf("scene: portrait: %w", err)
		}
		info.Zones = make([]int, len(dynamics.Zones))
		for k, z := range res {
			s.Markers = append(s.Markers, scene.Marker{At: proj[idx[k]], Color: ZoneColor(z.Zone).WithAlpha(0.9), Size: 4, Shape: scene.Ring})
			for i, zz := range dynamics.Zones {
				if zz == z.Zone {
					info.Zones[i]++
				}
			}
		}
	}
	// An unstable, untrained network sends input-free runs to infinity: the
	// end point (or its norm) overflows and is no fixed point to mark.
	if decay != nil && decay.FixedPoint != nil && finite(decay.FixedPoint) && finite([]float64{decay.FixedPointNorm}) {
		fp := scene.Project(decay.FixedPoint, mean, pc1, pc2)
		info.FixedPoint = []float64{fp.X, fp.Y}
		info.FixedNorm = decay.FixedPointNorm
		s.Markers = append(s.Markers,
			scene.Marker{At: fp, Color: scene.Background, Size: 8, Shape: scene.Dot},
			scene.Marker{At: fp, Color: scene.FixedPoint, Size: 7, Shape: scene.Cross})
	}
	return p, info, pca, nil
}

func finite(v []float64) bool {
	for _, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}

// axisBasis projects on the first two neurons (used when PCA has nothing to
// find).
func axisBasis(H int) *dynamics.PCA {
	p := &dynamics.PCA{H: H, K: 2, Mean: make([]float64, H), Axes: make([]float64, 2*H), Var: make([]float64, 2)}
	p.Axes[0] = 1
	if H > 1 {
		p.Axes[H+1] = 1
	}
	return p
}

// weightsOf copies a network's matrices into the portrait's weight record.
func weightsOf(n *rnn.Net) *scene.Weights {
	return &scene.Weights{H: n.H, D: n.D, O: n.O,
		Win: append([]float64(nil), n.Win...), Whh: append([]float64(nil), n.Whh...), Wout: append([]float64(nil), n.Wout...)}
}

// density is the 2-D histogram of points over bounds on a g x g grid.
func density(pts []scene.Vec, b scene.Rect, g int) scene.Heatmap {
	h := scene.Heatmap{Area: b, Rows: g, Cols: g, Values: make([]float64, g*g), Color: scene.Ink.WithAlpha(0.22)}
	w, ht := b.Max.X-b.Min.X, b.Max.Y-b.Min.Y
	for _, p := range pts {
		j := int((p.X - b.Min.X) / w * float64(g))
		i := int((p.Y - b.Min.Y) / ht * float64(g))
		if i >= 0 && i < g && j >= 0 && j < g {
			h.Values[i*g+j]++
		}
	}
	// Square root compresses the range, so the thin orbit and the dense
	// clusters both show.
	for k, v := range h.Values {
		h.Values[k] = math.Sqrt(v)
	}
	return h
}

// flowField evaluates the input-free update h -> relu(G W_hh h) on a grid of
// the PC plane (each grid point lifted to h = mean + x*pc1 + y*pc2) and
// returns arrows along the projected displacement, the longest one cell
// long.
func flowField(net *rnn.Net, iv dynamics.Intervention, b scene.Rect, mean, pc1, pc2 []float64, g int) []scene.Arrow {
	H := net.H
	h := make([]float64, H)
	next := make([]float64, H)
	cw := (b.Max.X - b.Min.X) / float64(g)
	ch := (b.Max.Y - b.Min.Y) / float64(g)
	type arrow struct{ at, d scene.Vec }
	as := make([]arrow, 0, g*g)
	longest := 0.0
	for i := range g {
		for j := range g {
			at := scene.Vec{X: b.Min.X + (float64(j)+0.5)*cw, Y: b.Min.Y + (float64(i)+0.5)*ch}
			for k := range h {
				h[k] = mean[k] + at.X*pc1[k] + at.Y*pc2[k]
			}
			for a := range H {
				s := 0.0
				for c, v := range h {
					s += net.Whh[a*H+c] * v
				}
				if iv.MuRec != nil {
					s *= iv.MuRec[a]
				}
				next[a] = max(s, 0)
			}
			p := scene.Project(next, mean, pc1, pc2)
			d := scene.Vec{X: p.X - at.X, Y: p.Y - at.Y}
			longest = math.Max(longest, math.Hypot(d.X, d.Y))
			as = append(as, arrow{at, d})
		}
	}
	if !(longest > 0) {
		return nil
	}
	scale := 0.9 * math.Min(cw, ch) / longest
	out := make([]scene.Arrow, 0, len(as))
	for _, a := range as {
		l := math.Hypot(a.d.X, a.d.Y) / longest
		if l < 0.05 {
			continue
		}
		from := scene.Vec{X: a.at.X - a.d.X*scale/2, Y: a.at.Y - a.d.Y*scale/2}
		to := scene.Vec{X: a.at.X + a.d.X*scale/2, Y: a.at.Y + a.d.Y*scale/2}
		out = append(out, scene.Arrow{From: from, To: to, Color: scene.FlowColor.WithAlpha(float32(0.25 + 0.5*l)), Width: 1})
	}
	return out
}

// kickThreshold is the z-score of a kick neuron's activity above which a
// state is marked as a kick (the neuron fires well above its habit).
const kickThreshold = 2.5

// kickMarks marks the states from index `from` on where any kick neuron's
// activity, z-scored over the run, exceeds kickThreshold.
func kickMarks(states []float64, proj []scene.Vec, T, H, from int, kick []int) []scene.Marker {
	mean := make([]float64, len(kick))
	sd := make([]float64, len(kick))
	for t := range T {
		for k, i := range kick {
			v := states[t*H+i]
			mean[k] += v
			sd[k] += v * v
		}
	}
	for k := range kick {
		mean[k] /= float64(T)
		sd[k] = math.Sqrt(math.Max(sd[k]/float64(T)-mean[k]*mean[k], 0))
	}
	var out []scene.Marker
	for t := from; t < T; t++ {
		for k, i := range kick {
			if sd[k] > 0 && (states[t*H+i]-mean[k])/sd[k] > kickThreshold {
				out = append(out, scene.Marker{At: proj[t], Color: scene.KickColor.WithAlpha(0.8), Size: 2.5, Shape: scene.Dot})
				break
			}
		}
	}
	return out
}
