package report

import (
	"fmt"
	"html"
	"image/color"
	"math"
	"sort"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"hmmrnn/core/dynamics"
)

// Files returns every file of the report directory: report.json, one SVG
// per figure and index.html showing the figures with their captions.
func (r *Report) Files() (map[string][]byte, error) {
	figs, err := r.Figures()
	if err != nil {
		return nil, err
	}
	js, err := r.JSON()
	if err != nil {
		return nil, err
	}
	files := map[string][]byte{"report.json": js}
	for _, f := range figs {
		files[f.Name] = f.SVG
	}
	files["index.html"] = r.HTML(figs)
	return files, nil
}

// Figures draws every figure the report has data for. A figure the
// plotting library cannot draw (e.g. a degenerate axis range) is left out
// with a note in r.Notes.
func (r *Report) Figures() ([]Figure, error) {
	var figs []Figure
	type maker struct {
		name, title, caption string
		make                 func() ([]byte, error)
		ok                   bool
	}
	a := r.art
	have := a != nil && a.run != nil
	ms := []maker{
		{"orbit.svg", "Noise-driven trajectory (PC1-PC2)",
			"The first steps of the noise-driven reference run projected on PC1-PC2 of a PCA fitted to the whole run, coloured by the argmax of the logits; the cross marks the fixed point found without input. The state circulates along a closed orbit and the emitted output follows the position on the orbit (core/METHOD.md section 5.1).",
			func() ([]byte, error) { return r.figOrbit(1) }, have},
		{"orbit13.svg", "Noise-driven trajectory (PC1-PC3)", "As above in PC1-PC3.",
			func() ([]byte, error) { return r.figOrbit(2) }, have && a.pca.K >= 3},
		{"collapse.svg", "Without input: collapse to one fixed point",
			"Left: input-free runs (x = 0) from states sampled on the noise-driven run (grey), projected on PC1-PC2; they all end at the fixed point (cross). Right: mean log10 |h_t| over the runs (core/METHOD.md section 5.2).",
			r.figCollapse, have && r.Collapse != nil},
		{"spectra.svg", "Fixed and slow points: Jacobian spectra",
			"Eigenvalues of J = D W_hh at each fixed or slow point found by minimising q(h) = |relu(W_hh h) - h|^2/2 (left, with the unit circle) and their Mobius images z = (lambda-1)/(lambda+1) (right; Re z > 0 is unstable). For the origin the Jacobian is taken along the direction of approach of the input-free runs.",
			r.figSpectra, len(r.FixedPoints) > 0},
		{"residency.svg", "Residency time and zones along the run",
			"Top: residency time (mean steps until the output changes over 20 noise continuations, capped at 50) for consecutive states of the run, coloured by zone (transition < 2, kick-zone 2-8, cluster > 8 with max probability > 0.8; core/METHOD.md section 5.4); the band below shows the emitted output. Bottom: number of unstable Jacobian eigenvalues at each state.",
			r.figResidency, have && r.Residency != nil},
		{"zones.svg", "Zones in state space",
			"States of the residency stretch in PC1-PC2, coloured by zone: slow noise-driven clusters alternate with fast transitions.",
			r.figZones, have && r.Residency != nil},
		{"stability.svg", "Local stability per zone",
			"Mean number of unstable eigenvalues (|lambda| > 1), critical complex pairs (|Re z| < 0.1, Im z > 0.05) and complex eigenvalues of the Jacobian per zone (core/METHOD.md section 5.5); and the Mobius-mapped spectrum of a representative cluster and transition state.",
			r.figStability, have && r.Residency != nil},
		{"sensitivity.svg", "Noise sensitivity",
			"From each of many cluster and transition states (zones of core/METHOD.md section 5.4), 100 continuations of 5 steps driven by (1-gamma) times the noise the run actually received after that state plus gamma times fresh noise (core/METHOD.md section 5.6). Left: the noise share of the motion, spread / (spread + drift^2) with spread the trace of the continuations' covariance and drift the distance of their mean from the start, after the last step, averaged over states, in the PC1-PC2 plane (solid) and in all H dimensions (dashed); 0 = every continuation makes the same move (deterministic), 1 = the state moves only by diffusion (noise-driven). Middle: the per-state shares at gamma = 1 (bar: mean; their ratio is checks.sensitivity_ratio). Right: the raw spread per step at gamma = 1 (all H dimensions solid, PC1-PC2 dashed); it is of the same order from every state because the noise enters additively everywhere, so by itself it cannot tell noise-driven from deterministic motion (its cluster/transition ratio is checks.raw_sensitivity_ratio).",
			r.figSensitivity, r.Sensitivity != nil},
		{"density.svg", "Noise-level scan: density in PC1-PC2",
			"Density of runs at several noise levels on the PC1-PC2 plane of the reference PCA (core/METHOD.md section 5.3): the region holding most of the trajectory grows with sigma.",
			r.figDensity, r.Noise != nil},
		{"resonance.svg", "Stochastic resonance",
			"Transition rate (argmax switches per step) and emission fidelity to the HMM (largest absolute transition-matrix difference over the well-sampled rows, and largest frequency difference, as in training and evaluation) versus the noise level; the dashed line marks the analysed level.",
			r.figResonance, r.Noise != nil},
		{"kick_weights.svg", "Kick neurons and integrating populations: W_hh blocks",
			"Recurrent weights among the automatically detected kick groups and their integrating populations (rows: to, columns: from), groups separated by lines (core/METHOD.md section 5.7).",
			r.figKickWeights, have && r.Kick != nil && len(r.Kick.Neurons) > 0},
		{"kick_activity.svg", "Group activity around transitions",
			"Mean activity of each kick group and integrating population over a stretch of the run; the band at the bottom shows the emitted output. Kick neurons of a direction fire in the state that direction leaves and fall silent after the switch.",
			r.figKickActivity, have && r.Kick != nil && len(r.Kick.Neurons) > 0},
		{"causal.svg", "Causal tests",
			"Transition rate (left) and mean critical-pair count at switches (right) when the input of the kick set, the integrating set and random control sets of the kick set's size is scaled by mu (0 = silence, 1 = nominal, 2 = double; core/METHOD.md section 5.8).",
			r.figCausal, r.Causal != nil},
		{"evolution.svg", "Training evolution",
			"Across checkpoints: transition rate, mean complex and unstable Jacobian eigenvalue counts along the noisy run, and the mean expected second-order noise term E[dh2]; the dashed line marks the bifurcation checkpoint (core/METHOD.md section 5.9).",
			r.figEvolution, r.Evolution != nil},
		{"evolution_pca.svg", "Orbit formation over training",
			"Runs of selected checkpoints in their own PC1-PC2 planes, coloured by output.",
			r.figPortraits, r.Evolution != nil && len(r.Evolution.Portraits) > 0},
		{"readout.svg", "Readout geometry",
			"Angle between each readout row of W_out and the PC1-PC2 plane (core/METHOD.md section 5.10).",
			r.figReadout, len(r.Readout) > 0},
		{"compose.svg", "Compositionality: output-pair subspaces",
			"For each pair of outputs, the stretches of the run that emit only that pair, in a PCA fitted within the pair (core/METHOD.md section 5.11): each pair reuses the same orbit motif.",
			r.figCompose, len(r.Compositionality) > 0},
	}
	for _, m := range ms {
		if !m.ok {
			continue
		}
		b, err := safe(m.make)
		if err != nil {
			r.Notes = append(r.Notes, fmt.Sprintf("figure %s left out: %v", m.name, err))
			continue
		}
		figs = append(figs, Figure{Name: m.name, Title: m.title, Caption: m.caption, SVG: b})
	}
	return figs, nil
}

func (r *Report) figOrbit(second int) ([]byte, error) {
	a := r.art
	n := min(orbitSteps, a.run.T)
	p := newPlot("", "PC1", fmt.Sprintf("PC%d", second+1))
	if err := addColoured(p, pcPairs(a.proj, a.pca.K, 0, second, n), a.run.Out[:n], 1); err != nil {
		return nil, err
	}
	if r.Collapse != nil && r.Collapse.FixedPoint != nil {
		c := a.pca.ProjectPoint(r.Collapse.FixedPoint)
		if err := scatter(p, plotter.XYs{{X: c[0], Y: c[second]}}, color.Black, 6, draw.CrossGlyph{}); err != nil {
			return nil, err
		}
	}
	outputLegend(p, a.run.O)
	return one(p)
}

func (r *Report) figCollapse() ([]byte, error) {
	a := r.art
	p := newPlot("input-free runs", "PC1", "PC2")
	n := min(orbitSteps, a.run.T)
	if err := addColoured(p, pcPairs(a.proj, a.pca.K, 0, 1, n), a.run.Out[:n], 0.3); err != nil {
		return nil, err
	}
	for _, tr := range r.Collapse.Trajectories {
		pr := a.pca.Project(tr.States, tr.T)
		xy := make(plotter.XYs, 0, tr.T)
		for t := 0; t < tr.T; t++ {
			xy = append(xy, plotter.XY{X: pr[t*a.pca.K], Y: pr[t*a.pca.K+1]})
		}
		if err := line(p, xy, color.Gray{Y: 60}, 1, ""); err != nil {
			return nil, err
		}
	}
	if fp := r.Collapse.FixedPoint; fp != nil {
		c := a.pca.ProjectPoint(fp)
		if err := scatter(p, plotter.XYs{{X: c[0], Y: c[1]}}, color.Black, 7, draw.CrossGlyph{}); err != nil {
			return nil, err
		}
	}
	q := newPlot("norm decay", "step", "mean log10 |h|")
	xy := make(plotter.XYs, len(r.Collapse.LogNorm))
	for t, v := range r.Collapse.LogNorm {
		xy[t] = plotter.XY{X: float64(t), Y: math.Max(v, -320)}
	}
	if err := line(q, xy, color.Black, 1.5, ""); err != nil {
		return nil, err
	}
	return render([][]*plot.Plot{{p, q}}, 2*figW, figH)
}

func (r *Report) figSpectra() ([]byte, error) {
	p := newPlot("eigenvalues", "Re lambda", "Im lambda")
	q := newPlot("Mobius z = (lambda-1)/(lambda+1)", "Re z", "Im z")
	if err := unitCircle(p); err != nil {
		return nil, err
	}
	if err := line(q, plotter.XYs{{X: 0, Y: -3}, {X: 0, Y: 3}}, color.Gray{Y: 120}, 1, ""); err != nil {
		return nil, err
	}
	for k, fp := range r.FixedPoints {
		ev := make([]complex128, len(fp.Eigen))
		for i, e := range fp.Eigen {
			ev[i] = complex(e[0], e[1])
		}
		c := outColor(k) // one colour per fixed point
		name := fmt.Sprintf("%s #%d", fp.Kind, k)
		if err := scatter(p, eigenXY(ev, false), c, 2.5, nil); err != nil {
			return nil, err
		}
		xy := eigenXY(ev, true)
		for i := range xy {
			xy[i].X = math.Max(-3, math.Min(3, xy[i].X))
			xy[i].Y = math.Max(-3, math.Min(3, xy[i].Y))
		}
		s, err := plotter.NewScatter(xy)
		if err != nil {
			return nil, err
		}
		s.GlyphStyle.Color, s.GlyphStyle.Radius = c, 2.5
		q.Add(s)
		q.Legend.Add(name, s)
		if k >= 7 {
			break
		}
	}
	return render([][]*plot.Plot{{p, q}}, 2*figW, figH)
}

func (r *Report) figResidency() ([]byte, error) {
	a, ri := r.art, r.Residency
	p := newPlot("", "step", "residency")
	byZone := map[dynamics.Zone]plotter.XYs{}
	for k, rs := range ri.Res {
		byZone[rs.Zone] = append(byZone[rs.Zone], plotter.XY{X: float64(ri.Start + k), Y: rs.Residency})
	}
	if err := zoneScatter(p, byZone, dynamics.Zones, 1.6); err != nil {
		return nil, err
	}
	// Output band below zero.
	for k := 0; k < ri.States; k++ {
		o := int(a.run.Out[ri.Start+k])
		x := float64(ri.Start + k)
		if err := line(p, plotter.XYs{{X: x, Y: -4}, {X: x + 1, Y: -4}}, outColor(o), 4, ""); err != nil {
			return nil, err
		}
	}
	q := newPlot("", "step", "unstable eigenvalues")
	xy := make(plotter.XYs, ri.States)
	for k := range xy {
		xy[k] = plotter.XY{X: float64(ri.Start + k), Y: float64(ri.Unstable[k])}
	}
	if err := line(q, xy, color.Black, 1, ""); err != nil {
		return nil, err
	}
	return render([][]*plot.Plot{{p}, {q}}, 2*figW, 1.5*figH)
}

func (r *Report) figZones() ([]byte, error) {
	a, ri := r.art, r.Residency
	p := newPlot("", "PC1", "PC2")
	byZone := map[dynamics.Zone]plotter.XYs{}
	K := a.pca.K
	for k, rs := range ri.Res {
		t := ri.Start + k
		byZone[rs.Zone] = append(byZone[rs.Zone], plotter.XY{X: a.proj[t*K], Y: a.proj[t*K+1]})
	}
	// Rare zones last, so they are drawn on top.
	if err := zoneScatter(p, byZone, []dynamics.Zone{dynamics.Other, dynamics.Cluster, dynamics.KickZone, dynamics.Transition}, 2); err != nil {
		return nil, err
	}
	return one(p)
}

// zoneScatter adds one scatter per zone (in the given order) in the zone's
// colour, with a legend at the top.
func zoneScatter(p *plot.Plot, byZone map[dynamics.Zone]plotter.XYs, order []dynamics.Zone, radius vg.Length) error {
	for _, z := range order {
		if xy := byZone[z]; len(xy) > 0 {
			s, err := plotter.NewScatter(xy)
			if err != nil {
				return err
			}
			s.GlyphStyle.Color, s.GlyphStyle.Radius = zoneColors[z], radius
			p.Add(s)
			p.Legend.Add(z.String(), s)
		}
	}
	p.Legend.Top = true
	return nil
}

func (r *Report) figStability() ([]byte, error) {
	p := newPlot("per zone", "", "mean count")
	var names []string
	vals := [3]plotter.Values{}
	for _, z := range r.Residency.ByZone {
		if z.Count == 0 {
			continue
		}
		names = append(names, fmt.Sprintf("%s (%d)", z.Zone, z.Count))
		vals[0] = append(vals[0], z.MeanUnstable)
		vals[1] = append(vals[1], z.MeanCritical)
		vals[2] = append(vals[2], z.MeanComplex/10)
	}
	labels := []string{"unstable", "critical pairs", "complex / 10"}
	w := vg.Points(12)
	for i := range vals {
		if len(vals[i]) == 0 {
			continue
		}
		b, err := plotter.NewBarChart(vals[i], w)
		if err != nil {
			return nil, err
		}
		b.Color = setColors[i]
		b.Offset = vg.Length(i-1) * w
		p.Add(b)
		p.Legend.Add(labels[i], b)
	}
	p.Legend.Top = true
	if len(names) > 0 {
		p.NominalX(names...)
	}
	q := newPlot("Mobius spectra", "Re z", "Im z")
	if err := line(q, plotter.XYs{{X: 0, Y: -3}, {X: 0, Y: 3}}, color.Gray{Y: 120}, 1, ""); err != nil {
		return nil, err
	}
	for _, z := range []dynamics.Zone{dynamics.Cluster, dynamics.Transition} {
		sp, ok := r.Residency.ZoneSpectrum[z]
		if !ok {
			continue
		}
		xy := eigenXY(sp.Eigen, true)
		for i := range xy {
			xy[i].X = math.Max(-3, math.Min(3, xy[i].X))
			xy[i].Y = math.Max(-3, math.Min(3, xy[i].Y))
		}
		s, err := plotter.NewScatter(xy)
		if err != nil {
			return nil, err
		}
		s.GlyphStyle.Color, s.GlyphStyle.Radius = zoneColors[z], 2.5
		q.Add(s)
		q.Legend.Add(z.String()+" state", s)
	}
	return render([][]*plot.Plot{{p, q}}, 2*figW, figH)
}

func (r *Report) figSensitivity() ([]byte, error) {
	si := r.Sensitivity
	S := si.Steps
	zones := []struct {
		name string
		sp   []dynamics.Spread
		c    color.RGBA
	}{{"cluster", si.Cluster, zoneColors[dynamics.Cluster]}, {"transition", si.Transition, zoneColors[dynamics.Transition]}}
	// Left: noise share after the last step versus gamma.
	p := newPlot(fmt.Sprintf("noise share of the motion after %d steps", S), "gamma (share of fresh noise)", "spread / (spread + drift^2)")
	for _, z := range zones {
		if len(z.sp) == 0 {
			continue
		}
		var pc, full plotter.XYs
		for _, sp := range z.sp {
			full = append(full, plotter.XY{X: sp.Gamma, Y: sp.NoiseShare[S-1]})
			if sp.NoiseSharePC != nil {
				pc = append(pc, plotter.XY{X: sp.Gamma, Y: sp.NoiseSharePC[S-1]})
			}
		}
		if len(pc) > 0 {
			if err := linePoints(p, pc, z.c, z.name+", PC1-PC2"); err != nil {
				return nil, err
			}
		}
		l, err := plotter.NewLine(full)
		if err != nil {
			return nil, err
		}
		l.Color, l.Width, l.Dashes = z.c, 1, []vg.Length{vg.Points(4), vg.Points(3)}
		p.Add(l)
		p.Legend.Add(z.name+", all H dims", l)
	}
	p.Y.Min, p.Y.Max = 0, 1
	p.Legend.Top, p.Legend.Left = true, true
	// Middle: the per-state shares behind the ratio.
	q := newPlot("per state, fresh noise", "", "noise share (PC1-PC2)")
	for i, sh := range [][]float64{si.ClusterShares, si.TransitionShares} {
		xy := make(plotter.XYs, len(sh))
		for k, v := range sh {
			xy[k] = plotter.XY{X: float64(i) + 0.3*(float64(k)/float64(max(1, len(sh)-1))-0.5), Y: v}
		}
		if err := scatter(q, xy, zones[i].c, 2.5, nil); err != nil {
			return nil, err
		}
		if len(sh) > 0 {
			m := mean(sh)
			if err := line(q, plotter.XYs{{X: float64(i) - 0.25, Y: m}, {X: float64(i) + 0.25, Y: m}}, color.Black, 2, ""); err != nil {
				return nil, err
			}
		}
	}
	q.X.Min, q.X.Max, q.Y.Min, q.Y.Max = -0.5, 1.5, 0, 1
	q.NominalX(zones[0].name, zones[1].name)
	// Right: the raw spread per step (the same order in both zones).
	w := newPlot("raw spread, fresh noise", "step", "trace of covariance")
	for _, z := range zones {
		if len(z.sp) == 0 {
			continue
		}
		sp := z.sp[len(z.sp)-1]
		var full, pc plotter.XYs
		for k := range sp.TraceCov {
			full = append(full, plotter.XY{X: float64(k + 1), Y: sp.TraceCov[k]})
			if sp.TracePC != nil {
				pc = append(pc, plotter.XY{X: float64(k + 1), Y: sp.TracePC[k]})
			}
		}
		if err := linePoints(w, full, z.c, z.name+", all H dims"); err != nil {
			return nil, err
		}
		if len(pc) > 0 {
			l, err := plotter.NewLine(pc)
			if err != nil {
				return nil, err
			}
			l.Color, l.Width, l.Dashes = z.c, 1, []vg.Length{vg.Points(4), vg.Points(3)}
			w.Add(l)
			w.Legend.Add(z.name+", PC1-PC2", l)
		}
	}
	w.Legend.Top, w.Legend.Left = true, true
	return render([][]*plot.Plot{{p, q, w}}, 3*figW, figH)
}

func (r *Report) figDensity() ([]byte, error) {
	sw := r.Noise
	want := dynamics.DefaultScanSigmas
	var levels []dynamics.NoiseLevel
	for _, lv := range sw.Levels {
		for _, s := range want {
			if lv.Sigma == s {
				levels = append(levels, lv)
			}
		}
	}
	if len(levels) == 0 {
		levels = sw.Levels
	}
	row := make([]*plot.Plot, len(levels))
	dx := (sw.X1 - sw.X0) / float64(sw.Bins)
	dy := (sw.Y1 - sw.Y0) / float64(sw.Bins)
	for i, lv := range levels {
		p := newPlot(fmt.Sprintf("sigma = %g", lv.Sigma), "PC1", "PC2")
		mx := 0.0
		for _, v := range lv.Density {
			mx = math.Max(mx, v)
		}
		if mx == 0 {
			mx = 1
		}
		z := make([]float64, len(lv.Density))
		for k, v := range lv.Density {
			z[k] = v / mx
		}
		g := grid{z: z, cols: sw.Bins, rows: sw.Bins, x0: sw.X0, dx: dx, y0: sw.Y0, dy: dy}
		h := plotter.NewHeatMap(g, heatPalette(32))
		h.Min, h.Max = 0, 1
		p.Add(h)
		c := plotter.NewContour(g, []float64{0.05, 0.2, 0.5}, divergingPalette(3))
		p.Add(c)
		row[i] = p
	}
	return render([][]*plot.Plot{row}, vg.Length(len(row))*10*vg.Centimeter, 10*vg.Centimeter)
}

func (r *Report) figResonance() ([]byte, error) {
	sw := r.Noise
	p := newPlot("transition rate", "noise std sigma", "switches per step")
	q := newPlot("emission fidelity", "noise std sigma", "difference to HMM")
	var rate, tr, fr plotter.XYs
	for _, lv := range sw.Levels {
		rate = append(rate, plotter.XY{X: lv.Sigma, Y: lv.Rate})
		if lv.Fidelity != nil {
			tr = append(tr, plotter.XY{X: lv.Sigma, Y: lv.Fidelity.TransDiff})
			fr = append(fr, plotter.XY{X: lv.Sigma, Y: lv.Fidelity.FreqDiff})
		}
	}
	if err := linePoints(p, rate, color.Black, ""); err != nil {
		return nil, err
	}
	mark := func(pl *plot.Plot, top float64) error {
		l, err := plotter.NewLine(plotter.XYs{{X: r.Sigma, Y: 0}, {X: r.Sigma, Y: top}})
		if err != nil {
			return err
		}
		l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
		l.Color = color.Gray{Y: 100}
		pl.Add(l)
		return nil
	}
	top := 0.0
	for _, v := range rate {
		top = math.Max(top, v.Y)
	}
	if err := mark(p, top); err != nil {
		return nil, err
	}
	plots := []*plot.Plot{p}
	if len(tr) > 0 {
		if err := linePoints(q, tr, setColors[0], "transition matrix"); err != nil {
			return nil, err
		}
		if err := linePoints(q, fr, setColors[1], "frequencies"); err != nil {
			return nil, err
		}
		t2 := 0.0
		for _, v := range append(append(plotter.XYs{}, tr...), fr...) {
			t2 = math.Max(t2, v.Y)
		}
		if err := mark(q, t2); err != nil {
			return nil, err
		}
		q.Legend.Top = true
		plots = append(plots, q)
	}
	return render([][]*plot.Plot{plots}, vg.Length(len(plots))*figW, figH)
}

func (r *Report) figKickWeights() ([]byte, error) {
	names, groups := r.Kick.groupList()
	var idx []int
	var bounds []int
	for _, g := range groups {
		idx = append(idx, g...)
		bounds = append(bounds, len(idx))
	}
	n := len(idx)
	z := make([]float64, n*n)
	mx := 1e-12
	H := r.Model.H
	whh := r.art.whh
	for a, i := range idx {
		for b, j := range idx {
			v := whh[i*H+j]
			z[(n-1-a)*n+b] = v // row 0 at the top
			mx = math.Max(mx, math.Abs(v))
		}
	}
	for k := range z {
		z[k] = 0.5 + 0.5*z[k]/mx
	}
	p := newPlot(fmt.Sprintf("W_hh (to <- from), |w| <= %.3g", mx), "from: "+strings.Join(names, " | "), "to")
	h := plotter.NewHeatMap(grid{z: z, cols: n, rows: n, dx: 1, dy: 1}, divergingPalette(64))
	h.Min, h.Max = 0, 1
	p.Add(h)
	for _, b := range bounds[:len(bounds)-1] {
		x := float64(b)
		if err := line(p, plotter.XYs{{X: x, Y: 0}, {X: x, Y: float64(n)}}, color.Black, 0.8, ""); err != nil {
			return nil, err
		}
		y := float64(n - b)
		if err := line(p, plotter.XYs{{X: 0, Y: y}, {X: float64(n), Y: y}}, color.Black, 0.8, ""); err != nil {
			return nil, err
		}
	}
	return render([][]*plot.Plot{{p}}, figW, figW)
}

func (r *Report) figKickActivity() ([]byte, error) {
	a := r.art
	names, groups := r.Kick.groupList()
	// A stretch of 300 steps starting shortly before the first switch after
	// the residency stretch start.
	t0 := 0
	if r.Residency != nil {
		t0 = r.Residency.Start
	}
	for t := t0 + 1; t < a.run.T; t++ {
		if a.run.Out[t] != a.run.Out[t-1] {
			t0 = max(0, t-30)
			break
		}
	}
	t1 := min(a.run.T, t0+300)
	act := dynamics.GroupActivity(a.run, groups, t0, t1)
	p := newPlot("", "step", "mean activity")
	top := 0.0
	for _, g := range act {
		for _, v := range g {
			top = math.Max(top, v)
		}
	}
	for t := t0; t < t1; t++ {
		c := outColor(int(a.run.Out[t]))
		if err := line(p, plotter.XYs{{X: float64(t), Y: -0.05 * top}, {X: float64(t + 1), Y: -0.05 * top}}, c, 8, ""); err != nil {
			return nil, err
		}
	}
	pal := []color.RGBA{{0, 0, 0, 255}, {90, 90, 90, 255}, {214, 39, 40, 255}, {31, 119, 180, 255}, {255, 127, 14, 255}, {148, 103, 189, 255}}
	for gi, g := range act {
		xy := make(plotter.XYs, len(g))
		for k, v := range g {
			xy[k] = plotter.XY{X: float64(t0 + k), Y: v}
		}
		if err := line(p, xy, pal[gi%len(pal)], 1.2, names[gi]); err != nil {
			return nil, err
		}
	}
	p.Legend.Top = true
	return render([][]*plot.Plot{{p}}, 2*figW, figH)
}

func (r *Report) figCausal() ([]byte, error) {
	c := r.Causal
	p := newPlot(fmt.Sprintf("transition rate (%s input scaled)", c.Mode), "mu", "switches per step")
	q := newPlot("critical pairs at switches", "mu", "mean count")
	groupCols := []color.RGBA{{255, 127, 14, 255}, {148, 103, 189, 255}, {140, 86, 75, 255}, {227, 119, 194, 255}}
	ng, controls := 0, 0
	for _, cv := range c.Curves {
		var col color.RGBA
		name := cv.Name
		switch {
		case cv.Name == "kick":
			col = setColors[0]
		case strings.HasPrefix(cv.Name, "kick "):
			col = groupCols[ng%len(groupCols)]
			ng++
		case cv.Name == "integrating":
			col = setColors[1]
		default:
			col = color.RGBA{150, 150, 150, 255}
			name = ""
			if controls == 0 {
				name = "random controls"
			}
			controls++
		}
		xy := make(plotter.XYs, len(c.Mus))
		for k, mu := range c.Mus {
			xy[k] = plotter.XY{X: mu, Y: cv.Rate[k]}
		}
		if err := linePoints(p, xy, col, name); err != nil {
			return nil, err
		}
		if len(cv.Critical) == len(c.Mus) {
			xy := make(plotter.XYs, len(c.Mus))
			for k, mu := range c.Mus {
				xy[k] = plotter.XY{X: mu, Y: cv.Critical[k]}
			}
			if err := linePoints(q, xy, col, name); err != nil {
				return nil, err
			}
		}
	}
	p.Legend.Top = true
	q.Legend.Top = true
	return render([][]*plot.Plot{{p, q}}, 2*figW, figH)
}

func (r *Report) figEvolution() ([]byte, error) {
	ev := r.Evolution
	mk := func(title, y string, f func(dynamics.EvolutionPoint) float64) (*plot.Plot, error) {
		p := newPlot(title, "training step", y)
		xy := make(plotter.XYs, len(ev.Points))
		top, bot := math.Inf(-1), math.Inf(1)
		for k, pt := range ev.Points {
			xy[k] = plotter.XY{X: float64(pt.Step), Y: f(pt)}
			top, bot = math.Max(top, xy[k].Y), math.Min(bot, xy[k].Y)
		}
		if err := linePoints(p, xy, color.Black, ""); err != nil {
			return nil, err
		}
		if ev.Bifurcation >= 0 {
			x := float64(ev.BifurcationStep)
			l, err := plotter.NewLine(plotter.XYs{{X: x, Y: bot}, {X: x, Y: top}})
			if err != nil {
				return nil, err
			}
			l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
			l.Color = setColors[0]
			p.Add(l)
		}
		return p, nil
	}
	var ps []*plot.Plot
	for _, s := range []struct {
		t, y string
		f    func(dynamics.EvolutionPoint) float64
	}{
		{"transition rate", "switches per step", func(p dynamics.EvolutionPoint) float64 { return p.Rate }},
		{"complex eigenvalues", "mean count", func(p dynamics.EvolutionPoint) float64 { return p.MeanComplex }},
		{"unstable eigenvalues", "mean count", func(p dynamics.EvolutionPoint) float64 { return p.MeanUnstable }},
		{"noise term E[dh2]", "mean over neurons", func(p dynamics.EvolutionPoint) float64 { return p.MeanDH2 }},
	} {
		p, err := mk(s.t, s.y, s.f)
		if err != nil {
			return nil, err
		}
		ps = append(ps, p)
	}
	return render([][]*plot.Plot{{ps[0], ps[1]}, {ps[2], ps[3]}}, 2*figW, 2*figH)
}

func (r *Report) figPortraits() ([]byte, error) {
	var row []*plot.Plot
	for _, pt := range r.Evolution.Portraits {
		p := newPlot(pt.Label, "PC1", "PC2")
		n := min(orbitSteps, len(pt.Out))
		if err := addColoured(p, pt.Proj[:2*n], pt.Out[:n], 0.8); err != nil {
			return nil, err
		}
		row = append(row, p)
	}
	return render([][]*plot.Plot{row}, vg.Length(len(row))*10*vg.Centimeter, 10*vg.Centimeter)
}

func (r *Report) figReadout() ([]byte, error) {
	p := newPlot("angle of readout rows to the PC1-PC2 plane", "", "degrees")
	var vals plotter.Values
	var names []string
	for _, a := range r.Readout {
		vals = append(vals, a.Degrees)
		names = append(names, fmt.Sprintf("output %d", a.Output))
	}
	b, err := plotter.NewBarChart(vals, vg.Points(24))
	if err != nil {
		return nil, err
	}
	b.Color = color.Gray{Y: 90}
	p.Add(b)
	p.NominalX(names...)
	p.Y.Min, p.Y.Max = 0, 90
	return one(p)
}

func (r *Report) figCompose() ([]byte, error) {
	var row []*plot.Plot
	for _, ps := range r.Compositionality {
		p := newPlot(fmt.Sprintf("outputs {%d, %d}: %d steps", ps.Outputs[0], ps.Outputs[1], ps.Steps), "PC1 (pair)", "PC2 (pair)")
		n := min(orbitSteps, len(ps.Out))
		if len(ps.Proj) < 2*n {
			continue
		}
		if err := addColoured(p, ps.Proj[:2*n], ps.Out[:n], 0.8); err != nil {
			return nil, err
		}
		row = append(row, p)
	}
	if len(row) == 0 {
		return one(newPlot("no output pair with enough steps", "", ""))
	}
	return render([][]*plot.Plot{row}, vg.Length(len(row))*10*vg.Centimeter, 10*vg.Centimeter)
}

// HTML returns index.html: the headline numbers and every figure with its
// caption, referencing the SVG files by name.
func (r *Report) HTML(figs []Figure) []byte {
	var b strings.Builder
	e := html.EscapeString
	fmt.Fprintf(&b, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>%s</title>\n", e("Reverse-engineering report "+r.Model.Name))
	b.WriteString("<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em;color:#222}figure{margin:2em 0}img{max-width:100%;border:1px solid #ddd}figcaption{font-size:.92em;color:#444}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .6em;text-align:left}</style></head><body>\n")
	fmt.Fprintf(&b, "<h1>Reverse-engineering report</h1>\n<p>Model %s: H = %d hidden units, D = %d noise inputs, O = %d outputs; analysed at noise std %g (seed %d). The numbers are in <a href=\"report.json\">report.json</a>.</p>\n",
		e(r.Model.Name), r.Model.H, r.Model.D, r.Model.O, r.Sigma, r.Seed)
	b.WriteString("<h2>Headline facts (core/METHOD.md section 6)</h2>\n<table>\n")
	row := func(k, v string) { fmt.Fprintf(&b, "<tr><th>%s</th><td>%s</td></tr>\n", e(k), e(v)) }
	if r.PCA != nil {
		row("transition rate (switches per step)", fmt.Sprintf("%.4f", r.PCA.TransitionRate))
		row("variance in PC1, PC2, PC3", fmtList(r.PCA.Explained))
	}
	if r.Collapse != nil {
		row("distinct end states without input", fmt.Sprintf("%d of %d runs (|h*| = %.3g, |h_20|/|h_0| = %.3g)", r.Collapse.Endpoints, r.Collapse.Runs, r.Collapse.FixedPointNorm, r.Collapse.Decay20))
	}
	if r.Residency != nil {
		for _, z := range r.Residency.ByZone {
			if z.Count > 0 {
				row("zone "+z.Zone, fmt.Sprintf("%d states, residency %.1f, unstable %.2f, critical %.2f", z.Count, z.MeanResidency, z.MeanUnstable, z.MeanCritical))
			}
		}
	}
	if r.Sensitivity != nil {
		si := r.Sensitivity
		row("noise share of the motion cluster / transition: PC1-PC2, all H dims (raw spread ratio)", fmt.Sprintf("%.3g, %.3g (%.3g); from %d cluster and %d transition states", si.Ratio, si.FullRatio, si.RawRatio, len(si.ClusterStates), len(si.TransitionStates)))
	}
	if r.Kick != nil {
		row("kick neurons", fmt.Sprintf("%v (%.1f%% of H)", r.KickNeurons, 100*r.Kick.Fraction))
		for _, d := range r.Kick.Directions {
			v := fmt.Sprintf("%.2f%% of steps: %s", 100*d.Rate, d.Status)
			switch d.Status {
			case dynamics.KickFound:
				for _, g := range r.Kick.Groups {
					if g.Direction == d.Direction {
						v += fmt.Sprintf(" %v", g.Neurons)
					}
				}
				v += fmt.Sprintf(", cuts its hazard by %.2f; random sets of its size by %.2f (median of %d)", d.Cut, d.ControlCut, dynamics.KickControls)
			case dynamics.KickNone:
				v += fmt.Sprintf(", best cut reached %.2f (< %.2f)", d.BestCut, dynamics.KickMinCut)
			}
			row("kick group "+d.Direction.String(), v)
		}
	}
	if r.Causal != nil {
		row("rate cut when silenced (mu = 0): kick set / integrating / random (mean, max)", fmt.Sprintf("%.2f / %.2f / %.2f, %.2f", r.Causal.KickCut, r.Causal.IntegratingCut, r.Causal.ControlCutMean, r.Causal.ControlCutMax))
		for _, g := range sortedKeys(r.Causal.GroupCuts) {
			row("rate cut when kick group "+g+" is silenced", fmt.Sprintf("%.2f", r.Causal.GroupCuts[g]))
		}
		row("rate cut at mu = 2: kick set / random (mean)", fmt.Sprintf("%.2f / %.2f", r.Causal.KickDoubleCut, r.Causal.ControlDoubleCutMean))
	}
	if r.Evolution != nil && r.Evolution.Bifurcation >= 0 {
		row("bifurcation checkpoint", fmt.Sprintf("step %d", r.Evolution.BifurcationStep))
	}
	b.WriteString("</table>\n")
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "<p><em>%s</em></p>\n", e(n))
	}
	for _, f := range figs {
		fmt.Fprintf(&b, "<figure id=\"%s\"><h2>%s</h2><img src=\"%s\" alt=\"%s\"><figcaption>%s</figcaption></figure>\n",
			e(strings.TrimSuffix(f.Name, ".svg")), e(f.Title), e(f.Name), e(f.Title), e(f.Caption))
	}
	b.WriteString("</body></html>\n")
	return []byte(b.String())
}

func fmtList(v []float64) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = fmt.Sprintf("%.3f", x)
	}
	return strings.Join(s, ", ")
}

func sortedKeys(m map[string]float64) []string {
	k := make([]string, 0, len(m))
	for s := range m {
		k = append(k, s)
	}
	sort.Strings(k)
	return k
}

// safe runs a figure maker and turns a panic of the plotting library (it
// panics on degenerate axis ranges, e.g. from a diverging network) into an
// error.
func safe(f func() ([]byte, error)) (b []byte, err error) {
	defer func() {
		if p := recover(); p != nil {
			b, err = nil, fmt.Errorf("plotting failed: %v", p)
		}
	}()
	return f()
}

// mean returns the mean of v (NaN for none).
func mean(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}
