package rnn

import (
	"errors"
	"fmt"
	"math"
)

// A Helper computes the second half of a Workspace's chunks somewhere else,
// so that a single-threaded program can use a second core: in the browser,
// the training Web Worker hands them to a second Worker, whose Go program
// runs a Workspace of the same shape with ForwardPart and BackwardPart.
// Each method starts the work and returns a function that waits for the
// result; the workspace computes its own chunks meanwhile.
//
// Results are bit-identical to computing every chunk locally: the helper
// runs the same float32 code on the same weights and seeds, and the
// workspace sums the chunk gradients in the usual order. If a wait returns
// an error the workspace computes the chunks itself (same results), stops
// using the helper and reports the error from HelperErr.
type Helper interface {
	// Forward starts the forward pass of p's chunks; wait returns their
	// symbols (what ForwardPart returns).
	Forward(p Part) (wait func() ([]uint8, error))
	// Backward starts the backward pass of the chunks of the last Forward,
	// given dL/dy for their rows; wait returns what BackwardPart returns.
	Backward(dY []float64) (wait func() ([]float32, error))
}

// Part asks for the forward pass of chunks First, First+1, ... of a batch
// of B sequences of length T.
type Part struct {
	Net        *Net
	B, T       int
	First      int
	Seeds      []uint64 // two per chunk, for the chunks from First on
	Sigma, Tau float64
}

// SetHelper makes w hand the second half of its chunks to h from the next
// Forward on (nil: compute everything here). Only the float32 workspace of
// NewWorkspace takes a helper.
func (w *Workspace) SetHelper(h Helper) error {
	if h != nil && !w.isFloat32() {
		return errors.New("rnn: a helper needs the float32 workspace of NewWorkspace")
	}
	w.helper, w.helperErr = h, nil
	return nil
}

// isFloat32 reports whether w is the float32 workspace of NewWorkspace, the
// one whose chunks a helper can compute.
func (w *Workspace) isFloat32() bool {
	_, ok := w.eng.(*engineOf[float32])
	return ok
}

// HelperErr returns the error that made w stop using its helper, if any.
func (w *Workspace) HelperErr() error { return w.helperErr }

// ForwardPart runs the chunks p asks for on w, which must have p's shape
// (a NewWorkspace with p.Net's sizes, p.B and p.T), and returns their
// symbols: rows from chunk p.First's first row to the end, T per row. The
// slice is owned by w until the next ForwardPart. Bad requests are errors.
func (w *Workspace) ForwardPart(p Part) ([]uint8, error) {
	w.part = false
	n := p.Net
	if err := n.Validate(); err != nil {
		return nil, fmt.Errorf("rnn: ForwardPart: %w", err)
	}
	switch {
	case !w.isFloat32():
		return nil, errors.New("rnn: ForwardPart needs the float32 workspace of NewWorkspace")
	case n.H != w.h || n.D != w.d || n.O != w.o || p.B != w.b || p.T != w.t:
		return nil, fmt.Errorf("rnn: ForwardPart for H=%d D=%d O=%d B=%d T=%d on a workspace for H=%d D=%d O=%d B=%d T=%d",
			n.H, n.D, n.O, p.B, p.T, w.h, w.d, w.o, w.b, w.t)
	}
	nc := w.eng.numChunks()
	switch {
	case p.First < 1 || p.First >= nc:
		return nil, fmt.Errorf("rnn: ForwardPart: first chunk %d outside 1..%d", p.First, nc-1)
	case len(p.Seeds) != 2*(nc-p.First):
		return nil, fmt.Errorf("rnn: ForwardPart: %d seeds, want %d", len(p.Seeds), 2*(nc-p.First))
	case math.IsNaN(p.Sigma) || math.IsInf(p.Sigma, 0) || !(p.Tau > 0) || math.IsInf(p.Tau, 0):
		return nil, fmt.Errorf("rnn: ForwardPart: sigma %v, tau %v", p.Sigma, p.Tau)
	}
	for c := p.First; c < nc; c++ {
		w.eng.seed(c, p.Seeds[2*(c-p.First)], p.Seeds[2*(c-p.First)+1])
	}
	w.eng.forward(n, p.Sigma, p.Tau, w.out, p.First, nc)
	w.partFirst, w.part = p.First, true
	return w.out[w.eng.rowOf(p.First)*w.t:], nil
}

// BackwardPart takes dL/dy for the rows of the last ForwardPart (row-major,
// T x O per row) and returns the gradients of its chunks, in chunk order,
// for the Backward of the workspace that asked. The slice is owned by w.
func (w *Workspace) BackwardPart(dY []float64) ([]float32, error) {
	if !w.part {
		return nil, errors.New("rnn: BackwardPart without a ForwardPart")
	}
	first, nc := w.partFirst, w.eng.numChunks()
	r0 := w.eng.rowOf(first)
	if want := (w.b - r0) * w.t * w.o; len(dY) != want {
		return nil, fmt.Errorf("rnn: BackwardPart with %d values of dL/dy, want %d", len(dY), want)
	}
	w.part = false
	if len(w.partDY) != w.b*w.t*w.o {
		w.partDY = make([]float64, w.b*w.t*w.o)
	}
	copy(w.partDY[r0*w.t*w.o:], dY)
	w.eng.backward(w.partDY, first, nc)
	w.partOut = resize32(w.partOut, (nc-first)*w.eng.gradLen())
	w.eng.exportGrads(first, nc, w.partOut)
	return w.partOut, nil
}

func resize32(s []float32, n int) []float32 {
	if len(s) != n {
		return make([]float32, n)
	}
	return s
}

// MaxPartBytes bounds the workspace (WorkspaceBytes) a part request may
// make PartServer allocate, so that a corrupt message of a few bytes
// (B = T = 65536, say) cannot ask for hundreds of GB. The helper serves the
// page's runs, which core/train keeps within 1 GiB in all
// (train.PageMemory, checked by a test there to stay within this bound).
const MaxPartBytes = 1 << 30

// PartServer is the helper's side: it answers Forward requests with
// ForwardPart on a workspace of the request's shape (made on the first
// request and whenever the shape changes) and Backward requests with
// BackwardPart. It is not safe for concurrent use.
type PartServer struct {
	ws *Workspace
}

// Forward runs p's chunks (see Workspace.ForwardPart).
func (s *PartServer) Forward(p Part) ([]uint8, error) {
	if p.Net == nil {
		return nil, errors.New("rnn: part request without a network")
	}
	if err := checkSizes(p.Net.H, p.Net.D, p.Net.O); err != nil {
		return nil, err
	}
	if p.B < 1 || p.T < 1 || p.B > 1<<20 || p.T > 1<<16 {
		return nil, fmt.Errorf("rnn: part request for B=%d T=%d", p.B, p.T)
	}
	if n := WorkspaceBytes(p.Net.H, p.Net.D, p.Net.O, p.B, p.T); n > MaxPartBytes {
		return nil, fmt.Errorf("rnn: part request for H=%d D=%d O=%d B=%d T=%d needs %d bytes of workspace, at most %d",
			p.Net.H, p.Net.D, p.Net.O, p.B, p.T, n, int64(MaxPartBytes))
	}
	w := s.ws
	if w == nil || w.h != p.Net.H || w.d != p.Net.D || w.o != p.Net.O || w.b != p.B || w.t != p.T {
		w = NewWorkspace(p.Net, p.B, p.T)
		s.ws = w
	}
	return w.ForwardPart(p)
}

// Backward runs the backward pass of the last Forward's chunks.
func (s *PartServer) Backward(dY []float64) ([]float32, error) {
	if s.ws == nil {
		return nil, errors.New("rnn: BackwardPart without a ForwardPart")
	}
	return s.ws.BackwardPart(dY)
}
