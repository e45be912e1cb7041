package rnn

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Size limits accepted by New and Validate. They are sanity bounds, not
// paper values: the paper uses H in {50, 150, 200}, D in {1, 10, 100, 200}
// and O = 3 (core/METHOD.md section 2).
const (
	// MaxHidden is the largest hidden size H.
	MaxHidden = 4096
	// MaxInput is the largest noise dimension D.
	MaxInput = 4096
	// MaxOutputs is the largest alphabet size O; symbols are uint8.
	MaxOutputs = 256
)

// Net is a vanilla ReLU RNN without biases, driven only by noise
// (core/METHOD.md section 2):
//
//	h_0 = 0
//	h_t = relu(W_in x_t + W_hh h_{t-1}),  x_t ~ N(0, sigma^2 I_D)
//	logits_t = W_out h_t
//	y_t = one_hot(argmax(logits_t + g_t)), g_t ~ Gumbel(0, 1)
//
// All matrices are row-major. Readout says how the symbol is emitted when
// it is not the paper's softmax(logits_t) (a calibrated emitter; training
// draws its samples as the paper, whatever it holds).
type Net struct {
	H, D, O int
	Win     []float64 // H x D row-major (Win[i*D+k])
	Whh     []float64 // H x H row-major (Whh[i*H+j]: from unit j to unit i)
	Wout    []float64 // O x H row-major
	Readout Readout
}

func checkSizes(H, D, O int) error {
	switch {
	case H < 1 || H > MaxHidden:
		return fmt.Errorf("rnn: hidden size H = %d outside [1, %d]", H, MaxHidden)
	case D < 1 || D > MaxInput:
		return fmt.Errorf("rnn: input size D = %d outside [1, %d]", D, MaxInput)
	case O < 1 || O > MaxOutputs:
		return fmt.Errorf("rnn: output size O = %d outside [1, %d]", O, MaxOutputs)
	}
	return nil
}

// New returns a network with PyTorch's default initialisation
// (core/METHOD.md section 2): every entry of W_in, W_hh and W_out is drawn
// independently from U(-1/sqrt(H), 1/sqrt(H)). The entries are drawn from r
// in the order W_in, W_hh, W_out, each row-major.
func New(H, D, O int, r *rand.Rand) (*Net, error) {
	if err := checkSizes(H, D, O); err != nil {
		return nil, err
	}
	if r == nil {
		return nil, fmt.Errorf("rnn: New needs a random source")
	}
	n := &Net{
		H: H, D: D, O: O,
		Win:  make([]float64, H*D),
		Whh:  make([]float64, H*H),
		Wout: make([]float64, O*H),
	}
	bound := 1 / math.Sqrt(float64(H))
	for _, w := range [][]float64{n.Win, n.Whh, n.Wout} {
		for i := range w {
			w[i] = bound * (2*r.Float64() - 1)
		}
	}
	return n, nil
}

// Validate checks the sizes, the matrix shapes and that every weight is
// finite. The error names the matrix and the entry.
func (n *Net) Validate() error {
	if n == nil {
		return fmt.Errorf("rnn: nil network")
	}
	if err := checkSizes(n.H, n.D, n.O); err != nil {
		return err
	}
	mats := []struct {
		name       string
		w          []float64
		rows, cols int
	}{
		{"W_in", n.Win, n.H, n.D},
		{"W_hh", n.Whh, n.H, n.H},
		{"W_out", n.Wout, n.O, n.H},
	}
	for _, m := range mats {
		if len(m.w) != m.rows*m.cols {
			return fmt.Errorf("rnn: %s has %d entries, want %d x %d = %d", m.name, len(m.w), m.rows, m.cols, m.rows*m.cols)
		}
		for i, v := range m.w {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("rnn: %s[%d][%d] = %v is not finite", m.name, i/m.cols, i%m.cols, v)
			}
		}
	}
	return n.Readout.Validate(n.O)
}

// Clone returns a deep copy of n.
func (n *Net) Clone() *Net {
	return &Net{
		H: n.H, D: n.D, O: n.O,
		Win:     append([]float64(nil), n.Win...),
		Whh:     append([]float64(nil), n.Whh...),
		Wout:    append([]float64(nil), n.Wout...),
		Readout: n.Readout.Clone(),
	}
}

// NumParams returns the number of weights, H*D + H*H + O*H.
func (n *Net) NumParams() int {
	return n.H*n.D + n.H*n.H + n.O*n.H
}

// Step computes hNext = relu(W_in x + W_hh h). A nil x means no input
// (x = 0). hNext must have length H and must not alias h.
func (n *Net) Step(hNext, h, x []float64) {
	H, D := n.H, n.D
	hNext = hNext[:H]
	h = h[:H]
	if x != nil {
		x = x[:D]
	}
	for i := range hNext {
		var a float64
		if x != nil {
			row := n.Win[i*D : i*D+D]
			for k, v := range x {
				a += row[k] * v
			}
		}
		row := n.Whh[i*H : i*H+H]
		for j, v := range h {
			a += row[j] * v
		}
		hNext[i] = max(a, 0)
	}
}

// Logits computes out = W_out h (out has length O).
func (n *Net) Logits(out, h []float64) {
	H := n.H
	h = h[:H]
	for o := range out[:n.O] {
		row := n.Wout[o*H : o*H+H]
		var a float64
		for i, v := range h {
			a += row[i] * v
		}
		out[o] = a
	}
}

// gumbel returns a standard Gumbel(0, 1) draw, -log(E) with E ~ Exp(1),
// the construction torch.nn.functional.gumbel_softmax uses. It consumes one
// r.ExpFloat64.
func gumbel(r *rand.Rand) float64 {
	return -math.Log(expPositive(r))
}

// expPositive draws E ~ Exp(1) from r, redrawing the exact zero that
// rand.ExpFloat64 returns with probability 2^-32: 1/E is the Gumbel factor
// exp(g), and E = 0 would make it infinite and the soft sample NaN (seen
// once in 3,400 steps at B=512, T=30).
func expPositive(r *rand.Rand) float64 {
	for {
		if e := r.ExpFloat64(); e > 0 {
			return e
		}
	}
}

// gumbelArgmax returns argmax_o(logits[o] + g_o) with fresh Gumbel noise,
// drawing len(logits) values from r in order o = 0, 1, ... (Gumbel-max:
// P(result = o) = softmax(logits)_o). Ties go to the lowest index.
func gumbelArgmax(r *rand.Rand, logits []float64) int {
	best, bestV := 0, math.Inf(-1)
	for o, l := range logits {
		if v := l + gumbel(r); v > bestV {
			best, bestV = o, v
		}
	}
	return best
}

// Run simulates one noise-driven trajectory of T steps starting from h0
// (nil means the zero state): for t = 0..T-1 it draws x_t (D normals,
// scaled by sigma), computes h_t = relu(W_in x_t + W_hh h_{t-1}) with
// h_{-1} = h0, logits_t = W_out h_t, and then draws O Gumbel values for the
// emitted symbol. It returns the hidden states (T x H row-major), the logits
// (T x O) and the emitted symbols (T). sigma = 0 gives the input-free
// dynamics (the normal draws are still consumed).
func (n *Net) Run(r *rand.Rand, T int, sigma float64, h0 []float64) (hs, logits []float64, out []uint8) {
	H, D, O := n.H, n.D, n.O
	if T < 0 {
		T = 0
	}
	hs = make([]float64, T*H)
	logits = make([]float64, T*O)
	out = make([]uint8, T)
	x := make([]float64, D)
	prev := make([]float64, H)
	if h0 != nil {
		copy(prev, h0[:H])
	}
	for t := range T {
		for k := range x {
			x[k] = sigma * r.NormFloat64()
		}
		cur := hs[t*H : t*H+H]
		n.Step(cur, prev, x)
		l := logits[t*O : t*O+O]
		n.Logits(l, cur)
		out[t] = uint8(gumbelArgmax(r, l))
		prev = cur
	}
	return hs, logits, out
}

// Sample emits nSeq sequences of length T (noise std sigma, hard Gumbel-max
// sampling), row-major nSeq x T (out[s*T+t]). It runs the sequences in
// parallel chunks with the noise drawn exactly as Workspace.Forward draws it
// (see there), in float64: Sample and NewWorkspace64(n, nSeq, T).Forward
// with equal random states emit the same symbols. n must be valid.
func (n *Net) Sample(r *rand.Rand, nSeq, T int, sigma float64) []uint8 {
	out, _, _, _ := n.sample(r, nSeq, T, sigma, false, false)
	return out
}

// SampleLogits is Sample (the same symbols from the same random state)
// that also returns every step's logits, nSeq x T x O row-major: what a
// readout recalibration needs to emit the same runs at other gains
// (core/train's ReadoutGain) without simulating them again.
func (n *Net) SampleLogits(r *rand.Rand, nSeq, T int, sigma float64) (out []uint8, logits []float64) {
	out, _, _, logits = n.sample(r, nSeq, T, sigma, false, true)
	return out, logits
}

// SampleArgmax is Sample (the same symbols from the same random state)
// that also returns, for the same runs, the argmax of every step's logits
// (row-major like the symbols; the first of equal logits) and the mean
// over every step of 1 - max softmax(logits): the probability that the
// emitted symbol is not the argmax, the readout noise of core/METHOD.md
// section 4. Emitted and argmax outputs of one run can so be compared
// step by step.
func (n *Net) SampleArgmax(r *rand.Rand, nSeq, T int, sigma float64) (out, argmax []uint8, offArgmax float64) {
	out, argmax, offArgmax, _ = n.sample(r, nSeq, T, sigma, true, false)
	return out, argmax, offArgmax
}

func (n *Net) sample(r *rand.Rand, nSeq, T int, sigma float64, readout, keepLogits bool) (out, argmax []uint8, offArgmax float64, logits []float64) {
	if nSeq < 1 || T < 1 {
		return []uint8{}, []uint8{}, 0, []float64{}
	}
	e := newEngine[float64](n.H, n.D, n.O, nSeq, T, false)
	for c := range e.numChunks() {
		s1 := r.Uint64()
		s2 := r.Uint64()
		e.seed(c, s1, s2)
	}
	out = make([]uint8, nSeq*T)
	if readout {
		e.argmax = make([]uint8, nSeq*T)
	}
	if keepLogits {
		e.logits = make([]float64, nSeq*T*n.O)
	}
	e.forward(n, sigma, DefaultTau, out, 0, e.numChunks())
	if !readout {
		return out, nil, 0, e.logits
	}
	for _, c := range e.chunks { // in chunk order: the same sum however the chunks ran
		offArgmax += c.off
	}
	return out, e.argmax, offArgmax / float64(nSeq*T), e.logits
}
