package rnn

import (
	"math/rand/v2"
	"testing"
)

// FuzzServeWire gives the helper's side arbitrary request messages (each
// followed by a backward request of every length a forward could need):
// every reply must be a well-formed message (the error op with a message,
// or the op asked for), never a panic or an unbounded allocation.
func FuzzServeWire(f *testing.F) {
	n, _ := New(5, 2, 2, rand.New(rand.NewPCG(1, 2)))
	f.Add(encodeForward(7, Part{Net: n, B: 130, T: 4, First: 1, Seeds: make([]uint64, 6), Sigma: 1, Tau: 1}), 3)
	f.Add(encodeForward(1, Part{Net: n, B: 8, T: 2, First: 0, Seeds: make([]uint64, 2), Sigma: 0, Tau: 1}), 0)
	f.Add(encodeBackward(7, make([]float64, 8)), 8)
	f.Add(header(opForward, 7, 0), 0)
	f.Add(WireReady(), 0)
	f.Fuzz(func(t *testing.T, msg []byte, dyLen int) {
		var s PartServer
		check := func(reply []byte, ops ...byte) {
			if len(reply) < headerLen {
				t.Fatalf("reply of %d bytes, shorter than the header", len(reply))
			}
			for _, op := range append(ops, opError) {
				if reply[0] == op {
					return
				}
			}
			t.Fatalf("reply op %d, want one of %v or an error", reply[0], ops)
		}
		check(ServeWire(msg, &s), opSymbols, opGradient)
		if dyLen >= 0 && dyLen <= 1<<16 {
			check(ServeWire(encodeBackward(9, make([]float64, dyLen)), &s), opGradient)
		}
	})
}

// FuzzReply gives the requesting side arbitrary replies: parseReply and
// decodeGradient must return an error or a payload, never panic.
func FuzzReply(f *testing.F) {
	f.Add(append(header(opGradient, 3, 8), 0, 0, 128, 63, 0, 0, 0, 64))
	f.Add(append(header(opError, 3, 4), "oops"...))
	f.Add(header(opSymbols, 2, 0))
	f.Add([]byte{4, 3})
	f.Fuzz(func(t *testing.T, msg []byte) {
		payload, err := parseReply(msg, 3, opGradient)
		if err != nil {
			return
		}
		if g, err := decodeGradient(payload); err == nil && len(g) != len(payload)/4 {
			t.Fatalf("%d floats from %d bytes", len(g), len(payload))
		}
	})
}
