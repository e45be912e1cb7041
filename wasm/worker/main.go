//go:build js && wasm

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"syscall/js"
	"time"

	"hmmrnn/core/hmm"
	"hmmrnn/core/rnn"
	"hmmrnn/core/scene"
	"hmmrnn/core/scene/portrait"
	"hmmrnn/core/train"
)

// Timing of the worker loop: training runs in slices of sliceBudget, then
// the worker sleeps so the JavaScript event loop delivers the page's
// commands (a Go goroutine that never blocks never yields in wasm).
const (
	sliceBudget    = 60 * time.Millisecond
	statusEvery    = 250 * time.Millisecond
	statsEvery     = 1500 * time.Millisecond
	portraitEvery  = 4 * time.Second
	maxStepCommand = 100000
	// bench(n): unmeasured steps first, and the most steps one command may
	// time. The first ~50 steps of a fresh page run ~25% slower (V8's
	// compilation tiers, in both workers; measured with four benches of 25
	// steps in a row on one page: 16.4, 16.7, 13.7, 12.5 ms), and a user's
	// training runs for thousands of steps.
	benchWarmup   = 60
	maxBenchSteps = 500
	// helperStartWait is how long bench and the helper switch wait for a
	// starting helper worker (it compiles worker.wasm: about a second).
	helperStartWait = 10 * time.Second
)

// command is a message from the page.
type command struct {
	Cmd      string    `json:"cmd"`
	Settings *Settings `json:"settings,omitempty"`
	View     *View     `json:"view,omitempty"`
	N        int       `json:"n,omitempty"`
	Speed    float64   `json:"speed,omitempty"`
	Data     string    `json:"data,omitempty"`
	Name     string    `json:"name,omitempty"`
	ID       int       `json:"id,omitempty"`
}

type worker struct {
	cmds                                chan command
	s                                   *Session
	view                                View
	running                             bool
	remaining                           int // steps left of a step(n) command (0 = unbounded while running)
	speed                               float64
	rate                                stepRate // the status's ms per step
	trainTime                           time.Duration
	lastStatus, lastStats, lastPortrait time.Time
	portraitStep                        int
	helper                              *jsHelper // nil: none
	useHelper                           bool      // the page's switch (on by default)
	helperBroken                        bool      // it failed once; the page was told
	net                                 int       // the page's id of the network shown (the id of its init, load or reset)
	mech                                *Mechanism
	mechTime                            time.Duration // spent on the live analyses while training
}

// mechShare caps the time the live analyses take while training at this
// fraction of the training time (a piece can cost more than a 60 ms
// training slice, and a resonance curve restarts with every portrait, so
// uncapped they would slow training by half or more).
const mechShare = 0.2

// jsBytes copies b into a new Uint8Array (whose buffer the caller may
// transfer with postMessage).
func jsBytes(b []byte) js.Value {
	u8 := js.Global().Get("Uint8Array").New(len(b))
	js.CopyBytesToJS(u8, b)
	return u8
}

func post(msg any, bin []byte) {
	data, err := json.Marshal(msg)
	if err != nil {
		data, _ = json.Marshal(map[string]string{"type": "error", "message": fmt.Sprintf("worker: encoding %T: %v", msg, err)})
	}
	o := js.Global().Get("Object").New()
	o.Set("json", string(data))
	if bin != nil {
		u8 := jsBytes(bin)
		o.Set("bin", u8)
		js.Global().Call("postMessage", o, []any{u8.Get("buffer")})
		return
	}
	js.Global().Call("postMessage", o)
}

// postNet posts a message about the network shown, tagged with the page's
// id of that network ("net"), so the page can drop messages about a
// network it has replaced that were already on their way.
func (w *worker) postNet(msg any, bin []byte) {
	data, err := json.Marshal(msg)
	if err != nil || len(data) < 2 || data[0] != '{' {
		post(msg, bin)
		return
	}
	post(json.RawMessage(fmt.Sprintf(`{"net":%d,%s`, w.net, data[1:])), bin)
}

func postError(err error) {
	post(map[string]string{"type": "error", "message": err.Error()}, nil)
}

func (w *worker) handle(c command) {
	switch c.Cmd {
	case "init":
		if c.Settings == nil {
			w.replace(c.ID, nil, fmt.Errorf("worker: init without settings"))
			return
		}
		if c.View != nil {
			w.view = *c.View
		}
		s, err := NewSession(*c.Settings)
		w.replace(c.ID, s, err)
	case "load":
		s, err := LoadSession([]byte(c.Data), c.Name)
		if err == nil && c.View != nil {
			w.view = *c.View
		}
		w.replace(c.ID, s, err)
	case "reset":
		if w.s == nil {
			return
		}
		s, err := NewSession(w.s.Settings)
		w.replace(c.ID, s, err)
	case "play":
		if w.s != nil && !w.s.Trainable() {
			// A loaded model without training state: train a new network
			// for the same HMM and sizes.
			s, err := NewSession(w.s.Settings)
			if err != nil {
				postError(err)
				return
			}
			w.install(s)
		}
		w.running, w.remaining = true, 0
		w.sendStatus()
	case "pause":
		w.running, w.remaining = false, 0
		w.sendStatus()
		w.sendStats()
		w.sendPortrait()
	case "step":
		if w.s == nil || !w.s.Trainable() {
			postError(fmt.Errorf("worker: nothing to train; reset first"))
			return
		}
		w.running, w.remaining = true, min(max(c.N, 1), maxStepCommand)
	case "bench":
		if w.s == nil {
			postError(fmt.Errorf("worker: nothing to bench; reset first"))
			return
		}
		w.running, w.remaining = false, 0
		w.waitHelper(helperStartWait)
		r, err := w.s.Bench(context.Background(), benchWarmup, min(max(c.N, 1), maxBenchSteps), w.usableHelper())
		if err != nil {
			postError(err)
			return
		}
		r.ID = c.ID
		post(r, nil)
		w.sendStatus()
	case "helper":
		w.useHelper = c.N != 0
		if w.useHelper {
			w.waitHelper(helperStartWait)
		}
		w.sendStatus()
	case "speed":
		w.speed = min(max(c.Speed, 0.05), 1)
	case "view":
		if c.View != nil {
			w.view = *c.View
		}
		w.sendPortrait()
	case "stats":
		w.sendStats()
	case "validate":
		msg := map[string]any{"type": "validation", "id": c.ID, "ok": true, "message": ""}
		if c.Settings == nil {
			msg["ok"], msg["message"] = false, "no model given"
		} else if _, err := c.Settings.Model(); err != nil {
			msg["ok"], msg["message"] = false, err.Error()
		}
		post(msg, nil)
	case "export":
		data, err := w.s.Model(w.trainTime.Seconds()) // a nil session (none yet) says so
		if err != nil {
			postError(err)
			return
		}
		post(map[string]any{"type": "model", "text": string(data), "id": c.ID}, nil)
	default:
		postError(fmt.Errorf("worker: unknown command %q", c.Cmd))
	}
}

// replace shows session s as the page's network id (init, load, reset).
// When s could not be made (err), the page is told and shown the current
// network again under the new id, since it dropped what it knew of it.
func (w *worker) replace(id int, s *Session, err error) {
	w.net = id
	if err != nil {
		postError(err)
		if w.s != nil {
			w.install(w.s)
		}
		return
	}
	w.install(s)
}

func (w *worker) install(s *Session) {
	w.s = s
	w.mech = NewMechanism(s)
	w.running, w.remaining = false, 0
	w.trainTime = 0
	w.mechTime = 0
	w.rate.reset()
	s.ResendLosses()
	w.sendStatus()
	w.sendStats()
	w.sendPortrait()
}

func (w *worker) sendStatus() {
	if w.s == nil {
		return
	}
	st := w.s.Status(w.running, w.rate.ms())
	st.Helper = w.usableHelper() != nil && w.s.HelperUsable()
	w.postNet(st, nil)
	w.lastStatus = time.Now()
}

// sendStats posts the emission statistics; while training, those of the
// loop's latest check.
func (w *worker) sendStats() {
	if w.s == nil {
		return
	}
	st, err := w.s.Stats(!w.running)
	if err != nil {
		postError(err)
		return
	}
	w.postNet(st, nil)
	w.lastStats = time.Now()
	if st.Restarted {
		w.sendStatus()
	}
}

func (w *worker) sendPortrait() {
	if w.s == nil {
		return
	}
	bin, info, err := w.s.Portrait(w.view)
	if err != nil {
		postError(err)
		return
	}
	w.postNet(info, bin)
	w.lastPortrait = time.Now()
	w.portraitStep = w.s.StepCount()
	horizon := 0
	if info.Source == portrait.SourceHorizon {
		horizon = info.Horizon
	}
	if err := w.mech.Restart(info.Silenced, horizon); err != nil {
		postError(err)
	}
}

// mechanismWork does one piece of the live analyses (a snapshot's
// evolution summary, else a level of the resonance curve) and posts what
// changed; it reports whether there was work.
func (w *worker) mechanismWork() bool {
	if w.s == nil || w.mech == nil {
		return false
	}
	did, err := w.mech.EvolveOne()
	if err != nil {
		postError(err)
		return false
	}
	if did {
		if ev, changed := w.mech.EvolutionMessage(); changed {
			w.postNet(ev, nil)
		}
		return true
	}
	res, did, err := w.mech.ResonanceOne()
	if err != nil {
		postError(err)
		return false
	}
	if did {
		w.postNet(res, nil)
	}
	return did
}

// train runs one slice of steps.
func (w *worker) train() {
	w.s.SetHelper(w.usableHelper())
	defer func() {
		if err := w.s.HelperErr(); err != nil && !w.helperBroken {
			w.helperBroken = true
			post(map[string]string{"type": "warning", "message": fmt.Sprintf("%v; training goes on in one worker (same results, slower)", err)}, nil)
		}
	}()
	t0 := time.Now()
	steps := train.NoStepLimit
	if w.remaining > 0 {
		steps = w.remaining
	}
	n, err := w.s.Train(context.Background(), steps, t0.Add(time.Duration(float64(sliceBudget)*w.speed)))
	if err != nil {
		w.running = false
		postError(err)
	}
	if w.remaining > 0 {
		w.remaining = max(w.remaining-n, 0)
		if w.remaining == 0 {
			w.running = false
		}
	}
	d := time.Since(t0)
	w.trainTime += d
	now := time.Now()
	w.rate.add(now, d, n)
	if !w.running {
		w.sendStatus()
		w.sendStats()
		w.sendPortrait()
		return
	}
	if now.Sub(w.lastStats) >= statsEvery {
		w.sendStats()
	}
	if now.Sub(w.lastStatus) >= statusEvery {
		w.sendStatus()
	}
	if now.Sub(w.lastPortrait) >= portraitEvery {
		w.sendPortrait()
	}
}

func (w *worker) loop() {
	for {
		if !w.running || w.s == nil {
			// Idle: finish the live analyses between commands.
			select {
			case c := <-w.cmds:
				w.handle(c)
			default:
				if !w.mechanismWork() {
					w.handle(<-w.cmds)
				} else {
					time.Sleep(time.Millisecond) // let the event loop deliver commands
				}
			}
			continue
		}
		for drained := false; !drained; {
			select {
			case c := <-w.cmds:
				w.handle(c)
			default:
				drained = true
			}
		}
		if !w.running {
			continue
		}
		w.train()
		if w.running && float64(w.mechTime) < mechShare*float64(w.trainTime) {
			t0 := time.Now()
			w.mechanismWork()
			w.mechTime += time.Since(t0)
		}
		// Sleep: lets the event loop run; below full speed, longer pauses
		// leave the machine's cores to the page.
		pause := time.Millisecond
		if w.speed < 1 {
			pause = time.Duration(float64(sliceBudget) * (1 - w.speed) / w.speed)
		}
		time.Sleep(pause)
	}
}

func main() {
	if js.Global().Get("hmmrnnHelperMode").Truthy() {
		helperMain()
		return
	}
	w := &worker{cmds: make(chan command, 256), speed: 1, view: View{Sigma: 1, Flow: true, Density: true, Decay: true, Snapshot: -1},
		useHelper: true, helper: startHelper()}
	handler := js.FuncOf(func(_ js.Value, args []js.Value) any {
		if len(args) != 1 || args[0].Type() != js.TypeString {
			return "worker: want one JSON string"
		}
		var c command
		if err := json.Unmarshal([]byte(args[0].String()), &c); err != nil {
			postError(fmt.Errorf("worker: bad command: %w", err))
			return nil
		}
		select {
		case w.cmds <- c:
		default:
			postError(fmt.Errorf("worker: too many pending commands; %q dropped", c.Cmd))
		}
		return nil
	})
	js.Global().Set("hmmrnnHandle", handler)
	presets := map[string]any{}
	for _, name := range hmm.PresetNames() {
		m, err := hmm.Preset(name)
		if err == nil {
			presets[name] = m
		}
	}
	post(map[string]any{"type": "ready", "presets": presets, "names": hmm.PresetNames(),
		"palette": scene.Palette(8), "kernels": rnn.KernelName()}, nil)
	w.loop()
}
