package hmm

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// zTol is the tolerance of the sampling tests in standard errors. With
// about 300 checks and fixed seeds, a correct sampler fails a 5-sigma check
// with probability below 1e-4 per seed; a wrong one (e.g. a transition off
// by 0.01 at n = 20000) is many sigmas away.
const zTol = 5

// meanVar returns the mean, the variance (ddof 0) and the standard errors of
// both for the values x (independent draws).
func meanVar(x []float64) (mean, variance, seMean, seVar float64) {
	n := float64(len(x))
	for _, v := range x {
		mean += v
	}
	mean /= n
	m4 := 0.0
	for _, v := range x {
		d := (v - mean) * (v - mean)
		variance += d
		m4 += d * d
	}
	variance /= n
	m4 /= n
	return mean, variance, math.Sqrt(variance / n), math.Sqrt(math.Max(m4-variance*variance, 0) / n)
}

func near(got, want, se float64) bool { return math.Abs(got-want) <= zTol*se+1e-12 }

func TestSampleMatchesExact(t *testing.T) {
	const n = 20000
	for pi, name := range PresetNames() {
		m, _ := Preset(name)
		T, O := m.SeqLen, m.Outputs()
		r := rand.New(rand.NewPCG(1, uint64(pi)))
		obs, _ := m.Sample(r, n, T)
		ex := m.Exact(T)
		freq := make([][]float64, O) // per-sequence fraction of symbol k
		changes := make([]float64, n)
		pair := make([][]float64, O*O) // per-sequence pair counts
		row := make([][]float64, O)
		for k := range freq {
			freq[k] = make([]float64, n)
			row[k] = make([]float64, n)
		}
		for k := range pair {
			pair[k] = make([]float64, n)
		}
		for i := 0; i < n; i++ {
			o := obs[i*T : (i+1)*T]
			for t, s := range o {
				freq[s][i] += 1 / float64(T)
				if t > 0 {
					pair[int(o[t-1])*O+int(s)][i]++
					row[o[t-1]][i]++
					if s != o[t-1] {
						changes[i]++
					}
				}
			}
		}
		for k := 0; k < O; k++ {
			mean, v, se, seV := meanVar(freq[k])
			if !near(mean, ex.Freq[k], se) {
				t.Errorf("%s freq[%d] sample %.5f exact %.5f (se %.5f)", name, k, mean, ex.Freq[k], se)
			}
			if !near(v, ex.FreqStd[k]*ex.FreqStd[k], seV) {
				t.Errorf("%s var freq[%d] sample %.6f exact %.6f (se %.6f)", name, k, v, ex.FreqStd[k]*ex.FreqStd[k], seV)
			}
			rowMean, _, seRow, _ := meanVar(row[k])
			if !near(rowMean, ex.RowMass[k], seRow) {
				t.Errorf("%s row mass[%d] sample %.4f exact %.4f (se %.4f)", name, k, rowMean, ex.RowMass[k], seRow)
			}
			for j := 0; j < O; j++ {
				// Ratio estimator R = sum a / sum b; delta-method variance
				// sum (a_i - R b_i)^2 / (sum b)^2.
				a, b := pair[k*O+j], row[k]
				sa, sb := 0.0, 0.0
				for i := range a {
					sa += a[i]
					sb += b[i]
				}
				R := sa / sb
				v := 0.0
				for i := range a {
					d := a[i] - R*b[i]
					v += d * d
				}
				se := math.Sqrt(v) / sb
				if !near(R, ex.Trans[k][j], se) {
					t.Errorf("%s trans[%d][%d] sample %.5f exact %.5f (se %.5f)", name, k, j, R, ex.Trans[k][j], se)
				}
			}
		}
		mean, v, se, seV := meanVar(changes)
		if !near(mean, ex.Changes, se) {
			t.Errorf("%s changes sample %.4f exact %.4f (se %.4f)", name, mean, ex.Changes, se)
		}
		if !near(v, ex.ChangesStd*ex.ChangesStd, seV) {
			t.Errorf("%s var changes sample %.4f exact %.4f (se %.4f)", name, v, ex.ChangesStd*ex.ChangesStd, seV)
		}
	}
}

func TestSampleStates(t *testing.T) {
	const n, T = 20000, 40
	m, _ := Preset("cyclic4") // has zero entries in both matrices
	M, O := m.States(), m.Outputs()
	obs, states := m.Sample(rand.New(rand.NewPCG(2, 3)), n, T)
	start := make([]float64, M)
	trans := make([][]float64, M)
	emit := make([][]float64, M)
	for s := range trans {
		trans[s] = make([]float64, M)
		emit[s] = make([]float64, O)
	}
	for i := 0; i < n; i++ {
		start[states[i*T]]++
		for t := 0; t < T; t++ {
			s := states[i*T+t]
			emit[s][obs[i*T+t]]++
			if t > 0 {
				trans[states[i*T+t-1]][s]++
			}
		}
	}
	// Binomial standard errors (pairs within a sequence are Markov, not
	// independent, but conditional on the from-state each draw is a fresh
	// categorical, so the counts are multinomial given the row totals).
	check := func(what string, s int, counts, p []float64) {
		total := 0.0
		for _, c := range counts {
			total += c
		}
		for j, c := range counts {
			if p[j] == 0 {
				if c != 0 {
					t.Errorf("%s row %d: %v draws of zero-probability entry %d", what, s, c, j)
				}
				continue
			}
			se := math.Sqrt(p[j] * (1 - p[j]) / total)
			if !near(c/total, p[j], se) {
				t.Errorf("%s row %d entry %d: %.5f want %.5f (se %.5f)", what, s, j, c/total, p[j], se)
			}
		}
	}
	check("start", 0, start, m.Start)
	for s := 0; s < M; s++ {
		check("transition", s, trans[s], m.Transition[s])
		check("emission", s, emit[s], m.Emission[s])
	}
}

func TestSampleDeterministic(t *testing.T) {
	m, _ := Preset("linear3")
	const n, T = 50, 30
	o1, s1 := m.Sample(rand.New(rand.NewPCG(7, 8)), n, T)
	o2, s2 := m.Sample(rand.New(rand.NewPCG(7, 8)), n, T)
	if !slices.Equal(o1, o2) || !slices.Equal(s1, s2) {
		t.Error("same seed gave different samples")
	}
	o3 := make([]uint8, n*T)
	m.SampleInto(rand.New(rand.NewPCG(7, 8)), o3, nil, n, T)
	if !slices.Equal(o1, o3) {
		t.Error("SampleInto without states draws differently from Sample")
	}
	// Exactly 2*n*T uniforms are consumed.
	r1, r2 := rand.New(rand.NewPCG(7, 8)), rand.New(rand.NewPCG(7, 8))
	m.SampleInto(r1, o3, nil, n, T)
	for i := 0; i < 2*n*T; i++ {
		r2.Float64()
	}
	if r1.Uint64() != r2.Uint64() {
		t.Error("SampleInto did not consume exactly 2*n*T uniforms")
	}
}

func TestDraw(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 5))
	for _, K := range []int{1, 2, 3, 16, 17, 40, 255} {
		p := make([]float64, K)
		for j := range p {
			if r.IntN(3) > 0 { // about a third of the entries are zero
				p[j] = r.Float64()
			}
		}
		p[r.IntN(K)] = 0.5
		c := make([]float64, K)
		cumulate(c, p)
		for trial := 0; trial < 2000; trial++ {
			u := r.Float64()
			if trial == 0 {
				u = math.Nextafter(1, 0)
			}
			got := draw(c, u)
			want := 0
			for want < K-1 && c[want] <= u {
				want++
			}
			if got != want || p[got] == 0 {
				t.Fatalf("K=%d u=%v: draw = %d (p %v), want %d", K, u, got, p[got], want)
			}
		}
	}
}

func BenchmarkSampleInto(b *testing.B) {
	const B, T = 4096, 30 // paper batch (core/METHOD.md section 3), T = 30
	for _, name := range []string{"linear2", "linear5", "cyclic4"} {
		b.Run(name, func(b *testing.B) {
			m, _ := Preset(name)
			obs := make([]uint8, B*T)
			r := rand.New(rand.NewPCG(1, 2))
			for b.Loop() {
				m.SampleInto(r, obs, nil, B, T)
			}
		})
	}
}
