package hmm

import (
	"fmt"
	"math/rand/v2"
)

// Sample draws n sequences of length T and returns the outputs and hidden
// states, row-major n*T (obs[i*T+t]). See SampleInto for the draw order.
func (m *HMM) Sample(r *rand.Rand, n, T int) (obs, states []uint8) {
	obs = make([]uint8, n*T)
	states = make([]uint8, n*T)
	m.SampleInto(r, obs, states, n, T)
	return obs, states
}

// SampleInto draws n sequences of length T into obs (and states, unless it
// is nil), both row-major n*T. The model must be valid and the slices at
// least n*T long; anything else is a programmer error and panics.
//
// Draw order (fixed, so a seed reproduces the sample): sequence by
// sequence; within a sequence one r.Float64() for the start state, one for
// the output at t = 0, then for each t = 1..T-1 one for the transition and
// one for the output. That is exactly 2*n*T uniforms. A category is chosen
// as the first index whose cumulative probability exceeds the uniform;
// rows are renormalised by their sum and zero-probability entries are never
// chosen.
func (m *HMM) SampleInto(r *rand.Rand, obs, states []uint8, n, T int) {
	if n < 0 || T < 0 {
		panic(fmt.Sprintf("hmm: SampleInto: negative size n=%d T=%d", n, T))
	}
	if len(obs) < n*T || (states != nil && len(states) < n*T) {
		panic(fmt.Sprintf("hmm: SampleInto: buffers too short for n*T = %d", n*T))
	}
	if n == 0 || T == 0 {
		return
	}
	M, O := m.States(), m.Outputs()
	c0 := make([]float64, M)
	cumulate(c0, m.Start)
	cA := make([]float64, M*M)
	cE := make([]float64, M*O)
	for i := 0; i < M; i++ {
		cumulate(cA[i*M:(i+1)*M], m.Transition[i])
		cumulate(cE[i*O:(i+1)*O], m.Emission[i])
	}
	for i := 0; i < n; i++ {
		o := obs[i*T : (i+1)*T]
		s := draw(c0, r.Float64())
		o[0] = uint8(draw(cE[s*O:(s+1)*O], r.Float64()))
		if states != nil {
			st := states[i*T : (i+1)*T]
			st[0] = uint8(s)
			for t := 1; t < T; t++ {
				s = draw(cA[s*M:(s+1)*M], r.Float64())
				st[t] = uint8(s)
				o[t] = uint8(draw(cE[s*O:(s+1)*O], r.Float64()))
			}
			continue
		}
		for t := 1; t < T; t++ {
			s = draw(cA[s*M:(s+1)*M], r.Float64())
			o[t] = uint8(draw(cE[s*O:(s+1)*O], r.Float64()))
		}
	}
}

// cumulate writes the cumulative sums of p, divided by the total, into c.
// From the last positive entry on, c is exactly 1, so that a uniform in
// [0, 1) always lands on an entry with positive probability.
func cumulate(c, p []float64) {
	total := 0.0
	last := 0
	for j, v := range p {
		total += v
		if v > 0 {
			last = j
		}
	}
	acc := 0.0
	for j, v := range p {
		acc += v
		c[j] = acc / total
	}
	for j := last; j < len(c); j++ {
		c[j] = 1
	}
}

// linearScanMax is the row length up to which draw scans linearly; longer
// rows use binary search.
const linearScanMax = 16

// draw returns the first index j with c[j] > u.
func draw(c []float64, u float64) int {
	if len(c) <= linearScanMax {
		for j, v := range c {
			if v > u {
				return j
			}
		}
		return len(c) - 1
	}
	lo, hi := 0, len(c)-1
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if c[mid] > u {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}
