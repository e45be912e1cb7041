package main

import (
	"encoding/json"
	"testing"
)

// TestPortraitInfoEncodes: the portrait message is valid JSON for fresh
// networks of the default recipe, including one whose long run grows out of
// range (linear3, seed 7, the URL-state test's settings) with the kick
// search on: its first-order kick scores overflowed to NaN, the worker
// failed to encode the message and the page waited for ever.
func TestPortraitInfoEncodes(t *testing.T) {
	for _, c := range []struct {
		s Settings
		v View
	}{
		{Settings{Arch: "linear3", Hidden: 40, Input: 8, Batch: 256, LR: 1e-3, Seed: 7, SeqLen: 40}, View{Sigma: 1.5, Kick: true, Snapshot: -1}},
		{Settings{Arch: "linear2", Hidden: 50, Input: 10, Batch: 256, LR: 1e-3, Seed: 1}, View{Sigma: 1, Snapshot: -1, Flow: true, Density: true, Decay: true}},
		{Settings{Arch: "cyclic4", Hidden: 50, Input: 10, Batch: 256, LR: 1e-3, Seed: 1}, View{Sigma: 1, Snapshot: -1, Flow: true, Density: true, Decay: true}},
	} {
		s, err := NewSession(c.s)
		if err != nil {
			t.Fatal(err)
		}
		_, pi, err := s.Portrait(c.v)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := json.Marshal(pi); err != nil {
			t.Errorf("%s: %v %+v", c.s.Arch, err, pi.Info)
		}
	}
}
