package sinkhorn

import (
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// loopback is a transport whose other side answers at once with ServeWire;
// extra replies queued before each answer stand for another protocol's
// traffic on the same transport.
type loopback struct {
	replies [][]byte
	before  [][]byte
	fail    error
}

func (l *loopback) remote() *WireRemote {
	return &WireRemote{
		Send: func(msg []byte) { l.replies = append(append(l.replies, l.before...), ServeWire(msg)) },
		Recv: func() ([]byte, error) {
			if l.fail != nil {
				return nil, l.fail
			}
			if len(l.replies) == 0 {
				return nil, errors.New("no reply")
			}
			m := l.replies[0]
			l.replies = l.replies[1:]
			return m, nil
		},
	}
}

// TestWireRemoteBitIdentical: a solve over the wire is Symbols' bit for
// bit, with default and explicit options, two requests in flight, and
// foreign replies (core/rnn's helper protocol shares the transport) skipped.
func TestWireRemoteBitIdentical(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	const T = 30
	x, y := hmmLike(r, 90, T, 0.05), uniformSeqs(r, 70, T, 3)
	rnnReply := []byte{3, 1, 0, 0, 0, 7, 7} // an rnn symbols reply to its request 1
	l := &loopback{before: [][]byte{rnnReply}}
	rem := l.remote()
	for _, opt := range []Options{{}, {Blur: 0.5, Scaling: 0.7}, {Converged: true, Tol: 1e-3, MaxIter: 50}} {
		wantL, wantG, wantErr := Symbols(x, y, 90, 70, T, 3, opt)
		w1 := rem.Symbols(x, y, 90, 70, T, 3, opt)
		w2 := rem.Symbols(y, x, 70, 90, T, 3, opt)
		l2, g2, err2 := w2() // out of order: w1's reply is skipped, then lost
		revL, revG, _ := Symbols(y, x, 70, 90, T, 3, opt)
		if (err2 == nil) != (wantErr == nil) || l2 != revL || !slices.Equal(g2, revG) {
			t.Errorf("%+v: second request %v (%v), Symbols %v", opt, l2, err2, revL)
		}
		_ = w1
		w3 := rem.Symbols(x, y, 90, 70, T, 3, opt)
		l3, g3, err3 := w3()
		if (err3 == nil) != (wantErr == nil) || l3 != wantL || !slices.Equal(g3, wantG) {
			t.Errorf("%+v: over the wire %v (%v), Symbols %v (%v)", opt, l3, err3, wantL, wantErr)
		}
		if err3 != nil && (!errors.Is(err3, ErrNotConverged) || err3.Error() != wantErr.Error()) {
			t.Errorf("%+v: error %v, want Symbols' %v", opt, err3, wantErr)
		}
	}
}

// Bad requests and failing problems get an error reply naming what was
// wrong, which the waiting side returns; a failing transport's error is
// returned as it is.
func TestWireRemoteErrors(t *testing.T) {
	l := &loopback{}
	rem := l.remote()
	x := []uint8{0, 1, 2, 0, 1, 2}
	if _, _, err := rem.Symbols(x, x, 2, 2, 3, 2, Options{})(); err == nil || !strings.Contains(err.Error(), "symbol") {
		t.Errorf("symbol 2 with alphabet 2: %v, want Symbols' range error", err)
	}
	if _, _, err := rem.Symbols(x, x, 2, 2, 3, 3, Options{Blur: -1})(); err == nil || !strings.Contains(err.Error(), "sinkhorn remote") {
		t.Errorf("negative blur: %v", err)
	}
	for _, c := range []struct {
		msg  []byte
		want string
	}{
		{[]byte{opSolve}, "shorter than its header"},
		{[]byte{9, 1, 0, 0, 0}, "unknown op 9"},
		{[]byte{opSolve, 1, 0, 0, 0, 1, 2}, "shorter than its"},
		{append(wireMsg(opSolve, 1, 0), make([]byte, 45+3)...), "with 3 symbols"},
		{rawSolve(200000), "up to 200000 iterations"},
	} {
		reply := ServeWire(c.msg)
		if reply[0] != opFailed || !strings.Contains(string(reply[wireHeader:]), c.want) {
			t.Errorf("ServeWire(%v) = op %d %q, want an error with %q", c.msg, reply[0], reply[wireHeader:], c.want)
		}
	}
	l.fail = errors.New("worker gone")
	if _, _, err := rem.Symbols(x, x, 2, 2, 3, 3, Options{})(); err == nil || err.Error() != "worker gone" {
		t.Errorf("failing transport: %v", err)
	}
}

// rawSolve is a converged solve request of 2 x 1 sequences of T 3 for up
// to maxIter iterations.
func rawSolve(maxIter int) []byte {
	var req []byte
	x := []uint8{0, 1, 2, 0, 1, 2}
	(&WireRemote{Send: func(m []byte) { req = m }}).Symbols(x, x[:3], 2, 1, 3, 3, Options{Converged: true, MaxIter: maxIter})
	return req
}

// FuzzServeWire: no request, however corrupt, makes the server panic or
// answer other than with a reply to it.
func FuzzServeWire(f *testing.F) {
	l := &loopback{}
	x := []uint8{0, 1, 2, 0, 1, 2}
	l.remote().Symbols(x, x, 2, 2, 3, 3, Options{})
	f.Add(l.replies[0][:0])
	var req []byte
	(&WireRemote{Send: func(m []byte) { req = m }}).Symbols(x, x[:3], 2, 1, 3, 3, Options{})
	f.Add(req)
	f.Fuzz(func(t *testing.T, msg []byte) {
		reply := ServeWire(msg)
		if len(reply) < wireHeader || (reply[0] != opSolved && reply[0] != opFailed) {
			t.Fatalf("reply %v", reply)
		}
	})
}
