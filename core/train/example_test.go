package train_test

import (
	"fmt"
	"log"

	"hmmrnn/core/hmm"
	"hmmrnn/core/model"
	"hmmrnn/core/train"
)

// Train a small network on the 2-state chain for a few steps. A full run
// takes a few thousand steps at the demo sizes (core/METHOD.md section 3);
// this one is shrunk to run in a fraction of a second.
func Example() {
	m, err := hmm.Preset("linear2")
	if err != nil {
		log.Fatal(err)
	}
	cfg := train.DefaultConfig(m) // the paper's recipe; demo sizes
	cfg.Hidden, cfg.Input, cfg.Batch, cfg.SeqLen = 16, 4, 32, 30
	cfg.ValEvery = 0 // no validation set
	t, err := train.New(cfg)
	if err != nil {
		log.Fatal(err)
	}
	for range 10 {
		if _, err := t.Step(); err != nil {
			log.Fatal(err)
		}
	}
	net := t.Net()
	fmt.Printf("%d steps, %d losses, network H=%d D=%d O=%d\n", t.StepCount(), len(t.Losses()), net.H, net.D, net.O)
	// Output: 10 steps, 10 losses, network H=16 D=4 O=3
}

// A checkpoint written to a model file resumes bit-identically: the next
// step's loss is the one the uninterrupted run gets.
func ExampleResume() {
	m, err := hmm.Preset("linear2")
	if err != nil {
		log.Fatal(err)
	}
	cfg := train.DefaultConfig(m)
	cfg.Hidden, cfg.Input, cfg.Batch, cfg.SeqLen, cfg.ValEvery = 16, 4, 32, 30, 0
	t, err := train.New(cfg)
	if err != nil {
		log.Fatal(err)
	}
	for range 5 {
		if _, err := t.Step(); err != nil {
			log.Fatal(err)
		}
	}
	snap, err := t.Snapshot(false, "example", 0)
	if err != nil {
		log.Fatal(err)
	}
	data, err := snap.Marshal() // what `train --out` writes
	if err != nil {
		log.Fatal(err)
	}
	f, err := model.Parse(data)
	if err != nil {
		log.Fatal(err)
	}
	resumed, err := train.Resume(f)
	if err != nil {
		log.Fatal(err)
	}
	a, err := t.Step()
	if err != nil {
		log.Fatal(err)
	}
	b, err := resumed.Step()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(a.Step, b.Step, a.Loss == b.Loss)
	// Output: 6 6 true
}
