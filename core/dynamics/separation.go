package dynamics

import (
	"fmt"
	"math"
)

// Thresholds of ClusterSeparation.
const (
	// SeparationMinShare is the share of the states an output must be
	// emitted on to get a centroid: output 1 of the linear chains (1% of the
	// steps, METHOD 1) has too few states for a stable one and is left out.
	SeparationMinShare = 0.05
	// SeparatedAt is the separation from which the output clusters count
	// as separated. Measured on 2-D projections of the shown states
	// (core/scene/portrait): the gallery's trained networks 1.05 (fully3)
	// to 2.4, demo networks of linear2 trained to the fit criterion 1.9-8,
	// networks in the first 300 training steps 0.4-0.7. At 1 the distance
	// between two output centroids equals the RMS distance of a state to
	// its own centroid.
	SeparatedAt = 1.0
)

// Separation says how well the emitted output can be read from a 2-D
// projection of the states (the portrait's question: are the output
// clusters separated along the orbit?).
type Separation struct {
	// Ratio is the smallest distance between the centroids of two outputs
	// divided by the pooled within-output spread (the RMS distance of a
	// state to the centroid of its own output); NaN with fewer than two
	// outputs emitted on at least SeparationMinShare of the states.
	Ratio float64 `json:"ratio"`
	// Accuracy is the fraction of those outputs' states whose nearest
	// centroid is their own output's (nearest-centroid classification; 1 =
	// the plane determines the output, 1/k = chance for k equal outputs);
	// 0 when Ratio is undefined.
	Accuracy float64 `json:"accuracy"`
	// Outputs lists the outputs that got a centroid.
	Outputs []int `json:"outputs"`
	// Separated is Ratio >= SeparatedAt.
	Separated bool `json:"separated"`
}

// ClusterSeparation measures how separated the output clusters are in a 2-D
// projection: xy holds n points as x0, y0, x1, y1, ... and out the output
// emitted at each (values < O). Only outputs emitted on at least
// SeparationMinShare of the points take part.
func ClusterSeparation(xy []float64, out []uint8, O int) (Separation, error) {
	n := len(out)
	if len(xy) != 2*n {
		return Separation{}, fmt.Errorf("dynamics: separation needs 2 coordinates per output, got %d values for %d outputs", len(xy), n)
	}
	var s Separation
	count := make([]float64, O)
	cx := make([]float64, O)
	cy := make([]float64, O)
	for t, o := range out {
		if int(o) >= O {
			return Separation{}, fmt.Errorf("dynamics: output %d at point %d out of range [0, %d)", o, t, O)
		}
		count[o]++
		cx[o] += xy[2*t]
		cy[o] += xy[2*t+1]
	}
	in := make([]bool, O)
	for k := range O {
		if n > 0 && count[k] >= SeparationMinShare*float64(n) {
			in[k] = true
			s.Outputs = append(s.Outputs, k)
			cx[k] /= count[k]
			cy[k] /= count[k]
		}
	}
	if len(s.Outputs) < 2 {
		return s, nil
	}
	var ss, m, right float64
	for t, o := range out {
		if !in[o] {
			continue
		}
		x, y := xy[2*t], xy[2*t+1]
		ss += (x-cx[o])*(x-cx[o]) + (y-cy[o])*(y-cy[o])
		m++
		best, bd := -1, math.Inf(1)
		for _, k := range s.Outputs {
			if d := math.Hypot(x-cx[k], y-cy[k]); d < bd {
				best, bd = k, d
			}
		}
		if best == int(o) {
			right++
		}
	}
	closest := math.Inf(1)
	for i, a := range s.Outputs {
		for _, b := range s.Outputs[i+1:] {
			closest = math.Min(closest, math.Hypot(cx[a]-cx[b], cy[a]-cy[b]))
		}
	}
	spread := math.Sqrt(ss / m)
	s.Accuracy = right / m
	switch {
	case spread > 0:
		s.Ratio = closest / spread
	case closest > 0:
		s.Ratio = math.MaxFloat64 // every output sits on its own point
	default:
		s.Ratio = 0
	}
	s.Separated = s.Ratio >= SeparatedAt
	return s, nil
}
