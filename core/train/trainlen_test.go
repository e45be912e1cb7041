package train

import (
	"context"
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

// A run whose training sequences are capped trains exactly as a run on
// sequences of the capped length (the same targets, noise and updates),
// while its checks judge whole sequences; the cap is recorded and resumed.
func TestTrainSeqLen(t *testing.T) {
	for _, data := range []string{DataFresh, DataFixed} {
		c := smallConfig(t, data)
		c.ValEvery = 0 // validation judges whole sequences, so its draws differ
		capped := c
		capped.SeqLen, capped.TrainSeqLen = 20, 8
		short := c
		short.SeqLen = 8
		a, err := New(capped)
		if err != nil {
			t.Fatal(err)
		}
		b, err := New(short)
		if err != nil {
			t.Fatal(err)
		}
		run(t, a, 5)
		run(t, b, 5)
		if !sameNet(a.Net(), b.Net()) {
			t.Errorf("%s: a run capped at 8 of 20 steps trained otherwise than a run of 8", data)
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
			t.Errorf("%s: a resumed capped run differs from the uninterrupted one", data)
		}
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

	// Training on shorter sequences needs less memory.
	whole := c
	whole.TrainSeqLen = 0
	if c.MemoryBytes() >= whole.MemoryBytes() {
		t.Errorf("memory estimate capped %d, whole %d: want the capped one smaller", c.MemoryBytes(), whole.MemoryBytes())
	}

	for _, n := range []int{-1, 256} {
		bad := c
		bad.TrainSeqLen = n
		if _, err := New(bad); err == nil || !strings.Contains(err.Error(), "train-seq-len") {
			t.Errorf("train-seq-len %d: error %v, want one naming train-seq-len", n, err)
		}
	}
}
