package sweep

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestBuiltinPaper(t *testing.T) {
	g, err := Builtin("paper")
	if err != nil {
		t.Fatal(err)
	}
	m, err := Expand(g)
	if err != nil {
		t.Fatal(err)
	}
	// core/METHOD.md section 1: 4 HMMs x 3 hidden x 4 noise dims x 3 seeds.
	if got, want := len(m.Entries), 4*3*4*3; got != want || g.Size() != want {
		t.Fatalf("paper grid: %d entries (Size %d), want %d", got, g.Size(), want)
	}
	first, last := m.Entries[0], m.Entries[len(m.Entries)-1]
	if first.ID != "linear2-h50-d1-s1" || last.ID != "linear5-h200-d200-s3" {
		t.Errorf("first/last IDs %q, %q", first.ID, last.ID)
	}
	if m.Entries[1].ID != "linear2-h50-d1-s2" || m.Entries[3].ID != "linear2-h50-d10-s1" {
		t.Errorf("order: entries 1, 3 are %q, %q; want seed fastest, then noise dimension", m.Entries[1].ID, m.Entries[3].ID)
	}
	for _, e := range m.Entries {
		if e.Train.Steps != 1500 || e.Train.Batch != 4096 || e.Eval.Sequences != 5000 || !e.Eval.Kick {
			t.Fatalf("%s: settings %+v %+v", e.ID, e.Train, e.Eval)
		}
		if e.HMM == nil || e.HMM.SeqLen == 0 {
			t.Fatalf("%s: no HMM", e.ID)
		}
	}
	if m.Entries[0].HMM.SeqLen != 100 || last.HMM.SeqLen != 40 {
		t.Errorf("sequence lengths %d, %d; want 100 (linear2), 40 (linear5)", m.Entries[0].HMM.SeqLen, last.HMM.SeqLen)
	}
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestBuiltins(t *testing.T) {
	want := map[string]int{"paper": 144, "paper-all": 162, "tiny": 4}
	names := BuiltinNames()
	if len(names) != len(want) {
		t.Errorf("built-in grids %v, want %d", names, len(want))
	}
	for name, n := range want {
		g, err := Builtin(name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		m, err := Expand(g)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(m.Entries) != n {
			t.Errorf("%s: %d entries, want %d", name, len(m.Entries), n)
		}
	}
	g, _ := Builtin("paper-all")
	m, _ := Expand(g)
	e := m.Entries[len(m.Entries)-1]
	if e.HMMName != "cyclic4" || e.Train.Steps != 3000 || e.Train.Clip != 0.3 || e.Train.Batch != 4096 {
		t.Errorf("paper-all last entry %s: %+v; want the block override (3000 steps, clip 0.3) over the defaults", e.ID, e.Train)
	}
	if _, err := Builtin("nope"); err == nil || !strings.Contains(err.Error(), "paper") {
		t.Errorf("unknown built-in: %v", err)
	}
}

const smallGrid = `{
 "name": "small",
 "train": {"steps": 10, "batch": 32},
 "eval": {"sequences": 50},
 "blocks": [
  {"hmm": ["linear2"], "hidden": [4, 8], "input": [2], "seeds": [1, 2]},
  {"hmm": ["linear2"], "hidden": [4], "input": [2], "seeds": [1], "tag": "fast", "train": {"lr": 0.01}, "eval": {"kick": true}}
 ]
}`

func TestExpandOverlay(t *testing.T) {
	g, err := ParseGrid([]byte(smallGrid), ".")
	if err != nil {
		t.Fatal(err)
	}
	m, err := Expand(g)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range m.Entries {
		ids = append(ids, e.ID)
	}
	want := []string{"linear2-h4-d2-s1", "linear2-h4-d2-s2", "linear2-h8-d2-s1", "linear2-h8-d2-s2", "linear2-h4-d2-s1-fast"}
	if !reflect.DeepEqual(ids, want) {
		t.Fatalf("ids %v, want %v", ids, want)
	}
	tagged := m.Entries[4]
	if tagged.Train != (Train{Steps: 10, Batch: 32, LR: 0.01}) || tagged.Eval != (Eval{Sequences: 50, Kick: true}) {
		t.Errorf("overlay: %+v %+v", tagged.Train, tagged.Eval)
	}
	if m.Entries[0].Train.LR != 0 || m.Entries[0].Eval.Kick {
		t.Errorf("overlay leaked into block 0: %+v %+v", m.Entries[0].Train, m.Entries[0].Eval)
	}
	if tagged.Group() == m.Entries[0].Group() {
		t.Error("tagged entry shares the untagged cell")
	}
}

func TestGridErrors(t *testing.T) {
	block := `{"hmm": ["linear2"], "hidden": [4], "input": [2], "seeds": [1]}`
	grid := func(train, blocks string) string {
		return `{"name": "g", "train": ` + train + `, "blocks": [` + blocks + `]}`
	}
	for _, tc := range []struct{ name, json, want string }{
		{"not json", `{"name": `, "not valid JSON"},
		{"unknown key", `{"name": "g", "trian": {}, "blocks": []}`, "trian"},
		{"bad name", `{"name": "a b", "train": {"steps": 1}, "blocks": [` + block + `]}`, "grid name"},
		{"no blocks", grid(`{"steps": 1}`, ``), "no blocks"},
		{"no steps", grid(`{}`, block), "steps = 0"},
		{"negative batch", grid(`{"steps": 1, "batch": -2}`, block), "batch = -2"},
		{"bad data", grid(`{"steps": 1, "data": "stale"}`, block), "data"},
		{"unknown preset", grid(`{"steps": 1}`, `{"hmm": ["linear9"], "hidden": [4], "input": [2], "seeds": [1]}`), "linear9"},
		{"empty hidden", grid(`{"steps": 1}`, `{"hmm": ["linear2"], "hidden": [], "input": [2], "seeds": [1]}`), `"hidden"`},
		{"zero input", grid(`{"steps": 1}`, `{"hmm": ["linear2"], "hidden": [4], "input": [2, 0], "seeds": [1]}`), "input[1] = 0"},
		{"no seeds", grid(`{"steps": 1}`, `{"hmm": ["linear2"], "hidden": [4], "input": [2]}`), "seeds"},
		{"bad override", grid(`{"steps": 1}`, `{"hmm": ["linear2"], "hidden": [4], "input": [2], "seeds": [1], "train": {"lr": -1}}`), "lr = -1"},
		{"unknown override", grid(`{"steps": 1}`, `{"hmm": ["linear2"], "hidden": [4], "input": [2], "seeds": [1], "train": {"epochs": 3}}`), "epochs"},
		{"bad tag", grid(`{"steps": 1}`, `{"hmm": ["linear2"], "hidden": [4], "input": [2], "seeds": [1], "tag": "x/y"}`), "tag"},
		{"unnamed inline", grid(`{"steps": 1}`, `{"hmm": [{"start": [1], "transition": [[1]], "emission": [[0.5, 0.5]], "seq_len": 5}], "hidden": [4], "input": [2], "seeds": [1]}`), "name"},
		{"invalid inline", grid(`{"steps": 1}`, `{"hmm": [{"name": "x", "start": [1], "transition": [[0.5]], "emission": [[0.5, 0.5]], "seq_len": 5}], "hidden": [4], "input": [2], "seeds": [1]}`), "inline HMM"},
		{"missing file", grid(`{"steps": 1}`, `{"hmm": ["@nope.json"], "hidden": [4], "input": [2], "seeds": [1]}`), "nope.json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseGrid([]byte(tc.json), t.TempDir())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one mentioning %q", err, tc.want)
			}
		})
	}
	// The same network in two blocks needs a tag.
	g, err := ParseGrid([]byte(grid(`{"steps": 1}`, block+","+block)), ".")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Expand(g); err == nil || !strings.Contains(err.Error(), "tag") {
		t.Errorf("duplicate network: %v", err)
	}
}

func TestGridHMMFileAndInline(t *testing.T) {
	dir := t.TempDir()
	coin := `{"start": [0.5, 0.5], "transition": [[0.9, 0.1], [0.1, 0.9]], "emission": [[1, 0], [0, 1]], "seq_len": 20}`
	if err := os.WriteFile(filepath.Join(dir, "coin.json"), []byte(coin), 0o644); err != nil {
		t.Fatal(err)
	}
	grid := `{"name": "files", "train": {"steps": 2}, "blocks": [{"hmm": ["@coin.json",
	 {"name": "flip", "start": [1], "transition": [[1]], "emission": [[0.5, 0.5]], "seq_len": 7}],
	 "hidden": [3], "input": [1], "seeds": [0]}]}`
	path := filepath.Join(dir, "grid.json")
	if err := os.WriteFile(path, []byte(grid), 0o644); err != nil {
		t.Fatal(err)
	}
	g, err := LoadGrid(path)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Expand(g)
	if err != nil {
		t.Fatal(err)
	}
	if m.Entries[0].ID != "coin-h3-d1-s0" || m.Entries[0].HMM.SeqLen != 20 {
		t.Errorf("file HMM: %s T=%d", m.Entries[0].ID, m.Entries[0].HMM.SeqLen)
	}
	if m.Entries[1].ID != "flip-h3-d1-s0" || m.Entries[1].HMM.SeqLen != 7 {
		t.Errorf("inline HMM: %s T=%d", m.Entries[1].ID, m.Entries[1].HMM.SeqLen)
	}
}

func TestManifestRoundTrip(t *testing.T) {
	g, err := ParseGrid([]byte(smallGrid), ".")
	if err != nil {
		t.Fatal(err)
	}
	m, err := Expand(g)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := WriteManifest(dir, m, false); err != nil {
		t.Fatal(err)
	}
	back, err := LoadManifest(filepath.Join(dir, ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, m) {
		t.Errorf("round trip differs:\n%+v\n%+v", back, m)
	}
	// Writing the same manifest again is fine; a different one is refused.
	if err := WriteManifest(dir, m, false); err != nil {
		t.Errorf("rewriting the same manifest: %v", err)
	}
	m2 := *m
	m2.Entries = m.Entries[:2]
	if err := WriteManifest(dir, &m2, false); err == nil {
		t.Error("a different manifest overwrote the old one")
	}
	if err := WriteManifest(dir, &m2, true); err != nil {
		t.Errorf("force: %v", err)
	}
	// Validation of hand-edited manifests.
	bad := *back
	bad.Entries = append([]Entry(nil), back.Entries...)
	bad.Entries[1].Index = 7
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "index 7") {
		t.Errorf("bad index: %v", err)
	}
	bad.Entries[1].Index, bad.Entries[1].ID = 1, bad.Entries[0].ID
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "duplicate") {
		t.Errorf("duplicate id: %v", err)
	}
}
