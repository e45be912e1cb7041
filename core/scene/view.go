package scene

import "math"

// View maps world coordinates to pixels: x' = OX + S*x, y' = OY - S*y (the
// world's y axis points up, the screen's down). One scale for both axes
// keeps the geometry of a PCA projection undistorted.
type View struct {
	S, OX, OY float64
}

// Fit returns the view that shows world rectangle r centred in a w x h pixel
// area with margin pixels left free on every side.
func Fit(r Rect, w, h, margin float64) View {
	if r.Empty() {
		r = Rect{Vec{-1, -1}, Vec{1, 1}}
	}
	aw := math.Max(w-2*margin, 1)
	ah := math.Max(h-2*margin, 1)
	rw := math.Max(r.Max.X-r.Min.X, 1e-12)
	rh := math.Max(r.Max.Y-r.Min.Y, 1e-12)
	s := math.Min(aw/rw, ah/rh)
	cx := (r.Min.X + r.Max.X) / 2
	cy := (r.Min.Y + r.Max.Y) / 2
	return View{S: s, OX: w/2 - s*cx, OY: h/2 + s*cy}
}

// Apply maps a world point to pixel coordinates.
func (v View) Apply(p Vec) (x, y float32) {
	return float32(v.OX + v.S*p.X), float32(v.OY - v.S*p.Y)
}

// Invert maps pixel coordinates back to the world.
func (v View) Invert(x, y float64) Vec {
	return Vec{(x - v.OX) / v.S, (v.OY - y) / v.S}
}
