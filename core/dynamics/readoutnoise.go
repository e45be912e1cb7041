package dynamics

import (
	"fmt"
	"math/rand/v2"

	"hmmrnn/core/rnn"
)

// ReadoutNoise separates the output switching of a network's dynamics from
// the switching its sampled readout adds. The network emits a sample of
// softmax(logits) at every step (the hard Gumbel-softmax sample of
// core/METHOD.md section 2), so a readout that is not saturated inside a
// cluster emits one-step blips of another symbol while the state stays put;
// the argmax of the logits, which the analyses colour by, changes only when
// the state crosses to another output's region. Comparing the two tells
// whether a network's excess of short runs comes from its dynamics or from
// its readout.
type ReadoutNoise struct {
	// OffArgmax is the mean, over every step of every run, of
	// 1 - max softmax(logits): the probability that the emitted symbol is
	// not the argmax.
	OffArgmax float64 `json:"off_argmax"`
	// Argmax holds the argmax outputs of the runs, N x T row-major, for
	// the emission statistics (stats.Summary, stats.Dwells).
	Argmax []uint8 `json:"-"`
	N, T   int     `json:"-"`
}

// ReadoutNoiseOf simulates n runs of T steps from h_0 = 0 at noise std
// sigma (the distribution the network was trained on), the noise drawn
// from PCG(seed, streamReadout), and measures their readout noise.
func ReadoutNoiseOf(net *rnn.Net, sigma float64, seed uint64, n, T int) (*ReadoutNoise, error) {
	if n <= 0 || T <= 0 {
		return nil, fmt.Errorf("dynamics: readout noise needs n > 0 runs of T > 0 steps, got n=%d T=%d", n, T)
	}
	sim, err := NewSim(net, sigma, Intervention{})
	if err != nil {
		return nil, err
	}
	runs, err := sim.SimulateBatch(rand.New(rand.NewPCG(seed, streamReadout)), n, T, nil, false)
	if err != nil {
		return nil, err
	}
	rn := &ReadoutNoise{Argmax: make([]uint8, 0, n*T), N: n, T: T}
	var off float64
	for _, r := range runs {
		for t := 0; t < T; t++ {
			off += 1 - maxSoftmax(r.Logits[t*r.O:(t+1)*r.O])
		}
		rn.Argmax = append(rn.Argmax, r.Out...)
	}
	rn.OffArgmax = off / float64(n*T)
	return rn, nil
}
