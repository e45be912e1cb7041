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

// NoiseScanOptions tune ScanNoise.
type NoiseScanOptions struct {
	// Sigmas are the noise levels (default DefaultResonanceSigmas).
	Sigmas []float64
	// Steps per level (default NoiseScanSteps = 10,000, arXiv 2510.25674
	// section 5.3), run as Chains chains (default 10) of Steps/Chains steps
	// each after a warm-up of PCAWarmup steps from h = 0.
	Steps, Chains int
	// Bins is the side of the PC1-PC2 density grid (default 40).
	Bins int
	// HMM, when not nil, adds per level the emission fidelity
	// (stats.EmissionFidelity) of FidelitySeqs sequences (default 500) of
	// length HMM.SeqLen emitted by the network (rnn.Net.Sample) against
	// the HMM's exact statistics.
	HMM          *hmm.HMM
	FidelitySeqs int
}

// NoiseLevel is one noise level of the scan.
type NoiseLevel struct {
	Sigma float64 `json:"sigma"`
	// Rate is the argmax-output switches per step.
	Rate float64 `json:"transition_rate"`
	// Spread is the mean distance of the states to their mean.
	Spread float64 `json:"spread"`
	// Density is the normalised histogram of the run on the common PC1-PC2
	// grid (Bins x Bins, row = PC2 bin, column = PC1 bin).
	Density  []float64          `json:"density"`
	Fidelity *stats.EmissionFit `json:"fidelity,omitempty"`
	// Proj holds the PC1, PC2 coordinates of the states (for figures).
	Proj []float64 `json:"-"`
}

// NoiseScan is the noise-level scan and its stochastic-resonance curve.
type NoiseScan struct {
	Levels []NoiseLevel `json:"levels"`
	Bins   int          `json:"bins"`
	// The density grid covers [X0, X1] x [Y0, Y1] in PC1-PC2.
	X0 float64 `json:"x0"`
	X1 float64 `json:"x1"`
	Y0 float64 `json:"y0"`
	Y1 float64 `json:"y1"`
	// BestSigma is the level whose emission is closest to the HMM (smallest
	// TransDiff + FreqDiff + |ChangesDiff|/SeqLen); 0 without an HMM.
	BestSigma float64 `json:"best_sigma"`
}

// ScanNoise runs the network at several noise levels (arXiv 2510.25674
// section 5.3): density of the run in the PC1-PC2 plane of pca, transition
// rate (the stochastic-resonance curve) and, with an HMM, emission
// fidelity. (A scan of one network over noise levels; core/sweep is a grid
// of networks.)
func ScanNoise(net *rnn.Net, r *rand.Rand, pca *PCA, opt NoiseScanOptions) (*NoiseScan, error) {
	if pca == nil || pca.K < 2 {
		return nil, errors.New("dynamics: noise scan needs a PCA with >= 2 components")
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
		steps = NoiseScanSteps
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
	var ex hmm.Exact
	if opt.HMM != nil {
		if opt.HMM.Outputs() != net.O || opt.HMM.SeqLen <= 0 {
			return nil, fmt.Errorf("dynamics: noise scan: HMM has %d outputs and sequence length %d, want %d outputs and a positive length", opt.HMM.Outputs(), opt.HMM.SeqLen, net.O)
		}
		ex = opt.HMM.Exact(opt.HMM.SeqLen)
	}
	sw := &NoiseScan{Bins: bins, X0: math.Inf(1), X1: math.Inf(-1), Y0: math.Inf(1), Y1: math.Inf(-1)}
	for _, sigma := range sigmas {
		lv, runs, err := noiseLevel(net, r, sigma, chains, per, 0, Intervention{}, opt.HMM, ex, nfs)
		if err != nil {
			return nil, err
		}
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
			if score := fitScore(f, opt.HMM.SeqLen); score < best {
				best, sw.BestSigma = score, lv.Sigma
			}
		}
	}
	return sw, nil
}

// noiseLevel runs one noise level of ScanNoise and Resonance: chains
// chains of per steps after a warm-up of PCAWarmup steps from h = 0, or,
// with horizon > 0, chains*per/horizon runs of horizon steps from h0 = 0
// (rate); then, with an HMM (ex its exact statistics at its SeqLen), the
// emission fidelity of nfs sequences. It returns the level (without
// densities) and the runs.
func noiseLevel(net *rnn.Net, r *rand.Rand, sigma float64, chains, per, horizon int, iv Intervention, h *hmm.HMM, ex hmm.Exact, nfs int) (NoiseLevel, []*Run, error) {
	sim, err := NewSim(net, sigma, iv)
	if err != nil {
		return NoiseLevel{}, nil, err
	}
	var runs []*Run
	if horizon > 0 {
		if runs, err = sim.SimulateBatch(r, max(1, chains*per/horizon), horizon, nil, false); err != nil {
			return NoiseLevel{}, nil, err
		}
	} else {
		warm, err := sim.SimulateBatch(r, chains, PCAWarmup, nil, false)
		if err != nil {
			return NoiseLevel{}, nil, err
		}
		h0 := make([]float64, 0, chains*net.H)
		for _, w := range warm {
			h0 = append(h0, w.State(w.T-1)...)
		}
		if runs, err = sim.SimulateBatch(r, chains, per, h0, false); err != nil {
			return NoiseLevel{}, nil, err
		}
	}
	lv := NoiseLevel{Sigma: sigma, Rate: TransitionRate(runs...)}
	if h != nil {
		T, O := h.SeqLen, net.O
		obs := scaledNet(net, iv).Sample(r, nfs, T, sigma)
		hobs, _ := h.Sample(r, nfs, T)
		f := stats.EmissionFidelity(stats.Summary(obs, nfs, T, O), stats.Summary(hobs, nfs, T, O), ex)
		lv.Fidelity = &f
	}
	return lv, runs, nil
}

// scaledNet returns net with the intervention folded into its weights:
// MuRec ⊙ (W_hh h) = (diag(MuRec) W_hh) h, and the same for W_in, so
// rnn.Net.Sample emits what the intervened network emits. Without an
// intervention it is net itself.
func scaledNet(net *rnn.Net, iv Intervention) *rnn.Net {
	if iv.MuRec == nil && iv.MuNoise == nil {
		return net
	}
	n := net.Clone()
	for i := range n.H {
		if iv.MuRec != nil {
			for j := range n.H {
				n.Whh[i*n.H+j] *= iv.MuRec[i]
			}
		}
		if iv.MuNoise != nil {
			for j := range n.D {
				n.Win[i*n.D+j] *= iv.MuNoise[i]
			}
		}
	}
	return n
}

// fitScore sums an emission fit's differences into one error, 0 = the
// HMM's statistics: TransDiff + FreqDiff + |ChangesDiff| / T (changes per
// sequence turned into changes per step).
func fitScore(f *stats.EmissionFit, T int) float64 {
	return f.TransDiff + f.FreqDiff + math.Abs(f.ChangesDiff)/float64(T)
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
