package train

import (
	"errors"
	"fmt"
	"strings"

	"hmmrnn/core/hmm"
	"hmmrnn/core/rnn"
	"hmmrnn/core/stats"
)

// The monitor's policy: every threshold of the fit criterion, the plateau
// detection and the restart policy, shared by `hmmrnn train`, the sweeps
// and the page's worker.
const (
	// DefaultCheckSamples is the number of sequences sampled from the RNN
	// and from the HMM at each command-line check (the peer's evaluation
	// size). The page checks fewer (see the worker) to stay responsive.
	DefaultCheckSamples = 2000
	// DefaultPlateauAfter is how many steps a run may emit temporally
	// independent symbols before it counts as stuck on the fair-coin
	// plateau (core/METHOD.md section 3, "Pitfalls"), one number for the command
	// line and the page (which used 3,000 and about 1,900 before). Measured
	// with the demo recipe (H 50, D 10, B 256, T 30, lr 1e-3; checks every
	// 100 steps, 1000 sequences, 4,000 steps): of linear2 seeds 1-12, eleven
	// were off the plateau by step 700 and met the criterion by step 1,000,
	// and seed 5 was still on it at step 2,700 (criterion at 3,200), later
	// than a restart at 2,000 plus a typical fresh run's ~1,000 steps. Of
	// linear3 seeds 1-4, seed 3 was off it from step 800, seed 1 from step
	// 1,900 (criterion at 4,000; a patience of 2,000 lets it through) and
	// seeds 2 and 4 were still on it at step 4,000, so waiting longer than
	// 2,000 steps mostly wastes steps. Escapes are gradual (fully3 at H 150
	// went from independence 1 to 0.58 over steps 2000-2800), hence the
	// plateau threshold plateauFraction rather than a halfway mark.
	DefaultPlateauAfter = 2000
	// DefaultPlateauChecks is how many successive checks must find the
	// plateau before a restart: one check of a few hundred sequences can
	// land on the wrong side of the threshold by sampling noise.
	DefaultPlateauChecks = 3
	// DefaultFitStreak is how many successive checks must meet the fit
	// criterion for a run to count as fitted (stop at fit, the page's
	// "met at step"). One: every pass is confirmed on a second,
	// independent sample of the same weights before it counts (Assess), so
	// sampling luck does not decide, and the criterion judges a network,
	// not how steadily training holds it: runs that fit drift in and out
	// of it by SGD noise (cyclic4 passed checks at steps 1,750, 2,250 and
	// 2,750 and failed those between), and a streak of passes would reject
	// networks that meet it.
	DefaultFitStreak = 1
	// DefaultMaxRestarts bounds the plateau restarts of one run, so a
	// configuration that never learns ends instead of cycling seeds.
	DefaultMaxRestarts = 8
)

// plateauFraction is how far (as a fraction of the way from independent
// symbols to the HMM) a run must have moved not to count as stuck.
const plateauFraction = 0.25

// Figure is one number a fit criterion judged: Value must be below Limit;
// Floor is the same figure for an HMM sample of the same size (what a
// perfect emulator would show by sampling noise).
type Figure struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
	Limit float64 `json:"limit"`
	Floor float64 `json:"floor"`
}

// Verdict is a fit criterion's decision with the figures behind it.
type Verdict struct {
	Fit     bool     `json:"fit"`
	Figures []Figure `json:"figures"`
}

// Criterion decides from an evaluation report whether the network fits
// the HMM.
type Criterion func(rep *stats.Report) Verdict

// DefaultCriterion is the fit criterion (stats.JudgeFit, which
// every report carries as rep.Fit): frequencies, transition rows,
// volatility and dwell times against the HMM's exact values, each figure
// beside its floor. One definition for the command line, the sweeps and
// the page.
func DefaultCriterion(rep *stats.Report) Verdict { return FitVerdict(rep.Fit) }

// Monitor judges a run every Every steps: it evaluates the network
// (Evaluate, without the matched distances), applies the fit Criterion,
// detects the fair-coin plateau and decides restarts. Fields are the
// policy (DefaultMonitor fills them); the rest is the state of one run,
// kept across restarts only as the restart count.
type Monitor struct {
	Every   int // steps between checks; 0 disables checking
	Samples int // sequences of the RNN and of the HMM per check
	// PlateauAfter and PlateauChecks: a run restarts when it has taken at
	// least PlateauAfter steps and the last PlateauChecks checks all found
	// it on the plateau and not fitting.
	PlateauAfter, PlateauChecks int
	FitStreak                   int // successive fitting checks for Met
	// RestartAfter: a run that has not met the criterion after
	// RestartAfter steps restarts too (0: never; see Recipe.RestartAfter).
	RestartAfter int
	// MaxRestarts bounds the restarts; 0 never restarts.
	MaxRestarts int
	// Criterion decides fit; nil means DefaultCriterion.
	Criterion Criterion

	streak, hits, restarts int
	met                    bool
}

// DefaultMonitor returns the policy above, checking every `every` steps
// with `samples` sequences.
func DefaultMonitor(every, samples int) *Monitor {
	return &Monitor{Every: every, Samples: samples, PlateauAfter: DefaultPlateauAfter, PlateauChecks: DefaultPlateauChecks,
		FitStreak: DefaultFitStreak, MaxRestarts: DefaultMaxRestarts}
}

func (m *Monitor) validate() error {
	if m.Every < 0 || m.Every > 0 && m.Samples < 2 || m.PlateauChecks < 1 || m.FitStreak < 1 || m.MaxRestarts < 0 || m.PlateauAfter < 0 || m.RestartAfter < 0 {
		return fmt.Errorf("train: monitor every %d samples %d plateau-after %d plateau-checks %d fit-streak %d max-restarts %d restart-after %d: "+
			"want every >= 0, samples >= 2, plateau-after >= 0, plateau-checks and fit-streak >= 1, max-restarts >= 0, restart-after >= 0",
			m.Every, m.Samples, m.PlateauAfter, m.PlateauChecks, m.FitStreak, m.MaxRestarts, m.RestartAfter)
	}
	return nil
}

// Check is the outcome of one check.
type Check struct {
	Step   int           // the trainer's step count
	Report *stats.Report // Evaluate's report (no matched distances)
	Verdict
	// Independence is the RNN's volatility divided by that of independent
	// symbols with the same frequencies: about 1 at initialisation and on
	// the fair-coin plateau, the HMM's own value (HMMIndependence) once the
	// temporal structure is learnt.
	Independence, HMMIndependence float64
	// Plateau: the run does not fit and still emits nearly independent
	// symbols (Plateaued); Stuck: so it does after PlateauAfter steps (what
	// a user should be told: every run starts on the plateau).
	Plateau, Stuck bool
	Streak         int  // successive fitting checks, this one included
	Met            bool // Streak reached FitStreak (now or earlier in this run)
	// Restart: the policy says restart now (the plateau persisted, or
	// RestartAfter steps passed; the run never met the criterion; restarts
	// are left). Cause says which: RestartPlateau or RestartNoFit.
	Restart bool
	Cause   string
}

// Restart causes (Check.Cause, Run.RestartCauses).
const (
	// RestartPlateau: the run stayed on the fair-coin plateau.
	RestartPlateau = "plateau"
	// RestartNoFit: the run had not met the criterion after
	// Monitor.RestartAfter steps.
	RestartNoFit = "no fit"
)

func (c Check) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "freq %s  changes/seq %.2f ", fmtVec(c.Report.RNN.Freq), c.Report.RNN.Volatility)
	for _, f := range c.Figures {
		fmt.Fprintf(&b, " %s %.3f (< %g, floor %.3f)", f.Name, f.Value, f.Limit, f.Floor)
	}
	fmt.Fprintf(&b, "  independence %.2f (HMM %.2f)", c.Independence, c.HMMIndependence)
	if c.Fit {
		b.WriteString("  FIT")
	}
	if c.Plateau {
		b.WriteString("  PLATEAU")
	}
	return b.String()
}

func fmtVec(v []float64) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = fmt.Sprintf("%.3f", x)
	}
	return "[" + strings.Join(s, " ") + "]"
}

// Plateaued reports whether the symbols rnn summarises look like the
// fair-coin plateau of core/METHOD.md section 3 when the HMM's look like
// hmmSample: less than plateauFraction of the way from independent symbols
// (Independence 1) to the HMM's persistence. Escapes can be gradual (fully3
// at H 150 went from 1 to 0.58 over steps 2000-2800), so halfway would
// restart runs that are escaping.
func Plateaued(rnn, hmmSample stats.Basic) bool {
	return Independence(rnn) > 1-plateauFraction*(1-Independence(hmmSample))
}

// Independence is volatility / ((T-1)(1 - sum p²)), the ratio of observed
// output changes to those of independent draws with the same frequencies
// (stats.Persistence of the changes per step): 1 for temporally
// independent symbols, small for persistent ones.
func Independence(b stats.Basic) float64 {
	if b.T < 2 {
		return 0
	}
	return stats.Persistence(b.Volatility/float64(b.T-1), b.Freq)
}

// due reports whether a check is due after step.
func (m *Monitor) due(step int) bool { return m.Every > 0 && step%m.Every == 0 }

// confirmSeed offsets the Evaluate seed of a pass's confirmation from the
// check's (the trainer's seed), so the confirmation draws other RNN and HMM
// samples; 1<<32 keeps it clear of the neighbouring seeds restarts use.
const confirmSeed = 1 << 32

// Judge applies the criterion and the plateau test to a report of a
// network trained for step steps (see Check for plateau and stuck).
func (m *Monitor) Judge(rep *stats.Report, step int) (v Verdict, plateau, stuck bool) {
	crit := m.Criterion
	if crit == nil {
		crit = DefaultCriterion
	}
	v = crit(rep)
	plateau = !v.Fit && Plateaued(rep.RNN, rep.Sample)
	return v, plateau, plateau && step >= m.PlateauAfter
}

// Assess evaluates net (Evaluate with seed, m.Samples sequences of length
// T at noise level sigma, no matched distances) and judges it as trained
// for step steps. A pass is confirmed on a second, independent sample of
// the same size (Evaluate's seed + confirmSeed): the network fits only if
// both samples meet the criterion, and when the second does not, its
// report and verdict are returned. Sampling luck cannot make a pass: at
// the page's 512 sequences a limit may be twice a figure's noise floor
// (stats.FitNoiseFactor), and one sample can fall under it by chance. Every
// check of a run draws the same noise (common random numbers), so
// successive checks differ by the weights only. The page's statistics of a
// loaded network and every training check judge this way.
func (m *Monitor) Assess(net *rnn.Net, h *hmm.HMM, sigma float64, T int, seed uint64, step int) (*stats.Report, Verdict, bool, bool, error) {
	opt := stats.Options{SkipMatch: true}
	rep, err := Evaluate(net, h, sigma, m.Samples, T, seed, opt)
	if err != nil {
		return nil, Verdict{}, false, false, err
	}
	v, plateau, stuck := m.Judge(rep, step)
	if !v.Fit {
		return rep, v, plateau, stuck, nil
	}
	conf, err := Evaluate(net, h, sigma, m.Samples, T, seed+confirmSeed, opt)
	if err != nil {
		return nil, Verdict{}, false, false, fmt.Errorf("confirming the fit: %w", err)
	}
	if cv, cp, cs := m.Judge(conf, step); !cv.Fit {
		return conf, cv, cp, cs, nil
	}
	return rep, v, plateau, stuck, nil
}

// Check evaluates t's network (Assess, with the run's seed and noise
// level at its trained length) and updates the run's state: the fit
// streak, the plateau count and the restart decision.
func (m *Monitor) Check(t *Trainer) (Check, error) {
	if t == nil {
		return Check{}, errors.New("train: monitor: no trainer")
	}
	cfg := t.Config()
	rep, v, plateau, stuck, err := m.Assess(t.Net(), cfg.HMM, cfg.NoiseStd, cfg.SeqLen, cfg.Seed, t.StepCount())
	if err != nil {
		return Check{}, fmt.Errorf("train: check at step %d: %w", t.StepCount(), err)
	}
	c := Check{Step: t.StepCount(), Report: rep, Verdict: v, Plateau: plateau, Stuck: stuck,
		Independence: Independence(rep.RNN), HMMIndependence: Independence(rep.Sample)}
	if v.Fit {
		m.streak++
	} else {
		m.streak = 0
	}
	if plateau {
		m.hits++
	} else {
		m.hits = 0
	}
	m.met = m.met || m.streak >= m.FitStreak
	c.Streak, c.Met = m.streak, m.met
	if !m.met && m.restarts < m.MaxRestarts {
		switch {
		case stuck && m.hits >= m.PlateauChecks:
			c.Restart, c.Cause = true, RestartPlateau
		case m.RestartAfter > 0 && c.Step >= m.RestartAfter:
			c.Restart, c.Cause = true, RestartNoFit
		}
	}
	return c, nil
}

// restart returns a fresh run of t's configuration with the next seed (the
// plateau is escaped by chance, so a new initialisation is the remedy),
// keeping t's helper, and resets the run's state but the restart count.
// The seed sequence is fixed: seed, seed+1, seed+2, ...
func (m *Monitor) restart(t *Trainer) (*Trainer, error) {
	c := t.Config()
	c.Seed++
	next, err := New(c)
	if err != nil {
		return nil, err
	}
	next.SetHelper(t.helper)
	m.restarts++
	m.streak, m.hits, m.met = 0, 0, false
	return next, nil
}
