package sweep

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strconv"
)

// SummaryFormat is the "format" field of summary.json.
const SummaryFormat = "hmmrnn-sweep-summary"

// Metric is one number Collect tabulates per network.
type Metric struct {
	Name  string `json:"name"`
	Label string `json:"label"`
	// Lower says smaller is better (colour scales run from good to bad).
	Lower bool `json:"lower_is_better"`
	get   func(*Result) float64
}

// Metrics are the per-network numbers of the summary tables: the paper's
// fidelity measures (core/METHOD.md section 4) and the cost of training.
var Metrics = []Metric{
	{Name: "trans_max_abs", Label: "output transition matrix, max |RNN - HMM|", Lower: true,
		get: func(r *Result) float64 { return transFig(r, r.Fidelity.TransMaxAbs) }},
	{Name: "trans_max_abs_floor", Label: "same for an HMM sample (noise floor)", Lower: true,
		get: func(r *Result) float64 { return transFig(r, r.Fidelity.TransMaxAbsFloor) }},
	{Name: "trans_sum_sq", Label: "output transition matrix, sum (RNN - HMM)^2", Lower: true,
		get: func(r *Result) float64 { return transFig(r, r.Fidelity.TransSumSq) }},
	{Name: "freq_max_abs", Label: "output frequencies, max |RNN - HMM|", Lower: true,
		get: func(r *Result) float64 { return r.Fidelity.FreqMaxAbs }},
	{Name: "volatility_diff", Label: "changes per sequence, |RNN - HMM|", Lower: true,
		get: func(r *Result) float64 { return math.Abs(r.Fidelity.Volatility - r.Fidelity.VolatilityHMM) }},
	{Name: "matched", Label: "matched distance RNN-HMM", Lower: true,
		get: func(r *Result) float64 { return r.Fidelity.Matched }},
	{Name: "matched_floor", Label: "matched distance HMM-HMM (noise floor)", Lower: true,
		get: func(r *Result) float64 { return r.Fidelity.MatchedFloor }},
	{Name: "fidelity_ok", Label: "fraction passing the fidelity test", Lower: false,
		get: func(r *Result) float64 { return b2f(r.Fidelity.OK) }},
	{Name: "final_loss", Label: "final training loss", Lower: true,
		get: func(r *Result) float64 { return r.FinalLoss }},
	{Name: "train_seconds", Label: "training time (s)", Lower: true,
		get: func(r *Result) float64 { return r.TrainSeconds }},
}

// transFig leaves transition-matrix figures out (NaN) when no row was well
// sampled.
func transFig(r *Result, x float64) float64 {
	if r.Fidelity.WellSampledRows == 0 {
		return math.NaN()
	}
	return x
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// Stat is the spread of a metric over the seeds of a cell.
type Stat struct {
	N    int     `json:"n"` // values pooled; the others are 0 when N is 0
	Mean float64 `json:"mean"`
	Std  float64 `json:"std"` // sample standard deviation (0 for one value)
	Min  float64 `json:"min"`
	Max  float64 `json:"max"`
}

func newStat(v []float64) Stat {
	var s Stat
	for _, x := range v {
		if math.IsNaN(x) {
			continue
		}
		if s.N == 0 || x < s.Min {
			s.Min = x
		}
		if s.N == 0 || x > s.Max {
			s.Max = x
		}
		s.N++
		s.Mean += x
	}
	if s.N == 0 {
		return s
	}
	s.Mean /= float64(s.N)
	if s.N > 1 {
		var ss float64
		for _, x := range v {
			if !math.IsNaN(x) {
				ss += (x - s.Mean) * (x - s.Mean)
			}
		}
		s.Std = math.Sqrt(ss / float64(s.N-1))
	}
	return s
}

// Row is one line of a summary table: a grid cell (one HMM, hidden size,
// noise dimension and tag, pooled over seeds) or, in ByHMM, one HMM pooled
// over everything else (Hidden and Input 0).
type Row struct {
	GroupKey
	Planned int             `json:"planned"` // networks in the manifest
	Done    int             `json:"done"`    // with a result
	Stats   map[string]Stat `json:"stats"`   // by metric name
	// KickTested counts networks where kick-neuron detection ran,
	// KickFound those where it found kick neurons.
	KickTested int      `json:"kick_tested"`
	KickFound  int      `json:"kick_found"`
	KickRate   *float64 `json:"kick_rate,omitempty"` // KickFound / KickTested (nil if none tested)
}

// Summary is the collected outcome of a sweep.
type Summary struct {
	Format  string   `json:"format"`
	Grid    string   `json:"grid"`
	Total   int      `json:"total"`
	Done    int      `json:"done"`
	Missing []string `json:"missing,omitempty"` // IDs without a result
	Metrics []Metric `json:"metrics"`
	Cells   []Row    `json:"cells"`
	ByHMM   []Row    `json:"by_hmm"`
	// Networks lists every result, in manifest order.
	Networks []*Result `json:"networks"`
}

// Collect pools the results of a sweep (results[i] belongs to entry i; nil
// = not done) into per-cell and per-HMM tables, in manifest order.
func Collect(m *Manifest, results []*Result) (*Summary, error) {
	if len(results) != len(m.Entries) {
		return nil, fmt.Errorf("sweep: collect: %d results for %d entries", len(results), len(m.Entries))
	}
	s := &Summary{Format: SummaryFormat, Grid: m.Grid, Total: len(m.Entries), Metrics: Metrics}
	type acc struct {
		row  Row
		vals map[string][]float64
	}
	cells := map[GroupKey]*acc{}
	hmms := map[GroupKey]*acc{}
	var cellOrder, hmmOrder []GroupKey
	get := func(mp map[GroupKey]*acc, order *[]GroupKey, k GroupKey) *acc {
		a, ok := mp[k]
		if !ok {
			a = &acc{row: Row{GroupKey: k}, vals: map[string][]float64{}}
			mp[k] = a
			*order = append(*order, k)
		}
		return a
	}
	for i := range m.Entries {
		e := &m.Entries[i]
		r := results[i]
		if r != nil && r.ID != e.ID {
			return nil, fmt.Errorf("sweep: collect: result %d is for %s, not %s", i, r.ID, e.ID)
		}
		ck := e.Group()
		for _, a := range []*acc{get(cells, &cellOrder, ck), get(hmms, &hmmOrder, GroupKey{HMM: e.HMMName, Tag: e.Tag})} {
			a.row.Planned++
			if r == nil {
				continue
			}
			a.row.Done++
			for _, mt := range Metrics {
				a.vals[mt.Name] = append(a.vals[mt.Name], mt.get(r))
			}
			if r.Kick != nil {
				a.row.KickTested++
				if r.Kick.Found {
					a.row.KickFound++
				}
			}
		}
		if r == nil {
			s.Missing = append(s.Missing, e.ID)
			continue
		}
		s.Done++
		s.Networks = append(s.Networks, r)
	}
	finish := func(a *acc) Row {
		a.row.Stats = map[string]Stat{}
		for _, mt := range Metrics {
			a.row.Stats[mt.Name] = newStat(a.vals[mt.Name])
		}
		if a.row.KickTested > 0 {
			rate := float64(a.row.KickFound) / float64(a.row.KickTested)
			a.row.KickRate = &rate
		}
		return a.row
	}
	for _, k := range cellOrder {
		s.Cells = append(s.Cells, finish(cells[k]))
	}
	for _, k := range hmmOrder {
		s.ByHMM = append(s.ByHMM, finish(hmms[k]))
	}
	return s, nil
}

// fmtNum writes a number for CSV in its shortest round-trip form.
func fmtNum(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

// fmtStat writes the fields of s for CSV, empty when no value was pooled.
func fmtStat(s Stat) []string {
	if s.N == 0 {
		return []string{"", "", "", ""}
	}
	return []string{fmtNum(s.Mean), fmtNum(s.Std), fmtNum(s.Min), fmtNum(s.Max)}
}

func fmtRate(r *float64) string {
	if r == nil {
		return ""
	}
	return fmtNum(*r)
}

// WriteCSV writes the per-cell table: one row per grid cell with mean, std,
// min and max of every metric over seeds, and the kick-neuron counts.
func (s *Summary) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	head := []string{"hmm", "hidden", "input", "tag", "planned", "done"}
	for _, mt := range s.Metrics {
		head = append(head, mt.Name+"_mean", mt.Name+"_std", mt.Name+"_min", mt.Name+"_max")
	}
	head = append(head, "kick_tested", "kick_found", "kick_rate")
	if err := cw.Write(head); err != nil {
		return err
	}
	for _, r := range s.Cells {
		rec := []string{r.HMM, strconv.Itoa(r.Hidden), strconv.Itoa(r.Input), r.Tag, strconv.Itoa(r.Planned), strconv.Itoa(r.Done)}
		for _, mt := range s.Metrics {
			rec = append(rec, fmtStat(r.Stats[mt.Name])...)
		}
		rec = append(rec, strconv.Itoa(r.KickTested), strconv.Itoa(r.KickFound), fmtRate(r.KickRate))
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteNetworksCSV writes one row per finished network.
func (s *Summary) WriteNetworksCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	head := []string{"index", "id", "hmm", "hidden", "input", "seed", "tag", "steps"}
	for _, mt := range s.Metrics {
		head = append(head, mt.Name)
	}
	head = append(head, "kick_found", "kick_neurons", "seconds", "host")
	if err := cw.Write(head); err != nil {
		return err
	}
	for _, r := range s.Networks {
		rec := []string{strconv.Itoa(r.Index), r.ID, r.HMMName, strconv.Itoa(r.Hidden), strconv.Itoa(r.Input),
			strconv.FormatUint(r.Seed, 10), r.Tag, strconv.Itoa(r.Steps)}
		for _, mt := range s.Metrics {
			if x := mt.get(r); math.IsNaN(x) {
				rec = append(rec, "")
			} else {
				rec = append(rec, fmtNum(x))
			}
		}
		kf, kn := "", ""
		if r.Kick != nil {
			kf = strconv.FormatBool(r.Kick.Found)
			kn = strconv.Itoa(len(r.Kick.Neurons))
		}
		rec = append(rec, kf, kn, fmtNum(r.Seconds), r.Host)
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// Summary file names written by WriteSummary.
const (
	SummaryJSON = "summary.json"
	SummaryCSV  = "summary.csv"
	NetworksCSV = "networks.csv"
	SummaryHTML = "index.html"
)

// WriteSummary writes summary.json, summary.csv, networks.csv and
// index.html into dir (created if needed), each atomically.
func (s *Summary) WriteSummary(dir string) error {
	var js, cs, ns, hs bytes.Buffer
	enc := json.NewEncoder(&js)
	enc.SetIndent("", " ")
	if err := enc.Encode(s); err != nil {
		return fmt.Errorf("sweep: summary: %w", err)
	}
	if err := s.WriteCSV(&cs); err != nil {
		return fmt.Errorf("sweep: summary: %w", err)
	}
	if err := s.WriteNetworksCSV(&ns); err != nil {
		return fmt.Errorf("sweep: summary: %w", err)
	}
	if err := s.WriteHTML(&hs); err != nil {
		return fmt.Errorf("sweep: summary: %w", err)
	}
	for _, f := range []struct {
		name string
		data []byte
	}{{SummaryJSON, js.Bytes()}, {SummaryCSV, cs.Bytes()}, {NetworksCSV, ns.Bytes()}, {SummaryHTML, hs.Bytes()}} {
		if err := WriteFileAtomic(filepath.Join(dir, f.name), f.data); err != nil {
			return err
		}
	}
	return nil
}
