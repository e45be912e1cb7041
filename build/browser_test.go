package build

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"hmmrnn/core/hmm"
)

// chromiumPath is Debian's Chromium, which CI installs (.ci/run).
const chromiumPath = "/usr/bin/chromium"

// browserFlags make headless Chromium render Ebiten's WebGL in software and
// keep it off the network (measured on these machines).
func browserFlags(userDir string) []chromedp.ExecAllocatorOption {
	return append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.Flag("headless", "new"),
		chromedp.Flag("use-angle", "swiftshader"),
		chromedp.Flag("enable-unsafe-swiftshader", true),
		chromedp.NoSandbox,
		chromedp.UserDataDir(userDir),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.WindowSize(1400, 1000),
	)
}

// env is the shared browser-test environment: the site built once into a
// temporary directory, served on loopback, and one Chromium.
type env struct {
	site    string
	url     string
	browser context.Context
}

var (
	envOnce  sync.Once
	theEnv   *env
	envErr   error
	envClose []func()
)

func TestMain(m *testing.M) {
	code := m.Run()
	for i := len(envClose) - 1; i >= 0; i-- {
		envClose[i]()
	}
	os.Exit(code)
}

// browserEnv returns the shared environment, skipping the test when
// Chromium is missing outside CI (in CI, CI=true, that is a failure).
func browserEnv(t testing.TB) *env {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("browser tests need %s in CI (apt-get install chromium): %v", chromiumPath, err)
		}
		t.Skipf("browser tests skipped: %s not found (apt-get install chromium)", chromiumPath)
	}
	if testing.Short() {
		t.Skip("browser tests skipped in -short mode")
	}
	envOnce.Do(func() { theEnv, envErr = newEnv(t) })
	if envErr != nil {
		t.Fatal(envErr)
	}
	return theEnv
}

// The site, built once per test binary into a temporary directory.
var (
	siteOnce sync.Once
	siteDir  string
	siteRes  *Result
	siteErr  error
	tmpDir   string
)

func builtSite(t testing.TB) (string, *Result) {
	t.Helper()
	siteOnce.Do(func() {
		if tmpDir, siteErr = os.MkdirTemp("", "hmmrnn-buildtest-"); siteErr != nil {
			return
		}
		envClose = append(envClose, func() { os.RemoveAll(tmpDir) })
		siteDir = filepath.Join(tmpDir, "site")
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		if siteRes, siteErr = Site(ctx, Options{Root: "..", Out: siteDir}); siteErr != nil {
			return
		}
		siteErr = addTestGallery(siteDir)
	})
	if siteErr != nil {
		t.Fatal(siteErr)
	}
	return siteDir, siteRes
}

func newEnv(t testing.TB) (*env, error) {
	site, _ := builtSite(t)
	tmp := tmpDir
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: Handler(site)}
	go srv.Serve(ln)
	envClose = append(envClose, func() { srv.Close() })

	actx, acancel := chromedp.NewExecAllocator(context.Background(), browserFlags(filepath.Join(tmp, "chrome"))...)
	bctx, bcancel := chromedp.NewContext(actx)
	envClose = append(envClose, acancel, bcancel)
	// Start the browser now, with a context that lives as long as the tests.
	if err := chromedp.Do(bctx); err != nil {
		return nil, fmt.Errorf("starting %s: %w", chromiumPath, err)
	}
	return &env{site: site, url: "http://" + ln.Addr().String() + "/", browser: bctx}, nil
}

// page is one tab with its console log.
type page struct {
	t     testing.TB
	ctx   context.Context
	close context.CancelFunc // closes the tab
	mu    sync.Mutex
	logs  []chromedp.ConsoleMessage
}

// open loads index.html+query in a new tab and waits for window.hmmrnn.ready.
func (e *env) open(t testing.TB, query string) *page {
	t.Helper()
	return e.openURL(t, e.url+query)
}

// openURL loads url in a new tab and waits for window.hmmrnn.ready.
func (e *env) openURL(t testing.TB, url string) *page {
	t.Helper()
	ctx, cancel := chromedp.NewContext(e.browser)
	t.Cleanup(cancel)
	p := &page{t: t, ctx: ctx, close: cancel}
	msgs := chromedp.Console(ctx)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			p.mu.Lock()
			p.logs = append(p.logs, m)
			p.mu.Unlock()
		}
	}()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatalf("navigate: %v", err)
	}
	// The single-file page starts its modules after the load event.
	p.await(`new Promise((r) => { const f = () => (window.hmmrnn ? r(window.hmmrnn.ready) : setTimeout(f, 50)); f(); })`, 90*time.Second)
	return p
}

// quickCall bounds a call of the page that returns at once (state(),
// play(), pause(), reading the DOM). It is generous because on a loaded
// 2-core machine (CI runs the test packages side by side) the page's main
// thread, busy with the WebAssembly app's frames, has been seen to answer
// such a call only after more than 5 s.
const quickCall = 30 * time.Second

// eval evaluates a JavaScript expression (awaiting promises) into T.
func eval[T any](p *page, expr string, timeout time.Duration) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, timeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		p.t.Fatalf("evaluating %s: %v\nconsole:\n%s", expr, err, p.console())
	}
	return v
}

func (p *page) await(expr string, timeout time.Duration) {
	p.t.Helper()
	eval[chromedp.Void](p, `(async () => { await (`+expr+`); })()`, timeout)
}

// console returns the console log so far, one message a line.
func (p *page) console() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var b strings.Builder
	for _, m := range p.logs {
		fmt.Fprintf(&b, "%s\n", m)
	}
	return b.String()
}

// noErrors fails the test when the console shows an error or exception.
// noErrors fails the test for every console error or exception (the page
// also logs the error messages it shows) whose text contains none of the
// expected substrings.
func (p *page) noErrors(expected ...string) {
	p.t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
next:
	for _, m := range p.logs {
		if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException {
			for _, e := range expected {
				if strings.Contains(m.Text, e) {
					continue next
				}
			}
			p.t.Errorf("console %s: %s (%s:%d)", m.Type, m.Text, m.URL, m.Line)
		}
	}
}

// portraitImage screenshots the iframe that shows the phase portrait.
func (p *page) portraitImage() image.Image { return p.elementImage("app") }

// elementImage is the part of a screenshot inside the element with this id.
func (p *page) elementImage(id string) image.Image {
	p.t.Helper()
	r := eval[[]float64](p, `(() => { const r = document.getElementById('`+id+`').getBoundingClientRect(); return [r.x, r.y, r.width, r.height]; })()`, 10*time.Second)
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	data, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		p.t.Fatalf("screenshot: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		p.t.Fatalf("screenshot: %v", err)
	}
	rect := image.Rect(int(r[0])+2, int(r[1])+2, int(r[0]+r[2])-2, int(r[1]+r[3])-2)
	return img.(interface {
		SubImage(image.Rectangle) image.Image
	}).SubImage(rect)
}

// saveScreenshot writes the whole page to $HMMRNN_SCREENSHOTS/NAME.png when
// that variable is set (for looking at the page by eye).
func (p *page) saveScreenshot(name string) {
	dir := os.Getenv("HMMRNN_SCREENSHOTS")
	if dir == "" {
		return
	}
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	data, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, name+".png"), data, 0o644)
	}
	if err != nil {
		p.t.Logf("screenshot %s: %v", name, err)
	}
}

// colourCounts counts pixels near each of the given RGB colours (within
// tol per channel) and pixels that differ from bg by more than tol.
func colourCounts(img image.Image, bg [3]int, cols [][3]int, tol int) (near []int, nonBG int) {
	near = make([]int, len(cols))
	b := img.Bounds()
	close := func(r, g, bl int, c [3]int) bool {
		return abs(r-c[0]) <= tol && abs(g-c[1]) <= tol && abs(bl-c[2]) <= tol
	}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			ri, gi, bi := int(r>>8), int(g>>8), int(bl>>8)
			if !close(ri, gi, bi, bg) {
				nonBG++
			}
			for k, c := range cols {
				if close(ri, gi, bi, c) {
					near[k]++
				}
			}
		}
	}
	return near, nonBG
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// The colours of core/scene: background and the first three outputs.
var (
	bgRGB      = [3]int{0xfb, 0xfb, 0xf8}
	outputsRGB = [][3]int{{0x00, 0x72, 0xb2}, {0x00, 0x9e, 0x73}, {0xd5, 0x5e, 0x00}}
)

func TestPageDrawsWithoutErrors(t *testing.T) {
	e := browserEnv(t)
	p := e.open(t, "")
	// Let the app draw a few frames of the first portrait.
	p.await(`new Promise((r) => setTimeout(r, 1500))`, 10*time.Second)
	img := p.portraitImage()
	near, nonBG := colourCounts(img, bgRGB, outputsRGB, 40)
	total := img.Bounds().Dx() * img.Bounds().Dy()
	t.Logf("portrait %v: %d of %d pixels drawn; near outputs 0, 1, 2: %v", img.Bounds().Size(), nonBG, total, near)
	if nonBG < total/100 {
		t.Errorf("the canvas is nearly empty: %d of %d pixels differ from the background", nonBG, total)
	}
	if near[0] < 50 && near[2] < 50 {
		t.Errorf("no trajectory drawn in the output colours: %v", near)
	}
	st := eval[map[string]any](p, `window.hmmrnn.state()`, quickCall)
	if st["arch"] != "linear2" || st["running"] != false {
		t.Errorf("initial state = %v, want arch linear2, not running", st)
	}
	p.saveScreenshot("initial")
	p.noErrors()
}

// addTestGallery trains a small model natively and puts it in the site's
// gallery, so the gallery test does not depend on the shipped files.
func addTestGallery(site string) error {
	data, err := smallModel()
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(site, "gallery", "test-linear2.json"), data, 0o644); err != nil {
		return err
	}
	return writeGalleryIndex(filepath.Join(site, "gallery"), nil)
}

func TestTrainingMakesLossFall(t *testing.T) {
	e := browserEnv(t)
	// A smaller batch than the demo's keeps the test short; the loss
	// falls just the same.
	p := e.open(t, "?seed=3&batch=64")
	const steps = 120
	t0 := time.Now()
	st := eval[map[string]any](p, fmt.Sprintf(`window.hmmrnn.step(%d)`, steps), 3*time.Minute)
	d := time.Since(t0)
	if got := int(st["step"].(float64)); got != steps {
		t.Fatalf("after step(%d): step = %d", steps, got)
	}
	losses := eval[[]float64](p, `window.hmmrnn.losses()`, quickCall)
	if len(losses) != steps {
		t.Fatalf("%d losses recorded, want %d", len(losses), steps)
	}
	first, last := mean(losses[:20]), mean(losses[steps-20:])
	t.Logf("B=64: %d steps in %.1fs (%.0f ms/step reported by the worker); mean loss of the first 20 steps %.3f, of the last 20 %.3f",
		steps, d.Seconds(), st["step_ms"].(float64), first, last)
	if !(last < 0.8*first) {
		t.Errorf("loss did not fall: first 20 steps %.4f, last 20 %.4f", first, last)
	}
	p.saveScreenshot("trained")
	p.noErrors()
}

func mean(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// TestResponsiveWhileTraining measures the page's frame rate with the
// Performance API, idle and while the worker trains the default demo, and
// watches for long main-thread tasks (training must keep at least
// 80% of the idle frame rate, with no task over 100 ms).
func TestResponsiveWhileTraining(t *testing.T) {
	e := browserEnv(t)
	p := e.open(t, "")
	type result struct {
		Idle, Busy float64
		Longest    float64
		LongTasks  int
		Steps      int
		StepMs     float64
		AppFPSIdle float64
		AppFPSBusy float64
		Particles  int
		WorkIdle   float64
		WorkBusy   float64
		AnimIdle   float64
		AnimBusy   float64
	}
	// Idle and training alternate twice, so a change of the machine's other
	// load affects both alike.
	r := eval[result](p, `(async () => {
		const measure = (ms) => new Promise((res) => {
			let frames = 0; const t0 = performance.now();
			const f = (t) => { frames++; if (t - t0 < ms) requestAnimationFrame(f); else res([frames, t - t0]); };
			requestAnimationFrame(f);
		});
		const sleep = (ms) => new Promise((res) => setTimeout(res, ms));
		const longs = [];
		const obs = new PerformanceObserver((l) => { for (const e of l.getEntries()) longs.push(e.duration); });
		obs.observe({ type: 'longtask' });
		await sleep(500);
		let idle = [0, 0], busy = [0, 0], appIdle = 0, appBusy = 0, workIdle = 0, workBusy = 0, animIdle = 0, animBusy = 0;
		const busyLongs = [];
		for (let round = 0; round < 2; round++) {
			const a = await measure(2500);
			idle = [idle[0] + a[0], idle[1] + a[1]];
			appIdle += window.hmmrnn.app().fps / 2; workIdle += window.hmmrnn.app().frameWorkMs / 2; animIdle += window.hmmrnn.app().animFPS / 2;
			longs.length = 0;
			window.hmmrnn.play();
			await sleep(300);
			const b = await measure(2500);
			busy = [busy[0] + b[0], busy[1] + b[1]];
			appBusy += window.hmmrnn.app().fps / 2; workBusy += window.hmmrnn.app().frameWorkMs / 2; animBusy += window.hmmrnn.app().animFPS / 2;
			window.hmmrnn.pause();
			busyLongs.push(...longs);
			await sleep(500);
		}
		obs.disconnect();
		const s = window.hmmrnn.state();
		return { Idle: 1000 * idle[0] / idle[1], Busy: 1000 * busy[0] / busy[1], Longest: Math.max(0, ...busyLongs),
			LongTasks: busyLongs.length, Steps: s.step, StepMs: s.step_ms, AppFPSIdle: appIdle, AppFPSBusy: appBusy,
			Particles: window.hmmrnn.app().particles, WorkIdle: workIdle, WorkBusy: workBusy, AnimIdle: animIdle, AnimBusy: animBusy };
	})()`, 2*time.Minute)
	t.Logf("page frame rate idle %.1f fps, training %.1f fps (%.0f%%); Ebiten %.1f / %.1f fps (animation rate set to %.0f / %.0f) with %d particles, Go work per frame %.1f / %.1f ms; longest main-thread task while training %.0f ms (%d over 50 ms); %d steps at %.0f ms/step",
		r.Idle, r.Busy, 100*r.Busy/r.Idle, r.AppFPSIdle, r.AppFPSBusy, r.AnimIdle, r.AnimBusy, r.Particles, r.WorkIdle, r.WorkBusy, r.Longest, r.LongTasks, r.Steps, r.StepMs)
	if r.Steps == 0 {
		t.Errorf("no training steps were taken")
	}
	// The targets (>= 80% of the idle frame rate, no task over
	// 100 ms) are timing figures that a loaded machine breaks, so they are
	// asserted only in measurement runs (HMMRNN_PERF=1, on a quiet machine);
	// every run logs the numbers above.
	if os.Getenv("HMMRNN_PERF") == "1" {
		if r.Busy < 0.8*r.Idle {
			t.Errorf("frame rate while training %.1f fps < 80%% of idle %.1f fps", r.Busy, r.Idle)
		}
		if r.Longest > 100 {
			t.Errorf("a main-thread task took %.0f ms while training (limit 100 ms)", r.Longest)
		}
	}
	p.noErrors()
}

// TestSwitchingArchitectureChangesPicture: choosing another HMM redraws its
// state graph and gives a new network (with its own portrait). The fresh
// networks of linear2 and cyclic4 are the same weights (same seed and
// sizes, three outputs each), so their portraits are alike by design: the
// picture compared is the HMM's graph.
func TestSwitchingArchitectureChangesPicture(t *testing.T) {
	e := browserEnv(t)
	p := e.open(t, "")
	waitPortrait := `new Promise((r) => { const f = () => (window.hmmrnn.portrait() ? setTimeout(r, 500) : setTimeout(f, 50)); f(); })`
	p.await(waitPortrait, time.Minute)
	before := p.elementImage("graph")
	eval[bool](p, `(window.__prev = window.hmmrnn.portrait(), true)`, quickCall)
	st := eval[map[string]any](p, `window.hmmrnn.setArchitecture('cyclic4')`, time.Minute)
	if st["arch"] != "cyclic4" {
		t.Fatalf("after setArchitecture('cyclic4'): arch = %v", st["arch"])
	}
	// The new network's portrait arrives (a replaced network's is dropped).
	p.await(`new Promise((r) => { const f = () => { const q = window.hmmrnn.portrait(); q && q !== window.__prev ? setTimeout(r, 500) : setTimeout(f, 50); }; f(); })`, time.Minute)
	after := p.elementImage("graph")
	diff := 0
	b := before.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r0, g0, b0, _ := before.At(x, y).RGBA()
			r1, g1, b1, _ := after.At(x, y).RGBA()
			if abs(int(r0>>8)-int(r1>>8))+abs(int(g0>>8)-int(g1>>8))+abs(int(b0>>8)-int(b1>>8)) > 60 {
				diff++
			}
		}
	}
	total := b.Dx() * b.Dy()
	t.Logf("%d of %d pixels of the state graph changed", diff, total)
	if diff < total/50 {
		t.Errorf("the picture hardly changed: %d of %d pixels", diff, total)
	}
	states := eval[int](p, `document.querySelectorAll('#graph circle').length`, quickCall)
	if states != 4 {
		t.Errorf("state graph shows %d states, want 4", states)
	}
	if u := eval[string](p, `location.search`, quickCall); u != "?arch=cyclic4" {
		t.Errorf("URL query = %q, want ?arch=cyclic4", u)
	}
	p.noErrors()
}

func TestURLStateRoundTrips(t *testing.T) {
	e := browserEnv(t)
	const q = "?arch=linear3&hidden=40&input=8&seed=7&sigma=1.5&kick=1&hide=export&T=40"
	p := e.open(t, q)
	st := eval[map[string]any](p, `window.hmmrnn.state()`, quickCall)
	for k, want := range map[string]any{"arch": "linear3", "hidden": 40.0, "input": 8.0, "seed": 7.0, "sigma": 1.5} {
		if st[k] != want {
			t.Errorf("state %s = %v, want %v", k, st[k], want)
		}
	}
	if got := eval[string](p, `location.search`, quickCall); got != q {
		t.Errorf("URL after load = %q, want %q", got, q)
	}
	if n := eval[int](p, `window.hmmrnn.parseParams(location.search).errors.length`, quickCall); n != 0 {
		t.Errorf("the page's own URL has %d errors", n)
	}
	if got := eval[string](p, `document.getElementById('T').value`, quickCall); got != "40" {
		t.Errorf("T input = %q, want 40", got)
	}
	if vis := eval[bool](p, `getComputedStyle(document.querySelector('footer')).display !== 'none'`, quickCall); vis {
		t.Errorf("hide=export left the export controls visible")
	}
	if msgs := eval[int](p, `document.querySelectorAll('#messages .msg').length`, quickCall); msgs != 0 {
		t.Errorf("a valid URL produced %d messages", msgs)
	}
	// Changing a control updates the URL.
	p.await(`(document.getElementById('sigma').value = '2', document.getElementById('sigma').oninput(), 0)`, quickCall)
	if got := eval[string](p, `location.search`, quickCall); !strings.Contains(got, "sigma=2") {
		t.Errorf("URL after moving the noise slider = %q, want sigma=2", got)
	}
	p.noErrors()
}

func TestBadURLValuesShowMessages(t *testing.T) {
	e := browserEnv(t)
	p := e.open(t, "?hidden=abc&arch=nope&lr=5&foo=1&A=1,x")
	msgs := eval[[]string](p, `[...document.querySelectorAll('#messages .msg span')].map((e) => e.textContent)`, quickCall)
	all := strings.Join(msgs, "\n")
	for _, want := range []string{"hidden=abc", "arch=nope", "lr=5", "unknown parameter foo", "A: row 0"} {
		if !strings.Contains(all, want) {
			t.Errorf("no message mentions %q; messages:\n%s", want, all)
		}
	}
	st := eval[map[string]any](p, `window.hmmrnn.state()`, quickCall)
	if st["arch"] != "linear2" || st["hidden"] != 50.0 {
		t.Errorf("state after bad URL = %v, want the defaults (linear2, hidden 50)", st)
	}
	if lr := eval[string](p, `document.getElementById('lr').value`, quickCall); lr != "0.1" {
		t.Errorf("lr=5 was not clamped to 0.1: %q", lr)
	}
	p.noErrors()
}

func TestGalleryLoads(t *testing.T) {
	e := browserEnv(t)
	p := e.open(t, "")
	names := eval[[]map[string]any](p, `window.hmmrnn.gallery()`, quickCall)
	found := false
	for _, g := range names {
		found = found || g["name"] == "test-linear2"
	}
	if !found {
		t.Fatalf("gallery index %v lacks test-linear2", names)
	}
	st := eval[map[string]any](p, `window.hmmrnn.loadGallery('test-linear2')`, time.Minute)
	if st["source"] != "gallery: test-linear2" || st["step"] != 100.0 || st["hidden"] != 16.0 {
		t.Errorf("after loading the gallery model: %v", st)
	}
	if got := eval[string](p, `location.search`, quickCall); got != "?gallery=test-linear2" {
		t.Errorf("URL = %q, want ?gallery=test-linear2", got)
	}
	if n := len(eval[[]float64](p, `window.hmmrnn.losses()`, quickCall)); n != 100 {
		t.Errorf("loss history of the gallery model has %d points, want 100", n)
	}
	// Opening the URL directly loads the same model.
	q := e.open(t, "?gallery=test-linear2")
	q.await(`new Promise((r) => { const f = () => window.hmmrnn.state().source.startsWith('gallery') ? r() : setTimeout(f, 100); f(); })`, time.Minute)
	p.noErrors()
	q.noErrors()
}

// TestShippedGalleryLoads opens the paper-scale linear2 network shipped in
// web/gallery (H 150, D 100) and waits for its portrait.
func TestShippedGalleryLoads(t *testing.T) {
	if _, err := os.Stat(filepath.Join("..", "web", "gallery", "linear2.json")); err != nil {
		t.Skip("web/gallery/linear2.json is not shipped")
	}
	e := browserEnv(t)
	p := e.open(t, "?gallery=linear2")
	p.await(`new Promise((r) => { const f = () => window.hmmrnn.state().source === 'gallery: linear2' ? r() : setTimeout(f, 100); f(); })`, 2*time.Minute)
	st := eval[map[string]any](p, `window.hmmrnn.state()`, quickCall)
	if st["hidden"] != 150.0 || st["input"] != 100.0 {
		t.Errorf("shipped linear2: hidden %v input %v, want 150, 100", st["hidden"], st["input"])
	}
	if f := eval[[]string](p, `[document.getElementById('hidden').value, document.getElementById('input').value]`, quickCall); f[0] != "150" || f[1] != "100" {
		t.Errorf("the form shows H %s, D %s for the loaded H 150, D 100 network", f[0], f[1])
	}
	p.saveScreenshot("gallery-linear2")
	// Each shipped network, opened from the gallery, is shown meeting the
	// fit criterion: the page's own check (2,000 sequences at the file's
	// trained T) passes every figure, as web.TestGalleryMeetsTheCriterion
	// finds natively on 5,000.
	for _, name := range hmm.PresetNames() {
		if name != "linear2" { // shown already
			eval[map[string]any](p, `window.hmmrnn.loadGallery('`+name+`')`, 2*time.Minute)
		}
		figs := eval[[]map[string]any](p, `new Promise((r) => { const f = () => { const s = window.hmmrnn.stats();
			s && s.figures && s.figures.length && s.model && s.model.name === '`+name+`' && window.hmmrnn.state().source === 'gallery: `+name+`' ? r(s.figures) : setTimeout(f, 100); }; f(); })`, 2*time.Minute)
		var line []string
		for _, f := range figs {
			v, _ := f["value"].(float64)
			lim, _ := f["limit"].(float64)
			line = append(line, fmt.Sprintf("%v %.4f (limit %.3f)", f["name"], v, lim))
			if !(v <= lim) {
				t.Errorf("gallery %s: the page shows %v %.4f over its limit %.3f", name, f["name"], v, lim)
			}
		}
		t.Logf("gallery %s in the page: %s", name, strings.Join(line, "; "))
	}
	p.noErrors()
}

func TestJavaScriptAPI(t *testing.T) {
	e := browserEnv(t)
	p := e.open(t, "?batch=32&hidden=20")
	st := eval[map[string]any](p, `window.hmmrnn.setArchitecture('fully3')`, time.Minute)
	if st["arch"] != "fully3" || st["step"] != 0.0 {
		t.Fatalf("setArchitecture: %v", st)
	}
	w0 := eval[string](p, `window.hmmrnn.exportModel().then((t) => JSON.stringify(JSON.parse(t).rnn.w_hh))`, time.Minute)
	st = eval[map[string]any](p, `window.hmmrnn.step(3)`, time.Minute)
	if st["step"] != 3.0 || st["running"] != false {
		t.Fatalf("step(3): %v", st)
	}
	w3 := eval[string](p, `window.hmmrnn.exportModel().then((t) => JSON.stringify(JSON.parse(t).rnn.w_hh))`, time.Minute)
	if w3 == w0 {
		t.Errorf("weights did not change over 3 steps")
	}
	st = eval[map[string]any](p, `window.hmmrnn.reset()`, time.Minute)
	if st["step"] != 0.0 {
		t.Errorf("after reset: step %v", st["step"])
	}
	wr := eval[string](p, `window.hmmrnn.exportModel().then((t) => JSON.stringify(JSON.parse(t).rnn.w_hh))`, time.Minute)
	if wr != w0 {
		t.Errorf("reset did not return to the initial weights of the seed")
	}
	eval[bool](p, `(window.hmmrnn.play(), true)`, quickCall)
	p.await(`new Promise((r) => { const f = () => window.hmmrnn.state().step > 0 ? r() : setTimeout(f, 50); f(); })`, time.Minute)
	if !eval[bool](p, `window.hmmrnn.state().running`, quickCall) {
		t.Errorf("play() did not start training")
	}
	// The header names the recipe the run trains with: fully3 trains with
	// the default recipe itself (Recipe.For changes only the chains').
	speed := eval[string](p, `new Promise((r) => { const f = () => { const s = document.getElementById('steptime').textContent; s ? r(s) : setTimeout(f, 50); }; f(); })`, time.Minute)
	if !strings.Contains(speed, "ms/step at B 32, lr 0.001, recipe default") {
		t.Errorf("header while training fully3: %q, want its speed, batch, rate and recipe default", speed)
	}
	eval[bool](p, `(window.hmmrnn.pause(), true)`, quickCall)
	p.await(`new Promise((r) => setTimeout(r, 300))`, quickCall)
	s1 := eval[map[string]any](p, `window.hmmrnn.state()`, quickCall)
	p.await(`new Promise((r) => setTimeout(r, 700))`, quickCall)
	s2 := eval[map[string]any](p, `window.hmmrnn.state()`, quickCall)
	if s1["running"] != false || s1["step"] != s2["step"] {
		t.Errorf("pause() did not stop training: %v then %v", s1, s2)
	}
	// The picture as PNG, and an earlier snapshot of training.
	sig := eval[[]int](p, `window.hmmrnn.png().then((u8) => [u8.length, u8[1], u8[2], u8[3]])`, time.Minute)
	if sig[0] < 1000 || sig[1] != 'P' || sig[2] != 'N' || sig[3] != 'G' {
		t.Errorf("png() gave %v, want a PNG file", sig)
	}
	snap := eval[map[string]any](p, `window.hmmrnn.showSnapshot(0)`, time.Minute)
	if snap["snapshot"] != 0.0 || snap["step"] != 0.0 {
		t.Errorf("snapshot 0 shows step %v (index %v), want the initial network", snap["step"], snap["snapshot"])
	}
	eval[map[string]any](p, `window.hmmrnn.showSnapshot(-1)`, time.Minute)
	// Export, load back, and reject a broken file with a message.
	st = eval[map[string]any](p, `window.hmmrnn.exportModel().then((t) => window.hmmrnn.loadModel(t))`, time.Minute)
	if st["source"] != "api" || st["step"] != s2["step"] {
		t.Errorf("loading the exported model: %v (exported at step %v)", st, s2["step"])
	}
	msg := eval[string](p, `window.hmmrnn.loadModel('{"format": "hmmrnn-model"').then(() => 'accepted', (e) => e.message)`, time.Minute)
	if msg == "accepted" || msg == "" {
		t.Errorf("a broken model file was accepted")
	}
	p.noErrors("not valid JSON") // the broken file's message, and only it
}

func TestNoiseAndSilenceControls(t *testing.T) {
	e := browserEnv(t)
	p := e.open(t, "?gallery=test-linear2")
	p.await(`new Promise((r) => { const f = () => window.hmmrnn.state().source.startsWith('gallery') && window.hmmrnn.portrait() ? r() : setTimeout(f, 100); f(); })`, time.Minute)
	info := eval[map[string]any](p, `(window.hmmrnn.setNoise(2), new Promise((r) => { const f = () => window.hmmrnn.portrait().sigma === 2 ? r(window.hmmrnn.portrait()) : setTimeout(f, 100); f(); }))`, time.Minute)
	if info["sigma"] != 2.0 {
		t.Errorf("portrait after setNoise(2): %v", info)
	}
	info = eval[map[string]any](p, `window.hmmrnn.silence(true)`, 2*time.Minute)
	kick, ok := info["kick"].(map[string]any)
	if !ok {
		t.Fatalf("silencing did not run the kick-neuron search: %v", info)
	}
	t.Logf("kick search on the test model: neurons %v, cut %v", kick["neurons"], kick["cut"])
	p.saveScreenshot("silenced")
	p.noErrors()
}
