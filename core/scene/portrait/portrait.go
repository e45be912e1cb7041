package portrait

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"hmmrnn/core/dynamics"
	"hmmrnn/core/rnn"
	"hmmrnn/core/scene"
)

// Defaults of the live phase portrait. The paper fits PCA on 30,000 steps
// (core/METHOD.md section 5); the browser refits while training, so it uses a shorter run
// whose leading axes are already stable, and draws only its recent part.
const (
	DefaultSteps       = 4000 // noise-driven steps after the warm-up
	DefaultDrawSteps   = 800  // most recent steps drawn as the trajectory
	DefaultFlowGrid    = 17   // flow-field arrows per side
	DefaultDensityGrid = 48   // density cells per side
	// Input-free runs (core/METHOD.md section 5.2 uses 100 runs of 500 steps; the picture
	// draws a few and marks where all of them end).
	DefaultDecayRuns  = 24
	DefaultDecaySteps = 500
	DefaultDecayDrawn = 6
	DefaultZoneStates = 160 // states whose residency zone is measured
	// DefaultHorizon is the trained sequence length assumed when
	// Options.Horizon is 0 (the page's demo trains at T = 30).
	DefaultHorizon = 30
	// MaxNormSpread bounds the ratio of the 99th to the 50th percentile of
	// |h| over a set of states (dynamics.NormSpread) for it to be drawn as
	// states. Measured (scratch study, seeds 1-4 of the demo and the six
	// gallery networks): bounded trained networks 1.4-4.5 on their long
	// runs and on runs of their trained T; networks whose activity grows
	// without bound 20 to 10^6. Above it the largest states would fill the
	// whole PCA and squeeze the rest into a point.
	MaxNormSpread = 10
)

// What a portrait shows (Info.Source, Info.Scale).
const (
	// SourceLong: one noise-driven run of Options.Steps steps after a
	// warm-up (core/METHOD.md section 5.1), used whenever it stays bounded.
	SourceLong = "long"
	// SourceHorizon: many runs of the trained horizon T from h0 = 0, the
	// distribution the network was trained on; used when the long run
	// diverges (a network trained on T-step sequences need not stay
	// bounded beyond T) or stays on one output (a network may learn to
	// pick an output from h0 = 0 and hardly switch after T: measured on
	// demo seed 2 in the browser, criterion met at step 603, a 4,000-step
	// run emitting one output on more than 95% of its steps).
	SourceHorizon = "horizon"
	// ScaleState draws the states h; ScaleDirection their directions
	// h/|h|, used when |h| spans orders of magnitude. This is faithful
	// because the network is positively homogeneous (ReLU, no biases:
	// relu(W (c h)) = c relu(W h) for c > 0), so the emitted output, the
	// argmax of W_out h, depends only on the direction of h, and the
	// input-free dynamics of the direction is exact.
	ScaleState     = "state"
	ScaleDirection = "direction"
)

// Options choose what Build computes; zero fields take the
// defaults above, Sigma = 0 takes dynamics.DefaultSigma (a noise-free run
// has no orbit to show).
type Options struct {
	Steps, DrawSteps int
	Sigma            float64
	// Neurons, Mu and Mode scale the inputs of chosen neurons during the
	// noise-driven run (core/METHOD.md section 5.8); nil Neurons = nominal network.
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
	// Window, when > 0, returns the activity of the last Window states
	// shown in Info.Window (for the page's units view).
	Window int
	// Horizon is the sequence length the network was trained on: the
	// length of the runs shown when the long run diverges (0 =
	// DefaultHorizon).
	Horizon int
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
	// Source and Scale say what is drawn (SourceLong, SourceHorizon;
	// ScaleState, ScaleDirection); Runs and Horizon the number and length
	// of the runs (1 run of Steps steps for SourceLong).
	Source  string `json:"source"`
	Scale   string `json:"scale"`
	Runs    int    `json:"runs"`
	Horizon int    `json:"horizon"`
	// LongDivergedAt is the step of the long run (after the warm-up) at
	// which it stopped being drawable: its activity overflowed or its norm
	// spread passed MaxNormSpread by then; 0 when it stayed bounded.
	LongDivergedAt int `json:"long_diverged_at"`
	// LongOneOutput is set when the bounded long run was not drawn because
	// it emits fewer than two outputs on dynamics.SeparationMinShare of
	// its steps.
	LongOneOutput bool `json:"long_one_output"`
	// LongNotSeparated is set when the long run was drawable but its
	// output clusters were not separated and the horizon's runs separate
	// them better; LongSkill is then the long run's separation skill.
	LongNotSeparated bool    `json:"long_not_separated"`
	LongSkill        float64 `json:"long_skill"`
	// NormSpread is the ratio of the 99th to the 50th percentile of |h|
	// over the states shown (before any scaling to directions).
	NormSpread float64 `json:"norm_spread"`
	// Separation says whether the emitted outputs form separate clusters in
	// the picture (dynamics.ClusterSeparation of the drawn plane).
	Separation dynamics.Separation `json:"separation"`
	// Steps is the number of states shown (Runs x Horizon for
	// SourceHorizon). Diverged is set when even those overflowed and were
	// cut short (only for networks that overflow float64 within their
	// trained horizon): the picture then shows what stayed finite.
	Steps    int  `json:"steps"`
	Diverged bool `json:"diverged"`
	// Caption says in words what the picture shows.
	Caption string `json:"caption"`
	// Window is the recent activity when Options.Window was set.
	Window *Window `json:"window,omitempty"`
}

// Window is a stretch of the activity a portrait shows, unit by unit, for a
// raster: Level[t*H+i] is unit i's activity at step t as a fraction of
// Peak[i] (its largest in the window) in 0..255. The activity is what the
// picture shows: directions h/|h| for ScaleDirection.
type Window struct {
	Steps int       `json:"steps"`
	H     int       `json:"hidden"`
	Level []byte    `json:"level"` // Steps x H, base64 in JSON
	Peak  []float64 `json:"peak"`
	Out   []uint8   `json:"-"`
	// Outputs is Out as numbers (a []uint8 would be base64 in JSON).
	Outputs []int `json:"outputs"`
	// Starts lists the steps of the window where a run starts at h0 = 0
	// (SourceHorizon); empty for one long run.
	Starts []int `json:"starts"`
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

// Build computes the phase portrait of net (core/METHOD.md section 5.1-5.4): noise-driven
// activity projected on its first two principal components and coloured by
// the argmax output, the density of the activity, the flow field of the
// input-free dynamics in the PC plane, input-free runs and the fixed point
// they reach, and the residency zones of states along the runs.
//
// The activity is one long run (SourceLong) when it stays bounded; when it
// diverges, it is Runs runs of the trained horizon from h0 = 0
// (SourceHorizon), and when those span orders of magnitude in |h|, their
// directions are drawn (ScaleDirection; see the constants). So a network
// that emulates the HMM over its trained horizon is shown doing so however
// its activity grows beyond it, and Info.Caption says what is shown.
// Randomness comes only from r. The returned PCA is the basis used (fitted
// on directions for ScaleDirection).
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
	if opt.Horizon <= 0 {
		opt.Horizon = DefaultHorizon
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
	act, err := activity(sim, r, opt.Steps, opt.Horizon)
	if err != nil {
		return nil, nil, nil, err
	}
	pic, err := project(act, opt.Basis, net.O)
	if err != nil {
		return nil, nil, nil, err
	}
	longSkill := 0.0
	if act.source == SourceLong && !pic.sep.Separated {
		// The long run shows no separated clusters: show the trained
		// horizon's runs instead when they do (a network may settle in
		// the long run on a balance of outputs it does not have within T
		// from h0 = 0: demo seed 2 in the browser at its criterion step,
		// long-run skill 0.21 with one output on 76% of the steps). A
		// given basis is kept (the caller wants the axes not to move).
		alt, err := horizonActivity(sim, r, opt.Steps, opt.Horizon)
		if err != nil {
			return nil, nil, nil, err
		}
		altPic, err := project(alt, opt.Basis, net.O)
		if err != nil {
			return nil, nil, nil, err
		}
		if altPic.sep.Separated && altPic.sep.Skill > pic.sep.Skill {
			longSkill = pic.sep.Skill
			act, pic = alt, altPic
			act.longNotSeparated = true
		}
	}
	states, outs, T := act.states, act.outs, act.n
	if opt.DrawSteps > T {
		opt.DrawSteps = T
	}
	shown, pca, proj, xy, bounds, sep := pic.shown, pic.pca, pic.proj, pic.xy, pic.bounds, pic.sep
	mean, pc1, pc2 := pca.Mean, pca.Axes[:H], pca.Axes[H:2*H]
	info := &Info{Sigma: opt.Sigma, Steps: T, Diverged: act.cut, Explained: pca.ExplainedRatio(),
		TransitionRate: dynamics.TransitionRate(act.runs...), Source: act.source, Scale: act.scale,
		Runs: len(act.runs), Horizon: act.runs[0].T, LongDivergedAt: act.longDivergedAt, LongOneOutput: act.longOneOutput,
		LongNotSeparated: act.longNotSeparated, LongSkill: longSkill, NormSpread: act.spread, Separation: sep}
	info.Caption = caption(info)
	if opt.Window > 0 {
		info.Window = window(shown, outs, T, H, min(opt.Window, T), act.runs[0].T)
	}

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

	// Input-free runs from states on the activity (core/METHOD.md section 5.2).
	var decay *dynamics.Collapse
	var decayLines [][]float64 // states of the drawn input-free runs, as shown
	var endPoint []float64     // where all input-free runs end, as shown
	if opt.Decay {
		runs := min(DefaultDecayRuns, T)
		starts := make([]float64, 0, runs*H)
		for k := range runs {
			t := (k*T)/runs + r.IntN(max(T/runs, 1))
			starts = append(starts, states[min(t, T-1)*H:(min(t, T-1)+1)*H]...)
		}
		if act.scale == ScaleDirection {
			decayLines, endPoint = directionDecay(net, iv, starts, runs, DefaultDecaySteps)
			info.Endpoints = 0
			if endPoint != nil {
				info.Endpoints = 1
			}
		} else {
			decay, err = dynamics.RunCollapse(net, starts, runs, DefaultDecaySteps, iv)
			if err != nil {
				return nil, nil, nil, fmt.Errorf("scene: portrait: %w", err)
			}
			info.Endpoints = decay.Endpoints
			for _, tr := range decay.Trajectories {
				decayLines = append(decayLines, tr.States[:min(tr.T, decayDrawn)*H])
			}
			// An unstable, untrained network sends input-free runs to
			// infinity: the end point (or its norm) overflows and is no
			// fixed point to mark.
			if decay.FixedPoint != nil && finite(decay.FixedPoint) && finite([]float64{decay.FixedPointNorm}) {
				endPoint = decay.FixedPoint
				info.FixedNorm = decay.FixedPointNorm
			}
		}
	}

	bounds = viewBounds(xy, bounds, endPoint, mean, pc1, pc2)
	s.Bounds = bounds

	if opt.Density {
		s.Heatmaps = append(s.Heatmaps, density(proj, bounds, DefaultDensityGrid))
	}
	if opt.Flow {
		s.Arrows = flowField(net, iv, bounds, mean, pc1, pc2, DefaultFlowGrid, act.scale == ScaleDirection)
	}
	for _, st := range decayLines[:min(DefaultDecayDrawn, len(decayLines))] {
		l := scene.Polyline{Color: scene.FlowColor.WithAlpha(0.7), Width: 1}
		for t := range len(st) / H {
			l.Points = append(l.Points, scene.Project(st[t*H:(t+1)*H], mean, pc1, pc2))
		}
		s.Lines = append(s.Lines, l)
	}
	// The most recent DrawSteps states, one polyline per run.
	from := T - opt.DrawSteps
	seg := act.runs[0].T
	for a := from; a < T; {
		b := min((a/seg+1)*seg, T)
		traj := scene.Polyline{Width: 1.5}
		for t := a; t < b; t++ {
			traj.Points = append(traj.Points, proj[t])
			traj.Colors = append(traj.Colors, scene.OutputColor(int(outs[t])).WithAlpha(0.85))
		}
		s.Lines = append(s.Lines, traj)
		a = b
	}

	if len(opt.Kick) > 0 {
		s.Markers = append(s.Markers, kickMarks(shown, proj, T, H, from, opt.Kick)...)
	}
	if opt.Zones {
		n := min(DefaultZoneStates, opt.DrawSteps)
		zs := make([]float64, 0, n*H)
		idx := make([]int, n)
		for k := range n {
			idx[k] = from + k*opt.DrawSteps/n
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
	if endPoint != nil {
		fp := scene.Project(endPoint, mean, pc1, pc2)
		info.FixedPoint = []float64{fp.X, fp.Y}
		s.Markers = append(s.Markers,
			scene.Marker{At: fp, Color: scene.Background, Size: 8, Shape: scene.Dot},
			scene.Marker{At: fp, Color: scene.FixedPoint, Size: 7, Shape: scene.Cross})
	}
	return p, info, pca, nil
}

// window returns the last w of the T states (T x H) as a Window; runs of
// seg steps start at multiples of seg.
func window(states []float64, outs []uint8, T, H, w, seg int) *Window {
	from := T - w
	win := &Window{Steps: w, H: H, Level: make([]byte, w*H), Peak: make([]float64, H), Outputs: make([]int, w), Starts: []int{}}
	win.Out = outs[from:T]
	for t := range w {
		win.Outputs[t] = int(win.Out[t])
		if seg < T && (from+t)%seg == 0 {
			win.Starts = append(win.Starts, t)
		}
		for i, v := range states[(from+t)*H : (from+t+1)*H] {
			win.Peak[i] = math.Max(win.Peak[i], v)
		}
	}
	for t := range w {
		for i, v := range states[(from+t)*H : (from+t+1)*H] {
			if win.Peak[i] > 0 {
				win.Level[t*H+i] = byte(math.Round(255 * math.Max(v, 0) / win.Peak[i]))
			}
		}
	}
	return win
}

// boundsQuantile is the share of the states left out at each end of each
// axis when framing the picture: a few far states (the first steps of
// runs from h0 = 0, rare excursions) would otherwise shrink the clusters
// that hold nearly all of them.
const boundsQuantile = 0.005

// viewBounds frames the picture: the central 1 - 2*boundsQuantile of the
// states along each axis, widened to hold the input-free end point when
// it lies within the states' full extent, padded by 8%.
func viewBounds(xy []float64, full scene.Rect, end, mean, pc1, pc2 []float64) scene.Rect {
	n := len(xy) / 2
	if n == 0 || full.Empty() {
		return scene.Rect{Min: scene.Vec{X: -1, Y: -1}, Max: scene.Vec{X: 1, Y: 1}}.Pad(0.08)
	}
	xs, ys := make([]float64, n), make([]float64, n)
	for t := range n {
		xs[t], ys[t] = xy[2*t], xy[2*t+1]
	}
	sort.Float64s(xs)
	sort.Float64s(ys)
	lo, hi := int(boundsQuantile*float64(n)), n-1-int(boundsQuantile*float64(n))
	b := scene.EmptyRect().Add(scene.Vec{X: xs[lo], Y: ys[lo]}).Add(scene.Vec{X: xs[hi], Y: ys[hi]})
	if end != nil {
		if fp := scene.Project(end, mean, pc1, pc2); fp.X >= full.Min.X && fp.X <= full.Max.X && fp.Y >= full.Min.Y && fp.Y <= full.Max.Y {
			b = b.Add(fp)
		}
	}
	if b.Max.X-b.Min.X <= 0 || b.Max.Y-b.Min.Y <= 0 {
		b = full
	}
	return b.Pad(0.08)
}

// decayDrawn is how many steps of each input-free run are drawn: trained
// networks collapse within a few dozen steps (core/METHOD.md section 3: about 50x in 20).
const decayDrawn = 60

// shownActivity is the noise-driven activity a portrait draws.
type shownActivity struct {
	runs             []*dynamics.Run // one long run or the horizon runs
	states           []float64       // their states, run after run (n x H)
	outs             []uint8         // their outputs
	n                int             // states
	source, scale    string
	spread           float64 // NormSpread of states
	longDivergedAt   int
	longOneOutput    bool
	longNotSeparated bool
	cut              bool // even the horizon runs overflowed: cut short
}

// activity simulates the long run and, when it diverges or stays on one
// output, the horizon runs (see Build and SourceHorizon).
func activity(sim *dynamics.Sim, r *rand.Rand, steps, horizon int) (*shownActivity, error) {
	H := sim.Net.H
	run, err := sim.Simulate(r, dynamics.PCAWarmup+steps, nil, false)
	if err != nil {
		return nil, fmt.Errorf("scene: portrait: %w", err)
	}
	long := &dynamics.Run{T: steps, H: H, O: run.O, States: run.States[dynamics.PCAWarmup*H:],
		Logits: run.Logits[dynamics.PCAWarmup*run.O:], Out: run.Out[dynamics.PCAWarmup:]}
	norms := dynamics.StateNorms(long.States, H)
	bad := divergedAt(norms)
	// The long run is drawn when it is bounded in dynamics.Bounded's sense
	// (finite, not growing), the test of the page's regime line, so the
	// picture and the line agree. A bounded run whose norms spread beyond
	// MaxNormSpread has bursts, not runaway activity: its directions are
	// drawn (demo linear2 seeds 1-3 with the default recipe: bursts to 60x
	// the median |h|, spread ~30, yet bounded). A run that grows slowly
	// without spreading that far is not drawn: it runs away by its end.
	bounded := dynamics.BoundedNorms(norms)
	if !bounded && bad < 0 {
		bad = steps - 1
	}
	bursts := bad >= 0 && bounded
	oneOutput := (bad < 0 || bursts) && emitted(long.Out, sim.Net.O) < 2
	if (bad < 0 || bursts) && !oneOutput {
		a := &shownActivity{runs: []*dynamics.Run{long}, states: long.States, outs: long.Out, n: steps,
			source: SourceLong, scale: ScaleState, spread: dynamics.NormSpread(norms)}
		if bursts {
			a.scale = ScaleDirection
		}
		return a, nil
	}
	a, err := horizonActivity(sim, r, steps, horizon)
	if err != nil {
		return nil, err
	}
	a.longOneOutput = oneOutput
	if bad >= 0 {
		a.longDivergedAt = max(bad, 1)
	}
	return a, nil
}

// horizonActivity simulates the horizon runs: steps/horizon runs (at least
// 2) of horizon steps from h0 = 0, cut where one overflows, drawn as
// directions when their norms spread beyond MaxNormSpread.
func horizonActivity(sim *dynamics.Sim, r *rand.Rand, steps, horizon int) (*shownActivity, error) {
	H := sim.Net.H
	nRuns := max(2, steps/horizon)
	runs, err := sim.SimulateBatch(r, nRuns, horizon, nil, false)
	if err != nil {
		return nil, fmt.Errorf("scene: portrait: %w", err)
	}
	a := &shownActivity{source: SourceHorizon, scale: ScaleState}
	for k, rn := range runs {
		// A run that overflows ends the set (the directions of infinite
		// states are undefined).
		end := rn.T
		for t := range rn.T {
			if !finite(rn.State(t)) {
				end, a.cut = t, true
				break
			}
		}
		if end < rn.T {
			if end >= 2 && k == 0 {
				runs[0] = &dynamics.Run{T: end, H: H, O: rn.O, States: rn.States[:end*H], Logits: rn.Logits[:end*rn.O], Out: rn.Out[:end]}
				k = 1
			}
			runs = runs[:k]
			break
		}
	}
	if len(runs) == 0 {
		return nil, errors.New("scene: portrait: the network's activity overflows within 2 steps (|h| beyond float64)")
	}
	a.runs = runs
	for _, rn := range runs {
		a.states = append(a.states, rn.States...)
		a.outs = append(a.outs, rn.Out...)
	}
	a.n = len(a.outs)
	a.spread = dynamics.NormSpread(dynamics.StateNorms(a.states, H))
	if a.spread > MaxNormSpread {
		a.scale = ScaleDirection
	}
	return a, nil
}

// emitted counts the outputs emitted on at least
// dynamics.SeparationMinShare of the steps of out.
func emitted(out []uint8, O int) int {
	count := make([]int, O)
	for _, o := range out {
		count[o]++
	}
	n := 0
	for _, c := range count {
		if float64(c) >= dynamics.SeparationMinShare*float64(len(out)) {
			n++
		}
	}
	return n
}

// picture is an activity projected on the portrait's plane.
type picture struct {
	shown  []float64 // the states drawn (directions for ScaleDirection)
	pca    *dynamics.PCA
	proj   []scene.Vec
	xy     []float64 // proj as x0, y0, x1, y1, ...
	bounds scene.Rect
	sep    dynamics.Separation
}

// project fits (or reuses) the PCA basis of the activity and measures how
// well the plane separates the outputs.
func project(act *shownActivity, basis *dynamics.PCA, O int) (*picture, error) {
	H, T := act.runs[0].H, act.n
	p := &picture{shown: act.states, pca: basis, proj: make([]scene.Vec, T), xy: make([]float64, 2*T), bounds: scene.EmptyRect()}
	if act.scale == ScaleDirection {
		p.shown = directions(act.states, H)
	}
	if p.pca == nil || p.pca.H != H || p.pca.K < 2 {
		var err error
		if p.pca, err = dynamics.FitPCA(p.shown, T, H, 2); err != nil {
			// A dead network (all states equal) has no principal axes:
			// fall back to the first two neurons.
			p.pca = axisBasis(H)
		}
	}
	mean, pc1, pc2 := p.pca.Mean, p.pca.Axes[:H], p.pca.Axes[H:2*H]
	for t := range T {
		p.proj[t] = scene.Project(p.shown[t*H:(t+1)*H], mean, pc1, pc2)
		p.xy[2*t], p.xy[2*t+1] = p.proj[t].X, p.proj[t].Y
		p.bounds = p.bounds.Add(p.proj[t])
	}
	var err error
	if p.sep, err = dynamics.ClusterSeparation(p.xy, act.outs, O); err != nil {
		return nil, fmt.Errorf("scene: portrait: %w", err)
	}
	return p, nil
}

// divergedAt returns the first step at which the run stops being drawable
// as states, or -1 when the whole run is drawable (finite, NormSpread <=
// MaxNormSpread): the first non-finite norm, else the first norm above
// MaxNormSpread^2 times the median of the run's first 100 steps, else (a
// run whose spread comes from a slow drift rather than a blow-up) the step
// of its largest norm.
func divergedAt(norms []float64) int {
	for t, v := range norms {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return t
		}
	}
	if dynamics.NormSpread(norms) <= MaxNormSpread {
		return -1
	}
	s := append([]float64(nil), norms[:min(len(norms), 100)]...)
	sort.Float64s(s)
	lim := s[len(s)/2] * MaxNormSpread * MaxNormSpread
	top := 0
	for t, v := range norms {
		if v > lim {
			return t
		}
		if v > norms[top] {
			top = t
		}
	}
	return top
}

// directions returns the states scaled to unit length (zero states stay 0).
func directions(states []float64, H int) []float64 {
	out := make([]float64, len(states))
	for t := range len(states) / H {
		h := states[t*H : (t+1)*H]
		var s float64
		for _, v := range h {
			s += v * v
		}
		if s = math.Sqrt(s); s > 0 {
			for i, v := range h {
				out[t*H+i] = v / s
			}
		}
	}
	return out
}

// directionDecay runs the input-free dynamics of the direction from each
// start (runs x H): h -> relu(W_hh h) rescaled to unit length every step,
// exact for a positively homogeneous network. It returns the first
// DefaultDecayDrawn trajectories (decayDrawn steps each) and the common end
// direction, or nil when the runs end in different directions (or die).
func directionDecay(net *rnn.Net, iv dynamics.Intervention, starts []float64, runs, steps int) ([][]float64, []float64) {
	H := net.H
	var lines [][]float64
	var end []float64
	same := true
	next := make([]float64, H)
	for k := range runs {
		h := directions(starts[k*H:(k+1)*H], H)
		var line []float64
		for t := range steps {
			inputFree(net, iv, h, next)
			if copy(h, directions(next, H)); !finite(h) || norm2(h) == 0 {
				same = false
				break
			}
			if k < DefaultDecayDrawn && t < decayDrawn {
				line = append(line, h...)
			}
		}
		if line != nil {
			lines = append(lines, line)
		}
		if end == nil {
			end = append([]float64(nil), h...)
		} else if d := dist(end, h); d > directionTol {
			same = false
		}
	}
	if !same {
		end = nil
	}
	return lines, end
}

// directionTol is the distance between two unit vectors below which
// input-free runs count as ending in the same direction (a few degrees).
const directionTol = 0.05

func norm2(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x * x
	}
	return s
}

func dist(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += (a[i] - b[i]) * (a[i] - b[i])
	}
	return math.Sqrt(s)
}

// caption describes in words what a portrait shows.
func caption(in *Info) string {
	// "with input noise", not "noise-driven": the page keeps that word for
	// the regime (dynamics.IsNoiseDriven), which a long run may not be in.
	what := fmt.Sprintf("one long run of %d steps with input noise", in.Steps)
	if in.Source == SourceHorizon {
		why := fmt.Sprintf("the long run's activity runs away by step %d", in.LongDivergedAt)
		switch {
		case in.LongOneOutput:
			why = "a long run stays on one output"
		case in.LongNotSeparated:
			why = fmt.Sprintf("a long run's outputs are not separated: skill %.2f", in.LongSkill)
		}
		what = fmt.Sprintf("%d runs of the trained length T = %d from h0 = 0 (%s)", in.Runs, in.Horizon, why)
	}
	if in.Scale == ScaleDirection {
		kind := "|h| spans"
		if in.Source == SourceLong {
			kind = "bounded, but bursts make |h| span"
		}
		what += fmt.Sprintf("; %s a factor %.3g, so the directions h/|h| are drawn (the output depends only on them)", kind, in.NormSpread)
	}
	if in.Diverged {
		what += "; the activity overflows within T, only its finite part is drawn"
	}
	sep := "outputs not separated in this plane"
	switch {
	case len(in.Separation.Outputs) < 2:
		sep = "fewer than two outputs are emitted"
	case in.Separation.Separated:
		sep = "output clusters separated"
	}
	if len(in.Separation.Outputs) < 2 {
		return fmt.Sprintf("%s; %s", what, sep)
	}
	return fmt.Sprintf("%s; %s (skill %.2f: %.0f%% of states nearest their output's centre, %.0f%% by chance)", what, sep,
		in.Separation.Skill, 100*in.Separation.Accuracy, 100*in.Separation.Chance)
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
// long. With dir, the update is followed by the scaling to unit length (the
// flow of directions, see ScaleDirection).
func flowField(net *rnn.Net, iv dynamics.Intervention, b scene.Rect, mean, pc1, pc2 []float64, g int, dir bool) []scene.Arrow {
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
			inputFree(net, iv, h, next)
			if dir {
				next = directions(next, H)
			}
			p := scene.Project(next, mean, pc1, pc2)
			d := scene.Vec{X: p.X - at.X, Y: p.Y - at.Y}
			longest = math.Max(longest, math.Hypot(d.X, d.Y))
			as = append(as, arrow{at, d})
		}
	}
	if !(longest > 0) || math.IsInf(longest, 0) {
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

// inputFree sets next = relu(MuRec ⊙ (W_hh h)), one step of the input-free
// dynamics under the intervention.
func inputFree(net *rnn.Net, iv dynamics.Intervention, h, next []float64) {
	H := net.H
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
