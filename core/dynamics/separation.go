package dynamics

import (
	"fmt"
	"math"
)

// Thresholds of ClusterSeparation.
const (
	// SeparationMinShare is the share of the states an output must be
	// emitted on to get a centroid: output 1 of the linear chains (1% of the
	// steps, core/METHOD.md section 1) has too few states for a stable one and is left out.
	SeparationMinShare = 0.05
	// SeparatedAt is the Skill from which the output clusters count as
	// separated: the plane tells the output at least halfway from chance to
	// certainty. Skill rather than Ratio because Ratio takes the closest
	// pair of outputs, which penalises three clusters along one orbit
	// (fully3). Measured on the phase portraits of core/scene/portrait
	// (two portrait seeds each): the six gallery networks 0.64-0.88
	// (fully3 0.64-0.73, its Ratio 0.83-0.88); demo networks of linear2
	// (H 50, D 10, B 256, T 30) at the step their training met the fit
	// criterion, seeds 1-4 and 6, 0.90-0.96 (seed 5, which did not meet it
	// in 4,000 steps, 0.73); seeds 1-3 in their first 300 steps -0.47 to
	// 0.11, and 0.39-0.95 while the mechanism forms (steps 300-500).
	SeparatedAt = 0.5
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
	// Chance is the accuracy of always naming the most frequent of those
	// outputs, and Skill = (Accuracy - Chance) / (1 - Chance) the part of
	// the way from chance to certainty that the plane covers (0 when
	// undefined).
	Chance float64 `json:"chance"`
	Skill  float64 `json:"skill"`
	// Outputs lists the outputs that got a centroid.
	Outputs []int `json:"outputs"`
	// Separated is Skill >= SeparatedAt.
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
	for _, k := range s.Outputs {
		s.Chance = math.Max(s.Chance, count[k]/m)
	}
	if s.Chance < 1 {
		s.Skill = (s.Accuracy - s.Chance) / (1 - s.Chance)
	}
	switch {
	case spread > 0:
		s.Ratio = closest / spread
	case closest > 0:
		s.Ratio = math.MaxFloat64 // every output sits on its own point
	default:
		s.Ratio = 0
	}
	s.Separated = s.Skill >= SeparatedAt
	return s, nil
}
