//go:build js && wasm

package main

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"sync"
	"syscall/js"
	"time"

	"github.com/hajimehoshi/ebiten/v2"

	"hmmrnn/core/scene"
)

// The particle animation renders only when scheduled (Ebiten's
// FPSModeVsyncOffMinimum): at the rate the page sets (setParams fps, which
// the page lowers when its own frame rate suffers), and once after each
// change otherwise, so the page's frames keep their time.
const (
	defaultAnimFPS = 30
	minAnimFPS     = 4
	maxAnimFPS     = 60
)

// trailLen is the number of positions drawn for each particle (its head
// and the steps behind it).
const trailLen = 5

// game is the Ebiten game: the current portrait, its cached triangles, and
// the particles.
type game struct {
	mu      sync.Mutex // guards the fields the page sets (pending, params)
	pending *scene.Portrait
	params  params
	dirty   bool // params changed

	portrait *scene.Portrait
	w, h     int
	view     scene.View
	static   []ebitenMesh  // triangles of the portrait, rebuilt on change
	layer    *ebiten.Image // the portrait drawn once, blitted every frame
	staticOK bool

	rng       *rand.Rand
	particles *scene.Particles
	trails    [][trailLen]scene.Vec
	outs      []int
	head      int
	carry     float64 // fractional steps carried to the next frame
	dyn       scene.Builder
	dynMesh   []ebitenMesh

	snap js.Value // callback waiting for a PNG of the next frame

	white         *ebiten.Image
	frames, steps int
	draws         int // Draw calls since start
	since         time.Time
	fps, sps      float64
	work          time.Duration // Update+Draw time since `since`
	workMs        float64       // per frame, over the last second
}

// params are what the page controls.
type params struct {
	Sigma     float64 // noise std of the particles
	Silence   bool    // silence the kick neurons (recurrent gain 0)
	Gain      float64 // recurrent gain of the kick neurons when not silenced
	Particles bool    // animate particles
	Speed     float64 // RNN steps per frame
	FPS       float64 // animation frames per second
}

type ebitenMesh struct {
	v []ebiten.Vertex
	i []uint16
}

func newGame() *game {
	img := ebiten.NewImage(3, 3)
	img.Fill(color.White)
	return &game{
		params: params{Sigma: 1, Gain: 1, Particles: true, Speed: 1, FPS: defaultAnimFPS},
		rng:    rand.New(rand.NewPCG(1, 2)),
		white:  img.SubImage(image.Rect(1, 1, 2, 2)).(*ebiten.Image),
		since:  time.Now(),
		portrait: &scene.Portrait{
			Scene: *scene.Demo(),
		},
	}
}

func (g *game) Update() error {
	t0 := time.Now()
	defer func() { g.work += time.Since(t0) }()
	g.mu.Lock()
	if g.pending != nil {
		g.install(g.pending)
		g.pending = nil
	}
	p := g.params
	if g.dirty && g.particles != nil {
		g.applyGain(p)
	}
	g.dirty = false
	g.mu.Unlock()

	if g.particles == nil || !p.Particles {
		return nil
	}
	g.carry += p.Speed
	for g.carry >= 1 {
		g.carry--
		g.particles.Step(p.Sigma, g.rng)
		g.steps++
		g.head = (g.head + 1) % trailLen
		pt := g.portrait
		for i := range g.particles.Len() {
			g.trails[i][g.head] = scene.Project(g.particles.State(i), pt.Mean, pt.PC1, pt.PC2)
			g.outs[i] = g.particles.Output(i)
		}
	}
	return nil
}

func (g *game) applyGain(p params) {
	mu := p.Gain
	if p.Silence {
		mu = 0
	}
	g.particles.SetGain(g.portrait.Kick, mu)
}

// install makes p the current portrait. Particles of a network of the same
// shape (training goes on) keep their states and follow the new weights;
// otherwise they start afresh.
func (g *game) install(p *scene.Portrait) {
	g.portrait = p
	g.staticOK = false
	if p.Net == nil || len(p.Mean) != p.Net.H {
		g.particles = nil
		return
	}
	if g.particles == nil || g.particles.Rebind(p.Net) != nil {
		ps, err := scene.NewParticles(p.Net, scene.ParticleCount(p.Net), g.params.Sigma, g.rng)
		if err != nil {
			js.Global().Get("console").Call("error", "app: "+err.Error())
			g.particles = nil
			return
		}
		g.particles = ps
		g.trails = make([][trailLen]scene.Vec, ps.Len())
		g.outs = make([]int, ps.Len())
	}
	g.applyGain(g.params)
	ps := g.particles
	for i := range ps.Len() {
		v := scene.Project(ps.State(i), p.Mean, p.PC1, p.PC2)
		for k := range g.trails[i] {
			g.trails[i][k] = v
		}
		g.outs[i] = ps.Output(i)
	}
}

func (g *game) Draw(screen *ebiten.Image) {
	t0 := time.Now()
	if !g.staticOK {
		// Draw the portrait once into its own layer; every frame then costs
		// one blit plus the particles.
		g.view = scene.Fit(g.portrait.Scene.Bounds, float64(g.w), float64(g.h), 12)
		var b scene.Builder
		b.Add(&g.portrait.Scene, g.view)
		g.static = convert(g.static[:0], b.Meshes())
		if g.layer == nil || g.layer.Bounds().Dx() != g.w || g.layer.Bounds().Dy() != g.h {
			if g.layer != nil {
				g.layer.Deallocate()
			}
			g.layer = ebiten.NewImage(max(g.w, 1), max(g.h, 1))
		}
		g.layer.Fill(toRGBA(scene.Background))
		g.drawMeshes(g.layer, g.static, true)
		g.staticOK = true
	}
	screen.DrawImage(g.layer, nil)

	if g.particles != nil && g.params.Particles {
		g.dyn.Reset()
		for i, tr := range g.trails {
			c := scene.OutputColor(g.outs[i])
			for k := 1; k < trailLen; k++ {
				a := tr[(g.head+k)%trailLen]
				b := tr[(g.head+k+1)%trailLen]
				x0, y0 := g.view.Apply(a)
				x1, y1 := g.view.Apply(b)
				alpha := 0.6 * float32(k) / trailLen
				g.dyn.Segment(x0, y0, x1, y1, 1.5, c.WithAlpha(alpha*0.5), c.WithAlpha(alpha))
			}
			x, y := g.view.Apply(tr[g.head])
			g.dyn.Rect(x-2, y-2, x+2, y+2, c)
		}
		g.dynMesh = convert(g.dynMesh[:0], g.dyn.Meshes())
		g.drawMeshes(screen, g.dynMesh, false)
	}

	if g.snap.Truthy() {
		g.sendSnapshot(screen)
	}

	g.frames++
	g.draws++
	g.work += time.Since(t0)
	if d := time.Since(g.since); d >= time.Second {
		g.fps = float64(g.frames) / d.Seconds()
		g.sps = float64(g.steps) / d.Seconds()
		g.workMs = float64(g.work.Microseconds()) / 1000 / float64(g.frames)
		g.frames, g.steps, g.work = 0, 0, 0
		g.since = time.Now()
	}
}

// sendSnapshot encodes the screen as PNG and hands it to the waiting callback.
func (g *game) sendSnapshot(screen *ebiten.Image) {
	cb := g.snap
	g.snap = js.Undefined()
	b := screen.Bounds()
	img := image.NewRGBA(b)
	screen.ReadPixels(img.Pix)
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		js.Global().Get("console").Call("error", "app: snapshot: "+err.Error())
		return
	}
	u8 := js.Global().Get("Uint8Array").New(buf.Len())
	js.CopyBytesToJS(u8, buf.Bytes())
	cb.Invoke(u8)
}

func (g *game) drawMeshes(dst *ebiten.Image, ms []ebitenMesh, antiAlias bool) {
	op := &ebiten.DrawTrianglesOptions{AntiAlias: antiAlias}
	for _, m := range ms {
		if len(m.i) > 0 {
			dst.DrawTriangles(m.v, m.i, g.white, op)
		}
	}
}

// convert copies scene meshes into Ebiten vertices, reusing dst's memory.
func convert(dst []ebitenMesh, ms []scene.Mesh) []ebitenMesh {
	for k, m := range ms {
		if k >= len(dst) {
			if k < cap(dst) {
				dst = dst[:k+1]
			} else {
				dst = append(dst, ebitenMesh{})
			}
		}
		e := &dst[k]
		e.v = e.v[:0]
		for _, v := range m.Vertices {
			e.v = append(e.v, ebiten.Vertex{DstX: v.X, DstY: v.Y, SrcX: 1, SrcY: 1,
				ColorR: v.R, ColorG: v.G, ColorB: v.B, ColorA: v.A})
		}
		e.i = append(e.i[:0], m.Indices...)
	}
	return dst[:len(ms)]
}

func (g *game) Layout(ow, oh int) (int, int) {
	if ow != g.w || oh != g.h {
		g.w, g.h = ow, oh
		g.staticOK = false
	}
	return ow, oh
}

func toRGBA(c scene.Color) color.RGBA {
	return color.RGBA{uint8(c.R * 255), uint8(c.G * 255), uint8(c.B * 255), uint8(c.A * 255)}
}

// export installs window.hmmrnnApp, the page's handle on the app.
func (g *game) export() {
	api := js.Global().Get("Object").New()
	api.Set("setPortrait", js.FuncOf(func(_ js.Value, args []js.Value) any {
		if len(args) != 1 {
			return "setPortrait wants one Uint8Array"
		}
		// Copy into this window's Uint8Array: the page's array belongs to
		// another realm, which CopyBytesToGo does not recognise.
		src := js.Global().Get("Uint8Array").New(args[0])
		buf := make([]byte, src.Get("length").Int())
		js.CopyBytesToGo(buf, src)
		p, err := scene.Decode(buf)
		if err != nil {
			return err.Error()
		}
		g.mu.Lock()
		g.pending = p
		g.mu.Unlock()
		ebiten.ScheduleFrame()
		return nil
	}))
	api.Set("setParams", js.FuncOf(func(_ js.Value, args []js.Value) any {
		if len(args) != 1 || args[0].Type() != js.TypeObject {
			return "setParams wants one object"
		}
		o := args[0]
		g.mu.Lock()
		defer g.mu.Unlock()
		if v := o.Get("sigma"); v.Type() == js.TypeNumber {
			g.params.Sigma = max(v.Float(), 0)
		}
		if v := o.Get("gain"); v.Type() == js.TypeNumber {
			g.params.Gain = max(v.Float(), 0)
		}
		if v := o.Get("speed"); v.Type() == js.TypeNumber {
			g.params.Speed = min(max(v.Float(), 0), 8)
		}
		if v := o.Get("fps"); v.Type() == js.TypeNumber {
			g.params.FPS = min(max(v.Float(), minAnimFPS), maxAnimFPS)
		}
		if v := o.Get("silence"); v.Type() == js.TypeBoolean {
			g.params.Silence = v.Bool()
		}
		if v := o.Get("particles"); v.Type() == js.TypeBoolean {
			g.params.Particles = v.Bool()
		}
		g.dirty = true
		ebiten.ScheduleFrame()
		return nil
	}))
	api.Set("snapshot", js.FuncOf(func(_ js.Value, args []js.Value) any {
		if len(args) != 1 || args[0].Type() != js.TypeFunction {
			return "snapshot wants a callback"
		}
		g.snap = args[0]
		ebiten.ScheduleFrame()
		return nil
	}))
	api.Set("stats", js.FuncOf(func(js.Value, []js.Value) any {
		n := 0
		if g.particles != nil {
			n = g.particles.Len()
		}
		return map[string]any{"fps": g.fps, "stepsPerSecond": g.sps, "particles": n, "frameWorkMs": g.workMs, "draws": g.draws, "animating": g.params.Particles, "animFPS": g.params.FPS,
			"width": g.w, "height": g.h, "lines": len(g.portrait.Scene.Lines)}
	}))
	js.Global().Set("hmmrnnApp", api)
	if parent := js.Global().Get("parent"); parent.Truthy() {
		if f := parent.Get("hmmrnnAppReady"); f.Type() == js.TypeFunction {
			f.Invoke()
		}
	}
}

func main() {
	ebiten.SetRunnableOnUnfocused(true)
	// One Update per frame: when a frame is slow, Ebiten would otherwise run
	// several Updates (particle steps) to catch up, and fall further behind.
	ebiten.SetTPS(ebiten.SyncWithFPS)
	ebiten.SetScreenClearedEveryFrame(false)
	// Render only when scheduled (see animFPS). Deprecated in favour of
	// skipping draws, which still presents every frame while anything
	// moves; scheduling lets the animation run at half the display rate.
	ebiten.SetFPSMode(ebiten.FPSModeVsyncOffMinimum)
	g := newGame()
	g.export()
	go func() {
		for {
			g.mu.Lock()
			animate := g.params.Particles && g.particles != nil
			fps := g.params.FPS
			g.mu.Unlock()
			if animate {
				ebiten.ScheduleFrame()
			}
			time.Sleep(time.Duration(float64(time.Second) / fps))
		}
	}()
	if err := ebiten.RunGame(g); err != nil {
		js.Global().Get("console").Call("error", "app: "+err.Error())
	}
}
