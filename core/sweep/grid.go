package sweep

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"hmmrnn/core/hmm"
)

// Grid is a sweep specification: named defaults and one or more blocks, each
// a Cartesian product of HMMs, hidden sizes, noise dimensions and seeds.
// See the package documentation for the file format.
type Grid struct {
	Name        string  `json:"name"`
	Description string  `json:"description,omitempty"`
	Train       Train   `json:"train"`
	Eval        Eval    `json:"eval"`
	Blocks      []Block `json:"blocks"`
}

// Block is one Cartesian product of the grid. Train and Eval, when present,
// are overlaid field by field on the grid's defaults.
type Block struct {
	HMM    []HMMRef        `json:"hmm"`
	Hidden []int           `json:"hidden"`
	Input  []int           `json:"input"`
	Seeds  []uint64        `json:"seeds"`
	Tag    string          `json:"tag,omitempty"`
	Train  json.RawMessage `json:"train,omitempty"`
	Eval   json.RawMessage `json:"eval,omitempty"`
}

// Train holds the training settings of one network. A zero field means the
// trainer's default (train.DefaultConfig, which follows core/METHOD.md section 3);
// Steps must be set.
type Train struct {
	Steps           int     `json:"steps"`
	Batch           int     `json:"batch,omitempty"`
	SeqLen          int     `json:"seq_len,omitempty"`
	LR              float64 `json:"lr,omitempty"`
	Clip            float64 `json:"clip,omitempty"`
	Tau             float64 `json:"tau,omitempty"`
	NoiseStd        float64 `json:"noise_std,omitempty"`
	Data            string  `json:"data,omitempty"` // "fresh" or "fixed"
	TrainSize       int     `json:"train_size,omitempty"`
	ValSize         int     `json:"val_size,omitempty"`
	ValEvery        int     `json:"val_every,omitempty"`
	CheckpointEvery int     `json:"checkpoint_every,omitempty"`
}

// Eval holds the evaluation settings of one network.
type Eval struct {
	// Sequences is the number of RNN and HMM sequences compared; 0 means
	// train.EvalSequences (the paper's 5000).
	Sequences int `json:"sequences,omitempty"`
	// Kick asks for the automatic kick-neuron detection (core/METHOD.md section 5.7).
	Kick bool `json:"kick,omitempty"`
}

// HMMRef names the HMM of a block: a preset name ("linear2"), a file
// ("@path/to/hmm.json", relative to the grid file), or an inline HMM object
// with a name. After ParseGrid, Model holds the resolved, validated HMM.
type HMMRef struct {
	Name  string   // name used in entry IDs
	File  string   // set for "@file" references, as written
	Model *hmm.HMM // resolved model
	raw   json.RawMessage
}

// UnmarshalJSON accepts a string (preset name or "@file") or an HMM object.
func (r *HMMRef) UnmarshalJSON(b []byte) error {
	r.raw = append(json.RawMessage(nil), b...)
	return nil
}

// MarshalJSON writes the reference as it was given (a preset name, "@file"
// or the inline HMM).
func (r HMMRef) MarshalJSON() ([]byte, error) {
	if r.raw != nil {
		return r.raw, nil
	}
	return json.Marshal(r.Model)
}

// namePattern restricts HMM names and tags, which become file names.
var namePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// Limits checked when a grid is parsed or expanded, so that a grid that
// cannot run fails at plan time with a message instead of exhausting memory
// or failing every network later.
const (
	// MaxNameLen bounds grid names, HMM names and tags, which become parts
	// of file names.
	MaxNameLen = 64
	// MaxIDLen bounds an entry ID. File names are limited to 255 bytes on
	// common file systems (NAME_MAX); the longest name made from an ID is a
	// temporary file of results/<id>.failed.json, which adds 1 + 12 bytes
	// and model.WriteFileAtomic's ".tmp-<host>-<pid>-<random>" (at most 5 +
	// 32 + 1 + 10 + 1 + 10 bytes): 128 keeps every name under 200 bytes.
	MaxIDLen = 128
	// MaxEntries bounds the networks of one grid: about 70 times the
	// paper's 144, far more than a cluster allocation trains, and small
	// enough that expanding it takes moments.
	MaxEntries = 10000
	// MaxManifestNumbers bounds the HMM parameters the manifest holds
	// (every entry carries its HMM: M*M + M*O + M numbers). At about 20
	// bytes of JSON per number this keeps manifest.json under ~100 MB,
	// which every array task reads.
	MaxManifestNumbers = 1 << 22
)

// checkName applies namePattern and MaxNameLen to a name used in file names.
func checkName(what, name string) error {
	if !namePattern.MatchString(name) {
		return fmt.Errorf("%s %q: use letters, digits, '.', '_', '-' only, starting with a letter or digit", what, truncate(name))
	}
	if len(name) > MaxNameLen {
		return fmt.Errorf("%s %q is %d characters long, at most %d allowed (it becomes part of file names)", what, truncate(name), len(name), MaxNameLen)
	}
	return nil
}

// truncate shortens a long value quoted in an error message.
func truncate(s string) string {
	const keep = 40 // enough to recognise the value, short enough for one line
	if len(s) <= keep {
		return s
	}
	return s[:keep] + "..."
}

// resolve fills Name and Model from the raw JSON; baseDir anchors "@file".
func (r *HMMRef) resolve(baseDir string) error {
	raw := bytes.TrimSpace(r.raw)
	if len(raw) == 0 {
		return errors.New("empty HMM reference")
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return err
		}
		if f, ok := strings.CutPrefix(s, "@"); ok {
			path := f
			if !filepath.IsAbs(path) {
				path = filepath.Join(baseDir, path)
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return fmt.Errorf("HMM file: %w", err)
			}
			m, err := hmm.Parse(data)
			if err != nil {
				return fmt.Errorf("HMM file %s: %w", f, err)
			}
			r.File = f
			r.Name = m.Name
			if r.Name == "" {
				r.Name = strings.TrimSuffix(filepath.Base(f), filepath.Ext(f))
			}
			r.Model = m
		} else {
			m, err := hmm.Preset(s)
			if err != nil {
				return fmt.Errorf("%w (presets: %s; files: \"@path.json\")", err, strings.Join(hmm.PresetNames(), ", "))
			}
			r.Name = s
			r.Model = m
		}
	} else {
		m, err := hmm.Parse(raw)
		if err != nil {
			return fmt.Errorf("inline HMM: %w", err)
		}
		if m.Name == "" {
			return errors.New(`inline HMM: needs a "name" (it becomes part of each network's ID)`)
		}
		r.Name = m.Name
		r.Model = m
	}
	return checkName("HMM name", r.Name)
}

// ParseGrid decodes a grid file, resolves its HMM references ("@file" paths
// relative to baseDir) and validates it. Unknown fields are rejected so that
// a misspelt key does not silently fall back to a default.
func ParseGrid(data []byte, baseDir string) (*Grid, error) {
	var g Grid
	if err := decodeStrict(data, &g); err != nil {
		return nil, fmt.Errorf("sweep: grid: %w", err)
	}
	if err := g.resolve(baseDir); err != nil {
		return nil, err
	}
	return &g, nil
}

// LoadGrid reads and parses a grid file.
func LoadGrid(path string) (*Grid, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	g, err := ParseGrid(data, filepath.Dir(path))
	if err != nil {
		return nil, fmt.Errorf("%w (in %s)", err, path)
	}
	return g, nil
}

//go:embed grids/*.json
var builtinFS embed.FS

// BuiltinNames lists the grids built into the program (see grids/*.json).
func BuiltinNames() []string {
	ents, err := builtinFS.ReadDir("grids")
	if err != nil {
		return nil
	}
	var names []string
	for _, e := range ents {
		names = append(names, strings.TrimSuffix(e.Name(), ".json"))
	}
	sort.Strings(names)
	return names
}

// Builtin returns a grid built into the program: "paper" (the paper's 144
// linear-chain networks), "paper-all" (those plus the fully-connected and
// cyclic HMMs) or "tiny" (4 small networks, a few steps each, for tests).
func Builtin(name string) (*Grid, error) {
	data, err := builtinFS.ReadFile("grids/" + name + ".json")
	if err != nil {
		return nil, fmt.Errorf("sweep: no built-in grid %q (built in: %s)", name, strings.Join(BuiltinNames(), ", "))
	}
	return ParseGrid(data, ".")
}

// BuiltinJSON returns the JSON text of a built-in grid (a starting point
// for a grid file of one's own).
func BuiltinJSON(name string) ([]byte, error) {
	data, err := builtinFS.ReadFile("grids/" + name + ".json")
	if err != nil {
		return nil, fmt.Errorf("sweep: no built-in grid %q (built in: %s)", name, strings.Join(BuiltinNames(), ", "))
	}
	return data, nil
}

func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return fmt.Errorf("not valid JSON at byte %d: %v", se.Offset, err)
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return errors.New("not valid JSON: unexpected end")
		}
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("trailing data after the JSON object")
	}
	return nil
}

// resolve validates the grid and resolves its HMM references.
func (g *Grid) resolve(baseDir string) error {
	if err := checkName("grid name", g.Name); err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	pre := fmt.Sprintf("sweep: grid %q", g.Name)
	if err := g.Train.check(); err != nil {
		return fmt.Errorf("%s: train: %w", pre, err)
	}
	if err := g.Eval.check(); err != nil {
		return fmt.Errorf("%s: eval: %w", pre, err)
	}
	if len(g.Blocks) == 0 {
		return fmt.Errorf("%s: no blocks", pre)
	}
	for bi := range g.Blocks {
		b := &g.Blocks[bi]
		bpre := fmt.Sprintf("%s: block %d", pre, bi)
		if len(b.HMM) == 0 {
			return fmt.Errorf("%s: empty \"hmm\" list", bpre)
		}
		for i := range b.HMM {
			if err := b.HMM[i].resolve(baseDir); err != nil {
				return fmt.Errorf("%s: hmm[%d]: %w", bpre, i, err)
			}
		}
		if err := positive(b.Hidden, "hidden"); err != nil {
			return fmt.Errorf("%s: %w", bpre, err)
		}
		if err := positive(b.Input, "input"); err != nil {
			return fmt.Errorf("%s: %w", bpre, err)
		}
		if len(b.Seeds) == 0 {
			return fmt.Errorf("%s: empty \"seeds\" list", bpre)
		}
		if b.Tag != "" {
			if err := checkName("tag", b.Tag); err != nil {
				return fmt.Errorf("%s: %w", bpre, err)
			}
		}
		if _, _, err := g.settings(b); err != nil {
			return fmt.Errorf("%s: %w", bpre, err)
		}
	}
	return g.checkSize()
}

// checkSize counts, without expanding, the entries of the grid and the HMM
// parameters its manifest would hold, and refuses more than MaxEntries or
// MaxManifestNumbers. Counts saturate at the limits, so no product of list
// lengths can overflow.
func (g *Grid) checkSize() error {
	entries, numbers := 0, 0
	for bi := range g.Blocks {
		b := &g.Blocks[bi]
		perHMM := 1 // networks per HMM of the block
		for _, n := range []int{len(b.Hidden), len(b.Input), len(b.Seeds)} {
			perHMM = satMul(perHMM, n, MaxEntries+1)
		}
		for _, ref := range b.HMM {
			entries = min(entries+perHMM, MaxEntries+1)
			size := 1 // unresolved references count as one number
			if m := ref.Model; m != nil {
				size = hmmNumbers(m)
			}
			numbers = min(numbers+satMul(perHMM, size, MaxManifestNumbers+1), MaxManifestNumbers+1)
		}
		if entries > MaxEntries {
			return fmt.Errorf("sweep: grid %q: more than %d networks by block %d (HMMs x hidden x input x seeds per block); split the grid", g.Name, MaxEntries, bi)
		}
		if numbers > MaxManifestNumbers {
			return fmt.Errorf("sweep: grid %q: the manifest would hold more than %d HMM parameters by block %d (networks x HMM size); split the grid or use fewer networks per large HMM", g.Name, MaxManifestNumbers, bi)
		}
	}
	return nil
}

// hmmNumbers is the count of numbers an HMM adds to each manifest entry.
func hmmNumbers(m *hmm.HMM) int {
	M, O := m.States(), m.Outputs()
	return M*M + M*O + M
}

// satMul returns a*b for non-negative a, b, or limit if that is smaller.
func satMul(a, b, limit int) int {
	if a == 0 || b == 0 {
		return 0
	}
	if a > limit/b {
		return limit
	}
	return min(a*b, limit)
}

func positive(v []int, name string) error {
	if len(v) == 0 {
		return fmt.Errorf("empty %q list", name)
	}
	for i, x := range v {
		if x <= 0 {
			return fmt.Errorf("%s[%d] = %d: must be positive", name, i, x)
		}
	}
	return nil
}

// settings overlays a block's train and eval fields on the grid defaults.
func (g *Grid) settings(b *Block) (Train, Eval, error) {
	tr, ev := g.Train, g.Eval
	if len(b.Train) > 0 {
		if err := decodeStrict(b.Train, &tr); err != nil {
			return tr, ev, fmt.Errorf("train: %w", err)
		}
	}
	if len(b.Eval) > 0 {
		if err := decodeStrict(b.Eval, &ev); err != nil {
			return tr, ev, fmt.Errorf("eval: %w", err)
		}
	}
	if err := tr.check(); err != nil {
		return tr, ev, fmt.Errorf("train: %w", err)
	}
	if tr.Steps <= 0 {
		return tr, ev, fmt.Errorf("train: steps = %d: must be positive", tr.Steps)
	}
	if err := ev.check(); err != nil {
		return tr, ev, fmt.Errorf("eval: %w", err)
	}
	return tr, ev, nil
}

// check rejects negative or unknown settings (Steps is checked per block,
// so that grid defaults may leave it to the blocks).
func (t Train) check() error {
	ints := []struct {
		name string
		v    int
	}{{"steps", t.Steps}, {"batch", t.Batch}, {"seq_len", t.SeqLen}, {"train_size", t.TrainSize},
		{"val_size", t.ValSize}, {"val_every", t.ValEvery}, {"checkpoint_every", t.CheckpointEvery}}
	for _, x := range ints {
		if x.v < 0 {
			return fmt.Errorf("%s = %d: must not be negative", x.name, x.v)
		}
	}
	floats := []struct {
		name string
		v    float64
	}{{"lr", t.LR}, {"clip", t.Clip}, {"tau", t.Tau}, {"noise_std", t.NoiseStd}}
	for _, x := range floats {
		if !(x.v >= 0) || x.v > 1e300 {
			return fmt.Errorf("%s = %v: must be finite and not negative", x.name, x.v)
		}
	}
	if t.Data != "" && t.Data != "fresh" && t.Data != "fixed" {
		return fmt.Errorf("data = %q: want \"fresh\" or \"fixed\"", t.Data)
	}
	return nil
}

func (e Eval) check() error {
	if e.Sequences < 0 {
		return fmt.Errorf("sequences = %d: must not be negative", e.Sequences)
	}
	return nil
}

// Size returns the number of networks the grid expands to.
func (g *Grid) Size() int {
	n := 0
	for _, b := range g.Blocks {
		n += len(b.HMM) * len(b.Hidden) * len(b.Input) * len(b.Seeds)
	}
	return n
}
