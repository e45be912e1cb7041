package sweep

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hmmrnn/core/internal/golden"
)

func TestCollect(t *testing.T) {
	m := testManifest(t)
	dir := t.TempDir()
	f := newFake()
	// Leave entry 3 (linear2-h8-d2-s2) undone.
	if _, err := RunPool(context.Background(), dir, m, []int{0, 1, 2, 4}, f.run, PoolOptions{Workers: 2}); err != nil {
		t.Fatal(err)
	}
	results, err := ReadResults(dir, m)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Collect(m, results)
	if err != nil {
		t.Fatal(err)
	}
	if s.Total != 5 || s.Done != 4 || len(s.Missing) != 1 || s.Missing[0] != m.Entries[3].ID {
		t.Errorf("counts: total %d done %d missing %v", s.Total, s.Done, s.Missing)
	}
	// Cells in manifest order: h4 (seeds 1, 2), h8 (seed 1 done of 2), h4 tagged.
	if len(s.Cells) != 3 {
		t.Fatalf("%d cells, want 3", len(s.Cells))
	}
	c0, c1, c2 := s.Cells[0], s.Cells[1], s.Cells[2]
	if c0.Hidden != 4 || c0.Tag != "" || c1.Hidden != 8 || c2.Tag != "fast" {
		t.Errorf("cell keys %+v %+v %+v", c0.GroupKey, c1.GroupKey, c2.GroupKey)
	}
	// fakeResult: trans_max_abs = 0.01 * seed over seeds {1, 2}:
	// mean 0.015, sample std 0.01/sqrt(2).
	st := c0.Stats["trans_max_abs"]
	const tol = 1e-12
	if st.N != 2 || math.Abs(st.Mean-0.015) > tol || math.Abs(st.Std-0.01/math.Sqrt2) > tol || st.Min != 0.01 || st.Max != 0.02 {
		t.Errorf("cell 0 trans_max_abs %+v", st)
	}
	if st := c1.Stats["trans_max_abs"]; st.N != 1 || st.Std != 0 || c1.Done != 1 || c1.Planned != 2 {
		t.Errorf("cell 1: %+v done %d/%d", st, c1.Done, c1.Planned)
	}
	if st := c0.Stats["volatility_diff"]; math.Abs(st.Mean-0.5) > tol {
		t.Errorf("volatility_diff %+v, want 0.5", st)
	}
	// Kick found for odd seeds.
	if c0.KickTested != 2 || c0.KickFound != 1 || c0.KickRate == nil || *c0.KickRate != 0.5 {
		t.Errorf("cell 0 kick %d/%d", c0.KickFound, c0.KickTested)
	}
	if len(s.ByHMM) != 2 || s.ByHMM[0].Done != 3 || s.ByHMM[0].Planned != 4 || s.ByHMM[1].Tag != "fast" {
		t.Errorf("by HMM %+v", s.ByHMM)
	}

	out := t.TempDir()
	if err := s.WriteSummary(out); err != nil {
		t.Fatal(err)
	}
	var back Summary
	data, err := os.ReadFile(filepath.Join(out, SummaryJSON))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &back); err != nil || back.Done != 4 || len(back.Cells) != 3 || len(back.Networks) != 4 {
		t.Errorf("summary.json: %v %+v", err, back)
	}
	csvData, err := os.ReadFile(filepath.Join(out, SummaryCSV))
	if err != nil {
		t.Fatal(err)
	}
	golden.Bytes(t, "summary.csv", csvData) // regenerate with `go test ./core/sweep -update`
	rows := readCSV(t, filepath.Join(out, SummaryCSV))
	if len(rows) != 4 {
		t.Fatalf("summary.csv has %d rows, want header + 3", len(rows))
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	if rows[1][col["hmm"]] != "linear2" || rows[1][col["trans_max_abs_mean"]] != "0.015" || rows[1][col["kick_rate"]] != "0.5" {
		t.Errorf("summary.csv row 1: %v", rows[1])
	}
	nets := readCSV(t, filepath.Join(out, NetworksCSV))
	if len(nets) != 5 || nets[1][1] != m.Entries[0].ID {
		t.Errorf("networks.csv: %v", nets)
	}
	page, err := os.ReadFile(filepath.Join(out, SummaryHTML))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<svg", "linear2 (fast)", "0.015 ± 0.00707", "4 of 5 networks done", m.Entries[3].ID, "1/2"} {
		if !bytes.Contains(page, []byte(want)) {
			t.Errorf("index.html lacks %q", want)
		}
	}

	// Results must belong to their entries.
	results[0], results[1] = results[1], results[0]
	if _, err := Collect(m, results); err == nil {
		t.Error("swapped results accepted")
	}
	if _, err := Collect(m, results[:2]); err == nil {
		t.Error("short results accepted")
	}
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(string(data))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestCollectEmpty(t *testing.T) {
	m := testManifest(t)
	s, err := Collect(m, make([]*Result, len(m.Entries)))
	if err != nil {
		t.Fatal(err)
	}
	if s.Done != 0 || len(s.Missing) != 5 {
		t.Errorf("empty collect: %+v", s)
	}
	// Nothing done still gives a valid page and JSON (no NaN).
	if err := s.WriteSummary(t.TempDir()); err != nil {
		t.Fatal(err)
	}
}

func TestCollectNoWellSampledRows(t *testing.T) {
	m := testManifest(t)
	results := make([]*Result, len(m.Entries))
	for i := 0; i < 2; i++ {
		e := &m.Entries[i]
		results[i] = fakeResult(e, 10)
		results[i].ID, results[i].Index = e.ID, e.Index
	}
	// Entry 1 had no well-sampled transition row: its transition figures
	// must not count (as 0) in the cell.
	results[1].Fidelity.WellSampledRows = 0
	s, err := Collect(m, results)
	if err != nil {
		t.Fatal(err)
	}
	if st := s.Cells[0].Stats["trans_max_abs"]; st.N != 1 || st.Mean != 0.01 {
		t.Errorf("trans_max_abs %+v, want only entry 0's 0.01", st)
	}
	if st := s.Cells[0].Stats["matched"]; st.N != 2 {
		t.Errorf("matched pooled %d values, want 2", st.N)
	}
	var b strings.Builder
	if err := s.WriteNetworksCSV(&b); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(b.String())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := -1
	for i, h := range rows[0] {
		if h == "trans_max_abs" {
			col = i
		}
	}
	if col < 0 || rows[1][col] != "0.01" || rows[2][col] != "" {
		t.Errorf("networks.csv trans_max_abs column: %q, %q", rows[1][col], rows[2][col])
	}
}
