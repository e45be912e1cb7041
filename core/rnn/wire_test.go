package rnn

import (
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// pipe is an in-memory transport: the other side serves each message as it
// is sent, and its replies wait in a queue; drop loses every reply.
type pipe struct {
	server  PartServer
	replies [][]byte
	drop    bool
}

func (p *pipe) helper() *WireHelper {
	return &WireHelper{
		Send: func(msg []byte) {
			if r := ServeWire(msg, &p.server); !p.drop {
				p.replies = append(p.replies, r)
			}
		},
		Recv: func() ([]byte, error) {
			if len(p.replies) == 0 {
				return nil, errors.New("no reply (timeout)")
			}
			r := p.replies[0]
			p.replies = p.replies[1:]
			return r, nil
		},
	}
}

// TestWireHelperBitIdentical runs a workspace whose helper sits behind the
// binary messages and requires the symbols and gradients of one without a
// helper, bit for bit; and again when the helper stops answering (the
// workspace then computes everything itself and reports why).
func TestWireHelperBitIdentical(t *testing.T) {
	const H, D, O, B, T = 11, 3, 2, 200, 6
	r := rand.New(rand.NewPCG(5, 6))
	n, _ := New(H, D, O, r)
	dY := make([]float64, B*T*O)
	for i := range dY {
		dY[i] = r.NormFloat64()
	}
	for _, drop := range []bool{false, true} {
		plain, helped := NewWorkspace(n, B, T), NewWorkspace(n, B, T)
		p := &pipe{drop: drop}
		helped.SetHelper(p.helper())
		var g1, g2 Net
		for step := range 3 {
			x1 := slices.Clone(plain.Forward(n, rand.New(rand.NewPCG(uint64(step), 1)), 1, 1))
			x2 := helped.Forward(n, rand.New(rand.NewPCG(uint64(step), 1)), 1, 1)
			plain.Backward(n, dY, &g1)
			helped.Backward(n, dY, &g2)
			if !slices.Equal(x1, x2) || !slices.Equal(g1.Whh, g2.Whh) || !slices.Equal(g1.Win, g2.Win) || !slices.Equal(g1.Wout, g2.Wout) {
				t.Fatalf("drop=%v step %d: results differ", drop, step)
			}
		}
		if err := helped.HelperErr(); (err != nil) != drop {
			t.Errorf("drop=%v: helper error %v", drop, err)
		}
	}
}

func TestServeWireBadMessages(t *testing.T) {
	var s PartServer
	r := rand.New(rand.NewPCG(1, 2))
	n, _ := New(5, 2, 2, r)
	good := encodeForward(7, Part{Net: n, B: 130, T: 4, First: 1, Seeds: make([]uint64, 4), Sigma: 1, Tau: 1})
	for name, msg := range map[string][]byte{
		"empty":         {},
		"unknown op":    header(99, 7, 0),
		"truncated":     good[:len(good)-3],
		"trailing":      append(slices.Clone(good), 0),
		"huge sizes":    append(header(opForward, 7, 0), binary.LittleEndian.AppendUint32(nil, 1<<30)...),
		"backward only": encodeBackward(7, make([]float64, 3)),
		"odd backward":  append(header(opBackward, 7, 0), 1, 2, 3),
		"ready":         WireReady(),
		// A 1x1 network asking for B = T = 65536: a message of 90 bytes that
		// would make the helper allocate about 300 GB.
		"huge workspace": encodeForward(7, Part{Net: &Net{H: 1, D: 1, O: 2, Win: []float64{1}, Whh: []float64{0}, Wout: []float64{1, 1}},
			B: 1 << 16, T: 1 << 16, First: 1, Seeds: make([]uint64, 2048), Sigma: 1, Tau: 1}),
	} {
		reply := ServeWire(msg, &s)
		if reply[0] != opError || !strings.HasPrefix(string(reply[headerLen:]), "rnn helper: ") {
			t.Errorf("%s: reply op %d %q, want an error", name, reply[0], reply[headerLen:])
		}
	}
	reply := ServeWire(good, &s)
	payload, err := parseReply(reply, 7, opSymbols)
	if err != nil || len(payload) != (130-64)*4 {
		t.Fatalf("good request: %d symbols, %v", len(payload), err)
	}
	if _, err := parseReply(reply, 8, opSymbols); err != errStale {
		t.Errorf("reply to another request: %v, want errStale", err)
	}
	if !IsWireReady(WireReady()) || IsWireReady(reply) {
		t.Error("IsWireReady")
	}
}
