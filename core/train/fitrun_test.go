package train

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"
	"time"

	"hmmrnn/core/hmm"
	"hmmrnn/core/stats"
)

// fitConfig is a tiny run of m that takes milliseconds per step.
func fitConfig(t *testing.T, m *hmm.HMM) Config {
	t.Helper()
	c := DefaultConfig(m)
	c.Hidden, c.Input, c.Batch, c.SeqLen = 8, 3, 16, 10
	c.ValSize, c.ValEvery, c.Seed = 20, 2, 7
	return c
}

// Restarts follow the seeds, so two runs of one configuration restart at
// the same steps and end with the same network, bit for bit.
func TestFitRunRestartsReproducible(t *testing.T) {
	m, err := hmm.Preset("linear2")
	if err != nil {
		t.Fatal(err)
	}
	recipe := PaperRecipe
	recipe.PlateauAfter = 2 // an untrained net is on the plateau: restart after DefaultPlateauChecks checks
	f := FitRun{Recipe: recipe, Every: 2, Samples: 60, MaxSteps: 9}
	var seeds [2][]uint64
	var outs [2]FitOutcome
	for i := range outs {
		f.OnCheck = func(seed uint64, steps int, fit stats.FitResult) { seeds[i] = append(seeds[i], seed) }
		outs[i], err = f.Train(context.Background(), fitConfig(t, m))
		if err != nil {
			t.Fatal(err)
		}
	}
	a, b := outs[0], outs[1]
	// Checks at steps 2, 4, 6 find the plateau; the third restarts (seed 8).
	if a.Met || a.Steps != 9 || a.Restarts != 1 {
		t.Errorf("met %v steps %d restarts %d, want false, 9, 1", a.Met, a.Steps, a.Restarts)
	}
	if want := []uint64{7, 7, 7, 8}; !slices.Equal(seeds[0], want) {
		t.Errorf("checked seeds %v, want %v", seeds[0], want)
	}
	if !slices.Equal(seeds[0], seeds[1]) || a.Seed != b.Seed || a.Restarts != b.Restarts || !sameNet(a.Net, b.Net) {
		t.Errorf("two runs differ: seeds %v / %v, kept %d / %d", seeds[0], seeds[1], a.Seed, b.Seed)
	}
	if len(a.Fit.Figures) != 4 {
		t.Errorf("the kept network was not judged: %v", a.Fit)
	}
	checkSnapshot(t, a)
}

// An HMM of independent uniform symbols is nearly what an untrained
// network emits (independent symbols, frequencies a few hundredths off):
// the criterion is met within a few checks, and the run stops after
// Streak passing checks with the judged network.
func TestFitRunStopsAtFit(t *testing.T) {
	third := []float64{1.0 / 3, 1.0 / 3, 1.0 / 3}
	m, err := hmm.New("iid", []float64{1}, [][]float64{{1}}, [][]float64{third}, 10)
	if err != nil {
		t.Fatal(err)
	}
	c := fitConfig(t, m)
	fast := PaperRecipe
	fast.LR = 1e-2 // the frequencies move within a few dozen steps
	f := FitRun{Recipe: fast, Every: 2, Samples: 400, Streak: 2, MaxSteps: 300}
	out, err := f.Train(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	if !out.Met || out.Steps%2 != 0 || out.Steps < 4 || !out.Fit.OK || out.Restarts != 0 {
		t.Errorf("met %v at %d steps, fit %v, restarts %d; want met at a check after >= 2 checks", out.Met, out.Steps, out.Fit, out.Restarts)
	}
	checkSnapshot(t, out)
}

// The wall-clock budget is read on the injected clock.
func TestFitRunTimeBudget(t *testing.T) {
	m, err := hmm.Preset("linear2")
	if err != nil {
		t.Fatal(err)
	}
	var clock time.Time
	f := FitRun{Recipe: PaperRecipe, Every: 1000, MaxTime: 5 * time.Second,
		Now: func() time.Time { clock = clock.Add(time.Second); return clock }}
	out, err := f.Train(context.Background(), fitConfig(t, m))
	if err != nil {
		t.Fatal(err)
	}
	// The clock reads 1 s at the start and is read after each step: the
	// fifth step ends at 6 s, the deadline.
	if out.Met || out.Steps != 5 {
		t.Errorf("met %v after %d steps, want not met after 5", out.Met, out.Steps)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	f.MaxTime = time.Hour
	if out, err := f.Train(ctx, fitConfig(t, m)); !errors.Is(err, context.Canceled) || out.Net == nil {
		t.Errorf("cancelled: %v, net %v; want context.Canceled and the initial network", err, out.Net != nil)
	}
	f.MaxTime = 0
	if _, err := f.Train(context.Background(), fitConfig(t, m)); err == nil {
		t.Error("no budget: no error")
	}
}

// checkSnapshot asserts that the outcome's model file holds its network.
func checkSnapshot(t *testing.T, o FitOutcome) {
	t.Helper()
	f, err := o.Snapshot("test")
	if err != nil {
		t.Fatal(err)
	}
	if !sameNet(f.RNN, o.Net) || f.Training.Seed != o.Seed {
		t.Errorf("snapshot holds another network (seed %d, kept %d)", f.Training.Seed, o.Seed)
	}
}

func TestFitScore(t *testing.T) {
	fig := func(v, l float64) stats.FitFigure { return stats.FitFigure{Value: v, Limit: l} }
	for _, c := range []struct {
		figs []stats.FitFigure
		want float64
	}{
		{nil, math.Inf(1)},
		{[]stats.FitFigure{fig(0.01, 0.05), fig(0.06, 0.03)}, 2},
		{[]stats.FitFigure{fig(0.01, 0.05), fig(0.015, 0.03)}, 0.5},
		{[]stats.FitFigure{fig(0, 0)}, 0},
		{[]stats.FitFigure{fig(0.1, 0)}, math.Inf(1)},
	} {
		if got := FitScore(stats.FitResult{Figures: c.figs}); got != c.want {
			t.Errorf("FitScore(%v) = %v, want %v", c.figs, got, c.want)
		}
	}
}
