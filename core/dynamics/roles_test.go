package dynamics

import (
	"math"
	"reflect"
	"testing"
)

func TestUnitRoles(t *testing.T) {
	net := PlantedNet()
	H := net.H
	k1, k2, x0 := 2*plantN, 2*plantN+1, 2*plantN+2
	// Extra neurons x0..x0+9 drive kick neuron k1: they are its
	// integrating population (the planted clusters inhibit it).
	var want []int
	for i := range 10 {
		net.Whh[k1*H+x0+i] = 0.01 * float64(i+1)
		want = append(want, x0+i)
	}
	kr := &KickResult{Groups: []KickGroup{{Direction: Direction{0, 2}, Neurons: []int{k1}}, {Direction: Direction{2, 0}, Neurons: []int{k2}}}}
	ro, err := UnitRoles(net, kr)
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"kick 0->2", "kick 2->0", "integrating 0->2", "integrating 2->0", "other"}
	if len(ro.Groups) != len(names) {
		t.Fatalf("%d groups, want %d: %+v", len(ro.Groups), len(names), ro.Groups)
	}
	for k, g := range ro.Groups {
		if g.Name != names[k] {
			t.Errorf("group %d is %q, want %q", k, g.Name, names[k])
		}
	}
	if !reflect.DeepEqual(ro.Groups[0].Neurons, []int{k1}) || !reflect.DeepEqual(ro.Groups[2].Neurons, want) || len(ro.Groups[3].Neurons) != 0 {
		t.Errorf("groups %+v", ro.Groups)
	}
	// Every unit has exactly one role, the one whose group lists it.
	seen := 0
	for k, g := range ro.Groups {
		for _, i := range g.Neurons {
			seen++
			if ro.Of[i] != k {
				t.Errorf("unit %d listed in group %d, role %d", i, k, ro.Of[i])
			}
		}
	}
	if seen != H || len(ro.Groups[4].Neurons) != H-12 {
		t.Errorf("%d units placed, %d other; want %d, %d", seen, len(ro.Groups[4].Neurons), H, H-12)
	}
	// Block (kick 0->2 <- integrating 0->2) is the mean of the planted
	// weights 0.01..0.10.
	b := ro.Blocks[0*len(names)+2]
	if b.To != names[0] || b.From != names[2] || b.Rows != 1 || b.Cols != 10 || math.Abs(b.Mean-0.055) > 1e-12 {
		t.Errorf("block %+v", b)
	}
	if len(ro.Blocks) != len(names)*len(names) {
		t.Errorf("%d blocks", len(ro.Blocks))
	}

	// Unit k1's weights: planted noise input 1 (W_in = I), readout 0, and
	// what the integrating group sends it (0.055 on average).
	u := ro.Units[k1]
	if len(ro.Units) != H || u.InNorm != 1 || len(u.Out) != 3 || u.Self != 0 || math.Abs(u.From[2]-0.055) > 1e-12 || len(u.To) != len(names) {
		t.Errorf("unit %d weights %+v", k1, u)
	}
	if a := ro.Units[0]; math.Abs(a.Out[0]-5.0/plantN) > 1e-12 || math.Abs(a.To[0]-(plantAlpha-plantBeta)/plantN) > 1e-12 {
		t.Errorf("unit 0 weights %+v", a)
	}

	none, err := UnitRoles(net, nil)
	if err != nil || len(none.Groups) != 1 || len(none.Groups[0].Neurons) != H || len(none.Blocks) != 1 {
		t.Errorf("no kick result: %+v, %v", none, err)
	}
	bad := &KickResult{Groups: []KickGroup{{Direction: Direction{0, 2}, Neurons: []int{H}}}}
	if _, err := UnitRoles(net, bad); err == nil {
		t.Error("kick neuron out of range accepted")
	}
}
