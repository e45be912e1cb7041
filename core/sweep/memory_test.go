package sweep

import (
	"strings"
	"testing"
)

// TestCheckEntries refuses, with the entry named, an entry whose run needs
// more than the limit or whose evaluation exceeds the matching's size, and
// passes the small test grid.
func TestCheckEntries(t *testing.T) {
	m := testManifest(t)
	all := make([]int, len(m.Entries))
	for i := range all {
		all[i] = i
	}
	if err := CheckEntries(m, all, 1<<30, "limit"); err != nil {
		t.Fatalf("small grid under 1 GiB: %v", err)
	}
	if err := CheckEntries(m, all, 0, "limit"); err != nil {
		t.Fatalf("no limit: %v", err)
	}
	m.Entries[1].Train.Batch = 1 << 16
	err := CheckEntries(m, all, 1<<30, "--max-memory limit")
	if err == nil || !strings.Contains(err.Error(), "entry 1 ("+m.Entries[1].ID+")") || !strings.Contains(err.Error(), "B=65536") ||
		!strings.Contains(err.Error(), "--max-memory limit of 1.0 GiB") {
		t.Errorf("batch 65536: err = %v", err)
	}
	if err := CheckEntries(m, all[:1], 1<<30, "limit"); err != nil {
		t.Errorf("entry 0 alone is small: %v", err)
	}
	m.Entries[0].Eval.Sequences = 1 << 20
	if err := CheckEntries(m, all[:1], 0, "limit"); err == nil || !strings.Contains(err.Error(), "eval sequences = 1048576") {
		t.Errorf("2^20 eval sequences: err = %v", err)
	}
}
