package dynamics

// Numbers fixed by the paper (core/METHOD.md section 5) and the defaults this
// package chose where core/METHOD.md is silent. Every analysis takes an Options
// struct whose zero fields fall back to these values.
const (
	// DefaultSigma is the noise std of the analyses (core/METHOD.md section 5: "sigma = 1
	// unless said").
	DefaultSigma = 1.0

	// PCASteps and PCAWarmup: PCA is fitted on a long noise-driven run,
	// 30,000 steps after a warm-up of 20 (core/METHOD.md section 5).
	PCASteps  = 30000
	PCAWarmup = 20

	// CollapseRuns and CollapseSteps: without input, 100 runs of 500 steps
	// from states sampled on the noise-driven run (core/METHOD.md section 5.2).
	CollapseRuns  = 100
	CollapseSteps = 500

	// NoiseScanSteps is the length of each run of the noise-level scan
	// (core/METHOD.md section 5.3: 10,000 steps).
	NoiseScanSteps = 10000

	// ResidencyContinuations is the number n of independent noise
	// continuations per state and ResidencyMaxSteps the cap on the steps
	// counted until the output changes (core/METHOD.md section 5.4: n = 20, max 50-60).
	ResidencyContinuations = 20
	ResidencyMaxSteps      = 50

	// Zone thresholds on the residency time (core/METHOD.md section 5.4): residency < 2 is a
	// transition, 2..8 a kick-zone, > 8 with max softmax probability > 0.8 a
	// cluster.
	TransitionMaxResidency = 2.0
	KickZoneMaxResidency   = 8.0
	ClusterMinProb         = 0.8

	// CriticalRe and CriticalIm: a complex eigenvalue pair is critical (near
	// a Hopf point) when its Mobius image z has |Re z| < 0.1 and Im z > 0.05
	// (core/METHOD.md section 5.5: Im z > 0.05-0.06; we take the lower bound).
	CriticalRe = 0.1
	CriticalIm = 0.05

	// SensitivityContinuations and SensitivitySteps: 100 continuations of
	// 5-6 steps (core/METHOD.md section 5.6; we take 5).
	SensitivityContinuations = 100
	SensitivitySteps         = 5

	// IntegratingSize is the size of each integrating population (core/METHOD.md section 5.7:
	// "populations of ~35 neurons integrate the noise").
	IntegratingSize = 35

	// MaxKickFraction caps each direction's kick group at 10% of the
	// neurons (the paper's reference network had 3 per direction of 150
	// neurons, i.e. 2%).
	MaxKickFraction = 0.10

	// MinDirectionRate is the fraction of a run's steps at which an output
	// direction must switch for the kick detection to look for its group
	// (0.2%: on the gallery networks every direction of fully3 and cyclic4
	// switches on 0.3-0.7% of steps, rarer ones are blips of the rare
	// output).
	MinDirectionRate = 0.002
	// KickMinCut is the cut of its direction's switch hazard a kick group
	// must reach when silenced (70%: "silencing them stops switching",
	// arXiv 2510.25674 section 5.8, with room for the network's other
	// routes).
	KickMinCut = 0.7
	// KickControls is the number of random sets of a group's size whose
	// median cut is the group's control (20: the median is then stable to
	// a few hundredths while it costs as much as ~20 prefix trials).
	KickControls = 20

	// MuMax is the upper end of the causal-test scaling range mu in [0, 2]
	// (core/METHOD.md section 5.8: 0 = silence, 1 = nominal, 2 = double).
	MuMax = 2.0

	// ReadoutPlane is the number of leading principal components spanning the
	// plane of the readout-geometry analysis (core/METHOD.md section 5.10: PC1-PC2).
	ReadoutPlane = 2
)

// Defaults chosen by this package where core/METHOD.md is silent (documented at
// their use).
var (
	// DefaultScanSigmas are the noise levels of the density figure
	// (core/METHOD.md section 5.3: {0.1, 1, 2, 3, 4}).
	DefaultScanSigmas = []float64{0.1, 1, 2, 3, 4}
	// DefaultResonanceSigmas extend the scan below and above the trained
	// level for the stochastic-resonance curve (our choice).
	DefaultResonanceSigmas = []float64{0, 0.1, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 2, 3, 4}
	// DefaultGammas are the noise-mixing weights of core/METHOD.md section 5.6.
	DefaultGammas = []float64{0, 0.5, 1}
	// DefaultMus is the causal-test grid on [0, MuMax] (core/METHOD.md section 5.8).
	DefaultMus = []float64{0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2}
)
