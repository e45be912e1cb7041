package main

import (
	"math"
	"testing"
	"time"
)

// The rate is the window's time over its steps: a slow slice (a check)
// counts by its share, slices older than the window drop out, and a reset
// forgets everything.
func TestStepRate(t *testing.T) {
	var r stepRate
	if r.ms() != 0 {
		t.Errorf("no slices: %v ms/step, want 0", r.ms())
	}
	t0 := time.Unix(0, 0)
	at := t0
	// 19 slices of 60 ms with 2 steps (30 ms/step), then one check slice:
	// 300 ms for 1 step.
	for range 19 {
		at = at.Add(60 * time.Millisecond)
		r.add(at, 60*time.Millisecond, 2)
	}
	at = at.Add(300 * time.Millisecond)
	r.add(at, 300*time.Millisecond, 1)
	want := (19*60.0 + 300) / 39
	if got := r.ms(); math.Abs(got-want) > 1e-9 {
		t.Errorf("with a check: %v ms/step, want %v (an average of per-slice rates gives %v)", got, want, (19*30.0+300)/20)
	}
	// Past the window only the new slices count.
	at = at.Add(rateWindow + time.Second)
	r.add(at, 40*time.Millisecond, 4)
	if got := r.ms(); got != 10 {
		t.Errorf("after the window: %v ms/step, want 10", got)
	}
	r.reset()
	if r.ms() != 0 || len(r.slices) != 0 {
		t.Errorf("after reset: %v ms/step, %d slices", r.ms(), len(r.slices))
	}
}
