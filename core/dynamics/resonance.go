package dynamics

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"hmmrnn/core/hmm"
	"hmmrnn/core/rnn"
	"hmmrnn/core/stats"
)

// Live defaults of the stochastic-resonance curve: fewer and shorter runs
// than ScanNoise's offline 10 x 1,000 steps and 500 sequences, about
// 10,000 network steps per level: 90-190 ms per level of the demo network
// (H 50, D 10) natively, measured on the shared 2-core machine under heavy
// load (GOMAXPROCS=1, load average ~30). At a rate of ~0.04 switches per
// step, 8 x 500 steps hold ~160 switches: a relative standard error of ~8%.
const (
	ResonanceChains = 8
	ResonanceSteps  = 500 // per chain, after the warm-up
	ResonanceSeqs   = 200 // emitted sequences per level for the fidelity
)

// ResonanceOptions tune a Resonance; zero fields take the defaults above
// and DefaultResonanceSigmas.
type ResonanceOptions struct {
	Sigmas        []float64
	Chains, Steps int
	// HMM, when not nil, adds per level the emission fidelity
	// (stats.EmissionFidelity) of Seqs sequences of length HMM.SeqLen
	// against the HMM's exact statistics.
	HMM  *hmm.HMM
	Seqs int
	// Iv is applied at every level (e.g. a silenced unit).
	Iv Intervention
	// Horizon > 0 measures the rate on Chains*Steps/Horizon runs of
	// Horizon steps from h0 = 0 instead of long chains: for a network
	// whose long runs diverge (the portrait then shows such runs too, see
	// core/scene/portrait's SourceHorizon), so both describe what it does
	// over its trained horizon.
	Horizon int
}

// ResonancePoint is one noise level of the stochastic-resonance curve
// (core/METHOD.md section 5.3: transition rate versus sigma).
type ResonancePoint struct {
	Sigma float64 `json:"sigma"`
	Rate  float64 `json:"transition_rate"` // output switches per step
	// Fidelity is the emission fidelity at this level and Error the sum
	// of its differences, TransDiff + FreqDiff + |ChangesDiff|/T (0 = the
	// HMM's statistics; NoiseScan.BestSigma minimises the same sum); nil
	// and 0 without an HMM.
	Fidelity *stats.EmissionFit `json:"fidelity,omitempty"`
	Error    float64            `json:"error"`
}

// Resonance computes the stochastic-resonance curve of a network one noise
// level at a time, so that a caller with a time budget (the browser's
// worker, between training slices) can draw it as it grows. Each level has
// its own random stream derived from the seed and the level's index, so a
// point does not depend on how the curve was cut into calls, and the same
// seed gives the same curve.
type Resonance struct {
	net  *rnn.Net
	seed uint64
	opt  ResonanceOptions
	ex   hmm.Exact
	next int
}

// NewResonance checks its inputs and returns the curve, no level computed.
func NewResonance(net *rnn.Net, seed uint64, opt ResonanceOptions) (*Resonance, error) {
	if net == nil {
		return nil, errors.New("dynamics: resonance: nil network")
	}
	if err := checkNet(net); err != nil {
		return nil, err
	}
	if len(opt.Sigmas) == 0 {
		opt.Sigmas = DefaultResonanceSigmas
	}
	for i, s := range opt.Sigmas {
		if math.IsNaN(s) || math.IsInf(s, 0) || s < 0 {
			return nil, fmt.Errorf("dynamics: resonance: noise level %d is %v, want finite and >= 0", i, s)
		}
	}
	if opt.Horizon < 0 {
		return nil, fmt.Errorf("dynamics: resonance: horizon %d, want >= 0", opt.Horizon)
	}
	if opt.HMM != nil && (opt.HMM.Outputs() != net.O || opt.HMM.SeqLen <= 0) {
		return nil, fmt.Errorf("dynamics: resonance: HMM has %d outputs and sequence length %d, want %d outputs and a positive length", opt.HMM.Outputs(), opt.HMM.SeqLen, net.O)
	}
	if opt.Chains <= 0 {
		opt.Chains = ResonanceChains
	}
	if opt.Steps <= 0 {
		opt.Steps = ResonanceSteps
	}
	if opt.Seqs <= 0 {
		opt.Seqs = ResonanceSeqs
	}
	opt.Sigmas = append([]float64(nil), opt.Sigmas...)
	c := &Resonance{net: net, seed: seed, opt: opt}
	if opt.HMM != nil {
		c.ex = opt.HMM.Exact(opt.HMM.SeqLen)
	}
	return c, nil
}

// Sigmas returns the noise levels of the curve, in the order Next
// computes them.
func (c *Resonance) Sigmas() []float64 { return append([]float64(nil), c.opt.Sigmas...) }

// Done reports whether every level has been computed.
func (c *Resonance) Done() bool { return c.next >= len(c.opt.Sigmas) }

// Next computes the next level; ok is false once all are done.
func (c *Resonance) Next() (p ResonancePoint, ok bool, err error) {
	if c.Done() {
		return ResonancePoint{}, false, nil
	}
	k := c.next
	c.next++
	sigma := c.opt.Sigmas[k]
	r := rand.New(rand.NewPCG(c.seed, uint64(k)))
	lv, _, err := noiseLevel(c.net, r, sigma, c.opt.Chains, c.opt.Steps, c.opt.Horizon, c.opt.Iv, c.opt.HMM, c.ex, c.opt.Seqs)
	if err != nil {
		return ResonancePoint{}, false, fmt.Errorf("dynamics: resonance at sigma %g: %w", sigma, err)
	}
	p = ResonancePoint{Sigma: sigma, Rate: lv.Rate, Fidelity: lv.Fidelity}
	if lv.Fidelity != nil {
		p.Error = fitScore(lv.Fidelity, c.opt.HMM.SeqLen)
	}
	return p, true, nil
}
