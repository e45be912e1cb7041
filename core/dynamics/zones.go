package dynamics

import (
	"errors"
	"fmt"
	"math/rand/v2"
)

// ZoneStats are the means over the states of one zone.
type ZoneStats struct {
	Zone            string  `json:"zone"`
	Count           int     `json:"count"`
	MeanResidency   float64 `json:"mean_residency"`
	MeanSignChanges float64 `json:"mean_sign_changes"`
	MeanUnstable    float64 `json:"mean_unstable"`
	MeanCritical    float64 `json:"mean_critical"`
	MeanComplex     float64 `json:"mean_complex"`
}

// Stretch is the residency, zone and local stability of consecutive states
// of a run (arXiv 2510.25674 sections 5.4, 5.5), and their means per zone.
type Stretch struct {
	Start         int `json:"start"` // first step of the stretch
	States        int `json:"states"`
	Continuations int `json:"continuations"`
	MaxSteps      int `json:"max_steps"`
	// Per state of the stretch: residency time, zone, and the Jacobian's
	// unstable-eigenvalue and critical-pair counts.
	Residency []float64 `json:"residency"`
	Zone      []string  `json:"zone"`
	Unstable  []int     `json:"unstable"`
	Critical  []int     `json:"critical"`
	// ByZone averages per zone, in the order of Zones.
	ByZone []ZoneStats `json:"by_zone"`
	// Res is the residency of each state; ZoneSpectrum a representative
	// spectrum per zone (the first state of the zone), for figures.
	Res          []Residence       `json:"-"`
	ZoneSpectrum map[Zone]Spectrum `json:"-"`
}

// StretchZones analyses n consecutive states of run from the middle of
// the run (all of it when n >= run.T): residency with sim's noise
// (Residency, random numbers from r), zone, Jacobian spectrum, and the
// means per zone.
func StretchZones(sim *Sim, r *rand.Rand, run *Run, n int) (*Stretch, error) {
	if sim == nil || run == nil {
		return nil, errors.New("dynamics: nil simulator or run")
	}
	if n <= 0 {
		return nil, fmt.Errorf("dynamics: stretch needs n > 0 states, got %d", n)
	}
	H := sim.Net.H
	n = min(n, run.T)
	t0 := (run.T - n) / 2
	res, err := Residency(sim, r, run.States[t0*H:(t0+n)*H], n, ResidencyOptions{})
	if err != nil {
		return nil, err
	}
	sp, err := NewSpectra(sim.Net, nil)
	if err != nil {
		return nil, err
	}
	st := &Stretch{Start: t0, States: n, Continuations: ResidencyContinuations, MaxSteps: ResidencyMaxSteps,
		Res: res, ZoneSpectrum: map[Zone]Spectrum{}}
	acc := map[Zone]*ZoneStats{}
	for _, z := range Zones {
		acc[z] = &ZoneStats{Zone: z.String()}
	}
	for k, rs := range res {
		s, err := sp.At(run.State(t0 + k))
		if err != nil {
			return nil, err
		}
		st.Residency = append(st.Residency, rs.Residency)
		st.Zone = append(st.Zone, rs.Zone.String())
		st.Unstable = append(st.Unstable, s.Unstable)
		st.Critical = append(st.Critical, s.Critical)
		z := acc[rs.Zone]
		z.Count++
		z.MeanResidency += rs.Residency
		z.MeanSignChanges += rs.SignChanges
		z.MeanUnstable += float64(s.Unstable)
		z.MeanCritical += float64(s.Critical)
		z.MeanComplex += float64(s.Complex)
		if _, ok := st.ZoneSpectrum[rs.Zone]; !ok {
			st.ZoneSpectrum[rs.Zone] = s
		}
	}
	for _, z := range Zones {
		zs := acc[z]
		if zs.Count > 0 {
			c := float64(zs.Count)
			zs.MeanResidency /= c
			zs.MeanSignChanges /= c
			zs.MeanUnstable /= c
			zs.MeanCritical /= c
			zs.MeanComplex /= c
		}
		st.ByZone = append(st.ByZone, *zs)
	}
	return st, nil
}

// ZoneOf maps each run step of the stretch to its zone.
func (s *Stretch) ZoneOf() map[int]Zone {
	m := make(map[int]Zone, len(s.Res))
	for k, rs := range s.Res {
		m[s.Start+k] = rs.Zone
	}
	return m
}

// Mean returns the zone's statistics (ok false when the zone has no state).
func (s *Stretch) Mean(z Zone) (ZoneStats, bool) {
	for _, zs := range s.ByZone {
		if zs.Zone == z.String() {
			return zs, zs.Count > 0
		}
	}
	return ZoneStats{}, false
}
