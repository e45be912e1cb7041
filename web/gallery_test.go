package web

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"hmmrnn/core/dynamics"
	"hmmrnn/core/hmm"
	"hmmrnn/core/model"
	"hmmrnn/core/stats"
	"hmmrnn/core/train"
)

// The gallery's margin over the fit criterion: a visitor who opens a
// gallery network is told it emulates its HMM, so each must meet the
// criterion on a fresh sample of 5,000 sequences (at its own trained T)
// with room to spare, not by sampling luck. These are the gallery's
// targets of the training issue: transition rows within 0.04 of the exact
// ones (criterion 0.05), frequencies within 0.025 (criterion 0.03) and
// changes per sequence within 10% (criterion 15%); the dwell-time figure
// must meet the criterion's own limit.
const (
	gallerySeqs     = 5000
	galleryTrans    = 0.04
	galleryFreq     = 0.025
	galleryVolatile = 0.10
)

// TestGalleryMeetsTheCriterion evaluates every gallery network on a fresh
// sample (a seed none of them was checked with in training), checks the
// margin above and that the network is in the paper's noise-driven
// regime. It also checks that each file says how it was made
// without a machine's paths: its recorded command starts from random
// weights (no --init) and names no absolute file.
func TestGalleryMeetsTheCriterion(t *testing.T) {
	if testing.Short() {
		t.Skip("evaluates 5,000 sequences per gallery network")
	}
	files, err := filepath.Glob(filepath.Join("gallery", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no gallery files (%v)", err)
	}
	names := map[string]bool{}
	for _, path := range files {
		f, err := model.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		names[f.HMM.Name] = true
		t.Run(f.HMM.Name, func(t *testing.T) {
			if f.Training == nil {
				t.Fatalf("%s has no training record", path)
			}
			for _, arg := range strings.Fields(f.Training.Command) {
				if arg == "--init" || strings.HasPrefix(arg, "--init=") || strings.HasPrefix(arg, "/") {
					t.Errorf("%s: command %q: want a run from random weights naming no machine's path (%q)", path, f.Training.Command, arg)
				}
			}
			const seed = 20261205 // not a training seed: a sample the run never saw
			rep, err := train.EvaluateFile(f, gallerySeqs, 0, seed, stats.Options{SkipMatch: true})
			if err != nil {
				t.Fatal(err)
			}
			res := stats.JudgeFit(rep)
			margin := map[string]float64{stats.FitFreq: galleryFreq, stats.FitTrans: galleryTrans, stats.FitVolatility: galleryVolatile}
			var line []string
			for _, fig := range res.Figures {
				line = append(line, fmt.Sprintf("%s %.4f (limit %.3f, floor %.4f)", fig.Name, fig.Value, fig.Limit, fig.Floor))
				if m, ok := margin[fig.Name]; ok && !(fig.Value <= m) {
					t.Errorf("%s: %s %.4f, want <= %v (the gallery's margin)", path, fig.Name, fig.Value, m)
				}
			}
			if !res.OK {
				t.Errorf("%s fails the fit criterion on %d fresh sequences: %s", path, gallerySeqs, strings.Join(line, "; "))
			}
			// And it works by the paper's mechanism: bounded, switching
			// persistently on noise, collapsing to one fixed point
			// without it (core/METHOD.md section 5.9).
			reg, err := train.RegimeOf(f.RNN, f.NoiseStd, seed)
			if err != nil {
				t.Fatal(err)
			}
			if !reg.NoiseDriven {
				t.Errorf("%s is not in the noise-driven regime: %s", path, dynamics.RegimeName(reg))
			}
			t.Logf("%s, T %d: %s; regime %s", path, rep.T, strings.Join(line, "; "), dynamics.RegimeName(reg))
		})
	}
	for _, name := range hmm.PresetNames() {
		if !names[name] {
			t.Errorf("the gallery has no %s network", name)
		}
	}
}
