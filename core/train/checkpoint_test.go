package train

import (
	"strings"
	"testing"

	"hmmrnn/core/model"
)

// TestDataPosition follows a fixed-data run step by step (train size 40,
// batch 16: three batches per epoch, the last of 8) and requires
// dataPosition to give the trainer's own epoch and position at every step.
func TestDataPosition(t *testing.T) {
	c := smallConfig(t, DataFixed)
	tr, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	for s := 0; s <= 10; s++ {
		if s > 0 {
			run(t, tr, 1)
		}
		e, p := dataPosition(c, s)
		if e != tr.epoch || p != tr.pos {
			t.Errorf("step %d: dataPosition = %d, %d; the trainer is at %d, %d", s, e, p, tr.epoch, tr.pos)
		}
	}
	if e, p := dataPosition(smallConfig(t, DataFresh), 5); e != 0 || p != 0 {
		t.Errorf("fresh data: position %d, %d, want 0, 0", e, p)
	}
}

// checkpointJSON returns the marshalled checkpoint of a 4-step run of c
// (validation every 2 steps in smallConfig, so it holds best weights).
func checkpointJSON(tb testing.TB, c Config) []byte {
	tb.Helper()
	tr, err := New(c)
	if err != nil {
		tb.Fatal(err)
	}
	for range 4 {
		if _, err := tr.Step(); err != nil {
			tb.Fatal(err)
		}
	}
	f, err := tr.Snapshot(false, "test", 0)
	if err != nil {
		tb.Fatal(err)
	}
	raw, err := f.Marshal()
	if err != nil {
		tb.Fatal(err)
	}
	return raw
}

// checkpoint returns checkpointJSON parsed.
func checkpoint(t *testing.T, c Config) *model.File {
	t.Helper()
	f, err := model.Parse(checkpointJSON(t, c))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestResumeRejectsBadState alters one resume field at a time of a valid
// checkpoint; Resume must name the field instead of panicking in a step
// (resume.pos -100 made the fixed-data slice bounds panic) or
// training on with NaN updates.
func TestResumeRejectsBadState(t *testing.T) {
	for _, tc := range []struct {
		name   string
		data   string
		mutate func(f *model.File)
		want   string
	}{
		{"negative position", DataFixed, func(f *model.File) { f.Resume.Pos = -100 }, "resume.pos = 1, -100"},
		{"position past the set", DataFixed, func(f *model.File) { f.Resume.Pos = 41 }, "they are 1, 16"},
		{"negative epoch", DataFixed, func(f *model.File) { f.Resume.Epoch = -1 }, "resume.epoch"},
		{"position on fresh data", DataFresh, func(f *model.File) { f.Resume.Pos = 3 }, "they are 0, 0"},
		{"negative step", DataFresh, func(f *model.File) { f.Training.Step = -1 }, "step is -1"},
		{"losses short of the step", DataFresh, func(f *model.File) { f.Training.Loss = f.Training.Loss[:3] }, "3 losses for 4 steps"},
		{"negative adam_t", DataFresh, func(f *model.File) { f.Resume.AdamT = -5 }, "adam_t is -5, want 4"},
		{"adam_t off by one", DataFresh, func(f *model.File) { f.Resume.AdamT = 5 }, "adam_t is 5"},
		{"negative second moment", DataFresh, func(f *model.File) { f.Resume.AdamV.Whh[3] = -1e-3 }, "resume.adam_v.w_hh entry 3"},
		{"missing stream", DataFresh, func(f *model.File) { delete(f.Resume.Streams, "noise") }, `lacks random stream "noise"`},
		{"bad stream", DataFresh, func(f *model.File) { f.Resume.Streams["data"] = []byte("pcg") }, `stream "data"`},
		{"validation after the step", DataFresh, func(f *model.File) { f.Training.Val[1].Step = 6 }, "val[1] is at step 6"},
		{"validation off schedule", DataFresh, func(f *model.File) { f.Training.Val[0].Step = 1 }, "val[0] is at step 1"},
		{"best step zero", DataFresh, func(f *model.File) { f.Training.BestStep = 0 }, "best_step is 0"},
		{"best step off schedule", DataFresh, func(f *model.File) { f.Training.BestStep = 3 }, "best_step is 3"},
		{"no resume state", DataFresh, func(f *model.File) { f.Resume = nil }, "no resume state"},
		{"no second moments", DataFresh, func(f *model.File) { f.Resume.AdamV = nil }, "resume.adam_v is missing"},
	} {
		f := checkpoint(t, smallConfig(t, tc.data))
		tc.mutate(f)
		_, err := Resume(f)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Resume err = %v, want mention of %q", tc.name, err, tc.want)
		}
	}
	for _, data := range []string{DataFresh, DataFixed} {
		if _, err := Resume(checkpoint(t, smallConfig(t, data))); err != nil {
			t.Errorf("%s: the unaltered checkpoint: %v", data, err)
		}
	}
}
