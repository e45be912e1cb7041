package train

import (
	"fmt"
	"math/rand/v2"

	"hmmrnn/core/hmm"
	"hmmrnn/core/stats"
)

// Monitor defaults.
const (
	// DefaultCheckSamples is the number of sequences sampled from the RNN and
	// the HMM at each check (the peer's eval size).
	DefaultCheckSamples = 2000
	// DefaultPlateauAfter is how many steps a run may look temporally
	// independent before it counts as stuck on the fair-coin plateau. Runs
	// of the 2-state chain at H=50, D=10, B=256 escape it, when they do,
	// within 1,300-3,400 steps (METHOD.md section 3).
	DefaultPlateauAfter = 3000
)

// plateauFraction is how far (as a fraction of the way from independent
// symbols to the HMM) a run must have moved not to count as stuck.
const plateauFraction = 0.25

// Monitor checks a run's emitted sequences against the HMM every Every
// steps: the fidelity criterion of stats.FidelityBasic and the fair-coin
// plateau (METHOD.md section 3, "Pitfalls").
type Monitor struct {
	Every        int    // steps between checks; 0 disables
	Samples      int    // sequences per check (0: DefaultCheckSamples)
	PlateauAfter int    // 0: DefaultPlateauAfter
	Seed         uint64 // seeds the check's sampling

	hmmKey *hmm.HMM
	T      int
	ref    stats.Basic
	exact  hmm.Exact
	r      *rand.Rand
}

// Check is the outcome of one check.
type Check struct {
	Step int
	RNN  stats.Basic
	// Fit is the engine's fidelity criterion against the exact HMM values.
	Fit           bool
	DTrans, DFreq float64
	// Independence is the RNN's volatility divided by that of independent
	// symbols with the same frequencies: about 1 at initialisation and on
	// the fair-coin plateau, the HMM's own value (HMMIndependence) once the
	// temporal structure is learnt.
	Independence, HMMIndependence float64
	// Plateau reports that the run still emits temporally independent
	// symbols after PlateauAfter steps.
	Plateau bool
}

func (c Check) String() string {
	s := fmt.Sprintf("freq %s  changes/seq %.2f  dTrans %.3f dFreq %.3f  independence %.2f (HMM %.2f)",
		fmtVec(c.RNN.Freq), c.RNN.Volatility, c.DTrans, c.DFreq, c.Independence, c.HMMIndependence)
	if c.Fit {
		s += "  FIT"
	}
	if c.Plateau {
		s += "  PLATEAU"
	}
	return s
}

func fmtVec(v []float64) string {
	s := "["
	for i, x := range v {
		if i > 0 {
			s += " "
		}
		s += fmt.Sprintf("%.3f", x)
	}
	return s + "]"
}

// Plateaued reports whether the symbols rnn summarises look like the
// fair-coin plateau of METHOD.md section 3 when the HMM's look like
// hmmSample: less than plateauFraction of the way from independent symbols
// (Independence 1) to the HMM's persistence. Escapes can be gradual (fully3
// at H 150 went from 1 to 0.58 over steps 2000-2800), so halfway would
// restart runs that are escaping. Callers decide how long a run may stay
// there (Monitor: PlateauAfter steps).
func Plateaued(rnn, hmmSample stats.Basic) bool {
	return Independence(rnn) > 1-plateauFraction*(1-Independence(hmmSample))
}

// Due reports whether a check is due after step.
func (m *Monitor) Due(step int) bool { return m.Every > 0 && step%m.Every == 0 }

// Independence is volatility / ((T-1)(1 - sum p²)), the ratio of observed
// output changes to those of independent draws with the same frequencies:
// 1 for temporally independent symbols, small for persistent ones.
func Independence(b stats.Basic) float64 {
	var q float64
	for _, p := range b.Freq {
		q += p * p
	}
	iid := float64(b.T-1) * (1 - q)
	if iid <= 0 {
		return 0
	}
	return b.Volatility / iid
}

// Check samples the trainer's current network and judges it.
func (m *Monitor) Check(t *Trainer) (Check, error) {
	c := t.Config()
	n := m.Samples
	if n <= 0 {
		n = DefaultCheckSamples
	}
	if m.hmmKey != c.HMM || m.T != c.SeqLen || m.r == nil {
		m.hmmKey, m.T = c.HMM, c.SeqLen
		hr := rand.New(rand.NewPCG(m.Seed, 201))
		obs, _ := c.HMM.Sample(hr, n, c.SeqLen)
		m.ref = stats.Summary(obs, n, c.SeqLen, c.HMM.Outputs())
		m.exact = c.HMM.Exact(c.SeqLen)
		m.r = rand.New(rand.NewPCG(m.Seed, 202))
	}
	obs := t.Net().Sample(m.r, n, c.SeqLen, c.NoiseStd)
	b := stats.Summary(obs, n, c.SeqLen, c.HMM.Outputs())
	ok, dT, dF := stats.FidelityBasic(b, m.ref, m.exact)
	ch := Check{Step: t.StepCount(), RNN: b, Fit: ok, DTrans: dT, DFreq: dF,
		Independence: Independence(b), HMMIndependence: Independence(m.ref)}
	after := m.PlateauAfter
	if after <= 0 {
		after = DefaultPlateauAfter
	}
	ch.Plateau = !ok && t.StepCount() >= after && Plateaued(b, m.ref)
	return ch, nil
}

// Restart returns a fresh run of t's configuration with the next seed: the
// plateau is escaped by chance, so a new initialisation is the remedy.
func (m *Monitor) Restart(t *Trainer) (*Trainer, error) {
	c := t.Config()
	c.Seed++
	return New(c)
}
