package scene

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// Portrait is what the training worker sends to the drawing app: the
// picture, and what the app needs to animate noise-driven particles in it
// (the network's weights and the projection that made the picture).
type Portrait struct {
	Scene Scene
	// Projection from hidden space to the picture: p = (PC1·(h-Mean), PC2·(h-Mean)).
	// All three have length H, or are nil when the picture is not a projection.
	Mean, PC1, PC2 []float64
	// Net holds the weights that particles simulate (nil: no particles).
	Net *Weights
	// Kick lists the kick neurons (indices into the hidden layer), which the
	// app can silence.
	Kick []int
}

// Weights are the three weight matrices of the noise-driven RNN (core/METHOD.md section 2),
// row-major with the layout of rnn.Net.
type Weights struct {
	H, D, O        int
	Win, Whh, Wout []float64
}

// Validate checks shapes and finiteness.
func (w *Weights) Validate() error {
	if w.H <= 0 || w.D <= 0 || w.O <= 0 {
		return fmt.Errorf("scene: weights: sizes H=%d D=%d O=%d must be positive", w.H, w.D, w.O)
	}
	for _, m := range []struct {
		name string
		v    []float64
		n    int
	}{{"w_in", w.Win, w.H * w.D}, {"w_hh", w.Whh, w.H * w.H}, {"w_out", w.Wout, w.O * w.H}} {
		if len(m.v) != m.n {
			return fmt.Errorf("scene: weights: %s has %d entries, want %d", m.name, len(m.v), m.n)
		}
		for i, x := range m.v {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return fmt.Errorf("scene: weights: %s[%d] is not finite", m.name, i)
			}
		}
	}
	return nil
}

// encodingMagic starts every encoded portrait; the last byte is the
// format version.
var encodingMagic = [4]byte{'H', 'R', 'P', 1}

// Encode returns the compact binary form of p (float32 coordinates and
// weights, 8-bit colours), the message format between worker and app.
func (p *Portrait) Encode() []byte {
	var w writer
	w.b = append(w.b, encodingMagic[:]...)
	s := &p.Scene
	w.rect(s.Bounds)
	w.u32(len(s.Heatmaps))
	for _, h := range s.Heatmaps {
		w.rect(h.Area)
		w.u32(h.Rows)
		w.u32(h.Cols)
		w.f32s(h.Values)
		w.color(h.Color)
	}
	w.u32(len(s.Lines))
	for _, l := range s.Lines {
		w.u32(len(l.Points))
		for _, q := range l.Points {
			w.f32(q.X)
			w.f32(q.Y)
		}
		if l.Colors != nil {
			w.b = append(w.b, 1)
			for _, c := range l.Colors {
				w.color(c)
			}
		} else {
			w.b = append(w.b, 0)
		}
		w.color(l.Color)
		w.f32(float64(l.Width))
	}
	w.u32(len(s.Arrows))
	for _, a := range s.Arrows {
		w.vec(a.From)
		w.vec(a.To)
		w.color(a.Color)
		w.f32(float64(a.Width))
	}
	w.u32(len(s.Markers))
	for _, m := range s.Markers {
		w.vec(m.At)
		w.color(m.Color)
		w.f32(float64(m.Size))
		w.b = append(w.b, byte(m.Shape))
	}
	w.f32s(p.Mean)
	w.f32s(p.PC1)
	w.f32s(p.PC2)
	if p.Net != nil {
		w.b = append(w.b, 1)
		w.u32(p.Net.H)
		w.u32(p.Net.D)
		w.u32(p.Net.O)
		w.f32s(p.Net.Win)
		w.f32s(p.Net.Whh)
		w.f32s(p.Net.Wout)
	} else {
		w.b = append(w.b, 0)
	}
	w.u32(len(p.Kick))
	for _, k := range p.Kick {
		w.u32(k)
	}
	return w.b
}

// Decode parses what Encode wrote. Values come back rounded to float32.
func Decode(data []byte) (*Portrait, error) {
	r := reader{b: data}
	if len(data) < 4 || [4]byte(data[:4]) != encodingMagic {
		return nil, errors.New("scene: decode: not a portrait (bad magic or version)")
	}
	r.b = r.b[4:]
	p := &Portrait{}
	s := &p.Scene
	s.Bounds = r.rect()
	s.Heatmaps = make([]Heatmap, r.count())
	for i := range s.Heatmaps {
		h := &s.Heatmaps[i]
		h.Area = r.rect()
		h.Rows = r.u32()
		h.Cols = r.u32()
		h.Values = r.f32s()
		h.Color = r.color()
	}
	s.Lines = make([]Polyline, r.count())
	for i := range s.Lines {
		l := &s.Lines[i]
		l.Points = make([]Vec, r.count())
		for k := range l.Points {
			l.Points[k] = r.vec()
		}
		if r.byte() == 1 {
			l.Colors = make([]Color, len(l.Points))
			for k := range l.Colors {
				l.Colors[k] = r.color()
			}
		}
		l.Color = r.color()
		l.Width = float32(r.f32())
	}
	s.Arrows = make([]Arrow, r.count())
	for i := range s.Arrows {
		s.Arrows[i] = Arrow{From: r.vec(), To: r.vec(), Color: r.color(), Width: float32(r.f32())}
	}
	s.Markers = make([]Marker, r.count())
	for i := range s.Markers {
		s.Markers[i] = Marker{At: r.vec(), Color: r.color(), Size: float32(r.f32()), Shape: Shape(r.byte())}
	}
	p.Mean = r.f32s()
	p.PC1 = r.f32s()
	p.PC2 = r.f32s()
	if r.byte() == 1 {
		p.Net = &Weights{H: r.u32(), D: r.u32(), O: r.u32()}
		p.Net.Win = r.f32s()
		p.Net.Whh = r.f32s()
		p.Net.Wout = r.f32s()
	}
	p.Kick = make([]int, r.count())
	for i := range p.Kick {
		p.Kick[i] = r.u32()
	}
	if r.err != nil {
		return nil, fmt.Errorf("scene: decode: %w", r.err)
	}
	if len(r.b) != 0 {
		return nil, fmt.Errorf("scene: decode: %d trailing bytes", len(r.b))
	}
	if err := p.validate(); err != nil {
		return nil, fmt.Errorf("scene: decode: %w", err)
	}
	return p, nil
}

// validate checks the cross-references Decode cannot see field by field.
func (p *Portrait) validate() error {
	for i, h := range p.Scene.Heatmaps {
		if len(h.Values) != h.Rows*h.Cols {
			return fmt.Errorf("heatmap %d: %d values for %dx%d cells", i, len(h.Values), h.Rows, h.Cols)
		}
	}
	if len(p.PC1) != len(p.Mean) || len(p.PC2) != len(p.Mean) {
		return fmt.Errorf("projection: lengths %d, %d, %d differ", len(p.Mean), len(p.PC1), len(p.PC2))
	}
	if p.Net != nil {
		if err := p.Net.Validate(); err != nil {
			return err
		}
		if len(p.Mean) != 0 && len(p.Mean) != p.Net.H {
			return fmt.Errorf("projection has dimension %d, network %d", len(p.Mean), p.Net.H)
		}
		for _, k := range p.Kick {
			if k >= p.Net.H {
				return fmt.Errorf("kick neuron %d out of range (H=%d)", k, p.Net.H)
			}
		}
	}
	return nil
}

type writer struct{ b []byte }

func (w *writer) u32(n int) { w.b = binary.LittleEndian.AppendUint32(w.b, uint32(n)) }
func (w *writer) f32(x float64) {
	w.b = binary.LittleEndian.AppendUint32(w.b, math.Float32bits(float32(x)))
}
func (w *writer) vec(v Vec) { w.f32(v.X); w.f32(v.Y) }
func (w *writer) rect(r Rect) {
	for _, x := range []float64{r.Min.X, r.Min.Y, r.Max.X, r.Max.Y} {
		w.b = binary.LittleEndian.AppendUint64(w.b, math.Float64bits(x))
	}
}
func (w *writer) color(c Color) { w.b = append(w.b, to8(c.R), to8(c.G), to8(c.B), to8(c.A)) }
func (w *writer) f32s(v []float64) {
	w.u32(len(v))
	for _, x := range v {
		w.f32(x)
	}
}

// reader consumes a buffer; the first short read sets err and every later
// read returns zero values.
type reader struct {
	b   []byte
	err error
}

func (r *reader) take(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n > len(r.b) {
		r.fail(errors.New("buffer too short"))
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *reader) byte() byte {
	if v := r.take(1); v != nil {
		return v[0]
	}
	return 0
}

func (r *reader) u32() int {
	if v := r.take(4); v != nil {
		return int(binary.LittleEndian.Uint32(v))
	}
	return 0
}

// count reads the length of a list whose every element takes at least one
// byte, so a count beyond the bytes left marks a corrupt buffer.
func (r *reader) count() int {
	n := r.u32()
	if n > len(r.b) {
		r.fail(fmt.Errorf("count %d exceeds the %d bytes left", n, len(r.b)))
		return 0
	}
	return n
}

func (r *reader) fail(err error) {
	if r.err == nil {
		r.err = err
	}
}

func (r *reader) f32() float64 {
	if v := r.take(4); v != nil {
		return float64(math.Float32frombits(binary.LittleEndian.Uint32(v)))
	}
	return 0
}

func (r *reader) vec() Vec { return Vec{r.f32(), r.f32()} }

func (r *reader) rect() Rect {
	var x [4]float64
	for i := range x {
		if v := r.take(8); v != nil {
			x[i] = math.Float64frombits(binary.LittleEndian.Uint64(v))
		}
	}
	return Rect{Vec{x[0], x[1]}, Vec{x[2], x[3]}}
}

func (r *reader) color() Color {
	v := r.take(4)
	if v == nil {
		return Color{}
	}
	return Color{float32(v[0]) / 255, float32(v[1]) / 255, float32(v[2]) / 255, float32(v[3]) / 255}
}

func (r *reader) f32s() []float64 {
	n := r.count()
	if r.err != nil || n == 0 {
		return nil
	}
	if 4*n > len(r.b) {
		r.fail(fmt.Errorf("array of %d floats exceeds the %d bytes left", n, len(r.b)))
		return nil
	}
	v := make([]float64, n)
	for i := range v {
		v[i] = r.f32()
	}
	return v
}
