package hmm

import (
	"errors"
	"fmt"
	"math"
)

// checkSymbols returns an error naming the first position whose symbol is
// not below O.
func checkSymbols(obs []uint8, O int) error {
	for t, o := range obs {
		if int(o) >= O {
			return fmt.Errorf("hmm: symbol %d at position %d out of range (model has %d outputs)", o, t, O)
		}
	}
	return nil
}

// LogLikelihood returns log P(obs) under the model (natural log), computed
// by the forward algorithm with per-step normalisation, so long sequences
// do not underflow. An empty sequence has log-likelihood 0; a sequence the
// model cannot produce gives -Inf and no error. A symbol >= Outputs() is an
// error naming its position.
func (m *HMM) LogLikelihood(obs []uint8) (float64, error) {
	if err := checkSymbols(obs, m.Outputs()); err != nil {
		return 0, err
	}
	if len(obs) == 0 {
		return 0, nil
	}
	M := m.States()
	alpha := make([]float64, M)
	next := make([]float64, M)
	ll := 0.0
	for t, o := range obs {
		if t == 0 {
			copy(alpha, m.Start)
		} else {
			clear(next)
			for s, p := range alpha {
				if p == 0 {
					continue
				}
				for s2, a := range m.Transition[s] {
					next[s2] += p * a
				}
			}
			alpha, next = next, alpha
		}
		c := 0.0
		for s := range alpha {
			alpha[s] *= m.Emission[s][o]
			c += alpha[s]
		}
		if c == 0 {
			return math.Inf(-1), nil
		}
		for s := range alpha {
			alpha[s] /= c
		}
		ll += math.Log(c)
	}
	return ll, nil
}

// Viterbi returns the most probable hidden-state path for obs and its joint
// log-probability log P(path, obs), computed in the log domain. Ties go to
// the lowest state index. An empty sequence gives a nil path and 0. A
// symbol >= Outputs() or a sequence of probability zero is an error.
func (m *HMM) Viterbi(obs []uint8) (path []int, logp float64, err error) {
	if err := checkSymbols(obs, m.Outputs()); err != nil {
		return nil, 0, err
	}
	T := len(obs)
	if T == 0 {
		return nil, 0, nil
	}
	M := m.States()
	logA := newMat(M, M)
	for i, row := range m.Transition {
		for j, a := range row {
			logA[i][j] = math.Log(a)
		}
	}
	delta := make([]float64, M)
	next := make([]float64, M)
	back := make([]int32, T*M)
	for s := range delta {
		delta[s] = math.Log(m.Start[s]) + math.Log(m.Emission[s][obs[0]])
	}
	for t := 1; t < T; t++ {
		o := obs[t]
		for s2 := 0; s2 < M; s2++ {
			best, arg := math.Inf(-1), 0
			for s := 0; s < M; s++ {
				if v := delta[s] + logA[s][s2]; v > best {
					best, arg = v, s
				}
			}
			next[s2] = best + math.Log(m.Emission[s2][o])
			back[t*M+s2] = int32(arg)
		}
		delta, next = next, delta
	}
	best, arg := math.Inf(-1), 0
	for s, v := range delta {
		if v > best {
			best, arg = v, s
		}
	}
	if math.IsInf(best, -1) {
		return nil, 0, errors.New("hmm: viterbi: sequence has probability zero under the model")
	}
	path = make([]int, T)
	path[T-1] = arg
	for t := T - 1; t > 0; t-- {
		path[t-1] = int(back[t*M+path[t]])
	}
	return path, best, nil
}
