package train

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"

	"hmmrnn/core/model"
)

// fuzzStepBytes bounds the runs the fuzz target actually trains (8 MB of
// live data above the runtime's share, which keeps one input to a few
// milliseconds): a fuzzed file may describe a legal run of gigabytes,
// which only its checks (not its allocation) are about.
const fuzzStepBytes = baseBytes + 8<<20

// FuzzResume parses arbitrary model files and resumes those that parse:
// Resume must refuse bad state with an error (resume.pos -100
// panicked in the first step), and a run it accepts must take a step and
// save a file that parses again.
func FuzzResume(f *testing.F) {
	for _, data := range []string{DataFresh, DataFixed} {
		good := checkpointJSON(f, smallConfig(f, data))
		f.Add(good)
		for _, edit := range [][2]string{
			{`"pos": 16`, `"pos": -100`}, {`"adam_t": 4`, `"adam_t": -1`}, {`"batch": 16`, `"batch": 65536`},
			{`"step": 4`, `"step": -4`}, {`"epoch": 1`, `"epoch": 9`}, {`"seq_len": 10`, `"seq_len": 300`},
		} {
			if b := bytes.Replace(good, []byte(edit[0]), []byte(edit[1]), 1); !bytes.Equal(b, good) {
				f.Add(b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := model.Parse(data)
		if err != nil || file.Resume == nil {
			return
		}
		cfg, err := ConfigFrom(file)
		if err != nil {
			return
		}
		if cfg.MemoryBytes() > fuzzStepBytes {
			CheckResume(file, cfg)
			return
		}
		tr, err := Resume(file)
		if err != nil {
			return
		}
		if _, err := tr.Step(); err != nil {
			return // a non-finite loss from extreme weights is reported, not a panic
		}
		s, err := tr.Snapshot(false, "fuzz", 0)
		if err != nil {
			t.Fatal(err)
		}
		b, err := s.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := model.Parse(b); err != nil {
			t.Fatalf("a resumed run's file does not parse: %v", err)
		}
	})
}

// FuzzPageSettings decodes arbitrary settings as the worker receives them
// from the page (and a shared link's URL state): Config must refuse, with
// an error, anything outside the browser's limits, and what it accepts
// must fit the budget and start a trainer.
func FuzzPageSettings(f *testing.F) {
	for _, s := range []string{
		`{"arch":"linear2","hidden":8,"input":2,"batch":16,"lr":0.001,"seed":1}`,
		`{"arch":"custom","hmm":{"start":[1,0],"transition":[[0.5,0.5],[0,1]],"emission":[[1,0],[0.25,0.75]],"seq_len":7},"hidden":8,"input":2,"batch":16,"lr":0.001}`,
		`{"arch":"custom","hmm":{"start":[1],"transition":[[1]],"emission":[[0.5,0.5]],"seq_len":1000000000},"hidden":8,"input":2,"batch":16,"lr":0.001}`,
		`{"arch":"cyclic4","hidden":256,"input":256,"batch":4096,"lr":0.1,"seq_len":200}`,
		`{"arch":"linear2","hidden":8,"input":2,"batch":65536,"lr":0.001}`,
		`{"arch":"fully3","hidden":-1,"input":2,"batch":16,"lr":1e-300,"seq_len":-5}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var s PageSettings
		if json.Unmarshal(data, &s) != nil {
			return
		}
		c, err := s.Config()
		if err != nil {
			return
		}
		if m := c.MemoryBytes(); m > PageMemory {
			t.Fatalf("accepted a run of %d bytes, over the budget %d", m, PageMemory)
		}
		if c.Hidden > PageMaxHidden || c.Batch > PageMaxBatch || c.SeqLen > PageMaxSeqLen || !(c.LR <= PageMaxLR) || math.IsNaN(c.LR) {
			t.Fatalf("accepted settings outside the limits: %+v", s)
		}
		if _, err := New(c); err != nil {
			t.Fatalf("accepted settings do not start a trainer: %v", err)
		}
	})
}
