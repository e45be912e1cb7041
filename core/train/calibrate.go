package train

import (
	"fmt"
	"math"
	"math/rand/v2"

	"hmmrnn/core/dynamics"
	"hmmrnn/core/hmm"
	"hmmrnn/core/rnn"
	"hmmrnn/core/stats"
)

// Readout calibration (Config.CalibrateReadout): the sharpness of the
// readout the network emits with (rnn.Readout: the choice between the
// frequent symbols drawn from softmax(g l), the rare ones at their trained
// probability), fitted to the HMM by the fit criterion's figures.
//
// Why: the network's outputs do not feed back into its dynamics (h_t is
// driven by the noise only, core/METHOD.md section 2), so a gain g on the
// logits changes nothing but how sharply the emitted symbol follows the
// logits' argmax: the dynamics, the argmax outputs and the phase portrait
// stay the same. The paper's loss hardly sees that sharpness: a
// readout that leaves a few percent on the wrong symbol where the state
// crosses from one cluster to the other makes one-step blips (linear2 at
// the demo settings: 1.8-2.7% of emitted symbols off the argmax, most of
// them within two steps of an argmax change) that cost about one unit of
// Hamming distance each, less than the batch's own mismatch between
// sequences whose switches fall at different steps, and the
// straight-through gradient to a logit is proportional to its small
// probability. So the blips stay, and they fail the fit criterion's
// volatility and dwell figures. The calibration measures the figures they
// move on runs of the network and picks the gain with which the emitted
// symbols fit the HMM best (ReadoutGain). It is temperature scaling (Guo, Pleiss,
// Sun and Weinberger 2017, "On calibration of modern neural networks",
// ICML, section 4.2: one scalar fitted after training on held-out data)
// with samples of the HMM as the held-out data. As there, the gain is
// fitted to the trained weights and applied to what the network emits,
// never to the weights that training updates (Trainer.Net). Unlike there,
// the gain leaves the rare symbols (RareSymbols) their trained
// probability: one gain on every logit removed the 2-state chain's rare
// symbol with the blips (rnn.Readout says why).
const (
	// calibrateEvery is the number of steps between calibrations: often
	// enough that the readout's sharpness follows training (the monitor
	// checks every 100-250 steps), rare enough to cost a few percent of
	// the steps (measured natively at H 50, T 30, when its runs were
	// simulated one by one: one calibration 106 ms, about 1 ms per step
	// against a 20-27 ms step).
	calibrateEvery = 100
	// calibrateRuns is the number of runs simulated per calibration: the
	// changes per sequence of linear2 (T 30, ~1.5 with a standard
	// deviation of ~1.3) are then known to ~3%, a fifth of the fit
	// criterion's volatility tolerance.
	calibrateRuns = 1000
	// readoutNoiseFloor is the mean off-argmax probability past which no
	// larger gain is tried: at 0.5% the blips move the changes per
	// sequence of a 30-step sequence by at most 0.15, and sharper readouts
	// differ from it by the sampling noise of the calibration's runs.
	readoutNoiseFloor = 0.005
	// argmaxBand is how far, relative to the HMM's, the argmax outputs'
	// changes per sequence may be from the HMM's for the readout to be
	// calibrated: the dynamics must already switch about as often as the
	// HMM, so that the blips are what is left to remove. Further off, a
	// gain fitted to the emitted symbols could let the readout's blips
	// stand in for switches the dynamics do not make (argmax changes too
	// few), or sharpen a network still on the fair-coin plateau (too
	// many). 25% is the fit criterion's volatility tolerance (15%) with
	// room for the blips' share that the calibration is there to remove.
	// (While the gain was applied to the trained weights, a looser band let
	// it stall training: see Trainer.Net.)
	argmaxBand = 0.25
)

// readoutGains are the gains a calibration tries, in increasing order: steps
// of ~10-30% up to 8 (logits 8 times as large turn a 25% blip into 0.02%).
// Each calibration fits the gain of the trained weights afresh, so the
// largest gain bounds the emitter's: with 4 as the largest, the
// calibration chose it at most checkpoints of linear2 runs before step
// 1,500 (demo settings, recipe sharp without the calibration, seeds 1-2,
// every 250 steps), and with up to 8 seed 2 met the criterion at step
// 1,250 rather than 1,500.
var readoutGains = []float64{1, 1.1, 1.2, 1.35, 1.5, 1.75, 2, 2.5, 3, 4, 5, 6, 8}

// ReadoutGain returns the gain g >= 1 of the readout rnn.Readout{Gain: g,
// Rare: RareSymbols(m, T)} (the frequent symbols' choice sharpened by g,
// the rare ones at their trained probability) with which net, driven as
// in training (runs of T steps from h0 = 0 at noise std sigma, from
// PCG(seed, stream)), emits symbols that fit m best: of readoutGains, the
// one whose emitted symbols have the smallest worst figure of the fit
// criterion (stats.JudgeFit, each figure relative to its limit) against
// an HMM sample of the same size, the smallest such gain on a tie, and no
// gain past the first whose mean off-argmax probability (of the frequent
// symbols' choice) is below readoutNoiseFloor. It returns 1, leaving the
// readout as it is, when the argmax outputs' changes per sequence (rare symbols merged, as
// the criterion counts them; hmm.HMM.MergedChanges) are more than
// argmaxBand away from the HMM's. Every gain is judged on the same runs,
// the same uniform draws and the same HMM sample (common random numbers),
// so the gains differ by the readout only.
//
// Why the criterion's figures and not the changes per sequence alone: a
// network whose dynamics switch a little less than the HMM's and whose
// readout blips emits about the HMM's changes per sequence, the blips
// standing in for missing switches, while its runs of one step are twice
// the HMM's (linear2, demo settings, recipe sharp, seed 7 at step 2,500:
// 24% of runs against 11%, dwell 0.129). Fitting the changes kept its
// readout as it was; fitting the figures sharpens it until the dwell
// figure and the volatility figure balance. Over the checkpoints of eight
// such runs (seeds 1-8, every 250 steps to 3,250), the first fitting
// checkpoint came at steps 2,000, 1,250, 2,000, 3,000 and 2,500 for five
// seeds, against 2,000, 1,500, 2,250 and 3,000 for four when the gain was
// fitted to the changes (recipe sharp's measurement is in SharpRecipe).
func ReadoutGain(net *rnn.Net, m *hmm.HMM, sigma float64, T int, seed, stream uint64) (float64, error) {
	if net == nil || m == nil {
		return 0, fmt.Errorf("train: readout gain: no network or no HMM")
	}
	if net.O != m.Outputs() || T < 2 {
		return 0, fmt.Errorf("train: readout gain: network with %d outputs, HMM with %d, T = %d: want equal outputs and T >= 2", net.O, m.Outputs(), T)
	}
	if err := net.Validate(); err != nil {
		return 0, fmt.Errorf("train: readout gain: %w", err)
	}
	r := rand.New(rand.NewPCG(seed, stream))
	O, n := net.O, calibrateRuns
	// The runs in one batch (rnn.Net.SampleLogits), of which only the
	// logits are kept (n*T*O numbers), not the states: the calibration
	// runs in the browser's worker too, where allocating is slow.
	_, logits := net.SampleLogits(r, n, T, sigma)
	argmax := make([]uint8, n*T)
	for i := range argmax {
		argmax[i] = uint8(dynamics.Argmax(logits[i*O : (i+1)*O]))
	}
	u := make([]float64, n*T)
	for i := range u {
		u[i] = r.Float64()
	}
	hmmSeed := r.Uint64() // the HMM sample every gain is judged against
	rare := stats.MergedRare(m.Exact(T).Freq)
	target, merged := m.MergedChanges(T, rare), argmax
	if rare != nil {
		merged = stats.MergeRare(argmax, n, T, rare)
	}
	if a := stats.Summary(merged, n, T, O).Volatility; math.Abs(a-target) > argmaxBand*target {
		return 1, nil
	}
	obs := make([]uint8, n*T)
	p := make([]float64, O)
	best, bestScore, emitRare := 1.0, math.Inf(1), rareList(rare)
	for _, g := range readoutGains {
		emit := rnn.Readout{Gain: g, Rare: emitRare}
		var off float64
		for i := range obs {
			off += emit.Probs(logits[i*O:(i+1)*O], p)
			// Inverse-CDF sampling of the emitter's probabilities at u[i].
			x, k := u[i], 0
			for k < O-1 && x >= p[k] {
				x -= p[k]
				k++
			}
			obs[i] = uint8(k)
		}
		rep, err := stats.CompareWith(m, obs, n, T, rand.New(rand.NewPCG(hmmSeed, 0)), stats.Options{SkipMatch: true})
		if err != nil {
			return 0, fmt.Errorf("train: readout gain %v: %w", g, err)
		}
		if _, score := worstFigure(stats.JudgeFit(rep)); score < bestScore {
			best, bestScore = g, score
		}
		if off/float64(len(obs)) < readoutNoiseFloor {
			break
		}
	}
	return best, nil
}

// RareSymbols returns, in increasing order, the symbols that m emits at
// T steps with a frequency below stats.RareFreq when the fit criterion
// merges them (stats.MergedRare; the chains' output 1): those a
// calibrated readout draws at the trained readout's probability
// (rnn.Readout). None when the criterion merges none.
func RareSymbols(m *hmm.HMM, T int) []int {
	return rareList(stats.MergedRare(m.Exact(T).Freq))
}

// rareList lists the symbols the mask rare marks, in increasing order.
func rareList(rare []bool) []int {
	var out []int
	for k, r := range rare {
		if r {
			out = append(out, k)
		}
	}
	return out
}

// calibrateReadout sets the gain Net applies to the trained W_out to
// ReadoutGain of the trained weights, the runs drawn from a stream of the
// trainer's seed and step (the same trajectory on every machine and after
// a resume).
func (t *Trainer) calibrateReadout() error {
	c := t.cfg
	g, err := ReadoutGain(t.net, c.HMM, c.NoiseStd, c.SeqLen, c.Seed, streamCalibrate+uint64(t.step))
	if err != nil {
		return err
	}
	t.gain = g
	return nil
}

// streamCalibrate is the first PCG stream of the calibrations; the one at
// step s uses streamCalibrate + s (the other streams are below 1,000).
const streamCalibrate = 1 << 32
