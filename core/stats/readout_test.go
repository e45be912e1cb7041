package stats

import (
	"math"
	"testing"
)

func TestRunFiguresOf(t *testing.T) {
	seqs := func(s ...string) []uint8 {
		var out []uint8
		for _, q := range s {
			for _, c := range q {
				out = append(out, uint8(c-'0'))
			}
		}
		return out
	}
	plain := &Report{O: 3}
	merged := &Report{O: 3, RareSymbols: []int{1}, DwellRNNMerged: &Dwell{}}
	for _, c := range []struct {
		name string
		rep  *Report
		obs  []string
		want RunFigures
	}{
		// "001100": 2 changes, one complete run (11, length 2).
		{"two-step run", plain, []string{"001100"}, RunFigures{2, 0}},
		// "020000": 2 changes, the complete run "2" is one step long.
		{"blip", plain, []string{"020000"}, RunFigures{2, 1}},
		// Over two sequences: 2 + 1 changes; complete runs "2" only.
		{"pooled", plain, []string{"020000", "000222"}, RunFigures{1.5, 1}},
		// The rare symbol 1 is merged into the run it interrupts.
		{"rare merged", merged, []string{"001000", "022000"}, RunFigures{1, 0}},
		{"rare counted", plain, []string{"001000"}, RunFigures{2, 1}},
	} {
		obs := seqs(c.obs...)
		got := c.rep.RunFiguresOf(obs, len(c.obs), 6)
		if math.Abs(got.Changes-c.want.Changes) > 1e-12 || math.Abs(got.OneStep-c.want.OneStep) > 1e-12 {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
}
