package train

import (
	"bytes"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"hmmrnn/core/hmm"
	"hmmrnn/core/rnn"
	"hmmrnn/core/stats"
)

func TestReadoutWriteText(t *testing.T) {
	r := Readout{OffArgmax: 0.026, HMMOffMode: 0.01, Argmax: stats.RunFigures{Changes: 1.0625, OneStep: 0.0625},
		Emitted: stats.RunFigures{Changes: 1.5, OneStep: 0.375}, HMM: stats.RunFigures{Changes: 1.25, OneStep: 0.125}, HMMExactChanges: 1.2, RareMerged: []int{1}}
	var b bytes.Buffer
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	out := strings.Join(strings.Fields(b.String()), " ")
	for _, want := range []string{"not the argmax at 2.60% of steps (the HMM's output is not its state's most likely one at 1.00%), rare symbols [1] merged", "RNN argmax 1.062 0.062", "RNN emitted 1.500 0.375", "HMM sample 1.250 0.125", "HMM exact 1.200 -"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, b.String())
		}
	}
}

// The readout's HMM changes per sequence are the value the fit criterion
// judges the emitted ones by: the relative difference of the emitted and
// the exact changes is the criterion's volatility figure, whether the rare
// symbol is merged (linear2) or not (fully3). The page shows both, so they
// must agree.
func TestReadoutChangesAreTheCriterions(t *testing.T) {
	for _, name := range []string{"linear2", "fully3"} {
		m, _, rep := evaluated(t, name, 400, 7, stats.Options{})
		r, err := ReadoutOf(m, rep)
		if err != nil {
			t.Fatal(err)
		}
		merged := len(r.RareMerged) > 0
		if merged != (name == "linear2") {
			t.Errorf("%s: rare symbols merged %v", name, r.RareMerged)
		}
		if r.HMMExactChanges <= 0 || r.HMMExactChanges == r.HMM.Changes {
			t.Errorf("%s: exact changes %v beside the sample's %v: want the exact value, not the sample's", name, r.HMMExactChanges, r.HMM.Changes)
		}
		want := stats.JudgeFit(rep).Figure(stats.FitVolatility).Value
		if got := math.Abs(r.Emitted.Changes-r.HMMExactChanges) / r.HMMExactChanges; math.Abs(got-want) > 1e-12 {
			t.Errorf("%s: emitted %v vs exact %v differ by %v, the criterion's volatility figure is %v", name, r.Emitted.Changes, r.HMMExactChanges, got, want)
		}
	}
}

// ReadoutOf reads the evaluation's own runs: its argmax figures are those
// of the report's argmax outputs, which rnn.Net.SampleArgmax drew with the
// emitted sample; a report without them (not made by Evaluate) is an error.
func TestReadoutOfTheEvaluatedRuns(t *testing.T) {
	const n, T, sigma, seed = 300, evaluatedT, evaluatedSigma, 9
	m, net, rep := evaluated(t, "linear2", n, seed, stats.Options{SkipMatch: true})
	_, argmax, off := net.SampleArgmax(rand.New(rand.NewPCG(seed, EvalStreamRNN)), n, T, sigma)
	r, err := ReadoutOf(m, rep)
	if err != nil {
		t.Fatal(err)
	}
	if r.OffArgmax != off || r.Argmax != rep.RunFiguresOf(argmax, n, T) {
		t.Errorf("readout %+v: want off-argmax %v and the argmax figures of the evaluated runs", r, off)
	}
	bare, err := stats.CompareWith(m, net.Sample(rand.New(rand.NewPCG(1, 1)), n, T, sigma), n, T, rand.New(rand.NewPCG(1, 2)), stats.Options{SkipMatch: true})
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		m   *hmm.HMM
		rep *stats.Report
	}{"report without argmax outputs": {m, bare}, "no HMM": {nil, rep}, "no report": {m, nil}} {
		if _, err := ReadoutOf(c.m, c.rep); err == nil || !strings.Contains(err.Error(), "readout noise") {
			t.Errorf("%s: error %v, want one about the readout noise", name, err)
		}
	}
}

// The readout tests' network and evaluation: an untrained H 20, D 4
// network for preset name, evaluated on n sequences of evaluatedT steps
// at noise evaluatedSigma with seed.
const (
	evaluatedT     = 30
	evaluatedSigma = 1.0
)

func evaluated(t *testing.T, name string, n int, seed uint64, opt stats.Options) (*hmm.HMM, *rnn.Net, *stats.Report) {
	t.Helper()
	m, err := hmm.Preset(name)
	if err != nil {
		t.Fatal(err)
	}
	net, err := rnn.New(20, 4, m.Outputs(), rand.New(rand.NewPCG(3, 4)))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Evaluate(net, m, evaluatedSigma, n, evaluatedT, seed, opt)
	if err != nil {
		t.Fatal(err)
	}
	return m, net, rep
}
