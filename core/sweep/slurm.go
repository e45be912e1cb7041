package sweep

import (
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
)

// SlurmOptions describe the batch script of a sweep's job array.
type SlurmOptions struct {
	// Bin is the absolute path of the hmmrnn binary the array tasks run
	// (on a cluster: on a file system every node sees).
	Bin string `json:"bin"`
	// Dir is the absolute sweep directory (beside manifest.json).
	Dir string `json:"dir"`
	// JobName defaults to "hmmrnn-<grid>".
	JobName string `json:"job_name,omitempty"`
	// Partition, Time (e.g. "4:00:00"), Mem (per task, e.g. "4G") and
	// Account are passed to Slurm when set; empty means the cluster default.
	Partition string `json:"partition,omitempty"`
	Time      string `json:"time,omitempty"`
	Mem       string `json:"mem,omitempty"`
	Account   string `json:"account,omitempty"`
	// CPUs per task (default 1). GOMAXPROCS is set to it.
	CPUs int `json:"cpus,omitempty"`
	// PerTask is the number of entries one array task runs in sequence
	// (default 1). Larger values cut per-job overhead for short networks.
	PerTask int `json:"per_task,omitempty"`
	// MaxRunning limits how many array tasks run at once ("%K"; 0 = no limit).
	MaxRunning int `json:"max_running,omitempty"`
	// Extra holds more sbatch options, one per "#SBATCH" line.
	Extra []string `json:"extra,omitempty"`
}

func (o *SlurmOptions) perTask() int { return max(o.PerTask, 1) }

// slurmValue is the character set allowed in one option written into the
// batch script. The sets are conservative: what Slurm's own values use, and
// nothing a shell or the #SBATCH parser treats specially (no blank, quote,
// backslash, '$', ';', '#' or line break), so that no value can end a
// header line early or add a command.
type slurmValue struct {
	flag    string // the plan flag (and sbatch option) that sets it
	pattern *regexp.Regexp
	allowed string // pattern in words, for the error message
}

var (
	slurmJobName   = slurmValue{"job name", regexp.MustCompile(`^[A-Za-z0-9._-]{1,128}$`), "1-128 letters, digits, '.', '_', '-'"}
	slurmPartition = slurmValue{"--partition", regexp.MustCompile(`^[A-Za-z0-9._-]+(,[A-Za-z0-9._-]+)*$`), "letters, digits, '.', '_', '-', and ',' between names"}
	slurmAccount   = slurmValue{"--account", regexp.MustCompile(`^[A-Za-z0-9._-]+$`), "letters, digits, '.', '_', '-'"}
	// Slurm's time formats: M, M:S, H:M:S, D-H, D-H:M, D-H:M:S.
	slurmTime = slurmValue{"--time", regexp.MustCompile(`^(([0-9]+-)?[0-9]+(:[0-9]+){0,2}|UNLIMITED|INFINITE)$`), "digits with ':' and one 'D-' day prefix, e.g. 4:00:00 or 1-12:00:00, or UNLIMITED"}
	// Memory: a number with an optional unit K, M, G or T.
	slurmMem = slurmValue{"--mem", regexp.MustCompile(`^[0-9]+[KMGTkmgt]?$`), "digits with an optional unit K, M, G or T, e.g. 4G"}
	// Extra options: "--name=value" or "-x value"-free forms such as "--qos=long".
	slurmExtra = slurmValue{"--sbatch", regexp.MustCompile(`^--?[A-Za-z][A-Za-z0-9-]*(=[A-Za-z0-9._,:=@/+%\[\]-]+)?$`), "one option -x or --name[=value], the value of letters, digits and . _ , : = @ / + % [ ] -"}
	// The sweep directory also appears on #SBATCH lines, which do not quote.
	slurmDir = slurmValue{"--out", regexp.MustCompile(`^/[A-Za-z0-9/._+,@=~:-]*$`), "an absolute path of letters, digits and / . _ + , @ = ~ : -"}
)

func (v slurmValue) check(s string) error {
	if !v.pattern.MatchString(s) {
		return fmt.Errorf("sweep: slurm option %s %q: use %s", v.flag, s, v.allowed)
	}
	return nil
}

// Validate checks every value that Script writes into the batch script
// against the conservative character set of its field, and the counts.
// The binary's path goes on a shell line quoted, so it may hold any
// printable character but no control character.
func (o *SlurmOptions) Validate() error {
	if !filepath.IsAbs(o.Bin) {
		return fmt.Errorf("sweep: slurm option --bin %q: must be an absolute path", o.Bin)
	}
	if strings.IndexFunc(o.Bin, unicode.IsControl) >= 0 {
		return fmt.Errorf("sweep: slurm option --bin %q: holds a control character", o.Bin)
	}
	if err := slurmDir.check(o.Dir); err != nil {
		return err
	}
	for _, f := range []struct {
		v   slurmValue
		val string
	}{{slurmJobName, o.JobName}, {slurmPartition, o.Partition}, {slurmAccount, o.Account}, {slurmTime, o.Time}, {slurmMem, o.Mem}} {
		if f.val == "" {
			continue // unset: the cluster's default (the job name: the grid's)
		}
		if err := f.v.check(f.val); err != nil {
			return err
		}
	}
	for _, x := range o.Extra {
		if err := slurmExtra.check(x); err != nil {
			return err
		}
	}
	if o.CPUs < 0 || o.PerTask < 0 || o.MaxRunning < 0 {
		return fmt.Errorf("sweep: slurm options: cpus %d, per_task %d, max_running %d: must not be negative", o.CPUs, o.PerTask, o.MaxRunning)
	}
	return nil
}

// Tasks returns the number of array tasks for n entries.
func (o *SlurmOptions) Tasks(n int) int {
	k := o.perTask()
	return (n + k - 1) / k
}

// TaskOf returns the array task that runs entry index i.
func (o *SlurmOptions) TaskOf(i int) int { return i / o.perTask() }

// ArraySpec is the --array value covering the tasks that run the given
// entries, e.g. "0-3,7", with the "%K" throttle when MaxRunning is set.
func (o *SlurmOptions) ArraySpec(entries []int) string {
	var tasks []int
	for _, i := range entries {
		tasks = append(tasks, o.TaskOf(i))
	}
	s := FormatIndices(tasks)
	if o.MaxRunning > 0 {
		s += fmt.Sprintf("%%%d", o.MaxRunning)
	}
	return s
}

// Script returns the text of the sbatch script that runs every entry of m
// as a job array: task k runs entries k*PerTask .. k*PerTask+PerTask-1 with
// "hmmrnn sweep run --index", which skips the ones already done.
func Script(m *Manifest, o SlurmOptions) (string, error) {
	if err := o.Validate(); err != nil {
		return "", err
	}
	n := len(m.Entries)
	if n == 0 {
		return "", fmt.Errorf("sweep: slurm script: empty manifest")
	}
	name := o.JobName
	if name == "" {
		name = "hmmrnn-" + m.Grid
	}
	if err := slurmJobName.check(name); err != nil {
		return "", err
	}
	all := make([]int, n)
	for i := range all {
		all[i] = i
	}
	var b strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&b, format+"\n", a...) }
	k := o.perTask()
	p("#!/bin/bash")
	p("# hmmrnn sweep %q: %d networks as a Slurm job array, %d per task.", m.Grid, n, k)
	p("# Written by `hmmrnn sweep plan`. Submit with `hmmrnn sweep submit --manifest %s`", filepath.Join(o.Dir, ManifestName))
	p("# (it submits only the entries not done yet), or with `sbatch %s`.", filepath.Join(o.Dir, ScriptName))
	p("# A task skips entries already done and resumes from a checkpoint, so resubmitting is safe.")
	p("#SBATCH --job-name=%s", name)
	p("#SBATCH --array=%s", o.ArraySpec(all))
	p("#SBATCH --ntasks=1")
	p("#SBATCH --cpus-per-task=%d", max(o.CPUs, 1))
	if o.Mem != "" {
		p("#SBATCH --mem=%s", o.Mem)
	}
	if o.Time != "" {
		p("#SBATCH --time=%s", o.Time)
	}
	if o.Partition != "" {
		p("#SBATCH --partition=%s", o.Partition)
	}
	if o.Account != "" {
		p("#SBATCH --account=%s", o.Account)
	}
	for _, x := range o.Extra {
		p("#SBATCH %s", x)
	}
	p("#SBATCH --output=%s", filepath.Join(o.Dir, SlurmDir, "%A_%a.out"))
	p("#SBATCH --open-mode=append")
	p("")
	p("set -euo pipefail")
	p(`export GOMAXPROCS="${SLURM_CPUS_PER_TASK:-1}"`)
	bin, man := shellQuote(o.Bin), shellQuote(filepath.Join(o.Dir, ManifestName))
	if k == 1 {
		p(`exec %s sweep run --manifest %s --index "$SLURM_ARRAY_TASK_ID"`, bin, man)
	} else {
		p("first=$(( SLURM_ARRAY_TASK_ID * %d ))", k)
		p("last=$(( first + %d ))", k-1)
		p("if (( last > %d )); then last=%d; fi", n-1, n-1)
		p(`exec %s sweep run --manifest %s --index "$first-$last"`, bin, man)
	}
	return b.String(), nil
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/._-+=:,@", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// ParseIndices parses an index list for a manifest of n entries: "7",
// "0-9", "1,4,7-9" or "all". Duplicates are dropped; order is kept.
func ParseIndices(spec string, n int) ([]int, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return nil, fmt.Errorf("sweep: empty index list")
	}
	if spec == "all" {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		return idx, nil
	}
	seen := map[int]bool{}
	var idx []int
	for _, part := range strings.Split(spec, ",") {
		lo, hi, isRange := strings.Cut(strings.TrimSpace(part), "-")
		a, err := strconv.Atoi(lo)
		if err != nil {
			return nil, fmt.Errorf("sweep: index %q: not a number or range", part)
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil {
				return nil, fmt.Errorf("sweep: index range %q: not a number after '-'", part)
			}
		}
		if a > b {
			return nil, fmt.Errorf("sweep: index range %q is reversed", part)
		}
		if a < 0 || b >= n {
			return nil, fmt.Errorf("sweep: index %q out of range: the manifest has entries 0-%d", part, n-1)
		}
		for i := a; i <= b; i++ {
			if !seen[i] {
				seen[i] = true
				idx = append(idx, i)
			}
		}
	}
	return idx, nil
}

// FormatIndices writes a set of indices compactly, sorted: "0-3,7,9-10".
func FormatIndices(idx []int) string {
	s := slices.Clone(idx)
	sort.Ints(s)
	s = slices.Compact(s)
	var parts []string
	for i := 0; i < len(s); {
		j := i
		for j+1 < len(s) && s[j+1] == s[j]+1 {
			j++
		}
		if j == i {
			parts = append(parts, strconv.Itoa(s[i]))
		} else {
			parts = append(parts, fmt.Sprintf("%d-%d", s[i], s[j]))
		}
		i = j + 1
	}
	return strings.Join(parts, ",")
}

// SqueueFormat is the -o format ParseSqueue reads: job ID (with array
// task, "123_4"), state, reason.
const SqueueFormat = "%i|%T|%r"

// SqueueArgs are the squeue arguments listing the array tasks of jobs
// (one line per task).
func SqueueArgs(jobs []string) []string {
	return []string{"--noheader", "--array", "--jobs=" + strings.Join(jobs, ","), "--format=" + SqueueFormat}
}

// QueuedTask is one line of squeue output.
type QueuedTask struct {
	Job    string // array job ID
	Task   int    // array task ID (-1 for a job that is not an array)
	State  string // PENDING, RUNNING, COMPLETING, ...
	Reason string
}

// ParseSqueue parses the output of squeue with SqueueArgs. A pending array
// not yet split ("123_[4-9%2]") gives one QueuedTask per task.
func ParseSqueue(out string) ([]QueuedTask, error) {
	var tasks []QueuedTask
	for n, line := range strings.Split(out, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		f := strings.Split(line, "|")
		if len(f) < 2 {
			return nil, fmt.Errorf("sweep: squeue line %d %q: want %q", n+1, line, SqueueFormat)
		}
		reason := ""
		if len(f) > 2 {
			reason = f[2]
		}
		job, task, isArray := strings.Cut(f[0], "_")
		if !isArray {
			tasks = append(tasks, QueuedTask{Job: job, Task: -1, State: f[1], Reason: reason})
			continue
		}
		var ids []int
		if strings.HasPrefix(task, "[") {
			spec := strings.TrimSuffix(strings.TrimPrefix(task, "["), "]")
			spec, _, _ = strings.Cut(spec, "%")
			var err error
			if ids, err = ParseIndices(spec, 1<<31-1); err != nil {
				return nil, fmt.Errorf("sweep: squeue line %d %q: %w", n+1, line, err)
			}
		} else {
			t, err := strconv.Atoi(task)
			if err != nil {
				return nil, fmt.Errorf("sweep: squeue line %d %q: bad array task", n+1, line)
			}
			ids = []int{t}
		}
		for _, t := range ids {
			tasks = append(tasks, QueuedTask{Job: job, Task: t, State: f[1], Reason: reason})
		}
	}
	return tasks, nil
}
