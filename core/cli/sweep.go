package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"hmmrnn/core/model"
	"hmmrnn/core/sweep"
)

const sweepSynopsis = `hmmrnn sweep plan|run|submit|status|collect [flags]

Trains and evaluates grids of networks (the paper's 144: --grid paper) on this machine
or as a Slurm job array, and collects the paper's summary tables.

  plan     --grid paper|FILE --out DIR    expand a grid into DIR/manifest.json and DIR/sweep.sbatch
  run      --manifest DIR --index I       train and evaluate entry I (what an array task runs)
  run      --manifest DIR --all --workers N   every entry with a local pool, with progress
  submit   --manifest DIR                 sbatch the entries not done yet as a job array
  status   --manifest DIR                 done / running / failed / pending, and squeue
  collect  --manifest DIR [--out DIR2]    summary.json, summary.csv, networks.csv, index.html

Built-in grids: %s. Each subcommand takes --help.`

// sweepRunner is the trainer and evaluator of entries.
var sweepRunner = sweep.TrainRunner(sweep.Evaluate)

func runSweep(env *Env, args []string) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
		fmt.Fprintf(env.Stdout, "usage: "+sweepSynopsis+"\n", strings.Join(sweep.BuiltinNames(), ", "))
		if len(args) == 0 {
			return errUsage
		}
		return nil
	}
	sub := map[string]func(*Env, []string) error{
		"plan": sweepPlan, "run": sweepRun, "submit": sweepSubmit, "status": sweepStatus, "collect": sweepCollect,
	}
	f, ok := sub[args[0]]
	if !ok {
		return badUsage("unknown sweep subcommand %q (plan, run, submit, status, collect)", args[0])
	}
	err := f(env, args[1:])
	if err != nil && strings.HasPrefix(err.Error(), "sweep: ") {
		// Run prefixes the command name already.
		return trimmedError{strings.TrimPrefix(err.Error(), "sweep: "), err}
	}
	return err
}

// trimmedError shortens an error's message and keeps the error for
// errors.Is and errors.As.
type trimmedError struct {
	msg string
	err error
}

func (e trimmedError) Error() string { return e.msg }
func (e trimmedError) Unwrap() error { return e.err }

// listFlag collects a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, " ") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

// slurmOptionsName is where plan keeps the Slurm options for submit.
const slurmOptionsName = "options.json"

const planSynopsis = `hmmrnn sweep plan --grid paper|paper-all|tiny|FILE --out DIR [--steps N] [--batch B]
       [--sequences N] [--bin PATH] [--cpus C] [--mem M] [--time T] [--partition P]
       [--account A] [--per-task K] [--max-running K] [--sbatch OPT]... [--force] [--print]

Expands a grid into DIR/manifest.json (one entry per network) and writes the Slurm
job-array script DIR/sweep.sbatch beside it. The array tasks run a copy of this
program placed in DIR/bin (or --bin). --steps, --batch and --sequences override
every entry (e.g. a reduced-scale rehearsal of the paper grid).`

func sweepPlan(env *Env, args []string) error {
	fs := newFlags(env, "sweep plan", planSynopsis)
	gridSpec := fs.String("grid", "paper", "built-in grid ("+strings.Join(sweep.BuiltinNames(), ", ")+") or grid JSON file")
	out := fs.String("out", "", "sweep directory to create (required)")
	steps := fs.Int("steps", 0, "override the training steps of every entry (0: the grid's)")
	batch := fs.Int("batch", 0, "override the batch size of every entry (0: the grid's)")
	seqs := fs.Int("sequences", 0, "override the evaluation sample size of every entry (0: the grid's)")
	bin := fs.String("bin", "", "hmmrnn binary the array tasks run (default: a copy of this program in DIR/bin)")
	cpus := fs.Int("cpus", 1, "CPUs per array task (GOMAXPROCS)")
	mem := fs.String("mem", "", "memory per array task, e.g. 4G (default: the cluster's)")
	tlimit := fs.String("time", "", "time limit per array task, e.g. 4:00:00 (default: the partition's)")
	partition := fs.String("partition", "", "Slurm partition (default: the cluster's)")
	account := fs.String("account", "", "Slurm account")
	perTask := fs.Int("per-task", 1, "entries per array task")
	maxRunning := fs.Int("max-running", 0, "array tasks running at once (0: no limit)")
	var extra listFlag
	fs.Var(&extra, "sbatch", "extra sbatch option for the script, e.g. --sbatch=--qos=long (repeatable)")
	force := fs.Bool("force", false, "replace a different manifest already in DIR")
	printGrid := fs.Bool("print", false, "print the grid's JSON (a starting point for your own) and exit")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	var raw []byte
	var g *sweep.Grid
	var err error
	if st, serr := os.Stat(*gridSpec); serr == nil && !st.IsDir() {
		if raw, err = os.ReadFile(*gridSpec); err != nil {
			return err
		}
		if g, err = sweep.ParseGrid(raw, filepath.Dir(*gridSpec)); err != nil {
			return badUsage("%v (in %s)", err, *gridSpec)
		}
	} else {
		if raw, err = sweep.BuiltinJSON(*gridSpec); err != nil {
			return badUsage("--grid %q is neither a file nor a built-in grid (%s)", *gridSpec, strings.Join(sweep.BuiltinNames(), ", "))
		}
		if g, err = sweep.Builtin(*gridSpec); err != nil {
			return err
		}
	}
	if *printGrid {
		_, err := env.Stdout.Write(raw)
		return err
	}
	if *out == "" {
		return badUsage("--out DIR is required (see --help)")
	}
	if *steps < 0 || *batch < 0 || *seqs < 0 || *cpus < 1 || *perTask < 1 || *maxRunning < 0 {
		return badUsage("--steps, --batch, --sequences, --max-running must be >= 0; --cpus, --per-task >= 1")
	}
	m, err := sweep.Expand(g)
	if err != nil {
		return badUsage("%v", err)
	}
	for i := range m.Entries {
		e := &m.Entries[i]
		if *steps > 0 {
			e.Train.Steps = *steps
			if e.Train.ValEvery > *steps {
				e.Train.ValEvery = *steps
			}
		}
		if *batch > 0 {
			e.Train.Batch = *batch
			if e.Train.ValSize > *batch {
				e.Train.ValSize = *batch
			}
		}
		if *seqs > 0 {
			e.Eval.Sequences = *seqs
		}
		if _, err := sweep.ConfigFor(e); err != nil {
			return badUsage("%v", err)
		}
	}
	dir, err := filepath.Abs(*out)
	if err != nil {
		return err
	}
	if st, err := os.Stat(dir); err == nil && !st.IsDir() {
		return badUsage("--out %s is a file, not a directory", *out)
	}
	// Everything is checked (the script is written in memory) before the
	// first file is: a plan either writes the whole sweep or nothing.
	binPath := filepath.Join(dir, "bin", "hmmrnn") // copySelf puts this program there
	if *bin != "" {
		if binPath, err = filepath.Abs(*bin); err != nil {
			return err
		}
	}
	opt := sweep.SlurmOptions{Bin: binPath, Dir: dir, Partition: *partition, Time: *tlimit, Mem: *mem, Account: *account,
		CPUs: *cpus, PerTask: *perTask, MaxRunning: *maxRunning, Extra: extra}
	script, err := sweep.Script(m, opt)
	if err != nil {
		return badUsage("%v", err)
	}
	if err := sweep.WriteManifest(dir, m, *force); err != nil {
		return err
	}
	if err := sweep.WriteFileAtomic(filepath.Join(dir, "grid.json"), raw); err != nil {
		return err
	}
	if *bin == "" {
		if err := copySelf(binPath); err != nil {
			return fmt.Errorf("copying this program for the array tasks (or give --bin): %w", err)
		}
	}
	if err := sweep.WriteFileAtomic(filepath.Join(dir, sweep.ScriptName), []byte(script)); err != nil {
		return err
	}
	if err := os.Chmod(filepath.Join(dir, sweep.ScriptName), 0o755); err != nil {
		return err
	}
	optJSON, err := json.MarshalIndent(opt, "", " ")
	if err != nil {
		return err
	}
	if err := sweep.WriteFileAtomic(filepath.Join(dir, sweep.SlurmDir, slurmOptionsName), optJSON); err != nil {
		return err
	}
	man := filepath.Join(dir, sweep.ManifestName)
	fmt.Fprintf(env.Stdout, "planned %d networks (grid %q) in %s\n", len(m.Entries), m.Grid, dir)
	fmt.Fprintf(env.Stdout, "  on this machine:  hmmrnn sweep run --manifest %s --all --workers N\n", man)
	fmt.Fprintf(env.Stdout, "  on Slurm:         hmmrnn sweep submit --manifest %s   (%d array tasks)\n", man, opt.Tasks(len(m.Entries)))
	return nil
}

// copySelf copies the running program to dst (atomically, executable).
func copySelf(dst string) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	data, err := os.ReadFile(self)
	if err != nil {
		return err
	}
	if err := sweep.WriteFileAtomic(dst, data); err != nil {
		return err
	}
	return os.Chmod(dst, 0o755)
}

// openManifest accepts a manifest file or the sweep directory holding it.
func openManifest(path string) (string, *sweep.Manifest, error) {
	if path == "" {
		return "", nil, badUsage("--manifest DIR/manifest.json is required")
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		path = filepath.Join(path, sweep.ManifestName)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", nil, err
	}
	m, err := sweep.LoadManifest(abs)
	if err != nil {
		return "", nil, err
	}
	return filepath.Dir(abs), m, nil
}

const runSynopsis = `hmmrnn sweep run --manifest DIR/manifest.json (--index I | --all) [--workers N] [--force]

Trains and evaluates manifest entries. --index takes one index (what a Slurm array task
runs with $SLURM_ARRAY_TASK_ID), a range 0-9 or a list 1,4,7-9; --all takes every entry.
Entries already done are skipped; an interrupted entry resumes from its checkpoint
(SIGINT, SIGTERM and SIGHUP save one). With --workers N > 1 (or --all) a local pool runs N
entries at once, logging each to DIR/logs/<id>.log and printing progress.`

func sweepRun(env *Env, args []string) error {
	fs := newFlags(env, "sweep run", runSynopsis)
	manifest := fs.String("manifest", "", "manifest file or sweep directory")
	index := fs.String("index", "", "entries to run: I, A-B or a list (see above)")
	all := fs.Bool("all", false, "run every entry")
	workers := fs.Int("workers", 1, "entries run at once by the local pool")
	force := fs.Bool("force", false, "re-run entries already done")
	maxMem := memoryFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if (*index == "") == !*all {
		return badUsage("give exactly one of --index and --all")
	}
	if *workers < 1 {
		return badUsage("--workers %d: must be >= 1", *workers)
	}
	dir, m, err := openManifest(*manifest)
	if err != nil {
		return err
	}
	var indices []int
	if *all {
		indices, _ = sweep.ParseIndices("all", len(m.Entries))
	} else if indices, err = sweep.ParseIndices(*index, len(m.Entries)); err != nil {
		return badUsage("%v", err)
	}
	// Each of the pool's workers may take an equal share of the limit.
	if err := sweep.CheckEntries(m, indices, int64(*maxMem)/int64(*workers), "--max-memory limit (per worker)"); err != nil {
		return badUsage("%v", err)
	}
	// Slurm sends SIGTERM on scancel and at the time limit: env.Ctx is
	// cancelled then (InterruptSignals) and the entries checkpoint.
	ctx := env.Ctx
	host, _ := os.Hostname()
	opt := sweep.Options{Force: *force, Host: host}
	if job, task := os.Getenv("SLURM_ARRAY_JOB_ID"), os.Getenv("SLURM_ARRAY_TASK_ID"); job != "" && task != "" {
		opt.SlurmID = job + "_" + task
	}

	if *workers == 1 && !*all {
		var failed []error
		for _, i := range indices {
			e := &m.Entries[i]
			r, err := sweep.RunEntry(ctx, dir, m, i, sweepRunner, env.Stderr, opt)
			switch {
			case errors.Is(err, sweep.ErrSkipped):
				fmt.Fprintf(env.Stdout, "%d %s: already done\n", i, e.ID)
			case err != nil && ctx.Err() != nil:
				return err
			case err != nil:
				fmt.Fprintf(env.Stderr, "%d %s: failed: %v\n", i, e.ID, err)
				failed = append(failed, err)
			default:
				fmt.Fprintf(env.Stdout, "%d %s: done in %.1f s: transition max |diff| %.4f, matched %.3f (floor %.3f)\n",
					i, e.ID, r.Seconds, r.Fidelity.TransMaxAbs, r.Fidelity.Matched, r.Fidelity.MatchedFloor)
			}
		}
		if len(failed) > 0 {
			return fmt.Errorf("%d of %d entries failed", len(failed), len(indices))
		}
		return nil
	}

	fmt.Fprintf(env.Stdout, "running %d entries of %q with %d workers (logs in %s)\n",
		len(indices), m.Grid, *workers, filepath.Join(dir, sweep.LogsDir))
	popt := sweep.PoolOptions{Options: opt, Workers: *workers,
		Progress: func(p sweep.Progress) {
			if p.Event != "start" {
				fmt.Fprintln(env.Stdout, p.String())
			}
		},
		Log: func(e *sweep.Entry, f sweep.Files) (io.WriteCloser, error) {
			if err := os.MkdirAll(filepath.Dir(f.Log), 0o755); err != nil {
				return nil, err
			}
			return os.OpenFile(f.Log, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		},
	}
	start := time.Now()
	sum, err := sweep.RunPool(ctx, dir, m, indices, sweepRunner, popt)
	fmt.Fprintf(env.Stdout, "%d done, %d already done, %d failed, %d interrupted in %s\n",
		sum.Done, sum.Skipped, sum.Failed, sum.Interrupted, time.Since(start).Round(time.Second))
	if err != nil {
		if sum.Failed > 0 {
			return fmt.Errorf("%d entries failed (see %s/*.failed.json): %w", sum.Failed, filepath.Join(dir, sweep.ResultsDir), err)
		}
		return err
	}
	return nil
}

const submitSynopsis = `hmmrnn sweep submit --manifest DIR/manifest.json [--dry-run]

Submits DIR/sweep.sbatch with sbatch, as a job array over the entries that are not
done yet and not already queued (so submitting again resumes a sweep). Needs sbatch
on PATH; the job ID is recorded in DIR/slurm/jobs.txt for sweep status.`

func sweepSubmit(env *Env, args []string) error {
	fs := newFlags(env, "sweep submit", submitSynopsis)
	manifest := fs.String("manifest", "", "manifest file or sweep directory")
	dry := fs.Bool("dry-run", false, "print the sbatch command instead of running it")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	dir, m, err := openManifest(*manifest)
	if err != nil {
		return err
	}
	var opt sweep.SlurmOptions
	data, err := os.ReadFile(filepath.Join(dir, sweep.SlurmDir, slurmOptionsName))
	if err != nil {
		return fmt.Errorf("%w (plan the sweep with hmmrnn sweep plan first)", err)
	}
	if err := json.Unmarshal(data, &opt); err != nil {
		return fmt.Errorf("%s: %w", slurmOptionsName, err)
	}
	if st, err := os.Stat(opt.Bin); err != nil || st.Mode()&0o111 == 0 {
		return fmt.Errorf("the array tasks' binary %s is missing or not executable: plan again (or with --bin)", opt.Bin)
	}
	st, err := sweep.ReadStatus(dir, m)
	if err != nil {
		return err
	}
	remaining := st.Remaining()
	queued := map[int]bool{} // array tasks Slurm still holds
	if jobs, _ := sweep.ReadJobs(dir); len(jobs) > 0 {
		if tasks, err := squeue(env.Ctx, jobs); err == nil {
			for _, t := range tasks {
				queued[t.Task] = true
			}
		}
	}
	var todo []int
	for _, i := range remaining {
		if !queued[opt.TaskOf(i)] {
			todo = append(todo, i)
		}
	}
	if len(todo) == 0 {
		if len(remaining) == 0 {
			fmt.Fprintf(env.Stdout, "all %d entries are done; collect with: hmmrnn sweep collect --manifest %s\n", len(m.Entries), dir)
		} else {
			fmt.Fprintf(env.Stdout, "the %d entries not done are all queued in Slurm already\n", len(remaining))
		}
		return nil
	}
	array := opt.ArraySpec(todo)
	sargs := []string{"--parsable", "--array=" + array, filepath.Join(dir, sweep.ScriptName)}
	if *dry {
		fmt.Fprintf(env.Stdout, "sbatch %s\n", strings.Join(sargs, " "))
		return nil
	}
	sbatch, err := exec.LookPath("sbatch")
	if err != nil {
		return fmt.Errorf("sbatch is not on PATH (no Slurm here?): run the sweep on this machine with hmmrnn sweep run --manifest %s --all --workers N", dir)
	}
	cmd := exec.CommandContext(env.Ctx, sbatch, sargs...)
	cmd.Dir = dir
	var stderr strings.Builder
	cmd.Stderr = &stderr
	outb, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("sbatch: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	job, _, _ := strings.Cut(strings.TrimSpace(string(outb)), ";")
	if job == "" {
		return fmt.Errorf("sbatch printed no job ID (stderr: %s)", strings.TrimSpace(stderr.String()))
	}
	if err := sweep.AppendJob(dir, job, array); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "submitted Slurm job %s: array %s (%d entries); follow with hmmrnn sweep status --manifest %s\n",
		job, array, len(todo), dir)
	return nil
}

// squeue lists the array tasks of jobs that Slurm still holds.
func squeue(ctx context.Context, jobs []string) ([]sweep.QueuedTask, error) {
	path, err := exec.LookPath("squeue")
	if err != nil {
		return nil, err
	}
	var stderr strings.Builder
	cmd := exec.CommandContext(ctx, path, sweep.SqueueArgs(jobs)...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		// squeue fails for job IDs it has forgotten (finished long ago):
		// that only means nothing is queued.
		if strings.Contains(stderr.String(), "Invalid job id") {
			return nil, nil
		}
		return nil, fmt.Errorf("squeue: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	return sweep.ParseSqueue(string(out))
}

const statusSynopsis = `hmmrnn sweep status --manifest DIR/manifest.json [--list] [--json]

Reports the sweep's progress from its result files (done, running, failed, pending)
and, when squeue is on PATH, what Slurm still holds of the submitted jobs.`

func sweepStatus(env *Env, args []string) error {
	fs := newFlags(env, "sweep status", statusSynopsis)
	manifest := fs.String("manifest", "", "manifest file or sweep directory")
	list := fs.Bool("list", false, "list every entry")
	asJSON := fs.Bool("json", false, "print the status as JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	dir, m, err := openManifest(*manifest)
	if err != nil {
		return err
	}
	st, err := sweep.ReadStatus(dir, m)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", " ")
		return enc.Encode(st)
	}
	w := env.Stdout
	fmt.Fprintf(w, "sweep %q in %s: %d networks\n", m.Grid, dir, st.Total)
	fmt.Fprintf(w, "  done %d, running %d, failed %d, pending %d\n", st.Done, st.Running, st.Failed, st.Pending)
	var secs []float64
	for _, e := range st.Entries {
		if e.State == sweep.Done {
			secs = append(secs, e.Seconds)
		}
	}
	if len(secs) > 0 {
		sort.Float64s(secs)
		var sum float64
		for _, s := range secs {
			sum += s
		}
		fmt.Fprintf(w, "  per network: mean %.1f s, median %.1f s, max %.1f s\n", sum/float64(len(secs)), secs[len(secs)/2], secs[len(secs)-1])
	}

	jobs, _ := sweep.ReadJobs(dir)
	var queued map[string]string // "job_task" -> state
	if len(jobs) > 0 {
		tasks, err := squeue(env.Ctx, jobs)
		switch {
		case errors.Is(err, exec.ErrNotFound):
			fmt.Fprintf(w, "slurm: jobs %s submitted; squeue is not on PATH here\n", strings.Join(jobs, ", "))
		case err != nil:
			fmt.Fprintf(w, "slurm: %v (the result files above are the truth)\n", err)
		default:
			queued = map[string]string{}
			count := map[string]int{}
			for _, t := range tasks {
				queued[fmt.Sprintf("%s_%d", t.Job, t.Task)] = t.State
				count[t.State]++
			}
			var parts []string
			for _, s := range sortedKeys(count) {
				parts = append(parts, fmt.Sprintf("%d %s", count[s], strings.ToLower(s)))
			}
			if len(tasks) == 0 {
				parts = []string{"no tasks queued"}
			}
			fmt.Fprintf(w, "slurm (jobs %s): %s\n", strings.Join(jobs, ", "), strings.Join(parts, ", "))
			if len(tasks) == 0 && st.Done < st.Total {
				fmt.Fprintf(w, "  %d entries are not done and nothing is queued: resubmit with hmmrnn sweep submit --manifest %s\n", st.Total-st.Done, dir)
				fmt.Fprintln(w, "  (squeue also prints nothing when slurmctld is down: check with sinfo)")
			}
		}
	}
	host, _ := os.Hostname()
	for _, e := range st.Entries {
		show := *list
		line := fmt.Sprintf("  %3d %-28s %s", e.Index, e.ID, e.State)
		switch e.State {
		case sweep.Failed:
			show = true
			line += ": " + firstLine(e.Error)
		case sweep.Running:
			show = true
			if e.Host != "" {
				line += " on " + e.Host
			}
			switch {
			case e.SlurmID != "":
				line += " (slurm " + e.SlurmID + ")"
				if queued != nil && queued[e.SlurmID] == "" {
					line += " — stale: Slurm no longer runs this task (killed?); it resumes from its checkpoint when run again"
				}
			case e.Host == host && e.PID > 0 && !model.ProcessAlive(e.PID):
				line += fmt.Sprintf(" — stale: process %d is gone (killed?); it resumes from its checkpoint when run again", e.PID)
			}
		case sweep.Pending:
			if e.Checkpoint {
				line += " (interrupted; resumes from its checkpoint)"
			}
		case sweep.Done:
			line += fmt.Sprintf(" in %.1f s", e.Seconds)
		}
		if show {
			fmt.Fprintln(w, line)
		}
	}
	return nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

func sortedKeys(m map[string]int) []string {
	var k []string
	for s := range m {
		k = append(k, s)
	}
	sort.Strings(k)
	return k
}

const collectSynopsis = `hmmrnn sweep collect --manifest DIR/manifest.json [--out DIR2]

Pools the finished networks' results over seeds: output-transition-matrix differences,
matched distances (with noise floors), frequency and volatility differences per HMM,
hidden size and noise dimension (mean, std, min, max), and how often kick neurons were
found. Writes summary.json, summary.csv (one row per cell), networks.csv (one row per
network) and index.html (heatmaps, plots, tables) to DIR2 (default DIR/summary).
Unfinished entries are listed as missing.`

func sweepCollect(env *Env, args []string) error {
	fs := newFlags(env, "sweep collect", collectSynopsis)
	manifest := fs.String("manifest", "", "manifest file or sweep directory")
	out := fs.String("out", "", "output directory (default: DIR/summary)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	dir, m, err := openManifest(*manifest)
	if err != nil {
		return err
	}
	if *out == "" {
		*out = filepath.Join(dir, "summary")
	}
	if err := checkOutDir("--out", *out); err != nil {
		return err
	}
	results, err := sweep.ReadResults(dir, m)
	if err != nil {
		return err
	}
	s, err := sweep.Collect(m, results)
	if err != nil {
		return err
	}
	if err := s.WriteSummary(*out); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "collected %d of %d networks into %s (index.html, summary.json, summary.csv, networks.csv)\n",
		s.Done, s.Total, *out)
	for _, r := range s.ByHMM {
		st := r.Stats["trans_max_abs"]
		ms := r.Stats["matched"]
		fl := r.Stats["matched_floor"]
		name := r.HMM
		if r.Tag != "" {
			name += "-" + r.Tag
		}
		line := fmt.Sprintf("  %-14s %3d/%-3d done", name, r.Done, r.Planned)
		if st.N > 0 {
			line += fmt.Sprintf("  transition max |diff| %.4f ± %.4f  matched %.3f (floor %.3f)", st.Mean, st.Std, ms.Mean, fl.Mean)
		}
		if r.KickTested > 0 {
			line += fmt.Sprintf("  kick neurons in %d/%d", r.KickFound, r.KickTested)
		}
		fmt.Fprintln(env.Stdout, line)
	}
	return nil
}
