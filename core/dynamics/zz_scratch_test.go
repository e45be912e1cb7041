package dynamics_test

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	"hmmrnn/core/dynamics"
	"hmmrnn/core/model"
)

func TestZZExplore(t *testing.T) {
	f, err := model.Load("/work/models/ref2.json")
	if err != nil {
		t.Skip(err)
	}
	net := f.RNN
	sim, _ := dynamics.NewSim(net, 1, dynamics.Intervention{})
	r := rand.New(rand.NewPCG(1, 2))
	run, _ := sim.Simulate(r, 30000, nil, false)
	ev, _ := dynamics.NewRateEval(net, 1, 5, run, dynamics.RateOptions{Chains: 32, Steps: 400})
	base, _ := ev.Runs(dynamics.Intervention{})
	bh := dynamics.Hazards(3, base...)
	fmt.Println("base", ev.Base, bh[0][2], bh[2][0])
	type res struct {
		i        int
		c02, c20 float64
	}
	t0 := time.Now()
	mode := dynamics.Both
	var rs []res
	for i := 0; i < net.H; i++ {
		iv, _ := dynamics.Scale(net.H, []int{i}, 0, mode)
		runs, _ := ev.Runs(iv)
		h := dynamics.Hazards(3, runs...)
		rs = append(rs, res{i, 1 - h[0][2]/bh[0][2], 1 - h[2][0]/bh[2][0]})
	}
	fmt.Println("screen", time.Since(t0))
	sort.Slice(rs, func(a, b int) bool { return rs[a].c02 > rs[b].c02 })
	var set02, set20 []int
	for _, x := range rs[:7] {
		set02 = append(set02, x.i)
	}
	sort.Slice(rs, func(a, b int) bool { return rs[a].c20 > rs[b].c20 })
	for _, x := range rs[:7] {
		set20 = append(set20, x.i)
	}
	for k := 1; k <= 7; k++ {
		iv, _ := dynamics.Scale(net.H, set02[:k], 0, mode)
		runs, _ := ev.Runs(iv)
		h := dynamics.Hazards(3, runs...)
		iv2, _ := dynamics.Scale(net.H, set20[:k], 0, mode)
		runs2, _ := ev.Runs(iv2)
		h2 := dynamics.Hazards(3, runs2...)
		both := append(append([]int{}, set02[:k]...), set20[:k]...)
		iv3, _ := dynamics.Scale(net.H, both, 0, mode)
		runs3, _ := ev.Runs(iv3)
		fmt.Printf("k=%d cut02 %.2f cut20 %.2f overall rate cut %.2f\n", k, 1-h[0][2]/bh[0][2], 1-h2[2][0]/bh[2][0], 1-dynamics.TransitionRate(runs3...)/ev.Base)
	}
	fmt.Println(set02, set20)
}
