package sweep

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// fakeRunner "trains" by counting steps in the checkpoint file, one step
// per ctx check, and resumes from it; it fails for entries in failIDs.
type fakeRunner struct {
	mu       sync.Mutex
	calls    map[string]int
	resumed  map[string]int // step the last run of an entry resumed from
	failIDs  map[string]bool
	progress func(id string, step int) // called after every step
}

func newFake() *fakeRunner {
	return &fakeRunner{calls: map[string]int{}, resumed: map[string]int{}, failIDs: map[string]bool{}}
}

func (f *fakeRunner) run(ctx context.Context, t Task) (*Result, error) {
	e := t.Entry
	f.mu.Lock()
	f.calls[e.ID]++
	fail := f.failIDs[e.ID]
	f.mu.Unlock()
	if fail {
		return nil, errors.New("diverged")
	}
	step := 0
	if data, err := os.ReadFile(t.Checkpoint); err == nil {
		if step, err = strconv.Atoi(string(data)); err != nil {
			return nil, err
		}
	}
	f.mu.Lock()
	f.resumed[e.ID] = step
	f.mu.Unlock()
	for step < e.Train.Steps {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		step++
		if err := WriteFileAtomic(t.Checkpoint, []byte(strconv.Itoa(step))); err != nil {
			return nil, err
		}
		if f.progress != nil {
			f.progress(e.ID, step)
		}
	}
	if err := WriteFileAtomic(t.Model, []byte("model of "+e.ID)); err != nil {
		return nil, err
	}
	fmt.Fprintf(t.Log, "%s trained\n", e.ID)
	return fakeResult(e, step), nil
}

// fakeResult makes metrics that depend on the entry in a known way.
func fakeResult(e *Entry, steps int) *Result {
	return &Result{
		Steps:     steps,
		FinalLoss: 1 / float64(e.Hidden),
		Fidelity: Fidelity{
			TransMaxAbs: 0.01 * float64(e.Seed), TransSumSq: 1e-4 * float64(e.Seed),
			FreqMaxAbs: 0.001 * float64(e.Input), OK: e.Seed == 1, WellSampledRows: 2, Volatility: 5, VolatilityHMM: 4.5,
			Matched: 2 + 0.1*float64(e.Seed), MatchedFloor: 2,
		},
		Kick: &Kick{Found: e.Seed%2 == 1, Neurons: []int{1, 2, 3}},
	}
}

func testManifest(t *testing.T) *Manifest {
	t.Helper()
	g, err := ParseGrid([]byte(smallGrid), ".")
	if err != nil {
		t.Fatal(err)
	}
	m, err := Expand(g)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestRunEntry(t *testing.T) {
	m := testManifest(t)
	dir := t.TempDir()
	f := newFake()
	var log strings.Builder
	r, err := RunEntry(context.Background(), dir, m, 2, f.run, &log, Options{Host: "node1"})
	if err != nil {
		t.Fatal(err)
	}
	e := &m.Entries[2]
	if r.ID != e.ID || r.Index != 2 || r.Hidden != 8 || r.Seed != 1 || r.Host != "node1" || r.Steps != 10 || r.Format != ResultFormat {
		t.Errorf("result identity %+v", r)
	}
	p := Paths(dir, e)
	onDisk, err := ReadResult(p.Result)
	if err != nil || onDisk == nil || onDisk.Fidelity != r.Fidelity {
		t.Fatalf("result file: %+v %v", onDisk, err)
	}
	for _, gone := range []string{p.Checkpoint, p.Running, p.Failed} {
		if _, err := os.Stat(gone); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s left behind", gone)
		}
	}
	if !strings.Contains(log.String(), "trained") {
		t.Errorf("log %q", log.String())
	}
	// Done entries are skipped unless forced.
	if _, err := RunEntry(context.Background(), dir, m, 2, f.run, nil, Options{}); !errors.Is(err, ErrSkipped) {
		t.Errorf("second run: %v, want ErrSkipped", err)
	}
	if f.calls[e.ID] != 1 {
		t.Errorf("runner called %d times", f.calls[e.ID])
	}
	if _, err := RunEntry(context.Background(), dir, m, 2, f.run, nil, Options{Force: true}); err != nil || f.calls[e.ID] != 2 {
		t.Errorf("forced run: %v, %d calls", err, f.calls[e.ID])
	}
	if _, err := RunEntry(context.Background(), dir, m, 5, f.run, nil, Options{}); err == nil || !strings.Contains(err.Error(), "0-4") {
		t.Errorf("index out of range: %v", err)
	}
}

func TestRunEntryFailure(t *testing.T) {
	m := testManifest(t)
	dir := t.TempDir()
	f := newFake()
	id := m.Entries[1].ID
	f.failIDs[id] = true
	_, err := RunEntry(context.Background(), dir, m, 1, f.run, nil, Options{})
	if err == nil || !strings.Contains(err.Error(), "diverged") {
		t.Fatalf("error %v", err)
	}
	st, err := ReadStatus(dir, m)
	if err != nil {
		t.Fatal(err)
	}
	if st.Failed != 1 || st.Entries[1].State != Failed || !strings.Contains(st.Entries[1].Error, "diverged") {
		t.Errorf("status after failure: %+v", st.Entries[1])
	}
	// A failed entry is retried and the failure record cleared.
	f.failIDs[id] = false
	if _, err := RunEntry(context.Background(), dir, m, 1, f.run, nil, Options{}); err != nil {
		t.Fatal(err)
	}
	st, _ = ReadStatus(dir, m)
	if st.Done != 1 || st.Failed != 0 || st.Pending != 4 {
		t.Errorf("status after retry: %+v", st)
	}
}

// countdownCtx is cancelled after n calls to Err: a task killed mid-run.
type countdownCtx struct {
	context.Context
	mu sync.Mutex
	n  int
}

func (c *countdownCtx) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n--
	if c.n < 0 {
		return context.Canceled
	}
	return nil
}

func TestResumeAfterKill(t *testing.T) {
	m := testManifest(t)
	dir := t.TempDir()
	f := newFake()
	e := &m.Entries[0]
	p := Paths(dir, e)

	// Interrupted (SIGTERM: the context is cancelled) after 4 steps.
	ctx := &countdownCtx{Context: context.Background(), n: 4}
	if _, err := RunEntry(ctx, dir, m, 0, f.run, nil, Options{}); err == nil || !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted run: %v", err)
	}
	st, _ := ReadStatus(dir, m)
	if es := st.Entries[0]; es.State != Pending || !es.Checkpoint {
		t.Errorf("after interruption: %+v, want pending with a checkpoint", es)
	}
	if _, err := os.Stat(p.Failed); err == nil {
		t.Error("an interruption was recorded as a failure")
	}

	// Killed hard (SIGKILL) after 3 more steps: the marker and a torn
	// temporary file stay behind.
	f.progress = func(id string, step int) {
		if step == 7 {
			panic("killed")
		}
	}
	func() {
		defer func() { _ = recover() }()
		RunEntry(context.Background(), dir, m, 0, f.run, nil, Options{})
	}()
	f.progress = nil
	if err := os.MkdirAll(filepath.Join(dir, ResultsDir), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ResultsDir, "."+e.ID+".json.tmp123"), []byte(`{"format": "hmmrnn-sw`), 0o644); err != nil {
		t.Fatal(err)
	}
	st, _ = ReadStatus(dir, m)
	if st.Entries[0].State != Running || st.Running != 1 {
		t.Errorf("after a hard kill: %+v, want the stale marker reported as running", st.Entries[0])
	}

	// The next run resumes from the last checkpoint (step 7) and finishes.
	r, err := RunEntry(context.Background(), dir, m, 0, f.run, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if f.resumed[e.ID] != 7 || r.Steps != 10 {
		t.Errorf("resumed from step %d, finished at %d; want 7 and 10", f.resumed[e.ID], r.Steps)
	}
	st, _ = ReadStatus(dir, m)
	if st.Entries[0].State != Done || st.Running != 0 {
		t.Errorf("after resume: %+v", st.Entries[0])
	}
}

func TestRunPool(t *testing.T) {
	m := testManifest(t)
	dir := t.TempDir()
	f := newFake()
	f.failIDs[m.Entries[3].ID] = true
	var events []Progress
	var mu sync.Mutex
	opt := PoolOptions{Workers: 3, Progress: func(p Progress) {
		mu.Lock()
		events = append(events, p)
		mu.Unlock()
	}, Log: func(e *Entry, fl Files) (io.WriteCloser, error) {
		if err := os.MkdirAll(filepath.Dir(fl.Log), 0o755); err != nil {
			return nil, err
		}
		return os.Create(fl.Log)
	}}
	sum, err := RunPool(context.Background(), dir, m, nil, f.run, opt)
	if err == nil || !strings.Contains(err.Error(), m.Entries[3].ID) {
		t.Errorf("pool error %v, want the failed entry", err)
	}
	if sum != (PoolSummary{Done: 4, Failed: 1}) {
		t.Errorf("summary %+v", sum)
	}
	counts := map[string]int{}
	for _, p := range events {
		counts[p.Event]++
		if p.Running > 3 {
			t.Errorf("%d running with 3 workers", p.Running)
		}
	}
	if counts["start"] != 5 || counts["done"] != 4 || counts["failed"] != 1 {
		t.Errorf("events %v", counts)
	}
	last := events[len(events)-1]
	if last.Done+last.Failed != 5 || last.Running != 0 || last.Queued != 0 {
		t.Errorf("last progress %+v", last)
	}
	if s := last.String(); !strings.Contains(s, "[5/5]") {
		t.Errorf("progress line %q", s)
	}
	if data, err := os.ReadFile(Paths(dir, &m.Entries[0]).Log); err != nil || !strings.Contains(string(data), "trained") {
		t.Errorf("log file: %q %v", data, err)
	}

	// Re-running skips the done entries and retries the failed one.
	f.failIDs[m.Entries[3].ID] = false
	events = nil
	sum, err = RunPool(context.Background(), dir, m, nil, f.run, opt)
	if err != nil || sum != (PoolSummary{Done: 1, Skipped: 4}) {
		t.Errorf("second pool: %+v %v", sum, err)
	}
	for id, n := range f.calls {
		want := 1
		if id == m.Entries[3].ID {
			want = 2
		}
		if n != want {
			t.Errorf("%s run %d times, want %d", id, n, want)
		}
	}
}

func TestRunPoolCancel(t *testing.T) {
	m := testManifest(t)
	dir := t.TempDir()
	f := newFake()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Cancel in the middle of the first entry's training.
	f.progress = func(id string, step int) {
		if step == 5 {
			cancel()
		}
	}
	sum, err := RunPool(ctx, dir, m, []int{0, 1, 2}, f.run, PoolOptions{Workers: 1})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
	if sum.Done != 0 || sum.Interrupted != 1 {
		t.Errorf("summary %+v", sum)
	}
	st, _ := ReadStatus(dir, m)
	if st.Done != 0 || !st.Entries[0].Checkpoint || st.Running != 0 {
		t.Errorf("status %+v", st)
	}
	if _, err := RunPool(context.Background(), dir, m, []int{7}, f.run, PoolOptions{}); err == nil {
		t.Error("out-of-range index accepted")
	}
}
