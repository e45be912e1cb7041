package report

import (
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"hmmrnn/core/dynamics"
	"hmmrnn/core/hmm"
	"hmmrnn/core/rnn"
)

// Analyses names the analyses in the order they run (the steps table).
// Options.Only picks a subset; the analyses each one needs (e.g. "causal"
// needs "kick") run as well. "noise" is the noise-level scan (section 5.3),
// not a sweep over networks (core/sweep).
var Analyses = func() []string {
	names := make([]string, len(steps))
	for i, s := range steps {
		names[i] = s.name
	}
	return names
}()

// needs lists each analysis's prerequisites besides the PCA run.
var needs = map[string][]string{
	"sensitivity": {"residency"},
	"compose":     {"residency"},
	"causal":      {"kick"},
	"fixed":       {"collapse"},
}

// Input is what is analysed.
type Input struct {
	Name     string
	Net      *rnn.Net
	HMM      *hmm.HMM // may be nil: no emission fidelity in the noise scan
	NoiseStd float64  // the trained noise level (0: dynamics.DefaultSigma)
	// Checkpoints, in training order, for the evolution analysis.
	Checkpoints []dynamics.Checkpoint
}

// Options tune Analyze. Zero fields take the defaults named in brackets.
type Options struct {
	Seed uint64
	// Only lists the analyses to run (nil: all; see Analyses).
	Only []string
	// Sigma overrides the noise level of the analyses (0: the model's).
	Sigma float64
	// PCASteps is the length of the reference run [dynamics.PCASteps].
	PCASteps int
	// ResidencyStates is the number of consecutive states of the run whose
	// residency, zone and Jacobian spectrum are computed [600].
	ResidencyStates int
	// SensitivityStates is how many cluster and how many transition states
	// the noise sensitivity averages over
	// [dynamics.DefaultSensitivityStates each].
	SensitivityStates int
	Noise             dynamics.NoiseScanOptions
	// Kick tunes the kick detection; its Seed, Sigma and Steps are set
	// from Seed, the analysed noise level and PCASteps.
	Kick      dynamics.KickOptions
	Causal    dynamics.CausalOptions
	Evolution dynamics.EvolutionOptions
	// Progress receives one line per finished analysis (nil: silent).
	Progress io.Writer
}

// analysis is the state the steps share: the input, the options, the
// reference run with its PCA, and the report being filled.
type analysis struct {
	in    Input
	opt   Options
	net   *rnn.Net
	sigma float64
	steps int
	sim   *dynamics.Sim
	run   *dynamics.Run
	pca   *dynamics.PCA
	rep   *Report
}

// stream returns the random stream of one analysis, so its result does not
// depend on which other analyses ran (Options.Only).
func (a *analysis) stream(name string) *rand.Rand {
	var h uint64 = 14695981039346656037 // FNV-1a 64-bit offset basis
	for _, c := range []byte(name) {
		h = (h ^ uint64(c)) * 1099511628211 // FNV-1a 64-bit prime
	}
	return rand.New(rand.NewPCG(a.opt.Seed, h))
}

// steps is the table of analyses, in the order they run: each fills its
// part of the report from what earlier steps left in the analysis (the
// reference run and PCA of "pca", the stretch of "residency", the kick set
// of "kick"). A step that has nothing to work on returns without a result.
var steps = []struct {
	name string
	run  func(a *analysis) error
}{
	{"pca", (*analysis).reference},
	{"collapse", (*analysis).collapse},
	{"fixed", (*analysis).fixed},
	{"residency", (*analysis).residency},
	{"sensitivity", (*analysis).sensitivity},
	{"noise", (*analysis).noise},
	{"kick", (*analysis).kick},
	{"causal", (*analysis).causal},
	{"evolution", (*analysis).evolution},
	{"readout", (*analysis).readout},
	{"compose", (*analysis).compose},
}

// Analyze runs the selected analyses of arXiv 2510.25674 section 5 on
// in.Net, step by step (steps), timing each in Report.Seconds.
func Analyze(in Input, opt Options) (*Report, error) {
	if in.Net == nil {
		return nil, errors.New("report: no network")
	}
	if err := in.Net.Validate(); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	sel, err := selection(opt.Only)
	if err != nil {
		return nil, err
	}
	net := in.Net
	a := &analysis{in: in, opt: opt, net: net, sigma: opt.Sigma, steps: opt.PCASteps}
	if a.sigma <= 0 {
		a.sigma = in.NoiseStd
	}
	if a.sigma <= 0 {
		a.sigma = dynamics.DefaultSigma
	}
	if a.steps <= 0 {
		a.steps = dynamics.PCASteps
	}
	rep := &Report{Schema: Schema, Seed: opt.Seed, Sigma: a.sigma, Seconds: map[string]float64{}, KickNeurons: []int{}}
	rep.Model = ModelInfo{Name: in.Name, H: net.H, D: net.D, O: net.O, NoiseStd: in.NoiseStd}
	if in.HMM != nil {
		rep.Model.HMMStates = in.HMM.States()
		rep.Model.SeqLen = in.HMM.SeqLen
		if in.HMM.Outputs() != net.O {
			return nil, fmt.Errorf("report: HMM has %d outputs, network %d", in.HMM.Outputs(), net.O)
		}
	}
	a.rep = rep
	if a.sim, err = dynamics.NewSim(net, a.sigma, dynamics.Intervention{}); err != nil {
		return nil, err
	}
	for _, st := range steps {
		if st.name != "pca" && !sel[st.name] {
			continue
		}
		start := time.Now()
		if err := st.run(a); err != nil {
			return nil, err
		}
		s := time.Since(start).Seconds()
		rep.Seconds[st.name] = math.Round(s*1000) / 1000
		if opt.Progress != nil {
			fmt.Fprintf(opt.Progress, "analyze: %-12s %6.2fs\n", st.name, s)
		}
	}
	rep.Checks = checks(rep)
	return rep, nil
}

// reference simulates the reference noise-driven run and fits its PCA
// (section 5.1). It always runs: every other analysis reads the run.
func (a *analysis) reference() error {
	run, err := dynamics.ReferenceRun(a.net, a.sigma, a.opt.Seed, a.steps)
	if err != nil {
		return err
	}
	pca, err := dynamics.FitPCA(run.States, run.T, run.H, min(3, a.net.H))
	if err != nil {
		return err
	}
	a.run, a.pca = run, pca
	a.rep.art = &artifacts{run: run, pca: pca, proj: pca.Project(run.States, run.T), whh: a.net.Whh}
	a.rep.PCA = &PCAInfo{Steps: a.steps, Explained: pca.ExplainedRatio(), TransitionRate: dynamics.TransitionRate(run), OutputFreq: make([]float64, a.net.O)}
	for _, o := range run.Out {
		a.rep.PCA.OutputFreq[o] += 1 / float64(run.T)
	}
	return nil
}

// collapse runs the input-free dynamics from states of the run (section 5.2).
func (a *analysis) collapse() error {
	c, err := dynamics.RunCollapse(a.net, a.spreadStates(dynamics.CollapseRuns), dynamics.CollapseRuns, dynamics.CollapseSteps, dynamics.Intervention{})
	a.rep.Collapse = c
	return err
}

// fixedStarts is the number of run states the fixed-point solver starts
// from (enough to find the origin and the network's few fixed and slow
// points; each start costs one minimisation).
const fixedStarts = 20

// spreadStates returns n states of the run, evenly spread (n x H).
func (a *analysis) spreadStates(n int) []float64 {
	out := make([]float64, 0, n*a.net.H)
	for k := 0; k < n; k++ {
		out = append(out, a.run.State((2*k+1)*a.run.T/(2*n))...)
	}
	return out
}

// fixed finds fixed and slow points and their spectra (section 5.2).
func (a *analysis) fixed() error {
	if a.rep.Collapse == nil {
		return nil
	}
	fps, err := dynamics.FindFixedPoints(a.net, a.spreadStates(fixedStarts), fixedStarts, a.rep.Collapse.Direction, dynamics.SolveOptions{})
	if err != nil {
		return err
	}
	for _, fp := range fps {
		info := FixedPointInfo{FixedPoint: fp, Eigen: complexPairs(fp.Spectrum.Eigen)}
		if fp.Kind == "fixed" {
			info.PC = a.pca.ProjectPoint(fp.State)
		} else if fp.Kind == "origin" {
			info.PC = a.pca.ProjectPoint(make([]float64, a.net.H))
		}
		a.rep.FixedPoints = append(a.rep.FixedPoints, info)
	}
	return nil
}

// residency measures residency, zones and local stability along a stretch
// of the run (sections 5.4, 5.5).
func (a *analysis) residency() error {
	n := a.opt.ResidencyStates
	if n <= 0 {
		n = 600
	}
	st, err := dynamics.StretchZones(a.sim, a.stream("residency"), a.run, n)
	a.rep.Residency = st
	return err
}

// sensitivity is the noise sensitivity of cluster and transition states
// (section 5.6).
func (a *analysis) sensitivity() error {
	if a.rep.Residency == nil {
		return nil
	}
	si, err := dynamics.ZoneSensitivity(a.sim, a.stream("sensitivity"), a.run, a.pca, a.rep.Residency, a.opt.SensitivityStates)
	a.rep.Sensitivity = si
	return err
}

// noise is the noise-level scan and the stochastic-resonance curve
// (section 5.3), with the emission fidelity to the HMM when there is one.
func (a *analysis) noise() error {
	so := a.opt.Noise
	if so.HMM == nil {
		so.HMM = a.in.HMM
	}
	if len(so.Sigmas) == 0 {
		so.Sigmas = mergeSigmas(dynamics.DefaultResonanceSigmas, a.sigma)
	}
	sc, err := dynamics.ScanNoise(a.net, a.stream("noise"), a.pca, so)
	a.rep.Noise = sc
	return err
}

// kick detects kick neurons (dynamics.FindKickNeurons on this run's seed,
// noise level and length: the same call as the sweeps and the browser) and
// adds integrating populations and W_hh blocks (section 5.7).
func (a *analysis) kick() error {
	ko := a.opt.Kick
	ko.Seed, ko.Sigma, ko.Steps = a.opt.Seed, a.sigma, a.steps
	k, err := dynamics.FindKickNeurons(a.net, ko)
	if err != nil {
		return err
	}
	ki := &KickInfo{KickResult: *k, Fraction: float64(len(k.Neurons)) / float64(a.net.H)}
	pops, err := dynamics.IntegratingPopulations(a.net, k.Groups, 0)
	if err != nil {
		return err
	}
	for gi, g := range k.Groups {
		ki.Integrating = append(ki.Integrating, IntegratingGroup{Direction: g.Direction, Neurons: pops[gi]})
	}
	names, groups := ki.groupList()
	ki.Blocks = dynamics.Blocks(a.net, names, groups)
	for _, d := range k.Directions {
		if d.Status == dynamics.KickNone {
			a.rep.Notes = append(a.rep.Notes, fmt.Sprintf("kick: no group found for direction %v (switches on %.2f%% of steps); best cut reached %.2f, below %.2f",
				d.Direction, 100*d.Rate, d.BestCut, dynamics.KickMinCut))
		}
	}
	a.rep.Kick = ki
	a.rep.KickNeurons = append(a.rep.KickNeurons, k.Neurons...)
	return nil
}

// causal scales the kick, integrating and control sets (section 5.8).
func (a *analysis) causal() error {
	if a.rep.Kick == nil {
		return nil
	}
	if len(a.rep.KickNeurons) == 0 {
		a.rep.Notes = append(a.rep.Notes, "causal: skipped, no kick neurons were found")
		return nil
	}
	c, err := dynamics.CausalTests(a.net, a.stream("causal"), a.sigma, a.run, a.rep.KickNeurons, a.rep.Kick.Groups, a.rep.Kick.integratingUnion(), a.opt.Causal)
	a.rep.Causal = c
	return err
}

// evolution follows the training checkpoints (section 5.9).
func (a *analysis) evolution() error {
	if len(a.in.Checkpoints) == 0 {
		return nil
	}
	eo := a.opt.Evolution
	if eo.Sigma <= 0 {
		eo.Sigma = a.sigma
	}
	ev, err := dynamics.RunEvolution(a.stream("evolution"), a.in.Checkpoints, eo, func(done, total int) {
		if a.opt.Progress != nil && (done%10 == 0 || done == total) {
			fmt.Fprintf(a.opt.Progress, "analyze: evolution %d/%d checkpoints\n", done, total)
		}
	})
	a.rep.Evolution = ev
	return err
}

// readout measures the readout rows' angles to the PC1-PC2 plane (section
// 5.10).
func (a *analysis) readout() error {
	if a.pca.K < dynamics.ReadoutPlane {
		return nil
	}
	ra, err := dynamics.ReadoutAngles(a.net, a.pca)
	a.rep.Readout = ra
	return err
}

// compose finds the output-pair subspaces (section 5.11).
func (a *analysis) compose() error {
	var zoneOf map[int]dynamics.Zone
	if a.rep.Residency != nil {
		zoneOf = a.rep.Residency.ZoneOf()
	}
	ps, err := dynamics.Compositionality(a.run, zoneOf, dynamics.CompositionOptions{})
	a.rep.Compositionality = ps
	return err
}

func selection(only []string) (map[string]bool, error) {
	sel := map[string]bool{}
	if len(only) == 0 {
		for _, a := range Analyses {
			sel[a] = true
		}
		return sel, nil
	}
	var add func(string) error
	add = func(a string) error {
		a = strings.TrimSpace(a)
		known := false
		for _, k := range Analyses {
			known = known || k == a
		}
		if !known {
			return fmt.Errorf("report: unknown analysis %q (known: %s)", a, strings.Join(Analyses, ", "))
		}
		sel[a] = true
		for _, n := range needs[a] {
			if err := add(n); err != nil {
				return err
			}
		}
		return nil
	}
	for _, a := range only {
		if err := add(a); err != nil {
			return nil, err
		}
	}
	return sel, nil
}

func mergeSigmas(s []float64, extra float64) []float64 {
	out := append([]float64(nil), s...)
	for _, v := range out {
		if v == extra {
			return out
		}
	}
	out = append(out, extra)
	sort.Float64s(out)
	return out
}

func complexPairs(ev []complex128) [][2]float64 {
	out := make([][2]float64, 0, len(ev))
	for _, l := range ev {
		out = append(out, [2]float64{real(l), imag(l)})
	}
	return out
}
