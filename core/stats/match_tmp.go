package stats

// TEMPORARY stand-in for sinkhorn.Match while core/sinkhorn is being written.
func sinkhornMatch(x, y []uint8, N, M, T int, eps float64) ([]int, error) {
	out := make([]int, N)
	for i := 0; i < N; i++ {
		best := T + 1
		for j := 0; j < M; j++ {
			h := hamming(x[i*T:(i+1)*T], y[j*T:(j+1)*T])
			if h < best {
				best, out[i] = h, j
			}
		}
	}
	return out, nil
}
