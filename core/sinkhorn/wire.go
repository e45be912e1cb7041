package sinkhorn

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// The wire protocol of a Remote in another process or Web Worker:
// WireRemote sends a Symbols request as a byte message over any transport,
// and the other side answers it with ServeWire. Little-endian binary, like
// core/rnn's helper protocol, whose transport it may share: every message
// starts with an op byte and a sequence number (uint32) that the reply
// repeats; this protocol's ops and sequence numbers (high bit set) are
// disjoint from rnn's, so each side skips the other's replies.
//
//	solve  request: N M T O MaxIter (uint32), Blur Scaling Tol (float64), Converged (byte), x y (bytes)
//	solved reply:   the loss, then dS/dx (float64), then the message of an
//	                ErrNotConverged error, if any (UTF-8)
//	error  reply:   the message (UTF-8)
const (
	opSolve  = 0x21
	opSolved = 0x22
	opFailed = 0x23
	// wireSeqBit marks this protocol's sequence numbers.
	wireSeqBit = 1 << 31
)

// wireHeader is the op byte and the sequence number.
const wireHeader = 5

// The fixed part of a solve request's body: N M T O MaxIter (uint32 each),
// then Blur Scaling Tol (float64 each) at solveFloats, then Converged at
// solveConverged.
const (
	solveFloats    = 5 * 4
	solveConverged = solveFloats + 3*8
	solveFixed     = solveConverged + 1
)

// maxWireSymbols bounds the symbols a request may name (N*T and M*T
// bytes), so that a corrupt message cannot make the server allocate
// without limit: 2^24 symbols, 16 MB each side.
const maxWireSymbols = 1 << 24

// Remote solves Symbols problems somewhere else (in the browser, a second
// Web Worker: Go's WebAssembly runs on one thread). Symbols starts one and
// wait returns what Symbols would, bit for bit.
type Remote interface {
	Symbols(x, y []uint8, N, M, T, O int, opt Options) (wait func() (loss float64, gradX []float64, err error))
}

// WireRemote is a Remote that sends requests as messages and waits for the
// replies: Send delivers a message to the other side, Recv blocks until its
// next reply (or fails, e.g. on a timeout). Replies to other requests (an
// earlier one that timed out, or another protocol's) are skipped.
type WireRemote struct {
	Send func(msg []byte)
	Recv func() ([]byte, error)
	seq  uint32
}

func wireMsg(op byte, seq uint32, payload int) []byte {
	b := make([]byte, wireHeader, wireHeader+payload)
	b[0] = op
	binary.LittleEndian.PutUint32(b[1:], seq)
	return b
}

// Symbols sends the problem and returns the wait for its answer.
func (r *WireRemote) Symbols(x, y []uint8, N, M, T, O int, opt Options) func() (float64, []float64, error) {
	r.seq = (r.seq + 1) | wireSeqBit
	seq := r.seq
	b := wireMsg(opSolve, seq, solveFixed+len(x)+len(y))
	for _, v := range []int{N, M, T, O, opt.MaxIter} {
		b = binary.LittleEndian.AppendUint32(b, uint32(v))
	}
	for _, v := range []float64{opt.Blur, opt.Scaling, opt.Tol} {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
	}
	conv := byte(0)
	if opt.Converged {
		conv = 1
	}
	b = append(b, conv)
	b = append(append(b, x...), y...)
	r.Send(b)
	return func() (float64, []float64, error) {
		for {
			msg, err := r.Recv()
			if err != nil {
				return 0, nil, err
			}
			if len(msg) < wireHeader || binary.LittleEndian.Uint32(msg[1:]) != seq {
				continue // another request's reply
			}
			body := msg[wireHeader:]
			switch msg[0] {
			case opFailed:
				return 0, nil, errors.New(string(body))
			case opSolved:
				n := 8 * (1 + N*T*O)
				if len(body) < n {
					return 0, nil, fmt.Errorf("sinkhorn remote: reply of %d bytes, want %d", len(body), n)
				}
				v := make([]float64, n/8)
				for i := range v {
					v[i] = math.Float64frombits(binary.LittleEndian.Uint64(body[8*i:]))
				}
				if len(body) > n {
					return v[0], v[1:], notConverged(body[n:])
				}
				return v[0], v[1:], nil
			}
			return 0, nil, fmt.Errorf("sinkhorn remote: reply op %d to a solve request", msg[0])
		}
	}
}

// IsWireRequest reports whether msg is a request of this protocol (for a
// server that also answers other protocols on the same transport).
func IsWireRequest(msg []byte) bool { return len(msg) >= wireHeader && msg[0] == opSolve }

// ServeWire answers one request message: Symbols' loss and gradient, or
// an error reply naming what was wrong with the request or the problem.
// It refuses converged solves of more than DefaultMaxIter iterations, so
// that no request (a corrupt one included) holds the remote for long; the
// asking side then solves the problem itself (train's energy distance
// does).
func ServeWire(msg []byte) []byte {
	if len(msg) < wireHeader {
		return append(wireMsg(opFailed, 0, 0), "sinkhorn remote: message shorter than its header"...)
	}
	seq := binary.LittleEndian.Uint32(msg[1:])
	fail := func(err error) []byte {
		return append(wireMsg(opFailed, seq, 0), ("sinkhorn remote: " + err.Error())...)
	}
	if msg[0] != opSolve {
		return fail(fmt.Errorf("unknown op %d", msg[0]))
	}
	body := msg[wireHeader:]
	if len(body) < solveFixed {
		return fail(fmt.Errorf("solve request of %d bytes, shorter than its %d fixed bytes", len(body), solveFixed))
	}
	u := func(i int) int { return int(binary.LittleEndian.Uint32(body[4*i:])) }
	f := func(i int) float64 { return math.Float64frombits(binary.LittleEndian.Uint64(body[solveFloats+8*i:])) }
	N, M, T, O := u(0), u(1), u(2), u(3)
	opt := Options{MaxIter: u(4), Blur: f(0), Scaling: f(1), Tol: f(2), Converged: body[solveConverged] == 1}
	data := body[solveFixed:]
	if N*T > maxWireSymbols || M*T > maxWireSymbols || T > MaxSeqLen || N*T+M*T != len(data) {
		return fail(fmt.Errorf("solve request for N=%d M=%d T=%d with %d symbols", N, M, T, len(data)))
	}
	if opt.Converged && opt.MaxIter > DefaultMaxIter {
		return fail(fmt.Errorf("solve request for up to %d iterations, more than the %d a remote runs", opt.MaxIter, DefaultMaxIter))
	}
	loss, g, err := Symbols(data[:N*T], data[N*T:], N, M, T, O, opt)
	if err != nil && !errors.Is(err, ErrNotConverged) {
		return fail(err)
	}
	b := wireMsg(opSolved, seq, 8*(1+len(g)))
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(loss))
	for _, v := range g {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
	}
	if err != nil { // the last iterate, with the error Symbols returns it with
		b = append(b, err.Error()...)
	}
	return b
}

// notConverged is Symbols' ErrNotConverged error as the remote side
// worded it.
type notConverged string

func (e notConverged) Error() string { return string(e) }
func (e notConverged) Unwrap() error { return ErrNotConverged }
