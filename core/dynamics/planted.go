package dynamics

import (
	"hmmrnn/core/rnn"
)

// Planted two-population network (see PlantedNet).
const (
	plantN     = 20 // neurons per cluster population
	plantExtra = 38 // unrelated noise-driven neurons
	plantRho   = 0.9
	plantC     = 4.0  // mutual inhibition
	plantAlpha = 3.0  // kick excitation from its own cluster
	plantBeta  = 5.0  // kick inhibition from both clusters
	plantGamma = 30.0 // kick drive onto the target cluster
)

// PlantedNet builds a hand-made network whose kick neurons are known, the
// oracle of the kick-detection tests of several packages and a small
// example of the motif: two noise-driven populations A (neurons
// 0..19) and B (20..39) that inhibit each other, two kick neurons k1 = 40
// (fires in the A state and flips A->B) and k2 = 41 (B->A), and 38 unrelated
// neurons with weak random recurrence. Every neuron gets its own unit noise
// (W_in = I, D = H). Kick neuron k1's input is alpha m_A - beta (m_A + m_B)
// + noise: in the A state (m_A ~ 1) it crosses zero with probability ~2.5%
// per step, in the B state practically never; when it fires it excites B
// and inhibits A by gamma times its activity. Readout: logit 0 = 5(m_A -
// m_B), logit 2 = -logit 0, logit 1 = -10(m_A + m_B).
func PlantedNet() *rnn.Net {
	H := 2*plantN + 2 + plantExtra
	n := &rnn.Net{H: H, D: H, O: 3, Win: make([]float64, H*H), Whh: make([]float64, H*H), Wout: make([]float64, 3*H)}
	for i := 0; i < H; i++ {
		n.Win[i*H+i] = 1
	}
	A := func(i int) int { return i }
	B := func(i int) int { return plantN + i }
	k1, k2 := 2*plantN, 2*plantN+1
	w := func(to, from int, v float64) { n.Whh[to*H+from] = v }
	f := 1.0 / plantN
	for i := 0; i < plantN; i++ {
		for j := 0; j < plantN; j++ {
			w(A(i), A(j), plantRho*f)
			w(B(i), B(j), plantRho*f)
			w(A(i), B(j), -plantC*f)
			w(B(i), A(j), -plantC*f)
		}
		w(k1, A(i), (plantAlpha-plantBeta)*f)
		w(k1, B(i), -plantBeta*f)
		w(k2, B(i), (plantAlpha-plantBeta)*f)
		w(k2, A(i), -plantBeta*f)
		w(B(i), k1, plantGamma)
		w(A(i), k1, -plantGamma)
		w(A(i), k2, plantGamma)
		w(B(i), k2, -plantGamma)
		n.Wout[0*H+A(i)] = 5 * f
		n.Wout[0*H+B(i)] = -5 * f
		n.Wout[2*H+A(i)] = -5 * f
		n.Wout[2*H+B(i)] = 5 * f
		n.Wout[1*H+A(i)] = -10 * f
		n.Wout[1*H+B(i)] = -10 * f
	}
	// Unrelated neurons: a ring with weight 0.4.
	x0 := 2*plantN + 2
	for i := 0; i < plantExtra; i++ {
		w(x0+i, x0+(i+1)%plantExtra, 0.4)
	}
	return n
}
