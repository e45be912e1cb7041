package report

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strings"

	"hmmrnn/core/dynamics"
)

// Schema is the value of report.json's "schema" field.
const Schema = "hmmrnn-report/1"

// Report is the content of report.json. See the package documentation for
// the schema; every field below says what it holds.
type Report struct {
	Schema string    `json:"schema"`
	Model  ModelInfo `json:"model"`
	Seed   uint64    `json:"seed"`
	// Sigma is the noise std the analyses used.
	Sigma float64 `json:"sigma"`
	// Seconds is the wall time of each analysis.
	Seconds map[string]float64 `json:"seconds"`
	// KickNeurons is the automatically detected kick set: a flat list of
	// 0-based neuron indices (empty when none was found or "kick" did not run).
	KickNeurons []int `json:"kick_neurons"`
	// Checks summarises the headline facts of METHOD.md section 6.
	Checks Checks `json:"checks"`

	PCA              *PCAInfo                `json:"pca,omitempty"`
	Collapse         *dynamics.Collapse      `json:"collapse,omitempty"`
	FixedPoints      []FixedPointInfo        `json:"fixed_points,omitempty"`
	Residency        *ResidencyInfo          `json:"residency,omitempty"`
	Sensitivity      *SensitivityInfo        `json:"sensitivity,omitempty"`
	Sweep            *dynamics.Sweep         `json:"sweep,omitempty"`
	Kick             *KickInfo               `json:"kick,omitempty"`
	Causal           *dynamics.Causal        `json:"causal,omitempty"`
	Evolution        *dynamics.Evolution     `json:"evolution,omitempty"`
	Readout          []dynamics.ReadoutAngle `json:"readout,omitempty"`
	Compositionality []dynamics.PairSubspace `json:"compositionality,omitempty"`
	// Notes holds remarks about analyses that were skipped or degenerate.
	Notes []string `json:"notes,omitempty"`

	art *artifacts // data for the figures, not serialised
}

// ModelInfo describes the analysed network.
type ModelInfo struct {
	Name      string  `json:"name,omitempty"`
	H         int     `json:"hidden"`
	D         int     `json:"input"`
	O         int     `json:"outputs"`
	NoiseStd  float64 `json:"noise_std"`
	HMMStates int     `json:"hmm_states,omitempty"`
	SeqLen    int     `json:"seq_len,omitempty"`
}

// PCAInfo describes the reference run and its PCA.
type PCAInfo struct {
	Steps          int       `json:"steps"`
	Explained      []float64 `json:"explained"` // variance fraction of PC1..PC3
	TransitionRate float64   `json:"transition_rate"`
	OutputFreq     []float64 `json:"output_freq"` // argmax-output frequencies
}

// FixedPointInfo is one fixed or slow point with its spectrum.
type FixedPointInfo struct {
	dynamics.FixedPoint
	// Eigen lists the Jacobian eigenvalues as [re, im] pairs.
	Eigen [][2]float64 `json:"eigen"`
	// PC is the point's PC1..PC3 coordinates (fixed points and the origin).
	PC []float64 `json:"pc,omitempty"`
}

// ResidencyInfo holds residency, zone and stability along a stretch of the run.
type ResidencyInfo struct {
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
	// ByZone averages per zone (transition, kick, cluster, other).
	ByZone []ZoneStats `json:"by_zone"`
}

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

// SensitivityInfo is the noise-sensitivity analysis (METHOD 5.6), averaged
// over many cluster and transition states.
//
// The headline number is the noise share of the motion (dynamics.Spread):
// after Steps steps with fully fresh noise (the largest gamma), the share
// of the continuations' mean squared displacement from the start that is
// spread rather than common drift, in the PC1-PC2 plane where the orbit
// lives. Clusters are noise-driven when their share is high (near 1: the
// state moves only by diffusion) and transitions deterministic when theirs
// is low (every continuation makes the same excursion). The raw spreads
// (trace of the covariance) are reported too, but they cannot show the
// claim: the noise enters additively with the same covariance everywhere,
// so the raw spread is about the same from every state.
type SensitivityInfo struct {
	Gammas        []float64 `json:"gammas"`
	Steps         int       `json:"steps"`
	Continuations int       `json:"continuations"`
	// ClusterStates and TransitionStates are the run steps continued. The
	// states come from the residency stretch; when it holds too few
	// transition states, Candidates more states (the two before each of a
	// sample of the run's output switches) are classified by the same
	// residency criterion (METHOD 5.4) and their transition states added.
	ClusterStates    []int `json:"cluster_states"`
	TransitionStates []int `json:"transition_states"`
	Candidates       int   `json:"candidates"`
	// Cluster and Transition are the spreads averaged over the states
	// (noise shares are means of the per-state shares).
	Cluster    []dynamics.Spread `json:"cluster"`
	Transition []dynamics.Spread `json:"transition"`
	// ClusterShares and TransitionShares are the per-state noise shares
	// (PC1-PC2 plane, largest gamma, last step) behind Ratio.
	ClusterShares    []float64 `json:"cluster_shares"`
	TransitionShares []float64 `json:"transition_shares"`
	// Ratio is the cluster/transition ratio of the mean noise share in the
	// PC1-PC2 plane at the largest gamma after the last step (> 1: clusters
	// noise-driven, transitions deterministic); FullRatio the same in all
	// H dimensions. RawRatio and RawPlaneRatio are the cluster/transition
	// ratios of the raw spread (trace of the covariance) in all dimensions
	// and in the plane.
	Ratio         float64 `json:"ratio"`
	FullRatio     float64 `json:"full_ratio"`
	RawRatio      float64 `json:"raw_ratio"`
	RawPlaneRatio float64 `json:"raw_plane_ratio"`
}

// KickInfo extends the detection result with the connectivity analysis.
type KickInfo struct {
	dynamics.KickResult
	Fraction    float64            `json:"fraction"` // kick set size / H
	Integrating []IntegratingGroup `json:"integrating"`
	Blocks      []dynamics.Block   `json:"blocks"`
}

// IntegratingGroup is the integrating population of one kick group.
type IntegratingGroup struct {
	Direction dynamics.Direction `json:"direction"`
	Neurons   []int              `json:"neurons"`
}

func (k *KickInfo) groupList() ([]string, [][]int) {
	var names []string
	var groups [][]int
	for _, g := range k.Groups {
		names = append(names, "kick "+g.Direction.String())
		groups = append(groups, g.Neurons)
	}
	for _, g := range k.Integrating {
		names = append(names, "int "+g.Direction.String())
		groups = append(groups, g.Neurons)
	}
	return names, groups
}

func (k *KickInfo) integratingUnion() []int {
	seen := map[int]bool{}
	var out []int
	for _, g := range k.Integrating {
		for _, n := range g.Neurons {
			if !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		}
	}
	sort.Ints(out)
	return out
}

// Checks are the headline facts of METHOD.md section 6 as measured here.
type Checks struct {
	// OneFixedPoint: every input-free run ended at the same state.
	OneFixedPoint *bool `json:"one_fixed_point,omitempty"`
	// Clusters are stable (mean unstable count < 0.5) and transitions
	// unstable (mean unstable count > the clusters').
	ClusterUnstable    *float64 `json:"cluster_mean_unstable,omitempty"`
	TransitionUnstable *float64 `json:"transition_mean_unstable,omitempty"`
	ClustersStable     *bool    `json:"clusters_stable,omitempty"`
	TransitionsLess    *bool    `json:"transitions_less_stable,omitempty"`
	// SensitivityRatio is the cluster/transition ratio of the noise share
	// of the motion in the PC1-PC2 plane (SensitivityInfo.Ratio; want > 1),
	// RelativeSensitivityRatio the same in all H dimensions (FullRatio) and
	// RawSensitivityRatio the ratio of the raw spreads (RawRatio; ~1 in an
	// additive-noise network, not a test of the claim).
	SensitivityRatio         *float64 `json:"sensitivity_ratio,omitempty"`
	RelativeSensitivityRatio *float64 `json:"relative_sensitivity_ratio,omitempty"`
	RawSensitivityRatio      *float64 `json:"raw_sensitivity_ratio,omitempty"`
	// KickFraction, KickCut and ControlCut: kick set size / H (want <=
	// 0.1), the rate cut when it is silenced (want >= 0.7), the mean cut of
	// equal-size random sets (want far less).
	KickFraction *float64 `json:"kick_fraction,omitempty"`
	KickCut      *float64 `json:"kick_cut,omitempty"`
	ControlCut   *float64 `json:"control_cut,omitempty"`
	// BestGroupCut is the largest cut from silencing one direction's kick
	// group; KickDoubleCut and ControlDoubleCut the cuts at mu = 2.
	BestGroupCut     *float64 `json:"best_group_cut,omitempty"`
	KickDoubleCut    *float64 `json:"kick_double_cut,omitempty"`
	ControlDoubleCut *float64 `json:"control_double_cut,omitempty"`
}

func checks(r *Report) Checks {
	var c Checks
	b := func(v bool) *bool { return &v }
	f := func(v float64) *float64 { return &v }
	if r.Collapse != nil {
		c.OneFixedPoint = b(r.Collapse.Endpoints == 1)
	}
	if r.Residency != nil {
		var cl, tr *ZoneStats
		for i := range r.Residency.ByZone {
			z := &r.Residency.ByZone[i]
			switch z.Zone {
			case "cluster":
				cl = z
			case "transition":
				tr = z
			}
		}
		if cl != nil && cl.Count > 0 {
			c.ClusterUnstable = f(cl.MeanUnstable)
			c.ClustersStable = b(cl.MeanUnstable < 0.5)
		}
		if tr != nil && tr.Count > 0 {
			c.TransitionUnstable = f(tr.MeanUnstable)
			if cl != nil && cl.Count > 0 {
				c.TransitionsLess = b(tr.MeanUnstable > cl.MeanUnstable)
			}
		}
	}
	if r.Sensitivity != nil && r.Sensitivity.Ratio > 0 {
		c.SensitivityRatio = f(r.Sensitivity.Ratio)
		c.RelativeSensitivityRatio = f(r.Sensitivity.FullRatio)
		c.RawSensitivityRatio = f(r.Sensitivity.RawRatio)
	}
	if r.Kick != nil {
		c.KickFraction = f(r.Kick.Fraction)
	}
	if r.Causal != nil {
		c.KickCut = f(r.Causal.KickCut)
		c.ControlCut = f(r.Causal.ControlCutMean)
		if len(r.Causal.GroupCuts) > 0 {
			c.BestGroupCut = f(r.Causal.BestGroupCut)
		}
		c.KickDoubleCut = f(r.Causal.KickDoubleCut)
		c.ControlDoubleCut = f(r.Causal.ControlDoubleCutMean)
	}
	return c
}

// JSON returns report.json (indented). JSON has no NaN or infinity: such
// values (from diverging networks) are written as 0 and listed in notes.
func (r *Report) JSON() ([]byte, error) {
	var bad []string
	sanitize(reflect.ValueOf(r).Elem(), "report", &bad)
	if len(bad) > 0 {
		if len(bad) > 5 {
			bad = append(bad[:5], fmt.Sprintf("and %d more", len(bad)-5))
		}
		r.Notes = append(r.Notes, "non-finite values written as 0: "+strings.Join(bad, ", "))
	}
	b, err := json.MarshalIndent(r, "", " ")
	if err != nil {
		return nil, fmt.Errorf("report: encode: %w", err)
	}
	return append(b, '\n'), nil
}

// artifacts keeps what the figures need beyond report.json.
type artifacts struct {
	run  *dynamics.Run
	pca  *dynamics.PCA
	proj []float64 // run in PC coordinates (T x pca.K)
	whh  []float64 // the network's W_hh
	res  []dynamics.Residence
	// A representative spectrum per zone (the first seen).
	zoneSpec map[dynamics.Zone]dynamics.Spectrum
}

func (a *artifacts) zoneSpectra(z dynamics.Zone, s dynamics.Spectrum) {
	if a.zoneSpec == nil {
		a.zoneSpec = map[dynamics.Zone]dynamics.Spectrum{}
	}
	if _, ok := a.zoneSpec[z]; !ok {
		a.zoneSpec[z] = s
	}
}

// sanitize replaces NaN and infinite float64 values reachable from v by 0
// and records their paths.
func sanitize(v reflect.Value, path string, bad *[]string) {
	switch v.Kind() {
	case reflect.Float64:
		if f := v.Float(); math.IsNaN(f) || math.IsInf(f, 0) {
			if v.CanSet() {
				v.SetFloat(0)
				*bad = append(*bad, path)
			}
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			sanitize(v.Elem(), path, bad)
		}
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < v.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			tag := strings.Split(f.Tag.Get("json"), ",")[0]
			if tag == "-" {
				continue
			}
			if tag == "" {
				tag = f.Name
			}
			sanitize(v.Field(i), path+"."+tag, bad)
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			sanitize(v.Index(i), fmt.Sprintf("%s[%d]", path, i), bad)
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			e := v.MapIndex(k)
			if e.Kind() == reflect.Float64 {
				if f := e.Float(); math.IsNaN(f) || math.IsInf(f, 0) {
					v.SetMapIndex(k, reflect.ValueOf(0.0).Convert(e.Type()))
					*bad = append(*bad, fmt.Sprintf("%s[%v]", path, k))
				}
			}
		}
	}
}
