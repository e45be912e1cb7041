package train

import (
	"testing"

	"hmmrnn/core/hmm"
)

// TestMemoryCalibration holds the calibration of MemoryBytes: peak resident
// set sizes measured with
//
//	GOMAXPROCS=1 /usr/bin/time -v hmmrnn train --hmm linear2 --batch B --seq-len T \
//	    --hidden H --input D --val-every V --steps 3
//
// (linux/amd64, Go 1.26; "Maximum resident set size"). The estimate must
// not fall below a measured peak (a refused run would then have fitted
// while an accepted one may not) nor exceed it by more than 2.5x (which
// would refuse runs the machine can hold).
func TestMemoryCalibration(t *testing.T) {
	m, err := hmm.Preset("linear2")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		B, T, H, D, V int
		peakKB        int64
	}{
		{256, 30, 50, 10, 100, 22956},
		{2048, 30, 50, 10, 0, 67252},
		{4096, 30, 50, 10, 0, 167348},
		{256, 30, 1024, 10, 0, 752188},
		{1024, 100, 256, 256, 0, 404988},
		{512, 200, 128, 64, 0, 146548},
		{64, 30, 2048, 10, 0, 2776848},
	} {
		c := DefaultConfig(m)
		c.Batch, c.SeqLen, c.Hidden, c.Input, c.ValEvery = tc.B, tc.T, tc.H, tc.D, tc.V
		est, peak := c.MemoryBytes(), tc.peakKB<<10
		ratio := float64(est) / float64(peak)
		t.Logf("B=%d T=%d H=%d D=%d val-every=%d: estimate %d MB, measured %d MB (x%.2f)", tc.B, tc.T, tc.H, tc.D, tc.V, est>>20, peak>>20, ratio)
		if ratio < 1 || ratio > 2.5 {
			t.Errorf("B=%d T=%d H=%d D=%d: estimate %d bytes is %.2f x the measured peak %d", tc.B, tc.T, tc.H, tc.D, est, ratio, peak)
		}
	}
}
