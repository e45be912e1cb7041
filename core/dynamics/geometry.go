package dynamics

import (
	"errors"
	"fmt"
	"math"

	"hmmrnn/core/rnn"
)

// ReadoutAngle is the angle between one readout row of W_out and the plane
// of the leading principal components (core/METHOD.md section 5.10).
type ReadoutAngle struct {
	Output  int     `json:"output"`
	Degrees float64 `json:"degrees"`
	Norm    float64 `json:"norm"`
}

// ReadoutAngles returns, for every output o, the angle in degrees between
// row o of W_out and span(PC1..PC_ReadoutPlane): acos(|P w| / |w|), with P
// the orthogonal projection on the plane (0 = in the plane, 90 =
// orthogonal).
func ReadoutAngles(net *rnn.Net, pca *PCA) ([]ReadoutAngle, error) {
	if net == nil || pca == nil {
		return nil, errors.New("dynamics: nil network or PCA")
	}
	if pca.H != net.H || pca.K < ReadoutPlane {
		return nil, fmt.Errorf("dynamics: PCA of dimension %d with %d axes does not fit H = %d", pca.H, pca.K, net.H)
	}
	H := net.H
	out := make([]ReadoutAngle, net.O)
	for o := range out {
		w := net.Wout[o*H : (o+1)*H]
		nw := norm(w)
		var p2 float64
		for k := 0; k < ReadoutPlane; k++ {
			c := dot(w, pca.Axes[k*H:(k+1)*H])
			p2 += c * c
		}
		a := ReadoutAngle{Output: o, Norm: nw, Degrees: 90}
		if nw > 0 {
			a.Degrees = math.Acos(math.Min(1, math.Sqrt(p2)/nw)) * 180 / math.Pi
		}
		out[o] = a
	}
	return out, nil
}

// PairSubspace is the part of a run that emits only one pair of outputs
// (core/METHOD.md section 5.11).
type PairSubspace struct {
	Outputs [2]uint8 `json:"outputs"`
	Steps   int      `json:"steps"`
	Spans   int      `json:"spans"`
	// Explained is the variance fraction of PC1 and PC2 fitted within the
	// pair's states: a planar orbit per pair shows as a large sum.
	Explained []float64 `json:"explained"`
	// Switches counts switches a->b and b->a inside the spans; Rate is
	// switches per step.
	Switches [2]int  `json:"switches"`
	Rate     float64 `json:"transition_rate"`
	// Zones counts the residency zones of the pair's states that were
	// classified (see Compositionality).
	Zones map[string]int `json:"zones"`
	Proj  []float64      `json:"-"` // Steps x 2, in the pair's own PCA
	Out   []uint8        `json:"-"`
}

// CompositionOptions tune Compositionality.
type CompositionOptions struct {
	// MinSpan is the shortest span kept (default 10 steps) and MinSteps the
	// fewest steps a pair needs to be analysed (default 500).
	MinSpan, MinSteps int
}

// Compositionality restricts run to maximal spans that emit only outputs a
// and b (and contain both), for every pair a < b, fits a PCA within each
// pair's states and counts the zones of its states (core/METHOD.md section 5.11). zones maps
// a step of run to its residency zone (may be nil or partial).
func Compositionality(run *Run, zones map[int]Zone, opt CompositionOptions) ([]PairSubspace, error) {
	if run == nil {
		return nil, errors.New("dynamics: nil run")
	}
	if opt.MinSpan <= 0 {
		opt.MinSpan = 10
	}
	if opt.MinSteps <= 0 {
		opt.MinSteps = 500
	}
	H := run.H
	var out []PairSubspace
	for a := 0; a < run.O; a++ {
		for b := a + 1; b < run.O; b++ {
			ps := PairSubspace{Outputs: [2]uint8{uint8(a), uint8(b)}, Zones: map[string]int{}}
			var idx []int
			t := 0
			for t < run.T {
				if o := int(run.Out[t]); o != a && o != b {
					t++
					continue
				}
				s := t
				for t < run.T && (int(run.Out[t]) == a || int(run.Out[t]) == b) {
					t++
				}
				if t-s < opt.MinSpan {
					continue
				}
				var hasA, hasB bool
				for k := s; k < t; k++ {
					hasA = hasA || int(run.Out[k]) == a
					hasB = hasB || int(run.Out[k]) == b
				}
				if !hasA || !hasB {
					continue
				}
				ps.Spans++
				for k := s; k < t; k++ {
					idx = append(idx, k)
					if k > s && run.Out[k] != run.Out[k-1] {
						if int(run.Out[k-1]) == a {
							ps.Switches[0]++
						} else {
							ps.Switches[1]++
						}
					}
					if z, ok := zones[k]; ok {
						ps.Zones[z.String()]++
					}
				}
			}
			ps.Steps = len(idx)
			if ps.Steps < opt.MinSteps {
				continue
			}
			ps.Rate = float64(ps.Switches[0]+ps.Switches[1]) / float64(ps.Steps)
			states := make([]float64, 0, len(idx)*H)
			ps.Out = make([]uint8, len(idx))
			for i, k := range idx {
				states = append(states, run.State(k)...)
				ps.Out[i] = run.Out[k]
			}
			pca, err := FitPCA(states, len(idx), H, min(2, H))
			if err != nil {
				return nil, fmt.Errorf("dynamics: pair %d/%d: %w", a, b, err)
			}
			ps.Explained = pca.ExplainedRatio()
			ps.Proj = pca.Project(states, len(idx))
			out = append(out, ps)
		}
	}
	return out, nil
}
