package sweep

import (
	"reflect"
	"strings"
	"testing"

	"hmmrnn/core/internal/golden"
)

func TestParseIndices(t *testing.T) {
	for _, tc := range []struct {
		spec string
		n    int
		want []int
		err  string
	}{
		{"7", 10, []int{7}, ""},
		{"0-3", 10, []int{0, 1, 2, 3}, ""},
		{"1,4,7-9", 10, []int{1, 4, 7, 8, 9}, ""},
		{"5,3-5", 10, []int{5, 3, 4}, ""}, // order kept, duplicates dropped
		{" 2 ", 3, []int{2}, ""},
		{"all", 3, []int{0, 1, 2}, ""},
		{"10", 10, nil, "out of range"},
		{"-1", 10, nil, "not a number"},
		{"3-1", 10, nil, "reversed"},
		{"8-12", 10, nil, "out of range"},
		{"x", 10, nil, "not a number"},
		{"1-", 10, nil, "after '-'"},
		{"", 10, nil, "empty"},
	} {
		got, err := ParseIndices(tc.spec, tc.n)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseIndices(%q, %d) error %v, want %q", tc.spec, tc.n, err, tc.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseIndices(%q, %d) = %v, %v; want %v", tc.spec, tc.n, got, err, tc.want)
		}
	}
}

func TestFormatIndices(t *testing.T) {
	for _, tc := range []struct {
		in   []int
		want string
	}{
		{[]int{0, 1, 2, 3}, "0-3"},
		{[]int{7, 0, 3, 1, 2, 9, 10}, "0-3,7,9-10"},
		{[]int{4}, "4"},
		{[]int{5, 5, 6}, "5-6"},
		{nil, ""},
	} {
		if got := FormatIndices(tc.in); got != tc.want {
			t.Errorf("FormatIndices(%v) = %q, want %q", tc.in, got, tc.want)
		}
		if tc.want != "" {
			back, err := ParseIndices(tc.want, 100)
			if err != nil || FormatIndices(back) != tc.want {
				t.Errorf("round trip of %q: %v %v", tc.want, back, err)
			}
		}
	}
}

func TestArraySpec(t *testing.T) {
	o := SlurmOptions{PerTask: 4, MaxRunning: 8}
	if got := o.Tasks(144); got != 36 {
		t.Errorf("Tasks(144) with 4 per task = %d, want 36", got)
	}
	if got := o.Tasks(10); got != 3 {
		t.Errorf("Tasks(10) with 4 per task = %d, want 3", got)
	}
	// Entries 1, 2 (task 0), 9 (task 2), 12, 13 (task 3).
	if got := o.ArraySpec([]int{1, 2, 9, 12, 13}); got != "0,2-3%8" {
		t.Errorf("ArraySpec = %q, want %q", got, "0,2-3%8")
	}
}

func TestScript(t *testing.T) {
	g, err := Builtin("paper")
	if err != nil {
		t.Fatal(err)
	}
	m, err := Expand(g)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Script(m, SlurmOptions{Bin: "/opt/hmm rnn/bin", Dir: "/scratch/sw", Mem: "4G", Time: "6:00:00", Partition: "cpu", Extra: []string{"--qos=long"}})
	if err != nil {
		t.Fatal(err)
	}
	// The whole script is pinned too: after a deliberate change, regenerate
	// with `go test ./core/sweep -update` and review the diff.
	golden.Bytes(t, "sweep.sbatch", []byte(s))
	for _, want := range []string{
		"#!/bin/bash\n",
		"#SBATCH --job-name=hmmrnn-paper\n",
		"#SBATCH --array=0-143\n",
		"#SBATCH --cpus-per-task=1\n",
		"#SBATCH --mem=4G\n",
		"#SBATCH --time=6:00:00\n",
		"#SBATCH --partition=cpu\n",
		"#SBATCH --qos=long\n",
		"#SBATCH --output=/scratch/sw/slurm/%A_%a.out\n",
		`exec '/opt/hmm rnn/bin' sweep run --manifest /scratch/sw/manifest.json --index "$SLURM_ARRAY_TASK_ID"` + "\n",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("script lacks %q:\n%s", want, s)
		}
	}
	// sbatch reads #SBATCH lines only before the first command.
	lastDirective := strings.LastIndex(s, "#SBATCH")
	firstCommand := strings.Index(s, "set -euo")
	if lastDirective > firstCommand {
		t.Error("an #SBATCH line follows a command")
	}

	s, err = Script(m, SlurmOptions{Bin: "/b", Dir: "/d", PerTask: 5, MaxRunning: 10})
	if err != nil {
		t.Fatal(err)
	}
	golden.Bytes(t, "sweep_per_task.sbatch", []byte(s))
	for _, want := range []string{"#SBATCH --array=0-28%10\n", "first=$(( SLURM_ARRAY_TASK_ID * 5 ))", "if (( last > 143 )); then last=143; fi", `--index "$first-$last"`} {
		if !strings.Contains(s, want) {
			t.Errorf("per-task script lacks %q:\n%s", want, s)
		}
	}
	if _, err := Script(m, SlurmOptions{Bin: "bin", Dir: "/d"}); err == nil {
		t.Error("relative binary accepted")
	}
	if _, err := Script(m, SlurmOptions{Bin: "/b", Dir: "/my dir"}); err == nil {
		t.Error("directory with a blank accepted")
	}
}

func TestParseSqueue(t *testing.T) {
	out := "123_4|RUNNING|None\n123_[5-7%2]|PENDING|JobArrayTaskLimit\n\n99|PENDING|Priority\n"
	got, err := ParseSqueue(out)
	if err != nil {
		t.Fatal(err)
	}
	want := []QueuedTask{
		{"123", 4, "RUNNING", "None"},
		{"123", 5, "PENDING", "JobArrayTaskLimit"},
		{"123", 6, "PENDING", "JobArrayTaskLimit"},
		{"123", 7, "PENDING", "JobArrayTaskLimit"},
		{"99", -1, "PENDING", "Priority"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ParseSqueue =\n%v\nwant\n%v", got, want)
	}
	if got, err := ParseSqueue(""); err != nil || len(got) != 0 {
		t.Errorf("empty output: %v %v", got, err)
	}
	for _, bad := range []string{"garbage", "12_x|RUNNING|", "12_[3-1]|PENDING|"} {
		if _, err := ParseSqueue(bad); err == nil {
			t.Errorf("ParseSqueue(%q) accepted", bad)
		}
	}
}
