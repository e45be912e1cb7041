//go:build !unix

package rnn

import "time"

// cpuTime is not available here; benchmarks then report 0 CPU time.
func cpuTime() time.Duration { return 0 }
