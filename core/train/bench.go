package train

import (
	"context"
	"errors"
	"slices"
	"time"

	"hmmrnn/core/rnn"
)

// BenchResult is the wall time of the median training step and of its
// parts (so the parts never add up to more than the step).
type BenchResult struct {
	Step     time.Duration // whole step
	RNN      time.Duration // RNN forward and backward
	Sinkhorn time.Duration // loss and its gradient
	Steps    int           // measured steps
	Kernels  string        // rnn.KernelName()
	Helped   bool          // a helper computed half of the chunks (with Config.Energy, two of the five divergences too) throughout
}

// Bench trains a fresh network of cfg for warmup unmeasured steps, then for
// steps measured ones, and returns the median step with its split. It is the one measurement
// behind `hmmrnn bench` and the page's in-browser figure. h, if not nil,
// is given to the trainer (Trainer.SetHelper). ctx stops it between steps.
func Bench(ctx context.Context, cfg Config, warmup, steps int, h rnn.Helper) (BenchResult, error) {
	if steps < 1 || warmup < 0 {
		return BenchResult{}, errors.New("train: Bench needs steps >= 1 and warmup >= 0")
	}
	tr, err := New(cfg)
	if err != nil {
		return BenchResult{}, err
	}
	tr.SetHelper(h)
	var st, rn, sk []time.Duration
	for i := range warmup + steps {
		if err := ctx.Err(); err != nil {
			return BenchResult{}, err
		}
		t0 := time.Now()
		info, err := tr.Step()
		if err != nil {
			return BenchResult{}, err
		}
		if i >= warmup {
			st = append(st, time.Since(t0))
			rn = append(rn, info.Time.RNN)
			sk = append(sk, info.Time.Sinkhorn)
		}
	}
	r := BenchResult{Steps: steps, Kernels: rnn.KernelName(), Helped: h != nil && tr.HelperErr() == nil}
	r.Step, r.RNN, r.Sinkhorn = medianSplit(st, rn, sk)
	return r, nil
}

// medianSplit returns the median of the step times st and the parts rn and
// sk of the same step (the means over the two middle steps for an even
// count): medians taken part by part could add up to more than the step.
func medianSplit(st, rn, sk []time.Duration) (step, r, s time.Duration) {
	idx := make([]int, len(st))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return int(st[a] - st[b]) })
	n := len(idx)
	if n%2 == 1 {
		m := idx[n/2]
		return st[m], rn[m], sk[m]
	}
	a, b := idx[n/2-1], idx[n/2]
	return (st[a] + st[b]) / 2, (rn[a] + rn[b]) / 2, (sk[a] + sk[b]) / 2
}

// median returns the middle value (the mean of the two middle ones for an
// even count) of a nonempty list.
func median[T ~int64 | ~float64](v []T) T {
	s := slices.Clone(v)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
