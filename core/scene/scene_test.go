package scene

import (
	"math"
	"math/rand/v2"
	"testing"

	"hmmrnn/core/rnn"
)

func TestFitKeepsAspectAndCentres(t *testing.T) {
	for _, tc := range []struct {
		r          Rect
		w, h, marg float64
	}{
		{Rect{Vec{0, 0}, Vec{4, 1}}, 400, 400, 10},
		{Rect{Vec{-3, -2}, Vec{1, 6}}, 640, 480, 0},
		{Rect{Vec{5, 5}, Vec{5, 5}}.Pad(0.1), 100, 50, 5},
	} {
		v := Fit(tc.r, tc.w, tc.h, tc.marg)
		x0, y0 := v.Apply(tc.r.Min)
		x1, y1 := v.Apply(tc.r.Max)
		// The y axis flips: Max.Y is drawn above Min.Y.
		if !(y1 < y0) || !(x1 > x0) {
			t.Errorf("%v: corners map to (%v,%v) (%v,%v)", tc.r, x0, y0, x1, y1)
		}
		const tol = 1e-3
		if float64(x0) < tc.marg-tol || float64(x1) > tc.w-tc.marg+tol || float64(y1) < tc.marg-tol || float64(y0) > tc.h-tc.marg+tol {
			t.Errorf("%v: box (%v,%v)-(%v,%v) leaves the %vx%v area with margin %v", tc.r, x0, y1, x1, y0, tc.w, tc.h, tc.marg)
		}
		// Centred and touching the limiting side.
		if cx := (float64(x0) + float64(x1)) / 2; math.Abs(cx-tc.w/2) > tol {
			t.Errorf("%v: centre x %v, want %v", tc.r, cx, tc.w/2)
		}
		fitsW := math.Abs(float64(x1-x0)-(tc.w-2*tc.marg)) < tol
		fitsH := math.Abs(float64(y0-y1)-(tc.h-2*tc.marg)) < tol
		if !fitsW && !fitsH {
			t.Errorf("%v: the box touches neither side", tc.r)
		}
		// Same scale on both axes, and Invert undoes Apply.
		p := Vec{tc.r.Min.X + 0.3, tc.r.Min.Y + 0.7}
		px, py := v.Apply(p)
		if q := v.Invert(float64(px), float64(py)); math.Abs(q.X-p.X) > 1e-4 || math.Abs(q.Y-p.Y) > 1e-4 {
			t.Errorf("Invert(Apply(%v)) = %v", p, q)
		}
	}
}

func TestSegmentQuad(t *testing.T) {
	var b Builder
	red, blue := Color{1, 0, 0, 1}, Color{0, 0, 1, 0.5}
	b.Segment(10, 20, 40, 60, 4, red, blue)
	ms := b.Meshes()
	if len(ms) != 1 || len(ms[0].Vertices) != 4 || len(ms[0].Indices) != 6 {
		t.Fatalf("one segment gave %d meshes", len(ms))
	}
	m := ms[0]
	// Each corner lies at distance width/2 from the centre line, on the
	// perpendicular through its end.
	dx, dy := 30.0, 40.0
	l := math.Hypot(dx, dy)
	for k, v := range m.Vertices {
		ex, ey := 10.0, 20.0
		want := red
		if k >= 2 {
			ex, ey, want = 40, 60, blue
		}
		ox, oy := float64(v.X)-ex, float64(v.Y)-ey
		if d := math.Abs(ox*dx+oy*dy) / l; d > 1e-4 {
			t.Errorf("vertex %d not on the perpendicular at its end (along-offset %v)", k, d)
		}
		if d := math.Hypot(ox, oy); math.Abs(d-2) > 1e-4 {
			t.Errorf("vertex %d at distance %v from the line, want 2", k, d)
		}
		if (Color{v.R, v.G, v.B, v.A}) != want {
			t.Errorf("vertex %d colour %v, want %v", k, v, want)
		}
	}
	// The two triangles cover the quad: total area = length * width.
	area := 0.0
	for i := 0; i < 6; i += 3 {
		a, b2, c := m.Vertices[m.Indices[i]], m.Vertices[m.Indices[i+1]], m.Vertices[m.Indices[i+2]]
		area += math.Abs(float64((b2.X-a.X)*(c.Y-a.Y)-(c.X-a.X)*(b2.Y-a.Y))) / 2
	}
	if math.Abs(area-l*4) > 1e-2 {
		t.Errorf("triangles cover %v, want %v", area, l*4)
	}
	// Degenerate segments add nothing.
	b.Reset()
	b.Segment(1, 1, 1, 1, 3, red, red)
	b.Segment(1, 1, 5, 5, 0, red, red)
	if n := len(b.Meshes()); n != 0 {
		t.Errorf("degenerate segments made %d meshes", n)
	}
}

func TestBuilderSplitsAt16BitIndices(t *testing.T) {
	var b Builder
	const n = 40000 // 160,000 vertices: three meshes
	for i := range n {
		b.Segment(0, float32(i), 10, float32(i), 1, Ink, Ink)
	}
	ms := b.Meshes()
	total := 0
	for _, m := range ms {
		if len(m.Vertices) > MaxVertices {
			t.Errorf("mesh with %d vertices", len(m.Vertices))
		}
		for _, ix := range m.Indices {
			if int(ix) >= len(m.Vertices) {
				t.Fatalf("index %d beyond %d vertices", ix, len(m.Vertices))
			}
		}
		total += len(m.Vertices)
	}
	if total != 4*n || len(ms) != 3 {
		t.Errorf("%d vertices in %d meshes, want %d in 3", total, len(ms), 4*n)
	}
}

func TestSceneTriangles(t *testing.T) {
	s := &Scene{
		Bounds:   Rect{Vec{-1, -1}, Vec{1, 1}},
		Heatmaps: []Heatmap{{Area: Rect{Vec{-1, -1}, Vec{1, 1}}, Rows: 2, Cols: 2, Values: []float64{0, 1, 2, 4}, Color: Ink}},
		Lines:    []Polyline{{Points: []Vec{{-1, 0}, {0, 0}, {1, 1}}, Colors: []Color{Ink, OutputColor(0), OutputColor(2)}, Width: 2}},
		Arrows:   []Arrow{{From: Vec{0, 0}, To: Vec{0.5, 0}, Color: FlowColor, Width: 1}},
		Markers:  []Marker{{At: Vec{0, 0}, Color: FixedPoint, Size: 5, Shape: Cross}, {At: Vec{0.5, 0.5}, Size: 3}},
	}
	var b Builder
	b.Add(s, Fit(s.Bounds, 200, 200, 0))
	m := b.Meshes()[0]
	// 3 non-zero cells (4 vertices), 2 line segments, 3 arrow strokes, 2
	// cross strokes, one disc.
	want := 3*4 + 2*4 + 3*4 + 2*4 + discSides + 1
	if len(m.Vertices) != want {
		t.Errorf("%d vertices, want %d", len(m.Vertices), want)
	}
	// Heatmap alpha scales with value / max: the cell of value 4 is opaque,
	// value 2 half.
	if a := m.Vertices[4].A; math.Abs(float64(a)-0.5) > 1e-6 {
		t.Errorf("cell of value 2 has alpha %v, want 0.5", a)
	}
	// The second segment takes the colour of the point it reaches.
	seg := m.Vertices[12+4]
	if c := (Color{seg.R, seg.G, seg.B, seg.A}); c != OutputColor(2) {
		t.Errorf("segment colour %v, want output 2's %v", c, OutputColor(2))
	}
}

func TestPalette(t *testing.T) {
	p := Palette(3)
	want := []string{"#0072b2", "#009e73", "#d55e00"}
	for i := range want {
		if p[i] != want[i] {
			t.Errorf("Palette[%d] = %s, want %s", i, p[i], want[i])
		}
	}
	if OutputColor(8) != OutputColor(0) || OutputColor(-1) != OutputColor(7) {
		t.Errorf("palette does not wrap / grey for negative")
	}
}

func samplePortrait(t *testing.T) *Portrait {
	t.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	n, err := rnn.New(6, 3, 3, r)
	if err != nil {
		t.Fatal(err)
	}
	p := &Portrait{Scene: *Demo(), Mean: make([]float64, 6), PC1: make([]float64, 6), PC2: make([]float64, 6),
		Net: &Weights{H: n.H, D: n.D, O: n.O, Win: n.Win, Whh: n.Whh, Wout: n.Wout}, Kick: []int{1, 4}}
	p.PC1[0], p.PC2[1] = 1, 1
	p.Scene.Heatmaps = []Heatmap{{Area: p.Scene.Bounds, Rows: 2, Cols: 3, Values: []float64{1, 2, 3, 4, 5, 6}, Color: Ink.WithAlpha(0.5)}}
	p.Scene.Arrows = []Arrow{{From: Vec{1, 2}, To: Vec{3, 4}, Color: FlowColor, Width: 1}}
	return p
}

func TestEncodeRoundTrip(t *testing.T) {
	p := samplePortrait(t)
	q, err := Decode(p.Encode())
	if err != nil {
		t.Fatal(err)
	}
	const tol = 1e-6 // float32 rounding of values of order 1
	near := func(a, b float64) bool { return math.Abs(a-b) <= tol*math.Max(1, math.Abs(a)) }
	if len(q.Scene.Lines) != 1 || len(q.Scene.Lines[0].Points) != len(p.Scene.Lines[0].Points) {
		t.Fatalf("lines lost")
	}
	for k, pt := range p.Scene.Lines[0].Points {
		if g := q.Scene.Lines[0].Points[k]; !near(g.X, pt.X) || !near(g.Y, pt.Y) {
			t.Fatalf("point %d: %v, want %v", k, g, pt)
		}
	}
	for k, c := range p.Scene.Lines[0].Colors {
		g := q.Scene.Lines[0].Colors[k]
		if math.Abs(float64(g.R-c.R)) > 1.0/255 || g.A != c.A {
			t.Fatalf("colour %d: %v, want %v (8-bit)", k, g, c)
		}
	}
	if q.Scene.Bounds != p.Scene.Bounds {
		t.Errorf("bounds %v, want %v (kept in float64)", q.Scene.Bounds, p.Scene.Bounds)
	}
	if h := q.Scene.Heatmaps[0]; h.Rows != 2 || h.Cols != 3 || h.Values[5] != 6 {
		t.Errorf("heatmap %+v", h)
	}
	if m := q.Scene.Markers[0]; m.Shape != Cross || m.Size != 6 {
		t.Errorf("marker %+v", m)
	}
	if q.Net == nil || q.Net.H != 6 || !near(q.Net.Whh[7], p.Net.Whh[7]) || len(q.Kick) != 2 || q.Kick[1] != 4 {
		t.Errorf("network or kick neurons lost: %+v %v", q.Net, q.Kick)
	}
	if q.PC1[0] != 1 || q.PC2[1] != 1 {
		t.Errorf("projection lost")
	}
}

func TestDecodeRejectsCorruptInput(t *testing.T) {
	good := samplePortrait(t).Encode()
	bad := map[string][]byte{
		"empty":     nil,
		"magic":     append([]byte("XXXX"), good[4:]...),
		"truncated": good[:len(good)-3],
		"trailing":  append(append([]byte{}, good...), 0),
	}
	// A kick neuron beyond H: patch the last u32.
	k := append([]byte{}, good...)
	k[len(k)-4] = 99
	bad["kick range"] = k
	// A huge count right after the bounds (heatmap count).
	h := append([]byte{}, good...)
	h[4+32], h[4+33], h[4+34], h[4+35] = 0xff, 0xff, 0xff, 0x7f
	bad["count"] = h
	for name, data := range bad {
		if _, err := Decode(data); err == nil {
			t.Errorf("%s: Decode accepted corrupt input", name)
		}
	}
}

func TestParticlesMatchNetStep(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	n, err := rnn.New(8, 3, 3, r)
	if err != nil {
		t.Fatal(err)
	}
	w := &Weights{H: n.H, D: n.D, O: n.O, Win: n.Win, Whh: n.Whh, Wout: n.Wout}
	const sigma = 0.7
	// Same noise stream: the particles draw D normals per particle per step
	// in order, as the reference below does.
	rp := rand.New(rand.NewPCG(9, 9))
	ps, err := NewParticles(w, 2, sigma, rp)
	if err != nil {
		t.Fatal(err)
	}
	ref := rand.New(rand.NewPCG(9, 9))
	h := [2][]float64{make([]float64, 8), make([]float64, 8)}
	next := make([]float64, 8)
	x := make([]float64, 3)
	step := func() {
		for i := range 2 {
			for k := range x {
				x[k] = sigma * ref.NormFloat64()
			}
			n.Step(next, h[i], x)
			copy(h[i], next)
		}
	}
	for range WarmUp {
		step()
	}
	for s := range 5 {
		for i := range 2 {
			for j, v := range ps.State(i) {
				if math.Abs(v-h[i][j]) > 1e-12 {
					t.Fatalf("step %d particle %d neuron %d: %v, want %v", s, i, j, v, h[i][j])
				}
			}
		}
		ps.Step(sigma, rp)
		step()
	}
}

func TestParticlesSilenced(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	n, _ := rnn.New(10, 4, 3, r)
	w := &Weights{H: n.H, D: n.D, O: n.O, Win: n.Win, Whh: n.Whh, Wout: n.Wout}
	ps, err := NewParticles(w, 3, 1, r)
	if err != nil {
		t.Fatal(err)
	}
	ps.SetGain([]int{2, 7, 99}, 0)
	ps.Step(1, r)
	for i := range ps.Len() {
		if h := ps.State(i); h[2] != 0 || h[7] != 0 {
			t.Errorf("particle %d: silenced neurons fire: %v %v", i, h[2], h[7])
		}
		if o := ps.Output(i); o < 0 || o >= 3 {
			t.Errorf("output %d", o)
		}
	}
	if c := ParticleCount(w); c < 16 || c > 250 {
		t.Errorf("ParticleCount = %d", c)
	}
	n2, _ := rnn.New(10, 4, 3, r)
	before := append([]float64(nil), ps.State(0)...)
	if err := ps.Rebind(&Weights{H: 10, D: 4, O: 3, Win: n2.Win, Whh: n2.Whh, Wout: n2.Wout}); err != nil {
		t.Fatal(err)
	}
	for i, v := range ps.State(0) {
		if v != before[i] {
			t.Fatalf("Rebind moved the particles")
		}
	}
	if err := ps.Rebind(&Weights{H: 9, D: 4, O: 3, Win: make([]float64, 36), Whh: make([]float64, 81), Wout: make([]float64, 27)}); err == nil {
		t.Errorf("Rebind accepted another shape")
	}
	if _, err := NewParticles(&Weights{H: 2, D: 1, O: 1}, 1, 1, r); err == nil {
		t.Errorf("NewParticles accepted weights of the wrong shape")
	}
}
