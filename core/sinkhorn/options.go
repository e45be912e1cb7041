package sinkhorn

import (
	"errors"
	"fmt"
	"math"
)

// Paper constants (core/METHOD.md section 3: geomloss SamplesLoss("sinkhorn", p=2, blur=0.2),
// default scaling 0.5).
const (
	// DefaultBlur is the paper's blur; the final temperature is eps = blur^2 = 0.04.
	DefaultBlur = 0.2
	// MinBlur is the smallest blur accepted: potentials/eps must stay far from float64
	// overflow (costs are at most ~1e4 in any practical use).
	MinBlur = 1e-6
	// DefaultScaling is geomloss's default scaling; successive temperatures differ by scaling^2.
	DefaultScaling = 0.5
	// DefaultTol is the default stopping tolerance of the Converged option: the largest change
	// of any dual potential in one iteration, in cost units.
	DefaultTol = 1e-6
	// DefaultMaxIter is the default iteration cap of the Converged option. On one-hot batches
	// at eps = 0.04 the iterations converge sublinearly (30 HMM sequences each: potentials
	// still move by 2e-5 per iteration after 10^4 iterations, 1e-6 after 10^5, while the loss
	// is within 1e-5 relative after 10^4), so the cap can be reached: the result is then
	// returned with an ErrNotConverged error.
	DefaultMaxIter = 10000
)

// costExponent is the p of geomloss: cost |x-y|^p / p with p = 2 (core/METHOD.md section 3).
const costExponent = 2

// ErrNotConverged is wrapped by the error returned when the Converged option (or Match) hits
// its iteration cap before reaching the tolerance. The values returned with it are those of
// the last iterate.
var ErrNotConverged = errors.New("sinkhorn: not converged")

// Options configures Dense and Symbols. The zero value is the paper's loss (core/METHOD.md
// section 3): blur 0.2, scaling 0.5, the geomloss epsilon schedule, no extra iterations.
type Options struct {
	// Blur sets the final temperature eps = Blur^2, at least MinBlur. Zero means DefaultBlur.
	Blur float64
	// Scaling is the epsilon-scaling ratio (temperatures shrink by Scaling^2), in (0, 1).
	// Zero means DefaultScaling.
	Scaling float64
	// Converged, if set, keeps iterating the symmetric updates at the final temperature until
	// no potential changes by more than Tol (at most MaxIter iterations) before the final
	// extrapolation. This is not the paper's loss; it is the converged debiased divergence.
	Converged bool
	// Tol is the Converged stopping tolerance in cost units. Zero means DefaultTol.
	Tol float64
	// MaxIter caps the Converged iterations. Zero means DefaultMaxIter.
	MaxIter int
	// Workers is the number of goroutines Symbols uses. Zero means runtime.GOMAXPROCS(0).
	// Results do not depend on it.
	Workers int
}

// resolved returns the options with defaults filled in, or an error for invalid values.
func (o Options) resolved() (Options, error) {
	if o.Blur == 0 {
		o.Blur = DefaultBlur
	}
	if o.Scaling == 0 {
		o.Scaling = DefaultScaling
	}
	if o.Tol == 0 {
		o.Tol = DefaultTol
	}
	if o.MaxIter == 0 {
		o.MaxIter = DefaultMaxIter
	}
	switch {
	case !(o.Blur >= MinBlur) || math.IsInf(o.Blur, 0):
		return o, fmt.Errorf("sinkhorn: blur %v must be finite and at least %g", o.Blur, MinBlur)
	case !(o.Scaling > 0 && o.Scaling < 1):
		return o, fmt.Errorf("sinkhorn: scaling %v must be in (0, 1)", o.Scaling)
	case !(o.Tol > 0) || math.IsInf(o.Tol, 0):
		return o, fmt.Errorf("sinkhorn: tolerance %v must be positive and finite", o.Tol)
	case o.MaxIter < 0:
		return o, fmt.Errorf("sinkhorn: negative MaxIter %d", o.MaxIter)
	case o.Workers < 0:
		return o, fmt.Errorf("sinkhorn: negative Workers %d", o.Workers)
	}
	return o, nil
}

// epsSchedule returns geomloss 0.2.6's epsilon_schedule(p=2, diameter, blur, scaling):
//
//	[diameter^2] + [exp(e) for e in numpy.arange(2 ln diameter, 2 ln blur, 2 ln scaling)] + [blur^2]
//
// numpy.arange (1.x) yields ceil((stop-start)/step) elements: start, start+step, and then
// start + i*((start+step)-start) for i >= 2; this is reproduced exactly. The diameter must be
// positive and finite.
func epsSchedule(diameter, blur, scaling float64) []float64 {
	const p = costExponent
	start := p * math.Log(diameter)
	stop := p * math.Log(blur)
	step := p * math.Log(scaling)
	n := 0
	span := stop - start
	if q := span / step; q == 0 && span != 0 {
		// numpy's underflow rule: one element for a positive zero, none for a negative one.
		if !math.Signbit(q) {
			n = 1
		}
	} else {
		// A blur above the diameter makes q negative: numpy's arange is
		// then empty, and so is this range (a negative count panicked).
		n = max(int(math.Ceil(q)), 0)
	}
	list := make([]float64, 0, n+2)
	list = append(list, diameter*diameter)
	if n > 0 {
		list = append(list, math.Exp(start))
	}
	if n > 1 {
		list = append(list, math.Exp(start+step))
	}
	delta := (start + step) - start
	for i := 2; i < n; i++ {
		list = append(list, math.Exp(start+float64(i)*delta))
	}
	return append(list, blur*blur)
}
