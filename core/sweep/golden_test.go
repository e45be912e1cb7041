package sweep

import (
	"bytes"
	"context"
	"testing"

	"hmmrnn/core/internal/golden"
)

// TestScriptGolden pins sweep.sbatch for the paper grid, with every option
// that writes a line set (testdata/golden/sweep.sbatch) and with entries
// batched per task and a throttle (sweep_per_task.sbatch). Regenerate after
// a deliberate change with `go test ./core/sweep -update` and review the diff.
func TestScriptGolden(t *testing.T) {
	g, err := Builtin("paper")
	if err != nil {
		t.Fatal(err)
	}
	m, err := Expand(g)
	if err != nil {
		t.Fatal(err)
	}
	for name, o := range map[string]SlurmOptions{
		"sweep.sbatch": {Bin: "/opt/hmm rnn/bin", Dir: "/scratch/sw", Mem: "4G", Time: "6:00:00",
			Partition: "cpu", Account: "lab", CPUs: 2, Extra: []string{"--qos=long"}},
		"sweep_per_task.sbatch": {Bin: "/b", Dir: "/d", PerTask: 5, MaxRunning: 10},
	} {
		s, err := Script(m, o)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		golden.Bytes(t, name, []byte(s))
	}
}

// TestSummaryCSVGolden pins summary.csv of the collect test's sweep (four
// of five fake results; testdata/golden/summary.csv).
func TestSummaryCSVGolden(t *testing.T) {
	m := testManifest(t)
	dir := t.TempDir()
	if _, err := RunPool(context.Background(), dir, m, []int{0, 1, 2, 4}, newFake().run, PoolOptions{Workers: 2}); err != nil {
		t.Fatal(err)
	}
	results, err := ReadResults(dir, m)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Collect(m, results)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := s.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	golden.Bytes(t, "summary.csv", b.Bytes())
}
