package scene

import "math"

// Vec is a point in world coordinates (for the phase portrait: PC1, PC2).
type Vec struct{ X, Y float64 }

// Rect is an axis-aligned world rectangle.
type Rect struct{ Min, Max Vec }

// Empty reports whether r contains no point.
func (r Rect) Empty() bool { return !(r.Min.X <= r.Max.X && r.Min.Y <= r.Max.Y) }

// EmptyRect is the neutral element of Union.
func EmptyRect() Rect {
	inf := math.Inf(1)
	return Rect{Vec{inf, inf}, Vec{-inf, -inf}}
}

// Add grows r to contain p (non-finite points are ignored).
func (r Rect) Add(p Vec) Rect {
	if math.IsNaN(p.X) || math.IsNaN(p.Y) || math.IsInf(p.X, 0) || math.IsInf(p.Y, 0) {
		return r
	}
	r.Min.X = math.Min(r.Min.X, p.X)
	r.Min.Y = math.Min(r.Min.Y, p.Y)
	r.Max.X = math.Max(r.Max.X, p.X)
	r.Max.Y = math.Max(r.Max.Y, p.Y)
	return r
}

// Pad grows r by frac of its size on every side (at least by a tiny
// absolute amount, so a single point still has an area).
func (r Rect) Pad(frac float64) Rect {
	dx := math.Max((r.Max.X-r.Min.X)*frac, 1e-9)
	dy := math.Max((r.Max.Y-r.Min.Y)*frac, 1e-9)
	return Rect{Vec{r.Min.X - dx, r.Min.Y - dy}, Vec{r.Max.X + dx, r.Max.Y + dy}}
}

// Polyline is a connected line through Points. Colors holds one colour per
// point; the segment from point i to i+1 is drawn in Colors[i+1] (the colour
// of the state it arrives at), or in Color when Colors is nil.
type Polyline struct {
	Points []Vec
	Colors []Color
	Color  Color
	Width  float32 // in pixels
}

// Shape of a marker.
type Shape uint8

// Marker shapes.
const (
	Dot Shape = iota
	Ring
	Cross
)

// Marker is a point drawn at a fixed pixel size.
type Marker struct {
	At    Vec
	Color Color
	Size  float32 // radius in pixels
	Shape Shape
}

// Arrow is a straight arrow with a head at To.
type Arrow struct {
	From, To Vec
	Color    Color
	Width    float32
}

// Heatmap is a grid of values over a world rectangle: cell (i, j) (row i,
// column j) covers [Min.X + j*dx, Min.X + (j+1)*dx] x [Min.Y + i*dy, ...].
// Its colour is Color with alpha Color.A * v / max(Values) (v < 0 counts 0).
type Heatmap struct {
	Area       Rect
	Rows, Cols int
	Values     []float64
	Color      Color
}

// Scene is everything that one picture shows, in drawing order: heatmaps at
// the back, then lines, arrows and markers.
type Scene struct {
	Bounds   Rect // the world area the view should fit
	Heatmaps []Heatmap
	Lines    []Polyline
	Arrows   []Arrow
	Markers  []Marker
}
