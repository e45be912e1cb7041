package train

import (
	"slices"
	"testing"

	"hmmrnn/core/rnn"
)

// syncHelper answers at once from an rnn.PartServer (the browser's second
// worker answers asynchronously; the results are the same).
type syncHelper struct {
	s     rnn.PartServer
	calls int
}

func (h *syncHelper) Forward(p rnn.Part) func() ([]uint8, error) {
	h.calls++
	sym, err := h.s.Forward(p)
	sym = slices.Clone(sym)
	return func() ([]uint8, error) { return sym, err }
}

func (h *syncHelper) Backward(dY []float64) func() ([]float32, error) {
	g, err := h.s.Backward(dY)
	g = slices.Clone(g)
	return func() ([]float32, error) { return g, err }
}

// TestHelperSameRun trains with and without a helper (fresh data, and a
// fixed set whose last batch is smaller) and requires the same weights and
// losses bit for bit, with the helper used on every step.
func TestHelperSameRun(t *testing.T) {
	for _, data := range []string{DataFresh, DataFixed} {
		c := smallConfig(t, data)
		c.Batch, c.TrainSize = 150, 400 // 3 chunks; the fixed set's last batch has 100 rows (2 chunks)
		a, _ := New(c)
		b, _ := New(c)
		h := &syncHelper{}
		b.SetHelper(h)
		run(t, a, 6)
		run(t, b, 6)
		if !sameNet(a.Net(), b.Net()) || !slices.Equal(a.Losses(), b.Losses()) {
			t.Errorf("%s: the helper changed the run", data)
		}
		if h.calls != 6 || b.HelperErr() != nil {
			t.Errorf("%s: helper called %d times (want 6), error %v", data, h.calls, b.HelperErr())
		}
	}
}
