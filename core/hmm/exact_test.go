package hmm

import (
	"math"
	"strings"
	"testing"
)

// tiny models for brute-force enumeration; tiny3 has zeros in both matrices.
func tinyModels() map[string]*HMM {
	return map[string]*HMM{
		"tiny2": {
			Start:      []float64{0.3, 0.7},
			Transition: [][]float64{{0.9, 0.1}, {0.4, 0.6}},
			Emission:   [][]float64{{0.8, 0.2}, {0.25, 0.75}},
			SeqLen:     4,
		},
		"tiny3": {
			Start:      []float64{0.5, 0.5, 0},
			Transition: [][]float64{{0.6, 0.4, 0}, {0, 0.3, 0.7}, {0.2, 0, 0.8}},
			Emission:   [][]float64{{0.5, 0.5, 0}, {0, 0.1, 0.9}, {0.3, 0.3, 0.4}},
			SeqLen:     4,
		},
	}
}

// path is one joint (state, output) trajectory with its probability.
type path struct {
	states, obs []int
	p           float64
}

// enumerate lists every state/output trajectory of length T with positive
// probability.
func enumerate(m *HMM, T int) []path {
	var out []path
	var rec func(states, obs []int, p float64)
	rec = func(states, obs []int, p float64) {
		if len(states) == T {
			out = append(out, path{append([]int(nil), states...), append([]int(nil), obs...), p})
			return
		}
		for s := 0; s < m.States(); s++ {
			ps := m.Start[s]
			if len(states) > 0 {
				ps = m.Transition[states[len(states)-1]][s]
			}
			for o := 0; o < m.Outputs(); o++ {
				if q := p * ps * m.Emission[s][o]; q > 0 {
					rec(append(states, s), append(obs, o), q)
				}
			}
		}
	}
	rec(nil, nil, 1)
	return out
}

func TestExactBruteForce(t *testing.T) {
	const tol = 1e-12
	for name, m := range tinyModels() {
		for T := 1; T <= 5; T++ {
			O := m.Outputs()
			ex := m.Exact(T)
			n1, n2 := make([]float64, O), make([]float64, O)
			pair := make([][]float64, O)
			for i := range pair {
				pair[i] = make([]float64, O)
			}
			var c1, c2, total float64
			for _, pt := range enumerate(m, T) {
				total += pt.p
				cnt := make([]float64, O)
				ch := 0.0
				for t, o := range pt.obs {
					cnt[o]++
					if t > 0 {
						pair[pt.obs[t-1]][o] += pt.p
						if o != pt.obs[t-1] {
							ch++
						}
					}
				}
				for k := range cnt {
					n1[k] += pt.p * cnt[k]
					n2[k] += pt.p * cnt[k] * cnt[k]
				}
				c1 += pt.p * ch
				c2 += pt.p * ch * ch
			}
			if math.Abs(total-1) > tol {
				t.Fatalf("%s T=%d: enumeration mass %v", name, T, total)
			}
			fT := float64(T)
			for k := 0; k < O; k++ {
				if math.Abs(ex.Freq[k]-n1[k]/fT) > tol {
					t.Errorf("%s T=%d freq[%d] = %v, brute %v", name, T, k, ex.Freq[k], n1[k]/fT)
				}
				if sd := math.Sqrt(n2[k]-n1[k]*n1[k]) / fT; math.Abs(ex.FreqStd[k]-sd) > 1e-9 {
					t.Errorf("%s T=%d freq std[%d] = %v, brute %v", name, T, k, ex.FreqStd[k], sd)
				}
				row := 0.0
				for _, v := range pair[k] {
					row += v
				}
				if math.Abs(ex.RowMass[k]-row) > tol {
					t.Errorf("%s T=%d row mass[%d] = %v, brute %v", name, T, k, ex.RowMass[k], row)
				}
				for j := 0; j < O; j++ {
					want := 0.0
					if row > 0 {
						want = pair[k][j] / row
					}
					if math.Abs(ex.Trans[k][j]-want) > tol {
						t.Errorf("%s T=%d trans[%d][%d] = %v, brute %v", name, T, k, j, ex.Trans[k][j], want)
					}
				}
			}
			if math.Abs(ex.Changes-c1) > tol {
				t.Errorf("%s T=%d changes = %v, brute %v", name, T, ex.Changes, c1)
			}
			if sd := math.Sqrt(math.Max(c2-c1*c1, 0)); math.Abs(ex.ChangesStd-sd) > 1e-9 {
				t.Errorf("%s T=%d changes std = %v, brute %v", name, T, ex.ChangesStd, sd)
			}
		}
	}
}

// TestExactPeer compares with the peer's exact_stats (peer/torch_reference.py,
// numpy float64) on every preset at its default T.
func TestExactPeer(t *testing.T) {
	const tol = 1e-12
	for _, tc := range []struct {
		name    string
		freq    []float64
		changes float64
		trans   [][]float64
	}{
		{"linear2", []float64{0.4949999999999993, 0.010000000000000007, 0.4949999999999993}, 6.8116950000000145,
			[][]float64{{0.9404999999999998, 0.01000000000000002, 0.04950000000000013}, {0.495, 0.009999999999999981, 0.495}, {0.049500000000000134, 0.010000000000000021, 0.9404999999999999}}},
		{"linear3", []float64{0.4949999999999997, 0.010000000000000004, 0.4949999999999997}, 7.429867883922629,
			[][]float64{{0.7512097567425069, 0.009999999999999992, 0.23879024325749307}, {0.49500000000000016, 0.009999999999999998, 0.495}, {0.23879024325749307, 0.009999999999999992, 0.7512097567425069}}},
		{"linear4", []float64{0.4949999999999997, 0.010000000000000004, 0.4949999999999997}, 8.635580981378428,
			[][]float64{{0.7092134802724337, 0.009999999999999993, 0.28078651972756624}, {0.49500000000000016, 0.009999999999999998, 0.495}, {0.28078651972756624, 0.009999999999999998, 0.7092134802724338}}},
		{"linear5", []float64{0.49499999999999994, 0.010000000000000005, 0.49499999999999994}, 12.13567163441882,
			[][]float64{{0.695685790354343, 0.010000000000000004, 0.294314209645657}, {0.495, 0.00999999999999999, 0.4950000000000001}, {0.294314209645657, 0.010000000000000005, 0.695685790354343}}},
		{"fully3", []float64{0.33333333333333376, 0.3333333333333333, 0.3333333333333333}, 2.506904999999996,
			[][]float64{{0.913555, 0.043222500000000025, 0.043222500000000025}, {0.04322250000000002, 0.913555, 0.04322250000000002}, {0.04322250000000002, 0.04322250000000002, 0.913555}}},
		{"cyclic4", []float64{0.25, 0.5, 0.25}, 8.355749999999997,
			[][]float64{{0.7835, 0.21199999999999994, 0.004500000000000003}, {0.10599999999999994, 0.788, 0.10599999999999994}, {0.004500000000000003, 0.21199999999999994, 0.7835}}},
	} {
		m, _ := Preset(tc.name)
		ex := m.Exact(m.SeqLen)
		if math.Abs(ex.Changes-tc.changes) > tol {
			t.Errorf("%s changes %v, peer %v", tc.name, ex.Changes, tc.changes)
		}
		for i := range tc.freq {
			if math.Abs(ex.Freq[i]-tc.freq[i]) > tol {
				t.Errorf("%s freq[%d] %v, peer %v", tc.name, i, ex.Freq[i], tc.freq[i])
			}
			for j := range tc.trans[i] {
				if math.Abs(ex.Trans[i][j]-tc.trans[i][j]) > tol {
					t.Errorf("%s trans[%d][%d] %v, peer %v", tc.name, i, j, ex.Trans[i][j], tc.trans[i][j])
				}
			}
		}
	}
}

func TestExactDegenerate(t *testing.T) {
	m := tinyModels()["tiny2"]
	ex := m.Exact(0)
	if len(ex.Freq) != 2 || ex.Freq[0] != 0 || ex.Changes != 0 || len(ex.Trans) != 2 {
		t.Errorf("Exact(0) = %+v", ex)
	}
	// A symbol that is never emitted has a zero transition row, not NaN.
	never := &HMM{Start: []float64{1}, Transition: [][]float64{{1}}, Emission: [][]float64{{1, 0}}, SeqLen: 3}
	ex = never.Exact(3)
	if ex.Trans[1][0] != 0 || ex.Trans[1][1] != 0 || ex.Trans[0][0] != 1 || ex.Freq[0] != 1 || ex.FreqStd[0] != 0 {
		t.Errorf("never-emitted symbol: %+v", ex)
	}
}

func TestStationary(t *testing.T) {
	const tol = 1e-12
	for _, tc := range []struct {
		name string
		A    [][]float64
		want []float64
		err  string
	}{
		{"two-state", [][]float64{{0.9, 0.1}, {0.3, 0.7}}, []float64{0.75, 0.25}, ""},
		{"periodic", [][]float64{{0, 1}, {1, 0}}, []float64{0.5, 0.5}, ""},
		{"transient", [][]float64{{0.5, 0.5, 0}, {0, 0.2, 0.8}, {0, 0.6, 0.4}}, []float64{0, 0.6 / 1.4, 0.8 / 1.4}, ""},
		{"one state", [][]float64{{1}}, []float64{1}, ""},
		{"nearly decomposable", [][]float64{{1 - 1e-12, 1e-12}, {2e-12, 1 - 2e-12}}, []float64{2.0 / 3, 1.0 / 3}, ""},
		{"two classes", [][]float64{{1, 0, 0}, {0.5, 0, 0.5}, {0, 0, 1}}, nil, "2 closed classes"},
	} {
		M := len(tc.A)
		m := &HMM{Start: uniform(M), Transition: tc.A, Emission: make([][]float64, M), SeqLen: 1}
		for i := range m.Emission {
			m.Emission[i] = []float64{0.5, 0.5}
		}
		if err := m.Validate(); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		pi, err := m.Stationary()
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: err = %v, want %q", tc.name, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		for i := range pi {
			if math.Abs(pi[i]-tc.want[i]) > tol {
				t.Errorf("%s: pi = %v, want %v", tc.name, pi, tc.want)
			}
		}
	}
	for _, name := range PresetNames() {
		m, _ := Preset(name)
		pi, err := m.Stationary()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, p := range pi { // every preset is doubly stochastic
			if math.Abs(p-1/float64(len(pi))) > tol {
				t.Errorf("%s: pi = %v, want uniform", name, pi)
			}
		}
	}
}

func TestStationaryOutputMatchesExact(t *testing.T) {
	const tol = 1e-12
	for name, m := range tinyModels() {
		freq, trans, rate, err := m.StationaryOutput()
		if err != nil {
			t.Fatal(err)
		}
		pi, _ := m.Stationary()
		st := m.Clone()
		st.Start = pi
		const T = 7
		ex := st.Exact(T) // started in pi, every time step is stationary
		if math.Abs(ex.Changes-(T-1)*rate) > tol {
			t.Errorf("%s: changes %v, stationary (T-1)*rate %v", name, ex.Changes, (T-1)*rate)
		}
		for i := range freq {
			if math.Abs(ex.Freq[i]-freq[i]) > tol {
				t.Errorf("%s: freq %v vs %v", name, ex.Freq, freq)
			}
			for j := range trans[i] {
				if math.Abs(ex.Trans[i][j]-trans[i][j]) > tol {
					t.Errorf("%s: trans %v vs %v", name, ex.Trans, trans)
				}
			}
		}
	}
}

// TestMergedChangesBruteForce checks the merged change count against every
// trajectory of the tiny models, merging each rare choice of symbols by hand.
func TestMergedChangesBruteForce(t *testing.T) {
	const tol = 1e-12
	for name, m := range tinyModels() {
		O := m.Outputs()
		for mask := 0; mask < 1<<O; mask++ {
			rare := make([]bool, O)
			for k := range rare {
				rare[k] = mask&(1<<k) != 0
			}
			for T := 1; T <= 5; T++ {
				want := 0.0
				for _, pt := range enumerate(m, T) {
					merged := append([]int(nil), pt.obs...)
					for t := 1; t < T; t++ {
						if rare[merged[t]] {
							merged[t] = merged[t-1]
						}
						if merged[t] != merged[t-1] {
							want += pt.p
						}
					}
				}
				if got := m.MergedChanges(T, rare); math.Abs(got-want) > tol {
					t.Errorf("%s rare %v T %d: MergedChanges = %.15f, brute force %.15f", name, rare, T, got, want)
				}
			}
		}
		if got, want := m.MergedChanges(4, nil), m.Exact(4).Changes; math.Abs(got-want) > tol {
			t.Errorf("%s: MergedChanges without rare symbols = %v, Exact.Changes = %v", name, got, want)
		}
	}
}

// OffMode against values worked by hand: presets whose start distribution
// is stationary (linear3's symmetric chain keeps the uniform start), and
// an absorbing chain whose start fixes the answer for every T.
func TestOffMode(t *testing.T) {
	const tol = 1e-12
	for _, c := range []struct {
		name string
		want float64
	}{
		{"linear2", 0.01}, // every state: 1 - 0.99
		{"fully3", 0.02},  // 1 - 0.98
		{"cyclic4", 0.1},  // 1 - 0.9
		{"linear3", (0.01 + (1 - 0.495) + 0.01) / 3}, // uniform marginals; the middle state's best is 0.495
	} {
		m, err := Preset(c.name)
		if err != nil {
			t.Fatal(err)
		}
		if got := m.OffMode(30); math.Abs(got-c.want) > tol {
			t.Errorf("%s: OffMode %.15g, want %.15g", c.name, got, c.want)
		}
	}
	abs := &HMM{Start: []float64{0.25, 0.75}, Transition: [][]float64{{1, 0}, {0, 1}}, Emission: [][]float64{{0.9, 0.1}, {0.6, 0.4}}}
	for _, T := range []int{1, 7} {
		if got := abs.OffMode(T); math.Abs(got-(0.25*0.1+0.75*0.4)) > tol {
			t.Errorf("absorbing chain, T %d: OffMode %v, want 0.325", T, got)
		}
	}
	// A chain that moves: start in state 0 (never misses), then state 1
	// (misses 0.4) from t = 1 on: (T-1)/T * 0.4.
	mv := &HMM{Start: []float64{1, 0}, Transition: [][]float64{{0, 1}, {0, 1}}, Emission: [][]float64{{1, 0}, {0.6, 0.4}}}
	if got := mv.OffMode(5); math.Abs(got-0.4*4/5) > tol {
		t.Errorf("moving chain: OffMode %v, want %v", got, 0.4*4/5)
	}
	if abs.OffMode(0) != 0 {
		t.Error("T = 0: want 0")
	}
}
