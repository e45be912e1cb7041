package sinkhorn

// The peer fixture testdata/peer_fixture.json holds losses and gradients computed in float64
// by an independent PyTorch implementation of the paper's loss (a torch_reference.py module:
// sinkhorn_divergence for the loss, checked against geomloss 0.2.6, and
// sinkhorn_grad_closed_form for the gradient, cross-checked against autograd).
// These tests read only the JSON (CI need not have torch). To regenerate it, from the
// repository root, with DIR the directory holding torch_reference.py:
//
//	/usr/bin/python3 core/sinkhorn/testdata/make_fixture.py --peer DIR

import (
	"encoding/json"
	"math"
	"os"
	"testing"
)

// fixtureTol is the relative tolerance against the peer: both sides are float64 log-domain
// computations of the same formulas; they differ only by rounding (the peer forms the cost as
// |x|^2 - 2x.y + |y|^2, log/exp implementations differ in the last bit), amplified by 1/eps = 25.
const fixtureTol = 1e-9

type fixtureCase struct {
	Name     string    `json:"name"`
	Kind     string    `json:"kind"` // "dense" or "onehot"
	N        int       `json:"n"`
	M        int       `json:"m"`
	Dim      int       `json:"dim"`
	T        int       `json:"T"`
	O        int       `json:"O"`
	X        []float64 `json:"x"` // points (dense) or symbols (onehot)
	Y        []float64 `json:"y"`
	Blur     float64   `json:"blur"`
	Scaling  float64   `json:"scaling"`
	Loss     float64   `json:"loss"`
	Grad     []float64 `json:"grad"`
	Diameter float64   `json:"diameter"`
	EpsList  []float64 `json:"eps_list"`
}

func readFixture(t *testing.T) []fixtureCase {
	t.Helper()
	data, err := os.ReadFile("testdata/peer_fixture.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Cases []fixtureCase `json:"cases"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Cases) == 0 {
		t.Fatal("fixture has no cases")
	}
	return doc.Cases
}

func toSymbols(v []float64) []uint8 {
	s := make([]uint8, len(v))
	for i, f := range v {
		s[i] = uint8(f)
	}
	return s
}

// oneHot flattens symbol sequences (n x T) to n x T*O one-hot rows.
func oneHot(s []uint8, n, T, O int) []float64 {
	out := make([]float64, n*T*O)
	for i, v := range s {
		out[i*O+int(v)] = 1
	}
	return out
}

// points returns the fixture inputs as dense points.
func (c *fixtureCase) points() (x, y []float64, dim int) {
	if c.Kind == "dense" {
		return c.X, c.Y, c.Dim
	}
	return oneHot(toSymbols(c.X), c.N, c.T, c.O), oneHot(toSymbols(c.Y), c.M, c.T, c.O), c.T * c.O
}

// gradDiff returns max_i |a_i - b_i| / max(max_i |b_i|, 1/n) for gradients of a batch of n
// rows. The gradient (1/N)(Qx - Py) is a difference of terms of size up to 1/N that can
// cancel almost entirely (e.g. to 1e-9 when both batches hold nearly the same points), so
// errors are measured against the larger of the gradient and the terms' scale.
func gradDiff(a, b []float64, n int) float64 {
	var d float64
	s := 1 / float64(n)
	for i := range b {
		d = math.Max(d, math.Abs(a[i]-b[i]))
		s = math.Max(s, math.Abs(b[i]))
	}
	return d / s
}

func relDiff(a, b float64) float64 { return math.Abs(a-b) / math.Abs(b) }

func TestFixtureSchedule(t *testing.T) {
	for _, c := range readFixture(t) {
		x, y, dim := c.points()
		d := denseDiameter(x, y, dim)
		if relDiff(d, c.Diameter) > 1e-15 {
			t.Errorf("%s: diameter %v, peer %v", c.Name, d, c.Diameter)
		}
		got := epsSchedule(d, c.Blur, c.Scaling)
		if len(got) != len(c.EpsList) {
			t.Errorf("%s: %d temperatures %v, peer %d %v", c.Name, len(got), got, len(c.EpsList), c.EpsList)
			continue
		}
		for i := range got {
			if relDiff(got[i], c.EpsList[i]) > 1e-14 {
				t.Errorf("%s: eps[%d] = %v, peer %v", c.Name, i, got[i], c.EpsList[i])
			}
		}
	}
}

func TestFixtureDense(t *testing.T) {
	for _, c := range readFixture(t) {
		x, y, dim := c.points()
		loss, grad, err := Dense(x, y, c.N, c.M, dim, Options{Blur: c.Blur, Scaling: c.Scaling})
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		if e := relDiff(loss, c.Loss); e > fixtureTol {
			t.Errorf("%s: loss %.15g, peer %.15g (rel %.1e)", c.Name, loss, c.Loss, e)
		}
		if e := gradDiff(grad, c.Grad, c.N); e > fixtureTol {
			t.Errorf("%s: gradient rel.max diff %.1e", c.Name, e)
		}
	}
}

func TestFixtureSymbols(t *testing.T) {
	for _, c := range readFixture(t) {
		if c.Kind != "onehot" {
			continue
		}
		loss, grad, err := Symbols(toSymbols(c.X), toSymbols(c.Y), c.N, c.M, c.T, c.O, Options{Blur: c.Blur, Scaling: c.Scaling})
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		if e := relDiff(loss, c.Loss); e > fixtureTol {
			t.Errorf("%s: loss %.15g, peer %.15g (rel %.1e)", c.Name, loss, c.Loss, e)
		}
		if e := gradDiff(grad, c.Grad, c.N); e > fixtureTol {
			t.Errorf("%s: gradient rel.max diff %.1e", c.Name, e)
		}
	}
}
