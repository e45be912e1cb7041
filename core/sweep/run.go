package sweep

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// ResultFormat is the "format" field of a result file.
const ResultFormat = "hmmrnn-sweep-result"

// Result is what one network's training and evaluation produced; it is
// written atomically as results/<id>.json, and its presence marks the entry
// done.
type Result struct {
	Format  string `json:"format"`
	Index   int    `json:"index"`
	ID      string `json:"id"`
	HMMName string `json:"hmm_name"`
	Hidden  int    `json:"hidden"`
	Input   int    `json:"input"`
	Seed    uint64 `json:"seed"`
	Tag     string `json:"tag,omitempty"`

	Steps     int     `json:"steps"`                // optimisation steps taken
	ResumedAt int     `json:"resumed_at,omitempty"` // step of the checkpoint this run resumed from
	FinalLoss float64 `json:"final_loss"`           // training loss at the last step
	BestStep  int     `json:"best_step,omitempty"`  // step of the kept (best-validation) weights
	BestVal   float64 `json:"best_val,omitempty"`

	TrainSeconds float64 `json:"train_seconds"` // training wall time, summed over resumed runs
	EvalSeconds  float64 `json:"eval_seconds"`  // evaluation and analyses
	Seconds      float64 `json:"seconds"`       // wall time of the run that finished the entry
	Host         string  `json:"host,omitempty"`

	Fidelity Fidelity `json:"fidelity"`
	Kick     *Kick    `json:"kick,omitempty"`
	// Stats is the full emission-statistics report (core/stats), kept for
	// later analysis.
	Stats json.RawMessage `json:"stats,omitempty"`
}

// Fidelity holds the headline emission statistics of a trained network
// against its HMM (core/METHOD.md section 4), the numbers Collect tabulates.
// Differences are to the HMM's exact statistics; each "Floor" is the same
// difference for an HMM sample of the same size, the sampling noise a
// perfect emulator would show.
type Fidelity struct {
	// OK is the fit criterion training judges by (train.DefaultCriterion:
	// today stats.Fidelity, transition difference < 0.05 and frequency
	// difference < 0.03).
	OK bool `json:"ok"`
	// WellSampledRows is the number of transition-matrix rows with enough
	// samples to be compared (stats.MinRowCount); with none, the Trans
	// figures are 0 and Collect leaves them out.
	WellSampledRows int `json:"well_sampled_rows"`
	// TransMaxAbs is the largest |RNN - HMM| entry of the output transition
	// matrix over the well-sampled rows; TransSumSq the summed squares.
	TransMaxAbs      float64 `json:"trans_max_abs"`
	TransMaxAbsFloor float64 `json:"trans_max_abs_floor"`
	TransSumSq       float64 `json:"trans_sum_sq"`
	TransSumSqFloor  float64 `json:"trans_sum_sq_floor"`
	// FreqMaxAbs is the largest |RNN - HMM| output frequency.
	FreqMaxAbs      float64 `json:"freq_max_abs"`
	FreqMaxAbsFloor float64 `json:"freq_max_abs_floor"`
	// Volatility and VolatilityHMM are the mean numbers of output changes
	// per sequence (RNN sample, HMM exact).
	Volatility    float64 `json:"volatility"`
	VolatilityHMM float64 `json:"volatility_hmm"`
	// Matched is the mean Euclidean distance of Sinkhorn-matched RNN-HMM
	// sequence pairs; MatchedFloor the same for two HMM sample sets.
	Matched      float64 `json:"matched"`
	MatchedFloor float64 `json:"matched_floor"`
	// LogLik and LogLikHMM are the HMM log-likelihoods per symbol of the
	// RNN's and of an HMM sample.
	LogLik    float64 `json:"loglik"`
	LogLikHMM float64 `json:"loglik_hmm"`
}

// Kick is the outcome of the automatic kick-neuron detection
// (core/METHOD.md section 5.7, dynamics.FindKickNeurons).
type Kick struct {
	// Found says the detection found kick neurons: silencing them cuts the
	// transition rate of at least one direction by half or more.
	Found   bool  `json:"found"`
	Neurons []int `json:"neurons,omitempty"`
	// Cut is 1 - rate/base rate with all kick neurons silenced.
	Cut float64 `json:"cut"`
	// Detail is the analysis' own report.
	Detail json.RawMessage `json:"detail,omitempty"`
}

// Task is one entry handed to a Runner: the entry, its files and a log.
type Task struct {
	Entry *Entry
	Files
	Log io.Writer
}

// Runner trains and evaluates one entry. It must save the trained model to
// t.Model (atomically), checkpoint to t.Checkpoint as it goes and resume
// from it when present, and return promptly with ctx.Err() (after saving a
// checkpoint) when ctx is cancelled. The identity fields of the Result
// (Format, Index, ID, HMM, sizes, seed, tag, Seconds, Host) are filled in by
// RunEntry.
type Runner func(ctx context.Context, t Task) (*Result, error)

// Options configure RunEntry and RunPool.
type Options struct {
	// Force re-runs entries that are already done.
	Force bool
	// Host and SlurmID label markers and results ("" is fine).
	Host, SlurmID string
	// Now is the clock (nil = time.Now).
	Now func() time.Time
}

func (o *Options) now() time.Time {
	if o.Now == nil {
		return time.Now()
	}
	return o.Now()
}

// ErrSkipped is returned by RunEntry for an entry already done.
var ErrSkipped = errors.New("sweep: entry already done")

// RunEntry runs entry index of m in sweep directory dir, unless it is
// already done (then it returns ErrSkipped). On success the result file is
// written last, atomically, and the checkpoint, failure record and running
// marker are removed. A failure is recorded in results/<id>.failed.json. A
// cancelled run records nothing but its checkpoint, so the entry stays
// pending and the next run resumes it.
func RunEntry(ctx context.Context, dir string, m *Manifest, index int, run Runner, log io.Writer, opt Options) (*Result, error) {
	if index < 0 || index >= len(m.Entries) {
		return nil, fmt.Errorf("sweep: index %d out of range: the manifest has entries 0-%d", index, len(m.Entries)-1)
	}
	e := &m.Entries[index]
	files := Paths(dir, e)
	if !opt.Force {
		r, err := ReadResult(files.Result)
		if err == nil && r != nil && r.ID == e.ID {
			return r, ErrSkipped
		}
	}
	for _, d := range []string{files.Model, files.Checkpoint} {
		if err := os.MkdirAll(filepath.Dir(d), 0o755); err != nil {
			return nil, fmt.Errorf("sweep: %w", err)
		}
	}
	start := opt.now()
	mk := Marker{Index: e.Index, ID: e.ID, Host: opt.Host, PID: os.Getpid(), SlurmID: opt.SlurmID, Started: start}
	if err := writeJSON(files.Running, mk); err != nil {
		return nil, err
	}
	if log == nil {
		log = io.Discard
	}
	r, err := run(ctx, Task{Entry: e, Files: files, Log: log})
	secs := opt.now().Sub(start).Seconds()
	if err == nil && r == nil {
		err = errors.New("runner returned no result")
	}
	if err != nil {
		if ctx.Err() != nil {
			removeQuiet(files.Running)
			return nil, fmt.Errorf("sweep: %s interrupted: %w", e.ID, ctx.Err())
		}
		werr := writeJSON(files.Failed, Failure{Index: e.Index, ID: e.ID, Error: err.Error(), Host: opt.Host, Seconds: secs})
		removeQuiet(files.Running)
		return nil, errors.Join(fmt.Errorf("sweep: %s: %w", e.ID, err), werr)
	}
	r.Format, r.Index, r.ID, r.HMMName = ResultFormat, e.Index, e.ID, e.HMMName
	r.Hidden, r.Input, r.Seed, r.Tag = e.Hidden, e.Input, e.Seed, e.Tag
	r.Seconds, r.Host = secs, opt.Host
	if err := writeJSON(files.Result, r); err != nil {
		return nil, err
	}
	removeQuiet(files.Failed)
	removeQuiet(files.Checkpoint)
	removeQuiet(files.Running)
	return r, nil
}

// removeQuiet removes a bookkeeping file. A file that cannot be removed
// only misleads status (the result file decides), so errors are ignored.
func removeQuiet(path string) { _ = os.Remove(path) }

// Progress is the state of a local pool, reported after every change.
type Progress struct {
	Total   int // entries asked for
	Done    int // finished in this run
	Skipped int // already done before this run
	Running int
	Failed  int
	Queued  int
	Elapsed time.Duration
	// ETA estimates the time to finish from the mean duration of the
	// entries finished in this run (0 until one has finished).
	ETA time.Duration
	// Event says what just happened: "start", "done", "failed" or
	// "skipped", for entry ID.
	Event, ID string
	Err       error // of a failed entry
	Seconds   float64
}

// String is a one-line report, e.g.
// "[17/144] done linear2-h50-d1-s2 (41s) · 2 running · 0 failed · ETA 1h32m".
func (p Progress) String() string {
	s := fmt.Sprintf("[%d/%d] %s %s", p.Done+p.Skipped+p.Failed, p.Total, p.Event, p.ID)
	if p.Event == "done" || p.Event == "failed" {
		s += fmt.Sprintf(" (%s)", roundDur(time.Duration(p.Seconds*float64(time.Second))))
	}
	if p.Err != nil {
		s += ": " + p.Err.Error()
	}
	s += fmt.Sprintf(" · %d running · %d failed · elapsed %s", p.Running, p.Failed, roundDur(p.Elapsed))
	if p.ETA > 0 {
		s += " · ETA " + roundDur(p.ETA)
	}
	return s
}

func roundDur(d time.Duration) string {
	switch {
	case d >= time.Hour:
		d = d.Round(time.Minute)
	case d >= time.Minute:
		d = d.Round(time.Second)
	default:
		d = d.Round(100 * time.Millisecond)
	}
	return d.String()
}

// PoolOptions configure RunPool.
type PoolOptions struct {
	Options
	// Workers is the number of entries run at once (<= 0 means 1).
	Workers int
	// Progress, when set, is called (from one goroutine at a time) after
	// every start and finish.
	Progress func(Progress)
	// Log opens the log of a task (nil = none); the pool closes it.
	Log func(e *Entry, f Files) (io.WriteCloser, error)
}

// PoolSummary counts what a pool run did.
type PoolSummary struct {
	Done, Skipped, Failed, Interrupted int
}

// RunPool runs the given entries of m (all when indices is nil) with a pool
// of workers on this machine, skipping the done ones. It returns when all
// have run or ctx is cancelled (then running entries are checkpointed by
// their runner and count as interrupted). The error joins the failures.
func RunPool(ctx context.Context, dir string, m *Manifest, indices []int, run Runner, opt PoolOptions) (PoolSummary, error) {
	if indices == nil {
		indices = make([]int, len(m.Entries))
		for i := range indices {
			indices[i] = i
		}
	}
	for _, i := range indices {
		if i < 0 || i >= len(m.Entries) {
			return PoolSummary{}, fmt.Errorf("sweep: index %d out of range: the manifest has entries 0-%d", i, len(m.Entries)-1)
		}
	}
	workers := max(opt.Workers, 1)
	start := opt.now()

	var (
		mu      sync.Mutex
		sum     PoolSummary
		errs    []error
		running = map[int]time.Time{}
		spent   float64 // seconds of entries finished in this run
		queued  = len(indices)
	)
	report := func(event, id string, err error, secs float64) {
		// Called with mu held.
		if opt.Progress == nil {
			return
		}
		now := opt.now()
		p := Progress{Total: len(indices), Done: sum.Done, Skipped: sum.Skipped, Failed: sum.Failed,
			Running: len(running), Queued: queued, Elapsed: now.Sub(start), Event: event, ID: id, Err: err, Seconds: secs}
		if n := sum.Done + sum.Failed; n > 0 {
			mean := spent / float64(n)
			left := float64(queued) * mean
			for _, t0 := range running {
				left += max(mean-now.Sub(t0).Seconds(), 0)
			}
			p.ETA = time.Duration(left / float64(workers) * float64(time.Second))
		}
		opt.Progress(p)
	}

	work := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				e := &m.Entries[i]
				mu.Lock()
				queued--
				running[i] = opt.now()
				report("start", e.ID, nil, 0)
				mu.Unlock()

				var log io.WriteCloser
				var lerr error
				if opt.Log != nil {
					log, lerr = opt.Log(e, Paths(dir, e))
				}
				t0 := opt.now()
				var err error
				if lerr != nil {
					err = fmt.Errorf("sweep: %s: log: %w", e.ID, lerr)
				} else {
					var w io.Writer
					if log != nil {
						w = log
					}
					_, err = RunEntry(ctx, dir, m, i, run, w, opt.Options)
					if log != nil {
						log.Close()
					}
				}
				secs := opt.now().Sub(t0).Seconds()

				mu.Lock()
				delete(running, i)
				switch {
				case errors.Is(err, ErrSkipped):
					sum.Skipped++
					report("skipped", e.ID, nil, 0)
				case err != nil && ctx.Err() != nil:
					sum.Interrupted++
				case err != nil:
					sum.Failed++
					spent += secs
					errs = append(errs, err)
					report("failed", e.ID, err, secs)
				default:
					sum.Done++
					spent += secs
					report("done", e.ID, nil, secs)
				}
				mu.Unlock()
			}
		}()
	}

	// Done entries are skipped before they reach a worker, so that they
	// neither occupy a worker nor count towards the ETA.
	for _, i := range indices {
		if ctx.Err() != nil {
			break
		}
		if !opt.Force {
			if r, err := ReadResult(Paths(dir, &m.Entries[i]).Result); err == nil && r != nil && r.ID == m.Entries[i].ID {
				mu.Lock()
				queued--
				sum.Skipped++
				report("skipped", m.Entries[i].ID, nil, 0)
				mu.Unlock()
				continue
			}
		}
		select {
		case work <- i:
		case <-ctx.Done():
		}
	}
	close(work)
	wg.Wait()
	if ctx.Err() != nil {
		errs = append(errs, fmt.Errorf("sweep: interrupted (%d entries not started, %d stopped at their checkpoint): %w",
			queued, sum.Interrupted, ctx.Err()))
	}
	return sum, errors.Join(errs...)
}
