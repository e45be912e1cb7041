//go:build explore

package dynamics

import (
	"fmt"
	"math"
	"os"
	"testing"

	"hmmrnn/core/model"
)

// go test -tags explore -run TestExplore -v ./core/dynamics/
func TestExplore(t *testing.T) {
	path := os.Getenv("MODEL")
	if path == "" {
		path = "/work/models/ref2long.json"
	}
	f, err := model.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	net := f.RNN
	H, D, O := net.H, net.D, net.O
	sim, _ := NewSim(net, 1, Intervention{})
	r := newRand(11)
	warm, _ := sim.Simulate(r, 20, nil, false)
	run, _ := sim.Simulate(r, 30000, warm.State(19), true)
	pca, _ := FitPCA(run.States, run.T, H, 2)
	N := 4000
	t0 := 10000
	res, err := Residency(sim, newRand(12), run.States[t0*H:(t0+N)*H], N, ResidencyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	byZone := map[Zone][]int{}
	for k, rs := range res {
		byZone[rs.Zone] = append(byZone[rs.Zone], t0+k)
	}
	// Also: "pre-switch" states of the run (output changes at the next step).
	var pre []int
	for tt := t0; tt < t0+N; tt++ {
		if run.Out[tt+1] != run.Out[tt] {
			pre = append(pre, tt)
		}
	}
	fmt.Printf("zones: transition %d kick %d cluster %d other %d; run switches %d\n",
		len(byZone[Transition]), len(byZone[KickZone]), len(byZone[Cluster]), len(byZone[Other]), len(pre))
	const S, n = 6, 100
	gam := []float64{0, 0.5, 1}
	rs := newRand(13)
	type acc struct {
		full, pc, drift, path, logit, agree, det, dpc, nf, nfFull [3][S]float64
		cnt                                     int
	}
	eval := func(name string, ts []int) {
		if len(ts) > 80 {
			sel := make([]int, 80)
			for i := range sel {
				sel[i] = ts[i*len(ts)/80]
			}
			ts = sel
		}
		var a acc
		h := make([]float64, n*H)
		nx := make([]float64, n*H)
		x := make([]float64, n*D)
		lg := make([]float64, n*O)
		hd := make([]float64, H)
		hdn := make([]float64, H)
		for _, t := range ts {
			h0 := run.State(t)
			orig := run.Noise[(t+1)*D : (t+1+S)*D]
			copy(hd, h0)
			for g, gamma := range gam {
				for b := 0; b < n; b++ {
					copy(h[b*H:], h0)
				}
				copy(hd, h0)
				for k := 0; k < S; k++ {
					o := orig[k*D : (k+1)*D]
					for b := 0; b < n; b++ {
						for i := 0; i < D; i++ {
							x[b*D+i] = (1-gamma)*o[i] + gamma*rs.NormFloat64()
						}
					}
					sim.step(nx, h, n, x)
					h, nx = nx, h
					if g == 0 {
						sim.step(hdn, hd, 1, nil)
						hd, hdn = hdn, hd
					}
					logits(lg, h, net, n)
					mean := make([]float64, H)
					for b := 0; b < n; b++ {
						for i := 0; i < H; i++ {
							mean[i] += h[b*H+i] / n
						}
					}
					var tr float64
					for b := 0; b < n; b++ {
						for i := 0; i < H; i++ {
							d := h[b*H+i] - mean[i]
							tr += d * d / (n - 1)
						}
					}
					pr := pca.Project(h, n)
					var tp float64
					for c := 0; c < 2; c++ {
						var m, v float64
						for b := 0; b < n; b++ {
							m += pr[b*2+c] / n
						}
						for b := 0; b < n; b++ {
							v += (pr[b*2+c] - m) * (pr[b*2+c] - m) / (n - 1)
						}
						tp += v
					}
					// logit difference l0-l2 (2-state networks use outputs 0 and 2)
					var lm, lv float64
					for b := 0; b < n; b++ {
						lm += (lg[b*O] - lg[b*O+O-1]) / n
					}
					for b := 0; b < n; b++ {
						d := lg[b*O] - lg[b*O+O-1] - lm
						lv += d * d / (n - 1)
					}
					// agreement with the replayed run's output at this step
					ref := int(run.Out[t+1+k])
					var ag float64
					for b := 0; b < n; b++ {
						if argmax(lg[b*O:(b+1)*O]) == ref {
							ag += 1.0 / n
						}
					}
					var mp [2]float64
					for b := 0; b < n; b++ {
						mp[0] += pr[b*2] / n
						mp[1] += pr[b*2+1] / n
					}
					p0 := pca.ProjectPoint(h0)
					d2 := (mp[0]-p0[0])*(mp[0]-p0[0]) + (mp[1]-p0[1])*(mp[1]-p0[1])
					a.dpc[g][k] += math.Sqrt(d2)
					a.nf[g][k] += tp / (tp + d2)
					dm := dist(mean, h0)
					a.nfFull[g][k] += tr / (tr + dm*dm)
					a.full[g][k] += tr
					a.pc[g][k] += tp
					a.drift[g][k] += dist(mean, h0)
					a.path[g][k] += dist(run.State(t+1+k), h0)
					a.logit[g][k] += lv
					a.agree[g][k] += ag
					a.det[g][k] += dist(hd, run.State(t+1+k))
				}
			}
			a.cnt++
		}
		c := float64(a.cnt)
		fmt.Printf("== %s (%d states)\n", name, a.cnt)
		for g := range gam {
			p := func(label string, v [S]float64) {
				fmt.Printf("  g=%.1f %-6s", gam[g], label)
				for k := 0; k < S; k++ {
					fmt.Printf(" %8.3f", v[k]/c)
				}
				fmt.Println()
			}
			p("full", a.full[g])
			p("pc", a.pc[g])
			p("drift", a.drift[g])
			p("logitV", a.logit[g])
			p("driftPC", a.dpc[g])
			p("nfPC", a.nf[g])
			p("nfFull", a.nfFull[g])
			p("agree", a.agree[g])
			if g == 0 {
				p("path", a.path[g])
				p("det-orig", a.det[g])
			}
		}
	}
	eval("transition", byZone[Transition])
	eval("kick", byZone[KickZone])
	eval("cluster", byZone[Cluster])
	eval("pre-switch", pre)
	_ = math.Abs
}
