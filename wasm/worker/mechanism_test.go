package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"hmmrnn/core/dynamics"
)

func TestMechanismEvolutionAndResonance(t *testing.T) {
	s, err := NewSession(small("linear2"))
	if err != nil {
		t.Fatal(err)
	}
	s.snapEvery = 5
	steps(t, s, 20)
	m := NewMechanism(s)
	n := 0
	for {
		did, err := m.EvolveOne()
		if err != nil {
			t.Fatal(err)
		}
		if !did {
			break
		}
		n++
	}
	if n != len(s.snaps) || n != 5 {
		t.Fatalf("%d snapshots summarised, %d snapshots (want 5: steps 0, 5, ..., 20)", n, len(s.snaps))
	}
	ev, changed := m.EvolutionMessage()
	if !changed || len(ev.Points) != n || ev.Points[0].Step != 0 || ev.Points[n-1].Step != 20 {
		t.Fatalf("evolution %+v changed %v", ev, changed)
	}
	want := -1 // 20 steps of training: not in the noise-driven regime yet
	if b := dynamics.Bifurcation(ev.Points); b >= 0 {
		want = ev.Points[b].Step
	}
	if ev.BifurcationStep != want {
		t.Errorf("bifurcation step %d, want %d", ev.BifurcationStep, want)
	}
	if _, changed := m.EvolutionMessage(); changed {
		t.Error("unchanged evolution reported as changed")
	}

	if _, did, _ := m.ResonanceOne(); did {
		t.Error("resonance level computed before any curve was started")
	}
	if err := m.Restart([]int{99}, 0); err == nil {
		t.Error("silenced unit out of range accepted")
	}
	if err := m.Restart([]int{3, 1}, 0); err != nil {
		t.Fatal(err)
	}
	var last Resonance
	for k := 1; ; k++ {
		r, did, err := m.ResonanceOne()
		if err != nil {
			t.Fatal(err)
		}
		if !did {
			break
		}
		if len(r.Points) != k || r.Step != 20 || !slices.Equal(r.Silenced, []int{1, 3}) || len(r.Sigmas) != len(dynamics.DefaultResonanceSigmas) {
			t.Fatalf("level %d: %+v", k, r)
		}
		last = r
	}
	if last.Horizon != 0 {
		t.Errorf("horizon %d, want 0", last.Horizon)
	}
	if err := m.Restart(nil, 30); err != nil {
		t.Fatal(err)
	}
	r, did, err := m.ResonanceOne()
	if err != nil || !did || r.Horizon != 30 || r.Silenced == nil || len(r.Silenced) != 0 {
		t.Errorf("horizon curve %+v, %v, %v", r, did, err)
	}
	// The page reads silenced as a list: never null.
	if b, _ := json.Marshal(r); !strings.Contains(string(b), `"silenced":[]`) {
		t.Errorf("message %s", b)
	}
	if !last.Done || len(last.Points) != len(last.Sigmas) {
		t.Errorf("curve ended with %d of %d levels, done %v", len(last.Points), len(last.Sigmas), last.Done)
	}
	if _, err := json.Marshal(last); err != nil {
		t.Error(err)
	}
}

func TestPortraitUnitsView(t *testing.T) {
	s, err := NewSession(small("linear2"))
	if err != nil {
		t.Fatal(err)
	}
	_, pi, err := s.Portrait(View{Sigma: 1, Units: true, Silenced: []int{2}, Snapshot: -1})
	if err != nil {
		t.Fatal(err)
	}
	if pi.Window == nil || pi.Window.H != 8 || pi.Roles == nil || len(pi.Roles.Of) != 8 || !slices.Equal(pi.Silenced, []int{2}) {
		t.Fatalf("units view: window %+v roles %+v silenced %v", pi.Window, pi.Roles, pi.Silenced)
	}
	if _, err := json.Marshal(pi); err != nil {
		t.Error(err)
	}
	if _, _, err := s.Portrait(View{Sigma: 1, Silenced: []int{8}, Snapshot: -1}); err == nil {
		t.Error("silenced unit out of range accepted")
	}
}
