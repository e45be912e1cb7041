package model_test

import (
	"fmt"
	"log"

	"hmmrnn/core/hmm"
	"hmmrnn/core/model"
	"hmmrnn/core/rnn"
)

// Write a network and its target HMM as a model file and read it back.
// Parse validates everything it reads, so a file that parses can be run.
func Example() {
	m, err := hmm.Preset("linear2")
	if err != nil {
		log.Fatal(err)
	}
	net := &rnn.Net{
		H: 2, D: 1, O: 3,
		Win:  []float64{1, -1},
		Whh:  []float64{0.5, 0, 0, 0.5},
		Wout: []float64{1, 0, 0, 0, 0, 1},
	}
	f := &model.File{HMM: m, RNN: net, NoiseStd: 1}
	data, err := f.Marshal()
	if err != nil {
		log.Fatal(err)
	}
	g, err := model.Parse(data)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(g.Format, g.HMM.States(), g.HMM.SeqLen, g.RNN.H, g.RNN.Whh, g.NoiseStd)

	// A file missing a required field is refused with the field's name.
	_, err = model.Parse([]byte(`{"format": "hmmrnn-model", "hmm": {"transition": [[1]], "emission": [[0.5, 0.5]], "start": [1], "seq_len": 10}, "rnn": {}}`))
	fmt.Println(err)
	// Output:
	// hmmrnn-model 2 100 2 [0.5 0 0 0.5] 1
	// model: missing field "noise_std"
}
