package model

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hmmrnn/core/hmm"
	"hmmrnn/core/rnn"
)

func testFile(t *testing.T) *File {
	t.Helper()
	m, err := hmm.Preset("linear2")
	if err != nil {
		t.Fatal(err)
	}
	n, err := rnn.New(4, 3, m.Outputs(), rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	n.Readout = rnn.Readout{Gain: 3, Rare: []int{1}} // a calibrated emitter
	return &File{HMM: m, RNN: n, NoiseStd: 1, Training: &Training{Hidden: 4, Input: 3, Step: 2, Loss: []float64{0.5, 0.25}}}
}

func TestRoundTripExact(t *testing.T) {
	f := testFile(t)
	data, err := f.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	g, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	for i, w := range f.RNN.Whh {
		if g.RNN.Whh[i] != w {
			t.Fatalf("w_hh[%d] = %v after round trip, want %v (bit-identical)", i, g.RNN.Whh[i], w)
		}
	}
	if r := g.RNN.Readout; r.Gain != 3 || len(r.Rare) != 1 || r.Rare[0] != 1 {
		t.Errorf("readout %+v after round trip, want gain 3, rare [1]", r)
	}
	data2, err := g.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, data2) {
		t.Error("marshal(parse(marshal(f))) differs from marshal(f)")
	}
	// The fixed field names other tools read.
	var raw map[string]any
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"hmm.transition", "hmm.emission", "hmm.start", "hmm.seq_len", "rnn.w_in", "rnn.w_hh", "rnn.w_out", "rnn.readout.gain", "rnn.readout.rare", "noise_std"} {
		var cur any = raw
		for _, k := range strings.Split(path, ".") {
			cur = cur.(map[string]any)[k]
		}
		if cur == nil {
			t.Errorf("field %s missing from the file", path)
		}
	}
	// The paper's readout is written as no readout field, and read back.
	f.RNN.Readout = rnn.Readout{}
	plain, err := f.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(plain, []byte(`"readout"`)) {
		t.Error("a network with the paper's readout was written with a readout field")
	}
	if p, err := Parse(plain); err != nil || !p.RNN.Readout.IsPlain() || len(p.RNN.Readout.Rare) != 0 {
		t.Errorf("a file without a readout field: readout %+v (%v), want the paper's", p.RNN.Readout, err)
	}
	if rows := raw["rnn"].(map[string]any)["w_in"].([]any); len(rows) != 4 || len(rows[0].([]any)) != 3 {
		t.Errorf("rnn.w_in is %d rows of %d, want H=4 rows of D=3", len(rows), len(rows[0].([]any)))
	}
}

// TestParseErrors checks that each defect is rejected with an error naming it.
func TestParseErrors(t *testing.T) {
	f := testFile(t)
	good, err := f.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	edit := func(fn func(m map[string]any)) []byte {
		var m map[string]any
		if err := json.Unmarshal(good, &m); err != nil {
			t.Fatal(err)
		}
		fn(m)
		b, _ := json.Marshal(m)
		return b
	}
	sub := func(m map[string]any, k string) map[string]any { return m[k].(map[string]any) }
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"not json", []byte("{\"hmm\": "), "not valid JSON"},
		{"missing hmm", edit(func(m map[string]any) { delete(m, "hmm") }), `"hmm"`},
		{"missing transition", edit(func(m map[string]any) { delete(sub(m, "hmm"), "transition") }), "hmm.transition"},
		{"missing emission", edit(func(m map[string]any) { delete(sub(m, "hmm"), "emission") }), "hmm.emission"},
		{"missing start", edit(func(m map[string]any) { delete(sub(m, "hmm"), "start") }), "hmm.start"},
		{"missing seq_len", edit(func(m map[string]any) { delete(sub(m, "hmm"), "seq_len") }), "hmm.seq_len"},
		{"missing noise_std", edit(func(m map[string]any) { delete(m, "noise_std") }), "noise_std"},
		{"negative noise_std", edit(func(m map[string]any) { m["noise_std"] = -1 }), "noise_std"},
		{"missing rnn", edit(func(m map[string]any) { delete(m, "rnn") }), `"rnn"`},
		{"missing w_hh", edit(func(m map[string]any) { delete(sub(m, "rnn"), "w_hh") }), "rnn.w_hh"},
		{"missing w_in", edit(func(m map[string]any) { delete(sub(m, "rnn"), "w_in") }), "rnn.w_in"},
		{"missing w_out", edit(func(m map[string]any) { delete(sub(m, "rnn"), "w_out") }), "rnn.w_out"},
		{"short w_hh row", edit(func(m map[string]any) {
			r := sub(m, "rnn")["w_hh"].([]any)
			r[2] = r[2].([]any)[:3]
		}), "rnn.w_hh: row 2 has 3 entries, want 4"},
		{"w_in rows", edit(func(m map[string]any) {
			r := sub(m, "rnn")
			r["w_in"] = r["w_in"].([]any)[:3]
		}), "rnn.w_in: 3 rows, want 4"},
		{"w_out rows vs outputs", edit(func(m map[string]any) {
			r := sub(m, "rnn")
			r["w_out"] = r["w_out"].([]any)[:2]
		}), "rnn.w_out: 2 rows, want 3"},
		{"bad hmm row", edit(func(m map[string]any) {
			sub(m, "hmm")["transition"].([]any)[1].([]any)[0] = 0.5
		}), "row 1"},
		{"infinite weight", bytes.Replace(good, []byte("\"w_out\": [\n   [\n    "), []byte("\"w_out\": [\n   [\n    1e999, "), 1), "w_out"},
		{"negative readout gain", edit(func(m map[string]any) { sub(sub(m, "rnn"), "readout")["gain"] = -2 }), "rnn.readout: rnn: readout gain = -2"},
		{"rare symbol out of range", edit(func(m map[string]any) { sub(sub(m, "rnn"), "readout")["rare"] = []any{3} }), "rnn.readout: rnn: readout rare symbol 3 outside [0, 3)"},
		{"newer version", edit(func(m map[string]any) { m["version"] = 99 }), "version 99"},
		{"other format", edit(func(m map[string]any) { m["format"] = "something" }), "format"},
	}
	for _, tc := range tests {
		_, err := Parse(tc.data)
		if err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %q does not mention %q", tc.name, err, tc.want)
		}
	}
}

func TestSaveAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.json")
	f := testFile(t)
	if err := f.Save(path); err != nil {
		t.Fatal(err)
	}
	f.NoiseStd = 2
	if err := f.Save(path); err != nil {
		t.Fatal(err)
	}
	g, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if g.NoiseStd != 2 {
		t.Errorf("noise_std = %v after overwrite, want 2", g.NoiseStd)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("directory holds %d entries after saving, want only the model (no temp files)", len(ents))
	}
	// A failing save (directory missing) must not create anything.
	if err := f.Save(filepath.Join(dir, "nope", "m.json")); err == nil {
		t.Error("save into a missing directory succeeded")
	}
}

// TestParseRejectsBadTraining: eval and the sweeps sample training.seq_len
// steps per sequence, so a record asking for 1e9 is refused at parse time.
func TestParseRejectsBadTraining(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(tr *Training)
		want   string
	}{
		{"seq_len 1e9", func(tr *Training) { tr.SeqLen = 1e9 }, "training.seq_len is 1000000000, want 1..255"},
		{"negative seq_len", func(tr *Training) { tr.SeqLen = -1 }, "training.seq_len is -1"},
		{"negative step", func(tr *Training) { tr.Step, tr.Loss = -1, nil }, "training.step is -1"},
		{"more losses than steps", func(tr *Training) { tr.Step = 1 }, "training.step is 1 with 2 losses"},
	} {
		f := testFile(t)
		tc.mutate(f.Training)
		data, err := f.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Parse(data); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want mention of %q", tc.name, err, tc.want)
		}
	}
}

// TestParseHMM reads the HMM of an HMM file and of a model file; a model
// file at fault reports its own fault (train --hmm gave
// `unknown field "format"` from the HMM parser instead).
func TestParseHMM(t *testing.T) {
	good, err := testFile(t).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	m, err := ParseHMM(good)
	if err != nil || m.Name != "linear2" {
		t.Fatalf("model file: hmm %v, err %v", m, err)
	}
	h, _ := json.Marshal(m)
	if m2, err := ParseHMM(h); err != nil || m2.States() != m.States() {
		t.Fatalf("HMM file: hmm %v, err %v", m2, err)
	}
	noNoise := bytes.Replace(good, []byte(`"noise_std": 1,`), nil, 1)
	for _, tc := range []struct{ name, in, want string }{
		{"model without noise_std", string(noNoise), `missing field "noise_std"`},
		{"model with a foreign format", `{"format":"other","hmm":{}}`, `format "other"`},
		{"model with seq_len 1e9", strings.Replace(string(good), `"seq_len": 100`, `"seq_len": 1000000000`, 1), "seq_len is 1000000000"},
		{"HMM with a misspelt field", strings.Replace(string(h), `"start"`, `"stat"`, 1), `unknown field "stat"`},
	} {
		_, err := ParseHMM([]byte(tc.in))
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), `unknown field "format"`) {
			t.Errorf("%s: err = %v, want mention of %q", tc.name, err, tc.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	m, _ := hmm.Preset("linear2")
	n, _ := rnn.New(2, 2, 3, rand.New(rand.NewPCG(1, 1)))
	good, _ := (&File{HMM: m, RNN: n, NoiseStd: 1}).Marshal()
	f.Add(good)
	f.Add([]byte(`{"hmm":{}}`))
	// A checkpoint-shaped file: resume state with every weight set.
	ck := &File{HMM: m, RNN: n, NoiseStd: 1, Training: &Training{Hidden: 2, Input: 2, Batch: 16, SeqLen: 5, Step: 1, Loss: []float64{0.5}},
		Resume: &Resume{Current: n, AdamM: n, AdamV: n, AdamT: 1, Streams: map[string][]byte{"data": []byte("pcg:0123456789abcdef0123456789ab")}}}
	ckb, _ := ck.Marshal()
	f.Add(ckb)
	// Hostile files: seq_len 1e9 and 2e18, a model without noise_std.
	for _, edit := range [][2]string{{`"seq_len": 100`, `"seq_len": 1000000000`}, {`"seq_len": 100`, `"seq_len": 2e18`}, {`"noise_std": 1,`, ``}} {
		f.Add(bytes.Replace(good, []byte(edit[0]), []byte(edit[1]), 1))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if h, err := ParseHMM(data); err == nil {
			if err := h.Validate(); err != nil {
				t.Errorf("ParseHMM accepted an invalid HMM: %v", err)
			}
		}
		g, err := Parse(data)
		if err != nil {
			return
		}
		if _, err := g.Marshal(); err != nil {
			t.Errorf("a parsed file does not marshal: %v", err)
		}
	})
}
