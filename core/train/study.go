package train

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"

	"hmmrnn/core/dynamics"
	"hmmrnn/core/hmm"
	"hmmrnn/core/rnn"
	"hmmrnn/core/stats"
)

// Study measures a recipe: it trains every (HMM, seed) pair with a FitRun
// under the same budget and summarises, per HMM, how many seeds met the fit
// criterion and how fast. Seeds are the starting seeds; a run's restarts
// take the following ones (so runs of neighbouring seeds may share
// trainers: each run is still what a user starting from that seed gets).
type Study struct {
	HMMs  []*hmm.HMM
	Seeds []uint64
	// Config returns the configuration of one run (the recipe is applied
	// on top of it by the FitRun).
	Config func(m *hmm.HMM, seed uint64) Config
	Run    FitRun
	// Progress, when set, receives one line per check and per finished run.
	Progress io.Writer
}

// StudyRun is one (HMM, seed) outcome.
type StudyRun struct {
	HMM  string `json:"hmm"`
	Seed uint64 `json:"seed"`
	Met  bool   `json:"met"`
	// Steps and Seconds: to the criterion when Met, else the budget spent.
	Steps    int     `json:"steps"`
	Seconds  float64 `json:"seconds"`
	Restarts int     `json:"restarts"`
	// KeptSeed is the seed of the trainer whose network was kept.
	KeptSeed uint64 `json:"kept_seed"`
	// Fit is the kept network's verdict, each figure beside its floor.
	Fit stats.FitResult `json:"fit"`
	// Regime is the kept network's dynamical regime (RegimeOf): whether it
	// is in the paper's noise-driven regime, which fitting the emissions
	// over T steps does not imply.
	Regime dynamics.EvolutionPoint `json:"regime"`
	// Readout is the kept network's readout noise beside the evaluation
	// that judged it (ReadoutOf, the same runs): whether the short runs
	// the dwell figure counts come from its dynamics or from sampling its
	// readout.
	Readout Readout `json:"readout"`
}

// Regime measurement of a kept network: the run length of the page's
// portrait and regime line (4,000 steps, scene/portrait.DefaultSteps) and
// its number of spectra (the spectra do not enter the verdict).
const (
	regimeSteps  = 4000
	regimeEigens = 10
	// regimeStream is the random stream of the regime's run, apart from
	// the training (1-4, 101, 102) and evaluation (301, 302) streams.
	regimeStream = 401
)

// RegimeOf summarises net's dynamics at noise level sigma
// (dynamics.EvolutionPointOf on a 4,000-step run drawn from
// PCG(seed, 401)): NoiseDriven says whether it is in the noise-driven
// regime of core/METHOD.md section 5.9.
func RegimeOf(net *rnn.Net, sigma float64, seed uint64) (dynamics.EvolutionPoint, error) {
	p, _, err := dynamics.EvolutionPointOf(dynamics.Checkpoint{Label: "kept", Net: net}, rand.New(rand.NewPCG(seed, regimeStream)), sigma, regimeSteps, regimeEigens)
	p.DH2 = nil
	return p, err
}

// StudySummary aggregates the runs of one HMM.
type StudySummary struct {
	HMM string `json:"hmm"`
	// Recipe is the recipe that trained this HMM (Recipe.For).
	Recipe string `json:"recipe"`
	Seeds  int    `json:"seeds"`
	Met    int    `json:"met"`
	// MedianSteps and MedianSeconds are over the runs that met the
	// criterion (absent when none did).
	MedianSteps   *float64 `json:"median_steps,omitempty"`
	MedianSeconds *float64 `json:"median_seconds,omitempty"`
	// Restarts is the total over the runs.
	Restarts int `json:"restarts"`
	// Driven counts the runs whose kept network is noise-driven.
	Driven int        `json:"noise_driven"`
	Runs   []StudyRun `json:"runs"`
}

// Summarise aggregates runs of one HMM.
func Summarise(name string, runs []StudyRun) StudySummary {
	s := StudySummary{HMM: name, Seeds: len(runs), Runs: runs}
	var steps, secs []float64
	for _, r := range runs {
		s.Restarts += r.Restarts
		if r.Regime.NoiseDriven {
			s.Driven++
		}
		if r.Met {
			s.Met++
			steps = append(steps, float64(r.Steps))
			secs = append(secs, r.Seconds)
		}
	}
	if len(steps) > 0 {
		a, b := median(steps), median(secs)
		s.MedianSteps, s.MedianSeconds = &a, &b
	}
	return s
}

// Do runs the study, HMM by HMM, seed by seed. A cancelled ctx returns the
// summaries of the finished runs with the error.
func (s Study) Do(ctx context.Context) ([]StudySummary, error) {
	var out []StudySummary
	for _, m := range s.HMMs {
		recipe := s.Run.Recipe.For(m).Name
		summary := func(runs []StudyRun) StudySummary {
			sum := Summarise(m.Name, runs)
			sum.Recipe = recipe
			return sum
		}
		var runs []StudyRun
		for _, seed := range s.Seeds {
			f := s.Run
			if s.Progress != nil {
				f.OnCheck = func(sd uint64, steps int, fit stats.FitResult) {
					fmt.Fprintf(s.Progress, "%s seed %d (trainer seed %d) step %d: %s\n", m.Name, seed, sd, steps, fit)
				}
			}
			o, err := f.Train(ctx, s.Config(m, seed))
			if err != nil {
				if len(runs) > 0 {
					out = append(out, summary(runs))
				}
				return out, fmt.Errorf("%s seed %d: %w", m.Name, seed, err)
			}
			r := StudyRun{HMM: m.Name, Seed: seed, Met: o.Met, Steps: o.Steps, Seconds: o.Seconds,
				Restarts: o.Restarts, KeptSeed: o.Seed, Fit: o.Fit}
			if r.Regime, err = RegimeOf(o.Net, o.Config.NoiseStd, o.Seed); err != nil {
				return out, fmt.Errorf("%s seed %d: regime: %w", m.Name, seed, err)
			}
			if r.Readout, err = ReadoutOf(o.Config.HMM, o.Report); err != nil {
				return out, fmt.Errorf("%s seed %d: readout: %w", m.Name, seed, err)
			}
			if s.Progress != nil {
				fmt.Fprintf(s.Progress, "%s seed %d: met %v, %d steps, %.1f s, %d restarts, %s, emitted symbol not the argmax at %.1f%% of steps\n", m.Name, seed, r.Met, r.Steps, r.Seconds, r.Restarts, r.Regime.Regime, 100*r.Readout.OffArgmax)
			}
			runs = append(runs, r)
		}
		out = append(out, summary(runs))
	}
	return out, nil
}

// WriteStudy prints one line per HMM: the recipe that trained it, seeds meeting the criterion, median
// steps and seconds to it, restarts, kept networks in the noise-driven
// regime, and per seed the worst figure of the kept network relative to
// its limit, its regime and the share of its emitted symbols that are not
// its logits' argmax (the readout's blips).
func WriteStudy(w io.Writer, sums []StudySummary) error {
	if _, err := fmt.Fprintf(w, "%-10s %-8s %7s %12s %12s %9s %7s  %s\n", "hmm", "recipe", "met", "median steps", "median s", "restarts", "driven", "per seed: figure/limit of the worst figure, regime, emitted symbols not the argmax"); err != nil {
		return err
	}
	for _, s := range sums {
		st, sec := "-", "-"
		if s.MedianSteps != nil {
			st, sec = fmt.Sprintf("%.0f", *s.MedianSteps), fmt.Sprintf("%.1f", *s.MedianSeconds)
		}
		worst := ""
		for _, r := range s.Runs {
			name, ratio := worstFigure(r.Fit)
			worst += fmt.Sprintf(" %d:%s %.2f %s %.1f%%", r.Seed, name, ratio, r.Regime.Regime, 100*r.Readout.OffArgmax)
		}
		if _, err := fmt.Fprintf(w, "%-10s %-8s %3d/%-3d %12s %12s %9d %3d/%-3d %s\n", s.HMM, s.Recipe, s.Met, s.Seeds, st, sec, s.Restarts, s.Driven, s.Seeds, worst); err != nil {
			return err
		}
	}
	return nil
}

// worstFigure returns the figure with the largest value/limit.
func worstFigure(f stats.FitResult) (string, float64) {
	name, worst := "-", 0.0
	for _, g := range f.Figures {
		if g.Limit > 0 && g.Value/g.Limit > worst {
			name, worst = g.Name, g.Value/g.Limit
		}
	}
	return name, worst
}
