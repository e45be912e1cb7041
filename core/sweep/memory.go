package sweep

import (
	"fmt"
	"strings"

	"hmmrnn/core/stats"
)

// CheckEntries checks, before anything runs, that each listed entry of m
// can run within limit bytes (train.Config.MemoryBytes of its ConfigFor;
// limit <= 0: no limit) and that its evaluation stays within the
// Sinkhorn matching's size (stats.MaxMatchSamples), so a sweep fails at
// once with the entry named rather than after hours of training or by an
// out-of-memory kill. source names the limit in the message.
func CheckEntries(m *Manifest, indices []int, limit int64, source string) error {
	for _, i := range indices {
		e := &m.Entries[i]
		cfg, err := ConfigFor(e)
		if err != nil {
			return fmt.Errorf("entry %d: %w", i, err)
		}
		if err := cfg.CheckMemory(limit, source); err != nil {
			return fmt.Errorf("sweep: entry %d (%s): %s", i, e.ID, strings.TrimPrefix(err.Error(), "train: "))
		}
		if e.Eval.Sequences > stats.MaxMatchSamples {
			return fmt.Errorf("sweep: entry %d (%s): eval sequences = %d, at most %d (the Sinkhorn matching's n x n plan)",
				i, e.ID, e.Eval.Sequences, stats.MaxMatchSamples)
		}
	}
	return nil
}
