package train

import (
	"context"
	"slices"
	"strings"
	"testing"
)

func TestTrainLen(t *testing.T) {
	for _, c := range []struct{ cap, seqLen, want int }{
		{0, 20, 20},  // no cap: whole sequences
		{8, 20, 8},   // the cap
		{20, 20, 20}, // a cap of the whole length
		{30, 20, 20}, // a cap longer than the sequences does nothing
	} {
		cfg := Config{SeqLen: c.seqLen, TrainSeqLen: c.cap}
		if got := cfg.TrainLen(); got != c.want {
			t.Errorf("TrainSeqLen %d, SeqLen %d: TrainLen %d, want %d", c.cap, c.seqLen, got, c.want)
		}
	}
}

// A run on windows is deterministic, recorded and resumed bit for bit; a
// window of the whole length is no window; the checks judge whole
// sequences.
func TestTrainSeqLen(t *testing.T) {
	for _, data := range []string{DataFresh, DataFixed} {
		c := smallConfig(t, data)
		c.ValEvery = 0
		c.SeqLen = 20
		whole, long := c, c
		long.TrainSeqLen = 20
		a, err := New(whole)
		if err != nil {
			t.Fatal(err)
		}
		b, err := New(long)
		if err != nil {
			t.Fatal(err)
		}
		run(t, a, 3)
		run(t, b, 3)
		if !sameNet(a.Net(), b.Net()) {
			t.Errorf("%s: a window of the whole sequence trained otherwise than whole sequences", data)
		}
		windowed := c
		windowed.TrainSeqLen = 8
		if a, err = New(windowed); err != nil {
			t.Fatal(err)
		}
		if b, err = New(windowed); err != nil {
			t.Fatal(err)
		}
		run(t, a, 5)
		run(t, b, 5)
		if !sameNet(a.Net(), b.Net()) || !slices.Equal(a.Losses(), b.Losses()) {
			t.Errorf("%s: two runs on windows of one seed differ", data)
		}
		f, err := a.Snapshot(false, "", 0)
		if err != nil {
			t.Fatal(err)
		}
		if f.Training.TrainSeqLen != 8 || f.Training.SeqLen != 20 {
			t.Errorf("%s: recorded train_seq_len %d, seq_len %d; want 8 and 20", data, f.Training.TrainSeqLen, f.Training.SeqLen)
		}
		back, err := Resume(f)
		if err != nil || back.Config().TrainLen() != 8 {
			t.Fatalf("%s: resumed: %v, train length %d; want 8", data, err, back.Config().TrainLen())
		}
		run(t, a, 2)
		run(t, back, 2)
		if !sameNet(a.Net(), back.Net()) {
			t.Errorf("%s: a resumed run on windows differs from the uninterrupted one", data)
		}
	}

	// The soft-sample term compares the windows' soft samples.
	soft := smallConfig(t, DataFresh)
	soft.SeqLen, soft.TrainSeqLen, soft.SoftWeight = 20, 8, 1
	st, err := New(soft)
	if err != nil {
		t.Fatal(err)
	}
	plain := soft
	plain.SoftWeight = 0
	pt, _ := New(plain)
	run(t, st, 2)
	run(t, pt, 2)
	if sameNet(st.Net(), pt.Net()) {
		t.Error("the soft-sample term did not change a run on windows")
	}

	// The monitor's checks evaluate sequences of the run's whole length.
	c := smallConfig(t, DataFresh)
	c.SeqLen, c.TrainSeqLen = 20, 8
	tr, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	r := NewRun(tr)
	r.Monitor = DefaultMonitor(2, 50)
	var judged []int
	r.Hooks.Check = func(c Check) { judged = append(judged, c.Report.T) }
	if _, err := r.Advance(context.Background(), Limit{Steps: 4}); err != nil {
		t.Fatal(err)
	}
	if len(judged) != 2 || judged[0] != 20 || judged[1] != 20 {
		t.Errorf("checks judged sequences of lengths %v, want two of 20", judged)
	}

	for _, n := range []int{-1, 256} {
		bad := c
		bad.TrainSeqLen = n
		if _, err := New(bad); err == nil || !strings.Contains(err.Error(), "train-seq-len") {
			t.Errorf("train-seq-len %d: error %v, want one naming train-seq-len", n, err)
		}
	}
}

// The window of a step: steps off+1..off+L of every sequence, and its
// gradient spread back over whole sequences with zeros elsewhere.
func TestWindow(t *testing.T) {
	w := window{b: 2, T: 5, L: 2, O: 2, off: 3}
	x := []uint8{0, 1, 2, 3, 4, 10, 11, 12, 13, 14}
	var buf []uint8
	if got := w.symbols(&buf, x); !slices.Equal(got, []uint8{3, 4, 13, 14}) {
		t.Errorf("symbols: %v, want [3 4 13 14]", got)
	}
	f := make([]float64, 2*5*2) // sequence i, step s, symbol o: 100i + 10s + o
	for i := range 2 {
		for s := range 5 {
			f[(i*5+s)*2], f[(i*5+s)*2+1] = float64(100*i+10*s), float64(100*i+10*s+1)
		}
	}
	var fb, spread []float64
	got := w.floats(&fb, f)
	if want := []float64{30, 31, 40, 41, 130, 131, 140, 141}; !slices.Equal(got, want) {
		t.Errorf("floats: %v, want %v", got, want)
	}
	back := w.spread(&spread, got)
	for k, v := range back {
		step := k / 2 % 5
		want := 0.0
		if step >= 3 {
			want = f[k]
		}
		if v != want {
			t.Errorf("spread[%d] (step %d) = %v, want %v", k, step, v, want)
		}
	}
	// The buffers are reused, and spread clears what an earlier window left.
	w.off = 0
	back = w.spread(&spread, []float64{1, 1, 1, 1, 1, 1, 1, 1})
	if back[6] != 0 || back[0] != 1 || &back[0] != &spread[0] {
		t.Errorf("spread with a new offset: %v", back)
	}
}
