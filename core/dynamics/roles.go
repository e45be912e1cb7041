package dynamics

import (
	"errors"
	"fmt"

	"hmmrnn/core/rnn"
)

// referenceH is the size of the paper's reverse-engineered reference
// network (core/METHOD.md section 2: H = 150), whose integrating populations had ~35
// neurons (IntegratingSize).
const referenceH = 150

// Kinds of unit roles (RoleGroup.Kind).
const (
	RoleKick        = "kick"
	RoleIntegrating = "integrating"
	RoleOther       = "other"
)

// RoleGroup is a set of units with one role.
type RoleGroup struct {
	Name string `json:"name"` // e.g. "kick 0->2", "integrating 0->2", "other"
	Kind string `json:"kind"` // RoleKick, RoleIntegrating or RoleOther
	// Direction is the switch direction of a kick group and of the
	// integrating population that drives it (nil for "other").
	Direction *Direction `json:"direction,omitempty"`
	Neurons   []int      `json:"neurons"`
}

// Roles assigns every hidden unit one role (core/METHOD.md section 5.7): the kick neurons
// of each direction, the integrating population of each direction
// (IntegratingPopulations), the rest; and gives the W_hh block matrix of the
// roles.
type Roles struct {
	Groups []RoleGroup `json:"groups"`
	// Of[i] is the index in Groups of unit i's role.
	Of []int `json:"of"`
	// Blocks holds the mean W_hh[to, from] for every ordered pair of
	// groups, row by row (to = Groups[k / len(Groups)], from = Groups[k %
	// len(Groups)]); empty groups give mean 0.
	Blocks []Block `json:"blocks"`
	// Units summarises each unit's weights (for the page's hover).
	Units []UnitWeights `json:"units"`
}

// UnitWeights summarises the weights of one hidden unit i.
type UnitWeights struct {
	InNorm float64   `json:"in_norm"` // |row i of W_in|: how much noise it receives
	Out    []float64 `json:"out"`     // column i of W_out: its vote for each output
	Self   float64   `json:"self"`    // W_hh[i, i]
	// From[g] is the mean W_hh[i, j] over the units j of group g (what
	// the group sends it) and To[g] the mean W_hh[j, i] (what it sends the
	// group); 0 for an empty group.
	From []float64 `json:"from"`
	To   []float64 `json:"to"`
}

// UnitRoles groups the units of net by the kick detection kr (nil or
// without groups: every unit is "other"). Integrating populations have
// IntegratingSize x H / 150 units per direction (the reference network's
// ~35 of 150, scaled to this network; at least 1). A unit in the
// populations of several directions belongs to the first; kick neurons are
// never integrating.
func UnitRoles(net *rnn.Net, kr *KickResult) (*Roles, error) {
	if net == nil {
		return nil, errors.New("dynamics: roles: nil network")
	}
	H := net.H
	ro := &Roles{Of: make([]int, H)}
	taken := make([]bool, H)
	add := func(g RoleGroup) {
		var kept []int
		for _, i := range g.Neurons {
			if !taken[i] {
				taken[i] = true
				ro.Of[i] = len(ro.Groups)
				kept = append(kept, i)
			}
		}
		g.Neurons = kept
		ro.Groups = append(ro.Groups, g)
	}
	var groups []KickGroup
	if kr != nil {
		groups = kr.Groups
	}
	for _, g := range groups {
		for _, i := range g.Neurons {
			if i < 0 || i >= H {
				return nil, fmt.Errorf("dynamics: roles: kick neuron %d of %v out of range [0, %d)", i, g.Direction, H)
			}
		}
		d := g.Direction
		add(RoleGroup{Name: RoleKick + " " + d.String(), Kind: RoleKick, Direction: &d, Neurons: g.Neurons})
	}
	if len(groups) > 0 {
		pops, err := IntegratingPopulations(net, groups, max(1, IntegratingSize*H/referenceH))
		if err != nil {
			return nil, err
		}
		for k, p := range pops {
			d := groups[k].Direction
			add(RoleGroup{Name: RoleIntegrating + " " + d.String(), Kind: RoleIntegrating, Direction: &d, Neurons: p})
		}
	}
	var rest []int
	for i := range H {
		if !taken[i] {
			rest = append(rest, i)
		}
	}
	add(RoleGroup{Name: RoleOther, Kind: RoleOther, Neurons: rest})
	names := make([]string, len(ro.Groups))
	members := make([][]int, len(ro.Groups))
	for k, g := range ro.Groups {
		names[k], members[k] = g.Name, g.Neurons
	}
	ro.Blocks = Blocks(net, names, members)
	D, O := net.D, net.O
	ro.Units = make([]UnitWeights, H)
	for i := range H {
		u := UnitWeights{InNorm: norm(net.Win[i*D : (i+1)*D]), Out: make([]float64, O), Self: net.Whh[i*H+i],
			From: make([]float64, len(members)), To: make([]float64, len(members))}
		for o := range O {
			u.Out[o] = net.Wout[o*H+i]
		}
		for g, m := range members {
			for _, j := range m {
				u.From[g] += net.Whh[i*H+j] / float64(len(m))
				u.To[g] += net.Whh[j*H+i] / float64(len(m))
			}
		}
		ro.Units[i] = u
	}
	return ro, nil
}
