package report_test

import (
	"fmt"
	"log"
	"math/rand/v2"
	"slices"

	"hmmrnn/core/model"
	"hmmrnn/core/report"
	"hmmrnn/core/rnn"
)

// Analyse a network and list the files `hmmrnn analyze --out DIR` would
// write. Here a trained 2-state network (H 150, D 100), and only the
// input-free analyses (core/METHOD.md section 5.2) on a short run; without
// Options.Only every analysis runs.
func ExampleAnalyze() {
	f, err := model.Load("../internal/testdata/linear2-blips.json")
	if err != nil {
		log.Fatal(err)
	}
	rep, err := report.Analyze(report.Input{Name: "linear2", Net: f.RNN, HMM: f.HMM, NoiseStd: f.NoiseStd},
		report.Options{Seed: 1, Only: []string{"collapse"}, PCASteps: 2000})
	if err != nil {
		log.Fatal(err)
	}
	c := rep.Collapse
	fmt.Printf("%d input-free runs of %d steps end at %d point(s); one fixed point: %v\n",
		c.Runs, c.Steps, c.Endpoints, *rep.Checks.OneFixedPoint)
	files, err := rep.Files() // report.json, index.html and one SVG per figure
	if err != nil {
		log.Fatal(err)
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	fmt.Println(names)
	// Output:
	// 100 input-free runs of 500 steps end at 1 point(s); one fixed point: true
	// [collapse.svg index.html orbit.svg orbit13.svg report.json]
}

// Unknown analysis names are refused before anything runs.
func ExampleAnalyze_unknown() {
	net, err := rnn.New(4, 2, 3, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		log.Fatal(err)
	}
	_, err = report.Analyze(report.Input{Net: net}, report.Options{Only: []string{"orbit"}})
	fmt.Println(err)
	// Output: report: unknown analysis "orbit" (known: pca, collapse, fixed, residency, sensitivity, noise, kick, causal, evolution, readout, compose)
}
