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
	// Checks summarises the headline facts of core/METHOD.md section 6.
	Checks Checks `json:"checks"`

	PCA              *PCAInfo                `json:"pca,omitempty"`
	Collapse         *dynamics.Collapse      `json:"collapse,omitempty"`
	FixedPoints      []FixedPointInfo        `json:"fixed_points,omitempty"`
	Residency        *dynamics.Stretch       `json:"residency,omitempty"`
	Sensitivity      *dynamics.Sensitivity   `json:"sensitivity,omitempty"`
	Noise            *dynamics.NoiseScan     `json:"noise,omitempty"`
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

// Checks are the headline facts of core/METHOD.md section 6 as measured here.
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
	// KickFraction, KickCut and ControlCut: kick set size / H (want small:
	// each direction's group is capped at dynamics.MaxKickFraction of H),
	// the rate cut when it is silenced (want >= 0.7), the mean cut of
	// equal-size random sets (want far less).
	KickFraction *float64 `json:"kick_fraction,omitempty"`
	KickCut      *float64 `json:"kick_cut,omitempty"`
	ControlCut   *float64 `json:"control_cut,omitempty"`
	// KickDirections is the number of output directions switching on at
	// least dynamics.MinDirectionRate of the steps, KickGroups how many of
	// them have a kick group (want all).
	KickDirections *int `json:"kick_directions,omitempty"`
	KickGroups     *int `json:"kick_groups,omitempty"`
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
		cl, okC := r.Residency.Mean(dynamics.Cluster)
		tr, okT := r.Residency.Mean(dynamics.Transition)
		if okC {
			c.ClusterUnstable = f(cl.MeanUnstable)
			c.ClustersStable = b(cl.MeanUnstable < 0.5)
		}
		if okT {
			c.TransitionUnstable = f(tr.MeanUnstable)
			if okC {
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
		var dirs, groups int
		for _, d := range r.Kick.Directions {
			if d.Status != dynamics.KickRare {
				dirs++
			}
			if d.Status == dynamics.KickFound {
				groups++
			}
		}
		c.KickDirections, c.KickGroups = &dirs, &groups
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
// The report itself is left as it is: the encoded one is a cleaned copy.
func (r *Report) JSON() ([]byte, error) {
	var bad []string
	c := clean(reflect.ValueOf(*r), "report", &bad).Interface().(Report)
	if len(bad) > 0 {
		if len(bad) > 5 {
			bad = append(bad[:5], fmt.Sprintf("and %d more", len(bad)-5))
		}
		c.Notes = append(append([]string(nil), c.Notes...), "non-finite values written as 0: "+strings.Join(bad, ", "))
	}
	b, err := json.MarshalIndent(c, "", " ")
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
}

// clean returns a copy of v, as deep as JSON encodes it, with NaN and
// infinite float64 values replaced by 0, and records their paths.
// Unexported struct fields and fields tagged "-" are left at zero.
func clean(v reflect.Value, path string, bad *[]string) reflect.Value {
	out := reflect.New(v.Type()).Elem()
	switch v.Kind() {
	case reflect.Float64:
		f := v.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			*bad = append(*bad, path)
			f = 0
		}
		out.SetFloat(f)
	case reflect.Pointer:
		if !v.IsNil() {
			p := reflect.New(v.Type().Elem())
			p.Elem().Set(clean(v.Elem(), path, bad))
			out.Set(p)
		}
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < v.NumField(); i++ {
			f := t.Field(i)
			tag := strings.Split(f.Tag.Get("json"), ",")[0]
			if !f.IsExported() || tag == "-" {
				continue
			}
			if tag == "" {
				tag = f.Name
			}
			if f.Anonymous {
				tag = path
			} else {
				tag = path + "." + tag
			}
			out.Field(i).Set(clean(v.Field(i), tag, bad))
		}
	case reflect.Slice:
		if !v.IsNil() {
			out.Set(reflect.MakeSlice(v.Type(), v.Len(), v.Len()))
			for i := 0; i < v.Len(); i++ {
				out.Index(i).Set(clean(v.Index(i), fmt.Sprintf("%s[%d]", path, i), bad))
			}
		}
	case reflect.Array:
		for i := 0; i < v.Len(); i++ {
			out.Index(i).Set(clean(v.Index(i), fmt.Sprintf("%s[%d]", path, i), bad))
		}
	case reflect.Map:
		if !v.IsNil() {
			out.Set(reflect.MakeMapWithSize(v.Type(), v.Len()))
			for _, k := range v.MapKeys() {
				out.SetMapIndex(k, clean(v.MapIndex(k), fmt.Sprintf("%s[%v]", path, k), bad))
			}
		}
	default:
		out.Set(v)
	}
	return out
}
