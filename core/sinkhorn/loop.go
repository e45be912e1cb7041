package sinkhorn

import (
	"fmt"
	"math"
	"sync"
	"sync/atomic"
)

// block is one cost block C (rows x cols) of the Sinkhorn loop.
type block interface {
	// softmin sets dst[i] = -eps * log sum_j exp(h[j] - C_ij/eps) for every row i. If avg is
	// not nil it also sets avg[i*width:(i+1)*width] = sum_j P_ij v_j, where P_i. is the row
	// softmax of h[j] - C_ij/eps and v_j is column point j (width is the point dimension).
	softmin(dst, h []float64, eps float64, avg []float64)
}

// problem is the debiased divergence between two weighted point sets, with the four cost
// blocks C_xy, C_yx, C_xx, C_yy. Points may be merged duplicates: count holds how many input
// rows a point stands for, logA/logB the log of its mass (count/N, count/M).
type problem struct {
	xy, yx, xx, yy block
	logA, logB     []float64
	countA, countB []float64
	n, m           float64 // input row counts N and M
	// concurrent is how many of the four softmins of an update run at
	// once (each on its own goroutine); 0 or 1 runs them one after another.
	concurrent int
}

// averages are the plan-weighted averages of points that the final
// extrapolation fills for the gradients (see problem.run); a nil slice is
// not computed.
type averages struct {
	p, q   []float64 // rows of x: sum_j P_ij y_j (block xy) and sum_k Q_ik x_k (block xx)
	py, qy []float64 // rows of y: sum_i P_ji x_i (block yx) and sum_l Q_jl y_l (block yy)
}

// softminTask is one block's softmin in an update.
type softminTask struct {
	b      block
	dst, h []float64
	avg    []float64
}

// softmins runs the four softmins of an update at eps. They read only the
// previous potentials and write disjoint outputs, so running them at once
// changes no result. With blocks of a few hundred rows (batch 256) this
// beats splitting each block's rows over the threads: one synchronisation
// per update instead of one per block.
func (p *problem) softmins(eps float64, tasks [4]softminTask) {
	if p.concurrent <= 1 {
		for _, t := range tasks {
			t.b.softmin(t.dst, t.h, eps, t.avg)
		}
		return
	}
	var next atomic.Int32
	var wg sync.WaitGroup
	for range min(p.concurrent, len(tasks)) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(tasks) {
					return
				}
				t := tasks[i]
				t.b.softmin(t.dst, t.h, eps, t.avg)
			}
		})
	}
	wg.Wait()
}

// run executes the geomloss loop of core/METHOD.md section 3 on the schedule epsList: init at
// epsList[0], one symmetric averaged update per entry, optionally more updates at the last
// temperature (opt.Converged), then the final extrapolation. It returns the loss and fills
// avg.p (rows of x: sum_j P_ij y_j) and avg.q (sum_k Q_ik x_k), which give the gradient
// with respect to x, and, when they are not nil, avg.py and avg.qy, the same for the rows
// of y (the gradient with respect to y) from the softmins the extrapolation computes anyway.
func (p *problem) run(epsList []float64, opt Options, avg averages) (float64, error) {
	nx, ny := len(p.logA), len(p.logB)
	fba, ftba, hB := make([]float64, nx), make([]float64, nx), make([]float64, ny)
	faa, ftaa, hAA := make([]float64, nx), make([]float64, nx), make([]float64, nx)
	gab, gtab, hA := make([]float64, ny), make([]float64, ny), make([]float64, nx)
	gbb, gtbb, hBB := make([]float64, ny), make([]float64, ny), make([]float64, ny)

	eps := epsList[0]
	p.softmins(eps, [4]softminTask{{p.yx, gab, p.logA, nil}, {p.xy, fba, p.logB, nil}, {p.xx, faa, p.logA, nil}, {p.yy, gbb, p.logB, nil}})

	// logPlus sets h = logw + pot/eps (the peer's b_log + g_ab / eps).
	logPlus := func(h, logw, pot []float64, eps float64) {
		for i := range h {
			h[i] = logw[i] + pot[i]/eps
		}
	}
	// average sets pot = (pot + next)/2 and returns the largest change.
	average := func(pot, next []float64, change float64) float64 {
		for i, v := range next {
			a := 0.5 * (pot[i] + v)
			change = math.Max(change, math.Abs(a-pot[i]))
			pot[i] = a
		}
		return change
	}
	update := func(eps float64) float64 {
		logPlus(hB, p.logB, gab, eps)
		logPlus(hA, p.logA, fba, eps)
		logPlus(hAA, p.logA, faa, eps)
		logPlus(hBB, p.logB, gbb, eps)
		p.softmins(eps, [4]softminTask{{p.xy, ftba, hB, nil}, {p.yx, gtab, hA, nil}, {p.xx, ftaa, hAA, nil}, {p.yy, gtbb, hBB, nil}})
		change := average(fba, ftba, 0)
		change = average(gab, gtab, change)
		change = average(faa, ftaa, change)
		return average(gbb, gtbb, change)
	}
	for _, eps = range epsList {
		update(eps)
	}
	var err error
	if opt.Converged {
		change := math.Inf(1)
		it := 0
		for ; it < opt.MaxIter && !(change < opt.Tol); it++ {
			change = update(eps)
		}
		if !(change < opt.Tol) {
			err = fmt.Errorf("%w: potentials still change by %.3g after %d iterations at eps %g",
				ErrNotConverged, change, it, eps)
		}
	}

	// Final extrapolation at eps = blur^2 with the potentials held fixed.
	logPlus(hB, p.logB, gab, eps)
	logPlus(hA, p.logA, fba, eps)
	logPlus(hAA, p.logA, faa, eps)
	logPlus(hBB, p.logB, gbb, eps)
	p.softmins(eps, [4]softminTask{{p.xy, ftba, hB, avg.p}, {p.yx, gtab, hA, avg.py}, {p.xx, ftaa, hAA, avg.q}, {p.yy, gtbb, hBB, avg.qy}})
	var sx, sy float64
	for i := range ftba {
		sx += p.countA[i] * (ftba[i] - ftaa[i])
	}
	for j := range gtab {
		sy += p.countB[j] * (gtab[j] - gtbb[j])
	}
	loss := sx/p.n + sy/p.m
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return loss, fmt.Errorf("sinkhorn: non-finite loss %v", loss)
	}
	return loss, err
}
