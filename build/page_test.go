package build

import (
	"strings"
	"testing"
	"time"
)

// TestBadgeFollowsNetwork: after a live run on the coin-flip plateau,
// loading a gallery network must leave no word of the plateau in the
// header (format.test.js checks the badge of a network whose last
// statistics found it stuck), and the statistics panel must describe the loaded network
// (every status reflects the network shown).
func TestBadgeFollowsNetwork(t *testing.T) {
	e := browserEnv(t)
	// A tiny network with a learning rate of 1e-5 barely moves from its
	// start; with the paper's recipe (PyTorch's initialisation) its outputs
	// are independent draws, so the monitor finds it stuck on the plateau
	// after its patience (train.PaperRecipe.PlateauAfter) and restarts it.
	if err := addTestGallery(e.site); err != nil { // a rebuilt site (TestSiteSizesAndFiles) prunes it
		t.Fatal(err)
	}
	p := e.open(t, "?hidden=2&input=1&batch=16&lr=0.00001&recipe=paper")
	// Train in steps of 500 until the badge reports the plateau: stuck on
	// it, or restarted because of it (the training loop restarts a stuck
	// run at once, so "stuck" is seldom seen for long).
	var st map[string]any
	for i := 0; ; i++ {
		eval[map[string]any](p, `window.hmmrnn.step(500)`, 3*time.Minute)
		st = eval[map[string]any](p, `window.hmmrnn.state()`, time.Minute)
		if st["badge"] != "" {
			break
		}
		if i == 12 {
			t.Fatalf("no plateau by step %v: %v", st["step"], st)
		}
	}
	t.Logf("plateaued run: step %v, badge %q, restarts %v", st["step"], st["badge"], st["restarts"])
	if b := st["badge"].(string); b != "stuck on the coin-flip plateau…" && !strings.HasSuffix(b, "(plateau)") {
		t.Fatalf("the plateaued run's badge: %q", b)
	}
	st = eval[map[string]any](p, `window.hmmrnn.loadGallery('test-linear2')`, 3*time.Minute)
	if st["badge"] != "gallery: test-linear2" || st["plateau"] != false || len(st["restarts"].([]any)) != 0 {
		t.Errorf("after loading the gallery network: badge %q, plateau %v, restarts %v", st["badge"], st["plateau"], st["restarts"])
	}
	// The statistics shown are the loaded network's (100 training steps).
	p.await(`new Promise((r) => { const f = () => { const s = window.hmmrnn.stats(); s && s.step === 100 ? r() : setTimeout(f, 100); }; f(); })`, time.Minute)
	info := eval[string](p, `document.getElementById('statsinfo').textContent + ' | ' + document.getElementById('badge').textContent`, quickCall)
	if want := "step 100) | gallery: test-linear2"; len(info) < len(want) || info[len(info)-len(want):] != want {
		t.Errorf("statistics and badge read %q, want them to end with %q", info, want)
	}
	p.noErrors()
}
