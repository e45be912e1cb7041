package hmm

import (
	"fmt"
	"math"
	"strings"
)

// Numbers of the paper's HMM architectures (core/METHOD.md section 1).
const (
	// PaperOutputs is O = 3 for every preset.
	PaperOutputs = 3
	// linearTarget is the probability 0.05 that fixes the linear-chain
	// switch probability q = 0.05^(1/(M-1)).
	linearTarget = 0.05
	// linearBlip is the emission probability 0.01 of the middle symbol 1
	// in every linear-chain state; the remaining 0.99 is split between
	// symbols 0 and 2 in proportion (1-a, a) with a = i/(M-1).
	linearBlip = 0.01
	// fullyStay and fullyMove are the fully-connected transition entries
	// (0.95 on the diagonal, 0.025 elsewhere).
	fullyStay = 0.95
	fullyMove = 0.025
	// fullyHit and fullyMiss are the fully-connected emission entries
	// (0.98 on the diagonal, 0.01 elsewhere).
	fullyHit  = 0.98
	fullyMiss = 0.01
)

// Default sequence lengths T (core/METHOD.md section 1 table).
const (
	seqLenLinear2 = 100
	seqLenLinear3 = 30
	seqLenLinear4 = 30
	seqLenLinear5 = 40
	seqLenFully3  = 30
	seqLenCyclic4 = 40
)

// cyclic4A and cyclic4E are the cyclic architecture's matrices, verbatim
// from core/METHOD.md section 1.
var (
	cyclic4A = [][]float64{
		{.95, .025, 0, .025},
		{.025, .95, .025, 0},
		{0, .025, .95, .025},
		{.025, 0, .025, .95},
	}
	cyclic4E = [][]float64{
		{.9, .1, 0},
		{.1, .9, 0},
		{0, .1, .9},
		{0, .9, .1},
	}
)

var presetNames = []string{"linear2", "linear3", "linear4", "linear5", "fully3", "cyclic4"}

// PresetNames lists the paper's architectures in a fixed order.
func PresetNames() []string { return append([]string(nil), presetNames...) }

// Preset returns a fresh copy of a named architecture of core/METHOD.md
// section 1 (uniform start distribution, O = 3):
//
//   - "linear2".."linear5": linear chain of M states, q = 0.05^(1/(M-1));
//     row 0 is [1-q, q, 0...], the last row [..., q, 1-q], interior row i
//     has 1-2q on the diagonal and q on both neighbours; state i emits
//     [0.99(1-a), 0.01, 0.99a] with a = i/(M-1). T = 100, 30, 30, 40.
//   - "fully3": 0.95 on the diagonal and 0.025 elsewhere, emission 0.98 on
//     the diagonal and 0.01 elsewhere. T = 30.
//   - "cyclic4": the 4-state ring of the table in core/METHOD.md section 1. T = 40.
func Preset(name string) (*HMM, error) {
	switch name {
	case "linear2":
		return linearChain(name, 2, seqLenLinear2), nil
	case "linear3":
		return linearChain(name, 3, seqLenLinear3), nil
	case "linear4":
		return linearChain(name, 4, seqLenLinear4), nil
	case "linear5":
		return linearChain(name, 5, seqLenLinear5), nil
	case "fully3":
		A := make([][]float64, 3)
		E := make([][]float64, 3)
		for i := range A {
			A[i] = []float64{fullyMove, fullyMove, fullyMove}
			A[i][i] = fullyStay
			E[i] = []float64{fullyMiss, fullyMiss, fullyMiss}
			E[i][i] = fullyHit
		}
		return &HMM{Name: name, Start: uniform(3), Transition: A, Emission: E, SeqLen: seqLenFully3}, nil
	case "cyclic4":
		return &HMM{Name: name, Start: uniform(4), Transition: copyRows(cyclic4A), Emission: copyRows(cyclic4E), SeqLen: seqLenCyclic4}, nil
	}
	return nil, fmt.Errorf("hmm: unknown preset %q (known: %s)", name, strings.Join(presetNames, ", "))
}

// linearChain builds the linear-chain architecture with M >= 2 states.
func linearChain(name string, M, seqLen int) *HMM {
	q := math.Pow(linearTarget, 1/float64(M-1))
	A := make([][]float64, M)
	E := make([][]float64, M)
	for i := range A {
		A[i] = make([]float64, M)
		switch i {
		case 0:
			A[i][0], A[i][1] = 1-q, q
		case M - 1:
			A[i][M-1], A[i][M-2] = 1-q, q
		default:
			A[i][i], A[i][i-1], A[i][i+1] = 1-2*q, q, q
		}
		a := float64(i) / float64(M-1)
		E[i] = []float64{(1 - linearBlip) * (1 - a), linearBlip, (1 - linearBlip) * a}
	}
	return &HMM{Name: name, Start: uniform(M), Transition: A, Emission: E, SeqLen: seqLen}
}

func uniform(n int) []float64 {
	p := make([]float64, n)
	for i := range p {
		p[i] = 1 / float64(n)
	}
	return p
}
