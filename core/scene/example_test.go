package scene_test

import (
	"fmt"

	"hmmrnn/core/scene"
)

// A polyline in world coordinates becomes triangles in pixels: the view
// fits the world rectangle into the canvas, and each segment is a quad.
func ExampleBuilder() {
	s := &scene.Scene{
		Bounds: scene.Rect{Min: scene.Vec{X: 0, Y: 0}, Max: scene.Vec{X: 2, Y: 1}},
		Lines: []scene.Polyline{{
			Points: []scene.Vec{{X: 0, Y: 0}, {X: 1, Y: 1}, {X: 2, Y: 0}},
			Color:  scene.OutputColor(0),
			Width:  2,
		}},
	}
	v := scene.Fit(s.Bounds, 200, 100, 0)
	x, y := v.Apply(scene.Vec{X: 1, Y: 1})
	fmt.Printf("world (1, 1) is pixel (%g, %g)\n", x, y)
	var b scene.Builder
	b.Add(s, v)
	m := b.Meshes()[0]
	fmt.Printf("%d vertices, %d triangles, colour %s\n", len(m.Vertices), len(m.Indices)/3, scene.OutputColor(0).Hex())
	// Output:
	// world (1, 1) is pixel (100, 0)
	// 8 vertices, 4 triangles, colour #0072b2
}
