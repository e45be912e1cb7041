package hmm

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Exact holds noise-free output statistics of sequences of length T started
// from the model's Start distribution, pooled over time exactly as a sample
// of such sequences estimates them (what the peer's exact_stats computes,
// plus the standard deviations across sequences).
type Exact struct {
	// Freq[k] is P(o_t = k) averaged over t = 0..T-1.
	Freq []float64 `json:"freq"`
	// FreqStd[k] is the standard deviation across sequences of the
	// fraction of a sequence's T outputs equal to k.
	FreqStd []float64 `json:"freq_std"`
	// Trans[i][j] is the pooled P(o_t = j | o_{t-1} = i) over t = 1..T-1:
	// the expected number of (i, j) pairs divided by the expected number of
	// pairs starting with i. A row whose symbol never precedes another
	// output (RowMass 0) is all zeros.
	Trans [][]float64 `json:"trans"`
	// RowMass[i] is the expected number of pairs (o_{t-1}, o_t) with
	// o_{t-1} = i per sequence, i.e. how many samples a transition row gets.
	RowMass []float64 `json:"row_mass"`
	// Changes is the expected number of output changes per sequence, the
	// number of t in 1..T-1 with o_t != o_{t-1} (the "volatility").
	Changes float64 `json:"changes"`
	// ChangesStd is its standard deviation across sequences.
	ChangesStd float64 `json:"changes_std"`
}

// Exact computes the pooled output statistics of length-T sequences by
// forward recursion over the state marginals (cost O(T*M*M*O)). The means
// and variances are exact up to rounding. T < 1 gives zero statistics.
func (m *HMM) Exact(T int) Exact {
	M, O := m.States(), m.Outputs()
	ex := Exact{
		Freq:    make([]float64, O),
		FreqStd: make([]float64, O),
		Trans:   make([][]float64, O),
		RowMass: make([]float64, O),
	}
	pair := make([][]float64, O)
	for i := range ex.Trans {
		ex.Trans[i] = make([]float64, O)
		pair[i] = make([]float64, O)
	}
	if T < 1 {
		return ex
	}
	E := m.Emission
	A := m.Transition

	alpha := append([]float64(nil), m.Start...) // P(s_t = s)
	// Moments of N_k, the count of symbol k so far: n1[s][k] = E[N_k 1{s_t=s}],
	// n2[s][k] = E[N_k^2 1{s_t=s}].
	n1, n2 := newMat(M, O), newMat(M, O)
	// Moments of C, the number of changes so far, jointly with (s_t, o_t):
	// c1[s][o] = E[C 1{s_t=s, o_t=o}], c2 likewise with C^2.
	c1, c2 := newMat(M, O), newMat(M, O)
	gamma := newMat(M, O) // P(s_t = s, o_t = o)
	for s := 0; s < M; s++ {
		for k := 0; k < O; k++ {
			g := alpha[s] * E[s][k]
			gamma[s][k] = g
			n1[s][k], n2[s][k] = g, g
		}
	}
	addFreq := func() {
		for s := 0; s < M; s++ {
			for k := 0; k < O; k++ {
				ex.Freq[k] += gamma[s][k]
			}
		}
	}
	addFreq()

	next := make([]float64, M)
	p1, p2 := newMat(M, O), newMat(M, O) // n1, n2 pushed through A
	vg, w := newMat(M, O), newMat(M, O)  // gamma, c1 pushed through A
	u1, u2 := make([]float64, M), make([]float64, M)
	C1, C2 := make([]float64, M), make([]float64, M)
	for t := 1; t < T; t++ {
		for s := 0; s < M; s++ {
			C1[s], C2[s] = 0, 0
			for k := 0; k < O; k++ {
				C1[s] += c1[s][k]
				C2[s] += c2[s][k]
			}
		}
		for s2 := 0; s2 < M; s2++ {
			next[s2], u1[s2], u2[s2] = 0, 0, 0
			clear(p1[s2])
			clear(p2[s2])
			clear(vg[s2])
			clear(w[s2])
		}
		for s := 0; s < M; s++ {
			for s2, a := range A[s] {
				if a == 0 {
					continue
				}
				next[s2] += alpha[s] * a
				u1[s2] += a * (C1[s] + alpha[s])
				u2[s2] += a * (C2[s] + 2*C1[s] + alpha[s])
				for k := 0; k < O; k++ {
					p1[s2][k] += a * n1[s][k]
					p2[s2][k] += a * n2[s][k]
					vg[s2][k] += a * gamma[s][k]
					w[s2][k] += a * c1[s][k]
				}
			}
		}
		for s2 := 0; s2 < M; s2++ {
			for j := 0; j < O; j++ {
				e := E[s2][j]
				if e == 0 {
					continue
				}
				for i := 0; i < O; i++ {
					pair[i][j] += vg[s2][i] * e
				}
			}
		}
		copy(alpha, next)
		for s := 0; s < M; s++ {
			for k := 0; k < O; k++ {
				e := E[s][k]
				g := alpha[s] * e
				n1[s][k] = p1[s][k] + g
				n2[s][k] = p2[s][k] + 2*e*p1[s][k] + g
				c1[s][k] = e * (u1[s] - vg[s][k])
				c2[s][k] = e * (u2[s] - 2*w[s][k] - vg[s][k])
				gamma[s][k] = g
			}
		}
		addFreq()
	}

	fT := float64(T)
	for k := 0; k < O; k++ {
		ex.Freq[k] /= fT
		mean, sq := 0.0, 0.0
		for s := 0; s < M; s++ {
			mean += n1[s][k]
			sq += n2[s][k]
		}
		ex.FreqStd[k] = math.Sqrt(math.Max(sq-mean*mean, 0)) / fT
	}
	mean, sq := 0.0, 0.0
	for s := 0; s < M; s++ {
		for k := 0; k < O; k++ {
			mean += c1[s][k]
			sq += c2[s][k]
		}
	}
	ex.Changes = mean
	ex.ChangesStd = math.Sqrt(math.Max(sq-mean*mean, 0))
	for i := 0; i < O; i++ {
		row := 0.0
		for _, v := range pair[i] {
			row += v
		}
		ex.RowMass[i] = row
		if row > 0 {
			for j, v := range pair[i] {
				ex.Trans[i][j] = v / row
			}
		}
	}
	return ex
}

func newMat(r, c int) [][]float64 {
	backing := make([]float64, r*c)
	out := make([][]float64, r)
	for i := range out {
		out[i] = backing[i*c : (i+1)*c]
	}
	return out
}

// stationaryResidualTol bounds |pi A - pi|_1 for an accepted stationary
// distribution.
const stationaryResidualTol = 1e-9

// Stationary returns the stationary distribution pi of the hidden chain
// (pi A = pi, sum pi = 1), found by a direct linear solve (gonum), which,
// unlike power iteration, also works for periodic chains. It is unique iff
// the chain has exactly one closed communicating class; otherwise an error
// lists the classes. Transient states get probability 0.
func (m *HMM) Stationary() ([]float64, error) {
	M := m.States()
	if M == 0 {
		return nil, errors.New("hmm: stationary: model has no states")
	}
	if classes := closedClasses(m.Transition); len(classes) != 1 {
		return nil, fmt.Errorf("hmm: stationary distribution not unique: %d closed classes of states %v", len(classes), classes)
	}
	// Solve (A^T - I) pi = 0 with the last equation replaced by sum pi = 1;
	// with a single closed class this system is non-singular. The diagonal
	// A_ii - 1 is computed as minus the sum of the row's off-diagonal
	// entries, which keeps nearly decomposable chains (A_ii = 1 - 1e-12)
	// accurate.
	B := mat.NewDense(M, M, nil)
	for j := 0; j < M; j++ {
		out := 0.0
		for i, a := range m.Transition[j] {
			if i != j {
				out += a
				if i < M-1 {
					B.Set(i, j, a)
				}
			}
		}
		if j < M-1 {
			B.Set(j, j, -out)
		}
	}
	for j := 0; j < M; j++ {
		B.Set(M-1, j, 1)
	}
	rhs := mat.NewVecDense(M, nil)
	rhs.SetVec(M-1, 1)
	var x mat.VecDense
	if err := x.SolveVec(B, rhs); err != nil {
		var cond mat.Condition
		if !errors.As(err, &cond) {
			return nil, fmt.Errorf("hmm: stationary: %w", err)
		}
		// Ill-conditioned: keep the solution if the residual check below passes.
	}
	pi := make([]float64, M)
	sum := 0.0
	for i := range pi {
		pi[i] = math.Max(x.AtVec(i), 0)
		sum += pi[i]
	}
	for i := range pi {
		pi[i] /= sum
	}
	res := 0.0
	for j := 0; j < M; j++ {
		v := -pi[j]
		for i := 0; i < M; i++ {
			v += pi[i] * m.Transition[i][j]
		}
		res += math.Abs(v)
	}
	if !(res <= stationaryResidualTol) {
		return nil, fmt.Errorf("hmm: stationary: solve did not converge (residual |pi A - pi| = %g)", res)
	}
	return pi, nil
}

// closedClasses returns the closed communicating classes of the chain with
// transition matrix A (edges where A[i][j] > 0), each as sorted states.
func closedClasses(A [][]float64) [][]int {
	M := len(A)
	reach := make([][]bool, M)
	stack := make([]int, 0, M)
	for i := range reach {
		r := make([]bool, M)
		r[i] = true
		stack = append(stack[:0], i)
		for len(stack) > 0 {
			u := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for v, a := range A[u] {
				if a > 0 && !r[v] {
					r[v] = true
					stack = append(stack, v)
				}
			}
		}
		reach[i] = r
	}
	var classes [][]int
	assigned := make([]bool, M)
	for i := 0; i < M; i++ {
		if assigned[i] {
			continue
		}
		// i is recurrent iff everything it reaches reaches it back.
		closed := true
		var class []int
		for j := 0; j < M; j++ {
			if reach[i][j] {
				if !reach[j][i] {
					closed = false
					break
				}
				class = append(class, j)
			}
		}
		if !closed {
			continue
		}
		for _, j := range class {
			assigned[j] = true
		}
		classes = append(classes, class)
	}
	return classes
}

// StationaryOutput returns the output statistics of the chain started in
// its stationary distribution: freq[k] = P(o_t = k), trans[i][j] =
// P(o_t = j | o_{t-1} = i) and the per-step change probability
// P(o_t != o_{t-1}) (so a length-T sequence has (T-1)*changeRate expected
// changes). Rows of outputs with stationary probability 0 are zeros.
func (m *HMM) StationaryOutput() (freq []float64, trans [][]float64, changeRate float64, err error) {
	pi, err := m.Stationary()
	if err != nil {
		return nil, nil, 0, err
	}
	M, O := m.States(), m.Outputs()
	freq = make([]float64, O)
	trans = newMat(O, O)
	// q[s2][i] = sum_s pi(s) E(s,i) A(s,s2)
	q := newMat(M, O)
	for s := 0; s < M; s++ {
		for k := 0; k < O; k++ {
			g := pi[s] * m.Emission[s][k]
			freq[k] += g
			for s2, a := range m.Transition[s] {
				q[s2][k] += g * a
			}
		}
	}
	for s2 := 0; s2 < M; s2++ {
		for i := 0; i < O; i++ {
			for j := 0; j < O; j++ {
				trans[i][j] += q[s2][i] * m.Emission[s2][j]
			}
		}
	}
	changeRate = 1
	for i := 0; i < O; i++ {
		changeRate -= trans[i][i]
		row := 0.0
		for _, v := range trans[i] {
			row += v
		}
		if row > 0 {
			for j := range trans[i] {
				trans[i][j] /= row
			}
		}
	}
	return freq, trans, changeRate, nil
}

// MergedChanges is the expected number of output changes per sequence of
// length T after every rare symbol (rare[k]) at t >= 1 is replaced by the
// merged symbol at t-1 (stats.MergeRare): the switching between frequent
// symbols only, with the blips of a rare symbol folded into the run they
// interrupt. It is computed exactly by a forward recursion over the joint
// distribution of the hidden state and the merged symbol (cost
// O(T*M*M*O*O)). With no rare symbol it equals Exact(T).Changes.
func (m *HMM) MergedChanges(T int, rare []bool) float64 {
	M, O := m.States(), m.Outputs()
	isRare := func(k int) bool { return k < len(rare) && rare[k] }
	// beta[s][k] = P(s_t = s, merged o_t = k).
	beta, next := newMat(M, O), newMat(M, O)
	for s := 0; s < M; s++ {
		for k := 0; k < O; k++ {
			beta[s][k] = m.Start[s] * m.Emission[s][k]
		}
	}
	changes := 0.0
	for t := 1; t < T; t++ {
		for s2 := range next {
			clear(next[s2])
		}
		for s := 0; s < M; s++ {
			for s2, a := range m.Transition[s] {
				if a == 0 {
					continue
				}
				e := m.Emission[s2]
				rareMass := 0.0
				for k := 0; k < O; k++ {
					if isRare(k) {
						rareMass += e[k]
					}
				}
				for k, b := range beta[s] {
					p := b * a
					if p == 0 {
						continue
					}
					next[s2][k] += p * rareMass // a rare symbol keeps the run
					for k2 := 0; k2 < O; k2++ {
						if isRare(k2) || e[k2] == 0 {
							continue
						}
						next[s2][k2] += p * e[k2]
						if k2 != k {
							changes += p * e[k2]
						}
					}
				}
			}
		}
		beta, next = next, beta
	}
	return changes
}

// OffMode is the expected share of the outputs of a length-T sequence that
// are not their state's most likely output: the mean over t = 0..T-1 of
// sum_s P(s_t = s) (1 - max_o E[s][o]), by forward recursion over the
// state marginals from the start distribution. It is the HMM's own
// emission noise, the counterpart of a network's emitted symbols that are
// not the argmax of its logits (train.Readout). T < 1 gives 0.
func (m *HMM) OffMode(T int) float64 {
	if T < 1 {
		return 0
	}
	M := m.States()
	miss := make([]float64, M)
	for s, row := range m.Emission {
		best := 0.0
		for _, p := range row {
			best = max(best, p)
		}
		miss[s] = 1 - best
	}
	alpha := append([]float64(nil), m.Start...)
	next := make([]float64, M)
	var sum float64
	for t := 0; t < T; t++ {
		for s, a := range alpha {
			sum += a * miss[s]
		}
		clear(next)
		for s, a := range alpha {
			for j, p := range m.Transition[s] {
				next[j] += a * p
			}
		}
		alpha, next = next, alpha
	}
	return sum / float64(T)
}
