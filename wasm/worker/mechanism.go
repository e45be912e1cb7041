package main

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"hmmrnn/core/dynamics"
	"hmmrnn/core/scene/portrait"
)

// The live analyses of the mechanism, computed a piece at a time between
// training slices (a piece of the demo network costs 14-190 ms natively,
// measured on the loaded shared machine; the worker caps their share of
// the time while training, see mechShare):
//   - the training-evolution summary of every weight snapshot and the
//     bifurcation step it implies (core/METHOD.md section 5.9), marked on the loss chart;
//   - the stochastic-resonance curve of the shown network (core/METHOD.md section 5.3),
//     one noise level per piece.
// The heavy lifting is core/dynamics' (EvolutionPointOf, Bifurcation,
// Resonance); this file only schedules it.

// Live evolution summary of a snapshot: a noisy run as long as the
// portrait's long run (portrait.DefaultSteps, 4,000 steps), so the regime
// line and the picture judge boundedness over the same horizon (with 500
// or 2,000 steps a slow runaway passed for bounded while the portrait's run
// grew away: demo linear2 seed 1 at step 600 in the browser), and fewer
// spectra than core/dynamics' offline default (30 states): 19 ms per
// snapshot of the demo network natively (69 ms at H 150), load 2.6.
const (
	evoSteps  = portrait.DefaultSteps
	evoEigens = 10
)

// Mechanism holds the live analyses of one session.
type Mechanism struct {
	s      *Session
	points map[int]dynamics.EvolutionPoint // by snapshot step
	sentEv int                             // snapshots summarised when last sent (-1 = never sent)

	res      *dynamics.Resonance
	resPts   []dynamics.ResonancePoint
	resStep  int
	horizon  int
	silenced []int
}

// NewMechanism starts the analyses of a session.
func NewMechanism(s *Session) *Mechanism {
	return &Mechanism{s: s, points: map[int]dynamics.EvolutionPoint{}, sentEv: -1}
}

// Evolution is the message with the snapshots' summaries.
type Evolution struct {
	Type string `json:"type"`
	// Points are the summaries of the current snapshots, in step order.
	Points []dynamics.EvolutionPoint `json:"points"`
	// BifurcationStep is the step where the network entered the
	// noise-driven regime for good (dynamics.Bifurcation over Points: the
	// first snapshot from which every later one is noise-driven); -1 while
	// the newest snapshot is not.
	BifurcationStep int `json:"bifurcation_step"`
}

// EvolveOne summarises one snapshot not yet summarised, if any; it
// reports whether it did.
func (m *Mechanism) EvolveOne() (bool, error) {
	for _, sn := range m.s.snaps {
		if _, ok := m.points[sn.step]; ok {
			continue
		}
		r := rand.New(rand.NewPCG(m.s.seed(), uint64(sn.step)))
		cp := dynamics.Checkpoint{Label: fmt.Sprintf("step %d", sn.step), Step: sn.step, Net: sn.net}
		p, _, err := dynamics.EvolutionPointOf(cp, r, dynamics.DefaultSigma, evoSteps, evoEigens)
		if err != nil {
			return false, err
		}
		p.DH2 = nil // per-neuron drift: not shown, not sent
		m.points[sn.step] = p
		return true, nil
	}
	return false, nil
}

// EvolutionMessage returns the summaries of the current snapshots, and
// whether they changed since the last call that returned true.
func (m *Mechanism) EvolutionMessage() (Evolution, bool) {
	ev := Evolution{Type: "evolution", Points: []dynamics.EvolutionPoint{}, BifurcationStep: -1}
	for _, sn := range m.s.snaps {
		if p, ok := m.points[sn.step]; ok {
			ev.Points = append(ev.Points, p)
		}
	}
	if b := dynamics.Bifurcation(ev.Points); b >= 0 {
		ev.BifurcationStep = ev.Points[b].Step
	}
	if len(ev.Points) == m.sentEv {
		return ev, false
	}
	m.sentEv = len(ev.Points)
	return ev, true
}

// Resonance is the message with the stochastic-resonance curve so far.
type Resonance struct {
	Type     string                    `json:"type"`
	Step     int                       `json:"step"`     // training step of the network
	Silenced []int                     `json:"silenced"` // units silenced for the curve
	Sigmas   []float64                 `json:"sigmas"`   // all levels of the curve
	Points   []dynamics.ResonancePoint `json:"points"`   // computed so far
	Done     bool                      `json:"done"`
	// Horizon is the length of the runs from h0 = 0 the rates were
	// measured on (0: long chains).
	Horizon int `json:"horizon"`
}

// Restart starts a new curve for the network shown now with the given
// units silenced (mu = 0 on both inputs); the worker calls it whenever it
// sends a new portrait, so the curve follows the portrait (while training,
// every few seconds) rather than every step. horizon > 0 measures the
// rates on runs of that many steps from h0 = 0, as the portrait does for a
// network whose long run diverges (dynamics.ResonanceOptions.Horizon).
func (m *Mechanism) Restart(silenced []int, horizon int) error {
	s := m.s
	net := s.Net()
	iv := dynamics.Intervention{}
	if len(silenced) > 0 {
		var err error
		if iv, err = dynamics.Scale(net.H, silenced, 0, dynamics.Both); err != nil {
			return fmt.Errorf("worker: silenced units: %w", err)
		}
	}
	step := s.StepCount()
	// The HMM judged at the network's own trained T.
	h := s.hmm.Clone()
	h.SeqLen = s.T
	// A copy: training changes the network in place between pieces.
	res, err := dynamics.NewResonance(net.Clone(), s.seed()^uint64(step), dynamics.ResonanceOptions{HMM: h, Iv: iv, Horizon: horizon})
	if err != nil {
		return fmt.Errorf("worker: %w", err)
	}
	m.res, m.resPts, m.resStep, m.horizon = res, nil, step, horizon
	m.silenced = slices.Clone(silenced)
	slices.Sort(m.silenced)
	return nil
}

// ResonanceOne computes the next level of the current curve. It returns
// the curve so far and whether it computed a level (false when there is
// no curve or it is complete).
func (m *Mechanism) ResonanceOne() (Resonance, bool, error) {
	if m.res == nil || m.res.Done() {
		return Resonance{}, false, nil
	}
	p, ok, err := m.res.Next()
	if err != nil {
		m.res = nil
		return Resonance{}, false, fmt.Errorf("worker: %w", err)
	}
	m.resPts = append(m.resPts, p)
	return Resonance{Type: "resonance", Step: m.resStep, Silenced: append([]int{}, m.silenced...), Sigmas: m.res.Sigmas(),
		Points: slices.Clone(m.resPts), Done: m.res.Done(), Horizon: m.horizon}, ok, nil
}
