package train

import (
	"fmt"

	"hmmrnn/core/rnn"
)

// Memory estimates. A run's memory is dominated by a handful of buffers
// whose sizes follow from the batch B, sequence length T, hidden size H,
// noise dimension D and output count O; counting them before the first
// step lets the command line and the page refuse a run that would exhaust
// the machine (--batch 65536 tried one 17 GB allocation).

// Saving a model file writes savedSets weight sets (weights, current
// weights, Adam's two moments, best weights) as indented JSON, about
// jsonNumberBytes per number (17 significant digits, sign, exponent,
// separator and indentation); encoding.json builds the text in a buffer
// that grows by doubling and indents it into a second one, so the peak is
// about jsonCopies times the text (measured: an H=1024 model of 74 MB
// peaked at 455 MB resident with --steps 0). At large H this outweighs the
// training step.
const (
	savedSets       = 5
	jsonNumberBytes = 24
	jsonCopies      = 6
)

// gcFactor and baseBytes turn the live bytes counted by StepBytes into the
// peak resident memory of a process: the Go collector lets the heap grow
// to twice the live data before it collects (GOGC=100), and the runtime,
// binary and small buffers take a few tens of MB. Calibrated with
// `/usr/bin/time -v hmmrnn train ... --steps 3` (maximum resident set
// size) at the sizes listed in memory_test.go, where the estimate is within
// [1x, 2.5x] of the measured peak: it errs on the safe side.
const (
	gcFactor  = 2
	baseBytes = 32 << 20
)

// StepBytes estimates the live bytes of one training step of a network
// with H hidden units, D noise inputs and O outputs on a batch of B
// sequences of length T:
//
//   - the float32 RNN workspace (rnn.WorkspaceBytes);
//   - the float64 networks the trainer keeps: weights, gradient, Adam's
//     two moments, the best weights and a checkpoint's copies (10 sets);
//   - the Sinkhorn problem: four B x B byte cost matrices (x-y, y-x, x-x,
//     y-y, when all sequences differ, the worst case), per row and cost
//     level an int32 index (4·4·B·(T+2)), and the gradient and two plan
//     averages of B x T x O float64s;
//   - the target batch (B·T bytes).
func StepBytes(B, T, H, D, O int) int64 {
	b, t := int64(B), int64(T)
	params := int64(H)*int64(D) + int64(H)*int64(H) + int64(O)*int64(H)
	nets := 10 * 8 * params
	sinkhorn := 4*b*b + 4*4*b*(t+2) + 3*8*b*t*int64(O)
	return rnn.WorkspaceBytes(H, D, O, B, T) + nets + sinkhorn + b*t
}

// MemoryBytes estimates the peak resident memory of a run of c: a training
// step (StepBytes, at the largest batch of any stage), the validation problem (ValSize RNN samples against the
// validation set, its cost matrices kept apart from the step's), the fixed
// training and validation sets, scaled by gcFactor, plus writing the model
// file (SaveBytes) and baseBytes.
func (c *Config) MemoryBytes() int64 {
	O := 0
	if c.HMM != nil {
		O = c.HMM.Outputs()
	}
	T, trainT := int64(c.SeqLen), int64(c.TrainLen())
	live := StepBytes(c.MaxBatch(), int(trainT), c.Hidden, c.Input, O)
	if c.SoftWeight > 0 {
		// sinkhorn.Soft keeps three B x B float64 cost matrices (x-y,
		// y-x, x-x; the y-y block is bytes); the soft samples, the two
		// weighted averages and the gradient are B x T x O float64s.
		b, n := int64(c.MaxBatch()), int64(min(c.MaxBatch(), softBatch))
		live += 3*8*n*n + n*n + 4*8*b*trainT*int64(O)
	}
	if c.ValEvery > 0 {
		v := int64(c.ValSize)
		live += 4*v*v + 4*4*v*(T+2) + 3*8*v*T*int64(O) + 2*v*T
	}
	if c.Data == DataFixed {
		live += int64(c.TrainSize) * trainT
	}
	return gcFactor*live + SaveBytes(c.Hidden, c.Input, O) + baseBytes
}

// SaveBytes estimates the transient memory of writing (or reading) the
// model file of a network with H hidden units, D inputs and O outputs.
func SaveBytes(H, D, O int) int64 {
	params := int64(H)*int64(D) + int64(H)*int64(H) + int64(O)*int64(H)
	return savedSets * jsonNumberBytes * jsonCopies * params
}

// CheckMemory returns an error naming the estimate (MemoryBytes) and the
// limit when a run of c would need more than limit bytes; source says where
// the limit comes from (a flag, the browser's budget). limit <= 0 means no
// limit.
func (c *Config) CheckMemory(limit int64, source string) error {
	est := c.MemoryBytes()
	if limit <= 0 || est <= limit {
		return nil
	}
	O := 0
	if c.HMM != nil {
		O = c.HMM.Outputs()
	}
	return fmt.Errorf("train: the run needs about %s (estimate for B=%d T=%d H=%d D=%d O=%d), more than the %s of %s",
		FormatBytes(est), c.MaxBatch(), c.SeqLen, c.Hidden, c.Input, O, source, FormatBytes(limit))
}

// FormatBytes writes n bytes in binary units with one decimal ("1.5 GiB").
func FormatBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	v, i := float64(n), 0
	for v >= unit && i < 4 {
		v /= unit
		i++
	}
	return fmt.Sprintf("%.1f %s", v, [...]string{"B", "KiB", "MiB", "GiB", "TiB"}[i])
}
