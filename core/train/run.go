package train

import (
	"context"
	"fmt"
	"math"
	"time"
)

// Hooks are the caller's parts of a Run; every one is optional.
type Hooks struct {
	// Step is called after every step (progress, loss curves, snapshots).
	Step func(info StepInfo)
	// Checkpoint is called every Run.CheckpointEvery steps, after Step.
	Checkpoint func(t *Trainer) error
	// Check is called with every check of the monitor, before the run acts
	// on it (stop at fit, restart).
	Check func(c Check)
	// Restart is called when a plateau restart replaces the trainer: c is
	// the check that decided it, next the new trainer (seed + 1, step 0).
	Restart func(c Check, next *Trainer)
	// Save is called when the run stops early: cause is ctx.Err() after a
	// cancellation (save what resumes the run) or a step's error (the
	// weights are those before the failed step). Its error is added to
	// cause's.
	Save func(t *Trainer, cause error) error
}

// Limit bounds one call of Run.Advance.
type Limit struct {
	// Steps is the run's step count (Run.Steps: restarts included, and a
	// resumed trainer's earlier steps) to reach; NoStepLimit removes the
	// bound. A budget over restarts bounds the work however often the
	// plateau restarts the run.
	Steps int
	// Deadline, when not zero, stops the call once the run's clock reaches
	// it; it is read after each step, so a call that may step takes at
	// least one.
	Deadline time.Time
}

// NoStepLimit is a Limit.Steps that never binds.
const NoStepLimit = math.MaxInt

// Stop says why Advance returned.
type Stop int

const (
	StopSteps    Stop = iota // Limit.Steps reached
	StopDeadline             // Limit.Deadline reached
	StopFit                  // StopAtFit and the monitor's fit streak was met
	StopError                // cancelled (ctx) or a step failed: see the error
)

func (s Stop) String() string {
	switch s {
	case StopSteps:
		return "step budget reached"
	case StopDeadline:
		return "time budget reached"
	case StopFit:
		return "fit criterion met"
	}
	return "stopped by an error"
}

// Run is the one training loop of the command line, the sweeps and the
// page's worker: it steps a Trainer with checkpoints, monitor checks,
// plateau restarts, stop at fit, cancellation and step and time budgets,
// calling the Hooks. It is resumable: Advance returns at a limit and the
// next call continues where it stopped, so the browser trains in
// time-boxed slices with the same loop the command line runs in one call.
// Everything but the deadline depends on steps only, so two runs of one
// configuration check, restart and stop at the same steps, bit for bit.
type Run struct {
	// Monitor checks the run (nil: no checks, so no restarts or stop at fit).
	Monitor *Monitor
	Hooks   Hooks
	// CheckpointEvery is the step interval of Hooks.Checkpoint (0: never).
	CheckpointEvery int
	// StopAtFit makes Advance return StopFit once the monitor reports Met.
	StopAtFit bool
	// Now is the clock Limit.Deadline is read on (nil: time.Now).
	Now func() time.Time

	tr       *Trainer
	offset   int      // steps of the trainers abandoned at restarts
	restarts []int    // run step (Steps) of each restart
	causes   []string // Check.Cause of each restart
	metStep  int      // run step at which the monitor first reported Met (0: not yet)
	last     *Check
}

// NewRun starts a loop on t (a new or resumed trainer).
func NewRun(t *Trainer) *Run { return &Run{tr: t} }

// Trainer is the current trainer (a restart replaces it).
func (r *Run) Trainer() *Trainer { return r.tr }

// Steps is the number of steps taken by the run, counting those of
// trainers abandoned at restarts.
func (r *Run) Steps() int { return r.offset + r.tr.StepCount() }

// Restarts returns the run steps (Steps) at which restarts happened.
func (r *Run) Restarts() []int { return append([]int(nil), r.restarts...) }

// RestartCauses returns why each restart happened (Check.Cause).
func (r *Run) RestartCauses() []string { return append([]string(nil), r.causes...) }

// MetStep is the run step (Steps) at which the monitor first reported the
// fit streak met, or 0.
func (r *Run) MetStep() int { return r.metStep }

// LastCheck is the monitor's latest check of the current trainer, or nil.
func (r *Run) LastCheck() *Check { return r.last }

// Advance steps the run until lim, the fit criterion (with StopAtFit), the
// cancellation of ctx or a step error. On cancellation and on a step error
// it calls Hooks.Save and returns StopError with the cause.
func (r *Run) Advance(ctx context.Context, lim Limit) (Stop, error) {
	if r.Monitor != nil {
		if err := r.Monitor.validate(); err != nil {
			return StopError, err
		}
	}
	now := r.Now
	if now == nil {
		now = time.Now
	}
	for {
		if r.Steps() >= lim.Steps {
			return StopSteps, nil
		}
		if err := ctx.Err(); err != nil {
			return StopError, r.save(err)
		}
		info, err := r.tr.Step()
		if err != nil {
			return StopError, r.save(err)
		}
		if h := r.Hooks.Step; h != nil {
			h(info)
		}
		if h := r.Hooks.Checkpoint; h != nil && r.CheckpointEvery > 0 && info.Step%r.CheckpointEvery == 0 {
			if err := h(r.tr); err != nil {
				return StopError, fmt.Errorf("checkpoint at step %d: %w", info.Step, err)
			}
		}
		if m := r.Monitor; m != nil && m.due(info.Step) {
			stop, err := r.check(m)
			if err != nil {
				return StopError, err
			}
			if stop {
				return StopFit, nil
			}
		}
		if !lim.Deadline.IsZero() && !now().Before(lim.Deadline) {
			return StopDeadline, nil
		}
	}
}

// check runs the monitor and acts on its check; stop reports a met
// criterion with StopAtFit.
func (r *Run) check(m *Monitor) (stop bool, err error) {
	c, err := m.Check(r.tr)
	if err != nil {
		return true, err
	}
	r.last = &c
	if h := r.Hooks.Check; h != nil {
		h(c)
	}
	if c.Met && r.metStep == 0 {
		r.metStep = r.Steps()
	}
	if c.Met && r.StopAtFit {
		return true, nil
	}
	if c.Restart {
		next, err := m.restart(r.tr)
		if err != nil {
			return true, fmt.Errorf("train: restart at step %d: %w", c.Step, err)
		}
		r.restarts, r.causes = append(r.restarts, r.Steps()), append(r.causes, c.Cause)
		r.offset += r.tr.StepCount()
		r.tr, r.last = next, nil
		if h := r.Hooks.Restart; h != nil {
			h(c, next)
		}
	}
	return false, nil
}

func (r *Run) save(cause error) error {
	if h := r.Hooks.Save; h != nil {
		if err := h(r.tr, cause); err != nil {
			return fmt.Errorf("%w; saving failed: %w", cause, err)
		}
	}
	return cause
}
