package train

import (
	"bytes"
	"strings"
	"testing"

	"hmmrnn/core/stats"
)

func TestReadoutWriteText(t *testing.T) {
	r := Readout{OffArgmax: 0.026, HMMOffMode: 0.01, Argmax: stats.RunFigures{Changes: 1.0625, OneStep: 0.0625},
		Emitted: stats.RunFigures{Changes: 1.5, OneStep: 0.375}, HMM: stats.RunFigures{Changes: 1.25, OneStep: 0.125}, RareMerged: []int{1}}
	var b bytes.Buffer
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	out := strings.Join(strings.Fields(b.String()), " ")
	for _, want := range []string{"not the argmax at 2.60% of steps (the HMM's output is not its state's most likely one at 1.00%), rare symbols [1] merged", "RNN argmax 1.062 0.062", "RNN emitted 1.500 0.375", "HMM sample 1.250 0.125"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, b.String())
		}
	}
}
