package sinkhorn

import (
	"math"
	"testing"
)

func TestBadInputs(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	seq := []uint8{0, 1, 2, 0}
	for _, c := range []struct {
		name string
		run  func() error
	}{
		{"Dense N=0", func() error { _, _, err := Dense(nil, []float64{1}, 0, 1, 1, Options{}); return err }},
		{"Dense M=0", func() error { _, _, err := Dense([]float64{1}, nil, 1, 0, 1, Options{}); return err }},
		{"Dense Dim=0", func() error { _, _, err := Dense(nil, nil, 1, 1, 0, Options{}); return err }},
		{"Dense len x", func() error { _, _, err := Dense([]float64{1, 2, 3}, []float64{1, 2}, 1, 1, 2, Options{}); return err }},
		{"Dense len y", func() error { _, _, err := Dense([]float64{1, 2}, []float64{1, 2, 3}, 1, 1, 2, Options{}); return err }},
		{"Dense NaN x", func() error { _, _, err := Dense([]float64{nan}, []float64{1}, 1, 1, 1, Options{}); return err }},
		{"Dense Inf y", func() error { _, _, err := Dense([]float64{1}, []float64{inf}, 1, 1, 1, Options{}); return err }},
		{"Dense overflowing diameter", func() error {
			_, _, err := Dense([]float64{-1e308, 1e308}, []float64{1e308, -1e308}, 1, 1, 2, Options{})
			return err
		}},
		{"blur < MinBlur", func() error {
			_, _, err := Dense([]float64{0}, []float64{1}, 1, 1, 1, Options{Blur: MinBlur / 2})
			return err
		}},
		{"blur < 0", func() error { _, _, err := Dense([]float64{0}, []float64{1}, 1, 1, 1, Options{Blur: -1}); return err }},
		{"blur NaN", func() error { _, _, err := Dense([]float64{0}, []float64{1}, 1, 1, 1, Options{Blur: nan}); return err }},
		{"blur Inf", func() error { _, _, err := Dense([]float64{0}, []float64{1}, 1, 1, 1, Options{Blur: inf}); return err }},
		{"scaling 1", func() error { _, _, err := Dense([]float64{0}, []float64{1}, 1, 1, 1, Options{Scaling: 1}); return err }},
		{"scaling < 0", func() error { _, _, err := Symbols(seq, seq, 1, 1, 4, 3, Options{Scaling: -0.5}); return err }},
		{"tol < 0", func() error { _, _, err := Symbols(seq, seq, 1, 1, 4, 3, Options{Tol: -1}); return err }},
		{"MaxIter < 0", func() error { _, _, err := Symbols(seq, seq, 1, 1, 4, 3, Options{MaxIter: -1}); return err }},
		{"Workers < 0", func() error { _, _, err := Symbols(seq, seq, 1, 1, 4, 3, Options{Workers: -1}); return err }},
		{"Symbols N=0", func() error { _, _, err := Symbols(nil, seq, 0, 1, 4, 3, Options{}); return err }},
		{"Symbols M=0", func() error { _, _, err := Symbols(seq, nil, 1, 0, 4, 3, Options{}); return err }},
		{"Symbols T=0", func() error { _, _, err := Symbols(nil, nil, 1, 1, 0, 3, Options{}); return err }},
		{"Symbols T too long", func() error {
			s := make([]uint8, MaxSeqLen+1)
			_, _, err := Symbols(s, s, 1, 1, MaxSeqLen+1, 3, Options{})
			return err
		}},
		{"Symbols len x", func() error { _, _, err := Symbols(seq[:3], seq, 1, 1, 4, 3, Options{}); return err }},
		{"Symbols len y", func() error { _, _, err := Symbols(seq, seq[:3], 1, 1, 4, 3, Options{}); return err }},
		{"Symbols O=0", func() error { _, _, err := Symbols(seq, seq, 1, 1, 4, 0, Options{}); return err }},
		{"Symbols O=257", func() error { _, _, err := Symbols(seq, seq, 1, 1, 4, 257, Options{}); return err }},
		{"Symbols symbol >= O", func() error { _, _, err := Symbols(seq, seq, 1, 1, 4, 2, Options{}); return err }},
		{"Match N=0", func() error { _, err := Match(nil, seq, 0, 1, 4, 0.1); return err }},
		{"Match len x", func() error { _, err := Match(seq[:2], seq, 1, 1, 4, 0.1); return err }},
		{"Match T=0", func() error { _, err := Match(nil, nil, 1, 1, 0, 0.1); return err }},
		{"Match eps=0", func() error { _, err := Match(seq, seq, 1, 1, 4, 0); return err }},
		{"Match eps NaN", func() error { _, err := Match(seq, seq, 1, 1, 4, nan); return err }},
		{"Match eps Inf", func() error { _, err := Match(seq, seq, 1, 1, 4, inf); return err }},
	} {
		if err := c.run(); err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
}
