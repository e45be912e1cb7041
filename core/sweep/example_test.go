package sweep_test

import (
	"fmt"
	"log"

	"hmmrnn/core/sweep"
)

func ExampleExpand() {
	grid := `{
	 "name": "demo",
	 "train": {"steps": 500, "batch": 512},
	 "blocks": [
	  {"hmm": ["linear2", "linear3"], "hidden": [50], "input": [1, 10], "seeds": [1]},
	  {"hmm": ["cyclic4"], "hidden": [150], "input": [10], "seeds": [1], "tag": "long", "train": {"steps": 2000}}
	 ]
	}`
	g, err := sweep.ParseGrid([]byte(grid), ".")
	if err != nil {
		log.Fatal(err)
	}
	m, err := sweep.Expand(g)
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range m.Entries {
		fmt.Printf("%d %-22s T=%-3d steps=%d batch=%d\n", e.Index, e.ID, e.HMM.SeqLen, e.Train.Steps, e.Train.Batch)
	}
	// Output:
	// 0 linear2-h50-d1-s1      T=100 steps=500 batch=512
	// 1 linear2-h50-d10-s1     T=100 steps=500 batch=512
	// 2 linear3-h50-d1-s1      T=30  steps=500 batch=512
	// 3 linear3-h50-d10-s1     T=30  steps=500 batch=512
	// 4 cyclic4-h150-d10-s1-long T=40  steps=2000 batch=512
}

func ExampleParseIndices() {
	idx, err := sweep.ParseIndices("0-2,7", 10)
	fmt.Println(idx, err)
	fmt.Println(sweep.FormatIndices([]int{9, 3, 4, 5, 0}))
	// Output:
	// [0 1 2 7] <nil>
	// 0,3-5,9
}
