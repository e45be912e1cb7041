package build

import (
	"hmmrnn/core/hmm"
	"hmmrnn/core/train"
)

// smallModel trains a small network on the 2-state chain for the gallery
// test (a few hundred steps: the weights only need to be a valid model).
func smallModel() ([]byte, error) {
	m, err := hmm.Preset("linear2")
	if err != nil {
		return nil, err
	}
	cfg := train.DefaultConfig(m)
	cfg.Hidden, cfg.Input, cfg.Batch, cfg.ValEvery = 16, 4, 64, 0
	tr, err := train.New(cfg)
	if err != nil {
		return nil, err
	}
	for range 100 {
		if _, err := tr.Step(); err != nil {
			return nil, err
		}
	}
	f, err := tr.Snapshot(false, "build test: 100 steps", 0)
	if err != nil {
		return nil, err
	}
	return f.Marshal()
}
