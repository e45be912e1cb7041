package stats

import (
	"math"
	"math/rand/v2"
	"testing"

	"hmmrnn/core/hmm"
)

// fitOf compares obs (n sequences at the HMM's T) with m by CompareWith,
// seeded, without matched distances, and returns the fit verdict.
func fitOf(t *testing.T, m *hmm.HMM, obs []uint8, n int, seed uint64) FitResult {
	t.Helper()
	rep, err := CompareWith(m, obs, n, m.SeqLen, rand.New(rand.NewPCG(seed, 1)), Options{SkipMatch: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := JudgeFit(rep); !equalFit(got, rep.Fit) {
		t.Fatalf("report's Fit %v differs from JudgeFit %v", rep.Fit, got)
	}
	return rep.Fit
}

func equalFit(a, b FitResult) bool {
	if a.OK != b.OK || len(a.Figures) != len(b.Figures) {
		return false
	}
	for i := range a.Figures {
		if a.Figures[i] != b.Figures[i] {
			return false
		}
	}
	return true
}

var fitTol = map[string]float64{FitFreq: FidelityFreqTol, FitTrans: FidelityTransTol, FitVolatility: FitVolatilityTol, FitDwell: FitDwellTol}

// An independent sample of the HMM itself meets the criterion for every
// preset, at the page's check size (512) and the monitor's (2000); at 2000
// sequences sampling noise (the floor) stays under half of every
// tolerance, so the limits are the tolerances.
func TestFitHMMSamplePasses(t *testing.T) {
	for _, name := range hmm.PresetNames() {
		m, err := hmm.Preset(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range []int{512, 2000} {
			obs, _ := m.Sample(rand.New(rand.NewPCG(99, uint64(n))), n, m.SeqLen)
			res := fitOf(t, m, obs, n, 7)
			if !res.OK {
				t.Errorf("%s n=%d: HMM sample fails: %s", name, n, res)
			}
			for _, f := range res.Figures {
				if f.Floor <= 0 || (n == 2000 && (f.Floor > fitTol[f.Name]/2 || f.Limit != fitTol[f.Name])) {
					t.Errorf("%s n=%d: %s floor %.4f limit %.4f, tolerance %.4f", name, n, f.Name, f.Floor, f.Limit, fitTol[f.Name])
				}
			}
		}
	}
}

// iidSample draws symbols independently with probabilities p: the
// fair-coin plateau when p are the HMM's frequencies.
func iidSample(r *rand.Rand, p []float64, n int) []uint8 {
	obs := make([]uint8, n)
	for i := range obs {
		u, c := r.Float64(), 0.0
		for k, pk := range p {
			c += pk
			if u < c || k == len(p)-1 {
				obs[i] = uint8(k)
				break
			}
		}
	}
	return obs
}

// Samples that are wrong in their temporal structure fail on the figures
// that see it, although their frequencies are right: independent symbols
// with the HMM's frequencies (the fair-coin plateau) and a chain switching
// three times too slowly.
func TestFitWrongStructureFails(t *testing.T) {
	const n = 2000
	m, err := hmm.Preset("linear2")
	if err != nil {
		t.Fatal(err)
	}
	T := m.SeqLen
	q := 0.05 / 3
	slow, err := hmm.New("slow", m.Start, [][]float64{{1 - q, q}, {q, 1 - q}}, m.Emission, T)
	if err != nil {
		t.Fatal(err)
	}
	slowObs, _ := slow.Sample(rand.New(rand.NewPCG(5, 5)), n, T)
	cases := []struct {
		name string
		obs  []uint8
		fail []string // figures that must fail
	}{
		{"fair coin", iidSample(rand.New(rand.NewPCG(4, 4)), m.Exact(T).Freq, n*T), []string{FitTrans, FitVolatility, FitDwell}},
		{"too slow", slowObs, []string{FitVolatility, FitDwell}},
	}
	for _, c := range cases {
		res := fitOf(t, m, c.obs, n, 3)
		if res.OK {
			t.Errorf("%s: passes: %s", c.name, res)
		}
		if f := res.Figure(FitFreq); !f.OK {
			t.Errorf("%s: frequencies are the HMM's but the figure fails: %s", c.name, f)
		}
		for _, name := range c.fail {
			if f := res.Figure(name); f.OK {
				t.Errorf("%s: %s passes: %s", c.name, name, f)
			}
		}
	}
}

// The figures are computed against the HMM's exact values: a hand-made
// sample of a deterministic HMM gives known figures and floors.
func TestFitFiguresExact(t *testing.T) {
	// State 0 emits 0, state 1 emits 1, and the chain alternates (0 1 0 1
	// ...) from state 0. Exact: frequencies (1/2, 1/2) at even T, T-1 = 5
	// changes per sequence, P(1|0) = P(0|1) = 1, every complete run of
	// length 1. Its samples are all identical, so every floor is 0 except
	// the transitions' (no row is well sampled at n = 10: 1).
	const T, n = 6, 10
	m, err := hmm.New("alt", []float64{1, 0}, [][]float64{{0, 1}, {1, 0}}, [][]float64{{1, 0}, {0, 1}}, T)
	if err != nil {
		t.Fatal(err)
	}
	// Judged sample: every sequence is 0 0 0 1 1 1: frequencies exact,
	// 1 change (volatility figure |1 - 5| / 5 = 0.8), no complete run
	// (dwell distance 1 against runs all of length 1).
	obs := make([]uint8, n*T)
	for i := 0; i < n; i++ {
		copy(obs[i*T:], []uint8{0, 0, 0, 1, 1, 1})
	}
	res := fitOf(t, m, obs, n, 1)
	want := map[string][2]float64{FitFreq: {0, 0}, FitTrans: {1, 1}, FitVolatility: {0.8, 0}, FitDwell: {1, 0}}
	for name, v := range want {
		if f := res.Figure(name); math.Abs(f.Value-v[0]) > 1e-12 || f.Floor != v[1] {
			t.Errorf("%s = %v floor %v, want %v floor %v", name, f.Value, f.Floor, v[0], v[1])
		}
	}
	if res.OK {
		t.Error("judged sample passes")
	}
	if res := JudgeFit(nil); res.OK || len(res.Figures) != 4 {
		t.Errorf("nil report: %v", res)
	}
}

// Dwell distances on hand-made histograms.
func TestKolmogorov(t *testing.T) {
	d := func(hist ...int) *Dwell {
		n := 0
		for _, k := range hist {
			n += k
		}
		return &Dwell{Runs: n, Hist: hist}
	}
	for _, c := range []struct {
		a, b *Dwell
		want float64
	}{
		{d(0, 1, 1), d(0, 1, 1), 0},
		{d(0, 2, 0), d(0, 0, 2), 1},
		{d(0, 1, 1, 2), d(0, 2, 1, 1), 0.25}, // CDFs .25 .5 1 vs .5 .75 1
		{d(0, 1, 1), d(0, 1, 0, 0, 1), 0.5},  // different lengths: CDFs .5 1 vs .5 .5 .5 1
		{d(0, 1), d(0, 0), 1},                // no complete run against runs
		{d(0, 0), d(0, 0, 0), 0},             // neither has runs
	} {
		if got := kolmogorov(c.a, c.b); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("kolmogorov(%v, %v) = %v, want %v", c.a.Hist, c.b.Hist, got, c.want)
		}
	}
}

// An emulator that switches between the chain's frequent outputs exactly as
// the HMM does but never emits the rare output 1 (it continues the run
// instead, as trained networks do) is judged on its switching: the
// volatility figure counts changes after merging rare blips, against the
// exact merged count, and passes; counted with the blips it would be off
// by far more than the tolerance.
func TestFitVolatilityMergesRareSymbol(t *testing.T) {
	const n = 2000
	m, err := hmm.Preset("linear2")
	if err != nil {
		t.Fatal(err)
	}
	m.SeqLen = 30 // the demo's length: the rare symbol makes 0.6 of 2.0 changes
	T := m.SeqLen
	obs, _ := m.Sample(rand.New(rand.NewPCG(7, 7)), n, T)
	noRare := MergeRare(obs, n, T, []bool{false, true, false})
	res := fitOf(t, m, noRare, n, 3)
	f := res.Figure(FitVolatility)
	if !f.OK {
		t.Errorf("merged-switching emulator fails the volatility figure: %s", f)
	}
	rare := []bool{false, true, false}
	exact := m.MergedChanges(T, rare)
	got := Summary(noRare, n, T, m.Outputs()).Volatility
	if want := math.Abs(got-exact) / exact; math.Abs(f.Value-want) > 1e-12 {
		t.Errorf("volatility figure %v, want |%v - %v| / %v = %v", f.Value, got, exact, exact, want)
	}
	if unmerged := math.Abs(got-m.Exact(T).Changes) / m.Exact(T).Changes; unmerged < FitVolatilityTol {
		t.Errorf("unmerged volatility error %v: the rare symbol should matter (test premise)", unmerged)
	}
}
