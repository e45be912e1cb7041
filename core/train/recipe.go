package train

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"hmmrnn/core/hmm"
)

// Recipe names.
const (
	// RecipeDefault is the recipe every preset learns with from random
	// weights at the demo settings (see DefaultRecipe).
	RecipeDefault = "default"
	// RecipeHybrid adds the soft-sample loss to the default recipe's
	// first stage (see HybridRecipe).
	RecipeHybrid = "hybrid"
	// RecipeSharp is the default recipe with the soft-sample term and the
	// readout calibration, for the 2-state chain (see SharpRecipe).
	RecipeSharp = "sharp"
	// RecipePaper is the paper's plain recipe (core/METHOD.md section 3):
	// PyTorch's initialisation, lr 1e-3, the engine's plateau patience. It
	// stays available so the paper's grid can be reproduced as published.
	RecipePaper = "paper"
)

// Recipe is a named way to train: what it sets in a Config and how long a
// run may stay on the fair-coin plateau before the monitor restarts it.
type Recipe struct {
	Name string `json:"name"`
	// WhhGain is Config.WhhGain (1: PyTorch's initialisation).
	WhhGain float64 `json:"whh_gain"`
	// WhhDecay is Config.WhhDecay (0: none).
	WhhDecay float64 `json:"whh_decay"`
	// LR is Config.LR.
	LR float64 `json:"lr"`
	// PlateauAfter is the monitor's patience in steps (Monitor.PlateauAfter).
	PlateauAfter int `json:"plateau_after"`
	// Stages is Config.Stages (none: one stage throughout).
	Stages []Stage `json:"stages,omitempty"`
	// SoftWeight is Config.SoftWeight (0: the paper's loss alone).
	SoftWeight float64 `json:"soft_weight,omitempty"`
	// FreqWeight is Config.FreqWeight (0: none).
	FreqWeight float64 `json:"freq_weight,omitempty"`
	// FreqPairs is Config.FreqPairs.
	FreqPairs bool `json:"freq_pairs,omitempty"`
	// Energy is Config.Energy (false: the paper's loss).
	Energy bool `json:"energy,omitempty"`
	// EnergySelf is Config.EnergySelf (0: 1, the energy distance).
	EnergySelf float64 `json:"energy_self,omitempty"`
	// TrainSeqLen is Config.TrainSeqLen (0: train on whole sequences, the
	// paper's).
	TrainSeqLen int `json:"train_seq_len,omitempty"`
	// CalibrateReadout is Config.CalibrateReadout (false: the paper's).
	CalibrateReadout bool `json:"calibrate_readout,omitempty"`
	// RestartAfter is Monitor.RestartAfter: steps after which a run that
	// has not met the fit criterion restarts with the next seed (0: never).
	RestartAfter int `json:"restart_after,omitempty"`
}

// Monitor is the recipe's monitor: DefaultMonitor checking every `every`
// steps with `samples` sequences, with the recipe's plateau patience and
// restart rule. The command line, the fit runs and the page use it.
func (r Recipe) Monitor(every, samples int) *Monitor {
	m := DefaultMonitor(every, samples)
	if r.PlateauAfter > 0 {
		m.PlateauAfter = r.PlateauAfter
	}
	m.RestartAfter = r.RestartAfter
	return m
}

// PaperRecipe is RecipePaper.
var PaperRecipe = Recipe{Name: RecipePaper, WhhGain: 1, LR: DefaultLR, PlateauAfter: DefaultPlateauAfter}

// DefaultRecipe is RecipeDefault: the paper's recipe with the random
// initial W_hh scaled by 3, a W_hh decay, a plateau patience of 1,000
// steps, later stages (DefaultStages) and the minibatch energy distance
// (Config.Energy). Recipe.For trains linear chains of 3 or more states
// with HybridRecipe instead.
//
// Why the energy distance: the paper's divergence between two finite
// batches prefers, against a batch of the HMM, a model that switches less
// than the HMM (TestEnergyPrefersTheTruth: for linear2's emissions at
// B 256 its average is lowest for a chain switching with probability
// 0.03-0.04 instead of 0.05), so networks trained on it switch state too
// rarely and their sampled readout makes up the count with blips (see
// below). The energy distance is lowest at the truth. Measured at the
// demo settings, `hmmrnn study --seq-len 30 --max-time 3m` with
// `--energy` on the recipe before the energy distance was part of it
// (fully3 seeds 1-5, cyclic4 1-3, linear2 1-5), then this recipe (fully3
// seeds 6-10, cyclic4 4-10); two studies at a time on 2 cores,
// GOMAXPROCS=1 each; against the recipe without it:
//
//	preset   met     steps to the criterion (seeds 1-10)                 median steps, s   without
//	fully3   9/10    - 2,750 3,000 3,500 4,000 3,250 3,000 3,500 3,500 3,000   3,250, 123   0/2 (worst 1.32-1.41x)
//	cyclic4  10/10   1,750 1,750 1,000 1,500 2,500 1,500 1,250 2,000 1,250 2,000   1,625, 22    3/3 (1,500-3,250)
//	linear2  0/5     worst figure dwell 1.42 1.13 1.42 1.10 1.42x its limit          -            0/2 (2.09-2.48x)
//
// (fully3 seed 1: its kept network's frequencies 1.05x their limit.)
// Every kept fully3 network was noise-driven (study's regime column);
// without the energy distance fully3's activity ran away. linear2's
// argmax outputs now switch as often as the HMM's (seed 1 in a driver:
// 1.57 changes per 30 steps against 1.45; seed 2: 1.51 against 1.51, up
// from 1.07-1.13), and its remaining misfit is the readout's blips (2.4-
// 2.7% of emitted symbols off the argmax: 20% of complete runs one step
// long against the HMM's 10%). The cost: five divergences between batch
// halves per step instead of the paper's one on the whole batch, 1.7x
// its Sinkhorn time (BenchmarkStep/H50_D10_T30_B256_energy and _B1024_energy
// on one core: 7.9 and 47.7 ms per step against 5.7 and 32.7 without;
// the reported loss is the halves', see Config.Energy). In the page
// (headless Chromium, quiet 2-core machine, the helper worker solving two
// of the five divergences): fully3 met the criterion at steps 3,100, 2,700
// and 2,600 (196, 137 and 128 s; seeds 1-3,
// `HMMRNN_CRITERION_QUERY=arch=fully3 go test ./build -run XXX -bench
// TimeToCriterion -benchtime 1x`; before the halves' solves were shared
// with the helper and the whole-batch report dropped, and before later
// changes to the criterion's code: steps 3,300, 3,100 and 2,600 in 243,
// 212 and 145 s);
// cyclic4 at steps 1,700, 2,200 and 1,700 (73, 99 and 60 s); the
// default demo (linear2) was
// noise-driven from step 1,000 and 1,150 (seeds 1 and 2, `go test ./build
// -run TestPortraitShowsMechanism` with HMMRNN_MECHANISM_SEEDS=1,2), its
// portrait's output clusters separated (skill 0.91 and 0.96).
//
// Why it works: with PyTorch's U(+-1/sqrt(H)) initialisation W_hh has a
// spectral radius of about 1/sqrt(3) = 0.58, and with about half the ReLU
// units active the linearised dynamics contract by ~0.4 per step, so h_t
// forgets h_{t-1} at once and the untrained network emits temporally
// independent symbols: the fair-coin plateau. The Sinkhorn gradient there
// carries little about temporal structure, and leaving the plateau is a
// matter of chance (core/METHOD.md section 3; measured: fully3 left it in 0 of 6
// seeds within 4,000 steps at the demo settings). Scaled by 3 the radius is
// ~1.7 (~1.2 with half the units active): the network starts with slow
// recurrent modes, so its outputs are persistent from the first step, and
// training shapes that persistence instead of waiting for it to appear.
// Measured at the demo settings (H 50, D 10, B 256, T 30, lr 1e-3, seeds
// 1-3, 1,000 steps, checks of 1000 sequences every 200 steps; "left" = the
// first check no longer on the plateau by train.Plateaued; a throwaway
// driver over train.New and stats.CompareWith, one run per process with
// GOMAXPROCS=1):
//
//	preset   gain 3 (this recipe): step left   gain 1 (paper): step left
//	linear2  200, 200, 200                     600, 400, 400
//	linear3  200, 600, 200                     -, -, 800
//	linear4  400, 600, 600                     -, -, -
//	linear5  200, 400, 600                     -, -, -
//	fully3   200, 400, 200                     -, -, -
//	cyclic4  200, 800, 400                     600, 600, 600
//
// (- : still on the plateau at step 1,000.) Measured before this recipe, the paper's
// recipe to 4,000 steps: linear3 left in 4 of 6 seeds (at 800-2,800),
// fully3 in 0 of 6. Leaving the plateau is not meeting the fit criterion:
// `hmmrnn study --hmm cyclic4 --seeds 1-7 --max-time 3m --seq-len 30`
// (loaded machine) met it in 7 of 7 seeds with this recipe (steps
// 1,750-4,750; seeds 8-10 too, 10 of 10) and in 6 of 7 with `--recipe
// paper` (2,250-5,500). linear3, linear4, linear5, fully3 and linear2 met
// it in none of the seeds tried within 3 minutes (2,750-25,300 steps): the
// linear chains hover at transition rows 0.06-0.1 off and volatility
// 15-25% off (linear3 seed 2 from step 10,000 to 25,000), fully3 and
// linear2 fail on dwell times (too few 1-step runs) and volatility.
// So the plateau patience can be short: 1,000 steps is past every escape
// measured above. Tried and not kept: lr 5e-3 from the paper's
// initialisation (linear3 seed 1 still on the plateau after 4,000 steps),
// gain 3 with lr 3e-3 (fully3: noisier, no closer to the criterion after
// 7,400 steps than lr 1e-3), learning-rate stages 3e-3/1e-3/3e-4/1e-4
// (fully3 at step 9,800: transitions within 0.02, volatility still 20% low
// and dwell distance 0.3), batch 1024 after step 1,000 (fully3 at step
// 4,400: no closer). What the recipe did not do before the energy
// distance: meet the full fit criterion at the demo settings but for
// cyclic4 (the measurements below are of the recipe without it).
//
// Why the W_hh decay (3e-4 per step): the gain that takes the network off
// the plateau also lets its activity run away beyond the T steps the loss
// sees (the ReLU network has no biases, so the loss hardly sees the
// activity's scale): a network emulating the HMM over 30 steps from
// h0 = 0 is then not the paper's noise-driven mechanism (core/METHOD.md
// section 5.9; dynamics.IsNoiseDriven: bounded long run, persistent
// switching, input-free collapse to one fixed point). Measured at the demo
// settings (throwaway driver over train.New, dynamics.EvolutionPointOf on
// the current weights every 500 steps, a 1,000-step noisy run; seeds 1
// and 2, 4,000 steps; "driven from" = the first check from which every
// later one was noise-driven):
//
//	preset   gain 3, no decay                gain 3, decay 3e-4
//	linear2  runs away at every check        driven from 1,500 / 2,000
//	         (seed 2 to 8,000: driven from 7,000)
//	fully3   runs away at every check        runs away at every check
//	         (to 8,000: seed 1 driven at 3   (decay 1e-3: seed 2 driven
//	         of 8 checks from 5,000)          only at some checks)
//	linear3  -                               driven from 500 / 500
//	cyclic4  -                               driven from 1,500 / 2,500
//
// (gain 2 without decay: linear3 noise-driven at most checks from step
// 500, fully3 seed 2 from 2,500, seed 1 runs away at every check.) In
// the page (headless Chromium, default demo linear2, seed 1, `go test
// ./build -run TestPortraitShowsMechanism`): noise-driven from step 1,650,
// the portrait drawn from the long run with its output clusters separated
// (separation skill 0.92); without the decay, the same configuration's
// long run diverged at every check up to step 8,000 in the driver above.
//
// The decay does not make the fits worse (worst figure / limit at 4,000
// steps, linear2: 3.1 and 4.3 with it, 3.4 and 3.6 without). A gain of
// 1.5 also gives noise-driven linear2 networks, but fully3 then stays on
// the plateau (seeds 1 and 2, 8,000 steps). fully3's runaway activity is
// not cured by the decay; the page says so under its loss chart.
var DefaultRecipe = Recipe{Name: RecipeDefault, WhhGain: 3, WhhDecay: 3e-4, LR: DefaultLR, PlateauAfter: 1000, Stages: DefaultStages, Energy: true}

// DefaultStages are the default recipe's later stages, each with a fresh
// Adam (the authors' generic configuration runs lr stages 5e-3, 1e-3,
// 1e-4 with a new Adam each, core/METHOD.md section 7): after step
// bigBatchFrom batches of at least bigBatch sequences, after fineTuneFrom
// lr fineTuneLR, after polishFrom lr polishLR.
//
// Why: once a run has left the fair-coin plateau (by step 800 in every
// run measured above) and its frequencies and transitions near the HMM's,
// what the fit criterion still rejects is flicker: one-step blips of the
// other frequent symbol inside runs and at transitions (linear2 at
// 12,000 steps of B 256: 42% of the network's complete runs last one step
// against the HMM's 10%; dwell distance 0.32-0.39, volatility 37-42% off).
// Against a batch of 256 HMM sequences the Sinkhorn matching pairs
// sequences several Hamming units apart, so the one unit a blip costs is
// drowned in the noise of the matching; four times the batch cuts that
// noise, and the lower learning rates stop Adam (beta2 0.9: steps of
// about lr whatever the gradient's size) from jittering the weights by
// more than the blips' gradient moves them. It helps, but it is not
// enough: the recipe meets the fit criterion for cyclic4 (as before) and
// brings the other presets closer without meeting it within 3 minutes.
//
// Measured at the demo settings (H 50, D 10, B 256, T 30) on a loaded
// machine (load 2-7 on 2 cores; one run per process, GOMAXPROCS=1):
// `hmmrnn study --hmm P --seeds S --seq-len 30 --max-steps N --max-time 0`
// with N 7500 (6000 for cyclic4), about 3 minutes of one idle core (~170
// steps/s at B 256, ~35 at B 1024, at H 50, T 30). Each cell: "met at
// step", else the kept network's figures freq/trans/volatility/dwell
// (limits .03/.05/.15/.10) and its worst figure / limit. "before decay":
// these stages on the recipe before its W_hh decay; "now": this recipe.
//
//	preset/seed  before decay                    now
//	linear2/1    .013/.011/.031/.204  2.0x       .010/.014/.066/.248  2.5x
//	linear2/2                                    .024/.016/.065/.209  2.1x
//	linear3/1                                    .010/.039/.145/.101  1.01x
//	linear3/2    .015/.050/.177/.107  1.2x
//	linear4/1    .018/.073/.221/.082  1.5x
//	fully3/1     .023/.017/.169/.100  1.1x       .030/.012/.096/.139  1.4x
//	fully3/2     .017/.037/.294/.187  2.0x
//	linear5/1                                    .012/.051/.150/.058  1.02x
//	cyclic4/1                                    met at 1,500
//	cyclic4/2    met at 4,250                    met at 2,500
//	cyclic4/3    met at 3,250                    met at 3,250
//
// (linear3 seed 1 now: 1.01x at step 3,500, then volatility .16-.25 off
// to step 7,500.) Without the stages (stage 1 throughout, before the decay): linear2
// seed 1 at 12,000 steps dwell .32-.39 and volatility .37-.42 off (2.6x
// and more); linear3 seed 1 at 15,500 steps .020/.078/.279/.108 (1.9x);
// cyclic4 met in 10 of 10 seeds (the study above).
//
// The same study with a 3-minute wall budget, stages 1024/3e-4 from 2000
// and 1e-4 from 4000 (3,100-6,500 steps under the load): 1 of 12 runs met
// (cyclic4 seed 1 at 2,250); linear2 dwell .26/.29 (worst figure 2.6x/2.9x
// its limit), linear3 volatility .28/.23, fully3 dwell .16/.23, linear4
// volatility .26/.23, linear5 volatility .19/.22, cyclic4 seed 2 trans .14
// (lr 3e-4 from step 2000 stalled it before its transitions were found,
// which is why the big batch now keeps lr 1e-3 until step 4000).
//
// Tried on linear2 seed 1 with a throwaway driver (the four figures every
// 250 steps, 2000 sequences) and not kept: batch 2048 instead of 1024
// (dwell .20-.22 at equal CPU time, no better), a Gumbel-softmax
// temperature of 0.5 or 0.25 from step 0 (back to the plateau: volatility
// 70-80% off) or 0.5 from the big-batch stage (dwell .14-.18: no clear
// gain; with batch 512 the run fell back to the plateau at step 8,500), a
// Sinkhorn blur of 1 or 3 in the big-batch stage (more flicker:
// volatility 47-81% off), 0.1 or 0.05 (dwell .20-.27, no gain), and the
// converged Sinkhorn option (hits its 10,000-iteration cap at the first
// step of batch 1024). Random initial hidden states (the authors'
// init = True) were not tried.
//
// Where the flicker comes from (`hmmrnn eval`'s readout-noise section):
// the readout, not the dynamics. linear2 seed 1 of this recipe (`hmmrnn
// train --hmm linear2 --seq-len 30 --seed 1 --steps 5000`, the weights of
// its best validation, step 4,500; eval on 5,000 sequences) emits a symbol other than its logits' argmax at 2.6% of steps;
// its argmax outputs change 1.07 times per 30-step sequence with 5% of
// complete runs one step long, its emitted outputs 1.45 times with 37%,
// the HMM 1.44 times with 10% (core/internal/testdata's linear2, trained at paper
// scale, likewise: 2.5%, argmax 1.17 changes and 4% 1-step runs). The
// dynamics switch too rarely and the sampled readout makes up the count
// with blips. Sharpening the readout alone (W_out x1.25, 1.5, 2, 3) lowers
// the paper's validation loss (1.030 at x1; 0.997, 0.969, 0.945, 0.925) and
// the blips (dwell .27 -> .12-.19) but leaves the switches too rare
// (volatility .00 -> .10-.23 off): no factor passes. A throwaway driver
// that rescaled W_out every 250 steps by the factor in {0.8, 0.9, 1, 1.1,
// 1.25} with the best fit score on 1,000 sequences brought linear2 seed 1
// to 1.2x its limits at 6,000 steps (2.5x without) and linear3 seed 1 to
// 1.0x (no change), with training pushing the readout back down between
// rescalings (cumulative factor 25) and 4x the CPU time; choosing the
// factor by the validation loss instead grows W_out without bound (the
// loss keeps preferring sharper readouts, down to volatility 60% off), and
// taking the Gumbel-softmax temperature up with it stalled learning.
// Neither was kept. Also tried on linear2 seed 1 with the same driver (the
// first stage only unless said) and not kept: T 100 (dwell .46-.51 to step
// 4,000); four times as many HMM as RNN sequences per step (dwell .27-.32
// against .31-.35); a Gumbel-softmax temperature of 0.5 or 2 from step 0
// (volatility .77 or .44 off); the backward pass through softmax(logits)
// instead of the soft sample (volatility .7-.8 off; linear3 .6-.7); and
// the loss on the soft Gumbel-softmax samples themselves (sinkhorn.Dense
// against the one-hot HMM sequences, no straight-through). With
// temperature 1 or 0.5 that loss cut linear2's dwell distance to .13-.19,
// but it also saturates emissions that should stay random: volatility
// .39-.57 off for linear3, .46-.57 for cyclic4, .63-.73 for fully3. At
// temperature 0.25 it hardly learns (linear2 dwell .61-.76 to step 3,500;
// linear3 volatility .56-.69 off; cyclic4 .55-.81). It costs 10x per
// step on the float64 reference path.
var DefaultStages = []Stage{
	{From: bigBatchFrom, Batch: bigBatch},
	{From: fineTuneFrom, LR: fineTuneLR},
	{From: polishFrom, LR: polishLR},
}

// The default stages' numbers (see DefaultStages).
const (
	// bigBatchFrom is past the plateau escapes measured (800 steps at
	// most) with room for the frequencies to settle; bigBatch is 4x the
	// demo batch: each step costs about 5x (the Sinkhorn problem grows as
	// the batch squared), ~35 steps/s on one core at H 50, T 30. The
	// learning rate stays: cyclic4 seed 2 had not found its transitions by
	// step 2000 (rows 0.47 off), and lr 3e-4 from there left it 0.15 off
	// at step 4000 where the default recipe meets the criterion.
	bigBatchFrom = 2000
	bigBatch     = 1024
	fineTuneFrom = 4000
	fineTuneLR   = 3e-4
	polishFrom   = 6000
	polishLR     = 1e-4
)

// HybridRecipe is RecipeHybrid: the default recipe's initialisation,
// W_hh decay, learning rate and patience, one stage, and the gradient of
// the Sinkhorn divergence between the soft Gumbel-softmax samples and the
// HMM sequences added to the paper's (Config.SoftWeight 1).
//
// Why: the flicker the fit criterion rejects is made by the readout (see
// DefaultRecipe: an unsaturated softmax sampled at every step), and the
// paper's straight-through gradient passes through the soft samples'
// Jacobian, which vanishes where the readout is nearly saturated. The
// soft term compares the soft samples themselves with the one-hot HMM
// sequences, so the few percent a readout leaves on the wrong symbol cost
// something. Alone, that loss saturates emissions that should stay random
// (linear3's middle state, cyclic4, fully3: volatility 39-73% off). Added
// to the paper's, it made the linear chains meet the criterion within
// 500-1,500 steps in the runs below, where the first stage alone met it
// in none; it made fully3 and cyclic4 worse, so the default recipe uses it
// for the chains only (Recipe.For).
// One stage: the default recipe's big batch would make the soft term's
// B x B cost matrices 16x larger. The soft term (sinkhorn.Soft) costs
// about 2-4x a default step natively at the demo settings (BenchmarkStep
// .../H50_D10_T30_B256_soft) and computes every chunk without the
// browser's helper worker.
//
// Measured at the demo settings (H 50, D 10, B 256, T 30; a throwaway
// driver over FitRun with this recipe's settings, 3,000 steps or until
// the criterion held, checks of 2,000 sequences every 500 steps, a pass
// confirmed on a second sample; two runs at a time on 2 cores): met, or
// the worst figure / limit of the best check, against the same recipe
// without the soft term (the default recipe's first stage throughout):
//
//	preset/seed  hybrid                 first stage only
//	linear2/1    2.25 (3,500 steps)     3.11
//	linear2/2    2.40                   3.24
//	linear3/1    met at 500             1.78
//	linear3/2    met at 500             1.97
//	linear3/3    met at 1,500           1.53
//	linear4/1    met at 1,000           1.85
//	linear4/2    met at 1,000           1.83
//	linear5/1    met at 500             1.60
//	linear5/2    1.10                   1.80
//	fully3/1     4.07                   2.42
//	cyclic4/1    2.04                   met at 1,500
//
// Ten seeds each: `hmmrnn study --hmm linear3,linear4,linear5 --seeds
// 1-10 --seq-len 30 --max-time 3m --recipe hybrid` (two processes with
// GOMAXPROCS=1 on the 2 cores, so about one idle core each). Without the
// restart rule, 28 of the 30 runs met the criterion by step 1,750;
// linear3 seeds 2 and 5 and linear5 seeds 2 and 6 had not by the end of
// the budget (6,466-7,053 steps, transition rows 0.06-0.08 and volatility
// 17-30% off from step 1,000 on). With RestartAfter 2,000 (the four
// re-run, the others unchanged: they met before step 2,000) every run
// met it:
//
//	preset   met     steps to the criterion (seeds 1-10)            median steps, s   slowest
//	linear3  10/10   500 3,500r 1,500 750 3,000r 1,000 500 500 500 500   625, 20   112 s
//	linear4  10/10   750 750 1,250 500 1,750 750 250 750 1,000 750       750, 20   50 s
//	linear5  10/10   500 2,500r 500 250 750 3,250r 1,250 250 500 500     500, 15   84 s
//
// (r: after one restart.) In the page (headless Chromium, quiet 2-core
// machine, `HMMRNN_CRITERION_QUERY=arch=linear3 go test ./build -run XXX
// -bench TimeToCriterion -benchtime 1x`, seeds 1-3; no helper worker):
// linear3 met the criterion at steps 600, 2,400 (after a restart at
// 2,000) and 400, after 48, 187 and 42 s (75-100 ms per step); linear4 at
// 800, 800 and 400 steps, after 74, 63 and 35 s; linear5 at 400, 500 and
// 900 steps, after 39, 45 and 82 s.
//
// Why the frequency term (Config.FreqWeight, hybridFreqWeight): the
// chains emit their rare symbol (output 1, probability 0.01 in every
// state) with probability 0.01 whatever the state, and networks trained
// without the term emitted it at 0.09-0.20% (medians over seeds). The
// term pulls the emitted symbols' frequencies to the HMM batch's. Measured
// at the demo settings, `hmmrnn train --hmm P --recipe hybrid
// --freq-weight W --max-time 3m --stop-at-fit --eval-every 100 --seed S`
// for seeds 1-10, then `hmmrnn eval --samples 5000 --seed 9 --no-match`
// on the network kept (the rare symbol's frequency, and the fit
// criterion on a fresh sample); two runs at a time on the 2 cores:
//
//	preset   weight  met (3 min)  median steps  rare symbol: median (range)  fresh check passes
//	linear3  0       10/10        450           0.20% (0.01-0.77%)           10/10
//	linear3  10      10/10        650           0.56% (0.48-0.73%)            9/10
//	linear3  30      10/10        500           0.83% (0.72-0.96%)           10/10
//	linear3  100     10/10        700           0.90% (0.76-0.98%)            9/10
//	linear4  0       10/10        600           0.09% (0.01-0.43%)            9/10
//	linear4  10      10/10        550           0.63% (0.51-0.78%)            7/10
//	linear4  30      10/10        600           0.81% (0.76-0.89%)           10/10
//	linear4  100     10/10        600           0.91% (0.73-1.04%)           10/10
//	linear5  0       10/10        500           0.12% (0.03-0.79%)            9/10
//	linear5  10      10/10        500           0.57% (0.42-0.62%)            7/10
//	linear5  30      10/10        500           0.80% (0.74-0.88%)            9/10
//	linear5  100     10/10        800           0.95% (0.81-1.04%)            7/10
//
// (The fresh checks that fail are of networks that had just met the
// criterion: frequencies 0.030-0.033 or transition rows 0.052-0.086
// against limits 0.03 and 0.05.) Weight 30 brings the rare symbol within a fifth
// of its frequency at no cost in steps or fits; 100 brings it closer but
// linear5's networks then needed more steps and failed more fresh checks.
// Recipe sharp (the 2-state chain) uses the term on pairs of symbols
// (SharpRecipe says why).
var HybridRecipe = Recipe{Name: RecipeHybrid, WhhGain: DefaultRecipe.WhhGain, WhhDecay: DefaultRecipe.WhhDecay,
	LR: DefaultLR, PlateauAfter: DefaultRecipe.PlateauAfter, SoftWeight: 1, FreqWeight: hybridFreqWeight, RestartAfter: hybridRestartAfter}

// hybridFreqWeight is the hybrid recipe's Config.FreqWeight (see
// HybridRecipe).
const hybridFreqWeight = 30

// SharpRecipe is RecipeSharp: the default recipe's initialisation, W_hh
// decay and patience, with the readout calibration
// (Config.CalibrateReadout), the energy distance's RNN-RNN term weighed
// sharpSelf (Config.EnergySelf), learning rate sharpLR, batch B throughout
// (learning-rate drops from step 1,500 on: sharpStages) and a
// restart with the next seed of runs that have not met the criterion after
// sharpRestartAfter steps, training on the first sharpTrainLen steps of
// each sequence, with the frequency term on pairs of symbols weighed
// sharpFreqWeight (Config.FreqWeight, Config.FreqPairs). The default recipe trains the 2-state chain
// with it (Recipe.For).
//
// Why the calibration: with the default recipe the 2-state chain's argmax
// outputs switch as often as the HMM's, but its sampled readout blips
// where the state crosses from one cluster to the other
// (core/internal/testdata's linear2 at T 30: 2.53% of its emitted symbols
// off the argmax, 2.10 points of them within two steps of an argmax
// change, the blipped symbol's median probability 0.29), and the blips
// fail the criterion's dwell figure. The calibration removes them
// (ReadoutGain). Measured at the demo settings with the default recipe's
// stages and the energy distance at weight 1 (`hmmrnn study --hmm linear2
// --seq-len 30 --max-time 3m --recipe R [flags]`, seeds 1-5 and 6-10 as
// two studies at a time with GOMAXPROCS=1 on the 2 cores; "met" =
// starting seeds meeting the fit criterion within the budget, restarts
// included; r: after a restart, rr: after two):
//
//	recipe                                      met    steps to the criterion, seconds
//	default                                     0/5    worst figure dwell 1.10-1.42x its limit
//	default + soft weight 1                     1/5    4: 2,750
//	default + soft weight 1 + calibration of    7/10   median 2,500 steps, 107 s
//	  the trained weights inside the loop,
//	  restart after 3,500
//	default + soft weight 1 + calibration of    9/10   1: 2,000 54 s  2: 1,250 34 s  3: 2,000 52 s  4: 2,250 93 s
//	  the emitter, restart after 2,500                 5: 4,250r 152 s  6: 1,750 47 s  7: 2,500 79 s  9: 5,000r 160 s
//	                                                   10: 2,500 101 s (median 2,250 steps, 79 s)
//	default + calibration of the emitter,       10/10  1: 2,500 50 s  2: 2,500 46 s  3: 2,500 50 s  4: 5,000r 107 s
//	  restart after 2,500 (--soft-weight 0)            5: 2,500 54 s  6: 7,500rr 153 s  7: 5,000r 96 s  8: 2,500 57 s
//	                                                   9: 4,750r 87 s  10: 2,250 34 s (median 2,500 steps, 55 s)
//
// Calibrating the trained weights inside the loop froze some seeds into
// switching a quarter as often as the HMM (Trainer.Net). The soft term
// made more runs meet the criterion with their own seed but costs more per
// step and, in the page, needs every chunk in one worker, so the recipe
// leaves it out.
//
// Why the lighter RNN-RNN term and no big batch: with the energy distance
// at weight 1 these runs met the criterion only in the big-batch stage
// (from step 2,000; at steps 1,250-2,000 seed 1's emitted symbols changed
// 60-120% more often than the HMM's, at 2,500 within 10%), and a step of
// B 1,024 costs 4-6 times one of B 256, so the 2-state chain took 100-293
// s in the page against 60. At B 256 throughout the excess switching
// stays, even with lower learning rates (the emitted outputs change 1.85-
// 2.25 times as often as the HMM's at step 3,000; first row below); a
// lighter S(x1, x2) term removes it. Measured with a throwaway driver over Study: the
// demo settings, no stages, no restart, checks every 100 steps on 2,000
// sequences (the page's monitor), at most 3,000 steps, one process per
// core with GOMAXPROCS=1 (seconds are of one core):
//
//	self weight  met    steps to the criterion (seeds 1-10 | 11-20)                    median  slowest  noise-driven
//	1            0/10   (volatility 0.85-1.25 off at step 3,000)                      -       -        -
//	0.75         20/20  2,400 1,900 1,500 2,400 1,700 2,900 1,500 1,600 2,000 1,900    1,950   2,900    20/20
//	                    | 1,500 2,500 2,700 1,500 1,500 1,700 2,400 2,200 2,200 2,300
//	0.65         20/20  2,000 1,600 2,300 2,300 1,700 1,100 1,000 1,400 1,600 2,300    1,900   2,300    20/20
//	                    | 2,100 2,200 2,100 1,400 2,200 1,800 1,900 1,800 2,300 1,900
//	0.5          8/10   -, 1,400 1,500 1,400 1,100, -, 1,600 2,700 2,100 1,500         1,500   2,700    8/10
//	0.65, batch- 20/20  2,000 1,600 2,100 2,300 1,700 1,100 1,000 1,500 1,600 2,300    1,900   2,300    20/20
//	  ed calib.         | 2,100 2,200 1,700 1,400 2,200 2,200 1,900 1,800 2,300 1,900
//
// (The rows above the last were measured while the calibration simulated
// its runs one by one, which drew other noise; the last with this
// recipe's batched calibration, at lr 1e-3.
// Weight 1: seeds 1-5 with lr 3e-4 from step 1,000 and 1e-4 from 2,000,
// and again with both drops 500 steps later; 0.5: seeds 1
// and 6 dwell 0.101 and 0.105 against 0.1 at step 3,000, seed 5 met the
// criterion without the noise-driven regime.) 0.65 has the shortest
// slowest run; at about 20 s of one core per run it is also the cheapest
// recipe measured for the 2-state chain. Why a lighter term helps is not
// settled: over batches of 2-state chains the energy distance is lowest
// at the HMM's switching rate and weight 0.65 at 10-15% fewer switches
// (TestEnergyPrefersTheTruth), yet networks trained at weight 1 switch
// far more often than the HMM, with the excess in blips and early
// transitions that no chain makes; the lighter term pulls toward fewer
// distinct sequences, which may be what removes them.
//
// Why lr 2e-3: at weight 0.65 the learning rate of the rows above (1e-3)
// was the last setting taken from the paper, and twice it cuts the steps
// to the criterion by a third. The same driver, weight 0.65 (the batched
// calibration), seeds 1-10 / 11-20:
//
//	lr                     met    steps to the criterion (seeds 1-10 | 11-20)                    median  noise-driven
//	1e-3                   20/20  (the last row above)                                          1,900   20/20
//	2e-3                   18/20  800 1,200 1,000 - 1,200 2,100 1,100 1,400 1,100 2,800          1,250   17/18
//	                              | 1,000 1,100 1,300 1,200 1,500 1,500 1,700 2,100 - 1,300
//	1.5e-3                 8/10   800 1,300 1,200 - 1,400 1,300 900 - 1,600 1,600              1,300   8/8
//	2e-3, 1e-3 from 1,500  8/10   800 1,200 1,000 - 1,200 1,700 1,100 1,400 1,100 -            1,150   8/8
//
// (-: not met by step 3,000; met networks not noise-driven: seed 11's.)
// This recipe then lowers the rate to 5e-4 from step 1,500 (sharpStages:
// networks that met the criterion keep it longer), which leaves the steps
// of seeds 1-12 as they are but seed 6's (2,000). The two seeds of lr
// 2e-3 that miss (4 and 19), and seed 10, are
// restarted with the next seed at step 2,500 (sharpRestartAfter), whose
// trainer meets the criterion in 1,000-1,300 steps; in the page, where a
// step of the default demo takes about 33 ms of wall time, a third fewer
// steps is what brings most seeds under a minute.
//
// This recipe, `hmmrnn study --hmm linear2 --seeds 1-10 (and 11-20)
// --seq-len 30 --every 100 --samples 2000 --max-steps 5000 --max-time 0`
// (two studies at a time, GOMAXPROCS=1 each): 20 of 20 seeds met the
// criterion, at steps 800 1,200 1,000 3,700r 1,200 2,000 1,100 1,400 1,100
// 3,500r | 1,000 1,100 1,300 1,200 1,500 1,500 1,600 1,600 2,400 1,300
// (r: after a restart; median 1,300 steps, 11 s of one core; slowest 27
// s). The trade: 16 of the 20 kept networks are in the noise-driven
// regime (seeds 10, 11 and 19 run away over long runs, seed 18's
// input-free runs do not collapse), against 20 of 20 at lr 1e-3; the
// page's regime line says which a visitor's network is.
//
// Why the first 30 steps (sharpTrainLen, Config.TrainSeqLen): the
// 2-state chain's own length is T 100 (core/METHOD.md section 1), and on
// whole sequences of 100 steps it met the criterion in none of 2
// paper-scale runs of 30 minutes (H 150, D 100, seed 1; `hmmrnn train
// --hmm linear2 --hidden 150 --input 100 --max-time 30m --stop-at-fit
// --eval-every 250`), nor did the default recipe in 2 earlier ones: the
// trainers came near the criterion within 1,000-1,500 steps and then
// switched 2-2.5 times as often as the HMM (volatility figure 1.0-2.2)
// until the restart, and a step cost 2.3 times one of 30 steps (`hmmrnn
// bench --hidden 150 --input 100 --seq-len 100`: 127 ms against 56).
// The loss does not prefer that switching: over batches of 2-state chains
// of T 100 it is lowest at q 0.04 (this weight) or at the HMM's q 0.05
// (weight 1). Trained on the first 30 steps and judged, as every run, on
// whole sequences, most networks hold the HMM's statistics over all 100
// steps (their switching is driven by the noise, which goes on past step
// 30 as before it); the checks at T 100 keep training going where they
// do not, mostly on the frequency figure (seed 3's first fit at T 30 was
// 0.048 off at T 100). `hmmrnn study --hmm
// linear2 --seeds 1-8 --hidden 150 --input 100 --recipe sharp
// --train-seq-len 30 --max-time 10m --every 250` (one core; a second
// study and short runs shared the 2 cores): 8 of 8 met the criterion at
// T 100, at steps 500 4,500r 2,000 4,000r 1,500 250 1,750 4,000r (median
// 1,875 steps, 85 s; slowest 216 s), all 8 noise-driven. Trained instead
// on windows of 30 steps at a random offset (the whole 100 steps run,
// the loss on the window), seeds 1-3 met it at steps 500, 4,000r and
// 1,500, as many steps at three times the cost of a step. At the demo
// sizes and T 100 (`hmmrnn study --hmm linear2 --seq-len 100 --seeds
// 1-10 --max-time 3m --every 100`, seeds 1-5 and 6-10 as two studies at
// a time): 10 of 10 met it, at steps 900 800 1,200 3,700r 1,200 900 1,100
// 700 700 3,800r (median 1,000 steps, 13 s of one core), all noise-driven.
//
// Why the frequency term on pairs of symbols (sharpFreqWeight,
// Config.FreqPairs): the HMM emits its rare symbol, output 1, with
// probability 0.01 in both states. While the calibrated readout scaled
// every logit, this recipe's networks emitted it at 0.00% whatever the
// frequency term's weight (0-30): the gain that removes the blips pushed
// the rare symbol's logit, below the others' in every state, further
// down. The calibrated readout now draws it at its trained probability
// (rnn.Readout). Without the term the networks then emit it at 0.26%; the
// term on symbols brings it near 1%, but these networks emit it more in
// one state than in the other, which the transition row after output 1
// shows (seed 3 at weight 10: output 0 follows it 0.60 of the time, the
// HMM 0.50) once a sample holds the 1,000 transitions from it at which
// the criterion judges a row: 5,000 sequences of 30 steps, not the 2,000
// of the monitor's checks. Counting pairs prices where in the sequence
// the rare symbol falls, too. Measured at the demo settings, `hmmrnn
// train --hmm linear2 --seq-len 30 --recipe sharp --freq-weight W
// [--freq-pairs] --max-time 3m --stop-at-fit --eval-every 100 --seed S`
// (two runs at a time, GOMAXPROCS=1 each), then a fresh check of the kept
// network, `hmmrnn eval --samples 5000 --seed 9 --no-match`, and the
// kept networks' regime from `hmmrnn study` with the same flags (the same
// runs: the steps agree; r: after a restart):
//
//	term (weight)   seeds  met    steps to the criterion (median)     rare symbol: median (range)  fresh check  noise-driven
//	none, readout   1-20   20/20  (1,300; seeds 1-10: 1,200)          0.00%                        9/10         16/20
//	  scaled whole
//	none            1-10   10/10  (1,150)                             0.26% (0.15-0.33%)           10/10        -
//	symbols (10)    1-10   10/10  (1,200)                             0.90% (0.71-1.04%)           4/10         -
//	symbols (30)    1-10   10/10  (1,350)                             0.89% (0.75-1.02%)           6/10         -
//	pairs (3)       1-20   20/20  900 1,100 2,300 2,200 1,000 2,000   0.87% (0.70-1.03%)           17/20        15/20
//	                              600 2,300 4,100r 1,600 | 700 1,300
//	                              1,300 1,000 1,600 1,200 600 1,600
//	                              500 1,300 (1,300)
//	pairs (10)      1-20   20/20  (1,250)                             1.02% (0.78-1.26%)           14/20        11/20
//	pairs (30)      1-10   10/10  (1,000)                             1.09% (0.80-1.22%)           6/10         -
//
// (The first row ran the recipe before the two-stage readout; its fresh
// checks are of seeds 1-10.) The fresh checks that fail at weight 3 are
// two transition rows (0.051 and 0.072, the row after output 1) and a
// frequency (0.031 against 0.03); without the rare symbol the row after
// it is never judged, which is why the runs without the term pass more
// of them. The weight trades the rare symbol against the mechanism: at
// weight 10 the symbol comes closer to 1%, but 8 of the 20 kept
// networks' long runs run away (against 3 of 20 without the term, 5 of
// 20 at weight 3), so this recipe uses 3. A throwaway variant that
// weighs every row of the pairs' counts alike (the criterion's view) did
// no better than the term on pairs at weight 10: 7 of 10 and 5 of 10
// fresh checks passed at weights 1 and 3.
var SharpRecipe = Recipe{Name: RecipeSharp, WhhGain: DefaultRecipe.WhhGain, WhhDecay: DefaultRecipe.WhhDecay, LR: sharpLR,
	PlateauAfter: DefaultRecipe.PlateauAfter, Stages: sharpStages, Energy: true, EnergySelf: sharpSelf, TrainSeqLen: sharpTrainLen,
	CalibrateReadout: true, RestartAfter: sharpRestartAfter, FreqWeight: sharpFreqWeight, FreqPairs: true}

// sharpFreqWeight is the sharp recipe's Config.FreqWeight, on the pairs
// of consecutive symbols (Config.FreqPairs; see SharpRecipe).
const sharpFreqWeight = 3

// sharpTrainLen is the sharp recipe's Config.TrainSeqLen: the length at
// which it was tuned (the page's PageSeqLen; see SharpRecipe).
const sharpTrainLen = PageSeqLen

// sharpStages drop the learning rate to sharpSettleLR from step
// sharpSettleFrom, then to the default stages' rates (no big batch): for
// a run that goes on after it met the criterion (the page trains until
// paused).
//
// Why: a network that met the criterion keeps training, and at lr 2e-3 it
// wanders out again: over the checks after the first pass (every 100
// steps to step 3,000), 13% passed (seeds 1-6; 11 of 87), 26% at lr 1e-3
// (19 of 72), and 43% with the drop to 5e-4 at step 1,500 (seeds 1-12; 78
// of 183). Most seeds meet the criterion before step 1,500, so the drop
// hardly delays them: seeds 1-12 met it at steps 800, 1,200, 1,000, -,
// 1,200, 2,000, 1,100, 1,400, 1,100, 2,800, 1,000, 1,100 with it (-: not
// by step 3,000), the same as without it but for seed 6 (2,100 without).
// (Throwaway driver over Run with the page's monitor, no restart, no stop
// at the fit.) The page says when a network that met the criterion no
// longer meets it ("criterion met at step 800, not at step 2700").
var sharpStages = []Stage{{From: sharpSettleFrom, LR: sharpSettleLR}, {From: fineTuneFrom, LR: fineTuneLR}, {From: polishFrom, LR: polishLR}}

// sharpSettleFrom and sharpSettleLR: see sharpStages.
const (
	sharpSettleFrom = 1500
	sharpSettleLR   = 5e-4
)

// sharpSelf and sharpLR are the sharp recipe's Config.EnergySelf and
// Config.LR (see SharpRecipe).
const (
	sharpSelf = 0.65
	sharpLR   = 2e-3
)

// sharpRestartAfter is the sharp recipe's RestartAfter: past the slowest
// success measured at lr 1e-3 (step 2,300 of 20 seeds at the page's
// checks; see SharpRecipe) and all but one at lr 2e-3, rounded up to a
// multiple of the command line's check interval (DefaultFitEvery); a run
// that meets the criterion at that check is not restarted.
const sharpRestartAfter = 2500

// hybridRestartAfter is the hybrid recipe's RestartAfter. Measured (the
// study in HybridRecipe's comment): 28 of 30 runs met the criterion by
// step 1,750; the others stayed in a local optimum to the end of a
// 3-minute budget. 2,000 steps, about 50 s on one core at the demo
// settings, leave one check past the slowest success.
const hybridRestartAfter = 2000

// For returns the recipe that trains m: r itself, except that the default
// recipe trains a linear chain (hmm.HMM.IsChain) of chainStates or more
// states with HybridRecipe and one of 2 states with SharpRecipe. A recipe
// changed by a flag (train's and study's --soft-weight rename it) is not
// the default and is returned as it is.
//
// Why: measured at the demo settings with `hmmrnn study --seq-len 30
// --max-time 3m` (seeds 1-10; see HybridRecipe and SharpRecipe), recipe
// hybrid met the fit criterion for linear3, linear4 and linear5 in 10 of
// 10 seeds each (median 500-750 steps), where the default recipe met it
// in none of the seeds tried (see DefaultStages), and recipe sharp met it
// for linear2 in 18 of 20 by step 3,000 without restarts (median 1,250
// steps at the page's checks), where the default recipe met it in none of
// 5;
// hybrid made fully3 and cyclic4 worse (the default recipe meets the
// criterion for cyclic4 in 10 of 10 seeds and for fully3 in 9 of 10) and
// linear2 no better (worst figure 2.25 and 2.40 times its limit, against
// 1.10-1.42 with the default recipe), so those keep the default recipe.
// Why the soft term helps chains and not the others is not known; this
// rule is the measurement.
func (r Recipe) For(m *hmm.HMM) Recipe {
	if r.Name != RecipeDefault || m == nil || !m.IsChain() {
		return r
	}
	if m.States() >= chainStates {
		return HybridRecipe
	}
	if m.States() == 2 {
		return SharpRecipe
	}
	return r
}

// chainStates is the fewest states of a chain that For trains with
// HybridRecipe (see For).
const chainStates = 3

var recipes = map[string]Recipe{RecipeDefault: DefaultRecipe, RecipePaper: PaperRecipe, RecipeHybrid: HybridRecipe, RecipeSharp: SharpRecipe}

// RecipeNames lists the recipes, sorted.
func RecipeNames() []string {
	var n []string
	for k := range recipes {
		n = append(n, k)
	}
	sort.Strings(n)
	return n
}

// RecipeByName returns the recipe called name.
func RecipeByName(name string) (Recipe, error) {
	r, ok := recipes[name]
	if !ok {
		return Recipe{}, fmt.Errorf("train: recipe %q, want one of %s", name, strings.Join(RecipeNames(), ", "))
	}
	return r, nil
}

// Apply sets the recipe's fields in c.
func (r Recipe) Apply(c *Config) {
	c.WhhGain, c.WhhDecay, c.LR, c.Stages, c.SoftWeight, c.FreqWeight, c.FreqPairs, c.Energy, c.EnergySelf, c.TrainSeqLen, c.CalibrateReadout = r.WhhGain, r.WhhDecay, r.LR, slices.Clone(r.Stages), r.SoftWeight, r.FreqWeight, r.FreqPairs, r.Energy, r.EnergySelf, r.TrainSeqLen, r.CalibrateReadout
}
