package scene

import "math"

// Vertex is one triangle corner in pixels with its straight-alpha colour; it
// carries the fields of ebiten.Vertex that a solid fill uses.
type Vertex struct {
	X, Y       float32
	R, G, B, A float32
}

// MaxVertices is the most vertices one Mesh holds, so 16-bit indices
// address them all (the index type of a GPU draw call such as Ebiten's
// DrawTriangles).
const MaxVertices = 1 << 16

// Mesh is a batch of triangles: Indices holds three entries per triangle.
type Mesh struct {
	Vertices []Vertex
	Indices  []uint16
}

// Builder accumulates triangles into as few meshes as the 16-bit index
// limit allows. The zero value is ready to use.
type Builder struct {
	meshes []Mesh
}

// Meshes returns the batches built so far; the builder keeps ownership
// until Reset.
func (b *Builder) Meshes() []Mesh { return b.meshes }

// Reset empties the builder, keeping its memory for reuse.
func (b *Builder) Reset() {
	for i := range b.meshes {
		b.meshes[i].Vertices = b.meshes[i].Vertices[:0]
		b.meshes[i].Indices = b.meshes[i].Indices[:0]
	}
	b.meshes = b.meshes[:0]
}

// reserve returns the mesh that has room for nv more vertices and the index
// of its first new vertex.
func (b *Builder) reserve(nv int) (*Mesh, uint16) {
	if n := len(b.meshes); n == 0 || len(b.meshes[n-1].Vertices)+nv > MaxVertices {
		if cap(b.meshes) > n {
			b.meshes = b.meshes[:n+1]
		} else {
			b.meshes = append(b.meshes, Mesh{})
		}
	}
	m := &b.meshes[len(b.meshes)-1]
	return m, uint16(len(m.Vertices))
}

func vert(x, y float32, c Color) Vertex { return Vertex{x, y, c.R, c.G, c.B, c.A} }

// Segment adds a line of the given pixel width from (x0, y0) to (x1, y1) as
// a quad of two triangles, coloured c0 at the start and c1 at the end. A
// segment of zero length adds nothing.
func (b *Builder) Segment(x0, y0, x1, y1, width float32, c0, c1 Color) {
	dx, dy := x1-x0, y1-y0
	l := float32(math.Sqrt(float64(dx*dx + dy*dy)))
	if !(l > 0) || !(width > 0) {
		return
	}
	nx, ny := -dy/l*width/2, dx/l*width/2
	m, i := b.reserve(4)
	m.Vertices = append(m.Vertices,
		vert(x0+nx, y0+ny, c0), vert(x0-nx, y0-ny, c0),
		vert(x1+nx, y1+ny, c1), vert(x1-nx, y1-ny, c1))
	m.Indices = append(m.Indices, i, i+1, i+2, i+1, i+3, i+2)
}

// Rect adds an axis-aligned filled pixel rectangle.
func (b *Builder) Rect(x0, y0, x1, y1 float32, c Color) {
	m, i := b.reserve(4)
	m.Vertices = append(m.Vertices,
		vert(x0, y0, c), vert(x1, y0, c), vert(x0, y1, c), vert(x1, y1, c))
	m.Indices = append(m.Indices, i, i+1, i+2, i+1, i+3, i+2)
}

// discSides is the number of sides of the polygon that stands for a circle.
const discSides = 12

// Disc adds a filled regular polygon of discSides sides and radius r.
func (b *Builder) Disc(x, y, r float32, c Color) {
	if !(r > 0) {
		return
	}
	m, i := b.reserve(discSides + 1)
	m.Vertices = append(m.Vertices, vert(x, y, c))
	for k := range discSides {
		a := 2 * math.Pi * float64(k) / discSides
		m.Vertices = append(m.Vertices, vert(x+r*float32(math.Cos(a)), y+r*float32(math.Sin(a)), c))
	}
	for k := range uint16(discSides) {
		m.Indices = append(m.Indices, i, i+1+k, i+1+(k+1)%discSides)
	}
}

// Ring adds a circle outline of radius r and the given line width.
func (b *Builder) Ring(x, y, r, width float32, c Color) {
	if !(r > 0) {
		return
	}
	px, py := x+r, y
	for k := 1; k <= discSides; k++ {
		a := 2 * math.Pi * float64(k) / discSides
		qx, qy := x+r*float32(math.Cos(a)), y+r*float32(math.Sin(a))
		b.Segment(px, py, qx, qy, width, c, c)
		px, py = qx, qy
	}
}

// Add draws a whole scene through view v: heatmaps, then lines, arrows and
// markers.
func (b *Builder) Add(s *Scene, v View) {
	for i := range s.Heatmaps {
		b.heatmap(&s.Heatmaps[i], v)
	}
	for i := range s.Lines {
		b.Polyline(&s.Lines[i], v)
	}
	for _, a := range s.Arrows {
		b.Arrow(a, v)
	}
	for _, m := range s.Markers {
		b.Marker(m, v)
	}
}

// Polyline adds the segments of p projected through v.
func (b *Builder) Polyline(p *Polyline, v View) {
	if len(p.Points) < 2 {
		return
	}
	x0, y0 := v.Apply(p.Points[0])
	for k := 1; k < len(p.Points); k++ {
		x1, y1 := v.Apply(p.Points[k])
		c := p.Color
		if p.Colors != nil {
			c = p.Colors[k]
		}
		b.Segment(x0, y0, x1, y1, p.Width, c, c)
		x0, y0 = x1, y1
	}
}

// arrowHead is the length of an arrow head relative to its shaft, capped in
// pixels by arrowHeadMax.
const (
	arrowHead    = 0.35
	arrowHeadMax = 8
)

// Arrow adds a shaft and a two-stroke head.
func (b *Builder) Arrow(a Arrow, v View) {
	x0, y0 := v.Apply(a.From)
	x1, y1 := v.Apply(a.To)
	dx, dy := x1-x0, y1-y0
	l := float32(math.Sqrt(float64(dx*dx + dy*dy)))
	if !(l > 0) {
		return
	}
	b.Segment(x0, y0, x1, y1, a.Width, a.Color, a.Color)
	h := min(arrowHead*l, arrowHeadMax)
	ux, uy := dx/l, dy/l
	// Head strokes at +-30 degrees from the reversed shaft.
	const c, s = 0.8660254, 0.5
	b.Segment(x1, y1, x1-h*(c*ux-s*uy), y1-h*(s*ux+c*uy), a.Width, a.Color, a.Color)
	b.Segment(x1, y1, x1-h*(c*ux+s*uy), y1-h*(-s*ux+c*uy), a.Width, a.Color, a.Color)
}

// Marker adds one marker.
func (b *Builder) Marker(m Marker, v View) {
	x, y := v.Apply(m.At)
	switch m.Shape {
	case Ring:
		b.Ring(x, y, m.Size, max(m.Size/4, 1.5), m.Color)
	case Cross:
		w := max(m.Size/3, 1.5)
		b.Segment(x-m.Size, y-m.Size, x+m.Size, y+m.Size, w, m.Color, m.Color)
		b.Segment(x-m.Size, y+m.Size, x+m.Size, y-m.Size, w, m.Color, m.Color)
	default:
		b.Disc(x, y, m.Size, m.Color)
	}
}

func (b *Builder) heatmap(h *Heatmap, v View) {
	if h.Rows <= 0 || h.Cols <= 0 || len(h.Values) != h.Rows*h.Cols {
		return
	}
	top := 0.0
	for _, x := range h.Values {
		top = math.Max(top, x)
	}
	if !(top > 0) {
		return
	}
	dx := (h.Area.Max.X - h.Area.Min.X) / float64(h.Cols)
	dy := (h.Area.Max.Y - h.Area.Min.Y) / float64(h.Rows)
	for i := range h.Rows {
		for j := range h.Cols {
			val := h.Values[i*h.Cols+j]
			if !(val > 0) {
				continue
			}
			x0, y0 := v.Apply(Vec{h.Area.Min.X + float64(j)*dx, h.Area.Min.Y + float64(i)*dy})
			x1, y1 := v.Apply(Vec{h.Area.Min.X + float64(j+1)*dx, h.Area.Min.Y + float64(i+1)*dy})
			b.Rect(x0, y0, x1, y1, h.Color.WithAlpha(h.Color.A*float32(val/top)))
		}
	}
}
