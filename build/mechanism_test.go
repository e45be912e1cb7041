package build

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestPortraitShowsMechanism trains the default demo (linear2, H 50, D 10,
// B 256, T 30, the default recipe; $HMMRNN_MECHANISM_QUERY adds URL
// parameters, e.g. arch=linear3&recipe=hybrid) in the page for each seed in
// $HMMRNN_MECHANISM_SEEDS (default 1,2,3: the issue asks for several seeds;
// each takes about a minute and a half) until the network has learned: the
// fit criterion holds, or the page says the newest weight snapshot is in
// the noise-driven regime (core/dynamics IsNoiseDriven: bounded,
// persistent switching, input-free collapse; the purple mark on the loss
// chart). It then checks the first portrait of the network drawn after
// that step: not diverged (finite states, not cut short) and its output
// clusters separated (core/dynamics ClusterSeparation, skill >= 0.5); it
// logs the figures per seed. Then it checks the mechanism panels on the
// trained network: the units view (roles of every unit; silencing units
// changes the portrait's switch rate), the complete stochastic-resonance
// curve and the evolution summary.
func TestPortraitShowsMechanism(t *testing.T) {
	e := browserEnv(t)
	seeds := os.Getenv("HMMRNN_MECHANISM_SEEDS")
	if seeds == "" {
		seeds = "1,2,3"
	}
	query := os.Getenv("HMMRNN_MECHANISM_QUERY")
	if query != "" {
		query = "&" + query
	}
	limit := 8 * time.Minute // a loaded 2-core machine trains the demo at ~50-1000 ms/step
	for _, seed := range strings.Split(seeds, ",") {
		seed = strings.TrimSpace(seed)
		p := e.open(t, "?seed="+seed+query)
		eval[bool](p, `(window.hmmrnn.play(), true)`, quickCall)
		// Wait for the criterion or the page's noise-driven claim, then for
		// a portrait of a network at or after that step (the worker draws
		// one every few seconds). The claim counts once a second snapshot
		// confirms it: a single driven snapshot can be momentary (seed 1 in
		// CI: driven at step 1,400, its long run diverging at 1,448, and
		// the regime line no longer claiming it at the next snapshot).
		pi := eval[map[string]any](p, fmt.Sprintf(`new Promise((r) => { const t0 = performance.now();
			const f = () => { const s = window.hmmrnn.state(), q = window.hmmrnn.portrait();
				const ev = window.hmmrnn.evolution(), pts = (ev && ev.points) || [];
				const since = ev && ev.bifurcation_step >= 0 ? pts.filter((p) => p.step >= ev.bifurcation_step) : [];
				const driven = since.length >= 2 ? since[since.length - 1].step : 0;
				const learned = s.met_step > 0 ? s.met_step : driven;
				if (learned > 0 && q && q.snapshot < 0 && q.step >= learned) { window.hmmrnn.pause(); r({ ...q, met_step: s.met_step, learned_step: learned }); }
				else if (performance.now() - t0 > %d) { window.hmmrnn.pause(); r({ timeout: true, met_step: s.met_step, step: s.step, step_ms: s.step_ms, regime: document.getElementById('regime').textContent }); }
				else setTimeout(f, 200); }; f(); })`, limit.Milliseconds()), limit+time.Minute)
		if pi["timeout"] == true {
			t.Errorf("seed %s: neither the criterion nor the noise-driven regime within %v (met at step %v, step %v, %v ms/step; the page says %q)", seed, limit, pi["met_step"], pi["step"], pi["step_ms"], pi["regime"])
			continue
		}
		sep, _ := pi["separation"].(map[string]any)
		t.Logf("seed %s: criterion met at step %v (0: not met), learned from step %v; portrait at step %v: %v/%v, %v runs x %v steps, long run diverged at step %v, norm spread %.3g, separation skill %.2f (ratio %.2f, accuracy %.3f, chance %.3f), diverged %v",
			seed, pi["met_step"], pi["learned_step"], pi["step"], pi["source"], pi["scale"], pi["runs"], pi["horizon"], pi["long_diverged_at"], pi["norm_spread"],
			sep["skill"], sep["ratio"], sep["accuracy"], sep["chance"], pi["diverged"])
		if pi["diverged"] != false || sep["separated"] != true {
			t.Errorf("seed %s: portrait after the criterion: diverged %v, separated %v (%v)", seed, pi["diverged"], sep["separated"], pi["caption"])
		}
		p.saveScreenshot("mechanism-seed" + seed)

		// Units view: every unit has a role; silencing the three most active
		// units of the window changes the switch rate (one unit alone may
		// not move the argmax of the runs drawn: seen on seed 1 in CI).
		u := eval[map[string]any](p, `window.hmmrnn.units(true)`, 6*time.Minute)
		roles, _ := u["roles"].(map[string]any)
		of, _ := roles["of"].([]any)
		if u["window"] == nil || len(of) != 50 {
			t.Fatalf("seed %s: units view data: window %v, %d roles", seed, u["window"] != nil, len(of))
		}
		rate0 := u["transition_rate"].(float64)
		s := eval[map[string]any](p, `window.hmmrnn.silenceUnits((() => { const w = window.hmmrnn.portrait().window, lv = atob(w.level), act = [];
			for (let i = 0; i < w.hidden; i++) { let s = 0; for (let t = 0; t < w.steps; t++) s += lv.charCodeAt(t * w.hidden + i) * w.peak[i]; act.push([s, i]); }
			return act.sort((a, b) => b[0] - a[0]).slice(0, 3).map((x) => x[1]); })())`, 2*time.Minute)
		t.Logf("seed %s: switch rate %.4f, with units %v silenced %.4f", seed, rate0, s["silenced"], s["transition_rate"])
		if s["transition_rate"].(float64) == rate0 {
			t.Errorf("seed %s: silencing units %v left the switch rate at %v", seed, s["silenced"], rate0)
		}
		eval[map[string]any](p, `window.hmmrnn.silenceUnits([])`, 2*time.Minute)
		// The resonance curve completes for the shown network, the
		// evolution summary covers the snapshots.
		res := eval[map[string]any](p, `new Promise((r) => { const f = () => { const c = window.hmmrnn.resonance();
			if (c && c.done && c.silenced.length === 0) r(c); else setTimeout(f, 200); }; f(); })`, 2*time.Minute)
		pts, _ := res["points"].([]any)
		ev := eval[map[string]any](p, `window.hmmrnn.evolution()`, 10*time.Second)
		evPts, _ := ev["points"].([]any)
		t.Logf("seed %s: resonance curve of %d levels at step %v; evolution of %d snapshots, bifurcation at step %v", seed, len(pts), res["step"], len(evPts), ev["bifurcation_step"])
		if len(pts) < 5 || len(evPts) < 2 {
			t.Errorf("seed %s: resonance %d levels, evolution %d snapshots", seed, len(pts), len(evPts))
		}
		p.saveScreenshot("mechanism-units-seed" + seed)
		p.noErrors()
	}

	// A bounded network (the gallery's linear2, H 150, trained from random
	// weights by the default recipe): the portrait shows its long run,
	// separated.
	p := e.open(t, "?gallery=linear2")
	pi := eval[map[string]any](p, `window.hmmrnn.portrait()`, 10*time.Second)
	sep, _ := pi["separation"].(map[string]any)
	t.Logf("gallery linear2: %v/%v, separation skill %.2f (ratio %.2f, accuracy %.3f)", pi["source"], pi["scale"], sep["skill"], sep["ratio"], sep["accuracy"])
	if pi["source"] != "long" || sep["separated"] != true {
		t.Errorf("gallery linear2 portrait: %v", pi["caption"])
	}
	p.noErrors()
	p.close()

	// A network whose readout blips and whose kick neurons the detection
	// finds (core/internal/testdata/linear2-blips.json, H 150), loaded as
	// a visitor loads a file.
	blips, err := os.ReadFile(filepath.Join("..", "core", "internal", "testdata", "linear2-blips.json"))
	if err != nil {
		t.Fatal(err)
	}
	p = e.open(t, "")
	text, _ := json.Marshal(string(blips))
	eval[map[string]any](p, `window.hmmrnn.loadModel(`+string(text)+`)`, 2*time.Minute)
	// The statistics panel says where the network's short runs come from:
	// its argmax outputs switch cleanly (`hmmrnn eval --model
	// core/internal/testdata/linear2-blips.json`: 4% of complete runs one
	// step long against the HMM's 10%) while sampling its readout adds
	// blips (34%).
	p.await(`new Promise((r) => { const f = () => { const s = window.hmmrnn.stats(); s && s.readout ? r() : setTimeout(f, 100); }; f(); })`, time.Minute)
	ro := eval[string](p, `document.getElementById('readout').textContent`, quickCall)
	t.Logf("blipping linear2: %s", ro)
	if !strings.Contains(ro, "blips of sampling an unsaturated readout") {
		t.Errorf("the blipping linear2's readout line %q does not name the readout as the source of its short runs", ro)
	}
	u := eval[map[string]any](p, `window.hmmrnn.units(true)`, 6*time.Minute)
	groups, _ := u["roles"].(map[string]any)["groups"].([]any)
	var names []string
	kick := 0
	for _, g := range groups {
		g := g.(map[string]any)
		n, _ := g["neurons"].([]any)
		names = append(names, fmt.Sprintf("%v (%d)", g["name"], len(n)))
		if g["kind"] == "kick" {
			kick += len(n)
		}
	}
	t.Logf("blipping linear2 roles: %s", strings.Join(names, ", "))
	if kick == 0 {
		t.Errorf("blipping linear2: no kick neurons in the units view (%s)", strings.Join(names, ", "))
	}
	eval[bool](p, `(window.scrollTo(0, 600), true)`, quickCall)
	p.saveScreenshot("mechanism-units-linear2-blips")
	p.noErrors()
}

// TestTour is the visitor's tour behind the screenshots described in the
// notes: for each architecture in $HMMRNN_TOUR (e.g. linear2,linear3,fully3;
// skipped when unset) it opens the page, presses Play and, at 0, 30 and 90
// seconds, saves a screenshot (with $HMMRNN_SCREENSHOTS) and logs what the
// page says: the badge, the step, the portrait's caption, the regime line,
// the criterion line and the readout line. At every moment the portrait must hold points
// and the page must have logged no error.
func TestTour(t *testing.T) {
	archs := os.Getenv("HMMRNN_TOUR")
	if archs == "" {
		t.Skip("set HMMRNN_TOUR=linear2,linear3,fully3 (and HMMRNN_SCREENSHOTS=DIR) to take the tour")
	}
	e := browserEnv(t)
	for _, arch := range strings.Split(archs, ",") {
		arch = strings.TrimSpace(arch)
		p := e.open(t, "?arch="+arch)
		start := time.Now()
		for k, at := range []time.Duration{0, 30 * time.Second, 90 * time.Second} {
			time.Sleep(time.Until(start.Add(at)))
			if k == 0 {
				// The untrained network's portrait, then Play.
				eval[bool](p, `new Promise((r) => { const f = () => window.hmmrnn.portrait() ? r(true) : setTimeout(f, 100); f(); })`, time.Minute)
				start = time.Now()
			}
			s := eval[map[string]any](p, `(() => { const q = window.hmmrnn.portrait(), text = (id) => document.getElementById(id).textContent;
				return { step: window.hmmrnn.state().step, badge: text('badge'), caption: q ? q.caption : '', points: q ? q.steps : 0,
					regime: text('regime'), criterion: text('criterion'), readout: text('readout') }; })()`, 10*time.Second)
			t.Logf("%s at %v: step %v; badge %q; portrait %q; regime %q; criterion %q; readout %q", arch, at, s["step"], s["badge"], s["caption"], s["regime"], s["criterion"], s["readout"])
			if pts, _ := s["points"].(float64); pts <= 0 {
				t.Errorf("%s at %v: the portrait holds no points (%q)", arch, at, s["caption"])
			}
			p.saveScreenshot(fmt.Sprintf("tour-%s-%03ds", arch, int(at.Seconds())))
			if k == 0 {
				eval[bool](p, `(window.hmmrnn.play(), true)`, quickCall)
			}
		}
		eval[bool](p, `(window.hmmrnn.pause(), true)`, quickCall)
		p.noErrors()
		p.close()
	}
}
