package sweep

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hmmrnn/core/model"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Layout of a sweep directory. Everything is keyed by entry ID, so a
// directory can be copied, merged or inspected with ordinary tools.
const (
	ResultsDir     = "results"     // <id>.json when done, <id>.failed.json after an error
	ModelsDir      = "models"      // <id>.json: the trained model file
	CheckpointsDir = "checkpoints" // <id>.json: latest training checkpoint (removed when done)
	RunningDir     = "running"     // <id>.json: marker of a task in progress
	LogsDir        = "logs"        // <id>.log: log of a task run by the local pool
	SlurmDir       = "slurm"       // array-task output and the submitted job IDs
	ScriptName     = "sweep.sbatch"
	JobsName       = "jobs.txt" // in SlurmDir: one submitted job ID per line
)

// Files are the paths of one entry's files.
type Files struct {
	Model      string // trained model (model file format)
	Checkpoint string // latest checkpoint; the runner resumes from it when present
	Result     string // result, written last and atomically: its presence means done
	Failed     string // failure record of the last attempt
	Running    string // marker of a run in progress
	Log        string // log of a run by the local pool
}

// Paths returns the files of entry e in sweep directory dir.
func Paths(dir string, e *Entry) Files {
	return Files{
		Model:      filepath.Join(dir, ModelsDir, e.ID+".json"),
		Checkpoint: filepath.Join(dir, CheckpointsDir, e.ID+".json"),
		Result:     filepath.Join(dir, ResultsDir, e.ID+".json"),
		Failed:     filepath.Join(dir, ResultsDir, e.ID+".failed.json"),
		Running:    filepath.Join(dir, RunningDir, e.ID+".json"),
		Log:        filepath.Join(dir, LogsDir, e.ID+".log"),
	}
}

// WriteFileAtomic is model.WriteFileAtomic (temporary file, sync, rename:
// readers see the old file or the new one, never a torn one; rename is
// atomic on POSIX file systems, NFS included) after creating the parent
// directories.
func WriteFileAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	if err := model.WriteFileAtomic(path, data); err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	return nil
}

func writeJSON(path string, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", " ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("sweep: %s: %w", path, err)
	}
	return WriteFileAtomic(path, buf.Bytes())
}

// Failure is the content of a results/<id>.failed.json file.
type Failure struct {
	Index   int     `json:"index"`
	ID      string  `json:"id"`
	Error   string  `json:"error"`
	Host    string  `json:"host,omitempty"`
	Seconds float64 `json:"seconds"`
}

// Marker is the content of a running/<id>.json file: who runs the entry.
// A marker left behind by a killed task stays until the entry is run again;
// Status reports it as running, and squeue tells whether it really is.
type Marker struct {
	Index   int       `json:"index"`
	ID      string    `json:"id"`
	Host    string    `json:"host,omitempty"`
	PID     int       `json:"pid,omitempty"`
	SlurmID string    `json:"slurm_id,omitempty"` // "<job>_<task>" under Slurm
	Started time.Time `json:"started"`
}

// ReadResult reads a result file; a missing file gives (nil, nil).
func ReadResult(path string) (*Result, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	var r Result
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("sweep: result %s: %w", path, err)
	}
	if r.Format != ResultFormat {
		return nil, fmt.Errorf("sweep: result %s: format %q is not %q", path, r.Format, ResultFormat)
	}
	return &r, nil
}

func readJSON(path string, v any) (bool, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("sweep: %w", err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return false, fmt.Errorf("sweep: %s: %w", path, err)
	}
	return true, nil
}

// State is where an entry stands.
type State string

// The states of an entry, from its files.
const (
	Pending State = "pending" // nothing yet, or a checkpoint of an interrupted run
	Running State = "running" // a running marker (a killed task's marker looks the same)
	Done    State = "done"    // a result file
	Failed  State = "failed"  // a failure file and no result
)

// EntryStatus is the state of one entry and what its files say about it.
type EntryStatus struct {
	Index      int     `json:"index"`
	ID         string  `json:"id"`
	State      State   `json:"state"`
	Checkpoint bool    `json:"checkpoint,omitempty"` // an interrupted run left a checkpoint
	Error      string  `json:"error,omitempty"`
	Host       string  `json:"host,omitempty"`
	PID        int     `json:"pid,omitempty"` // of a running entry
	SlurmID    string  `json:"slurm_id,omitempty"`
	Seconds    float64 `json:"seconds,omitempty"` // of a done entry
}

// Status summarises a sweep directory.
type Status struct {
	Total   int           `json:"total"`
	Done    int           `json:"done"`
	Running int           `json:"running"`
	Failed  int           `json:"failed"`
	Pending int           `json:"pending"`
	Entries []EntryStatus `json:"entries"`
}

// ReadStatus reads the state of every entry from the files in dir.
func ReadStatus(dir string, m *Manifest) (*Status, error) {
	st := &Status{Total: len(m.Entries)}
	for i := range m.Entries {
		e := &m.Entries[i]
		p := Paths(dir, e)
		es := EntryStatus{Index: e.Index, ID: e.ID, State: Pending}
		r, err := ReadResult(p.Result)
		if err != nil {
			return nil, err
		}
		var fail Failure
		var mk Marker
		switch {
		case r != nil:
			es.State, es.Seconds, es.Host = Done, r.Seconds, r.Host
		default:
			running, err := readJSON(p.Running, &mk)
			if err != nil {
				return nil, err
			}
			failed, err := readJSON(p.Failed, &fail)
			if err != nil {
				return nil, err
			}
			switch {
			case running:
				es.State, es.Host, es.PID, es.SlurmID = Running, mk.Host, mk.PID, mk.SlurmID
			case failed:
				es.State, es.Error, es.Host = Failed, fail.Error, fail.Host
			}
			if _, err := os.Stat(p.Checkpoint); err == nil {
				es.Checkpoint = true
			}
		}
		switch es.State {
		case Done:
			st.Done++
		case Running:
			st.Running++
		case Failed:
			st.Failed++
		default:
			st.Pending++
		}
		st.Entries = append(st.Entries, es)
	}
	return st, nil
}

// Remaining returns the indices of entries that are not done, in order.
func (s *Status) Remaining() []int {
	var idx []int
	for _, e := range s.Entries {
		if e.State != Done {
			idx = append(idx, e.Index)
		}
	}
	return idx
}

// ReadResults reads every result file of the manifest's entries; missing
// ones are nil.
func ReadResults(dir string, m *Manifest) ([]*Result, error) {
	out := make([]*Result, len(m.Entries))
	for i := range m.Entries {
		r, err := ReadResult(Paths(dir, &m.Entries[i]).Result)
		if err != nil {
			return nil, err
		}
		out[i] = r
	}
	return out, nil
}

// ReadJobs returns the Slurm job IDs recorded by submissions, oldest first.
func ReadJobs(dir string) ([]string, error) {
	data, err := os.ReadFile(filepath.Join(dir, SlurmDir, JobsName))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	var ids []string
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) > 0 {
			ids = append(ids, f[0])
		}
	}
	return ids, nil
}

// AppendJob records a submitted Slurm job ID (and the array it covers).
func AppendJob(dir, jobID, array string) error {
	path := filepath.Join(dir, SlurmDir, JobsName)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	_, err = fmt.Fprintf(f, "%s %s\n", jobID, array)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	return nil
}
