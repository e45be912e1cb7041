//go:build js && wasm

package main

import (
	"fmt"
	"syscall/js"
	"time"

	"hmmrnn/core/rnn"
	"hmmrnn/core/sinkhorn"
)

// helperName is the Web Worker name that makes worker.js start the Go
// program as a helper (see helperMain).
const helperName = "hmmrnn-helper"

// helperTimeout bounds the wait for one reply; a helper that does not
// answer in time is dropped and the trainer computes everything itself.
const helperTimeout = 20 * time.Second

// jsHelper is the training worker's side of a second Web Worker that runs
// half of every step's RNN chunks (an rnn.WireHelper over postMessage) and
// solves two of the five divergences of an energy-distance step (a
// sinkhorn.WireRemote on the same channel; train.Trainer.SetHelper). Go's
// WebAssembly runs on one thread, so this is how training in the browser
// uses a second core.
type jsHelper struct {
	wire    helperWires
	worker  js.Value
	replies chan []byte
	dead    chan struct{} // closed when the worker reports an error
	ready   bool          // the helper said it takes requests
	err     error
}

// startHelper starts the helper worker, or returns nil where there is no
// second core to use (or no Worker in this context).
func startHelper() *jsHelper {
	ctor := js.Global().Get("Worker")
	if ctor.IsUndefined() {
		return nil
	}
	if hc := js.Global().Get("navigator").Get("hardwareConcurrency"); hc.Type() == js.TypeNumber && hc.Int() < 2 {
		return nil
	}
	h := &jsHelper{replies: make(chan []byte, 8), dead: make(chan struct{})}
	// The helper runs this worker's own script, which worker.js names in
	// hmmrnnHelperURL (its URL on a server; in the single-file page a
	// blob: it writes itself).
	url := js.Global().Get("hmmrnnHelperURL")
	if url.Type() != js.TypeString {
		url = js.ValueOf("worker.js")
	}
	h.worker = ctor.New(url, map[string]any{"name": helperName})
	onMsg := js.FuncOf(func(_ js.Value, args []js.Value) any {
		b := bytesOf(args[0].Get("data"))
		if rnn.IsWireReady(b) {
			h.ready = true
			return nil
		}
		select {
		case h.replies <- b:
		default: // nobody waits for this many: a stale reply
		}
		return nil
	})
	onErr := js.FuncOf(func(_ js.Value, args []js.Value) any {
		if h.err == nil {
			h.err = fmt.Errorf("helper worker failed: %s", args[0].Get("message").String())
			close(h.dead)
		}
		return nil
	})
	h.worker.Set("onmessage", onMsg)
	h.worker.Set("onerror", onErr)
	h.wire = helperWires{&rnn.WireHelper{Send: h.send, Recv: h.recv}, &sinkhorn.WireRemote{Send: h.send, Recv: h.recv}}
	return h
}

// helperWires is both protocols the helper worker answers: an rnn.Helper
// that is also a sinkhorn.Remote.
type helperWires struct {
	*rnn.WireHelper
	*sinkhorn.WireRemote
}

func (h *jsHelper) send(msg []byte) { postBytes(h.worker, msg) }

func (h *jsHelper) recv() ([]byte, error) {
	select {
	case b := <-h.replies:
		return b, nil
	case <-h.dead:
		return nil, h.err
	case <-time.After(helperTimeout):
		return nil, fmt.Errorf("helper worker: no reply within %v", helperTimeout)
	}
}

// usableHelper returns the helper to train with, or nil when it is not there
// (yet), failed, or w turned it off.
func (w *worker) usableHelper() rnn.Helper {
	h := w.helper
	if h == nil || !w.useHelper || !h.ready || h.err != nil || w.helperBroken {
		return nil
	}
	return h.wire
}

// waitHelper gives a starting helper up to d to become ready (sleeping
// lets the event loop deliver its message).
func (w *worker) waitHelper(d time.Duration) {
	for t0 := time.Now(); w.helper != nil && w.useHelper && !w.helper.ready && w.helper.err == nil && time.Since(t0) < d; {
		time.Sleep(20 * time.Millisecond)
	}
}

// bytesOf copies an ArrayBuffer or a typed array into Go.
func bytesOf(v js.Value) []byte {
	u8 := v
	if v.Get("BYTES_PER_ELEMENT").IsUndefined() {
		u8 = js.Global().Get("Uint8Array").New(v)
	}
	b := make([]byte, u8.Get("length").Int())
	js.CopyBytesToGo(b, u8)
	return b
}

// helperMain is the program of the helper worker: it answers the training
// worker's requests (sinkhorn.ServeWire for divergences, rnn.ServeWire
// with an rnn.PartServer for the rest) until the worker is closed.
func helperMain() {
	msgs := make(chan []byte, 64)
	handler := js.FuncOf(func(_ js.Value, args []js.Value) any {
		if len(args) == 1 {
			select {
			case msgs <- bytesOf(args[0]):
			default: // the trainer sends one request at a time; more is a bug
				js.Global().Get("console").Call("error", "helper: request queue full")
			}
		}
		return nil
	})
	js.Global().Set("hmmrnnHandle", handler)
	postBytes(js.Global(), rnn.WireReady())
	var s rnn.PartServer
	for m := range msgs {
		if sinkhorn.IsWireRequest(m) {
			postBytes(js.Global(), sinkhorn.ServeWire(m))
			continue
		}
		postBytes(js.Global(), rnn.ServeWire(m, &s))
	}
}

// postBytes posts b to target (a Worker, or the global scope: the worker
// that started this one), transferring the copy's buffer.
func postBytes(target js.Value, b []byte) {
	u8 := jsBytes(b)
	target.Call("postMessage", u8, []any{u8.Get("buffer")})
}
