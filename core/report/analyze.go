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

// Analysis names, in the order they run. Options.Only picks a subset; the
// analyses each one needs (e.g. "causal" needs "kick") run as well.
var Analyses = []string{"pca", "collapse", "fixed", "residency", "sensitivity", "sweep", "kick", "causal", "evolution", "readout", "compose"}

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
	HMM      *hmm.HMM // may be nil: no emission fidelity in the sweep
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
	// the noise sensitivity averages over [defaultSensitivityStates each].
	SensitivityStates int
	Sweep             dynamics.SweepOptions
	Kick              dynamics.KickOptions
	Causal            dynamics.CausalOptions
	Evolution         dynamics.EvolutionOptions
	// Progress receives one line per finished analysis (nil: silent).
	Progress io.Writer
}

// Analyze runs the selected analyses of METHOD.md section 5 on in.Net.
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
	sigma := opt.Sigma
	if sigma <= 0 {
		sigma = in.NoiseStd
	}
	if sigma <= 0 {
		sigma = dynamics.DefaultSigma
	}
	// Each analysis draws from its own stream, so its result does not
	// depend on which other analyses ran (Options.Only).
	stream := func(name string) *rand.Rand {
		var h uint64 = 14695981039346656037
		for _, c := range []byte(name) {
			h = (h ^ uint64(c)) * 1099511628211
		}
		return rand.New(rand.NewPCG(opt.Seed, h))
	}
	r := stream("run")
	rep := &Report{Schema: Schema, Seed: opt.Seed, Sigma: sigma, Seconds: map[string]float64{}, KickNeurons: []int{}}
	rep.Model = ModelInfo{Name: in.Name, H: net.H, D: net.D, O: net.O, NoiseStd: in.NoiseStd}
	if in.HMM != nil {
		rep.Model.HMMStates = in.HMM.States()
		rep.Model.SeqLen = in.HMM.SeqLen
		if in.HMM.Outputs() != net.O {
			return nil, fmt.Errorf("report: HMM has %d outputs, network %d", in.HMM.Outputs(), net.O)
		}
	}
	start := time.Now()
	lap := func(name string) {
		s := time.Since(start).Seconds()
		rep.Seconds[name] = math.Round(s*1000) / 1000
		if opt.Progress != nil {
			fmt.Fprintf(opt.Progress, "analyze: %-12s %6.2fs\n", name, s)
		}
		start = time.Now()
	}
	sim, err := dynamics.NewSim(net, sigma, dynamics.Intervention{})
	if err != nil {
		return nil, err
	}

	// 1. The reference noise-driven run and its PCA (METHOD 5.1).
	steps := opt.PCASteps
	if steps <= 0 {
		steps = dynamics.PCASteps
	}
	warm, err := sim.Simulate(r, dynamics.PCAWarmup, nil, false)
	if err != nil {
		return nil, err
	}
	run, err := sim.Simulate(r, steps, warm.State(warm.T-1), sel["sensitivity"] || sel["kick"])
	if err != nil {
		return nil, err
	}
	K := min(3, net.H)
	pca, err := dynamics.FitPCA(run.States, run.T, run.H, K)
	if err != nil {
		return nil, err
	}
	a := &artifacts{run: run, pca: pca, proj: pca.Project(run.States, run.T), whh: net.Whh}
	rep.art = a
	rep.PCA = &PCAInfo{Steps: steps, Explained: pca.ExplainedRatio(), TransitionRate: dynamics.TransitionRate(run), OutputFreq: make([]float64, net.O)}
	for _, o := range run.Out {
		rep.PCA.OutputFreq[o] += 1 / float64(run.T)
	}
	lap("pca")

	// 2. Collapse without input and fixed points (METHOD 5.2).
	if sel["collapse"] {
		n := dynamics.CollapseRuns
		starts := make([]float64, 0, n*net.H)
		for k := 0; k < n; k++ {
			starts = append(starts, run.State((2*k+1)*run.T/(2*n))...)
		}
		c, err := dynamics.RunCollapse(net, starts, n, dynamics.CollapseSteps, dynamics.Intervention{})
		if err != nil {
			return nil, err
		}
		rep.Collapse = c
		lap("collapse")
		if sel["fixed"] {
			const nStarts = 20
			fs := make([]float64, 0, nStarts*net.H)
			for k := 0; k < nStarts; k++ {
				fs = append(fs, run.State((2*k+1)*run.T/(2*nStarts))...)
			}
			fps, err := dynamics.FindFixedPoints(net, fs, nStarts, c.Direction, dynamics.SolveOptions{})
			if err != nil {
				return nil, err
			}
			for _, fp := range fps {
				info := FixedPointInfo{FixedPoint: fp, Eigen: complexPairs(fp.Spectrum.Eigen)}
				if fp.Kind == "fixed" {
					info.PC = pca.ProjectPoint(fp.State)
				} else if fp.Kind == "origin" {
					info.PC = pca.ProjectPoint(make([]float64, net.H))
				}
				rep.FixedPoints = append(rep.FixedPoints, info)
			}
			lap("fixed")
		}
	}

	// 3. Residency, zones and local stability along a stretch of the run
	// (METHOD 5.4, 5.5).
	var zoneOf map[int]dynamics.Zone
	if sel["residency"] {
		n := opt.ResidencyStates
		if n <= 0 {
			n = 600
		}
		n = min(n, run.T)
		t0 := (run.T - n) / 2
		res, err := dynamics.Residency(sim, stream("residency"), run.States[t0*net.H:(t0+n)*net.H], n, dynamics.ResidencyOptions{})
		if err != nil {
			return nil, err
		}
		sp, err := dynamics.NewSpectra(net, nil)
		if err != nil {
			return nil, err
		}
		ri := &ResidencyInfo{Start: t0, States: n, Continuations: dynamics.ResidencyContinuations, MaxSteps: dynamics.ResidencyMaxSteps}
		zoneOf = map[int]dynamics.Zone{}
		acc := map[dynamics.Zone]*ZoneStats{}
		for _, z := range dynamics.Zones {
			acc[z] = &ZoneStats{Zone: z.String()}
		}
		for k, rs := range res {
			s, err := sp.At(run.State(t0 + k))
			if err != nil {
				return nil, err
			}
			zoneOf[t0+k] = rs.Zone
			ri.Residency = append(ri.Residency, rs.Residency)
			ri.Zone = append(ri.Zone, rs.Zone.String())
			ri.Unstable = append(ri.Unstable, s.Unstable)
			ri.Critical = append(ri.Critical, s.Critical)
			z := acc[rs.Zone]
			z.Count++
			z.MeanResidency += rs.Residency
			z.MeanSignChanges += rs.SignChanges
			z.MeanUnstable += float64(s.Unstable)
			z.MeanCritical += float64(s.Critical)
			z.MeanComplex += float64(s.Complex)
			a.zoneSpectra(rs.Zone, s)
		}
		for _, z := range dynamics.Zones {
			st := acc[z]
			if st.Count > 0 {
				c := float64(st.Count)
				st.MeanResidency /= c
				st.MeanSignChanges /= c
				st.MeanUnstable /= c
				st.MeanCritical /= c
				st.MeanComplex /= c
			}
			ri.ByZone = append(ri.ByZone, *st)
		}
		a.res = res
		rep.Residency = ri
		lap("residency")
	}

	// 4. Noise sensitivity from cluster and transition states (METHOD 5.6).
	if sel["sensitivity"] && rep.Residency != nil {
		si, err := sensitivity(sim, run, pca, a.res, rep.Residency.Start, opt.SensitivityStates, stream("sensitivity"))
		if err != nil {
			return nil, err
		}
		rep.Sensitivity = si
		lap("sensitivity")
	}

	// 5. Noise sweep and stochastic resonance (METHOD 5.3).
	if sel["sweep"] {
		so := opt.Sweep
		if in.HMM != nil && so.Target == nil {
			ex := in.HMM.Exact(in.HMM.SeqLen)
			so.Target = &dynamics.Target{Freq: ex.Freq, Trans: ex.Trans, Changes: ex.Changes, SeqLen: in.HMM.SeqLen}
		}
		if len(so.Sigmas) == 0 {
			so.Sigmas = mergeSigmas(dynamics.DefaultResonanceSigmas, sigma)
		}
		sw, err := dynamics.NoiseSweep(net, stream("sweep"), pca, so)
		if err != nil {
			return nil, err
		}
		rep.Sweep = sw
		lap("sweep")
	}

	// 6. Kick neurons, integrating populations, W_hh blocks (METHOD 5.7).
	if sel["kick"] {
		k, err := dynamics.FindKickNeurons(sim, stream("kick"), run, opt.Kick)
		if err != nil {
			return nil, err
		}
		ki := &KickInfo{KickResult: *k, Fraction: float64(len(k.Neurons)) / float64(net.H)}
		pops, err := dynamics.IntegratingPopulations(net, k.Groups, 0)
		if err != nil {
			return nil, err
		}
		for gi, g := range k.Groups {
			ki.Integrating = append(ki.Integrating, IntegratingGroup{Direction: g.Direction, Neurons: pops[gi]})
		}
		names, groups := ki.groupList()
		ki.Blocks = dynamics.Blocks(net, names, groups)
		rep.Kick = ki
		rep.KickNeurons = append(rep.KickNeurons, k.Neurons...)
		lap("kick")
	}

	// 7. Causal tests (METHOD 5.8).
	if sel["causal"] && rep.Kick != nil {
		if len(rep.KickNeurons) == 0 {
			rep.Notes = append(rep.Notes, "causal: skipped, no kick neurons were found")
		} else {
			c, err := dynamics.CausalTests(net, stream("causal"), sigma, run, rep.KickNeurons, rep.Kick.Groups, rep.Kick.integratingUnion(), opt.Causal)
			if err != nil {
				return nil, err
			}
			rep.Causal = c
			lap("causal")
		}
	}

	// 8. Training evolution (METHOD 5.9).
	if sel["evolution"] && len(in.Checkpoints) > 0 {
		eo := opt.Evolution
		if eo.Sigma <= 0 {
			eo.Sigma = sigma
		}
		ev, err := dynamics.RunEvolution(stream("evolution"), in.Checkpoints, eo, func(done, total int) {
			if opt.Progress != nil && (done%10 == 0 || done == total) {
				fmt.Fprintf(opt.Progress, "analyze: evolution %d/%d checkpoints\n", done, total)
			}
		})
		if err != nil {
			return nil, err
		}
		rep.Evolution = ev
		lap("evolution")
	}

	// 9. Readout geometry and compositionality (METHOD 5.10, 5.11).
	if sel["readout"] && pca.K >= dynamics.ReadoutPlane {
		ra, err := dynamics.ReadoutAngles(net, pca)
		if err != nil {
			return nil, err
		}
		rep.Readout = ra
	}
	if sel["compose"] {
		ps, err := dynamics.Compositionality(run, zoneOf, dynamics.CompositionOptions{})
		if err != nil {
			return nil, err
		}
		rep.Compositionality = ps
		lap("compose")
	}
	rep.Checks = checks(rep)
	return rep, nil
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

// spread picks up to m entries of idx evenly spaced.
func spread(idx []int, m int) []int {
	if len(idx) <= m {
		return idx
	}
	out := make([]int, m)
	for k := range out {
		out[k] = idx[k*len(idx)/m]
	}
	return out
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
