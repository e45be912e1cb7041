package sinkhorn

import (
	"math"
	"testing"
)

func TestEpsSchedule(t *testing.T) {
	for _, c := range []struct {
		name                    string
		diameter, blur, scaling float64
		want                    []float64
	}{
		// core/METHOD.md section 3: one-hot T = 30, O = 3, d^2 = 90.
		{"paper T=30", math.Sqrt(90), 0.2, 0.5,
			[]float64{90, 90, 22.5, 5.625, 1.40625, 0.3515625, 0.087890625, 0.04}},
		{"d^2 = 3", math.Sqrt(3), 0.2, 0.5, []float64{3, 3, 0.75, 0.1875, 0.046875, 0.04}},
		{"one arange element", 0.3, 0.2, 0.5, []float64{0.09, 0.09, 0.04}},
		{"diameter below blur", 0.15, 0.2, 0.5, []float64{0.0225, 0.04}},
		// Found by FuzzServeWire: a blur far above the diameter gave
		// arange a negative count, and make panicked.
		{"diameter far below blur", 1, 100, 0.5, []float64{1, 10000}},
		{"scaling 0.7", 2, 0.5, 0.7, nil},
	} {
		got := epsSchedule(c.diameter, c.blur, c.scaling)
		if c.want == nil {
			// numpy.arange length ceil((stop-start)/step) = ceil(ln(4/0.25)/ln(1/0.49)) = 4.
			if len(got) != 6 || got[0] != 4 || got[5] != 0.25 {
				t.Errorf("%s: %v", c.name, got)
			}
			continue
		}
		if len(got) != len(c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
			continue
		}
		for i := range got {
			if math.Abs(got[i]-c.want[i]) > 1e-14*c.want[i] {
				t.Errorf("%s: eps[%d] = %v, want %v", c.name, i, got[i], c.want[i])
			}
		}
	}
}
