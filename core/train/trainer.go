package train

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"gonum.org/v1/gonum/floats"

	"hmmrnn/core/hmm"
	"hmmrnn/core/model"
	"hmmrnn/core/rnn"
	"hmmrnn/core/sinkhorn"
)

// Defaults of the paper's recipe (core/METHOD.md section 3) and of the live demo.
const (
	DefaultLR      = 1e-3 // Adam learning rate
	DefaultBeta1   = 0.9  // Adam betas (0.9, 0.9): the paper's, not PyTorch's (0.9, 0.999)
	DefaultBeta2   = 0.9
	DefaultAdamEps = 1e-8
	// DefaultClip is the gradient-norm bound for linear chains; the
	// fully-connected and cyclic HMMs used ClipDense.
	DefaultClip = 0.9
	ClipDense   = 0.3
	DefaultTau  = 1.0 // Gumbel-softmax temperature
	// DefaultNoiseStd is sigma of the input noise x_t ~ N(0, sigma² I).
	DefaultNoiseStd = 1.0
	// Demo sizes: the 2-state chain learns at H=50, D=10, B=256 in a few
	// thousand steps (core/METHOD.md section 3, measured with the peer).
	DefaultHidden = 50
	DefaultInput  = 10
	DefaultBatch  = 256
	// Paper data set: 30,000 sequences split in thirds (train, validation, test).
	PaperTrainSize  = 10000
	DefaultValSize  = 1000
	DefaultValEvery = 100
)

// Data sources of a training run.
const (
	DataFresh = "fresh" // a new HMM batch every step
	DataFixed = "fixed" // the paper's fixed training set, iterated in order
)

// Config is everything that determines a training run.
type Config struct {
	HMM *hmm.HMM
	// Hidden (H), Input (noise dimension D), Batch (B) and SeqLen (T).
	Hidden, Input, Batch, SeqLen int
	LR, Beta1, Beta2, AdamEps    float64
	Clip                         float64 // gradient-norm bound; <= 0 disables clipping
	Tau                          float64 // Gumbel-softmax temperature
	NoiseStd                     float64
	Seed                         uint64
	// Data is DataFresh or DataFixed. With DataFixed, TrainSize sequences
	// are drawn once and iterated in order, batch by batch (the last batch of
	// an epoch may be smaller), with fresh noise every step.
	Data      string
	TrainSize int
	// ValSize HMM sequences form the validation set; every ValEvery steps
	// the validation loss is measured with fixed noise (common random
	// numbers, so successive values are comparable) and the best weights
	// kept. ValEvery 0 disables validation.
	ValSize, ValEvery int
	// Sinkhorn selects the loss variant; the zero value is the paper's.
	Sinkhorn sinkhorn.Options
	// WhhGain multiplies the random initial W_hh (0 means 1: PyTorch's
	// U(+-1/sqrt(H)), the paper's). A gain g gives W_hh a spectral radius
	// of about g/sqrt(3), so g > sqrt(3) starts the network with slow
	// recurrent modes (see Recipe for why that matters). Ignored with Init.
	WhhGain float64
	// WhhDecay shrinks W_hh after every update: W_hh *= 1 - WhhDecay
	// (decoupled weight decay on the recurrent weights only; 0: none, the
	// paper's). The Sinkhorn loss sees T steps from h0 = 0 and, the ReLU
	// network having no biases, hardly sees the overall scale of the
	// activity, so nothing in it stops a network whose activity grows
	// beyond T steps; the decay pulls unneeded recurrent gain back below
	// the edge of stability (see Recipe for the measurement).
	WhhDecay float64
	// SoftWeight adds to the gradient SoftWeight times that of the
	// Sinkhorn divergence between the soft Gumbel-softmax samples
	// softmax((logits + g)/tau) and the one-hot HMM sequences
	// (sinkhorn.Soft; 0: none, the paper's). The paper's loss on the hard
	// samples passes its gradient through the soft samples' Jacobian, which
	// vanishes where the readout is nearly saturated, so nothing pushes a
	// readout that leaves a few percent on the wrong symbol to saturate: the
	// one-step blips that fail the fit criterion's dwell figure. The soft
	// term sees those few percent directly. The reported loss stays the
	// paper's. The soft samples of chunks run in a helper stay there, so a
	// trainer with SoftWeight computes every chunk itself (see Recipe
	// "hybrid" for the measurement).
	SoftWeight float64
	// FreqWeight adds to the gradient FreqWeight times that of the
	// Kullback-Leibler divergence of the emitted symbols' frequencies from
	// the HMM batch's, KL(f || m) (freqLoss; 0: none, the paper's),
	// passed to the logits by the straight-through gradient like the
	// loss's. Why: the chains' rare symbol (probability 0.01 in every
	// state) is in too few sequences for the batch divergences to pull a
	// network towards emitting it (TestPaperLossDropsTheRareSymbol), while
	// the logarithm pulls hardest on the symbols emitted least. The
	// reported loss stays the paper's. Recipe hybrid uses it on symbols,
	// recipe sharp on pairs of symbols (FreqPairs; see HybridRecipe and
	// SharpRecipe for the measurements).
	FreqWeight float64
	// FreqPairs makes FreqWeight's term count the pairs of consecutive
	// symbols of a sequence instead of the symbols (addPairFreq): it then
	// also prices a rare symbol emitted more often in one state than in
	// another, which shows in the symbols that precede and follow it.
	// Why: see SharpRecipe.
	FreqPairs bool
	// Energy trains on the minibatch energy distance built on the paper's
	// divergence S (Salimans, Zhang, Radford and Metaxas 2018, "Improving
	// GANs using optimal transport", section 3) instead of S itself: with
	// the RNN batch split into halves x1, x2 and the HMM batch into y1, y2,
	//
	//	L = 1/4 sum_{a,b} S(x_a, y_b) - 1/2 S(x1, x2)
	//
	// (the HMM-HMM term -1/2 S(y1, y2) does not depend on the weights and
	// is left out). Why: S between two finite batches is biased, positive
	// even for two samples of one distribution and larger the more varied
	// the distribution, so the batch loss is lowered by emitting fewer
	// distinct sequences: networks trained on it switch state too rarely
	// (linear2: 1.07-1.13 changes per 30 steps against the HMM's 1.44) and
	// make up the count with readout blips. The -1/2 S(x1, x2) term has the
	// same bias with the opposite sign, so L has no such pull (see Recipe
	// for the measurement). The reported loss (StepInfo.Loss, the loss
	// chart) is the paper's S between the halves, 1/4 sum_{a,b} S(x_a, y_b):
	// solving S(x, y) on the whole batch as well, only to report it, took
	// 23-32% of the Sinkhorn time of a step (HMM batches of linear2 and
	// fully3, B 256 and 1,024, one core). It is larger than the whole
	// batch's S by the bias of the smaller batch, so a run with Energy and
	// one without report losses on different footings. Batches of at least
	// 4 sequences.
	Energy bool
	// EnergySelf is the weight of the RNN-RNN term of the energy distance
	// (Config.Energy): L = 1/4 sum_{a,b} S(x_a, y_b) - EnergySelf/2 S(x1,
	// x2), in (0, 1]; 0 means 1, the energy distance itself. Measured: at
	// 1 and B 256, linear2's networks switch state too often (emitted
	// outputs changing 1.85-2.25 times as often as the HMM's at step
	// 3,000), although over batches of 2-state chains the energy distance
	// is lowest at the HMM's own switching rate; at 0.65 they meet the fit
	// criterion, and the loss is lowest for chains switching 10-15% less
	// than the HMM (TestEnergyPrefersTheTruth). A weight below 1 moves the
	// loss toward the paper's divergence between the halves (0 would be
	// that, which prefers too few switches). See SharpRecipe for the
	// measurement.
	EnergySelf float64
	// TrainSeqLen, when shorter than SeqLen, is the number of first steps
	// of each sequence the steps train on (0: whole sequences, the
	// paper's): the network runs, and the loss compares, TrainSeqLen steps
	// from h0 = 0 with the HMM's first TrainSeqLen steps, while the fit
	// checks, validation and readout calibration judge whole sequences of
	// SeqLen steps, so a run meets the criterion only when what it learnt
	// holds over all of them. A cap, not a length, so that a recipe can
	// set it before the run's SeqLen is known. Why: see SharpRecipe
	// (linear2 at T 100 learns on its first 30 steps).
	TrainSeqLen int
	// CalibrateReadout fits, every calibrateEvery steps, the readout gain
	// with which the emitted symbols fit the HMM best (ReadoutGain; false:
	// never, the paper's), and the run
	// emits with W_out multiplied by it (Trainer.Net) while training goes
	// on with the unscaled weights. The outputs do not feed back into the
	// dynamics, so only the sharpness of the readout changes: the one-step
	// blips of an unsaturated readout, which the paper's loss hardly sees,
	// are removed (see ReadoutGain and Recipe for the measurement).
	CalibrateReadout bool
	// Stages change the batch, learning rate and temperature from given
	// steps on, each with a fresh Adam (see Stage); the fields above are
	// the first stage's. Restarts begin again with the first stage.
	Stages []Stage
	// Init, when set, replaces the random initialisation: training starts
	// from a copy of these weights (same H, D and outputs). Starting a
	// harder HMM from a network trained on an easier one is a way off the
	// fair-coin plateau.
	Init *rnn.Net
}

// Stage is a later training stage of a run (model.Stage): the steps after
// the first From ones take batches of at least Batch sequences with
// learning rate LR and temperature Tau (zero: the previous stage's), and a
// fresh Adam starts with the stage, so the moments of the large early updates do not damp
// the first steps at the new learning rate.
type Stage = model.Stage

// stageAt returns the number of c's stages begun after steps steps and the
// batch, learning rate and temperature of the next step.
func (c *Config) stageAt(steps int) (stage, batch int, lr, tau float64) {
	batch, lr, tau = c.Batch, c.LR, c.Tau
	for _, s := range c.Stages {
		if s.From > steps {
			break
		}
		stage++
		batch = max(batch, s.Batch) // a stage never shrinks the batch (e.g. a run at B 4096)
		if s.LR > 0 {
			lr = s.LR
		}
		if s.Tau > 0 {
			tau = s.Tau
		}
	}
	return stage, batch, lr, tau
}

// stageStart is the step count at which stage (a count of stages begun)
// began: 0 for the first stage.
func (c *Config) stageStart(stage int) int {
	if stage == 0 {
		return 0
	}
	return c.Stages[stage-1].From
}

// FormatStages describes stages for a progress line, e.g. "; after step
// 2000: batch 1024, lr 0.0003" ("" without stages).
func FormatStages(stages []Stage) string {
	var b strings.Builder
	for _, s := range stages {
		fmt.Fprintf(&b, "; after step %d:", s.From)
		sep := " "
		for _, f := range []struct {
			name string
			v    float64
		}{{"batch", float64(s.Batch)}, {"lr", s.LR}, {"tau", s.Tau}} {
			if f.v != 0 {
				fmt.Fprintf(&b, "%s%s %g", sep, f.name, f.v)
				sep = ", "
			}
		}
		if sep == " " {
			b.WriteString(" a fresh Adam")
		}
	}
	return b.String()
}

// TrainLen is the length of the training sequences: SeqLen, or
// TrainSeqLen when that is shorter (see Config.TrainSeqLen).
func (c Config) TrainLen() int {
	if c.TrainSeqLen > 0 && c.TrainSeqLen < c.SeqLen {
		return c.TrainSeqLen
	}
	return c.SeqLen
}

// MaxBatch is the largest batch of any stage: what memory must hold.
func (c *Config) MaxBatch() int {
	b := c.Batch
	for _, s := range c.Stages {
		b = max(b, s.Batch)
	}
	return b
}

// DefaultClipFor returns the paper's clipping bound for an HMM: 0.3 for the
// fully-connected and cyclic presets, 0.9 otherwise.
func DefaultClipFor(m *hmm.HMM) float64 {
	if m != nil && (m.Name == "fully3" || m.Name == "cyclic4") {
		return ClipDense
	}
	return DefaultClip
}

// DefaultConfig returns the paper's configuration (RecipePaper) at the demo
// sizes for m; live training applies DefaultRecipe on top.
func DefaultConfig(m *hmm.HMM) Config {
	T := 30
	if m != nil {
		T = m.SeqLen
	}
	return Config{
		HMM: m, Hidden: DefaultHidden, Input: DefaultInput, Batch: DefaultBatch, SeqLen: T,
		LR: DefaultLR, Beta1: DefaultBeta1, Beta2: DefaultBeta2, AdamEps: DefaultAdamEps,
		Clip: DefaultClipFor(m), Tau: DefaultTau, NoiseStd: DefaultNoiseStd, Seed: 1,
		Data: DataFresh, TrainSize: PaperTrainSize, ValSize: DefaultValSize, ValEvery: DefaultValEvery,
	}
}

// Limits that keep a bad value from exhausting memory.
const (
	maxHidden = 4096
	maxInput  = 4096
	maxBatch  = 1 << 16
)

// Validate reports the first bad field of c.
func (c *Config) Validate() error {
	if c.HMM == nil {
		return errors.New("train: no HMM")
	}
	if err := c.HMM.Validate(); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	check := func(name string, v, lo, hi int) error {
		if v < lo || v > hi {
			return fmt.Errorf("train: %s = %d, want %d..%d", name, v, lo, hi)
		}
		return nil
	}
	for _, e := range []error{
		check("hidden", c.Hidden, 1, maxHidden), check("input", c.Input, 1, maxInput),
		check("batch", c.Batch, 2, maxBatch), check("seq-len", c.SeqLen, 1, sinkhorn.MaxSeqLen),
		check("train-seq-len", c.TrainSeqLen, 0, sinkhorn.MaxSeqLen),
	} {
		if e != nil {
			return e
		}
	}
	pos := func(name string, v float64) error {
		if !(v > 0) || math.IsInf(v, 0) {
			return fmt.Errorf("train: %s = %v, want a finite value > 0", name, v)
		}
		return nil
	}
	for _, e := range []error{pos("lr", c.LR), pos("adam-eps", c.AdamEps), pos("tau", c.Tau)} {
		if e != nil {
			return e
		}
	}
	if !(c.Beta1 >= 0 && c.Beta1 < 1) || !(c.Beta2 >= 0 && c.Beta2 < 1) {
		return fmt.Errorf("train: betas (%v, %v) must lie in [0, 1)", c.Beta1, c.Beta2)
	}
	if !(c.EnergySelf >= 0 && c.EnergySelf <= 1) {
		return fmt.Errorf("train: energy-self = %v, want a weight in (0, 1] (0: 1, the energy distance)", c.EnergySelf)
	}
	if c.Energy && c.MaxBatch() < 4 {
		return fmt.Errorf("train: energy distance with batch %d, want at least 4 sequences (two halves of two)", c.Batch)
	}
	if !(c.FreqWeight >= 0) || math.IsInf(c.FreqWeight, 0) {
		return fmt.Errorf("train: freq-weight = %v, want a finite value >= 0", c.FreqWeight)
	}
	if c.FreqPairs && c.FreqWeight == 0 {
		return fmt.Errorf("train: freq-pairs without a freq-weight: the pairs' term has weight 0")
	}
	if !(c.SoftWeight >= 0) || math.IsInf(c.SoftWeight, 0) {
		return fmt.Errorf("train: soft-weight = %v, want a finite value >= 0", c.SoftWeight)
	}
	if !(c.WhhDecay >= 0 && c.WhhDecay < 1) {
		return fmt.Errorf("train: whh-decay = %v, want 0 <= decay < 1", c.WhhDecay)
	}
	if !(c.WhhGain >= 0) || math.IsInf(c.WhhGain, 0) {
		return fmt.Errorf("train: whh-gain = %v, want a finite value >= 0 (0: 1)", c.WhhGain)
	}
	last := 0
	for i, s := range c.Stages {
		name := fmt.Sprintf("stage %d", i+2)
		switch {
		case s.From <= last:
			return fmt.Errorf("train: %s begins after step %d, want a step after %d (stages in increasing order, none at step 0)", name, s.From, last)
		case s.Batch != 0 && (s.Batch < 2 || s.Batch > maxBatch):
			return fmt.Errorf("train: %s batch = %d, want 2..%d (0: unchanged)", name, s.Batch, maxBatch)
		case !(s.LR >= 0) || math.IsInf(s.LR, 0):
			return fmt.Errorf("train: %s lr = %v, want a finite value > 0 (0: unchanged)", name, s.LR)
		case !(s.Tau >= 0) || math.IsInf(s.Tau, 0):
			return fmt.Errorf("train: %s tau = %v, want a finite value > 0 (0: unchanged)", name, s.Tau)
		}
		last = s.From
	}
	if math.IsNaN(c.Clip) || math.IsInf(c.Clip, 0) {
		return fmt.Errorf("train: clip = %v, want a finite value", c.Clip)
	}
	if !(c.NoiseStd >= 0) || math.IsInf(c.NoiseStd, 0) {
		return fmt.Errorf("train: noise-std = %v, want a finite value >= 0", c.NoiseStd)
	}
	switch c.Data {
	case DataFresh:
	case DataFixed:
		if err := check("train-size", c.TrainSize, 2, 1<<22); err != nil {
			return err
		}
	default:
		return fmt.Errorf("train: data %q, want %q or %q", c.Data, DataFresh, DataFixed)
	}
	if c.ValEvery < 0 {
		return fmt.Errorf("train: val-every = %d, want >= 0", c.ValEvery)
	}
	if c.ValEvery > 0 {
		if err := check("val-size", c.ValSize, 2, 1<<16); err != nil {
			return err
		}
	}
	return nil
}

// Random streams, one per purpose, so that changing e.g. the validation
// schedule never changes the training trajectory.
const (
	streamInit  = "init"
	streamData  = "data"
	streamNoise = "noise"
	streamVal   = "val"
)

var streamIDs = map[string]uint64{streamInit: 1, streamData: 2, streamNoise: 3, streamVal: 4}

// Streams of the fixed data sets: drawn once from the seed, so they need not
// be stored in checkpoints.
const (
	streamTrainSet = 101
	streamValSet   = 102
)

// StepInfo describes one optimisation step.
type StepInfo struct {
	Step     int     // steps taken, including this one
	Loss     float64 // Sinkhorn divergence of this step's batch
	GradNorm float64 // gradient norm before clipping
	// Val is the validation loss when it was measured at this step, else NaN.
	Val float64
	// Time splits the step's wall time, for benchmarks.
	Time StepTime
}

// StepTime is the wall time of a step's parts.
type StepTime struct {
	Data     time.Duration // drawing the HMM batch
	RNN      time.Duration // RNN forward and backward (BPTT)
	Sinkhorn time.Duration // loss and its gradient
	Update   time.Duration // clipping and Adam
}

// Trainer runs the optimisation one step at a time.
type Trainer struct {
	cfg              Config
	net              *rnn.Net
	grad             *rnn.Net
	adam             *Adam
	pcg              map[string]*rand.PCG // the streams a checkpoint must store
	data             *rand.Rand
	noise            *rand.Rand
	ws               map[int]*rnn.Workspace // by batch size (a fixed set's last batch may be smaller)
	helper           rnn.Helper
	remote           sinkhorn.Remote // solves two of Energy's five divergences (SetHelper)
	remoteErr        error           // why the remote was dropped
	target           []uint8         // HMM batch buffer
	trainSet, valSet []uint8
	epoch, pos       int
	step             int
	// stage counts the stages begun (Config.Stages); batch and tau are the
	// current stage's (its learning rate is adam's).
	stage, batch int
	tau          float64
	soft         []float64 // SoftWeight's buffer: the soft samples
	loss         []float64
	val          []model.ValPoint
	best         *rnn.Net
	bestStep     int
	bestVal      float64
	// gain is the readout's calibrated gain (Config.CalibrateReadout; 1:
	// none), and emitter the network the run emits with: net's weights
	// with the calibrated readout (Net). rare are the symbols that readout
	// draws at the trained probability (RareSymbols).
	gain    float64
	emitter *rnn.Net
	rare    []int
}

// New starts a run with freshly initialised weights.
func New(cfg Config) (*Trainer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.Stages = slices.Clone(cfg.Stages) // the caller's slice may change
	t := &Trainer{cfg: cfg, pcg: map[string]*rand.PCG{}, ws: map[int]*rnn.Workspace{}, bestVal: math.Inf(1), gain: 1}
	t.pcg[streamData] = rand.NewPCG(cfg.Seed, streamIDs[streamData])
	t.pcg[streamNoise] = rand.NewPCG(cfg.Seed, streamIDs[streamNoise])
	init := rand.New(rand.NewPCG(cfg.Seed, streamIDs[streamInit]))
	net, err := rnn.New(cfg.Hidden, cfg.Input, cfg.HMM.Outputs(), init)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	if g := cfg.WhhGain; g != 0 && g != 1 {
		for i := range net.Whh {
			net.Whh[i] *= g
		}
	}
	if w := cfg.Init; w != nil {
		if err := w.Validate(); err != nil {
			return nil, fmt.Errorf("train: initial weights: %w", err)
		}
		if w.H != cfg.Hidden || w.D != cfg.Input || w.O != cfg.HMM.Outputs() {
			return nil, fmt.Errorf("train: initial weights are H=%d D=%d O=%d, the run needs H=%d D=%d O=%d",
				w.H, w.D, w.O, cfg.Hidden, cfg.Input, cfg.HMM.Outputs())
		}
		net = w.Clone()
	}
	t.net = net
	t.setup()
	return t, nil
}

// setup derives everything that follows from cfg, the step count and the
// current net.
func (t *Trainer) setup() {
	c := t.cfg
	t.grad = t.net.Clone()
	t.beginStage()
	t.data = rand.New(t.pcg[streamData])
	t.noise = rand.New(t.pcg[streamNoise])
	t.target = make([]uint8, c.MaxBatch()*c.TrainLen())
	t.rare = RareSymbols(c.HMM, c.SeqLen)
	// The data sets come from their own seeded streams, so they are the
	// same on resume without being stored.
	if c.Data == DataFixed {
		t.trainSet, _ = c.HMM.Sample(rand.New(rand.NewPCG(c.Seed, streamTrainSet)), c.TrainSize, c.TrainLen())
	}
	if c.ValEvery > 0 {
		t.valSet, _ = c.HMM.Sample(rand.New(rand.NewPCG(c.Seed, streamValSet)), c.ValSize, c.SeqLen)
	}
}

// beginStage sets the batch, temperature and a fresh Adam of the stage in
// force after t.step steps.
func (t *Trainer) beginStage() {
	c := &t.cfg
	var lr float64
	t.stage, t.batch, lr, t.tau = c.stageAt(t.step)
	t.adam = NewAdam(lr, c.Beta1, c.Beta2, c.AdamEps, len(t.net.Win), len(t.net.Whh), len(t.net.Wout))
}

// Stage returns the number of stages begun (0: the first stage, the
// configuration's own settings) and the batch, learning rate and
// temperature of the next step.
func (t *Trainer) Stage() (stage, batch int, lr, tau float64) {
	return t.stage, t.batch, t.adam.LR, t.tau
}

// Config returns the run's configuration.
func (t *Trainer) Config() Config { return t.cfg }

// Net returns the network the run emits with, which callers must not
// modify: the current weights, with the readout's calibrated gain when
// Config.CalibrateReadout is set (ReadoutGain: the frequent symbols'
// choice sharpened by the gain, the rare ones as trained; rnn.Readout). The
// gain is the emitter's, not the optimiser's: the steps train the unscaled
// weights, so the calibration never changes the gradients. A readout made
// sharper inside the loop passes smaller straight-through gradients to the
// logits, through which every gradient of the network passes: so trained,
// linear2 seeds 6 and 7 (demo settings, the default recipe with the
// soft-sample term) froze into switching a quarter as often as the HMM
// from step ~750 on (0.46 and 0.38 changes per sequence at step 1,500
// against the HMM's 1.46), and without the calibration in the loop the
// same seeds switched as often as the HMM by step 2,000 (1.49 and 1.36;
// `hmmrnn train --hmm linear2 --seq-len 30 --soft-weight 1 --seed S`).
func (t *Trainer) Net() *rnn.Net {
	if t.gain == 1 {
		return t.net
	}
	if t.emitter == nil {
		t.emitter = &rnn.Net{H: t.net.H, D: t.net.D, O: t.net.O}
	}
	t.emitter.Win, t.emitter.Whh, t.emitter.Wout = t.net.Win, t.net.Whh, t.net.Wout
	t.emitter.Readout = rnn.Readout{Gain: t.gain, Rare: t.rare}
	return t.emitter
}

// ReadoutGain returns the gain of Net's readout (1 when the readout is not
// calibrated).
func (t *Trainer) ReadoutGain() float64 { return t.gain }

// Best returns the weights with the lowest validation loss so far and their
// step, or the current weights and 0 when nothing was validated yet.
func (t *Trainer) Best() (*rnn.Net, int) {
	if t.best == nil {
		return t.Net(), 0
	}
	return t.best, t.bestStep
}

// StepCount is the number of steps taken.
func (t *Trainer) StepCount() int { return t.step }

// Losses returns the training loss of every step so far (do not modify).
func (t *Trainer) Losses() []float64 { return t.loss }

// ValLosses returns the validation measurements so far (do not modify).
func (t *Trainer) ValLosses() []model.ValPoint { return t.val }

func (t *Trainer) workspace(b int) *rnn.Workspace {
	w, ok := t.ws[b]
	if !ok {
		w = rnn.NewWorkspace(t.net, b, t.cfg.TrainLen())
		w.SetHelper(t.workspaceHelper()) // a NewWorkspace always takes one
		t.ws[b] = w
	}
	return w
}

// SetHelper hands half of every step's RNN chunks to h (see rnn.Helper: in
// the browser, a second Web Worker); nil computes everything here. If h is
// also a sinkhorn.Remote, it solves two of the five divergences of every
// Config.Energy step as well (it is idle while the trainer solves them).
// The results do not change.
func (t *Trainer) SetHelper(h rnn.Helper) {
	t.helper = h
	t.remote, _ = h.(sinkhorn.Remote)
	t.remoteErr = nil
	for _, w := range t.ws {
		w.SetHelper(t.workspaceHelper())
	}
}

// HelperUsable reports whether a helper given by SetHelper would compute
// part of each step: not with SoftWeight, whose loss needs the soft
// samples of every chunk here.
func (t *Trainer) HelperUsable() bool { return t.cfg.SoftWeight == 0 }

// workspaceHelper is the helper the workspaces use (none unless
// HelperUsable).
func (t *Trainer) workspaceHelper() rnn.Helper {
	if !t.HelperUsable() {
		return nil
	}
	return t.helper
}

// HelperErr returns the error that made a workspace stop using the helper,
// or the trainer its remote (each then computes everything itself), if any.
func (t *Trainer) HelperErr() error {
	for _, w := range t.ws {
		if err := w.HelperErr(); err != nil {
			return err
		}
	}
	return t.remoteErr
}

// nextTarget returns the HMM batch for this step.
func (t *Trainer) nextTarget() []uint8 {
	c := t.cfg
	T := c.TrainLen()
	if c.Data == DataFresh {
		y := t.target[:t.batch*T]
		c.HMM.SampleInto(t.data, y, nil, t.batch, T)
		return y
	}
	epoch, start := t.epoch, t.pos
	t.epoch, t.pos = nextBatch(t.epoch, t.pos, t.batch, c.TrainSize)
	if t.epoch != epoch {
		start = 0
	}
	return t.trainSet[start*T : t.pos*T]
}

// nextBatch moves a fixed training set's position (epoch, next sequence)
// past the next batch of up to b of its n sequences: the last batch of an
// epoch takes the rest, and the next one starts the next epoch.
func nextBatch(epoch, pos, b, n int) (int, int) {
	if pos >= n {
		epoch, pos = epoch+1, 0
	}
	return epoch, min(pos+b, n)
}

// selfWeight is the weight of Energy's S(x1, x2) term (Config.EnergySelf;
// 0 means 1).
func (c Config) selfWeight() float64 {
	if c.EnergySelf == 0 {
		return 1
	}
	return c.EnergySelf
}

// Step takes one optimisation step. An error (a non-finite loss or
// gradient) leaves the weights as they were before the step.
func (t *Trainer) Step() (StepInfo, error) {
	c := t.cfg
	T, O := c.TrainLen(), c.HMM.Outputs()
	var tm StepTime
	t0 := time.Now()
	y := t.nextTarget()
	b := len(y) / T
	ws := t.workspace(b)
	t1 := time.Now()
	x := ws.Forward(t.net, t.noise, c.NoiseStd, t.tau)
	t2 := time.Now()
	var loss float64
	var dY []float64
	var err error
	if c.Energy { // the reported loss is the paper's divergence between batch halves
		var remoteErr error
		_, loss, dY, remoteErr, err = energyLoss(x, y, b, T, O, c.selfWeight(), c.Sinkhorn, t.remote)
		if remoteErr != nil {
			t.remote, t.remoteErr = nil, remoteErr
		}
	} else {
		loss, dY, err = sinkhorn.Symbols(x, y, b, b, T, O, c.Sinkhorn)
	}
	if err == nil && c.SoftWeight > 0 {
		err = t.addSoft(ws, y, dY, b)
	}
	if err == nil && c.FreqWeight > 0 {
		if c.FreqPairs {
			addPairFreq(dY, x, y, T, O, c.FreqWeight)
		} else {
			addFreq(dY, x, y, O, c.FreqWeight)
		}
	}
	t3 := time.Now()
	if err != nil {
		return StepInfo{}, fmt.Errorf("train: step %d: %w", t.step+1, err)
	}
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return StepInfo{}, fmt.Errorf("train: step %d: loss is %v", t.step+1, loss)
	}
	ws.Backward(t.net, dY, t.grad)
	t4 := time.Now()
	grads := params(t.grad)
	norm := ClipNorm(grads, c.Clip)
	if math.IsNaN(norm) || math.IsInf(norm, 0) {
		return StepInfo{}, fmt.Errorf("train: step %d: gradient norm is %v", t.step+1, norm)
	}
	t.adam.Update(params(t.net), grads)
	if d := c.WhhDecay; d > 0 {
		for i := range t.net.Whh {
			t.net.Whh[i] *= 1 - d
		}
	}
	t5 := time.Now()
	tm.Data, tm.RNN, tm.Sinkhorn, tm.Update = t1.Sub(t0), t2.Sub(t1)+t4.Sub(t3), t3.Sub(t2), t5.Sub(t4)
	t.step++
	t.loss = append(t.loss, loss)
	if c.CalibrateReadout && t.step%calibrateEvery == 0 {
		if err := t.calibrateReadout(); err != nil {
			return StepInfo{}, fmt.Errorf("train: step %d: %w", t.step, err)
		}
	}
	if t.stage < len(c.Stages) && c.Stages[t.stage].From == t.step {
		t.beginStage()
	}
	info := StepInfo{Step: t.step, Loss: loss, GradNorm: norm, Val: math.NaN(), Time: tm}
	if c.ValEvery > 0 && t.step%c.ValEvery == 0 {
		v, err := t.Validate()
		if err != nil {
			return info, err
		}
		info.Val = v
		t.val = append(t.val, model.ValPoint{Step: t.step, Loss: v})
		if v < t.bestVal {
			t.bestVal, t.bestStep = v, t.step
			if t.best == nil {
				t.best = t.Net().Clone()
			} else {
				copyNet(t.best, t.Net())
			}
		}
	}
	return info, nil
}

// softBatch bounds the sequences the soft term compares: the first
// softBatch of a larger batch (the default recipe's later stages train on
// 1,024), since sinkhorn.Soft's cost grows as the batch squared and the
// term's role, pricing the readout's few percent on the wrong symbol,
// needs no more than the demo batch.
const softBatch = 256

// addSoft adds SoftWeight times the gradient of the Sinkhorn divergence
// between the last Forward's soft samples and the one-hot target batch y
// of b sequences to dY, on the first min(b, softBatch) sequences.
func (t *Trainer) addSoft(ws *rnn.Workspace, y []uint8, dY []float64, b int) error {
	c := t.cfg
	T, O := c.TrainLen(), c.HMM.Outputs()
	var err error
	if t.soft, err = ws.Soft(t.soft); err != nil {
		return err
	}
	n := min(b, softBatch)
	_, g, err := sinkhorn.Soft(t.soft[:n*T*O], y[:n*T], n, n, T, O, c.Sinkhorn)
	if err != nil {
		return fmt.Errorf("soft-sample loss: %w", err)
	}
	floats.AddScaled(dY[:len(g)], c.SoftWeight, g)
	return nil
}

// freqLoss is Config.FreqWeight's term before its weight: the
// Kullback-Leibler divergence KL(f || m) = sum_o f_o log(f_o / m_o) of the
// network's symbol frequencies m from the HMM batch's f, where m_o = (c_o
// + 1)/(n + O) are the frequencies of the counts c of n emitted symbols
// with one added to each (so that a symbol never emitted costs a finite
// amount), and its gradient with respect to each count.
func freqLoss(c, f []float64, n float64) (float64, []float64) {
	O := float64(len(c))
	var loss float64
	g := make([]float64, len(c))
	for o := range c {
		if f[o] > 0 {
			m := (c[o] + 1) / (n + O)
			loss += f[o] * math.Log(f[o]/m)
			g[o] = -f[o] / (m * (n + O))
		}
	}
	return loss, g
}

// addFreq adds w times freqLoss's gradient to dY, the gradient with
// respect to the one-hot emitted symbols x (O floats per step): a count
// is the sum of its symbol's one-hot entries, so every step of symbol o
// gets the count's gradient. The straight-through backward carries it to
// the logits as it does the loss's.
func addFreq(dY []float64, x, y []uint8, O int, w float64) {
	c, f := make([]float64, O), make([]float64, O)
	for _, o := range x {
		c[o]++
	}
	for _, o := range y {
		f[o] += 1 / float64(len(y))
	}
	_, g := freqLoss(c, f, float64(len(x)))
	for k := range dY {
		dY[k] += w * g[k%O]
	}
}

// addPairFreq is addFreq for the frequencies of the pairs of consecutive
// symbols (Config.FreqPairs): freqLoss over the O*O counts c_ab of steps t
// and t+1 of one sequence emitting a then b (x and y hold sequences of T
// symbols). A pair count is the sum over t of x_t[a] x_{t+1}[b], so step
// t's one-hot entry for symbol a gets the gradient of the pair it begins,
// (a, x_{t+1}), and of the pair it ends, (x_{t-1}, a).
func addPairFreq(dY []float64, x, y []uint8, T, O int, w float64) {
	c, n := pairCounts(x, T, O)
	f, ny := pairCounts(y, T, O)
	if n == 0 || ny == 0 {
		return
	}
	for k := range f {
		f[k] /= ny
	}
	_, g := freqLoss(c, f, n)
	for s := 0; s+T <= len(x); s += T {
		for t := s; t < s+T; t++ {
			d := dY[t*O : (t+1)*O]
			for a := range O {
				var v float64
				if t+1 < s+T {
					v += g[a*O+int(x[t+1])]
				}
				if t > s {
					v += g[int(x[t-1])*O+a]
				}
				d[a] += w * v
			}
		}
	}
}

// pairCounts returns the counts of the pairs of consecutive symbols (a, b)
// at index a*O+b over the sequences of T symbols in x, and their total.
func pairCounts(x []uint8, T, O int) ([]float64, float64) {
	c := make([]float64, O*O)
	var n float64
	for s := 0; s+T <= len(x); s += T {
		for t := s; t < s+T-1; t++ {
			c[int(x[t])*O+int(x[t+1])]++
			n++
		}
	}
	return c, n
}

// Validate returns the validation loss of the current weights: the
// divergence between ValSize RNN samples, drawn with the same noise every
// time, and the validation set.
func (t *Trainer) Validate() (float64, error) {
	c := t.cfg
	if c.ValEvery == 0 || len(t.valSet) == 0 {
		return math.NaN(), errors.New("train: validation is off")
	}
	r := rand.New(rand.NewPCG(c.Seed, streamIDs[streamVal]))
	x := t.Net().Sample(r, c.ValSize, c.SeqLen, c.NoiseStd)
	loss, err := sinkhorn.SymbolsLoss(x, t.valSet, c.ValSize, c.ValSize, c.SeqLen, c.HMM.Outputs(), c.Sinkhorn)
	if err != nil {
		return math.NaN(), fmt.Errorf("train: validation at step %d: %w", t.step, err)
	}
	return loss, nil
}

func params(n *rnn.Net) [][]float64 { return [][]float64{n.Win, n.Whh, n.Wout} }

// copyNet copies src's weights and readout into dst, of the same sizes.
func copyNet(dst, src *rnn.Net) {
	copy(dst.Win, src.Win)
	copy(dst.Whh, src.Whh)
	copy(dst.Wout, src.Wout)
	dst.Readout = src.Readout.Clone()
}

// energyLoss returns Config.Energy's loss of the RNN batch x (b
// sequences) against the HMM batch y, and its gradient with respect to the
// one-hot x: halves of h = b/2 and b-h sequences. cross is the mean of the
// four divergences S(x_a, y_c) between the halves, the paper's divergence
// at half the batch, which the trainer reports (see Config.Energy).
// S(x1, x2) is solved once for both halves' gradients (sinkhorn.SymbolsBoth,
// bit for bit the two separate solves). With a remote, S(x2, y1) and
// S(x2, y2) are solved there while the other three are solved here; if
// the remote fails, they are solved here too (the same values) and
// remoteErr says why. self weighs the S(x1, x2) term (Config.EnergySelf).
func energyLoss(x, y []uint8, b, T, O int, self float64, opt sinkhorn.Options, remote sinkhorn.Remote) (loss, cross float64, dY []float64, remoteErr, err error) {
	h := b / 2
	xs := [2][]uint8{x[:h*T], x[h*T:]}
	ys := [2][]uint8{y[:h*T], y[h*T:]}
	n := [2]int{h, b - h}
	type result struct {
		loss float64
		grad []float64
	}
	var crossTerms [2][2]result
	var waits [2]func() (float64, []float64, error)
	if remote != nil {
		for c := range 2 {
			waits[c] = remote.Symbols(xs[1], ys[c], n[1], n[c], T, O, opt)
		}
	}
	sxx, g1, g2, err := sinkhorn.SymbolsBoth(xs[0], xs[1], n[0], n[1], T, O, opt)
	if err != nil {
		return 0, 0, nil, nil, fmt.Errorf("energy distance, S(x1, x2): %w", err)
	}
	for a := range 2 {
		for c := range 2 {
			r := &crossTerms[a][c]
			if a == 1 && waits[c] != nil && remoteErr == nil {
				if r.loss, r.grad, remoteErr = waits[c](); remoteErr == nil {
					continue
				}
			}
			if r.loss, r.grad, err = sinkhorn.Symbols(xs[a], ys[c], n[a], n[c], T, O, opt); err != nil {
				return 0, 0, nil, remoteErr, fmt.Errorf("energy distance, S(x%d, y%d): %w", a+1, c+1, err)
			}
		}
	}
	dY = make([]float64, b*T*O)
	gs := [2][]float64{dY[:h*T*O], dY[h*T*O:]}
	selfGrad := [2][]float64{g1, g2}
	for a := range 2 {
		for c := range 2 {
			l := crossTerms[a][c].loss
			loss += l / 4
			cross += l / 4
			floats.AddScaled(gs[a], 0.25, crossTerms[a][c].grad)
		}
		if a == 0 {
			loss -= self * sxx / 2
		}
		floats.AddScaled(gs[a], -self/2, selfGrad[a])
	}
	return loss, cross, dY, remoteErr, nil
}
