package sinkhorn

import (
	"encoding/binary"
	"math"
	"math/bits"
)

// seqSet is a batch of symbol sequences with duplicates merged. Sequences are bit-packed
// (bitsPer bits per symbol, 64/bitsPer symbols per uint64 word, words per sequence) so that
// the Hamming distance is an XOR, a fold of each symbol's bits onto its lowest bit, and a
// popcount.
type seqSet struct {
	n      int       // distinct sequences
	words  int       // uint64 words per sequence
	codes  []uint64  // n*words packed sequences
	syms   []uint8   // n*T symbols of the distinct sequences
	count  []float64 // input rows per distinct sequence
	logW   []float64 // log(count / total rows)
	index  []int32   // input row -> distinct sequence
	first  []int     // distinct sequence -> first input row holding it
	layout packing
}

// packing is the bit layout shared by the two batches of one problem.
type packing struct {
	T, bitsPer, perWord, words int
	low                        uint64 // lowest bit of every symbol field
}

func newPacking(T, O int) packing {
	b := 2 // O <= 4: the common case (O = 3)
	switch {
	case O > 16:
		b = 8
	case O > 4:
		b = 4
	}
	pw := 64 / b
	var low uint64
	for k := 0; k < pw; k++ {
		low |= 1 << (k * b)
	}
	return packing{T: T, bitsPer: b, perWord: pw, words: (T + pw - 1) / pw, low: low}
}

// hamming returns the number of positions at which two packed sequences differ.
func (p *packing) hamming(a, b []uint64) int {
	n := 0
	for k, v := range a {
		z := v ^ b[k]
		switch p.bitsPer {
		case 2:
			z |= z >> 1
		case 4:
			z |= z >> 1
			z |= z >> 2
		default:
			z |= z >> 1
			z |= z >> 2
			z |= z >> 4
		}
		n += bits.OnesCount64(z & p.low)
	}
	return n
}

// newSeqSet packs and merges the n sequences of length T in s.
func newSeqSet(s []uint8, n int, p packing) *seqSet {
	T, w := p.T, p.words
	set := &seqSet{words: w, index: make([]int32, n), layout: p}
	code := make([]uint64, w)
	var byCode map[uint64]int32
	var byKey map[string]int32
	if w == 1 {
		byCode = make(map[uint64]int32)
	} else {
		byKey = make(map[string]int32)
	}
	for i := 0; i < n; i++ {
		clear(code)
		row := s[i*T : (i+1)*T]
		for t, v := range row {
			code[t/p.perWord] |= uint64(v) << ((t % p.perWord) * p.bitsPer)
		}
		var u int32
		var ok bool
		if w == 1 {
			u, ok = byCode[code[0]]
		} else {
			u, ok = byKey[codeKey(code)]
		}
		if !ok {
			u = int32(set.n)
			set.n++
			set.codes = append(set.codes, code...)
			set.syms = append(set.syms, row...)
			set.count = append(set.count, 0)
			set.first = append(set.first, i)
			if w == 1 {
				byCode[code[0]] = u
			} else {
				byKey[codeKey(code)] = u
			}
		}
		set.count[u]++
		set.index[i] = u
	}
	set.logW = make([]float64, set.n)
	logN := math.Log(float64(n))
	for u, c := range set.count {
		// log(1) = 0 exactly, so unmerged points get -log(n) like the dense reference.
		set.logW[u] = math.Log(c) - logN
	}
	return set
}

// codeKey is a map key holding a copy of the packed words.
func codeKey(code []uint64) string {
	b := make([]byte, 0, 8*len(code))
	for _, v := range code {
		b = binary.LittleEndian.AppendUint64(b, v)
	}
	return string(b)
}
