package train

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"hmmrnn/core/stats"
)

// The loop adds nothing to training: hooks are called at their steps, a
// second Advance continues where the first stopped, and the weights are
// those of a bare Trainer.Step loop.
func TestRunHooksAndResumable(t *testing.T) {
	c := smallConfig(t, DataFresh)
	tr, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	r := NewRun(tr)
	r.Monitor = DefaultMonitor(2, 100)
	r.CheckpointEvery = 3
	var steps, checkpoints, checks []int
	r.Hooks = Hooks{
		Step:       func(i StepInfo) { steps = append(steps, i.Step) },
		Checkpoint: func(t *Trainer) error { checkpoints = append(checkpoints, t.StepCount()); return nil },
		Check:      func(c Check) { checks = append(checks, c.Step) },
		Save:       func(*Trainer, error) error { t.Error("Save called without a cancellation"); return nil },
	}
	for _, lim := range []int{6, 6, 8} {
		stop, err := r.Advance(context.Background(), Limit{Steps: lim})
		if stop != StopSteps || err != nil {
			t.Fatalf("Advance to %d: %v, %v", lim, stop, err)
		}
	}
	if !slices.Equal(steps, []int{1, 2, 3, 4, 5, 6, 7, 8}) || !slices.Equal(checkpoints, []int{3, 6}) || !slices.Equal(checks, []int{2, 4, 6, 8}) {
		t.Errorf("hooks: steps %v, checkpoints %v, checks %v", steps, checkpoints, checks)
	}
	if r.LastCheck() == nil || r.LastCheck().Step != 8 || r.Steps() != 8 {
		t.Errorf("last check %+v, run steps %d", r.LastCheck(), r.Steps())
	}
	bare, _ := New(c)
	run(t, bare, 8)
	if !sameNet(bare.Net(), r.Trainer().Net()) || !slices.Equal(bare.Losses(), r.Trainer().Losses()) {
		t.Error("the loop changed the training")
	}
}

// Cancellation calls Save with the cause; the saved checkpoint resumes
// to the weights of an uninterrupted run, bit for bit.
func TestRunCancelSaves(t *testing.T) {
	c := smallConfig(t, DataFresh)
	tr, _ := New(c)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r := NewRun(tr)
	var saved *Trainer
	var cause error
	r.Hooks = Hooks{
		Step: func(i StepInfo) {
			if i.Step == 3 {
				cancel()
			}
		},
		Save: func(t *Trainer, err error) error { saved, cause = t, err; return nil },
	}
	stop, err := r.Advance(ctx, Limit{Steps: 6})
	if stop != StopError || !errors.Is(err, context.Canceled) || saved != tr || !errors.Is(cause, context.Canceled) || tr.StepCount() != 3 {
		t.Fatalf("cancelled: %v %v, saved %v at step %d, cause %v", stop, err, saved != nil, tr.StepCount(), cause)
	}
	f, err := saved.Snapshot(false, "test", 0)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Resume(f)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewRun(res).Advance(context.Background(), Limit{Steps: 6}); err != nil {
		t.Fatal(err)
	}
	whole, _ := New(c)
	run(t, whole, 6)
	if !sameNet(whole.Net(), res.Net()) {
		t.Error("cancelled and resumed run differs from the uninterrupted one")
	}
	// A failing Save joins its error to the cause.
	r2 := NewRun(whole)
	r2.Hooks.Save = func(*Trainer, error) error { return errors.New("disk full") }
	if _, err := r2.Advance(ctx, Limit{Steps: 10}); !errors.Is(err, context.Canceled) || err.Error() == context.Canceled.Error() {
		t.Errorf("failing save: %v", err)
	}
}

// stuckRun is a run of a 2-neuron network, which stays on the plateau,
// judged by monitor m.
func stuckRun(t *testing.T, m *Monitor) *Run {
	t.Helper()
	c := smallConfig(t, DataFresh)
	c.Hidden, c.Input, c.SeqLen = 2, 1, 30
	tr, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	r := NewRun(tr)
	r.Monitor = m
	return r
}

// plateauRun trains a 2-neuron network that stays on the plateau, checking
// every 2 steps; restarts follow after 4 steps and 2 plateau checks.
func plateauRun(t *testing.T) (*Run, []uint64) {
	t.Helper()
	r := stuckRun(t, &Monitor{Every: 2, Samples: 300, PlateauAfter: 4, PlateauChecks: 2, FitStreak: 1, MaxRestarts: 2})
	var seeds []uint64
	r.Hooks.Restart = func(c Check, next *Trainer) {
		if !c.Restart || !c.Plateau {
			t.Errorf("restart hook with check %+v", c)
		}
		seeds = append(seeds, next.Config().Seed)
	}
	if stop, err := r.Advance(context.Background(), Limit{Steps: 14}); stop != StopSteps || err != nil {
		t.Fatalf("%v %v", stop, err)
	}
	return r, seeds
}

// Restarts happen at the same steps with the same seed sequence every
// time, and end at MaxRestarts.
func TestRunRestartsReproducible(t *testing.T) {
	a, seedsA := plateauRun(t)
	b, seedsB := plateauRun(t)
	if !slices.Equal(a.Restarts(), []int{4, 8}) || !slices.Equal(seedsA, []uint64{8, 9}) {
		t.Errorf("restarts at %v with seeds %v, want [4 8] and [8 9]", a.Restarts(), seedsA)
	}
	if a.Steps() != 14 || a.Trainer().StepCount() != 6 {
		t.Errorf("run steps %d, trainer steps %d; want 4+4+6 (the budget counts restarts)", a.Steps(), a.Trainer().StepCount())
	}
	if !slices.Equal(a.Restarts(), b.Restarts()) || !slices.Equal(seedsA, seedsB) || !sameNet(a.Trainer().Net(), b.Trainer().Net()) {
		t.Error("two runs of one configuration restarted differently")
	}
}

// A run that has not met the criterion after RestartAfter steps restarts
// with the next seed ("no fit"), at the first check from that step on,
// however far from the plateau it is; the cause is recorded; a run that
// meets the criterion never restarts.
func TestRunRestartAfterNoFit(t *testing.T) {
	// PlateauAfter beyond the budget: only the no-fit rule can restart.
	r := stuckRun(t, &Monitor{Every: 2, Samples: 300, PlateauAfter: 1000, PlateauChecks: 1, FitStreak: 1, MaxRestarts: 5, RestartAfter: 5})
	seed := r.Trainer().Config().Seed
	var causes []string
	r.Hooks.Restart = func(c Check, next *Trainer) {
		if !c.Restart || c.Fit || c.Step != 6 {
			t.Errorf("restart hook with check at step %d: restart %v fit %v", c.Step, c.Restart, c.Fit)
		}
		causes = append(causes, c.Cause)
	}
	if stop, err := r.Advance(context.Background(), Limit{Steps: 13}); stop != StopSteps || err != nil {
		t.Fatalf("%v %v", stop, err)
	}
	if !slices.Equal(r.Restarts(), []int{6, 12}) || !slices.Equal(r.RestartCauses(), []string{RestartNoFit, RestartNoFit}) || !slices.Equal(causes, r.RestartCauses()) {
		t.Errorf("restarts at %v causes %v (hook %v), want [6 12], no fit twice", r.Restarts(), r.RestartCauses(), causes)
	}
	if r.Trainer().Config().Seed != seed+2 {
		t.Errorf("seed %d after two restarts, want %d", r.Trainer().Config().Seed, seed+2)
	}
	// A criterion that always passes: never restarted.
	r2 := stuckRun(t, &Monitor{Every: 2, Samples: 300, PlateauAfter: 1000, PlateauChecks: 1, FitStreak: 1, MaxRestarts: 5, RestartAfter: 5,
		Criterion: func(*stats.Report) Verdict { return Verdict{Fit: true} }})
	if _, err := r2.Advance(context.Background(), Limit{Steps: 13}); err != nil {
		t.Fatal(err)
	}
	if len(r2.Restarts()) != 0 {
		t.Errorf("a fitting run restarted at %v", r2.Restarts())
	}
	if (&Monitor{Every: 1, Samples: 2, PlateauChecks: 1, FitStreak: 1, RestartAfter: -1}).validate() == nil {
		t.Error("RestartAfter -1 accepted")
	}
	if m := HybridRecipe.Monitor(7, 9); m.Every != 7 || m.Samples != 9 || m.RestartAfter != HybridRecipe.RestartAfter || m.PlateauAfter != HybridRecipe.PlateauAfter {
		t.Errorf("the hybrid recipe's monitor %+v", m)
	}
}

// The wall-clock budget is read on the injected clock after each step.
func TestRunDeadline(t *testing.T) {
	c := smallConfig(t, DataFresh)
	for _, tc := range []struct {
		after, want int // deadline in clock ticks; steps taken
	}{{5, 5}, {1, 1}, {0, 1}, {-3, 1}} {
		tr, _ := New(c)
		t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		ticks := 0
		r := NewRun(tr)
		r.Now = func() time.Time { ticks++; return t0.Add(time.Duration(ticks) * time.Second) }
		stop, err := r.Advance(context.Background(), Limit{Steps: 100, Deadline: t0.Add(time.Duration(tc.after) * time.Second)})
		if stop != StopDeadline || err != nil || tr.StepCount() != tc.want {
			t.Errorf("deadline after %d ticks: %v %v after %d steps, want %d", tc.after, stop, err, tr.StepCount(), tc.want)
		}
	}
}

// StopAtFit stops once FitStreak successive checks fit (here by a
// criterion that always passes, as a stronger one plugs in).
func TestRunStopAtFit(t *testing.T) {
	c := smallConfig(t, DataFresh)
	calls := 0
	always := func(rep *stats.Report) Verdict {
		calls++
		return Verdict{Fit: true, Figures: []Figure{{Name: "x", Value: 0, Limit: 1}}}
	}
	for _, stopAtFit := range []bool{true, false} {
		tr, _ := New(c)
		r := NewRun(tr)
		r.Monitor = DefaultMonitor(1, 50)
		r.Monitor.FitStreak, r.Monitor.Criterion, r.StopAtFit = 2, always, stopAtFit
		stop, err := r.Advance(context.Background(), Limit{Steps: 5})
		want, steps := StopFit, 2
		if !stopAtFit {
			want, steps = StopSteps, 5
		}
		if stop != want || err != nil || tr.StepCount() != steps || r.MetStep() != 2 || !r.LastCheck().Met {
			t.Errorf("stop at fit %v: %v %v at step %d, met at %d", stopAtFit, stop, err, tr.StepCount(), r.MetStep())
		}
	}
	if calls != 2*(2+5) { // every passing check is confirmed on a second sample
		t.Errorf("criterion called %d times, want 14", calls)
	}
	bad := NewRun(nil)
	bad.Monitor = &Monitor{Every: 1}
	if _, err := bad.Advance(context.Background(), Limit{Steps: 1}); err == nil {
		t.Error("a monitor without samples was accepted")
	}
}
