package rnn

import (
	"fmt"
	"math"
	"slices"
)

// Readout is how a network emits its symbol from the logits l of a step.
// The zero value is the paper's readout (core/METHOD.md section 2): the
// symbol is drawn from softmax(l). A calibrated readout (core/train's
// ReadoutGain) sharpens the choice between the frequent symbols by Gain and
// leaves the rare ones their trained probability: the symbol is drawn in
// two stages,
//
//	P(k) = softmax(l)_k                                  k in Rare,
//	P(k) = (1 - sum_{j in Rare} softmax(l)_j) softmax_F(Gain l)_k   k not in Rare,
//
// where softmax_F is the softmax over the symbols not in Rare. With no
// rare symbols it is softmax(Gain l), W_out multiplied by Gain; with Gain 1
// it is softmax(l) whatever Rare holds.
//
// Why two stages: a gain sharpens every difference of logits, and the rare
// symbol's logit (output 1 of the linear chains, emitted by the HMM with
// probability 0.01) is below the others' in every state of a trained
// network, which has no biases (the paper's architecture). One gain that
// removes the readout's blips between the frequent symbols therefore also
// removes the rare symbol: the 2-state chain's calibrated networks emitted
// it at 0.00% (gains 3-8), where their trained readout emitted it at
// 0.2-0.5%. Drawing "rare or not" from the trained readout keeps what
// training taught about the rare symbol, and the gain acts where the blips
// are. The measurement is in core/train's SharpRecipe.
type Readout struct {
	// Gain multiplies the logits of the frequent symbols' choice (0: 1,
	// the readout as trained).
	Gain float64
	// Rare lists, in increasing order, the symbols drawn at the trained
	// readout's probability (none: every symbol is sharpened by Gain).
	Rare []int
}

// IsPlain reports whether r emits as the paper's readout, softmax(l).
func (r Readout) IsPlain() bool { return r.Gain == 0 || r.Gain == 1 }

// gain returns Gain, with 0 meaning 1.
func (r Readout) gain() float64 {
	if r.Gain == 0 {
		return 1
	}
	return r.Gain
}

// Validate checks r for a network with O outputs: a finite gain > 0 (or 0),
// and rare symbols in [0, O), increasing, leaving at least one symbol not
// rare.
func (r Readout) Validate(O int) error {
	if g := r.Gain; !(g >= 0) || math.IsInf(g, 0) {
		return fmt.Errorf("rnn: readout gain = %v, want a finite value > 0 (0: 1)", g)
	}
	for i, k := range r.Rare {
		if k < 0 || k >= O {
			return fmt.Errorf("rnn: readout rare symbol %d outside [0, %d)", k, O)
		}
		if i > 0 && k <= r.Rare[i-1] {
			return fmt.Errorf("rnn: readout rare symbols %v are not increasing", r.Rare)
		}
	}
	if len(r.Rare) >= O && O > 0 {
		return fmt.Errorf("rnn: readout rare symbols %v leave no frequent symbol of %d", r.Rare, O)
	}
	return nil
}

// Clone returns a copy of r that shares no memory with it.
func (r Readout) Clone() Readout { return Readout{Gain: r.Gain, Rare: slices.Clone(r.Rare)} }

// Probs writes to p (len(l)) the probabilities with which r emits each
// symbol from the logits l, and returns the probability that the frequent
// symbols' choice is not their argmax: the blips the gain is there to
// remove (1 - max softmax(l) for the plain readout).
func (r Readout) Probs(l, p []float64) (off float64) {
	// Stage one: softmax(l), of which the rare symbols keep their share.
	top := math.Inf(-1)
	for _, v := range l {
		top = max(top, v)
	}
	var z float64
	for k, v := range l {
		p[k] = math.Exp(v - top)
		z += p[k]
	}
	pRare, ftop := 0.0, math.Inf(-1)
	for k, v := range l {
		p[k] /= z
		if r.isRare(k) {
			pRare += p[k]
		} else {
			ftop = max(ftop, v)
		}
	}
	// Stage two: softmax(g l) over the frequent symbols; the largest of
	// them is exp(0) / zf.
	g := r.gain()
	var zf float64
	for k, v := range l {
		if !r.isRare(k) {
			zf += math.Exp(g * (v - ftop))
		}
	}
	for k, v := range l {
		if !r.isRare(k) {
			p[k] = (1 - pRare) * math.Exp(g*(v-ftop)) / zf
		}
	}
	return 1 - 1/zf
}

// isRare reports whether symbol k is one of Rare.
func (r Readout) isRare(k int) bool {
	for _, j := range r.Rare {
		if j == k {
			return true
		}
	}
	return false
}
