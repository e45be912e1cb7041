package train

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// freqLoss's gradient against central finite differences, and its value
// at the one-hot samples of the target itself (zero).
func TestFreqLoss(t *testing.T) {
	const O, n = 3, 40
	r := rand.New(rand.NewPCG(1, 2))
	y := make([]uint8, n)
	soft := make([]float64, n*O)
	for k := range n {
		y[k] = uint8(r.IntN(O))
		var sum float64
		for o := range O {
			soft[k*O+o] = r.Float64() + 0.01
			sum += soft[k*O+o]
		}
		for o := range O {
			soft[k*O+o] /= sum
		}
	}
	y[0], y[1], y[2] = 0, 1, 2 // every symbol occurs
	_, g := freqLoss(soft, y, O)
	const h, tol = 1e-6, 1e-6
	for k := range soft {
		old := soft[k]
		soft[k] = old + h
		up, _ := freqLoss(soft, y, O)
		soft[k] = old - h
		down, _ := freqLoss(soft, y, O)
		soft[k] = old
		fd := (up - down) / (2 * h)
		if d := g[k%O]; math.Abs(d-fd) > tol*math.Max(1, math.Abs(fd)) {
			t.Errorf("d/dsoft[%d]: %v, finite differences %v", k, d, fd)
		}
	}
	onehot := make([]float64, n*O)
	for k, o := range y {
		onehot[k*O+int(o)] = 1
	}
	if l, _ := freqLoss(onehot, y, O); math.Abs(l) > 1e-12 {
		t.Errorf("loss at the target's own frequencies %v, want 0", l)
	}
	// A symbol the samples almost never show costs about its frequency
	// times the log of the shortfall.
	rare := make([]float64, n*O)
	for k, o := range y {
		rare[k*O+int(o)] = 1
		if o == 1 {
			rare[k*O+1], rare[k*O] = 1e-4, 1-1e-4
		}
	}
	l, _ := freqLoss(rare, y, O)
	c1 := 0
	for _, o := range y {
		if o == 1 {
			c1++
		}
	}
	f1 := float64(c1) / n
	if want := f1 * math.Log(1/1e-4); l < 0.9*want {
		t.Errorf("loss with symbol 1 missing %v, want at least 0.9 x %v", l, want)
	}
}

// The frequency term changes the update, is recorded and resumed bit for
// bit, keeps the helper out (it needs every chunk's soft samples) and
// refuses bad weights.
func TestFreqWeight(t *testing.T) {
	c := smallConfig(t, DataFresh)
	c.Energy = true
	plain, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	c.FreqWeight = 3
	freq, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	if freq.HelperUsable() || !plain.HelperUsable() {
		t.Errorf("helper usable: with the term %v, without %v; want false, true", freq.HelperUsable(), plain.HelperUsable())
	}
	run(t, plain, 2)
	run(t, freq, 2)
	if sameNet(plain.Net(), freq.Net()) {
		t.Error("the frequency term did not change the update")
	}
	f, err := freq.Snapshot(false, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if f.Training.FreqWeight != 3 {
		t.Errorf("recorded freq_weight %v, want 3", f.Training.FreqWeight)
	}
	back, err := Resume(f)
	if err != nil || back.Config().FreqWeight != 3 {
		t.Fatalf("resumed: %v", err)
	}
	run(t, freq, 2)
	run(t, back, 2)
	if !sameNet(freq.Net(), back.Net()) {
		t.Error("a resumed run with the frequency term differs from the uninterrupted one")
	}
	for _, w := range []float64{-1, math.NaN(), math.Inf(1)} {
		bad := c
		bad.FreqWeight = w
		if _, err := New(bad); err == nil || !strings.Contains(err.Error(), "freq-weight") {
			t.Errorf("freq-weight %v: error %v, want one naming freq-weight", w, err)
		}
	}
}
