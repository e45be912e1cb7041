package report

import (
	"bytes"
	"fmt"
	"hmmrnn/core/scene"
	"hmmrnn/core/scene/portrait"
	"image/color"
	"math"
	"math/cmplx"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"

	"hmmrnn/core/dynamics"
)

// Figure is one SVG of the report with its caption.
type Figure struct {
	Name    string // file name, e.g. "orbit.svg"
	Title   string
	Caption string
	SVG     []byte
}

// orbitSteps is how many steps of the reference run the trajectory figures draw.
const orbitSteps = 1000

// outColor is output o's colour, the same as in the browser app
// (scene.OutputColor), so figures and the page agree.
func outColor(o int) color.RGBA { return rgba(scene.OutputColor(o)) }

// zoneColors are the residency zones' colours, as in the browser app.
var zoneColors = map[dynamics.Zone]color.RGBA{
	dynamics.Transition: rgba(portrait.ZoneColor(dynamics.Transition)),
	dynamics.KickZone:   rgba(portrait.ZoneColor(dynamics.KickZone)),
	dynamics.Cluster:    rgba(portrait.ZoneColor(dynamics.Cluster)),
	dynamics.Other:      rgba(portrait.ZoneColor(dynamics.Other)),
}

func rgba(c scene.Color) color.RGBA {
	b := func(v float32) uint8 { return uint8(min(max(v, 0), 1)*255 + 0.5) }
	return color.RGBA{b(c.R), b(c.G), b(c.B), 255}
}

var setColors = []color.RGBA{{214, 39, 40, 255}, {31, 119, 180, 255}, {150, 150, 150, 255}, {180, 180, 180, 255}, {120, 120, 120, 255}, {200, 200, 200, 255}, {100, 100, 100, 255}}

func newPlot(title, x, y string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = x
	p.Y.Label.Text = y
	p.Add(plotter.NewGrid())
	return p
}

const (
	figW = 16 * vg.Centimeter
	figH = 12 * vg.Centimeter
)

// render draws a grid of plots into one SVG.
func render(plots [][]*plot.Plot, w, h vg.Length) ([]byte, error) {
	for _, row := range plots {
		for _, p := range row {
			if p != nil {
				fixRange(p)
			}
		}
	}
	c := vgsvg.NewWith(vgsvg.UseWH(w, h), vgsvg.EmbedFonts(false))
	dc := draw.New(c)
	if len(plots) == 1 && len(plots[0]) == 1 {
		plots[0][0].Draw(dc)
	} else {
		t := draw.Tiles{Rows: len(plots), Cols: len(plots[0]), PadX: vg.Millimeter * 4, PadY: vg.Millimeter * 4, PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 2}
		canv := plot.Align(plots, t, dc)
		for i := range plots {
			for j := range plots[i] {
				if plots[i][j] != nil {
					plots[i][j].Draw(canv[i][j])
				}
			}
		}
	}
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("report: svg: %w", err)
	}
	return buf.Bytes(), nil
}

func one(p *plot.Plot) ([]byte, error) { return render([][]*plot.Plot{{p}}, figW, figH) }

// fixRange widens degenerate (or non-finite) axis ranges of p so that the
// plotting library can draw it.
func fixRange(p *plot.Plot) {
	for _, ax := range []*plot.Axis{&p.X, &p.Y} {
		if math.IsNaN(ax.Min) || math.IsInf(ax.Min, 0) || math.IsNaN(ax.Max) || math.IsInf(ax.Max, 0) {
			ax.Min, ax.Max = -1, 1
		}
		if ax.Max-ax.Min <= 1e-12*math.Max(1, math.Abs(ax.Max)) {
			ax.Min, ax.Max = ax.Min-1, ax.Max+1
		}
	}
}

// addColoured draws the polyline through pts (n x 2) coloured by out, one
// line per run of equal outputs (each joined to the next point).
func addColoured(p *plot.Plot, pts []float64, out []uint8, width vg.Length) error {
	n := len(out)
	for s := 0; s < n; {
		e := s + 1
		for e < n && out[e] == out[s] {
			e++
		}
		last := min(e, n-1)
		xy := make(plotter.XYs, 0, last-s+1)
		for t := s; t <= last; t++ {
			xy = append(xy, plotter.XY{X: pts[2*t], Y: pts[2*t+1]})
		}
		if len(xy) >= 2 {
			l, err := plotter.NewLine(xy)
			if err != nil {
				return err
			}
			l.Color = outColor(int(out[s]))
			l.Width = width
			p.Add(l)
		}
		s = e
	}
	return nil
}

// outputLegend adds one legend entry per output.
func outputLegend(p *plot.Plot, O int) {
	for o := 0; o < O; o++ {
		l := &plotter.Line{XYs: plotter.XYs{{}}, LineStyle: plotter.DefaultLineStyle}
		l.Color = outColor(o)
		l.Width = 2
		p.Legend.Add(fmt.Sprintf("output %d", o), l)
	}
	p.Legend.Top = true
}

func scatter(p *plot.Plot, xy plotter.XYs, c color.Color, r vg.Length, shape draw.GlyphDrawer) error {
	if len(xy) == 0 {
		return nil
	}
	s, err := plotter.NewScatter(xy)
	if err != nil {
		return err
	}
	s.GlyphStyle.Color = c
	s.GlyphStyle.Radius = r
	if shape != nil {
		s.GlyphStyle.Shape = shape
	}
	p.Add(s)
	return nil
}

func line(p *plot.Plot, xy plotter.XYs, c color.Color, w vg.Length, name string) error {
	if len(xy) == 0 {
		return nil
	}
	l, err := plotter.NewLine(xy)
	if err != nil {
		return err
	}
	l.Color = c
	l.Width = w
	p.Add(l)
	if name != "" {
		p.Legend.Add(name, l)
	}
	return nil
}

func linePoints(p *plot.Plot, xy plotter.XYs, c color.Color, name string) error {
	l, s, err := plotter.NewLinePoints(xy)
	if err != nil {
		return err
	}
	l.Color, s.Color = c, c
	l.Width = 1.5
	p.Add(l, s)
	if name != "" {
		p.Legend.Add(name, l, s)
	}
	return nil
}

// pcPairs returns the (a, b) PC coordinates of the first n steps.
func pcPairs(proj []float64, K, a, b, n int) []float64 {
	out := make([]float64, 0, 2*n)
	for t := 0; t < n; t++ {
		out = append(out, proj[t*K+a], proj[t*K+b])
	}
	return out
}

// grid is a plotter.GridXYZ over a row-major matrix (rows = y).
type grid struct {
	z          []float64
	cols, rows int
	x0, dx     float64
	y0, dy     float64
}

func (g grid) Dims() (int, int)   { return g.cols, g.rows }
func (g grid) Z(c, r int) float64 { return g.z[r*g.cols+c] }
func (g grid) X(c int) float64    { return g.x0 + (float64(c)+0.5)*g.dx }
func (g grid) Y(r int) float64    { return g.y0 + (float64(r)+0.5)*g.dy }

func divergingPalette(n int) palette.Palette {
	m := moreland.SmoothBlueRed()
	m.SetMin(0)
	m.SetMax(1)
	return m.Palette(n)
}

func heatPalette(n int) palette.Palette {
	m := moreland.BlackBody()
	m.SetMin(0)
	m.SetMax(1)
	return palette.Reverse(m).Palette(n)
}

func unitCircle(p *plot.Plot) error {
	xy := make(plotter.XYs, 0, 201)
	for k := 0; k <= 200; k++ {
		a := 2 * math.Pi * float64(k) / 200
		xy = append(xy, plotter.XY{X: math.Cos(a), Y: math.Sin(a)})
	}
	return line(p, xy, color.Gray{Y: 120}, 1, "")
}

func eigenXY(ev []complex128, mobius bool) plotter.XYs {
	xy := make(plotter.XYs, 0, len(ev))
	for _, l := range ev {
		if mobius {
			l = dynamics.Mobius(l)
			if cmplx.IsInf(l) {
				continue
			}
		}
		xy = append(xy, plotter.XY{X: real(l), Y: imag(l)})
	}
	return xy
}
