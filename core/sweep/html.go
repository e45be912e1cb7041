package sweep

import (
	"fmt"
	"html"
	"html/template"
	"io"
	"math"
	"slices"
	"strings"
)

// figureMetrics are the metrics drawn as heatmaps and line plots: the
// paper's headline comparisons (core/METHOD.md section 4).
var figureMetrics = []string{"trans_max_abs", "matched", "freq_max_abs", "volatility_diff", "fidelity_ok"}

type htmlCell struct {
	Text  string
	Title string
	Style template.CSS
}

type htmlHeat struct {
	Title  string
	Inputs []int
	Rows   []htmlHeatRow
}

type htmlHeatRow struct {
	Hidden int
	Cells  []htmlCell
}

type htmlSection struct {
	Metric  Metric
	Heats   []htmlHeat
	Figure  template.HTML
	Caption string
}

type htmlTable struct {
	Head []string
	Rows [][]string
}

type htmlPage struct {
	S        *Summary
	Sections []htmlSection
	Kick     []htmlHeat
	ByHMM    htmlTable
	Cells    htmlTable
}

// panel is one (HMM, tag) pair of the grid and its hidden × input layout.
type panel struct {
	key    GroupKey // Hidden, Input 0
	hidden []int
	inputs []int
	cells  map[[2]int]*Row
}

func (s *Summary) panels() []*panel {
	var out []*panel
	by := map[GroupKey]*panel{}
	for i := range s.Cells {
		r := &s.Cells[i]
		k := GroupKey{HMM: r.HMM, Tag: r.Tag}
		p, ok := by[k]
		if !ok {
			p = &panel{key: k, cells: map[[2]int]*Row{}}
			by[k] = p
			out = append(out, p)
		}
		if !slices.Contains(p.hidden, r.Hidden) {
			p.hidden = append(p.hidden, r.Hidden)
		}
		if !slices.Contains(p.inputs, r.Input) {
			p.inputs = append(p.inputs, r.Input)
		}
		p.cells[[2]int{r.Hidden, r.Input}] = r
	}
	for _, p := range out {
		slices.Sort(p.hidden)
		slices.Sort(p.inputs)
	}
	return out
}

func (p *panel) title() string {
	if p.key.Tag != "" {
		return p.key.HMM + " (" + p.key.Tag + ")"
	}
	return p.key.HMM
}

// heatStyle colours x within [lo, hi]: pale green (good) to red (bad).
func heatStyle(x, lo, hi float64, lower bool) template.CSS {
	t := 0.5
	if hi > lo {
		t = (x - lo) / (hi - lo)
	}
	if !lower {
		t = 1 - t
	}
	hue := 120 * (1 - t)
	return template.CSS(fmt.Sprintf("background:hsl(%.0f,70%%,80%%)", hue))
}

func fmtShort(x float64) string {
	switch a := math.Abs(x); {
	case a < 1e-12: // rounding noise of a mean of equal values
		return "0"
	case a >= 1000:
		return fmt.Sprintf("%.0f", x)
	}
	return fmt.Sprintf("%.3g", x)
}

func metricByName(name string) Metric {
	for _, m := range Metrics {
		if m.Name == name {
			return m
		}
	}
	return Metric{Name: name, Label: name}
}

func (s *Summary) heat(p *panel, value func(*Row) (x float64, text, title string, ok bool), lo, hi float64, lower bool) htmlHeat {
	h := htmlHeat{Title: p.title(), Inputs: p.inputs}
	for _, hd := range p.hidden {
		row := htmlHeatRow{Hidden: hd}
		for _, d := range p.inputs {
			c := htmlCell{Text: "–"}
			if r := p.cells[[2]int{hd, d}]; r != nil {
				if x, text, title, ok := value(r); ok {
					c = htmlCell{Text: text, Title: title, Style: heatStyle(x, lo, hi, lower)}
				} else {
					c.Title = fmt.Sprintf("%d/%d networks done", r.Done, r.Planned)
				}
			}
			row.Cells = append(row.Cells, c)
		}
		h.Rows = append(h.Rows, row)
	}
	return h
}

// figure draws one small SVG line plot per panel: the metric's mean over
// seeds against the noise dimension, one line per hidden size, with error
// bars of one standard deviation.
func figure(panels []*panel, mt Metric) template.HTML {
	const W, H, ml, mr, mt0, mb = 300.0, 190.0, 46.0, 56.0, 22.0, 34.0
	colours := []string{"#1b6ca8", "#d1495b", "#2e8b57", "#e09f3e", "#6a4c93", "#555"}
	var b strings.Builder
	for _, p := range panels {
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, r := range p.cells {
			if st := r.Stats[mt.Name]; st.N > 0 {
				lo = min(lo, st.Mean-st.Std)
				hi = max(hi, st.Mean+st.Std)
			}
		}
		if math.IsInf(lo, 0) {
			continue
		}
		// Start at 0 when that costs little room; else pad the range.
		if lo >= 0 && lo < 0.3*hi {
			lo = 0
		} else {
			pad := 0.1 * (hi - lo)
			lo, hi = lo-pad, hi+pad
		}
		if hi <= lo {
			hi = lo + 1
		}
		x := func(i int) float64 {
			if len(p.inputs) == 1 {
				return ml + (W-ml-mr)/2
			}
			return ml + float64(i)*(W-ml-mr)/float64(len(p.inputs)-1)
		}
		y := func(v float64) float64 { return H - mb - (v-lo)/(hi-lo)*(H-mb-mt0) }
		fmt.Fprintf(&b, `<svg class="fig" width="%g" height="%g" viewBox="0 0 %g %g" role="img">`, W, H, W, H)
		fmt.Fprintf(&b, `<text x="%g" y="14" class="t">%s</text>`, W/2, html.EscapeString(p.title()))
		fmt.Fprintf(&b, `<line x1="%g" y1="%g" x2="%g" y2="%g" class="ax"/>`, ml, H-mb, W-mr, H-mb)
		fmt.Fprintf(&b, `<line x1="%g" y1="%g" x2="%g" y2="%g" class="ax"/>`, ml, mt0, ml, H-mb)
		for _, v := range []float64{lo, (lo + hi) / 2, hi} {
			fmt.Fprintf(&b, `<text x="%g" y="%g" class="yl">%s</text>`, ml-4, y(v)+4, fmtShort(v))
		}
		for i, d := range p.inputs {
			fmt.Fprintf(&b, `<text x="%g" y="%g" class="xl">%d</text>`, x(i), H-mb+14, d)
		}
		fmt.Fprintf(&b, `<text x="%g" y="%g" class="xl">noise dimension</text>`, (ml+W-mr)/2, H-4)
		for hi2, hd := range p.hidden {
			c := colours[hi2%len(colours)]
			var pts []string
			for i, d := range p.inputs {
				r := p.cells[[2]int{hd, d}]
				if r == nil || r.Stats[mt.Name].N == 0 {
					continue
				}
				st := r.Stats[mt.Name]
				pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(i), y(st.Mean)))
				fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s"/>`, x(i), y(st.Mean-st.Std), x(i), y(st.Mean+st.Std), c)
				fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="2.5" fill="%s"><title>H=%d D=%d: %s ± %s (n=%d)</title></circle>`,
					x(i), y(st.Mean), c, hd, d, fmtShort(st.Mean), fmtShort(st.Std), st.N)
			}
			if len(pts) > 1 {
				fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="%s"/>`, strings.Join(pts, " "), c)
			}
			fmt.Fprintf(&b, `<text x="%g" y="%d" fill="%s" class="lg">H=%d</text>`, W-mr+12, int(mt0)+10+12*hi2, c, hd)
		}
		b.WriteString("</svg>")
	}
	return template.HTML(b.String())
}

func (s *Summary) page() htmlPage {
	pg := htmlPage{S: s}
	panels := s.panels()
	for _, name := range figureMetrics {
		mt := metricByName(name)
		sec := htmlSection{Metric: mt, Figure: figure(panels, mt)}
		switch name {
		case "matched":
			sec.Caption = "Hover: the HMM-HMM noise floor of the same cell (mean over seeds)."
		case "trans_max_abs":
			sec.Caption = "Over the well-sampled rows; hover: the same for an HMM sample (noise floor). The fidelity test asks for < 0.05."
		}
		for _, p := range panels {
			// One colour scale per HMM: sequence lengths differ, and so
			// do the scales of distances.
			lo, hi := math.Inf(1), math.Inf(-1)
			for _, r := range p.cells {
				if st := r.Stats[name]; st.N > 0 {
					lo, hi = min(lo, st.Mean), max(hi, st.Mean)
				}
			}
			sec.Heats = append(sec.Heats, s.heat(p, func(r *Row) (float64, string, string, bool) {
				st := r.Stats[name]
				if st.N == 0 {
					return 0, "", "", false
				}
				title := fmt.Sprintf("n=%d, min %s, max %s", st.N, fmtShort(st.Min), fmtShort(st.Max))
				switch name {
				case "matched":
					title += ", floor " + fmtShort(r.Stats["matched_floor"].Mean)
				case "trans_max_abs":
					title += ", floor " + fmtShort(r.Stats["trans_max_abs_floor"].Mean)
				}
				return st.Mean, fmtShort(st.Mean) + " ± " + fmtShort(st.Std), title, true
			}, lo, hi, mt.Lower))
		}
		pg.Sections = append(pg.Sections, sec)
	}
	for _, p := range panels {
		pg.Kick = append(pg.Kick, s.heat(p, func(r *Row) (float64, string, string, bool) {
			if r.KickRate == nil {
				return 0, "", "", false
			}
			return *r.KickRate, fmt.Sprintf("%d/%d", r.KickFound, r.KickTested), "networks with kick neurons found", true
		}, 0, 1, false))
	}
	table := func(rows []Row, cell bool) htmlTable {
		t := htmlTable{Head: []string{"HMM"}}
		if cell {
			t.Head = append(t.Head, "hidden", "noise dim")
		}
		t.Head = append(t.Head, "done")
		for _, mt := range s.Metrics {
			t.Head = append(t.Head, mt.Name)
		}
		t.Head = append(t.Head, "kick found")
		for _, r := range rows {
			name := r.HMM
			if r.Tag != "" {
				name += " (" + r.Tag + ")"
			}
			rec := []string{name}
			if cell {
				rec = append(rec, fmt.Sprint(r.Hidden), fmt.Sprint(r.Input))
			}
			rec = append(rec, fmt.Sprintf("%d/%d", r.Done, r.Planned))
			for _, mt := range s.Metrics {
				st := r.Stats[mt.Name]
				if st.N == 0 {
					rec = append(rec, "–")
				} else {
					rec = append(rec, fmtShort(st.Mean)+" ± "+fmtShort(st.Std))
				}
			}
			if r.KickTested > 0 {
				rec = append(rec, fmt.Sprintf("%d/%d", r.KickFound, r.KickTested))
			} else {
				rec = append(rec, "–")
			}
			t.Rows = append(t.Rows, rec)
		}
		return t
	}
	pg.ByHMM = table(s.ByHMM, false)
	pg.Cells = table(s.Cells, true)
	return pg
}

var pageTmpl = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Sweep {{.S.Grid}}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em auto;max-width:72em;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:.4em 1.2em 1em 0}
td,th{border:1px solid #ccc;padding:2px 6px;text-align:right;white-space:nowrap}
th{background:#f3f3f3}
.heats{display:flex;flex-wrap:wrap}
.heats caption{font-weight:600}
.fig{margin:0 8px 8px 0;border:1px solid #ddd}
.fig .t{text-anchor:middle;font-weight:600;font-size:12px}
.fig .ax{stroke:#888}
.fig .yl{text-anchor:end;font-size:10px}
.fig .xl{text-anchor:middle;font-size:10px}
.fig .lg{text-anchor:start;font-size:10px}
.scroll{overflow-x:auto}
</style></head><body>
<h1>Sweep “{{.S.Grid}}”</h1>
<p>{{.S.Done}} of {{.S.Total}} networks done.{{if .S.Missing}} Missing: {{len .S.Missing}} (listed at the end).{{end}}
Each cell pools the seeds of one HMM, hidden size H and noise dimension D: mean ± sample standard deviation
(hover for n, min, max). Colours run from green (best of the HMM's cells) to red (worst).
Fidelity is measured on fresh samples against the HMM (core/METHOD.md section 4).</p>
{{range .Sections}}
<h2>{{.Metric.Label}}</h2>
{{if .Caption}}<p>{{.Caption}}</p>{{end}}
<div class="heats">{{range .Heats}}
<table><caption>{{.Title}}</caption>
<tr><th>H \ D</th>{{range .Inputs}}<th>{{.}}</th>{{end}}</tr>
{{range .Rows}}<tr><th>{{.Hidden}}</th>{{range .Cells}}<td style="{{.Style}}" title="{{.Title}}">{{.Text}}</td>{{end}}</tr>
{{end}}</table>{{end}}</div>
<div>{{.Figure}}</div>
{{end}}
<h2>Kick-neuron mechanism found (networks with kick neurons / networks analysed)</h2>
<div class="heats">{{range .Kick}}
<table><caption>{{.Title}}</caption>
<tr><th>H \ D</th>{{range .Inputs}}<th>{{.}}</th>{{end}}</tr>
{{range .Rows}}<tr><th>{{.Hidden}}</th>{{range .Cells}}<td style="{{.Style}}" title="{{.Title}}">{{.Text}}</td>{{end}}</tr>
{{end}}</table>{{end}}</div>
<h2>Per HMM (all sizes and seeds)</h2>
<div class="scroll"><table><tr>{{range .ByHMM.Head}}<th>{{.}}</th>{{end}}</tr>
{{range .ByHMM.Rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>
{{end}}</table></div>
<h2>Per cell</h2>
<div class="scroll"><table><tr>{{range .Cells.Head}}<th>{{.}}</th>{{end}}</tr>
{{range .Cells.Rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>
{{end}}</table></div>
<p>Metrics: {{range .S.Metrics}}<b>{{.Name}}</b>: {{.Label}}. {{end}}</p>
{{if .S.Missing}}<h2>Missing</h2><p>{{range .S.Missing}}{{.}} {{end}}</p>{{end}}
<p>Files: summary.json (everything here), summary.csv (one row per cell), networks.csv (one row per network).</p>
</body></html>
`))

// WriteHTML writes a self-contained HTML page: heatmaps (hidden size ×
// noise dimension, per HMM) and line plots of the fidelity metrics, the
// kick-neuron counts, and the per-HMM and per-cell tables.
func (s *Summary) WriteHTML(w io.Writer) error {
	return pageTmpl.Execute(w, s.page())
}
