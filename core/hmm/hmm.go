package hmm

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"

	"hmmrnn/core/sinkhorn"
)

// Limits of a model. Symbols and states are stored as uint8.
const (
	MaxStates  = 255
	MaxOutputs = 255
	MinOutputs = 2 // core/METHOD.md section 1: any O >= 2.
)

// RowSumTol is the tolerance on the sum of each probability row
// (core/METHOD.md section 1: rows summing to 1, tolerance 1e-6).
const RowSumTol = 1e-6

// HMM is a categorical hidden Markov model. See the package documentation
// for the meaning of the fields. Use New, Parse or Preset to obtain a
// validated model; if you fill the struct by hand, call Validate.
type HMM struct {
	Name       string      `json:"name,omitempty"`
	Start      []float64   `json:"start"`      // M
	Transition [][]float64 `json:"transition"` // M x M, row = from-state
	Emission   [][]float64 `json:"emission"`   // M x O
	SeqLen     int         `json:"seq_len"`    // default sequence length T
}

// New returns a validated model holding copies of the given slices.
func New(name string, start []float64, transition, emission [][]float64, seqLen int) (*HMM, error) {
	m := &HMM{
		Name:       name,
		Start:      append([]float64(nil), start...),
		Transition: copyRows(transition),
		Emission:   copyRows(emission),
		SeqLen:     seqLen,
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return m, nil
}

// Parse decodes a model from JSON (the HMM struct's fields) and validates
// it. Unknown fields and trailing data are rejected, so that a misspelt key
// does not silently fall back to an empty matrix.
func Parse(data []byte) (*HMM, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var m HMM
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("hmm: parse: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("hmm: parse: trailing data after the JSON object")
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return &m, nil
}

// Validate checks shapes, that every entry is finite and non-negative,
// that Start and every row of Transition and Emission sum to 1 within
// RowSumTol, and that 1 <= SeqLen <= sinkhorn.MaxSeqLen (the loss's limit:
// a longer default is refused here, before anything is sampled, rather than
// after an arbitrarily large batch has been drawn). The number of states M is the number of
// transition rows; the number of outputs O is the length of emission row 0.
// Errors name the row (or "start") and the fault.
func (m *HMM) Validate() error {
	if m == nil {
		return errors.New("hmm: nil model")
	}
	M := len(m.Transition)
	if M == 0 {
		return errors.New("hmm: zero states: transition has no rows")
	}
	if M > MaxStates {
		return fmt.Errorf("hmm: %d states, at most %d allowed", M, MaxStates)
	}
	if len(m.Start) != M {
		return fmt.Errorf("hmm: start: expected %d entries (one per state), got %d", M, len(m.Start))
	}
	if len(m.Emission) != M {
		return fmt.Errorf("hmm: emission: expected %d rows (one per state), got %d", M, len(m.Emission))
	}
	O := len(m.Emission[0])
	if O < MinOutputs {
		return fmt.Errorf("hmm: emission row 0: %d outputs, need at least %d", O, MinOutputs)
	}
	if O > MaxOutputs {
		return fmt.Errorf("hmm: emission row 0: %d outputs, at most %d allowed", O, MaxOutputs)
	}
	if err := checkDist(m.Start, M, "start"); err != nil {
		return err
	}
	for i, row := range m.Transition {
		if err := checkDist(row, M, fmt.Sprintf("transition row %d", i)); err != nil {
			return err
		}
	}
	for i, row := range m.Emission {
		if err := checkDist(row, O, fmt.Sprintf("emission row %d", i)); err != nil {
			return err
		}
	}
	if m.SeqLen < 1 || m.SeqLen > sinkhorn.MaxSeqLen {
		return fmt.Errorf("hmm: seq_len is %d, want 1..%d (the Sinkhorn loss's limit)", m.SeqLen, sinkhorn.MaxSeqLen)
	}
	return nil
}

// checkDist reports whether p is a probability vector of length n.
func checkDist(p []float64, n int, what string) error {
	if len(p) != n {
		return fmt.Errorf("hmm: %s: expected %d entries, got %d", what, n, len(p))
	}
	sum := 0.0
	for j, v := range p {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("hmm: %s: entry %d is %v (not finite)", what, j, v)
		}
		if v < 0 {
			return fmt.Errorf("hmm: %s: entry %d is negative (%g)", what, j, v)
		}
		sum += v
	}
	if math.Abs(sum-1) > RowSumTol {
		return fmt.Errorf("hmm: %s: sums to %.10g, want 1 (tolerance %g)", what, sum, RowSumTol)
	}
	return nil
}

// States returns the number of hidden states M.
func (m *HMM) States() int { return len(m.Transition) }

// IsChain reports whether m is a linear chain: every transition stays or
// moves to a neighbouring state (A[i][j] = 0 for |i-j| > 1), as in the
// paper's linear-chain HMMs; a cyclic HMM (its last state moves to its
// first) and a fully connected one are not.
func (m *HMM) IsChain() bool {
	for i, row := range m.Transition {
		for j, v := range row {
			if v != 0 && (j < i-1 || j > i+1) {
				return false
			}
		}
	}
	return true
}

// Outputs returns the number of output symbols O.
func (m *HMM) Outputs() int {
	if len(m.Emission) == 0 {
		return 0
	}
	return len(m.Emission[0])
}

// Clone returns a deep copy of m.
func (m *HMM) Clone() *HMM {
	if m == nil {
		return nil
	}
	return &HMM{
		Name:       m.Name,
		Start:      append([]float64(nil), m.Start...),
		Transition: copyRows(m.Transition),
		Emission:   copyRows(m.Emission),
		SeqLen:     m.SeqLen,
	}
}

func copyRows(a [][]float64) [][]float64 {
	if a == nil {
		return nil
	}
	out := make([][]float64, len(a))
	for i, row := range a {
		out[i] = append([]float64(nil), row...)
	}
	return out
}
