package scene

import (
	"bytes"
	"testing"
)

// FuzzDecode feeds the portrait decoder (the worker's binary message to
// the page) arbitrary bytes: it must return an error or a portrait that
// encodes and decodes again to the same bytes (Decode already rounded its
// values to what Encode writes), never panic or allocate beyond the input.
func FuzzDecode(f *testing.F) {
	p := &Portrait{Scene: *Demo(), Mean: []float64{0, 1}, PC1: []float64{1, 0}, PC2: []float64{0, 1},
		Net: &Weights{H: 2, D: 1, O: 2, Win: []float64{1, 2}, Whh: []float64{0, 1, 1, 0}, Wout: []float64{1, 0, 0, 1}}, Kick: []int{1}}
	p.Scene.Heatmaps = []Heatmap{{Area: p.Scene.Bounds, Rows: 1, Cols: 2, Values: []float64{1, 2}, Color: Ink}}
	good := p.Encode()
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add((&Portrait{}).Encode())
	f.Add([]byte("XXXX"))
	f.Fuzz(func(t *testing.T, data []byte) {
		q, err := Decode(data)
		if err != nil {
			return
		}
		b := q.Encode()
		r, err := Decode(b)
		if err != nil {
			t.Fatalf("a decoded portrait does not decode after encoding: %v", err)
		}
		if !bytes.Equal(r.Encode(), b) {
			t.Fatal("encode(decode(encode(p))) differs from encode(p)")
		}
	})
}
