package rnn

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
)

// DefaultTau is the Gumbel-softmax temperature of the paper (core/METHOD.md
// section 2); Forward uses it when given tau = 0.
const DefaultTau = 1.0

// chunkRows is the number of sequences in one parallel task. The partition
// of a batch into chunks depends only on the batch size, never on the number
// of threads, so results are bit-identical for any GOMAXPROCS.
const chunkRows = 64

// Workspace holds the buffers for batched training passes of one network
// shape: Forward runs B noise-driven sequences of length T and keeps what
// Backward needs for backpropagation through time.
//
// The batch is split into fixed chunks of up to 64 sequences that run in
// parallel on up to GOMAXPROCS goroutines. Each chunk has its own random
// stream and its own gradient buffers; the chunk gradients are summed in
// chunk order, so the same seed gives bit-identical symbols and gradients
// whatever the scheduling.
//
// A Workspace is not safe for concurrent use.
type Workspace struct {
	h, d, o, b, t int
	eng           engine
	out           []uint8
	ran           bool

	helper    Helper
	helperErr error
	seeds     []uint64 // of the last Forward, two per chunk
	first     int      // the last Forward's chunks first.. ran in the helper (numChunks: none)
	sigma     float64
	tau       float64

	part      bool      // a ForwardPart ran and awaits its BackwardPart
	partFirst int       // its first chunk
	partDY    []float64 // BackwardPart's dL/dy, placed at the batch's rows
	partOut   []float32 // BackwardPart's result
}

// engine is the element-type specific part of a Workspace.
type engine interface {
	numChunks() int
	seed(c int, s1, s2 uint64)
	rowOf(c int) int // first row of chunk c (the batch size for c = numChunks)
	// forward runs chunks [c0, c1) with the weights of n.
	forward(n *Net, sigma, tau float64, out []uint8, c0, c1 int)
	// backward computes the gradients of chunks [c0, c1).
	backward(dY []float64, c0, c1 int)
	// reduce sums the chunk gradients, in chunk order, into grad.
	reduce(grad *Net)
	gradLen() int // float32 values of one chunk's gradients
	// softInto copies the soft samples of every chunk into dst (B x T x O
	// row-major).
	softInto(dst []float64)
	exportGrads(c0, c1 int, dst []float32)
	importGrads(c0, c1 int, src []float32)
}

// NewWorkspace returns a training workspace for B sequences of length T of
// networks shaped like n. It computes in float32 (as the paper's PyTorch
// code does) with float64 weights and gradients at the API. It panics if
// B < 1, T < 1 or n has invalid sizes (programmer errors).
func NewWorkspace(n *Net, B, T int) *Workspace {
	return newWorkspace(n, B, T, func(H, D, O, B, T int) engine {
		return newEngine[float32](H, D, O, B, T, true)
	})
}

// NewWorkspace64 is NewWorkspace computing in float64: slower, used where
// precision matters more than speed (gradient checks, reference runs).
func NewWorkspace64(n *Net, B, T int) *Workspace {
	return newWorkspace(n, B, T, func(H, D, O, B, T int) engine {
		return newEngine[float64](H, D, O, B, T, true)
	})
}

func newWorkspace(n *Net, B, T int, mk func(H, D, O, B, T int) engine) *Workspace {
	if err := checkSizes(n.H, n.D, n.O); err != nil {
		panic(err)
	}
	if B < 1 || T < 1 {
		panic(fmt.Sprintf("rnn: NewWorkspace with B = %d, T = %d", B, T))
	}
	return &Workspace{
		h: n.H, d: n.D, o: n.O, b: B, t: T,
		eng: mk(n.H, n.D, n.O, B, T),
		out: make([]uint8, B*T),
	}
}

func (w *Workspace) checkNet(n *Net, what string) {
	if n.H != w.h || n.D != w.d || n.O != w.o ||
		len(n.Win) != n.H*n.D || len(n.Whh) != n.H*n.H || len(n.Wout) != n.O*n.H {
		panic(fmt.Sprintf("rnn: %s with a %dx%dx%d network (lengths %d, %d, %d) on a workspace for %dx%dx%d",
			what, n.H, n.D, n.O, len(n.Win), len(n.Whh), len(n.Wout), w.h, w.d, w.o))
	}
}

// Forward runs the batch and returns the emitted symbols, row-major B x T
// (out[b*T+t]); the slice is owned by the workspace and overwritten by the
// next Forward.
//
// Noise: Forward draws two r.Uint64, s1 and s2, per chunk in chunk order
// (chunk c holds sequences 64c .. 64c+63) and gives chunk c the stream
// rand.New(rand.NewPCG(s1, s2)). From its stream a chunk draws, for each
// t = 0..T-1: first the inputs x_t of its sequences in order, D NormFloat64
// each (scaled by sigma), then, once step t is computed, O ExpFloat64 per
// sequence in order, E_o (an exact 0, probability 2^-32, is redrawn), giving
// the Gumbel noise g_o = -log E_o. The hard symbol is argmax(logits + g)
// and the soft sample kept for Backward is softmax((logits + g)/tau);
// tau = 0 means DefaultTau. It panics if n is not shaped like the workspace
// or tau < 0.
func (w *Workspace) Forward(n *Net, r *rand.Rand, sigma, tau float64) []uint8 {
	w.checkNet(n, "Forward")
	if tau == 0 {
		tau = DefaultTau
	}
	if !(tau > 0) {
		panic(fmt.Sprintf("rnn: Forward with tau = %v", tau))
	}
	nc := w.eng.numChunks()
	w.seeds = w.seeds[:0]
	for c := range nc {
		s1 := r.Uint64()
		s2 := r.Uint64()
		w.eng.seed(c, s1, s2)
		w.seeds = append(w.seeds, s1, s2)
	}
	w.sigma, w.tau, w.first = sigma, tau, nc
	w.part = false
	if w.helper != nil && nc >= 2 {
		w.first = (nc + 1) / 2
		wait := w.helper.Forward(Part{Net: n, B: w.b, T: w.t, First: w.first, Seeds: w.seeds[2*w.first:], Sigma: sigma, Tau: tau})
		w.eng.forward(n, sigma, tau, w.out, 0, w.first)
		r0 := w.eng.rowOf(w.first)
		sym, err := wait()
		if err == nil && len(sym) != (w.b-r0)*w.t {
			err = fmt.Errorf("rnn: helper returned %d symbols, want %d", len(sym), (w.b-r0)*w.t)
		}
		if err != nil {
			w.dropHelper(err)
			w.eng.forward(n, sigma, tau, w.out, w.first, nc)
			w.first = nc
		} else {
			copy(w.out[r0*w.t:], sym)
		}
	} else {
		w.eng.forward(n, sigma, tau, w.out, 0, nc)
	}
	w.ran = true
	return w.out
}

// Soft returns the soft samples softmax((logits + g)/tau) of the last
// Forward, B x T x O row-major in dst (reallocated when its length is
// wrong): the relaxed outputs whose Jacobian Backward's straight-through
// estimator uses (core/METHOD.md section 2). It is an error to call it
// without a Forward since the last Backward or when part of the batch ran
// in a helper (those soft samples stay there).
func (w *Workspace) Soft(dst []float64) ([]float64, error) {
	if !w.ran {
		return dst, errors.New("rnn: Soft without a Forward since the last Backward")
	}
	if nc := w.eng.numChunks(); w.first < nc {
		return dst, errors.New("rnn: Soft after a Forward that ran chunks in a helper")
	}
	if len(dst) != w.b*w.t*w.o {
		dst = make([]float64, w.b*w.t*w.o)
	}
	w.eng.softInto(dst)
	return dst, nil
}

// dropHelper stops using the helper after a failure; the work is redone
// here, so results do not change.
func (w *Workspace) dropHelper(err error) {
	w.helper = nil
	w.helperErr = err
}

// Backward takes dL/dy for the hard one-hot outputs of the last Forward
// (B x T x O row-major, dY[(b*T+t)*O+o]) and overwrites grad with dL/dW.
// The gradient passes the sample by the straight-through Gumbel-softmax
// estimator, dL/dlogits = J_softmax(s)^T dL/dy / tau (core/METHOD.md section 2),
// and then back through time by hand-written BPTT. n must be the network
// given to that Forward; grad's slices are reallocated if their lengths are
// wrong. Backward uses up the state of the Forward (it overwrites the
// stored hidden states with their gradients), so each Backward needs its own
// Forward. It panics without one, or if dY has the wrong length.
func (w *Workspace) Backward(n *Net, dY []float64, grad *Net) {
	w.checkNet(n, "Backward")
	if !w.ran {
		panic("rnn: Backward without a Forward since the last Backward")
	}
	if len(dY) != w.b*w.t*w.o {
		panic(fmt.Sprintf("rnn: Backward with len(dY) = %d, want B*T*O = %d", len(dY), w.b*w.t*w.o))
	}
	grad.H, grad.D, grad.O = w.h, w.d, w.o
	grad.Win = resize(grad.Win, w.h*w.d)
	grad.Whh = resize(grad.Whh, w.h*w.h)
	grad.Wout = resize(grad.Wout, w.o*w.h)
	w.ran = false
	nc := w.eng.numChunks()
	if w.first < nc {
		r0 := w.eng.rowOf(w.first)
		wait := w.helper.Backward(dY[r0*w.t*w.o:])
		w.eng.backward(dY, 0, w.first)
		g, err := wait()
		if err == nil && len(g) != (nc-w.first)*w.eng.gradLen() {
			err = fmt.Errorf("rnn: helper returned %d gradient values, want %d", len(g), (nc-w.first)*w.eng.gradLen())
		}
		if err != nil {
			// The helper's chunks never ran here: run them forward again
			// (the same seeds and weights give the same states), then back.
			w.dropHelper(err)
			for c := w.first; c < nc; c++ {
				w.eng.seed(c, w.seeds[2*c], w.seeds[2*c+1])
			}
			w.eng.forward(n, w.sigma, w.tau, w.out, w.first, nc)
			w.eng.backward(dY, w.first, nc)
		} else {
			w.eng.importGrads(w.first, nc, g)
		}
	} else {
		w.eng.backward(dY, 0, nc)
	}
	w.eng.reduce(grad)
}

func resize(s []float64, n int) []float64 {
	if len(s) != n {
		return make([]float64, n)
	}
	return s
}

// chunk is one parallel task: up to chunkRows sequences, stored time-major
// (row (t*bc + i) holds sequence row0+i at step t), padded to bc rows.
type chunk[F float] struct {
	row0, rows, bc int
	pcg            pcg        // the chunk's stream
	rng            *rand.Rand // wraps pcg

	x    []F       // inputs, T (or 1) x bc x dp
	h    []F       // hidden states, T (or 2) x bc x hp; Backward overwrites step t with dL/da_t
	lg   []F       // logits scratch, bc x lp
	w    []float64 // Gumbel scratch, O
	lf   []float64 // a calibrated readout's logits and probabilities, O each (offArgmax)
	p    []float64
	s    []F     // soft samples, T x bc x O
	dh   []F     // bc x hp scratch
	dlog []F     // dL/dlogits scratch, bc x op
	off  float64 // sum of 1 - max softmax(logits) over the chunk's steps (readout)

	gwin, gwhh, gwout []F // this chunk's gradients, hp x dp, hp x hp, op x hp
}

// engineOf is the batched forward/backward for element type F.
type engineOf[F float] struct {
	H, D, O, T int
	hp, dp     int  // padded lengths of hidden and input rows
	lp, op     int  // padded lengths of logit rows and dL/dlogits rows
	train      bool // keep every step for Backward
	// argmax, when set, receives the argmax of every step's logits
	// (row-major like the symbols), and each chunk sums its off-argmax
	// probabilities (Net.SampleArgmax).
	argmax []uint8
	// logits, when set, receives every step's logits, nSeq x T x O
	// row-major (Net.SampleLogits).
	logits []float64
	k      kernels[F]
	tau    float64
	// readout, gain and rare are the loaded network's Readout (rare as a
	// mask) when it is not the paper's (gain 0 otherwise): emitted symbols
	// are drawn in its two stages, unless the engine trains.
	readout Readout
	gain    float64
	rare    []bool

	winT  []F // D x hp: winT[k*hp+i] = Win[i][k]
	whhT  []F // H x hp: whhT[j*hp+i] = Whh[i][j]
	whh   []F // H x hp: whh[i*hp+j] = Whh[i][j]
	woutT []F // H x lp: woutT[i*lp+o] = Wout[o][i]
	wout  []F // O x hp

	chunks []*chunk[F]
}

// padTo rounds n up to a multiple of m.
func padTo(n, m int) int { return (n + m - 1) / m * m }

// Padding that lets the assembly kernels run on whole tiles: columns in
// multiples of 8, rows in multiples of 4. Padded entries stay zero.
const (
	colPad = 8
	rowPad = 4
)

// WorkspaceBytes is the memory NewWorkspace allocates for B sequences of
// length T of an H x D x O network, as newEngine lays it out (float32,
// padded): the transposed weight copies, per chunk of 64 sequences its own
// gradients and scratch, per sequence and step the inputs, hidden states
// and soft samples, and the symbols. Memory budgets (core/train's estimate,
// PartServer's bound on requests) count it before allocating.
func WorkspaceBytes(H, D, O, B, T int) int64 {
	hp, dp, lp, op := int64(padTo(H, colPad)), int64(padTo(D, colPad)), int64(padTo(O, colPad)), int64(padTo(O, rowPad))
	h, d, o, t := int64(H), int64(D), int64(O), int64(T)
	floats := d*hp + 2*h*hp + h*lp + o*hp // weight copies
	var chunks int64
	for row0 := 0; row0 < B; row0 += chunkRows {
		bc := int64(padTo(min(chunkRows, B-row0), rowPad))
		floats += hp*dp + hp*hp + op*hp + bc*(hp+op+lp) + t*bc*(o+dp+hp)
		chunks++
	}
	return 4*floats + 8*chunks*o + int64(B)*int64(T)
}

func newEngine[F float](H, D, O, B, T int, train bool) *engineOf[F] {
	e := &engineOf[F]{
		H: H, D: D, O: O, T: T,
		hp: padTo(H, colPad), dp: padTo(D, colPad),
		lp: padTo(O, colPad), op: padTo(O, rowPad),
		train: train,
		k:     kernelsFor[F](),
	}
	e.winT = make([]F, D*e.hp)
	e.whhT = make([]F, H*e.hp)
	e.whh = make([]F, H*e.hp)
	e.woutT = make([]F, H*e.lp)
	e.wout = make([]F, O*e.hp)
	for row0 := 0; row0 < B; row0 += chunkRows {
		rows := min(chunkRows, B-row0)
		bc := padTo(rows, rowPad)
		c := &chunk[F]{row0: row0, rows: rows, bc: bc}
		c.rng = rand.New(&c.pcg)
		xs, hs := 1, 2
		if train {
			xs, hs = T, T
			c.s = make([]F, T*bc*O)
			c.dh = make([]F, bc*e.hp)
			c.dlog = make([]F, bc*e.op)
			c.gwin = make([]F, e.hp*e.dp)
			c.gwhh = make([]F, e.hp*e.hp)
			c.gwout = make([]F, e.op*e.hp)
		}
		c.x = make([]F, xs*bc*e.dp)
		c.h = make([]F, hs*bc*e.hp)
		c.lg = make([]F, bc*e.lp)
		c.w, c.lf, c.p = make([]float64, O), make([]float64, O), make([]float64, O)
		e.chunks = append(e.chunks, c)
	}
	return e
}

func (e *engineOf[F]) numChunks() int { return len(e.chunks) }

func (e *engineOf[F]) seed(c int, s1, s2 uint64) { e.chunks[c].pcg.Seed(s1, s2) }

// load converts the weights of n into the engine's padded layouts.
func (e *engineOf[F]) load(n *Net) {
	H, D, O, hp, lp := e.H, e.D, e.O, e.hp, e.lp
	e.readout, e.gain, e.rare = Readout{}, 0, nil
	if r := n.Readout; !r.IsPlain() && !e.train {
		e.readout, e.gain, e.rare = r, r.Gain, make([]bool, O)
		for _, k := range r.Rare {
			e.rare[k] = true
		}
	}
	for i := range H {
		for k := range D {
			e.winT[k*hp+i] = F(n.Win[i*D+k])
		}
		for j := range H {
			v := F(n.Whh[i*H+j])
			e.whhT[j*hp+i] = v
			e.whh[i*hp+j] = v
		}
	}
	for o := range O {
		for i := range H {
			v := F(n.Wout[o*H+i])
			e.wout[o*hp+i] = v
			e.woutT[i*lp+o] = v
		}
	}
}

// parallel runs f(0..n-1) on up to GOMAXPROCS goroutines. Which goroutine
// runs which task does not matter: tasks write disjoint memory.
func parallel(n int, f func(i int)) {
	w := min(runtime.GOMAXPROCS(0), n)
	if w <= 1 {
		for i := range n {
			f(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range w {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				f(i)
			}
		})
	}
	wg.Wait()
}

func (e *engineOf[F]) rowOf(c int) int {
	if c == len(e.chunks) {
		last := e.chunks[c-1]
		return last.row0 + last.rows
	}
	return e.chunks[c].row0
}

func (e *engineOf[F]) forward(n *Net, sigma, tau float64, out []uint8, c0, c1 int) {
	e.load(n)
	e.tau = tau
	parallel(c1-c0, func(i int) { e.forwardChunk(e.chunks[c0+i], sigma, tau, out) })
}

// slot returns step t's block of a per-step buffer with the given number
// of stored steps (T when training, else a ring).
func slot[F float](buf []F, t, steps, size int) []F {
	t %= steps
	return buf[t*size : (t+1)*size]
}

func (e *engineOf[F]) forwardChunk(c *chunk[F], sigma, tau float64, out []uint8) {
	H, D, O, T, hp, dp, lp, bc := e.H, e.D, e.O, e.T, e.hp, e.dp, e.lp, c.bc
	xSteps, hSteps := 1, 2
	if e.train {
		xSteps, hSteps = T, T
	}
	var prev []F
	for t := range T {
		xs := slot(c.x, t, xSteps, bc*dp)
		for i := range c.rows {
			fillNormal(&c.pcg, xs[i*dp:i*dp+D], sigma)
		}
		hs := slot(c.h, t, hSteps, bc*hp)
		e.k.nnSet(bc, hp, D, xs, dp, e.winT, hp, hs, hp)
		if t > 0 {
			e.k.nn(bc, hp, H, prev, hp, e.whhT, hp, hs, hp)
		}
		e.k.relu(hs)
		e.k.nnSet(bc, lp, H, hs, hp, e.woutT, lp, c.lg, lp)
		for i := range c.rows {
			var s []F
			if e.train {
				s = c.s[(t*bc+i)*O : (t*bc+i)*O+O]
			}
			l := c.lg[i*lp : i*lp+O]
			k := sampleGumbel(c.rng, l, tau, s, c.w)
			if e.gain != 0 && !e.rare[k] {
				k = sampleFrequent(c.rng, l, e.gain, e.rare)
			}
			out[(c.row0+i)*T+t] = k
			if e.argmax != nil {
				k, off := readout(l)
				if e.gain != 0 {
					off = e.offArgmax(l, k, c.lf, c.p)
				}
				e.argmax[(c.row0+i)*T+t] = k
				c.off += off
			}
			if e.logits != nil {
				dst := e.logits[((c.row0+i)*T+t)*O : ((c.row0+i)*T+t+1)*O]
				for o, v := range c.lg[i*lp : i*lp+O] {
					dst[o] = float64(v)
				}
			}
		}
		prev = hs
	}
}

// readout returns the argmax of the logits l (the first of equal ones)
// and 1 - max softmax(l), the probability that a sample of softmax(l) is
// not the argmax.
func readout[F float](l []F) (uint8, float64) {
	k := 0
	for o, v := range l {
		if v > l[k] {
			k = o
		}
	}
	top := float64(l[k])
	var z float64
	for _, v := range l {
		z += math.Exp(float64(v) - top)
	}
	return uint8(k), 1 - 1/z
}

// sampleFrequent is the second stage of a calibrated Readout: a symbol not
// in rare drawn from softmax(g l) over those symbols, by Gumbel-max:
// argmax_o exp(g (l_o - max l)) / E_o, E_o = expPositive(r) for each symbol
// not rare.
func sampleFrequent[F float](r *rand.Rand, l []F, g float64, rare []bool) uint8 {
	lmax := math.Inf(-1)
	for o, v := range l {
		if !rare[o] {
			lmax = max(lmax, float64(v))
		}
	}
	best, bestW := 0, -1.0
	for o, v := range l {
		if rare[o] {
			continue
		}
		if wo := math.Exp(g*(float64(v)-lmax)) / expPositive(r); wo > bestW {
			best, bestW = o, wo
		}
	}
	return uint8(best)
}

// offArgmax is 1 minus the probability with which the loaded Readout
// emits the argmax k of the logits l (Readout.Probs); lf and p are scratch
// of length len(l).
func (e *engineOf[F]) offArgmax(l []F, k uint8, lf, p []float64) float64 {
	for o, v := range l {
		lf[o] = float64(v)
	}
	e.readout.Probs(lf, p)
	return 1 - p[k]
}

// sampleGumbel draws E_o = expPositive(r) for o = 0..O-1, i.e. Gumbel noise
// g_o = -log E_o, and returns the hard sample argmax_o(l_o + g_o). If s is
// not nil it receives the soft sample softmax((l + g)/tau). Both are computed
// from w_o = exp(((l_o - max l) + g_o)/tau), which for tau = 1 is
// exp(l_o - max l)/E_o and needs no logarithm.
// w is scratch of length len(l).
func sampleGumbel[F float](r *rand.Rand, l []F, tau float64, s []F, w []float64) uint8 {
	w = w[:len(l)]
	lmax := float64(l[0])
	for _, v := range l[1:] {
		lmax = max(lmax, float64(v))
	}
	best, bestW, sum := 0, -1.0, 0.0
	for o, v := range l {
		var wo float64
		switch {
		case tau == 1 && float64(v) == lmax: // exp(0) = 1: skip the call
			wo = 1 / expPositive(r)
		case tau == 1:
			wo = math.Exp(float64(v)-lmax) / expPositive(r)
		default:
			wo = math.Exp((float64(v) - lmax - math.Log(expPositive(r))) / tau)
		}
		w[o] = wo
		sum += wo
		if wo > bestW {
			best, bestW = o, wo
		}
	}
	for o := range s {
		s[o] = F(w[o] / sum)
	}
	return uint8(best)
}

func (e *engineOf[F]) softInto(dst []float64) {
	T, O := e.T, e.O
	for _, c := range e.chunks {
		for i := range c.rows {
			for t := range T {
				src := c.s[(t*c.bc+i)*O : (t*c.bc+i)*O+O]
				out := dst[((c.row0+i)*T+t)*O : ((c.row0+i)*T+t)*O+O]
				for o, v := range src {
					out[o] = float64(v)
				}
			}
		}
	}
}

func (e *engineOf[F]) backward(dY []float64, c0, c1 int) {
	parallel(c1-c0, func(i int) { e.backwardChunk(e.chunks[c0+i], dY) })
}

func (e *engineOf[F]) gradLen() int { return e.hp*e.dp + e.hp*e.hp + e.op*e.hp }

// exportGrads copies the gradients of chunks [c0, c1) to dst, per chunk
// gwin, gwhh, gwout (gradLen values each).
func (e *engineOf[F]) exportGrads(c0, c1 int, dst []float32) {
	dst = dst[:(c1-c0)*e.gradLen()]
	for _, c := range e.chunks[c0:c1] {
		for _, g := range [][]F{c.gwin, c.gwhh, c.gwout} {
			for i, v := range g {
				dst[i] = float32(v)
			}
			dst = dst[len(g):]
		}
	}
}

// importGrads is the inverse of exportGrads.
func (e *engineOf[F]) importGrads(c0, c1 int, src []float32) {
	src = src[:(c1-c0)*e.gradLen()]
	for _, c := range e.chunks[c0:c1] {
		for _, g := range [][]F{c.gwin, c.gwhh, c.gwout} {
			for i := range g {
				g[i] = F(src[i])
			}
			src = src[len(g):]
		}
	}
}

func (e *engineOf[F]) backwardChunk(c *chunk[F], dY []float64) {
	H, O, T, hp, dp, op, bc := e.H, e.O, e.T, e.hp, e.dp, e.op, c.bc
	clear(c.gwin)
	clear(c.gwhh)
	clear(c.gwout)
	invTau := 1 / e.tau
	for t := T - 1; t >= 0; t-- {
		// dL/dlogits = J_softmax(s)^T dL/dy / tau = s * (dy - <s, dy>) / tau.
		for i := range c.rows {
			s := c.s[(t*bc+i)*O : (t*bc+i)*O+O]
			dy := dY[((c.row0+i)*T+t)*O : ((c.row0+i)*T+t)*O+O]
			var sd float64
			for o, v := range s {
				sd += float64(v) * dy[o]
			}
			dl := c.dlog[i*op : i*op+O]
			for o, v := range s {
				dl[o] = F(float64(v) * (dy[o] - sd) * invTau)
			}
		}
		ht := c.h[t*bc*hp : (t+1)*bc*hp]
		e.k.tn(op, hp, c.rows, c.dlog, op, ht, hp, c.gwout, hp)
		dh := c.dh
		e.k.nnSet(bc, hp, O, c.dlog, op, e.wout, hp, dh, hp)
		if t < T-1 {
			e.k.nn(bc, hp, H, c.h[(t+1)*bc*hp:(t+2)*bc*hp], hp, e.whh, hp, dh, hp)
		}
		// dL/da_t = dL/dh_t where a_t > 0 (equivalently h_t > 0); it
		// replaces h_t, which later steps no longer need.
		e.k.mask(ht, dh)
		xt := c.x[t*bc*dp : (t+1)*bc*dp]
		if t > 0 {
			e.k.tn2(hp, c.rows, ht, hp, dp, xt, dp, c.gwin, dp, hp, c.h[(t-1)*bc*hp:t*bc*hp], hp, c.gwhh, hp)
		} else {
			e.k.tn(hp, dp, c.rows, ht, hp, xt, dp, c.gwin, dp)
		}
	}
}

// reduceRows is the number of hidden units per parallel reduction task.
const reduceRows = 16

// reduce sums the chunk gradients in chunk order into grad, in parallel
// over blocks of hidden units (each entry's sum order is fixed).
func (e *engineOf[F]) reduce(grad *Net) {
	H, D, O, hp, dp := e.H, e.D, e.O, e.hp, e.dp
	blocks := (H + reduceRows - 1) / reduceRows
	parallel(blocks+1, func(b int) {
		if b == blocks {
			clear(grad.Wout)
			for _, c := range e.chunks {
				for o := range O {
					g := grad.Wout[o*H : o*H+H]
					for i, v := range c.gwout[o*hp : o*hp+H] {
						g[i] += float64(v)
					}
				}
			}
			return
		}
		i0, i1 := b*reduceRows, min((b+1)*reduceRows, H)
		clear(grad.Win[i0*D : i1*D])
		clear(grad.Whh[i0*H : i1*H])
		for _, c := range e.chunks {
			for i := i0; i < i1; i++ {
				g := grad.Win[i*D : i*D+D]
				for k, v := range c.gwin[i*dp : i*dp+D] {
					g[k] += float64(v)
				}
				g = grad.Whh[i*H : i*H+H]
				for j, v := range c.gwhh[i*hp : i*hp+H] {
					g[j] += float64(v)
				}
			}
		}
	})
}
