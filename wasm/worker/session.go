package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"hmmrnn/core/dynamics"
	"hmmrnn/core/hmm"
	"hmmrnn/core/model"
	"hmmrnn/core/rnn"
	"hmmrnn/core/scene"
	"hmmrnn/core/scene/portrait"
	"hmmrnn/core/stats"
	"hmmrnn/core/train"
)

// Snapshots of the weights for the training-evolution scrubber: one every
// snapEvery steps; when more than maxSnaps pile up, every other one is
// dropped and the interval doubles, so any run keeps at most maxSnaps
// snapshots spread over its whole length.
const (
	firstSnapEvery = 50
	maxSnaps       = 64
)

// statsSeqs is the number of RNN sequences (and of HMM sequences in each
// reference sample) behind each check of live training and each
// statistics update: the command line's train.DefaultCheckSamples, so
// that the page's "criterion met" is the command line's verdict, as sure
// of a network. At 512 sequences, as before, the figures of a network
// near a limit swing from check to check (a linear2 run checked natively
// that way: dwell 0.131, 0.090, 0.121 and 0.171 at steps 3,200-3,500,
// against the limit 0.10), and a pass needs two samples to pass
// (train.Monitor's Assess). A check costs about 33 ms natively (Evaluate
// of 2000 sequences of T 30 at H 50; 11 ms for 512), twice for a pass: a
// few percent of the ~100 steps between checks in the browser.
const statsSeqs = train.DefaultCheckSamples

// checkEvery is the step interval of the monitor's checks during live
// training (train.Monitor: fit criterion, plateau, restarts, with the
// engine's policy): about 1.1 s of training at the demo's ~11 ms per step
// in the browser, near the page's statistics cadence (statsEvery).
const checkEvery = 100

// Settings are what the page chooses for a training run; core/train
// validates them (and holds the browser's limits) so that it can be tested
// and fuzzed natively.
type Settings = train.PageSettings

// View chooses what the phase portrait shows.
type View struct {
	Sigma   float64 `json:"sigma"`
	Silence bool    `json:"silence"`
	Flow    bool    `json:"flow"`
	Density bool    `json:"density"`
	Decay   bool    `json:"decay"`
	Zones   bool    `json:"zones"`
	Kick    bool    `json:"kick"` // find and mark the kick neurons
	// Units adds the units view's data (recent activity per unit and the
	// units' roles, which needs the kick neurons); Silenced lists units
	// the page silenced one by one (mu = 0 on both inputs).
	Units    bool  `json:"units"`
	Silenced []int `json:"silenced"`
	// Snapshot picks a saved snapshot (index into Status.Snapshots) to
	// show instead of the current network; -1 or out of range = current.
	Snapshot int `json:"snapshot"`
}

// snapshot is a copy of the weights at one step.
type snapshot struct {
	step int
	net  *rnn.Net
}

// unitsWindow is the number of recent states of the units view's raster:
// at the demo's ~0.04 switches per step, about ten switches.
const unitsWindow = 240

// Session is one HMM with one network: trained live, or loaded from a model
// file (and trainable further when the file has its resume state).
type Session struct {
	Settings  Settings
	Source    string // "train", or the name of the loaded file
	hmm       *hmm.HMM
	exact     hmm.Exact
	T         int
	run       *train.Run     // the training loop; nil when the model cannot train
	mon       *train.Monitor // judges checks and statistics updates
	helper    rnn.Helper     // given to every trainer of the session
	net       *rnn.Net       // shown network when there is no trainer
	losses    []float64
	sent      int  // losses already sent to the page
	offset    int  // steps before the loaded file's losses (files without resume state)
	restarted bool // a restart happened since the last statistics update
	// readout is the readout noise of the weights the latest check judged,
	// made by the check hook from the check's report with the readout gain
	// those weights emitted with (a later calibration changes the gain).
	readout  *Readout
	basis    *dynamics.PCA
	basisFor int // step the basis was fitted at (-1 = none)
	kick     []int
	kickFor  int // step the kick neurons were found at (-1 = never)
	kickInfo *dynamics.KickResult
	file     *model.File // the loaded file, exported as it was while untrained
	// recipe names the recipe a new run trains with (after Recipe.For,
	// so the default demo's 2-state chain says "sharp"); "" for a
	// loaded file, whose recipe its model file does not record.
	recipe    string
	snaps     []snapshot
	snapEvery int
}

// NewSession starts a training session (weights initialised from the seed,
// not yet trained). Settings outside the browser's limits are an error
// naming the field.
func NewSession(s Settings) (*Session, error) {
	cfg, r, err := s.Training()
	if err != nil {
		return nil, fmt.Errorf("worker: %w", err)
	}
	s.SeqLen, s.NoiseStd = cfg.SeqLen, cfg.NoiseStd
	// The recipe's patience and restart rule, as train --recipe uses them.
	ss := &Session{Settings: s, Source: "train", hmm: cfg.HMM, T: s.SeqLen, mon: newMonitor(r), recipe: r.Name}
	ss.exact = ss.hmm.Exact(ss.T)
	tr, err := train.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("worker: %w", err)
	}
	ss.startRun(tr)
	return ss, nil
}

// BenchReport is the reply to the page's bench command.
type BenchReport struct {
	Type       string  `json:"type"`
	ID         int     `json:"id"`
	Arch       string  `json:"arch"`
	Hidden     int     `json:"hidden"`
	Input      int     `json:"input"`
	Batch      int     `json:"batch"`
	SeqLen     int     `json:"seq_len"` // of the steps timed (train.Config.TrainLen)
	Steps      int     `json:"steps"`
	StepMs     float64 `json:"step_ms"` // median
	RNNMs      float64 `json:"rnn_ms"`
	SinkhornMs float64 `json:"sinkhorn_ms"`
	Kernels    string  `json:"kernels"`
	Helper     bool    `json:"helper"` // a helper worker computed half of the chunks
}

// Bench times steps training steps (after warmup) of a fresh network with
// the session's settings, with train.Bench as `hmmrnn bench` does, with the
// helper h if not nil; the session's own training is untouched.
func (s *Session) Bench(ctx context.Context, warmup, steps int, h rnn.Helper) (BenchReport, error) {
	cfg, err := s.Settings.Config()
	if err != nil {
		return BenchReport{}, fmt.Errorf("worker: bench: %w", err)
	}
	r, err := train.Bench(ctx, cfg, warmup, steps, h)
	if err != nil {
		return BenchReport{}, fmt.Errorf("worker: bench: %w", err)
	}
	ms := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e6 }
	return BenchReport{Type: "bench", Arch: s.Settings.Arch, Hidden: cfg.Hidden, Input: cfg.Input, Batch: cfg.Batch,
		SeqLen: cfg.TrainLen(), Steps: r.Steps, StepMs: ms(r.Step), RNNMs: ms(r.RNN), SinkhornMs: ms(r.Sinkhorn), Kernels: r.Kernels, Helper: r.Helped}, nil
}

// SetHelper gives the session's trainer a helper (nil: none); see
// rnn.Helper. Training results do not change. Setting the helper it has
// already does nothing, so that the worker may call it before every slice
// without clearing a failure the trainer reported.
func (s *Session) SetHelper(h rnn.Helper) {
	if s.run == nil || h == s.helper {
		return
	}
	s.helper = h
	s.run.Trainer().SetHelper(h) // a restart keeps the helper (train.Monitor.Restart)
}

// HelperUsable reports whether a helper given by SetHelper would compute
// part of each training step (not with the soft-sample term:
// train.Trainer.HelperUsable).
func (s *Session) HelperUsable() bool { return s.run != nil && s.run.Trainer().HelperUsable() }

// HelperErr is the trainer's helper failure, if any.
func (s *Session) HelperErr() error {
	if s.run == nil {
		return nil
	}
	return s.run.Trainer().HelperErr()
}

// startRun makes tr the session's training loop: the engine's train.Run with
// the engine's monitor policy (checks every checkEvery steps, plateau
// restarts), recording losses and snapshots.
func (s *Session) startRun(tr *train.Trainer) {
	s.run = train.NewRun(tr)
	s.run.Monitor = s.mon
	s.run.Hooks = train.Hooks{
		Step: func(info train.StepInfo) {
			s.losses = append(s.losses, info.Loss)
			if info.Step%s.snapEvery == 0 {
				s.snap()
			}
		},
		Check: func(c train.Check) {
			s.readout = nil
			if rd, err := s.readoutOf(c.Report, c.Step); err == nil {
				s.readout = rd
			}
		},
		Restart: func(train.Check, *train.Trainer) {
			s.restarted = true
			s.reset()
		},
	}
	s.reset()
}

// reset forgets what belonged to the previous network: the portrait's
// basis, the kick neurons and the snapshots.
func (s *Session) reset() {
	s.basis, s.basisFor = nil, -1
	s.kick, s.kickFor, s.kickInfo = nil, -1, nil
	s.readout = nil
	s.snaps, s.snapEvery = nil, firstSnapEvery
	s.snap()
}

// snap records the current weights.
func (s *Session) snap() {
	s.snaps = append(s.snaps, snapshot{s.StepCount(), s.Net().Clone()})
	if len(s.snaps) > maxSnaps {
		kept := s.snaps[:0]
		for i, sn := range s.snaps {
			if i%2 == 0 {
				kept = append(kept, sn)
			}
		}
		s.snaps = kept
		s.snapEvery *= 2
	}
}

// LoadSession opens a model file (the engine's JSON) for exploration; a
// file with resume state can be trained further.
func LoadSession(data []byte, name string) (*Session, error) {
	f, err := model.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("worker: %s: %w", name, err)
	}
	s := &Session{Source: name, hmm: f.HMM, T: f.HMM.SeqLen, net: f.RNN, file: f, mon: newMonitor(train.PaperRecipe)}
	if s.T <= 0 {
		s.T = train.PageSeqLen
	}
	s.Settings = Settings{Arch: f.HMM.Name, Hidden: f.RNN.H, Input: f.RNN.D, Batch: train.DefaultBatch, LR: train.DefaultLR, SeqLen: s.T,
		NoiseStd: f.NoiseStd}
	if f.Training != nil {
		s.Settings.Batch, s.Settings.LR, s.Settings.Seed = f.Training.Batch, f.Training.LR, f.Training.Seed
		if f.Training.SeqLen > 0 {
			s.T, s.Settings.SeqLen = f.Training.SeqLen, f.Training.SeqLen
		}
		s.losses = append(s.losses, f.Training.Loss...)
		s.offset = f.Training.Step - len(f.Training.Loss)
	}
	s.exact = s.hmm.Exact(s.T)
	if !isPreset(s.Settings.Arch) {
		s.Settings.Arch = "custom"
		s.Settings.HMM = s.hmm.Clone()
	}
	// The file comes from outside: its network must be one the page can
	// show, and a checkpoint's recorded run (fixed and validation sets
	// included) must meet all the browser's limits before it is resumed.
	if err := train.CheckPageNet(f.RNN.H, f.RNN.D); err != nil {
		return nil, fmt.Errorf("worker: %s: %w", name, err)
	}
	if f.Training != nil && f.Resume != nil {
		cfg, err := train.ConfigFrom(f)
		if err == nil {
			err = train.CheckPage(cfg)
		}
		var tr *train.Trainer
		if err == nil {
			tr, err = train.Resume(f)
		}
		if err != nil {
			return nil, fmt.Errorf("worker: %s: %w", name, err)
		}
		s.net, s.offset = nil, 0
		s.startRun(tr)
		return s, nil
	}
	s.reset()
	return s, nil
}

// newMonitor is the page's monitor: recipe r's (its plateau patience and
// restart rule), checking every checkEvery steps with statsSeqs sequences.
func newMonitor(r train.Recipe) *train.Monitor { return r.Monitor(checkEvery, statsSeqs) }

func isPreset(name string) bool {
	for _, p := range hmm.PresetNames() {
		if p == name {
			return true
		}
	}
	return false
}

// Net returns the network shown now.
func (s *Session) Net() *rnn.Net {
	if s.run != nil {
		return s.run.Trainer().Net()
	}
	return s.net
}

// Trainable reports whether Train can train.
func (s *Session) Trainable() bool { return s.run != nil }

// StepCount is the number of optimisation steps behind the shown network,
// counting runs abandoned at plateau restarts.
func (s *Session) StepCount() int {
	if s.run != nil {
		return s.run.Steps()
	}
	return s.offset + len(s.losses)
}

// seed is the seed of the shown network's run (after restarts, the
// current one): it seeds the statistics, as `hmmrnn eval --seed` does.
func (s *Session) seed() uint64 {
	if s.run != nil {
		return s.run.Trainer().Config().Seed
	}
	return s.Settings.Seed
}

// noiseStd is the noise level the network is trained and sampled at.
func (s *Session) noiseStd() float64 {
	if s.Settings.NoiseStd > 0 {
		return s.Settings.NoiseStd
	}
	return train.DefaultNoiseStd
}

// Train advances the training loop by at most steps steps, until
// deadline (zero: none; at least one step is taken) or ctx is done, and
// returns the number of steps taken (across restarts).
func (s *Session) Train(ctx context.Context, steps int, deadline time.Time) (int, error) {
	if s.run == nil {
		return 0, errors.New("worker: this model has no training state; reset to train a new network")
	}
	before := s.run.Steps()
	target := train.NoStepLimit
	if steps < train.NoStepLimit-before {
		target = before + steps
	}
	_, err := s.run.Advance(ctx, train.Limit{Steps: target, Deadline: deadline})
	if err != nil {
		err = fmt.Errorf("worker: %w", err)
	}
	return s.run.Steps() - before, err
}

// Status is the frequent message: step, loss and the losses not yet sent.
type Status struct {
	Type      string    `json:"type"`
	Arch      string    `json:"arch"`
	Source    string    `json:"source"`
	Step      int       `json:"step"`
	Loss      float64   `json:"loss"`
	From      int       `json:"from"` // index of Losses[0] in the whole history
	Losses    []float64 `json:"losses"`
	Running   bool      `json:"running"`
	Trainable bool      `json:"trainable"`
	Seed      uint64    `json:"seed"`
	Restarts  []int     `json:"restarts"`
	// RestartCauses says why each restart happened (train.RestartPlateau
	// or train.RestartNoFit).
	RestartCauses []string `json:"restart_causes"`
	Plateau       bool     `json:"plateau"`
	MetStep       int      `json:"met_step"`
	// StepMs is the training time per step over the last seconds, checks
	// and calibrations included (stepRate).
	StepMs    float64 `json:"step_ms"`
	Hidden    int     `json:"hidden"`
	Input     int     `json:"input"`
	Snapshots []int   `json:"snapshots"` // steps of the saved snapshots
	Helper    bool    `json:"helper"`    // a helper worker computes half of each step
	// Batch and LR are what the next training step uses: the recipe's
	// later stages raise the batch and lower the rate, so they differ
	// from the page's settings after the first stage (0 when the shown
	// network is not trainable).
	Batch int     `json:"batch"`
	LR    float64 `json:"lr"`
	// Recipe is the recipe the run trains with, which the page's recipe
	// menu does not always name: "default" trains chains with hybrid or
	// sharp (train.Recipe.For). Empty for a loaded file.
	Recipe string `json:"recipe,omitempty"`
	// TrainLen and SeqLen, when TrainLen is not 0: the run trains on the
	// first TrainLen steps of each sequence and judges all SeqLen
	// (train.Config.TrainSeqLen; recipe sharp's 30 at a longer T).
	TrainLen int `json:"train_len,omitempty"`
	SeqLen   int `json:"seq_len,omitempty"`
}

// Status returns the status and marks the losses as sent.
func (s *Session) Status(running bool, stepMs float64) Status {
	st := Status{Type: "status", Arch: s.Settings.Arch, Source: s.Source, Step: s.StepCount(), Loss: math.NaN(),
		From: s.sent, Losses: finite(s.losses[s.sent:]), Running: running, Trainable: s.Trainable(),
		Seed: s.seed(), Restarts: []int{}, RestartCauses: []string{}, Plateau: s.plateau(),
		StepMs: stepMs, Hidden: s.Net().H, Input: s.Net().D}
	if s.run != nil {
		st.Restarts, st.RestartCauses, st.MetStep = append(st.Restarts, s.run.Restarts()...), append(st.RestartCauses, s.run.RestartCauses()...), s.run.MetStep()
		_, st.Batch, st.LR, _ = s.run.Trainer().Stage()
		st.Recipe = s.recipe
		if c := s.run.Trainer().Config(); c.TrainLen() < c.SeqLen {
			st.TrainLen, st.SeqLen = c.TrainLen(), c.SeqLen
		}
	}
	for _, sn := range s.snaps {
		st.Snapshots = append(st.Snapshots, sn.step)
	}
	if n := len(s.losses); n > 0 {
		st.Loss = s.losses[n-1]
	}
	if math.IsNaN(st.Loss) {
		st.Loss = 0
	}
	s.sent = len(s.losses)
	return st
}

// ResendLosses makes the next Status carry the whole loss history.
func (s *Session) ResendLosses() { s.sent = 0 }

func finite(v []float64) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			out[i] = x
		}
	}
	return out
}

// Summary holds emission statistics of a set of sequences.
type Summary struct {
	Freq       []float64   `json:"freq"`
	Trans      [][]float64 `json:"trans"`
	Changes    float64     `json:"changes"`
	ChangesStd float64     `json:"changes_std"`
	// Dwell[k] is the fraction of completed dwells (runs of one output
	// bounded by changes on both sides) that last k+1 steps.
	Dwell     []float64 `json:"dwell"`
	MeanDwell float64   `json:"mean_dwell"`
}

// Stats compares the network's emissions with the HMM.
type Stats struct {
	Type      string  `json:"type"`
	Step      int     `json:"step"`
	N         int     `json:"n"`
	T         int     `json:"t"`
	RNN       Summary `json:"rnn"`
	HMM       Summary `json:"hmm"` // exact values; dwell from an HMM sample
	Rows      []int   `json:"rows"`
	FreqDiff  float64 `json:"freq_diff"`
	TransDiff float64 `json:"trans_diff"`
	Met       bool    `json:"met"`
	MetStep   int     `json:"met_step"`
	Plateau   bool    `json:"plateau"`
	Restarted bool    `json:"restarted"`
	// Figures are the fit criterion's (train.Monitor.Criterion), each
	// with its limit and sampling floor.
	Figures []train.Figure `json:"figures"`
	Palette []string       `json:"palette"`
	Model   *hmm.HMM       `json:"model"` // the HMM being emulated
	// Readout is the readout noise of the judged weights (nil when it was
	// not measured for them): is the emitted symbol the logits' argmax, and
	// do the short runs come from the dynamics or from sampling the readout.
	Readout *Readout `json:"readout,omitempty"`
	// A few sequences of each, for the page's sample strips.
	SamplesRNN [][]int `json:"samples_rnn"`
	SamplesHMM [][]int `json:"samples_hmm"`
}

// Readout is the readout noise of the weights of a step (train.Readout:
// what `hmmrnn eval` prints).
type Readout struct {
	Step int `json:"step"`
	train.Readout
	// Gain is the calibrated gain of the readout the network emits with
	// (rnn.Readout; 1: the readout as trained), and Rare the symbols it
	// draws at the trained readout's probability while the others' choice
	// is sharpened by Gain (none: the whole readout is scaled by Gain).
	Gain float64 `json:"gain"`
	Rare []int   `json:"rare"`
}

// readoutOf measures the shown network's readout noise beside rep, its
// evaluation at step (train.ReadoutOf: the same runs).
func (s *Session) readoutOf(rep *stats.Report, step int) (*Readout, error) {
	r, err := train.ReadoutOf(s.hmm, rep)
	if err != nil {
		return nil, err
	}
	g, rare := s.readoutGain()
	return &Readout{Step: step, Readout: r, Gain: g, Rare: rare}, nil
}

// readoutGain is the calibrated readout of the shown network: the run's
// (train.Trainer.Net), a loaded file's network's (rnn.readout), or, in a
// file written before the readout was kept apart, training.readout_gain
// (its rnn.w_out is the trained readout scaled by it); else gain 1.
func (s *Session) readoutGain() (float64, []int) {
	if s.run != nil {
		r := s.run.Trainer().Net().Readout
		return max(1, r.Gain), slices.Clone(r.Rare)
	}
	if s.file != nil {
		if r := s.file.RNN.Readout; !r.IsPlain() {
			return r.Gain, slices.Clone(r.Rare)
		}
		if s.file.Training != nil && s.file.Training.ReadoutGain != 0 {
			return s.file.Training.ReadoutGain, nil
		}
	}
	return 1, nil
}

// shownSamples is the number of sequences of each kind sent for display.
const shownSamples = 6

func firstSeqs(obs []uint8, n, T int) [][]int {
	out := make([][]int, min(n, shownSamples))
	for q := range out {
		out[q] = make([]int, T)
		for t := range T {
			out[q][t] = int(obs[q*T+t])
		}
	}
	return out
}

// plateau reports whether the monitor's latest check found the run stuck
// on the plateau.
func (s *Session) plateau() bool {
	if s.run == nil || s.run.LastCheck() == nil {
		return false
	}
	return s.run.LastCheck().Stuck
}

// Stats compares the network's emissions with the HMM: the latest check
// of the training loop when it judged the current weights (or, unless
// current is set, any check of the current run: during training the page
// shows the checks the loop makes anyway), else the same evaluation now
// (the monitor's Assess with the run's seed and statsSeqs sequences, a
// pass confirmed on a second sample, without changing the monitor's state).
func (s *Session) Stats(current bool) (Stats, error) {
	var rep *stats.Report
	var v train.Verdict
	var stuck bool
	var rd *Readout
	step := s.StepCount()
	if c := s.lastCheck(current); c != nil {
		rep, v, stuck = c.Report, c.Verdict, c.Stuck
		step -= s.run.Trainer().StepCount() - c.Step
		if s.readout != nil && s.readout.Step == c.Step {
			rd = s.readout
		}
	} else {
		trained := s.StepCount()
		if s.run != nil {
			trained = s.run.Trainer().StepCount()
		}
		var err error
		if rep, v, _, stuck, err = s.mon.Assess(s.Net(), s.hmm, s.noiseStd(), s.T, s.seed(), trained); err != nil {
			return Stats{}, fmt.Errorf("worker: statistics: %w", err)
		}
		if rd, err = s.readoutOf(rep, trained); err != nil {
			return Stats{}, fmt.Errorf("worker: readout noise: %w", err)
		}
	}
	O := s.hmm.Outputs()
	st := Stats{Type: "stats", Step: step, N: rep.N, T: rep.T,
		RNN:  summary(rep.RNN, rep.DwellRNN),
		HMM:  summary(stats.Basic{Freq: s.exact.Freq, Trans: s.exact.Trans, Volatility: s.exact.Changes, VolatilityStd: s.exact.ChangesStd}, rep.DwellSample),
		Rows: rep.WellSampledRows, FreqDiff: rep.Fidelity.DFreq, TransDiff: rep.Fidelity.DTrans, Met: v.Fit,
		Plateau: stuck, Restarted: s.restarted, Figures: v.Figures, Palette: scene.Palette(O), Model: s.hmm, Readout: rd}
	if st.Rows == nil {
		st.Rows = []int{}
	}
	if s.run != nil {
		st.MetStep = s.run.MetStep()
	}
	s.restarted = false
	// The strips are drawn from the evaluation's streams: the HMM's are the
	// first sequences of the reference sample (hmm.HMM.Sample draws
	// sequence by sequence), the RNN's a sample of the same network.
	rnnObs := s.Net().Sample(rand.New(rand.NewPCG(s.seed(), train.EvalStreamRNN)), shownSamples, s.T, s.noiseStd())
	hmmObs, _ := s.hmm.Sample(rand.New(rand.NewPCG(s.seed(), train.EvalStreamHMM)), shownSamples, s.T)
	st.SamplesRNN, st.SamplesHMM = firstSeqs(rnnObs, shownSamples, s.T), firstSeqs(hmmObs, shownSamples, s.T)
	return st, nil
}

// lastCheck is the training loop's latest check of the current trainer,
// if it judged the current weights or current is false.
func (s *Session) lastCheck(current bool) *train.Check {
	if s.run == nil {
		return nil
	}
	if c := s.run.LastCheck(); c != nil && (!current || c.Step == s.run.Trainer().StepCount()) {
		return c
	}
	return nil
}

// summary turns the engine's statistics into the page's: dwell-time
// histogram as fractions of complete dwells, Dwell[k] for length k+1.
func summary(b stats.Basic, d stats.Dwell) Summary {
	s := Summary{Freq: b.Freq, Trans: b.Trans, Changes: b.Volatility, ChangesStd: b.VolatilityStd,
		Dwell: make([]float64, max(len(d.Hist)-1, 0)), MeanDwell: d.Mean}
	if d.Runs > 0 {
		for k := range s.Dwell {
			s.Dwell[k] = float64(d.Hist[k+1]) / float64(d.Runs)
		}
	}
	return s
}

// PortraitInfo accompanies an encoded portrait.
type PortraitInfo struct {
	Type string `json:"type"`
	Step int    `json:"step"`
	portrait.Info
	KickNeurons []int `json:"kick_neurons"` // the neurons the silencing switch acts on
	// Roles groups the units by role (View.Units; nil before a kick
	// detection or for a network whose long run diverges: every unit
	// "other").
	Roles *dynamics.Roles `json:"roles,omitempty"`
	// Silenced is the set of neurons silenced in the picture.
	Silenced []int `json:"silenced"`
	H        int   `json:"hidden"`
	Snapshot int   `json:"snapshot"` // index of the snapshot shown, -1 = current
}

// Portrait computes the phase portrait of the current network. The PCA
// basis is refitted when the network changed since the last fit, and kept
// when only the view changed (so the noise slider does not move the axes).
func (s *Session) Portrait(v View) ([]byte, PortraitInfo, error) {
	net := s.Net()
	step := s.StepCount()
	if v.Snapshot >= 0 && v.Snapshot < len(s.snaps) && s.snaps[v.Snapshot].step != step {
		// An earlier snapshot: its own basis, no kick search, no caching.
		sn := s.snaps[v.Snapshot]
		opt := portrait.Options{Sigma: v.Sigma, Flow: v.Flow, Density: v.Density, Decay: v.Decay, Zones: v.Zones, Horizon: s.T}
		p, info, _, err := portrait.Build(sn.net, rand.New(rand.NewPCG(s.seed(), uint64(sn.step))), opt)
		if err != nil {
			return nil, PortraitInfo{}, err
		}
		return p.Encode(), PortraitInfo{Type: "portrait", Step: sn.step, Info: *info, H: sn.net.H, Snapshot: v.Snapshot}, nil
	}
	opt := portrait.Options{Sigma: v.Sigma, Flow: v.Flow, Density: v.Density, Decay: v.Decay, Zones: v.Zones, Horizon: s.T}
	if !(opt.Sigma > 0) {
		opt.Sigma = dynamics.DefaultSigma
	}
	if s.basisFor == step && s.basis != nil {
		opt.Basis = s.basis
	}
	r := rand.New(rand.NewPCG(s.seed(), uint64(step)))
	if v.Units {
		opt.Window = unitsWindow
	}
	if (v.Kick || v.Silence || v.Units) && s.kickFor != step {
		// Find the kick neurons on the nominal network with the detection
		// of `hmmrnn analyze --seed <session seed>` at the network's noise
		// level, so both name the same set; the random-set controls (report
		// numbers that do not change the set) are skipped to save time.
		// The detection simulates its own seeded run: no portrait is built
		// for it (the one below fits the basis when the network changed).
		kr, err := dynamics.FindKickNeurons(net, dynamics.KickOptions{Seed: s.seed(), Sigma: s.noiseStd(), Controls: -1})
		if err != nil {
			return nil, PortraitInfo{}, fmt.Errorf("worker: kick neurons: %w", err)
		}
		s.kick, s.kickFor, s.kickInfo = kr.Neurons, step, kr
	}
	if v.Kick || v.Silence {
		opt.Kick = s.kick
	}
	var silenced []int
	if v.Silence {
		silenced = append(silenced, s.kick...)
	}
	for _, i := range v.Silenced {
		if i < 0 || i >= net.H {
			return nil, PortraitInfo{}, fmt.Errorf("worker: silenced unit %d out of range [0, %d)", i, net.H)
		}
		if !slices.Contains(silenced, i) {
			silenced = append(silenced, i)
		}
	}
	slices.Sort(silenced)
	if len(silenced) > 0 {
		opt.Neurons, opt.Mu, opt.Mode = silenced, 0, dynamics.Both
	}
	p, info, basis, err := portrait.Build(net, r, opt)
	if err != nil {
		return nil, PortraitInfo{}, err
	}
	s.basis, s.basisFor = alignBasis(basis, s.basis), step
	pi := PortraitInfo{Type: "portrait", Step: step, Info: *info, KickNeurons: opt.Kick, H: net.H, Snapshot: -1, Silenced: silenced}
	if pi.Silenced == nil {
		pi.Silenced = []int{}
	}
	if v.Units {
		if pi.Roles, err = dynamics.UnitRoles(net, s.kickInfo); err != nil {
			return nil, PortraitInfo{}, err
		}
	}
	if s.kickFor == step {
		pi.Info.Kick = s.kickInfo
	}
	return p.Encode(), pi, nil
}

// alignBasis flips the axes of a new basis to point the way the previous
// one did, so refits during training do not mirror the picture.
func alignBasis(b, prev *dynamics.PCA) *dynamics.PCA {
	if prev == nil || b == nil || prev.H != b.H {
		return b
	}
	H := b.H
	for k := range min(b.K, prev.K) {
		d := 0.0
		for i := range H {
			d += b.Axes[k*H+i] * prev.Axes[k*H+i]
		}
		if d < 0 {
			for i := range H {
				b.Axes[k*H+i] = -b.Axes[k*H+i]
			}
		}
	}
	return b
}

// Model returns the current network as the engine's model file. A nil
// session (the page asked to export before anything was loaded or
// trained) is an error, not a panic.
func (s *Session) Model(seconds float64) ([]byte, error) {
	if s == nil {
		return nil, errors.New("worker: nothing to export; load a model or start training first")
	}
	var f *model.File
	if s.run != nil {
		cmd := fmt.Sprintf("browser: arch=%s hidden=%d input=%d batch=%d lr=%g seed=%d restarts=%v",
			s.Settings.Arch, s.Settings.Hidden, s.Settings.Input, s.Settings.Batch, s.Settings.LR, s.seed(), s.run.Restarts())
		var err error
		if f, err = s.run.Trainer().Snapshot(false, strings.TrimSpace(cmd), seconds); err != nil {
			return nil, err
		}
	} else {
		f = s.file
	}
	return f.Marshal()
}
