package build

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"hmmrnn/core/hmm"
	"hmmrnn/core/train"
)

// browserBench is the worker's reply to window.hmmrnn.bench(n).
type browserBench struct {
	Arch       string  `json:"arch"`
	Hidden     int     `json:"hidden"`
	Input      int     `json:"input"`
	Batch      int     `json:"batch"`
	SeqLen     int     `json:"seq_len"`
	Steps      int     `json:"steps"`
	StepMs     float64 `json:"step_ms"`
	RNNMs      float64 `json:"rnn_ms"`
	SinkhornMs float64 `json:"sinkhorn_ms"`
	Kernels    string  `json:"kernels"`
	Helper     bool    `json:"helper"`
}

// TestBrowserTrainsWithSIMDKernels checks that the page's worker runs the
// WebAssembly SIMD kernels in Chromium (the site ships them and worker.js
// attaches them) and that its bench command times the demo configuration.
// It asserts no speed: that is BenchmarkBrowserDemoStep's job.
func TestBrowserTrainsWithSIMDKernels(t *testing.T) {
	e := browserEnv(t)
	p := e.open(t, "")
	if k := eval[string](p, `window.hmmrnn.state().kernels`, 5*time.Second); k != "wasm-simd128" {
		t.Errorf("the worker trains with %q kernels, want wasm-simd128", k)
	}
	r := eval[browserBench](p, `window.hmmrnn.bench(3)`, 2*time.Minute)
	t.Logf("in-browser bench: %+v", r)
	if r.Arch != "linear2" || r.Hidden != 50 || r.Input != 10 || r.Batch != 256 || r.SeqLen != 30 {
		t.Errorf("bench ran %s H=%d D=%d B=%d T=%d, want the demo linear2 H=50 D=10 B=256 T=30", r.Arch, r.Hidden, r.Input, r.Batch, r.SeqLen)
	}
	if r.Steps != 3 || r.Kernels != "wasm-simd128" {
		t.Errorf("bench: %d steps on %q kernels, want 3 on wasm-simd128", r.Steps, r.Kernels)
	}
	if !(r.StepMs > 0) || !(r.RNNMs > 0) || !(r.SinkhornMs > 0) || r.RNNMs+r.SinkhornMs > 1.05*r.StepMs+0.5 {
		t.Errorf("bench times inconsistent: step %.2f ms, RNN %.2f + Sinkhorn %.2f", r.StepMs, r.RNNMs, r.SinkhornMs)
	}
	if st := eval[map[string]any](p, `window.hmmrnn.state()`, 5*time.Second); st["step"].(float64) != 0 {
		t.Errorf("bench changed the session: step %v, want 0", st["step"])
	}
	p.noErrors()
}

// TestHelperWorkerSameLosses trains the same seed with and without the
// helper worker and requires the same losses, bit for bit (the helper only
// moves half of each step's chunks, and two of the five divergences of the
// default demo's energy distance, to a second worker; the reported loss is
// made of two of those divergences).
func TestHelperWorkerSameLosses(t *testing.T) {
	e := browserEnv(t)
	p := e.open(t, "?seed=5")
	if n := eval[int](p, `navigator.hardwareConcurrency`, 5*time.Second); n < 2 {
		t.Skipf("the worker starts no helper with %d core(s)", n)
	}
	const steps = 6
	var losses [2][]float64
	for i, on := range []bool{false, true} {
		st := eval[map[string]any](p, fmt.Sprintf(`window.hmmrnn.useHelper(%v)`, on), time.Minute)
		if st["helper"] != on {
			t.Fatalf("useHelper(%v): state says helper %v", on, st["helper"])
		}
		eval[map[string]any](p, `window.hmmrnn.reset()`, time.Minute)
		st = eval[map[string]any](p, fmt.Sprintf(`window.hmmrnn.step(%d)`, steps), 2*time.Minute)
		if st["helper"] != on {
			t.Fatalf("after training with useHelper(%v): state says helper %v (it failed?)", on, st["helper"])
		}
		losses[i] = eval[[]float64](p, `window.hmmrnn.losses()`, 5*time.Second)
	}
	if len(losses[0]) != steps || !slices.Equal(losses[0], losses[1]) {
		t.Errorf("losses without the helper %v, with it %v", losses[0], losses[1])
	}
	p.noErrors()
	// linear3 trains with the soft-sample term (recipe hybrid), which
	// needs every chunk in one worker: the header must not claim two.
	q := e.open(t, "?arch=linear3&seed=5")
	eval[map[string]any](q, `window.hmmrnn.useHelper(true)`, time.Minute)
	if st := eval[map[string]any](q, `window.hmmrnn.step(2)`, 2*time.Minute); st["helper"] != false {
		t.Errorf("linear3 (soft-sample term): state says helper %v", st["helper"])
	}
	q.noErrors()
}

// BenchmarkBrowserDemoStep measures the demo's training step (linear2,
// H 50, D 10, T 30, B 256) natively and in the page's Web Worker in headless
// Chromium, in the same run, each as the median of the same benchSteps
// steps of the same seed after the worker's 60 warm-up steps (train.Bench
// on both sides), and reports both and their ratio
// (target: browser <= 4x native). Each iteration opens the page,
// measures in it, closes it, then measures natively (with no page drawing
// on the other core); the figures are the medians over iterations:
//
//	go test ./build -run XXX -bench BrowserDemoStep -benchtime 5x
func BenchmarkBrowserDemoStep(b *testing.B) {
	const (
		benchSteps   = 50
		nativeWarmup = 60 // the worker's benchWarmup: the same steps are timed on both sides
	)
	e := browserEnv(b)
	m, err := hmm.Preset("linear2")
	if err != nil {
		b.Fatal(err)
	}
	cfg := train.DefaultConfig(m)
	cfg.Hidden, cfg.Input, cfg.SeqLen, cfg.Batch, cfg.ValEvery = 50, 10, 30, 256, 0
	var native, browser, ratio []float64
	// One unmeasured round first: the first page of the browser compiles
	// worker.wasm without V8's code cache.
	first := e.open(b, "")
	eval[browserBench](first, `window.hmmrnn.bench(5)`, 5*time.Minute)
	first.close()
	for b.Loop() {
		p := e.open(b, "")
		// Let the page finish its first portrait and drawing, which would
		// otherwise compete with the first measured steps.
		time.Sleep(2 * time.Second)
		br := eval[browserBench](p, fmt.Sprintf(`window.hmmrnn.bench(%d)`, benchSteps), 5*time.Minute)
		p.close()
		time.Sleep(time.Second) // the tab's teardown
		if br.Kernels != "wasm-simd128" {
			b.Errorf("browser kernels %q, want wasm-simd128", br.Kernels)
		}
		if !br.Helper {
			b.Logf("the browser measured without the helper worker")
		}
		r, err := train.Bench(context.Background(), cfg, nativeWarmup, benchSteps, nil)
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("browser (2 workers): step %.2f ms (RNN %.2f, Sinkhorn %.2f); native: step %.2f ms (RNN %.2f, Sinkhorn %.2f, %s)",
			br.StepMs, br.RNNMs, br.SinkhornMs, ms(r.Step), ms(r.RNN), ms(r.Sinkhorn), r.Kernels)
		n := ms(r.Step)
		native, browser, ratio = append(native, n), append(browser, br.StepMs), append(ratio, br.StepMs/n)
	}
	b.ReportMetric(medianOf(native), "native-ms/step")
	b.ReportMetric(medianOf(browser), "browser-ms/step")
	b.ReportMetric(medianOf(ratio), "browser/native")
	b.ReportMetric(0, "ns/op") // one iteration is two whole benches; the metrics above are the result
}

func ms(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e6 }

// medianOf returns the median of v (NaN if empty).
func medianOf(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// BenchmarkTimeToCriterion trains the default demo (2-state chain, H 50,
// D 10, B 256, T 30; $HMMRNN_CRITERION_QUERY adds URL parameters, e.g.
// arch=linear3&recipe=hybrid) in the page until the fit criterion
// holds, once per seed of $HMMRNN_CRITERION_SEEDS (default 1,2,3), and
// reports the median time from Play to the criterion (what a visitor
// waits: training slices, live analyses, portraits) and step count, and
// the fraction of seeds that got there within the page's target for the
// architecture (criterionTarget). A seed that does not
// meet the criterion within criterionLimit fails the benchmark: that is a
// training failure, not a speed figure. It takes minutes:
//
//	go test ./build -run XXX -bench TimeToCriterion -benchtime 1x
func BenchmarkTimeToCriterion(b *testing.B) {
	const criterionLimit = 5 * time.Minute // the longest target: a seed this slow is stuck
	seeds := strings.Split(cmp.Or(os.Getenv("HMMRNN_CRITERION_SEEDS"), "1,2,3"), ",")
	query := os.Getenv("HMMRNN_CRITERION_QUERY")
	q, err := url.ParseQuery(query)
	if err != nil {
		b.Fatalf("HMMRNN_CRITERION_QUERY %q: %v", query, err)
	}
	arch := cmp.Or(q.Get("arch"), "linear2")
	target := criterionTarget(arch)
	targetSeconds := target.Seconds()
	if query != "" {
		query = "&" + query
	}
	e := browserEnv(b)
	var secs, steps []float64
	under, tried := 0, 0
	for b.Loop() {
		for _, seed := range seeds {
			tried++
			p := e.open(b, "?seed="+strings.TrimSpace(seed)+query)
			eval[bool](p, `(window.hmmrnn.play(), true)`, 5*time.Second)
			st := eval[map[string]any](p, fmt.Sprintf(`new Promise((r) => { const t0 = performance.now();
				const f = () => { const s = window.hmmrnn.state();
					if (s.met_step > 0 || performance.now() - t0 > %d) { window.hmmrnn.pause(); r(Object.assign({}, s, { wall_ms: performance.now() - t0 })); } else setTimeout(f, 250); }; f(); })`,
				criterionLimit.Milliseconds()), criterionLimit+time.Minute)
			p.noErrors()
			p.close()
			met, _ := st["met_step"].(float64)
			train, _ := st["train_seconds"].(float64)
			wall, _ := st["wall_ms"].(float64)
			sec := wall / 1000 // what a visitor waits, from Play (up to 250 ms late)
			b.Logf("seed %s: criterion met at step %v, %.0f s after Play (%.0f s running by the page's clock; %.0f ms/step of training in the last 10 s; restarts %v)",
				seed, met, sec, train, st["step_ms"], st["restarts"])
			if met <= 0 {
				b.Errorf("seed %s: the criterion was not met within %v of training", seed, criterionLimit)
				continue
			}
			secs, steps = append(secs, sec), append(steps, met)
			if sec < targetSeconds {
				under++
			}
		}
	}
	b.ReportMetric(medianOf(secs), "s-to-criterion")
	b.ReportMetric(medianOf(steps), "steps-to-criterion")
	b.ReportMetric(float64(under)/float64(tried), "fraction-under-target")
	b.Logf("target for %s: %v", arch, target)
	b.ReportMetric(0, "ns/op") // one iteration trains every seed; the metrics above are the result
}

// criterionTarget is the page's target time to the fit criterion for an
// architecture, by its number of states: under 60 s for the 2-state chain,
// 3 minutes for the 3-state presets, 5 minutes for 4 and 5 states (the
// training issue's targets, for most seeds).
func criterionTarget(arch string) time.Duration {
	m, err := hmm.Preset(arch)
	switch {
	case err != nil || m.States() > 3:
		return 5 * time.Minute
	case m.States() == 3:
		return 3 * time.Minute
	}
	return time.Minute
}
