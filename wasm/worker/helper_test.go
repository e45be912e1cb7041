package main

import (
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"hmmrnn/core/hmm"
	"hmmrnn/core/rnn"
	"hmmrnn/core/train"
)

// pipe is an in-memory transport: the helper side serves each message as
// it is sent, and its replies wait in a queue; drop loses every reply.
type pipe struct {
	server  rnn.PartServer
	replies [][]byte
	drop    bool
}

func (p *pipe) helper() *wireHelper {
	return &wireHelper{
		send: func(msg []byte) {
			if r := serveHelper(msg, &p.server); !p.drop {
				p.replies = append(p.replies, r)
			}
		},
		recv: func() ([]byte, error) {
			if len(p.replies) == 0 {
				return nil, errors.New("helper: no reply (timeout)")
			}
			r := p.replies[0]
			p.replies = p.replies[1:]
			return r, nil
		},
	}
}

// TestWireHelperSameRun trains the demo network with the helper behind the
// binary messages and requires the run of a trainer without one, bit for
// bit; and again when the helper stops answering (the trainer then
// computes everything itself and reports why).
func TestWireHelperSameRun(t *testing.T) {
	m, err := hmm.Preset("linear2")
	if err != nil {
		t.Fatal(err)
	}
	cfg := train.DefaultConfig(m)
	cfg.Hidden, cfg.Input, cfg.ValEvery, cfg.Batch = 20, 4, 0, 200
	for _, drop := range []bool{false, true} {
		plain, _ := train.New(cfg)
		helped, _ := train.New(cfg)
		p := &pipe{drop: drop}
		helped.SetHelper(p.helper())
		for range 4 {
			if _, err := plain.Step(); err != nil {
				t.Fatal(err)
			}
			if _, err := helped.Step(); err != nil {
				t.Fatal(err)
			}
		}
		if !slices.Equal(plain.Losses(), helped.Losses()) || !slices.Equal(plain.Net().Whh, helped.Net().Whh) {
			t.Errorf("drop=%v: the helper changed the run", drop)
		}
		if err := helped.HelperErr(); (err != nil) != drop {
			t.Errorf("drop=%v: helper error %v", drop, err)
		}
	}
}

func TestServeHelperBadMessages(t *testing.T) {
	var s rnn.PartServer
	r := rand.New(rand.NewPCG(1, 2))
	n, _ := rnn.New(5, 2, 2, r)
	good := encodeForward(7, rnn.Part{Net: n, B: 130, T: 4, First: 1, Seeds: make([]uint64, 4), Sigma: 1, Tau: 1})
	for name, msg := range map[string][]byte{
		"empty":         {},
		"unknown op":    header(99, 7, 0),
		"truncated":     good[:len(good)-3],
		"trailing":      append(slices.Clone(good), 0),
		"huge sizes":    append(header(opForward, 7, 0), binary.LittleEndian.AppendUint32(nil, 1<<30)...),
		"backward only": encodeBackward(7, make([]float64, 3)),
		"odd backward":  append(header(opBackward, 7, 0), 1, 2, 3),
	} {
		reply := serveHelper(msg, &s)
		if reply[0] != opError || !strings.HasPrefix(string(reply[headerLen:]), "helper: ") {
			t.Errorf("%s: reply op %d %q, want an error", name, reply[0], reply[headerLen:])
		}
	}
	reply := serveHelper(good, &s)
	payload, err := parseReply(reply, 7, opSymbols)
	if err != nil || len(payload) != (130-64)*4 {
		t.Fatalf("good request: %d symbols, %v", len(payload), err)
	}
	if _, err := parseReply(reply, 8, opSymbols); err != errStale {
		t.Errorf("reply to another request: %v, want errStale", err)
	}
}
