package model

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"

	"hmmrnn/core/hmm"
	"hmmrnn/core/rnn"
	"hmmrnn/core/sinkhorn"
)

// Format is the value of the "format" field of every model file.
const Format = "hmmrnn-model"

// Version is the current format version. Files of a newer version are
// rejected; older ones are read as far as they go.
const Version = 1

// File is one model file.
type File struct {
	Format   string   `json:"format"`
	Version  int      `json:"version"`
	HMM      *hmm.HMM `json:"hmm"`
	RNN      *rnn.Net `json:"-"`
	NoiseStd float64  `json:"noise_std"`
	// Training describes how the weights were obtained (nil for hand-made nets).
	Training *Training `json:"training,omitempty"`
	// Resume is present in checkpoints: what training needs to continue
	// exactly where it stopped.
	Resume *Resume `json:"resume,omitempty"`
}

// Training records the settings and history of a training run.
type Training struct {
	Command   string  `json:"command,omitempty"` // the command line that produced the file
	HMMName   string  `json:"hmm_name,omitempty"`
	Hidden    int     `json:"hidden"`
	Input     int     `json:"input"`
	Batch     int     `json:"batch"`
	SeqLen    int     `json:"seq_len"`
	LR        float64 `json:"lr"`
	Beta1     float64 `json:"beta1"`
	Beta2     float64 `json:"beta2"`
	AdamEps   float64 `json:"adam_eps"`
	Clip      float64 `json:"clip"`
	Tau       float64 `json:"tau"`
	Seed      uint64  `json:"seed"`
	Data      string  `json:"data"` // "fresh" or "fixed"
	TrainSize int     `json:"train_size,omitempty"`
	ValSize   int     `json:"val_size,omitempty"`
	ValEvery  int     `json:"val_every,omitempty"`
	// Step is the number of optimisation steps taken so far.
	Step int `json:"step"`
	// Loss is the training loss at every step (index i = step i+1).
	Loss []float64 `json:"loss,omitempty"`
	// Val holds validation losses, measured every ValEvery steps.
	Val []ValPoint `json:"val,omitempty"`
	// BestStep is the step whose weights had the lowest validation loss; the
	// file's rnn holds those weights when BestStep > 0.
	BestStep int     `json:"best_step,omitempty"`
	BestVal  float64 `json:"best_val,omitempty"`
	Seconds  float64 `json:"seconds,omitempty"` // training wall time so far
	// SinkhornConverged is set when the loss ran Sinkhorn to convergence
	// instead of the paper's 8 annealed iterations.
	SinkhornConverged bool `json:"sinkhorn_converged,omitempty"`
	// WhhGain is the factor applied to the random initial W_hh (absent: 1,
	// the paper's initialisation).
	WhhGain float64 `json:"whh_gain,omitempty"`
	// WhhDecay is the per-step shrinking of W_hh (absent: 0, none).
	WhhDecay float64 `json:"whh_decay,omitempty"`
	// SoftWeight is the weight of the soft-sample loss's gradient (absent:
	// 0, the paper's loss alone).
	SoftWeight float64 `json:"soft_weight,omitempty"`
	// FreqWeight is the weight of the symbol-frequency term's gradient
	// (absent: 0, none; train.Config.FreqWeight).
	FreqWeight float64 `json:"freq_weight,omitempty"`
	// FreqPairs: the frequency term counted pairs of consecutive symbols
	// (train.Config.FreqPairs).
	FreqPairs bool `json:"freq_pairs,omitempty"`
	// Energy: the run minimised the minibatch energy distance built on the
	// paper's divergence (absent: false, the paper's loss).
	Energy bool `json:"energy,omitempty"`
	// EnergySelf is the weight of the energy distance's RNN-RNN term
	// (absent: 1, the energy distance; train.Config.EnergySelf).
	EnergySelf float64 `json:"energy_self,omitempty"`
	// TrainSeqLen caps the length of the training sequences: the steps
	// trained on the first min(TrainSeqLen, seq_len) steps of each sequence
	// (absent: the whole seq_len; train.Config.TrainSeqLen).
	TrainSeqLen int `json:"train_seq_len,omitempty"`
	// CalibrateReadout: every 100 steps the run fitted the scale of the
	// readout it emits with to the HMM (train.Config.CalibrateReadout).
	CalibrateReadout bool `json:"calibrate_readout,omitempty"`
	// ReadoutGain is the calibrated gain the run emitted with at Step
	// (absent: 1, the readout as trained): its readout is rnn.Readout with
	// this gain (rnn.readout), over the trained weights resume.current. The
	// file's rnn is that emitter when it holds the current weights;
	// best-validation weights (rnn or resume.best) are kept as emitted at
	// their own step. In files written before rnn.readout existed, rnn.w_out
	// is the trained readout multiplied by the gain.
	ReadoutGain float64 `json:"readout_gain,omitempty"`
	// Stages are the run's later training stages (absent: one stage, the
	// settings above throughout).
	Stages []Stage `json:"stages,omitempty"`
}

// Stage is a change of the training settings from a step on: the steps
// after the first From ones take batches of at least Batch sequences (a
// larger batch of an earlier stage stays) with learning rate LR and
// Gumbel-softmax temperature Tau, and a fresh Adam optimiser (moments zero,
// bias correction restarted) starts with the stage. A zero Batch, LR or
// Tau keeps the previous stage's value.
type Stage struct {
	From  int     `json:"from"`
	Batch int     `json:"batch,omitempty"`
	LR    float64 `json:"lr,omitempty"`
	Tau   float64 `json:"tau,omitempty"`
}

// check reports a training record whose counts no run could have written:
// readers take the evaluation length from seq_len (bounded as the HMM's,
// by the Sinkhorn loss's limit) and the steps behind the weights from step.
// A nil record (a hand-made network) is fine.
func (t *Training) check() error {
	if t == nil {
		return nil
	}
	if t.SeqLen < 0 || t.SeqLen > sinkhorn.MaxSeqLen {
		return fmt.Errorf("training.seq_len is %d, want 1..%d (0: absent)", t.SeqLen, sinkhorn.MaxSeqLen)
	}
	if t.TrainSeqLen < 0 || t.TrainSeqLen > sinkhorn.MaxSeqLen {
		return fmt.Errorf("training.train_seq_len is %d, want 1..%d (0: absent)", t.TrainSeqLen, sinkhorn.MaxSeqLen)
	}
	if t.Step < 0 || len(t.Loss) > t.Step {
		return fmt.Errorf("training.step is %d with %d losses, want step >= 0 and at most one loss per step", t.Step, len(t.Loss))
	}
	return nil
}

// ValPoint is one validation measurement.
type ValPoint struct {
	Step int     `json:"step"`
	Loss float64 `json:"loss"`
}

// Resume is the optimiser and random-stream state of a checkpoint.
type Resume struct {
	Current *rnn.Net `json:"-"` // weights at Step (the file's rnn may be the best ones)
	AdamM   *rnn.Net `json:"-"`
	AdamV   *rnn.Net `json:"-"`
	AdamT   int      `json:"-"` // Adam updates taken (since the current stage began)
	// Stage is the number of training stages (Training.Stages) begun.
	Stage int      `json:"-"`
	Best  *rnn.Net `json:"-"` // best-validation weights, if any
	// Streams holds the marshalled PCG states by name.
	Streams map[string][]byte `json:"streams"`
	// Epoch and Pos locate the next batch in a fixed training set.
	Epoch int `json:"epoch"`
	Pos   int `json:"pos"`
}

// weights is the on-disk form of an rnn.Net: matrices as rows.
type weights struct {
	WIn  [][]float64 `json:"w_in"`
	WHH  [][]float64 `json:"w_hh"`
	WOut [][]float64 `json:"w_out"`
	// Readout is how the network emits when not as the paper
	// (rnn.Readout; absent: softmax(w_out h)).
	Readout *readout `json:"readout,omitempty"`
}

// readout is rnn.Readout in a file: the gain of the frequent symbols'
// choice and the rare symbols drawn at the trained readout's probability.
type readout struct {
	Gain float64 `json:"gain"`
	Rare []int   `json:"rare,omitempty"`
}

type fileJSON struct {
	Format   string      `json:"format"`
	Version  int         `json:"version"`
	HMM      *hmm.HMM    `json:"hmm"`
	RNN      *weights    `json:"rnn"`
	NoiseStd *float64    `json:"noise_std"`
	Training *Training   `json:"training,omitempty"`
	Resume   *resumeJSON `json:"resume,omitempty"`
}

type resumeJSON struct {
	Current *weights          `json:"current"`
	AdamM   *weights          `json:"adam_m"`
	AdamV   *weights          `json:"adam_v"`
	AdamT   int               `json:"adam_t"`
	Stage   int               `json:"stage,omitempty"`
	Best    *weights          `json:"best,omitempty"`
	Streams map[string][]byte `json:"streams"`
	Epoch   int               `json:"epoch"`
	Pos     int               `json:"pos"`
}

func toWeights(n *rnn.Net) *weights {
	if n == nil {
		return nil
	}
	w := &weights{WIn: rows(n.Win, n.H, n.D), WHH: rows(n.Whh, n.H, n.H), WOut: rows(n.Wout, n.O, n.H)}
	if r := n.Readout; !r.IsPlain() || len(r.Rare) > 0 {
		w.Readout = &readout{Gain: r.Gain, Rare: slices.Clone(r.Rare)}
	}
	return w
}

func rows(flat []float64, r, c int) [][]float64 {
	out := make([][]float64, r)
	for i := range out {
		out[i] = flat[i*c : (i+1)*c : (i+1)*c]
	}
	return out
}

// fromWeights checks shapes and finiteness and flattens; name prefixes errors.
func fromWeights(w *weights, name string, wantO int) (*rnn.Net, error) {
	if w == nil {
		return nil, fmt.Errorf("missing field %q", name)
	}
	if w.WHH == nil {
		return nil, fmt.Errorf("missing field %q", name+".w_hh")
	}
	if w.WIn == nil {
		return nil, fmt.Errorf("missing field %q", name+".w_in")
	}
	if w.WOut == nil {
		return nil, fmt.Errorf("missing field %q", name+".w_out")
	}
	H := len(w.WHH)
	if H == 0 {
		return nil, fmt.Errorf("%s.w_hh: no rows (hidden size 0)", name)
	}
	if len(w.WIn) != H {
		return nil, fmt.Errorf("%s.w_in: %d rows, want %d (one per hidden unit, as w_hh)", name, len(w.WIn), H)
	}
	D := len(w.WIn[0])
	if D == 0 {
		return nil, fmt.Errorf("%s.w_in: row 0 is empty (noise dimension 0)", name)
	}
	if len(w.WOut) != wantO {
		return nil, fmt.Errorf("%s.w_out: %d rows, want %d (one per HMM output symbol)", name, len(w.WOut), wantO)
	}
	n := &rnn.Net{H: H, D: D, O: wantO}
	var err error
	if n.Win, err = flatten(w.WIn, D, name+".w_in"); err != nil {
		return nil, err
	}
	if n.Whh, err = flatten(w.WHH, H, name+".w_hh"); err != nil {
		return nil, err
	}
	if n.Wout, err = flatten(w.WOut, H, name+".w_out"); err != nil {
		return nil, err
	}
	if r := w.Readout; r != nil {
		n.Readout = rnn.Readout{Gain: r.Gain, Rare: slices.Clone(r.Rare)}
		if err := n.Readout.Validate(wantO); err != nil {
			return nil, fmt.Errorf("%s.readout: %w", name, err)
		}
	}
	return n, nil
}

func flatten(m [][]float64, cols int, name string) ([]float64, error) {
	out := make([]float64, 0, len(m)*cols)
	for i, row := range m {
		if len(row) != cols {
			return nil, fmt.Errorf("%s: row %d has %d entries, want %d", name, i, len(row), cols)
		}
		for j, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("%s: row %d entry %d is %v", name, i, j, v)
			}
		}
		out = append(out, row...)
	}
	return out, nil
}

// Marshal encodes f as indented JSON.
func (f *File) Marshal() ([]byte, error) {
	if f.HMM == nil {
		return nil, errors.New("model: no hmm")
	}
	if f.RNN == nil {
		return nil, errors.New("model: no rnn")
	}
	if err := f.RNN.Validate(); err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	ns := f.NoiseStd
	j := fileJSON{Format: Format, Version: Version, HMM: f.HMM, RNN: toWeights(f.RNN), NoiseStd: &ns, Training: f.Training}
	if r := f.Resume; r != nil {
		j.Resume = &resumeJSON{Current: toWeights(r.Current), AdamM: toWeights(r.AdamM), AdamV: toWeights(r.AdamV),
			AdamT: r.AdamT, Stage: r.Stage, Best: toWeights(r.Best), Streams: r.Streams, Epoch: r.Epoch, Pos: r.Pos}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", " ")
	if err := enc.Encode(j); err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	return buf.Bytes(), nil
}

// Parse decodes and validates a model file. Errors name the field at fault.
func Parse(data []byte) (*File, error) {
	var j fileJSON
	if err := json.Unmarshal(data, &j); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, fmt.Errorf("model: not valid JSON at byte %d: %v", se.Offset, err)
		}
		return nil, fmt.Errorf("model: %v", err)
	}
	if j.Format != "" && j.Format != Format {
		return nil, fmt.Errorf("model: format %q is not %q", j.Format, Format)
	}
	if j.Version > Version {
		return nil, fmt.Errorf("model: version %d is newer than this program's %d", j.Version, Version)
	}
	if j.HMM == nil {
		return nil, errors.New(`model: missing field "hmm"`)
	}
	if j.HMM.Transition == nil {
		return nil, errors.New(`model: missing field "hmm.transition"`)
	}
	if j.HMM.Emission == nil {
		return nil, errors.New(`model: missing field "hmm.emission"`)
	}
	if j.HMM.Start == nil {
		return nil, errors.New(`model: missing field "hmm.start"`)
	}
	if j.HMM.SeqLen == 0 {
		return nil, errors.New(`model: missing field "hmm.seq_len"`)
	}
	if err := j.HMM.Validate(); err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	if j.NoiseStd == nil {
		return nil, errors.New(`model: missing field "noise_std"`)
	}
	if ns := *j.NoiseStd; !(ns >= 0) || math.IsInf(ns, 0) {
		return nil, fmt.Errorf("model: noise_std is %v, want a finite value >= 0", ns)
	}
	if err := j.Training.check(); err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	O := j.HMM.Outputs()
	net, err := fromWeights(j.RNN, "rnn", O)
	if err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	f := &File{Format: Format, Version: Version, HMM: j.HMM, RNN: net, NoiseStd: *j.NoiseStd, Training: j.Training}
	if r := j.Resume; r != nil {
		res := &Resume{AdamT: r.AdamT, Stage: r.Stage, Streams: r.Streams, Epoch: r.Epoch, Pos: r.Pos}
		if r.Best != nil {
			b, err := fromWeights(r.Best, "resume.best", O)
			if err != nil {
				return nil, fmt.Errorf("model: %w", err)
			}
			res.Best = b
		}
		for _, p := range []struct {
			w    *weights
			name string
			dst  **rnn.Net
		}{{r.Current, "resume.current", &res.Current}, {r.AdamM, "resume.adam_m", &res.AdamM}, {r.AdamV, "resume.adam_v", &res.AdamV}} {
			n, err := fromWeights(p.w, p.name, O)
			if err != nil {
				return nil, fmt.Errorf("model: %w", err)
			}
			if n.H != net.H || n.D != net.D {
				return nil, fmt.Errorf("model: %s is %dx%d, rnn is %dx%d", p.name, n.H, n.D, net.H, net.D)
			}
			*p.dst = n
		}
		f.Resume = res
	}
	return f, nil
}

// ParseHMM reads either an HMM file (hmm.Parse) or a model file, whose hmm
// it returns. A document with a "format" or "rnn" field is a model file:
// its own fault is reported (not the HMM parser's complaint about the
// unknown field "format").
func ParseHMM(data []byte) (*hmm.HMM, error) {
	var probe struct {
		Format *string          `json:"format"`
		RNN    *json.RawMessage `json:"rnn"`
	}
	if json.Unmarshal(data, &probe) == nil && (probe.Format != nil || probe.RNN != nil) {
		f, err := Parse(data)
		if err != nil {
			return nil, err
		}
		return f.HMM, nil
	}
	return hmm.Parse(data)
}

// Load reads and validates the model file at path.
func Load(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	f, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}

// Save writes f to path atomically.
func (f *File) Save(path string) error {
	data, err := f.Marshal()
	if err != nil {
		return err
	}
	return WriteFileAtomic(path, data)
}

// WriteFileAtomic writes data to a temporary file in path's directory, syncs
// it and renames it over path, so readers see the old or the new file whole.
// It first removes the temporary files of path that killed writers left
// (see files.go for how they are recognised).
func WriteFileAtomic(path string, data []byte) error {
	removeStaleTemps(path)
	tmp, err := createTemp(path)
	if err != nil {
		return err
	}
	name := tmp.Name()
	_, werr := tmp.Write(data)
	if werr == nil {
		werr = tmp.Sync()
	}
	cerr := tmp.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		// CreateTemp makes the file 0600; a model or result is for sharing.
		werr = os.Chmod(name, 0o644)
	}
	if werr == nil {
		werr = os.Rename(name, path)
	}
	if werr != nil {
		os.Remove(name)
		return fmt.Errorf("writing %s: %w", path, werr)
	}
	return nil
}
