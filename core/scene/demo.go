package scene

import "math"

// demoPoints is the number of points on the demo orbit.
const demoPoints = 240

// Demo is the picture shown before any network exists: a closed orbit whose
// arcs take the colours of three outputs around a fixed point, the shape the
// paper finds in trained networks (core/METHOD.md section 6).
func Demo() *Scene {
	s := &Scene{}
	line := Polyline{Width: 3}
	for k := 0; k <= demoPoints; k++ {
		a := 2 * math.Pi * float64(k) / demoPoints
		line.Points = append(line.Points, Vec{2 * math.Cos(a), math.Sin(a)})
		line.Colors = append(line.Colors, OutputColor(int(3*float64(k%demoPoints)/demoPoints)))
	}
	s.Lines = []Polyline{line}
	s.Markers = []Marker{{At: Vec{0, 0}, Color: FixedPoint, Size: 6, Shape: Cross}}
	s.Bounds = Rect{Vec{-2, -1}, Vec{2, 1}}.Pad(0.1)
	return s
}
