//go:build unix

package rnn

import (
	"syscall"
	"time"
)

// cpuTime returns the user+system CPU time of the process, so that
// benchmarks can report CPU time per operation next to wall time (the
// shared test machines make wall time noisy).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
