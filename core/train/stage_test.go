package train

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"hmmrnn/core/model"
)

// stagedConfig is smallConfig with a second stage after step 3: batch 24
// (fixed data: train size 40, so the stage's first batch starts epoch 1),
// learning rate 5e-4, temperature 0.5.
func stagedConfig(t testing.TB, data string) Config {
	c := smallConfig(t, data)
	c.Stages = []Stage{{From: 3, Batch: 24, LR: 5e-4, Tau: 0.5}}
	return c
}

// The stage begins once its step is taken: the batch, learning rate and
// temperature change, and a fresh Adam (no updates, zero moments) takes
// over; the steps before it are those of a run without stages.
func TestStageSwitch(t *testing.T) {
	for _, data := range []string{DataFresh, DataFixed} {
		c := stagedConfig(t, data)
		tr, err := New(c)
		if err != nil {
			t.Fatal(err)
		}
		plain := smallConfig(t, data)
		ref, _ := New(plain)
		run(t, tr, 2)
		run(t, ref, 2)
		if st, b, lr, tau := tr.Stage(); st != 0 || b != 16 || lr != c.LR || tau != c.Tau {
			t.Errorf("%s: after 2 steps stage %d batch %d lr %v tau %v, want the first stage (0, 16, %v, %v)", data, st, b, lr, tau, c.LR, c.Tau)
		}
		run(t, tr, 1)
		run(t, ref, 1)
		if !sameNet(tr.Net(), ref.Net()) || !slices.Equal(tr.Losses(), ref.Losses()) {
			t.Errorf("%s: the stage changed the steps before it", data)
		}
		if st, b, lr, tau := tr.Stage(); st != 1 || b != 24 || lr != 5e-4 || tau != 0.5 {
			t.Errorf("%s: after 3 steps stage %d batch %d lr %v tau %v, want 1, 24, 5e-4, 0.5", data, st, b, lr, tau)
		}
		if tr.adam.T != 0 || slices.ContainsFunc(tr.adam.M, func(m []float64) bool { return slices.ContainsFunc(m, func(v float64) bool { return v != 0 }) }) {
			t.Errorf("%s: the stage's Adam has %d updates or non-zero moments, want a fresh one", data, tr.adam.T)
		}
		run(t, tr, 1)
		run(t, ref, 1)
		if tr.adam.T != 1 || sameNet(tr.Net(), ref.Net()) {
			t.Errorf("%s: step 4: %d Adam updates (want 1), weights equal to the unstaged run's: %v", data, tr.adam.T, sameNet(tr.Net(), ref.Net()))
		}
		if _, ok := tr.ws[24]; !ok {
			t.Errorf("%s: step 4 did not run a batch of 24", data)
		}
		if data == DataFixed && (tr.epoch != 1 || tr.pos != 24) {
			// 16 + 16 + 8 sequences end epoch 0; the stage's first batch
			// takes the first 24 of epoch 1.
			t.Errorf("fixed data: at epoch %d position %d after step 4, want 1, 24", tr.epoch, tr.pos)
		}
	}
}

// Two runs with stages and one seed are the same bit for bit, and a
// checkpoint taken before, at or after the stage boundary resumes to the
// uninterrupted run's weights and losses.
func TestStageResumeBitIdentical(t *testing.T) {
	for _, data := range []string{DataFresh, DataFixed} {
		c := stagedConfig(t, data)
		whole, _ := New(c)
		again, _ := New(c)
		run(t, whole, 7)
		run(t, again, 7)
		if !sameNet(whole.Net(), again.Net()) || !slices.Equal(whole.Losses(), again.Losses()) {
			t.Fatalf("%s: one seed with stages gave two runs", data)
		}
		for _, at := range []int{2, 3, 4} {
			tr, _ := New(c)
			run(t, tr, at)
			f, err := tr.Snapshot(false, "test", 0)
			if err != nil {
				t.Fatal(err)
			}
			raw, err := f.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			g, err := model.Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			if want := min(at/3, 1); g.Resume.Stage != want || !slices.Equal(g.Training.Stages, c.Stages) {
				t.Errorf("%s, step %d: checkpoint records stage %d of %v, want %d of %v", data, at, g.Resume.Stage, g.Training.Stages, want, c.Stages)
			}
			res, err := Resume(g)
			if err != nil {
				t.Fatalf("%s, step %d: %v", data, at, err)
			}
			run(t, res, 7-at)
			if !sameNet(whole.Net(), res.Net()) || !slices.Equal(whole.Losses(), res.Losses()) {
				t.Errorf("%s: resumed after step %d, the run differs from the uninterrupted one", data, at)
			}
		}
	}
}

// A checkpoint whose stage or Adam count disagrees with its step count is
// refused with the field named.
func TestStageResumeRejectsBadState(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(f *model.File)
		want   string
	}{
		{"stage not begun", func(f *model.File) { f.Resume.Stage = 0 }, "resume.stage is 0, want 1"},
		{"stage past the last", func(f *model.File) { f.Resume.Stage = 2 }, "resume.stage is 2, want 1"},
		{"adam_t counted from step 0", func(f *model.File) { f.Resume.AdamT = 4 }, "adam_t is 4, want 1 (one Adam update per step since step 3"},
		{"stages dropped", func(f *model.File) { f.Training.Stages = nil }, "resume.stage is 1, want 0"},
	} {
		f := checkpoint(t, stagedConfig(t, DataFresh)) // 4 steps: in the second stage
		tc.mutate(f)
		if _, err := Resume(f); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Resume err = %v, want mention of %q", tc.name, err, tc.want)
		}
	}
}

// A plateau restart begins again with the first stage, and restarts of a
// staged run are reproducible.
func TestStageRestarts(t *testing.T) {
	staged := func() (*Run, [][4]float64) {
		c := smallConfig(t, DataFresh)
		c.Hidden, c.Input, c.SeqLen = 2, 1, 30
		c.Stages = []Stage{{From: 2, Batch: 20, LR: 5e-4}}
		tr, err := New(c)
		if err != nil {
			t.Fatal(err)
		}
		r := NewRun(tr)
		r.Monitor = &Monitor{Every: 2, Samples: 300, PlateauAfter: 4, PlateauChecks: 2, FitStreak: 1, MaxRestarts: 2}
		var at [][4]float64
		r.Hooks.Restart = func(_ Check, next *Trainer) {
			st, b, lr, _ := next.Stage()
			at = append(at, [4]float64{float64(r.Steps()), float64(st), float64(b), lr})
		}
		if _, err := r.Advance(context.Background(), Limit{Steps: 14}); err != nil {
			t.Fatal(err)
		}
		return r, at
	}
	a, atA := staged()
	b, atB := staged()
	if len(atA) != 2 {
		t.Fatalf("%d restarts, want 2", len(atA))
	}
	for _, s := range atA {
		if s[1] != 0 || s[2] != 16 || s[3] != DefaultLR {
			t.Errorf("restart at run step %v began stage %v (batch %v, lr %v), want the first stage (16, %v)", s[0], s[1], s[2], s[3], DefaultLR)
		}
	}
	if st, bt, _, _ := a.Trainer().Stage(); st != 1 || bt != 20 {
		t.Errorf("the last trainer, 6 steps in, is in stage %d with batch %d; want 1, 20", st, bt)
	}
	if !slices.Equal(a.Restarts(), b.Restarts()) || !slices.Equal(atA, atB) || !sameNet(a.Trainer().Net(), b.Trainer().Net()) {
		t.Error("two staged runs of one configuration restarted differently")
	}
}

func TestStageConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		stages []Stage
		want   string
	}{
		{"at step 0", []Stage{{From: 0, LR: 1e-4}}, "stage 2 begins after step 0, want a step after 0"},
		{"out of order", []Stage{{From: 5}, {From: 5}}, "stage 3 begins after step 5, want a step after 5"},
		{"batch 1", []Stage{{From: 5, Batch: 1}}, "stage 2 batch = 1"},
		{"negative lr", []Stage{{From: 5, LR: -1}}, "stage 2 lr = -1"},
		{"NaN tau", []Stage{{From: 5, Tau: math.NaN()}}, "stage 2 tau = NaN"},
	} {
		c := smallConfig(t, DataFresh)
		c.Stages = tc.stages
		if _, err := New(c); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: New err = %v, want mention of %q", tc.name, err, tc.want)
		}
	}
	// The browser checks every stage against its limits, and the memory at
	// the largest batch.
	ok := PageSettings{Arch: "linear2", Hidden: 8, Input: 2, Batch: 16, LR: 1e-3, Seed: 1}
	c, err := ok.Config()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		stage Stage
		want  string
	}{
		{Stage{From: 10, Batch: 8192}, "stage 2 batch = 8192, want 16..4096"},
		{Stage{From: 10, LR: 1}, "stage 2 learning rate 1"},
	} {
		c.Stages = []Stage{tc.stage}
		if err := CheckPage(c); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("stage %+v: CheckPage err = %v, want mention of %q", tc.stage, err, tc.want)
		}
	}
	c.Stages = []Stage{{From: 10, Batch: 4096}}
	big := c
	big.Batch = 4096
	if c.MemoryBytes() != big.MemoryBytes() {
		t.Errorf("memory %d with a stage of batch 4096, %d at batch 4096 throughout: want the largest batch counted", c.MemoryBytes(), big.MemoryBytes())
	}
}

func TestFormatStages(t *testing.T) {
	for _, tc := range []struct {
		stages []Stage
		want   string
	}{
		{nil, ""},
		{[]Stage{{From: 2000, Batch: 1024, LR: 3e-4}, {From: 4000, LR: 1e-4}}, "; after step 2000: batch 1024, lr 0.0003; after step 4000: lr 0.0001"},
		{[]Stage{{From: 5, Tau: 0.5}, {From: 9}}, "; after step 5: tau 0.5; after step 9: a fresh Adam"},
	} {
		if got := FormatStages(tc.stages); got != tc.want {
			t.Errorf("FormatStages(%v) = %q, want %q", tc.stages, got, tc.want)
		}
	}
}

// A stage raises the batch to its own and never lowers it: a run started
// at a larger batch keeps it.
func TestStageNeverShrinksBatch(t *testing.T) {
	c := stagedConfig(t, DataFresh) // stage batch 24
	c.Batch = 32
	tr, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	run(t, tr, 4)
	if _, b, lr, _ := tr.Stage(); b != 32 || lr != 5e-4 {
		t.Errorf("in the stage: batch %d lr %v, want the run's 32 and the stage's 5e-4", b, lr)
	}
	if c.MaxBatch() != 32 {
		t.Errorf("MaxBatch %d, want 32", c.MaxBatch())
	}
}
