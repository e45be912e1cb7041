package dynamics_test

import (
	"fmt"

	"hmmrnn/core/dynamics"
)

// The Mobius map sends the unit circle to the imaginary axis: stable
// eigenvalues land in Re z < 0, unstable ones in Re z > 0.
func ExampleMobius() {
	for _, l := range []complex128{0.5, 1i, 2, complex(0.9, 0.6)} {
		z := dynamics.Mobius(l)
		fmt.Printf("lambda %v -> z %.3f\n", l, z)
	}
	// Output:
	// lambda (0.5+0i) -> z (-0.333+0.000i)
	// lambda (0+1i) -> z (0.000+1.000i)
	// lambda (2+0i) -> z (0.333+0.000i)
	// lambda (0.9+0.6i) -> z (0.043+0.302i)
}

// Zones follow the residency thresholds of core/METHOD.md section 5.4.
func ExampleClassifyZone() {
	fmt.Println(dynamics.ClassifyZone(1.2, 0.9), dynamics.ClassifyZone(5, 0.9), dynamics.ClassifyZone(30, 0.95), dynamics.ClassifyZone(30, 0.6))
	// Output:
	// transition kick cluster other
}
