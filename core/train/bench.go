package train

import (
	"context"
	"errors"
	"slices"
	"time"

	"hmmrnn/core/rnn"
)

// BenchResult is the median wall time of training steps and of their parts.
type BenchResult struct {
	Step     time.Duration // whole step
	RNN      time.Duration // RNN forward and backward
	Sinkhorn time.Duration // loss and its gradient
	Steps    int           // measured steps
	Kernels  string        // rnn.KernelName()
	Helped   bool          // a helper computed half of the chunks throughout
}

// Bench trains a fresh network of cfg for warmup unmeasured steps, then for
// steps measured ones, and returns the medians. It is the one measurement
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
	return BenchResult{Step: median(st), RNN: median(rn), Sinkhorn: median(sk), Steps: steps, Kernels: rnn.KernelName(),
		Helped: h != nil && tr.HelperErr() == nil}, nil
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
