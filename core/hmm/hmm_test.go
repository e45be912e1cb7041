package hmm

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
)

func TestPresetsValid(t *testing.T) {
	// core/METHOD.md section 1: states and default sequence lengths.
	want := map[string]struct{ M, T int }{
		"linear2": {2, 100}, "linear3": {3, 30}, "linear4": {4, 30},
		"linear5": {5, 40}, "fully3": {3, 30}, "cyclic4": {4, 40},
	}
	names := PresetNames()
	if len(names) != len(want) {
		t.Fatalf("PresetNames() = %v, want %d names", names, len(want))
	}
	for _, name := range names {
		m, err := Preset(name)
		if err != nil {
			t.Fatalf("Preset(%q): %v", name, err)
		}
		if err := m.Validate(); err != nil {
			t.Errorf("Preset(%q) invalid: %v", name, err)
		}
		w := want[name]
		if m.States() != w.M || m.Outputs() != PaperOutputs || m.SeqLen != w.T || m.Name != name {
			t.Errorf("%s: M=%d O=%d T=%d name=%q, want M=%d O=3 T=%d", name, m.States(), m.Outputs(), m.SeqLen, m.Name, w.M, w.T)
		}
		for s, p := range m.Start {
			if math.Abs(p-1/float64(w.M)) > 1e-15 {
				t.Errorf("%s: start[%d] = %v, want uniform", name, s, p)
			}
		}
	}
	if _, err := Preset("linear9"); err == nil || !strings.Contains(err.Error(), "linear2") {
		t.Errorf("Preset(linear9) error = %v, want one listing the known names", err)
	}
}

func TestPresetMatrices(t *testing.T) {
	const tol = 1e-15
	// q = 0.05^(1/(M-1)) (core/METHOD.md section 1).
	for _, tc := range []struct {
		name string
		M    int
		q    float64
	}{{"linear2", 2, 0.05}, {"linear3", 3, math.Sqrt(0.05)}, {"linear4", 4, math.Cbrt(0.05)}, {"linear5", 5, math.Sqrt(math.Sqrt(0.05))}} {
		m, _ := Preset(tc.name)
		A, E := m.Transition, m.Emission
		if math.Abs(A[0][1]-tc.q) > tol || math.Abs(A[0][0]-(1-tc.q)) > tol {
			t.Errorf("%s row 0 = %v, want [1-q q ...] with q=%v", tc.name, A[0], tc.q)
		}
		if math.Abs(A[tc.M-1][tc.M-2]-tc.q) > tol {
			t.Errorf("%s last row = %v", tc.name, A[tc.M-1])
		}
		for i := 1; i < tc.M-1; i++ {
			if math.Abs(A[i][i]-(1-2*tc.q)) > tol || math.Abs(A[i][i-1]-tc.q) > tol || math.Abs(A[i][i+1]-tc.q) > tol {
				t.Errorf("%s interior row %d = %v", tc.name, i, A[i])
			}
		}
		for i := range E {
			a := float64(i) / float64(tc.M-1)
			w := []float64{0.99 * (1 - a), 0.01, 0.99 * a}
			for k := range w {
				if math.Abs(E[i][k]-w[k]) > tol {
					t.Errorf("%s emission row %d = %v, want %v", tc.name, i, E[i], w)
				}
			}
		}
	}
	f, _ := Preset("fully3")
	if f.Transition[1][1] != 0.95 || f.Transition[1][2] != 0.025 || f.Emission[2][2] != 0.98 || f.Emission[2][0] != 0.01 {
		t.Errorf("fully3 = %v %v", f.Transition, f.Emission)
	}
	c, _ := Preset("cyclic4")
	if c.Transition[0][2] != 0 || c.Transition[3][0] != 0.025 || c.Emission[3][1] != 0.9 || c.Emission[2][0] != 0 {
		t.Errorf("cyclic4 = %v %v", c.Transition, c.Emission)
	}
	// Presets are fresh copies.
	c.Transition[0][0] = 7
	if c2, _ := Preset("cyclic4"); c2.Transition[0][0] != 0.95 {
		t.Error("Preset returned shared matrices")
	}
}

func valid2() *HMM {
	return &HMM{
		Start:      []float64{0.5, 0.5},
		Transition: [][]float64{{0.9, 0.1}, {0.2, 0.8}},
		Emission:   [][]float64{{0.7, 0.3}, {0.1, 0.9}},
		SeqLen:     10,
	}
}

func TestValidateErrors(t *testing.T) {
	big := func(n int) *HMM {
		m := &HMM{Start: make([]float64, n), Transition: make([][]float64, n), Emission: make([][]float64, n), SeqLen: 1}
		for i := range m.Transition {
			m.Transition[i] = make([]float64, n)
			m.Transition[i][i] = 1
			m.Emission[i] = []float64{1, 0}
		}
		m.Start[0] = 1
		return m
	}
	for _, tc := range []struct {
		name   string
		mutate func(m *HMM) *HMM
		want   []string // substrings of the error
	}{
		{"negative transition", func(m *HMM) *HMM { m.Transition[1] = []float64{-0.1, 1.1}; return m }, []string{"transition row 1", "entry 0", "negative"}},
		{"NaN emission", func(m *HMM) *HMM { m.Emission[0][1] = math.NaN(); return m }, []string{"emission row 0", "entry 1", "NaN"}},
		{"Inf transition", func(m *HMM) *HMM { m.Transition[0][0] = math.Inf(1); return m }, []string{"transition row 0", "+Inf"}},
		{"row sum", func(m *HMM) *HMM { m.Transition[1] = []float64{0.2, 0.7}; return m }, []string{"transition row 1", "sums to 0.9"}},
		{"emission row sum", func(m *HMM) *HMM { m.Emission[1] = []float64{0.5, 0.5 + 2e-6}; return m }, []string{"emission row 1", "sums to 1.000002"}},
		{"within tolerance", func(m *HMM) *HMM { m.Emission[1] = []float64{0.5, 0.5 + 5e-7}; return m }, nil},
		{"short transition row", func(m *HMM) *HMM { m.Transition[1] = []float64{1}; return m }, []string{"transition row 1", "expected 2 entries, got 1"}},
		{"emission row length", func(m *HMM) *HMM { m.Emission[1] = []float64{0.5, 0.25, 0.25}; return m }, []string{"emission row 1", "expected 2 entries, got 3"}},
		{"emission rows", func(m *HMM) *HMM { m.Emission = m.Emission[:1]; return m }, []string{"emission", "expected 2 rows", "got 1"}},
		{"start length", func(m *HMM) *HMM { m.Start = []float64{1}; return m }, []string{"start", "expected 2 entries", "got 1"}},
		{"start not distribution", func(m *HMM) *HMM { m.Start = []float64{0.5, 0.6}; return m }, []string{"start", "sums to 1.1"}},
		{"start negative", func(m *HMM) *HMM { m.Start = []float64{1.5, -0.5}; return m }, []string{"start", "entry 1", "negative"}},
		{"zero states", func(m *HMM) *HMM { return &HMM{SeqLen: 1} }, []string{"zero states"}},
		{"one output", func(m *HMM) *HMM { m.Emission = [][]float64{{1}, {1}}; return m }, []string{"emission row 0", "1 outputs", "at least 2"}},
		{"seq_len", func(m *HMM) *HMM { m.SeqLen = 0; return m }, []string{"seq_len", "0"}},
		// seq_len 1e9 in a file made eval allocate 5 TB; the loss
		// takes at most 255 (sinkhorn.MaxSeqLen), so Validate refuses more.
		{"seq_len above the loss's limit", func(m *HMM) *HMM { m.SeqLen = 256; return m }, []string{"seq_len is 256", "1..255"}},
		{"seq_len 1e9", func(m *HMM) *HMM { m.SeqLen = 1e9; return m }, []string{"seq_len is 1000000000", "1..255"}},
		{"seq_len at the limit", func(m *HMM) *HMM { m.SeqLen = 255; return m }, nil},
		{"too many states", func(*HMM) *HMM { return big(256) }, []string{"256 states", "255"}},
		{"max states ok", func(*HMM) *HMM { return big(255) }, nil},
		{"too many outputs", func(m *HMM) *HMM {
			m.Emission = [][]float64{make([]float64, 256), make([]float64, 256)}
			m.Emission[0][0], m.Emission[1][0] = 1, 1
			return m
		}, []string{"emission row 0", "256 outputs"}},
		{"nil", func(*HMM) *HMM { return nil }, []string{"nil"}},
	} {
		err := tc.mutate(valid2()).Validate()
		if tc.want == nil {
			if err != nil {
				t.Errorf("%s: unexpected error %v", tc.name, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not mention %q", tc.name, err, w)
			}
		}
	}
}

func TestNewCopiesAndValidates(t *testing.T) {
	v := valid2()
	m, err := New("two", v.Start, v.Transition, v.Emission, 5)
	if err != nil {
		t.Fatal(err)
	}
	v.Transition[0][0] = 3
	v.Start[0] = 9
	if m.Transition[0][0] != 0.9 || m.Start[0] != 0.5 || m.Name != "two" || m.SeqLen != 5 {
		t.Errorf("New did not copy: %+v", m)
	}
	if _, err := New("bad", v.Start, v.Transition, v.Emission, 5); err == nil || !strings.Contains(err.Error(), "start") {
		t.Errorf("New on a bad model: err = %v", err)
	}
	c := m.Clone()
	c.Emission[1][1] = 0
	if m.Emission[1][1] != 0.9 || !reflect.DeepEqual(m.Clone(), m) {
		t.Error("Clone is not a deep copy")
	}
}

func TestParse(t *testing.T) {
	m, err := Parse([]byte(`{"name":"x","start":[1,0],"transition":[[0.5,0.5],[0,1]],"emission":[[1,0],[0.25,0.75]],"seq_len":7}`))
	if err != nil {
		t.Fatal(err)
	}
	if m.States() != 2 || m.Outputs() != 2 || m.SeqLen != 7 || m.Emission[1][1] != 0.75 {
		t.Errorf("parsed %+v", m)
	}
	for _, tc := range []struct{ in, want string }{
		{`{"start":[1,0],"transition":[[0.5,0.5],[0,1]],"emission":[[1,0],[0.25,0.75]],"seq_len":7,"transitions":[]}`, "unknown field"},
		{`{"start":[1,0],"transition":[[0.5,0.5],[0,1]],"emission":[[1,0],[0.25,0.75]],"seq_len":7} {}`, "trailing"},
		{`{"start":[1,0],"transition":[[0.5,0.5],[0,1]],"emission":[[1,0],[0.25,0.85]],"seq_len":7}`, "emission row 1"},
		{`{"start":[1,0],"transition":[[0.5,0.5],null],"emission":[[1,0],[0.25,0.75]],"seq_len":7}`, "transition row 1"},
		{`{"start":[1,0],"transition":[[0.5,0.5],[0,1]],"emission":[[1,0],[0.25,0.75]]}`, "seq_len"},
		{`{"start":[1,0],`, "parse"},
		{`{"start":[1,0],"transition":[[0.5,0.5],[0,1]],"emission":[[1,0],[0.25,0.75]],"seq_len":10000}`, "seq_len is 10000, want 1..255"},
		{`{"start":[1,0],"transition":[[0.5,0.5],[0,1]],"emission":[[1,0],[0.25,0.75]],"seq_len":2000000000000000000}`, "seq_len is 2000000000000000000"},
		{`{"start":[1,0],"transition":[[0.5,0.5],[0,1]],"emission":[[1,0],[0.25,0.75]],"seq_len":1e30}`, "parse"},
		{`null`, "zero states"},
	} {
		if _, err := Parse([]byte(tc.in)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%s): err = %v, want mention of %q", tc.in, err, tc.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range PresetNames() {
		m, _ := Preset(name)
		b, _ := json.Marshal(m)
		f.Add(b)
	}
	f.Add([]byte(`{"start":[1],"transition":[[1]],"emission":[[0.5,0.5]],"seq_len":1}`))
	f.Add([]byte(`{"start":[1],"transition":[[1]],"emission":[[0.5,0.5]],"seq_len":-1}`))
	f.Add([]byte(`{"start":[],"transition":[[]],"emission":[[]]}`))
	f.Add([]byte(`[1,2]`))
	f.Add([]byte(`{"start":[1],"transition":[[1]],"emission":[[0.5,0.5]],"seq_len":1e9}`))
	f.Add([]byte(`{"start":[1],"transition":[[1]],"emission":[[0.5,0.5]],"seq_len":2e18}`))
	f.Add([]byte(`{"start":[1],"transition":[[1]],"emission":[[0.5,0.5]],"seq_len":255}`))
	f.Add([]byte(`{"start":[1,0],"transition":[[0.5,0.5],[0,1]],"emission":[[1,0],[0.25,0.75]],"seq_len":7,"format":"hmmrnn-model"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse(data)
		if err != nil {
			return
		}
		if err := m.Validate(); err != nil {
			t.Fatalf("Parse accepted an invalid model: %v", err)
		}
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		m2, err := Parse(b)
		if err != nil {
			t.Fatalf("round trip of %s: %v", b, err)
		}
		if !reflect.DeepEqual(m, m2) {
			t.Fatalf("round trip changed the model: %+v vs %+v", m, m2)
		}
	})
}

func TestIsChain(t *testing.T) {
	for _, c := range []struct {
		name string
		want bool
	}{{"linear2", true}, {"linear3", true}, {"linear4", true}, {"linear5", true}, {"fully3", false}, {"cyclic4", false}} {
		m, err := Preset(c.name)
		if err != nil {
			t.Fatal(err)
		}
		if m.IsChain() != c.want {
			t.Errorf("%s: IsChain %v, want %v", c.name, m.IsChain(), c.want)
		}
	}
	// A chain whose middle state may jump two states away is not one.
	m, _ := Preset("linear3")
	m.Transition[0] = []float64{0.9, 0.05, 0.05}
	if m.IsChain() {
		t.Error("linear3 with a 0 -> 2 transition: IsChain true")
	}
}
