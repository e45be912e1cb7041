//go:build !unix

package sinkhorn

// processCPU is not available on this platform; benchmarks then report 0 CPU time.
func processCPU() float64 { return 0 }
