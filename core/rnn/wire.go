package rnn

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"
)

// The wire protocol of a Helper that runs in another process or Web Worker:
// WireHelper sends requests as byte messages over any transport, and the
// other side answers each with ServeWire. Little-endian binary, so that a
// step's weights, seeds and gradients cross without text encoding. Every
// message starts with an op byte and a sequence number (uint32) that the
// reply repeats.
//
//	forward  request: H D O B T First seeds (uint32), sigma tau (float64), the seeds (uint64), W_in W_hh W_out (float64)
//	backward request: dL/dy (float64)
//	symbols  reply:   the symbols (bytes)
//	gradient reply:   the chunk gradients (float32)
//	error    reply:   the message (UTF-8)
//	ready:            sent once by the helper when it can take requests (WireReady)
const (
	opForward  = 1
	opBackward = 2
	opSymbols  = 3
	opGradient = 4
	opError    = 5
	opReady    = 6
)

// headerLen is the op byte and the sequence number.
const headerLen = 5

func header(op byte, seq uint32, payload int) []byte {
	b := make([]byte, headerLen, headerLen+payload)
	b[0] = op
	binary.LittleEndian.PutUint32(b[1:], seq)
	return b
}

func appendF64s(b []byte, v []float64) []byte {
	for _, x := range v {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(x))
	}
	return b
}

func encodeForward(seq uint32, p Part) []byte {
	n := p.Net
	b := header(opForward, seq, 7*4+16+8*len(p.Seeds)+8*(len(n.Win)+len(n.Whh)+len(n.Wout)))
	for _, v := range []int{n.H, n.D, n.O, p.B, p.T, p.First, len(p.Seeds)} {
		b = binary.LittleEndian.AppendUint32(b, uint32(v))
	}
	b = appendF64s(b, []float64{p.Sigma, p.Tau})
	for _, s := range p.Seeds {
		b = binary.LittleEndian.AppendUint64(b, s)
	}
	b = appendF64s(b, n.Win)
	b = appendF64s(b, n.Whh)
	return appendF64s(b, n.Wout)
}

func encodeBackward(seq uint32, dY []float64) []byte {
	return appendF64s(header(opBackward, seq, 8*len(dY)), dY)
}

// reader takes values off a message and remembers the first shortfall.
type reader struct {
	b   []byte
	err error
}

func (r *reader) take(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || len(r.b) < n {
		r.err = fmt.Errorf("message too short: need %d more bytes, have %d", n, len(r.b))
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *reader) u32() int {
	if v := r.take(4); v != nil {
		return int(binary.LittleEndian.Uint32(v))
	}
	return 0
}

func (r *reader) f64s(n int) []float64 {
	v := r.take(8 * n)
	if v == nil {
		return nil
	}
	out := make([]float64, n)
	for i := range out {
		out[i] = math.Float64frombits(binary.LittleEndian.Uint64(v[8*i:]))
	}
	return out
}

// maxSide bounds the sizes a forward request may name, so that a corrupt
// message cannot make the helper allocate without limit.
const maxSide = 1 << 16

func decodeForward(body []byte) (Part, error) {
	r := &reader{b: body}
	H, D, O, B, T, first, nSeeds := r.u32(), r.u32(), r.u32(), r.u32(), r.u32(), r.u32(), r.u32()
	if r.err == nil && (H > maxSide || D > maxSide || O > 256 || B > maxSide || T > maxSide || nSeeds > 2*maxSide) {
		return Part{}, fmt.Errorf("forward request for H=%d D=%d O=%d B=%d T=%d with %d seeds", H, D, O, B, T, nSeeds)
	}
	st := r.f64s(2)
	var seeds []uint64
	if raw := r.take(8 * nSeeds); raw != nil {
		for i := range nSeeds {
			seeds = append(seeds, binary.LittleEndian.Uint64(raw[8*i:]))
		}
	}
	net := &Net{H: H, D: D, O: O, Win: r.f64s(H * D), Whh: r.f64s(H * H), Wout: r.f64s(O * H)}
	if r.err != nil {
		return Part{}, r.err
	}
	if len(r.b) != 0 {
		return Part{}, fmt.Errorf("forward request has %d bytes too many", len(r.b))
	}
	return Part{Net: net, B: B, T: T, First: first, Seeds: seeds, Sigma: st[0], Tau: st[1]}, nil
}

// ServeWire answers one request message with s; the helper's loop sends
// the reply back.
func ServeWire(msg []byte, s *PartServer) []byte {
	if len(msg) < headerLen {
		return append(header(opError, 0, 0), "rnn helper: message shorter than its header"...)
	}
	seq := binary.LittleEndian.Uint32(msg[1:])
	fail := func(err error) []byte {
		return append(header(opError, seq, 0), ("rnn helper: " + strings.TrimPrefix(err.Error(), "rnn: "))...)
	}
	switch msg[0] {
	case opForward:
		p, err := decodeForward(msg[headerLen:])
		if err != nil {
			return fail(err)
		}
		sym, err := s.Forward(p)
		if err != nil {
			return fail(err)
		}
		return append(header(opSymbols, seq, len(sym)), sym...)
	case opBackward:
		body := msg[headerLen:]
		if len(body)%8 != 0 {
			return fail(errors.New("backward request length is not a multiple of 8"))
		}
		r := &reader{b: body}
		g, err := s.Backward(r.f64s(len(body) / 8))
		if err != nil {
			return fail(err)
		}
		b := header(opGradient, seq, 4*len(g))
		for _, v := range g {
			b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
		}
		return b
	}
	return fail(fmt.Errorf("unknown op %d", msg[0]))
}

// parseReply checks a reply to request seq of the given kind and returns
// its payload.
func parseReply(msg []byte, seq uint32, want byte) ([]byte, error) {
	if len(msg) < headerLen {
		return nil, errors.New("rnn helper: reply shorter than its header")
	}
	if got := binary.LittleEndian.Uint32(msg[1:]); got != seq {
		return nil, errStale
	}
	switch msg[0] {
	case want:
		return msg[headerLen:], nil
	case opError:
		return nil, errors.New(string(msg[headerLen:]))
	}
	return nil, fmt.Errorf("rnn helper: reply op %d, want %d", msg[0], want)
}

// errStale marks a reply to an earlier request (one that timed out).
var errStale = errors.New("rnn helper: stale reply")

func decodeGradient(payload []byte) ([]float32, error) {
	if len(payload)%4 != 0 {
		return nil, errors.New("rnn helper: gradient reply length is not a multiple of 4")
	}
	g := make([]float32, len(payload)/4)
	for i := range g {
		g[i] = math.Float32frombits(binary.LittleEndian.Uint32(payload[4*i:]))
	}
	return g, nil
}

// WireHelper is a Helper that sends requests as messages and waits for the
// replies: Send delivers a message to the other side, Recv blocks until its
// next reply (or fails, e.g. on a timeout). Replies to earlier requests
// (that timed out) are skipped.
type WireHelper struct {
	Send func(msg []byte)
	Recv func() ([]byte, error)
	seq  uint32
}

// WireReady is the message the helper's side sends once it takes requests.
func WireReady() []byte { return header(opReady, 0, 0) }

// IsWireReady reports whether msg is WireReady's message.
func IsWireReady(msg []byte) bool { return len(msg) >= headerLen && msg[0] == opReady }

// await returns a wait function for the reply to request seq.
func (h *WireHelper) await(seq uint32, want byte) func() ([]byte, error) {
	return func() ([]byte, error) {
		for {
			msg, err := h.Recv()
			if err != nil {
				return nil, err
			}
			payload, err := parseReply(msg, seq, want)
			if err == errStale {
				continue
			}
			return payload, err
		}
	}
}

func (h *WireHelper) Forward(p Part) func() ([]uint8, error) {
	h.seq++
	h.Send(encodeForward(h.seq, p))
	wait := h.await(h.seq, opSymbols)
	return func() ([]uint8, error) { return wait() }
}

func (h *WireHelper) Backward(dY []float64) func() ([]float32, error) {
	h.seq++
	h.Send(encodeBackward(h.seq, dY))
	wait := h.await(h.seq, opGradient)
	return func() ([]float32, error) {
		payload, err := wait()
		if err != nil {
			return nil, err
		}
		return decodeGradient(payload)
	}
}
