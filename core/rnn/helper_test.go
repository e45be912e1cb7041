package rnn

import (
	"errors"
	"math/rand/v2"
	"slices"
	"testing"
)

// goHelper runs the helper's side on its own workspace in a goroutine, as
// the second Web Worker does in the browser; fail makes a wait fail.
type goHelper struct {
	s           PartServer
	failForward bool
	failBack    bool
	calls       int
}

func (h *goHelper) Forward(p Part) func() ([]uint8, error) {
	h.calls++
	done := make(chan struct{})
	var sym []uint8
	var err error
	go func() {
		defer close(done)
		s, e := h.s.Forward(p)
		sym, err = slices.Clone(s), e
	}()
	return func() ([]uint8, error) {
		<-done
		if h.failForward {
			return nil, errors.New("helper gone")
		}
		return sym, err
	}
}

func (h *goHelper) Backward(dY []float64) func() ([]float32, error) {
	done := make(chan struct{})
	var g []float32
	var err error
	go func() {
		defer close(done)
		v, e := h.s.Backward(dY)
		g, err = slices.Clone(v), e
	}()
	return func() ([]float32, error) {
		<-done
		if h.failBack {
			return nil, errors.New("helper gone")
		}
		return g, err
	}
}

// TestHelperBitIdentical checks that a workspace with a helper emits the
// same symbols and gradients, bit for bit, as one without, for batches of
// 1 to 5 chunks (with a partial last chunk), and when the helper fails in
// the forward or the backward pass (the workspace then redoes the work).
func TestHelperBitIdentical(t *testing.T) {
	const H, D, O, T = 13, 4, 3, 7
	r := rand.New(rand.NewPCG(1, 2))
	n, err := New(H, D, O, r)
	if err != nil {
		t.Fatal(err)
	}
	for _, B := range []int{5, 64, 100, 192, 300} {
		for _, mode := range []string{"ok", "fail forward", "fail backward"} {
			dY := make([]float64, B*T*O)
			for i := range dY {
				dY[i] = r.NormFloat64()
			}
			plain, helped := NewWorkspace(n, B, T), NewWorkspace(n, B, T)
			h := &goHelper{failForward: mode == "fail forward", failBack: mode == "fail backward"}
			if err := helped.SetHelper(h); err != nil {
				t.Fatal(err)
			}
			var g1, g2 Net
			for step := range 3 {
				seed := uint64(10*B + step)
				x1 := slices.Clone(plain.Forward(n, rand.New(rand.NewPCG(seed, 3)), 1, 1))
				x2 := helped.Forward(n, rand.New(rand.NewPCG(seed, 3)), 1, 1)
				if !slices.Equal(x1, x2) {
					t.Fatalf("B=%d %s step %d: symbols differ", B, mode, step)
				}
				plain.Backward(n, dY, &g1)
				helped.Backward(n, dY, &g2)
				if !slices.Equal(g1.Win, g2.Win) || !slices.Equal(g1.Whh, g2.Whh) || !slices.Equal(g1.Wout, g2.Wout) {
					t.Fatalf("B=%d %s step %d: gradients differ", B, mode, step)
				}
			}
			chunks := (B + chunkRows - 1) / chunkRows
			switch {
			case chunks < 2 && h.calls != 0:
				t.Errorf("B=%d: helper called for a single chunk", B)
			case chunks >= 2 && mode == "ok" && (h.calls != 3 || helped.HelperErr() != nil):
				t.Errorf("B=%d: helper called %d times (want 3), error %v", B, h.calls, helped.HelperErr())
			case chunks >= 2 && mode != "ok" && (h.calls != 1 || helped.HelperErr() == nil):
				t.Errorf("B=%d %s: helper called %d times after failing (want 1), error %v", B, mode, h.calls, helped.HelperErr())
			}
		}
	}
}

func TestHelperBadRequests(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	n, _ := New(6, 2, 2, r)
	w := NewWorkspace(n, 200, 5) // 4 chunks
	other, _ := New(7, 2, 2, r)
	good := Part{Net: n, B: 200, T: 5, First: 2, Seeds: make([]uint64, 4), Sigma: 1, Tau: 1}
	bad := func(f func(p *Part)) Part { p := good; f(&p); return p }
	for name, p := range map[string]Part{
		"no net":     bad(func(p *Part) { p.Net = nil }),
		"other size": bad(func(p *Part) { p.Net = other }),
		"batch":      bad(func(p *Part) { p.B = 100 }),
		"seq len":    bad(func(p *Part) { p.T = 6 }),
		"first 0":    bad(func(p *Part) { p.First = 0 }),
		"first 4":    bad(func(p *Part) { p.First = 4 }),
		"seeds":      bad(func(p *Part) { p.Seeds = make([]uint64, 3) }),
		"tau":        bad(func(p *Part) { p.Tau = 0 }),
	} {
		if _, err := w.ForwardPart(p); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := w.BackwardPart(make([]float64, 10)); err == nil {
		t.Error("BackwardPart without ForwardPart: no error")
	}
	if _, err := w.ForwardPart(good); err != nil {
		t.Fatal(err)
	}
	if _, err := w.BackwardPart(make([]float64, 10)); err == nil {
		t.Error("BackwardPart with the wrong length: no error")
	}
	if err := NewWorkspace64(n, 200, 5).SetHelper(&goHelper{}); err == nil {
		t.Error("SetHelper on a float64 workspace: no error")
	}
}
