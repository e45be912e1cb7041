package build

import (
	"os/exec"
	"testing"
	"time"
)

func TestDebugCPU(t *testing.T) {
	e := browserEnv(t)
	p := e.open(t, "")
	m := `new Promise((res) => { let frames = 0; const t0 = performance.now();
			const f = (t) => { frames++; if (t - t0 < 3000) requestAnimationFrame(f); else res(frames * 1000 / (t - t0)); };
			requestAnimationFrame(f); })`
	out, _ := exec.Command("bash", "-c", "top -bn2 -d3 | grep -A25 '^top' | tail -22").CombinedOutput()
	t.Logf("idle fps %.1f\n%s", eval[float64](p, m, time.Minute), out)
}
