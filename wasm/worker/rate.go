package main

import "time"

// rateWindow is how far back stepRate looks: long enough to hold several
// monitor checks (every checkEvery steps, a few seconds apart at the
// demo's step times), short enough to follow a stage change.
const rateWindow = 10 * time.Second

// stepRate is the status's milliseconds per step: the training time of the
// slices that ended within rateWindow of the latest, divided by their
// steps. A slice that runs a monitor check or a readout calibration takes
// hundreds of milliseconds for a few steps; as one term of an average of
// per-slice rates it threw the figure up several-fold (221 ms/step shown
// in a run averaging 36), as a share of the window's time it moves it by
// what it costs.
type stepRate struct {
	slices []rateSlice
}

type rateSlice struct {
	end   time.Time
	d     time.Duration
	steps int
}

// add records a slice of steps that took d and ended at end.
func (r *stepRate) add(end time.Time, d time.Duration, steps int) {
	r.slices = append(r.slices, rateSlice{end, d, steps})
	k := 0
	for k < len(r.slices) && end.Sub(r.slices[k].end) > rateWindow {
		k++
	}
	r.slices = append(r.slices[:0], r.slices[k:]...)
}

// ms returns the milliseconds per step over the window (0: no steps).
func (r *stepRate) ms() float64 {
	var d time.Duration
	steps := 0
	for _, s := range r.slices {
		d += s.d
		steps += s.steps
	}
	if steps == 0 {
		return 0
	}
	return float64(d.Microseconds()) / 1000 / float64(steps)
}

// reset forgets the slices (a new network).
func (r *stepRate) reset() { r.slices = r.slices[:0] }
