package dynamics

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"hmmrnn/core/rnn"
	"hmmrnn/core/stats"
)

// Checkpoint is a network saved during training.
type Checkpoint struct {
	Label string
	Step  int // optimisation step (or epoch) of the checkpoint
	Net   *rnn.Net
}

// EvolutionOptions tune Evolution.
type EvolutionOptions struct {
	Sigma float64 // noise std (callers pass the model's; 0 means DefaultSigma)
	// Steps is the run length per checkpoint (default 2000) and EigenStates
	// the number of states spread over it whose spectra are averaged
	// (default 30).
	Steps, EigenStates int
	// Portraits is how many checkpoints get a PCA portrait (default 4: the
	// first, the bifurcation, the middle one and the last).
	Portraits int
}

// EvolutionPoint is one checkpoint's summary (core/METHOD.md section 5.9).
type EvolutionPoint struct {
	Label string  `json:"label"`
	Step  int     `json:"step"`
	Rate  float64 `json:"transition_rate"`
	// MeanComplex, MeanUnstable and MeanCritical average the Jacobian
	// eigenvalue counts over states of the noisy run.
	MeanComplex  float64 `json:"mean_complex"`
	MeanUnstable float64 `json:"mean_unstable"`
	MeanCritical float64 `json:"mean_critical"`
	// DH2 is the expected second-order noise term per neuron (see
	// NoiseDrift); MeanDH2 its mean over neurons.
	DH2     []float64 `json:"dh2"`
	MeanDH2 float64   `json:"mean_dh2"`
	// Diverged marks a checkpoint whose noisy run is not Bounded (it
	// overflows, passes divergeAbs or keeps growing): its rate and spectra
	// describe runaway states and it gets no PCA portrait.
	Diverged bool `json:"diverged,omitempty"`
	// Persistence is Rate divided by the switch rate of independent draws
	// with the run's output frequencies (1 - sum_k p_k^2): about 1 for
	// outputs that forget the previous one, small for slow clusters.
	Persistence float64 `json:"persistence"`
	// Collapses reports that input-free runs from states of the noisy run
	// all end at one fixed point (core/METHOD.md section 5.2;
	// CollapsesToOne).
	Collapses bool `json:"collapses"`
	// NoiseDriven marks the noise-driven regime (see IsNoiseDriven).
	NoiseDriven bool `json:"noise_driven"`
	// Regime names the regime in a word (RegimeName), for tables and the
	// page's regime line.
	Regime string `json:"regime"`
}

// Regime names (EvolutionPoint.Regime): the noise-driven regime, else the
// first reason a point is not in it, in the order IsNoiseDriven tests.
const (
	RegimeDriven      = "driven"      // noise-driven
	RegimeRunaway     = "runaway"     // the noisy run is not Bounded
	RegimeNoCollapse  = "no-collapse" // input-free runs keep apart
	RegimeIndependent = "independent" // outputs forget the last one (the plateau)
	RegimeStuck       = "stuck"       // hardly switches
)

// RegimeName is p's regime in a word (the Regime constants).
func RegimeName(p EvolutionPoint) string {
	switch {
	case p.NoiseDriven:
		return RegimeDriven
	case p.Diverged:
		return RegimeRunaway
	case !p.Collapses:
		return RegimeNoCollapse
	case p.Persistence > drivenPersistence:
		return RegimeIndependent
	}
	return RegimeStuck
}

// The noise-driven regime's thresholds (IsNoiseDriven).
const (
	// drivenPersistence: the outputs must be at least twice as persistent
	// as independent draws, i.e. more than halfway from the fair-coin
	// plateau (persistence 1) to the HMMs of core/METHOD.md section 1,
	// whose persistence is 0.07-0.13.
	drivenPersistence = 0.5
	// drivenSwitches: at least this many output switches in the run, so
	// that "persistent" is not "stuck on one output".
	drivenSwitches = 5
	// collapseSteps is the length of the input-free runs of the collapse
	// test. The paper's trained networks contract about 50x in 20 steps
	// (core/METHOD.md section 3), but networks trained for minutes at the
	// demo sizes can decay slowly (measured: 0.94 per step, 3% in 20 steps,
	// for linear2 after 12,000 steps): 1,000 steps bring a contraction of
	// up to ~0.98 per step within RunCollapse's tolerance (1e-6 of the
	// start), while a self-sustained oscillation or a second attractor
	// keeps distinct end states.
	collapseSteps = 1000
)

// IsNoiseDriven reports whether p shows the noise-driven regime of
// core/METHOD.md sections 5.9 and 6 (arXiv 2510.25674, "a shift into
// stochastic resonance during training"): a bounded noisy run (not
// Diverged) that switches between persistent outputs (at least
// drivenSwitches switches, Persistence <= drivenPersistence) while every
// input-free run collapses to one fixed point (Collapses), so the switches
// need the noise. Before it the network either forgets its output every
// step (the fair-coin plateau), stays on one output, runs away, or
// switches by itself without noise. This is our operational definition.
func IsNoiseDriven(p EvolutionPoint, steps int) bool {
	return !p.Diverged && p.Collapses && p.Persistence <= drivenPersistence && p.Rate*float64(steps-1) >= drivenSwitches
}

// Portrait is a checkpoint's run in its own PC1-PC2 plane.
type Portrait struct {
	Index int       `json:"index"` // into Evolution.Points
	Label string    `json:"label"`
	Proj  []float64 `json:"-"` // T x 2
	Out   []uint8   `json:"-"`
}

// Evolution tracks the dynamics across training checkpoints (core/METHOD.md section 5.9).
type Evolution struct {
	Points []EvolutionPoint `json:"points"`
	// Bifurcation is our operational definition of the epoch where the
	// network enters the noise-driven regime (core/METHOD.md section 5.9):
	// the first checkpoint from which every later one is noise-driven
	// (EvolutionPoint.NoiseDriven); -1 when the last checkpoint is not.
	// Adding checkpoints at the end moves it only if the network leaves
	// the regime again, so a live mark stays put while training goes on.
	Bifurcation     int        `json:"bifurcation"`
	BifurcationStep int        `json:"bifurcation_step"`
	Portraits       []Portrait `json:"portraits"`
}

// NoiseDrift returns, per neuron, the expected second-order noise term
//
//	dh2_i = mean_t ( E_xi[relu(a_i + xi_i)] - relu(a_i) ),  a = W_hh h_t,
//
// with xi_i ~ N(0, s_i^2), s_i = sigma |row i of W_in|: the mean drift the
// rectified noise adds to neuron i beyond the deterministic update (for a
// smooth nonlinearity f this is the Ito term f”(a) s^2 / 2; for ReLU it is
// exact: E relu(a + xi) = a Phi(a/s) + s phi(a/s)). States are the rows of
// states (T x H); rows with non-finite values (a diverging network) are
// skipped. core/METHOD.md section 5.9 names the quantity; this formula is our choice.
func NoiseDrift(net *rnn.Net, states []float64, T int, sigma float64) []float64 {
	H, D := net.H, net.D
	s := make([]float64, H)
	for i := range s {
		s[i] = sigma * norm(net.Win[i*D:(i+1)*D])
	}
	out := make([]float64, H)
	pre := make([]float64, H)
	n := 0
	for t := 0; t < T; t++ {
		if !finite(states[t*H : (t+1)*H]) {
			continue
		}
		n++
	}
	if n == 0 {
		return out
	}
	for t := 0; t < T; t++ {
		if !finite(states[t*H : (t+1)*H]) {
			continue
		}
		mulT(pre, states[t*H:(t+1)*H], net.Whh, 1, H, H)
		for i, a := range pre {
			if s[i] == 0 {
				continue
			}
			u := a / s[i]
			e := a*0.5*math.Erfc(-u/math.Sqrt2) + s[i]*math.Exp(-u*u/2)/math.Sqrt(2*math.Pi)
			if d := e - math.Max(a, 0); !math.IsNaN(d) && !math.IsInf(d, 0) {
				out[i] += d / float64(n)
			}
		}
	}
	return out
}

// RunEvolution summarises every checkpoint: transition rate, mean complex,
// unstable and critical eigenvalue counts, and the noise drift per neuron.
// progress, when not nil, is called after each checkpoint.
func RunEvolution(r *rand.Rand, cps []Checkpoint, opt EvolutionOptions, progress func(done, total int)) (*Evolution, error) {
	if r == nil {
		return nil, errors.New("dynamics: nil random source")
	}
	if len(cps) == 0 {
		return nil, errors.New("dynamics: no checkpoints")
	}
	sigma := opt.Sigma
	if sigma <= 0 {
		sigma = DefaultSigma
	}
	steps, ne, np := opt.Steps, opt.EigenStates, opt.Portraits
	if steps <= 0 {
		steps = 2000
	}
	if ne <= 0 {
		ne = 30
	}
	if np <= 0 {
		np = 4
	}
	ev := &Evolution{Bifurcation: -1}
	runs := make([]*Run, len(cps))
	for k, cp := range cps {
		p, run, err := EvolutionPointOf(cp, r, sigma, steps, ne)
		if err != nil {
			return nil, err
		}
		runs[k] = run
		ev.Points = append(ev.Points, p)
		if progress != nil {
			progress(k+1, len(cps))
		}
	}
	if ev.Bifurcation = Bifurcation(ev.Points); ev.Bifurcation >= 0 {
		ev.BifurcationStep = ev.Points[ev.Bifurcation].Step
	}
	pick := []int{0}
	if ev.Bifurcation > 0 {
		pick = append(pick, ev.Bifurcation)
	}
	pick = append(pick, len(cps)/2, len(cps)-1)
	seen := map[int]bool{}
	for _, k := range pick {
		if seen[k] || len(ev.Portraits) >= np {
			continue
		}
		seen[k] = true
		run := runs[k]
		if ev.Points[k].Diverged {
			continue
		}
		pca, err := FitPCA(run.States, run.T, run.H, 2)
		if err != nil {
			// An exploding early checkpoint can overflow the covariance;
			// its portrait is left out rather than failing the analysis.
			continue
		}
		ev.Portraits = append(ev.Portraits, Portrait{Index: k, Label: cps[k].Label, Proj: pca.Project(run.States, run.T), Out: run.Out})
	}
	return ev, nil
}

// EvolutionPointOf summarises one checkpoint (see RunEvolution): a run of
// steps noise-driven steps after a warm-up of PCAWarmup, its transition
// rate, the eigenvalue counts averaged over ne states spread over it, and
// the noise drift. It also returns the run.
func EvolutionPointOf(cp Checkpoint, r *rand.Rand, sigma float64, steps, ne int) (EvolutionPoint, *Run, error) {
	if cp.Net == nil {
		return EvolutionPoint{}, nil, fmt.Errorf("dynamics: checkpoint %s has no network", cp.Label)
	}
	if steps <= 0 || ne <= 0 {
		return EvolutionPoint{}, nil, fmt.Errorf("dynamics: checkpoint %s: need steps > 0 and eigen states > 0, got %d, %d", cp.Label, steps, ne)
	}
	sim, err := NewSim(cp.Net, sigma, Intervention{})
	if err != nil {
		return EvolutionPoint{}, nil, fmt.Errorf("checkpoint %s: %w", cp.Label, err)
	}
	warm, err := sim.Simulate(r, PCAWarmup, nil, false)
	if err != nil {
		return EvolutionPoint{}, nil, err
	}
	run, err := sim.Simulate(r, steps, warm.State(warm.T-1), false)
	if err != nil {
		return EvolutionPoint{}, nil, err
	}
	p := EvolutionPoint{Label: cp.Label, Step: cp.Step, Rate: TransitionRate(run)}
	sp, err := NewSpectra(cp.Net, nil)
	if err != nil {
		return EvolutionPoint{}, nil, err
	}
	for j := 0; j < ne; j++ {
		s, err := sp.At(run.State(j * run.T / ne))
		if err != nil {
			return EvolutionPoint{}, nil, err
		}
		p.MeanComplex += float64(s.Complex) / float64(ne)
		p.MeanUnstable += float64(s.Unstable) / float64(ne)
		p.MeanCritical += float64(s.Critical) / float64(ne)
	}
	p.Diverged = !Bounded(run)
	p.Persistence = persistence(run)
	if !p.Diverged {
		starts := make([]float64, 0, ne*run.H)
		for j := 0; j < ne; j++ {
			starts = append(starts, run.State(j*run.T/ne)...)
		}
		if p.Collapses, err = CollapsesToOne(cp.Net, starts, ne, collapseSteps); err != nil {
			return EvolutionPoint{}, nil, err
		}
	}
	p.NoiseDriven = IsNoiseDriven(p, run.T)
	p.Regime = RegimeName(p)
	p.DH2 = NoiseDrift(cp.Net, run.States, run.T, sigma)
	for _, v := range p.DH2 {
		p.MeanDH2 += v / float64(len(p.DH2))
	}
	return p, run, nil
}

// Bifurcation returns the index of the bifurcation checkpoint among points
// in training order (see Evolution.Bifurcation), or -1.
func Bifurcation(points []EvolutionPoint) int {
	b := -1
	for k := len(points) - 1; k >= 0 && points[k].NoiseDriven; k-- {
		b = k
	}
	return b
}

func finite(v []float64) bool {
	for _, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}

// Bounds of a bounded noisy run (Bounded).
const (
	// divergeAbs is the activity above which a run has run away (trained
	// networks stay below ~10^2 at sigma = 1).
	divergeAbs = 1e8
	// maxGrowth bounds the median |h| of a run's last quarter over that of
	// its first quarter. A stationary run stays near 1: measured on 2,000
	// steps, 0.94-1.03 for the six gallery networks and the planted one,
	// 1.1 for a demo network with heavy-tailed activity (p99/p50 of |h|
	// 13.5) that is nonetheless bounded; a run whose activity grows
	// exponentially exceeds any fixed bound soon.
	maxGrowth = 4
)

// Bounded reports whether a run's activity stays bounded: finite, below
// divergeAbs, and not growing (its last quarter's median |h| at most
// maxGrowth times its first quarter's). A portrait asks more of a run
// (the spread of its norms, scene/portrait.MaxNormSpread): a bounded run
// with heavy tails is drawn as directions.
func Bounded(run *Run) bool { return BoundedNorms(StateNorms(run.States, run.H)) }

// BoundedNorms is Bounded on a run's norms |h_t| (StateNorms), for callers
// that have them already: a non-finite state has a non-finite norm.
func BoundedNorms(norms []float64) bool {
	if !finite(norms) {
		return false
	}
	q := len(norms) / 4
	if q == 0 {
		return true
	}
	peak := 0.0
	for _, v := range norms {
		peak = math.Max(peak, v)
	}
	last, first := append([]float64(nil), norms[3*q:]...), append([]float64(nil), norms[:q]...)
	return peak <= divergeAbs && median(last) <= maxGrowth*median(first)
}

// StateNorms returns |h_t| for each row of states (T x H).
func StateNorms(states []float64, H int) []float64 {
	out := make([]float64, len(states)/H)
	for t := range out {
		var s float64
		for _, v := range states[t*H : (t+1)*H] {
			s += v * v
		}
		out[t] = math.Sqrt(s)
	}
	return out
}

// NormSpread is the ratio of the 99th to the 50th percentile of the norms
// (0 when the median is 0: a silent network has no spread to speak of;
// math.MaxFloat64 when some norm is not finite).
func NormSpread(norms []float64) float64 {
	if len(norms) == 0 {
		return 0
	}
	s := append([]float64(nil), norms...)
	sort.Float64s(s)
	med, p99 := s[len(s)/2], s[min(len(s)-1, len(s)*99/100)]
	if math.IsInf(p99, 0) || math.IsNaN(p99) {
		return math.MaxFloat64
	}
	if !(med > 0) {
		return 0
	}
	return p99 / med
}

// persistence is the run's transition rate over that of independent draws
// with its output frequencies (EvolutionPoint.Persistence).
func persistence(run *Run) float64 {
	if run.T < 2 {
		return 0
	}
	freq := make([]float64, run.O)
	for _, o := range run.Out {
		freq[o] += 1 / float64(run.T)
	}
	return stats.Persistence(TransitionRate(run), freq)
}
