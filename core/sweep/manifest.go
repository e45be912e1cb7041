package sweep

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"hmmrnn/core/hmm"
)

// ManifestFormat is the "format" field of a manifest file.
const ManifestFormat = "hmmrnn-sweep-manifest"

// ManifestVersion is the current manifest format version.
const ManifestVersion = 1

// Manifest is an expanded grid: one self-contained entry per network. It
// lives in the sweep directory as manifest.json; every other file of the
// sweep (models, results, checkpoints, Slurm logs) sits beside it.
type Manifest struct {
	Format      string  `json:"format"`
	Version     int     `json:"version"`
	Grid        string  `json:"grid"`
	Description string  `json:"description,omitempty"`
	Entries     []Entry `json:"entries"`
}

// Entry is one network of a sweep: everything needed to train and evaluate
// it, so that an array task needs only the manifest and its index.
type Entry struct {
	Index   int      `json:"index"`
	ID      string   `json:"id"`
	HMMName string   `json:"hmm_name"`
	HMM     *hmm.HMM `json:"hmm"`
	Hidden  int      `json:"hidden"`
	Input   int      `json:"input"`
	Seed    uint64   `json:"seed"`
	Tag     string   `json:"tag,omitempty"`
	Train   Train    `json:"train"`
	Eval    Eval     `json:"eval"`
}

// Group is the key under which Collect pools seeds.
func (e *Entry) Group() GroupKey {
	return GroupKey{HMM: e.HMMName, Hidden: e.Hidden, Input: e.Input, Tag: e.Tag}
}

// GroupKey identifies a grid cell: everything but the seed.
type GroupKey struct {
	HMM    string `json:"hmm"`
	Hidden int    `json:"hidden"`
	Input  int    `json:"input"`
	Tag    string `json:"tag,omitempty"`
}

// entryID is "<hmm>-h<hidden>-d<input>-s<seed>[-<tag>]"; it names the
// entry's files.
func entryID(hmmName string, hidden, input int, seed uint64, tag string) string {
	id := fmt.Sprintf("%s-h%d-d%d-s%d", hmmName, hidden, input, seed)
	if tag != "" {
		id += "-" + tag
	}
	return id
}

// checkID refuses an entry ID that cannot name files: outside namePattern
// or longer than MaxIDLen.
func checkID(id string) error {
	if !namePattern.MatchString(id) {
		return fmt.Errorf("bad id %q: use letters, digits, '.', '_', '-' only", truncate(id))
	}
	if len(id) > MaxIDLen {
		return fmt.Errorf("id %q is %d characters long, at most %d allowed (it names the network's files)", truncate(id), len(id), MaxIDLen)
	}
	return nil
}

// Expand turns a grid into a manifest. Entries are ordered block by block,
// then by HMM, hidden size, noise dimension and seed (seed fastest), so
// neighbouring array tasks differ only in their seed. Two entries with the
// same ID (same HMM, sizes and seed in two blocks) are an error: give one
// block a "tag".
func Expand(g *Grid) (*Manifest, error) {
	if err := g.checkSize(); err != nil {
		return nil, err
	}
	m := &Manifest{Format: ManifestFormat, Version: ManifestVersion, Grid: g.Name, Description: g.Description}
	seen := map[string]int{}
	for bi := range g.Blocks {
		b := &g.Blocks[bi]
		tr, ev, err := g.settings(b)
		if err != nil {
			return nil, fmt.Errorf("sweep: grid %q: block %d: %w", g.Name, bi, err)
		}
		for _, ref := range b.HMM {
			if ref.Model == nil {
				return nil, fmt.Errorf("sweep: grid %q: block %d: HMM %q not resolved (use ParseGrid)", g.Name, bi, ref.Name)
			}
			for _, h := range b.Hidden {
				for _, d := range b.Input {
					for _, s := range b.Seeds {
						id := entryID(ref.Name, h, d, s, b.Tag)
						if err := checkID(id); err != nil {
							return nil, fmt.Errorf("sweep: grid %q: block %d: %w", g.Name, bi, err)
						}
						if prev, dup := seen[id]; dup {
							return nil, fmt.Errorf("sweep: grid %q: block %d repeats network %s of entry %d: give one block a \"tag\"", g.Name, bi, id, prev)
						}
						seen[id] = len(m.Entries)
						m.Entries = append(m.Entries, Entry{
							Index: len(m.Entries), ID: id, HMMName: ref.Name, HMM: ref.Model.Clone(),
							Hidden: h, Input: d, Seed: s, Tag: b.Tag, Train: tr, Eval: ev,
						})
					}
				}
			}
		}
	}
	return m, nil
}

// Validate checks a manifest read from disk: format, consecutive indices,
// unique IDs, valid HMMs and settings.
func (m *Manifest) Validate() error {
	if m.Format != ManifestFormat {
		return fmt.Errorf("sweep: manifest format %q is not %q", m.Format, ManifestFormat)
	}
	if m.Version > ManifestVersion {
		return fmt.Errorf("sweep: manifest version %d is newer than this program's %d", m.Version, ManifestVersion)
	}
	if len(m.Entries) == 0 {
		return errors.New("sweep: manifest has no entries")
	}
	if len(m.Entries) > MaxEntries {
		return fmt.Errorf("sweep: manifest has %d entries, at most %d allowed", len(m.Entries), MaxEntries)
	}
	ids := map[string]bool{}
	for i := range m.Entries {
		e := &m.Entries[i]
		if e.Index != i {
			return fmt.Errorf("sweep: manifest entry %d has index %d", i, e.Index)
		}
		if err := checkID(e.ID); err != nil {
			return fmt.Errorf("sweep: manifest entry %d: %w", i, err)
		}
		if ids[e.ID] {
			return fmt.Errorf("sweep: manifest entry %d: duplicate id %q", i, e.ID)
		}
		ids[e.ID] = true
		if e.HMM == nil {
			return fmt.Errorf("sweep: manifest entry %d (%s): no hmm", i, e.ID)
		}
		if err := e.HMM.Validate(); err != nil {
			return fmt.Errorf("sweep: manifest entry %d (%s): %w", i, e.ID, err)
		}
		if e.Hidden <= 0 || e.Input <= 0 {
			return fmt.Errorf("sweep: manifest entry %d (%s): hidden %d, input %d: must be positive", i, e.ID, e.Hidden, e.Input)
		}
		if err := e.Train.check(); err != nil {
			return fmt.Errorf("sweep: manifest entry %d (%s): train: %w", i, e.ID, err)
		}
		if e.Train.Steps <= 0 {
			return fmt.Errorf("sweep: manifest entry %d (%s): train: steps = %d: must be positive", i, e.ID, e.Train.Steps)
		}
		if err := e.Eval.check(); err != nil {
			return fmt.Errorf("sweep: manifest entry %d (%s): eval: %w", i, e.ID, err)
		}
	}
	return nil
}

// Marshal encodes the manifest as indented JSON.
func (m *Manifest) Marshal() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", " ")
	if err := enc.Encode(m); err != nil {
		return nil, fmt.Errorf("sweep: manifest: %w", err)
	}
	return buf.Bytes(), nil
}

// ParseManifest decodes and validates a manifest.
func ParseManifest(data []byte) (*Manifest, error) {
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("sweep: manifest: %w", err)
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return &m, nil
}

// LoadManifest reads a manifest file.
func LoadManifest(path string) (*Manifest, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	m, err := ParseManifest(data)
	if err != nil {
		return nil, fmt.Errorf("%w (in %s)", err, path)
	}
	return m, nil
}

// ManifestName is the manifest's file name inside a sweep directory.
const ManifestName = "manifest.json"

// WriteManifest writes m as dir/manifest.json, creating dir. If a manifest
// is already there and differs, it refuses unless force is set: results
// beside it belong to the old one.
func WriteManifest(dir string, m *Manifest, force bool) error {
	data, err := m.Marshal()
	if err != nil {
		return err
	}
	path := filepath.Join(dir, ManifestName)
	if old, err := os.ReadFile(path); err == nil && !bytes.Equal(old, data) && !force {
		return fmt.Errorf("sweep: %s already holds a different manifest (its results would no longer match); use another directory or force", path)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	return WriteFileAtomic(path, data)
}
