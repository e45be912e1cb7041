package dynamics

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"

	"hmmrnn/core/rnn"
)

// Mode says which input of a neuron an Intervention scales (core/METHOD.md section 5.8:
// "scale the recurrent input (and/or noise input)").
type Mode int

const (
	// Recurrent scales the recurrent input (W_hh h)_i.
	Recurrent Mode = iota
	// Noise scales the noise input (W_in x)_i.
	Noise
	// Both scales the whole pre-activation; mu = 0 silences the neuron.
	Both
)

// String returns "recurrent", "noise" or "both".
func (m Mode) String() string {
	switch m {
	case Recurrent:
		return "recurrent"
	case Noise:
		return "noise"
	case Both:
		return "both"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// ParseMode is the inverse of Mode.String.
func ParseMode(s string) (Mode, error) {
	for _, m := range []Mode{Recurrent, Noise, Both} {
		if m.String() == s {
			return m, nil
		}
	}
	return 0, fmt.Errorf("dynamics: unknown scaling mode %q (want recurrent, noise or both)", s)
}

// Intervention scales, per neuron, the two inputs of the update
//
//	h_t = relu(MuRec ⊙ (W_hh h_{t-1}) + MuNoise ⊙ (W_in x_t)).
//
// A nil slice means all ones (no intervention).
type Intervention struct {
	MuRec   []float64
	MuNoise []float64
}

// Scale returns the intervention that multiplies the chosen input of the
// given neurons by mu and leaves all others alone.
func Scale(H int, neurons []int, mu float64, mode Mode) (Intervention, error) {
	if math.IsNaN(mu) || math.IsInf(mu, 0) {
		return Intervention{}, fmt.Errorf("dynamics: scale factor %v is not finite", mu)
	}
	ones := func() []float64 {
		v := make([]float64, H)
		for i := range v {
			v[i] = 1
		}
		return v
	}
	var iv Intervention
	if mode == Recurrent || mode == Both {
		iv.MuRec = ones()
	}
	if mode == Noise || mode == Both {
		iv.MuNoise = ones()
	}
	if iv.MuRec == nil && iv.MuNoise == nil {
		return Intervention{}, fmt.Errorf("dynamics: unknown scaling mode %d", int(mode))
	}
	for _, i := range neurons {
		if i < 0 || i >= H {
			return Intervention{}, fmt.Errorf("dynamics: neuron %d out of range [0, %d)", i, H)
		}
		if iv.MuRec != nil {
			iv.MuRec[i] = mu
		}
		if iv.MuNoise != nil {
			iv.MuNoise[i] = mu
		}
	}
	return iv, nil
}

// Sim steps a network, possibly under an intervention. It keeps scratch
// space, so one Sim must not be used by several goroutines at once.
type Sim struct {
	Net   *rnn.Net
	Sigma float64
	Iv    Intervention

	pre, inp, x []float64
}

// NewSim checks the network and the intervention and returns a simulator
// with noise std sigma (sigma = 0: no input).
func NewSim(net *rnn.Net, sigma float64, iv Intervention) (*Sim, error) {
	if net == nil {
		return nil, errors.New("dynamics: nil network")
	}
	if err := checkNet(net); err != nil {
		return nil, err
	}
	if math.IsNaN(sigma) || math.IsInf(sigma, 0) || sigma < 0 {
		return nil, fmt.Errorf("dynamics: noise std %v must be finite and >= 0", sigma)
	}
	if iv.MuRec != nil && len(iv.MuRec) != net.H {
		return nil, fmt.Errorf("dynamics: MuRec has %d entries, want H = %d", len(iv.MuRec), net.H)
	}
	if iv.MuNoise != nil && len(iv.MuNoise) != net.H {
		return nil, fmt.Errorf("dynamics: MuNoise has %d entries, want H = %d", len(iv.MuNoise), net.H)
	}
	return &Sim{Net: net, Sigma: sigma, Iv: iv}, nil
}

func checkNet(n *rnn.Net) error {
	if n.H <= 0 || n.D <= 0 || n.O <= 0 {
		return fmt.Errorf("dynamics: network sizes H=%d D=%d O=%d must be positive", n.H, n.D, n.O)
	}
	if len(n.Win) != n.H*n.D || len(n.Whh) != n.H*n.H || len(n.Wout) != n.O*n.H {
		return fmt.Errorf("dynamics: network weights have lengths %d, %d, %d; want %d, %d, %d",
			len(n.Win), len(n.Whh), len(n.Wout), n.H*n.D, n.H*n.H, n.O*n.H)
	}
	for _, w := range [][]float64{n.Win, n.Whh, n.Wout} {
		for _, v := range w {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return errors.New("dynamics: network has a non-finite weight")
			}
		}
	}
	return nil
}

func (s *Sim) grow(B int) {
	H, D := s.Net.H, s.Net.D
	if cap(s.pre) < B*H {
		s.pre = make([]float64, B*H)
		s.inp = make([]float64, B*H)
	}
	if cap(s.x) < B*D {
		s.x = make([]float64, B*D)
	}
	s.pre, s.inp, s.x = s.pre[:B*H], s.inp[:B*H], s.x[:B*D]
}

// drawNoise fills the scratch noise of B chains (B x D, chain-major) with
// N(0, Sigma^2) draws from r and returns it; nil when Sigma = 0.
func (s *Sim) drawNoise(r *rand.Rand, B int) []float64 {
	if s.Sigma == 0 {
		return nil
	}
	s.grow(B)
	for i := range s.x {
		s.x[i] = s.Sigma * r.NormFloat64()
	}
	return s.x
}

// step advances B chains: hNext = relu(MuRec ⊙ W_hh h + MuNoise ⊙ W_in x)
// row by row (h, hNext: B x H; x: B x D or nil for no input). hNext must not
// alias h.
func (s *Sim) step(hNext, h []float64, B int, x []float64) {
	s.grow(B)
	if x == nil {
		s.stepInp(hNext, h, B, nil)
		return
	}
	mulT(s.inp, x, s.Net.Win, B, s.Net.D, s.Net.H)
	s.stepInp(hNext, h, B, s.inp)
}

// stepInp is step with the noise input W_in x already computed (B x H, or
// nil for none).
func (s *Sim) stepInp(hNext, h []float64, B int, inp []float64) {
	n := s.Net
	H := n.H
	s.grow(B)
	pre := s.pre
	mulT(pre, h, n.Whh, B, H, H)
	if mu := s.Iv.MuRec; mu != nil {
		for b := 0; b < B; b++ {
			row := pre[b*H : (b+1)*H]
			for i, m := range mu {
				row[i] *= m
			}
		}
	}
	if inp != nil {
		if mu := s.Iv.MuNoise; mu != nil {
			for b := 0; b < B; b++ {
				row, in := pre[b*H:(b+1)*H], inp[b*H:(b+1)*H]
				for i, m := range mu {
					row[i] += m * in[i]
				}
			}
		} else {
			for i, v := range inp {
				pre[i] += v
			}
		}
	}
	for i, v := range pre {
		if v > 0 {
			hNext[i] = v
		} else {
			hNext[i] = 0
		}
	}
}

// mulT sets dst (B x N) = a (B x K) times w^T, with w N x K row-major.
func mulT(dst, a, w []float64, B, K, N int) {
	if B == 1 {
		blas64.Gemv(blas.NoTrans, 1,
			blas64.General{Rows: N, Cols: K, Stride: K, Data: w},
			blas64.Vector{N: K, Inc: 1, Data: a}, 0,
			blas64.Vector{N: N, Inc: 1, Data: dst})
		return
	}
	blas64.Gemm(blas.NoTrans, blas.Trans, 1,
		blas64.General{Rows: B, Cols: K, Stride: K, Data: a},
		blas64.General{Rows: N, Cols: K, Stride: K, Data: w}, 0,
		blas64.General{Rows: B, Cols: N, Stride: N, Data: dst})
}

// logits sets out (B x O) = h (B x H) W_out^T.
func logits(out, h []float64, n *rnn.Net, B int) {
	mulT(out, h, n.Wout, B, n.H, n.O)
}

// Argmax returns the index of the largest entry (the first on ties): the
// output a readout names when it is not sampled.
func Argmax(v []float64) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}

// maxProb returns the probability with which the readout r emits the
// argmax of the logits v: the largest softmax probability for the paper's
// readout, the calibrated emitter's otherwise (rnn.Readout.Probs).
func maxProb(r rnn.Readout, v []float64) float64 {
	if r.IsPlain() {
		return maxSoftmax(v)
	}
	p := make([]float64, len(v))
	r.Probs(v, p)
	return p[Argmax(v)]
}

// maxSoftmax returns the largest softmax probability of the logits v.
func maxSoftmax(v []float64) float64 {
	m := v[Argmax(v)]
	var z float64
	for _, x := range v {
		z += math.Exp(x - m)
	}
	return 1 / z
}

// Run is one simulated trajectory. Step t (0-based) holds h_{t+1}, the state
// after the t-th update from the initial state, its logits and the argmax of
// the logits ("the emitted output" of the analyses: core/METHOD.md section 5 colours points
// by the argmax of the logits, not by the Gumbel sample).
type Run struct {
	T, H, O int
	States  []float64 // T x H
	Logits  []float64 // T x O
	Out     []uint8   // T
	// Noise holds x_t (T x D) when the run was asked to keep it.
	Noise []float64
	D     int
}

// State returns h at step t (a view, not a copy).
func (r *Run) State(t int) []float64 { return r.States[t*r.H : (t+1)*r.H] }

// Simulate runs one chain of T steps from h0 (nil = zeros) with fresh noise
// from r. With keepNoise the inputs x_t are stored in Run.Noise.
func (s *Sim) Simulate(r *rand.Rand, T int, h0 []float64, keepNoise bool) (*Run, error) {
	runs, err := s.SimulateBatch(r, 1, T, h0, keepNoise)
	if err != nil {
		return nil, err
	}
	return runs[0], nil
}

// SimulateBatch runs B independent chains of T steps, all from h0 (nil =
// zeros, else H values or B x H values, one row per chain). Noise is drawn
// step by step, chain by chain, D values each.
func (s *Sim) SimulateBatch(r *rand.Rand, B, T int, h0 []float64, keepNoise bool) ([]*Run, error) {
	n := s.Net
	H, D, O := n.H, n.D, n.O
	if B <= 0 || T <= 0 {
		return nil, fmt.Errorf("dynamics: need B > 0 chains and T > 0 steps, got B=%d T=%d", B, T)
	}
	if s.Sigma > 0 && r == nil {
		return nil, errors.New("dynamics: nil random source for a noisy run")
	}
	h := make([]float64, B*H)
	switch len(h0) {
	case 0:
	case H:
		for b := 0; b < B; b++ {
			copy(h[b*H:], h0)
		}
	case B * H:
		copy(h, h0)
	default:
		return nil, fmt.Errorf("dynamics: initial state has %d values, want %d or %d", len(h0), H, B*H)
	}
	runs := make([]*Run, B)
	for b := range runs {
		runs[b] = &Run{T: T, H: H, O: O, D: D, States: make([]float64, T*H), Logits: make([]float64, T*O), Out: make([]uint8, T)}
		if keepNoise {
			runs[b].Noise = make([]float64, T*D)
		}
	}
	next := make([]float64, B*H)
	lg := make([]float64, B*O)
	for t := 0; t < T; t++ {
		x := s.drawNoise(r, B)
		if keepNoise && x != nil {
			for b, run := range runs {
				copy(run.Noise[t*D:(t+1)*D], x[b*D:(b+1)*D])
			}
		}
		s.step(next, h, B, x)
		h, next = next, h
		logits(lg, h, n, B)
		for b, run := range runs {
			copy(run.States[t*H:(t+1)*H], h[b*H:(b+1)*H])
			l := lg[b*O : (b+1)*O]
			copy(run.Logits[t*O:(t+1)*O], l)
			run.Out[t] = uint8(Argmax(l))
		}
	}
	return runs, nil
}

// Switches counts the steps where the output differs from the previous one.
func Switches(out []uint8) int {
	c := 0
	for t := 1; t < len(out); t++ {
		if out[t] != out[t-1] {
			c++
		}
	}
	return c
}

// TransitionRate is the number of output switches per step of the chains
// (switches / (T-1), pooled over chains); 0 for runs shorter than 2 steps.
func TransitionRate(runs ...*Run) float64 {
	var sw, steps int
	for _, r := range runs {
		sw += Switches(r.Out)
		if r.T > 1 {
			steps += r.T - 1
		}
	}
	if steps == 0 {
		return 0
	}
	return float64(sw) / float64(steps)
}

// Random streams of the seeded analyses: a seed s gives the generator
// PCG(s, stream), one stream per use, so one use's draws do not depend on
// another's. The values are arbitrary distinct constants.
const (
	streamReference    = 0x7265662d72756e // "ref-run": the reference run's noise
	streamKickEval     = 0x6b69636b2d6576 // "kick-ev": the kick detection's selection measurements
	streamKickCheck    = 0x6b69636b2d6368 // "kick-ch": its check of the chosen groups
	streamKickControls = 0x6b69636b2d6374 // "kick-ct": its random control sets
)

// streamSeed draws one seed from stream of seed (for RateEval's own generator).
func streamSeed(seed, stream uint64) uint64 {
	return rand.New(rand.NewPCG(seed, stream)).Uint64()
}

// ReferenceRun is the long noise-driven run the analyses read (arXiv
// 2510.25674 section 5: PCA on 30,000 steps after a warm-up of 20): steps
// steps at noise std sigma after PCAWarmup steps from h = 0 (dropped), the
// noise drawn from PCG(seed, streamReference) and kept in Run.Noise. The
// same arguments give the same run, so every caller that names a seed sees
// the same trajectory (report.Analyze, FindKickNeurons).
func ReferenceRun(net *rnn.Net, sigma float64, seed uint64, steps int) (*Run, error) {
	if steps <= 0 {
		return nil, fmt.Errorf("dynamics: reference run needs steps > 0, got %d", steps)
	}
	sim, err := NewSim(net, sigma, Intervention{})
	if err != nil {
		return nil, err
	}
	run, err := sim.Simulate(rand.New(rand.NewPCG(seed, streamReference)), PCAWarmup+steps, nil, true)
	if err != nil {
		return nil, err
	}
	return run.From(PCAWarmup), nil
}

// From returns the run without its first k steps (a view sharing memory).
func (r *Run) From(k int) *Run {
	k = max(0, min(k, r.T))
	out := *r
	out.T = r.T - k
	out.States = r.States[k*r.H:]
	out.Logits = r.Logits[k*r.O:]
	out.Out = r.Out[k:]
	if r.Noise != nil {
		out.Noise = r.Noise[k*r.D:]
	}
	return &out
}

// newRand returns a fresh generator seeded from two words (used for common
// random numbers: the same noise for every condition of a comparison).
func newRand(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}
