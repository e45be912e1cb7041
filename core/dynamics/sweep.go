package dynamics

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"hmmrnn/core/rnn"
)

// Target holds the exact emission statistics of the HMM an RNN emulates
// (from hmm.Exact), the reference of the emission-fidelity numbers.
type Target struct {
	Freq    []float64   // P(o = k)
	Trans   [][]float64 // P(o_t = j | o_{t-1} = i)
	Changes float64     // expected output changes per sequence
	SeqLen  int         // T
}

// Fidelity compares emitted sequences with a Target.
type Fidelity struct {
	Freq    []float64 `json:"freq"`
	Changes float64   `json:"changes"` // mean changes per sequence
	// FreqDiff is max_k |freq_k - target_k|; TransDiff the mean absolute
	// difference of the transition-matrix entries over the rows of symbols
	// with target frequency >= wellSampled (METHOD 3 pitfalls: rare outputs'
	// rows are noise); ChangesDiff = Changes - target.
	FreqDiff    float64 `json:"freq_diff"`
	TransDiff   float64 `json:"trans_diff"`
	ChangesDiff float64 `json:"changes_diff"`
}

// wellSampled is the target frequency below which an output's transition
// row is left out of TransDiff (output 1 of the linear chains has 0.01).
const wellSampled = 0.05

// Emit draws nSeq sequences of length T the way the trained network emits
// them (METHOD 2: h_0 = 0, hard Gumbel sampling of the logits), row-major
// nSeq*T. Per step the noise of every chain is drawn first, then the Gumbel
// variables of every chain.
func Emit(sim *Sim, r *rand.Rand, nSeq, T int) ([]uint8, error) {
	if sim == nil || r == nil {
		return nil, errors.New("dynamics: nil simulator or random source")
	}
	if nSeq <= 0 || T <= 0 {
		return nil, fmt.Errorf("dynamics: need nSeq > 0 and T > 0, got %d, %d", nSeq, T)
	}
	net := sim.Net
	H, O := net.H, net.O
	h := make([]float64, nSeq*H)
	next := make([]float64, nSeq*H)
	lg := make([]float64, nSeq*O)
	obs := make([]uint8, nSeq*T)
	for t := 0; t < T; t++ {
		x := sim.drawNoise(r, nSeq)
		sim.step(next, h, nSeq, x)
		h, next = next, h
		logits(lg, h, net, nSeq)
		for b := 0; b < nSeq; b++ {
			l := lg[b*O : (b+1)*O]
			best, bv := 0, math.Inf(-1)
			for k, v := range l {
				if g := v + gumbel(r); g > bv {
					best, bv = k, g
				}
			}
			obs[b*T+t] = uint8(best)
		}
	}
	return obs, nil
}

func gumbel(r *rand.Rand) float64 {
	u := r.Float64()
	for u == 0 {
		u = r.Float64()
	}
	return -math.Log(-math.Log(u))
}

// CompareEmission measures the fidelity of sequences (nSeq x T) to tg.
func CompareEmission(obs []uint8, nSeq, T, O int, tg Target) (Fidelity, error) {
	if nSeq <= 0 || T <= 0 || len(obs) != nSeq*T {
		return Fidelity{}, fmt.Errorf("dynamics: %d symbols is not %d sequences of %d", len(obs), nSeq, T)
	}
	if len(tg.Freq) != O || len(tg.Trans) != O {
		return Fidelity{}, fmt.Errorf("dynamics: target has %d frequencies and %d transition rows, want O = %d", len(tg.Freq), len(tg.Trans), O)
	}
	f := Fidelity{Freq: make([]float64, O)}
	pairs := make([]float64, O*O)
	for s := 0; s < nSeq; s++ {
		seq := obs[s*T : (s+1)*T]
		for t, o := range seq {
			if int(o) >= O {
				return Fidelity{}, fmt.Errorf("dynamics: symbol %d out of range [0, %d)", o, O)
			}
			f.Freq[o]++
			if t > 0 {
				pairs[int(seq[t-1])*O+int(o)]++
				if o != seq[t-1] {
					f.Changes++
				}
			}
		}
	}
	for k := range f.Freq {
		f.Freq[k] /= float64(nSeq * T)
		f.FreqDiff = math.Max(f.FreqDiff, math.Abs(f.Freq[k]-tg.Freq[k]))
	}
	f.Changes /= float64(nSeq)
	f.ChangesDiff = f.Changes - tg.Changes
	var n int
	for i := 0; i < O; i++ {
		if tg.Freq[i] < wellSampled {
			continue
		}
		var row float64
		for j := 0; j < O; j++ {
			row += pairs[i*O+j]
		}
		if len(tg.Trans[i]) != O {
			return Fidelity{}, fmt.Errorf("dynamics: target transition row %d has %d entries, want %d", i, len(tg.Trans[i]), O)
		}
		for j := 0; j < O; j++ {
			p := 0.0
			if row > 0 {
				p = pairs[i*O+j] / row
			}
			f.TransDiff += math.Abs(p - tg.Trans[i][j])
			n++
		}
	}
	if n > 0 {
		f.TransDiff /= float64(n)
	}
	return f, nil
}

// SweepOptions tune NoiseSweep.
type SweepOptions struct {
	// Sigmas are the noise levels (default DefaultResonanceSigmas).
	Sigmas []float64
	// Steps per level (default SweepSteps = 10,000, METHOD 5.3), run as
	// Chains chains (default 10) of Steps/Chains steps each after a warm-up
	// of PCAWarmup steps from h = 0.
	Steps, Chains int
	// Bins is the side of the PC1-PC2 density grid (default 40).
	Bins int
	// Target, when not nil, adds the emission fidelity of FidelitySeqs
	// sequences (default 500) of length Target.SeqLen per level.
	Target       *Target
	FidelitySeqs int
	// Iv is an intervention applied at every level.
	Iv Intervention
}

// SweepLevel is one noise level of the sweep.
type SweepLevel struct {
	Sigma float64 `json:"sigma"`
	// Rate is the argmax-output switches per step.
	Rate float64 `json:"transition_rate"`
	// Spread is the mean distance of the states to their mean.
	Spread float64 `json:"spread"`
	// Density is the normalised histogram of the run on the common PC1-PC2
	// grid (Bins x Bins, row = PC2 bin, column = PC1 bin).
	Density  []float64 `json:"density"`
	Fidelity *Fidelity `json:"fidelity,omitempty"`
	// Proj holds the PC1, PC2 coordinates of the states (for figures).
	Proj []float64 `json:"-"`
}

// Sweep is the noise-level sweep and its stochastic-resonance curve.
type Sweep struct {
	Levels []SweepLevel `json:"levels"`
	Bins   int          `json:"bins"`
	// The density grid covers [X0, X1] x [Y0, Y1] in PC1-PC2.
	X0 float64 `json:"x0"`
	X1 float64 `json:"x1"`
	Y0 float64 `json:"y0"`
	Y1 float64 `json:"y1"`
	// BestSigma is the level whose emission is closest to the HMM (smallest
	// TransDiff + FreqDiff + |ChangesDiff|/SeqLen); 0 without a target.
	BestSigma float64 `json:"best_sigma"`
}

// NoiseSweep runs the network at several noise levels (METHOD 5.3): density
// of the run in the PC1-PC2 plane of pca, transition rate (the
// stochastic-resonance curve) and, with a target, emission fidelity.
func NoiseSweep(net *rnn.Net, r *rand.Rand, pca *PCA, opt SweepOptions) (*Sweep, error) {
	if pca == nil || pca.K < 2 {
		return nil, errors.New("dynamics: noise sweep needs a PCA with >= 2 components")
	}
	if r == nil {
		return nil, errors.New("dynamics: nil random source")
	}
	sigmas := opt.Sigmas
	if len(sigmas) == 0 {
		sigmas = DefaultResonanceSigmas
	}
	steps, chains, bins := opt.Steps, opt.Chains, opt.Bins
	if steps <= 0 {
		steps = SweepSteps
	}
	if chains <= 0 {
		chains = 10
	}
	if bins <= 0 {
		bins = 40
	}
	per := max(2, steps/chains)
	nfs := opt.FidelitySeqs
	if nfs <= 0 {
		nfs = 500
	}
	sw := &Sweep{Bins: bins, X0: math.Inf(1), X1: math.Inf(-1), Y0: math.Inf(1), Y1: math.Inf(-1)}
	for _, sigma := range sigmas {
		sim, err := NewSim(net, sigma, opt.Iv)
		if err != nil {
			return nil, err
		}
		warm, err := sim.SimulateBatch(r, chains, PCAWarmup, nil, false)
		if err != nil {
			return nil, err
		}
		h0 := make([]float64, 0, chains*net.H)
		for _, w := range warm {
			h0 = append(h0, w.State(w.T-1)...)
		}
		runs, err := sim.SimulateBatch(r, chains, per, h0, false)
		if err != nil {
			return nil, err
		}
		lv := SweepLevel{Sigma: sigma, Rate: TransitionRate(runs...)}
		var all []float64
		for _, run := range runs {
			p := pca.Project(run.States, run.T)
			for t := 0; t < run.T; t++ {
				all = append(all, p[t*pca.K], p[t*pca.K+1])
			}
			lv.Spread += meanDistToMean(run.States, run.T, run.H) / float64(len(runs))
		}
		lv.Proj = all
		for i := 0; i < len(all); i += 2 {
			sw.X0, sw.X1 = math.Min(sw.X0, all[i]), math.Max(sw.X1, all[i])
			sw.Y0, sw.Y1 = math.Min(sw.Y0, all[i+1]), math.Max(sw.Y1, all[i+1])
		}
		if opt.Target != nil {
			T := opt.Target.SeqLen
			if T <= 0 {
				return nil, errors.New("dynamics: target sequence length must be positive")
			}
			obs, err := Emit(sim, r, nfs, T)
			if err != nil {
				return nil, err
			}
			f, err := CompareEmission(obs, nfs, T, net.O, *opt.Target)
			if err != nil {
				return nil, err
			}
			lv.Fidelity = &f
		}
		sw.Levels = append(sw.Levels, lv)
	}
	if sw.X1 <= sw.X0 {
		sw.X0, sw.X1 = sw.X0-1, sw.X0+1
	}
	if sw.Y1 <= sw.Y0 {
		sw.Y0, sw.Y1 = sw.Y0-1, sw.Y0+1
	}
	best := math.Inf(1)
	for i := range sw.Levels {
		lv := &sw.Levels[i]
		lv.Density = make([]float64, bins*bins)
		n := len(lv.Proj) / 2
		for k := 0; k < n; k++ {
			cx := binOf(lv.Proj[2*k], sw.X0, sw.X1, bins)
			cy := binOf(lv.Proj[2*k+1], sw.Y0, sw.Y1, bins)
			lv.Density[cy*bins+cx] += 1 / float64(n)
		}
		if f := lv.Fidelity; f != nil {
			score := f.TransDiff + f.FreqDiff + math.Abs(f.ChangesDiff)/float64(opt.Target.SeqLen)
			if score < best {
				best, sw.BestSigma = score, lv.Sigma
			}
		}
	}
	return sw, nil
}

func binOf(v, lo, hi float64, bins int) int {
	b := int((v - lo) / (hi - lo) * float64(bins))
	return max(0, min(bins-1, b))
}

func meanDistToMean(states []float64, T, H int) float64 {
	mean := make([]float64, H)
	for t := 0; t < T; t++ {
		for i, v := range states[t*H : (t+1)*H] {
			mean[i] += v / float64(T)
		}
	}
	var s float64
	for t := 0; t < T; t++ {
		s += dist(states[t*H:(t+1)*H], mean) / float64(T)
	}
	return s
}
