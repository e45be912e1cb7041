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

// TestSlurmOptionsValidate checks that every value written into the batch
// script is held to its character set: none can end an #SBATCH line early
// or add a shell command (the issue's --partition $'gpu\necho PWNED').
func TestSlurmOptionsValidate(t *testing.T) {
	g, _ := Builtin("tiny")
	m, err := Expand(g)
	if err != nil {
		t.Fatal(err)
	}
	ok := SlurmOptions{Bin: "/opt/hmm rnn/bin's", Dir: "/scratch/u1/sw-1.2_a", JobName: "hmm.rnn-1", Partition: "gpu,cpu_long",
		Account: "lab-x.y", Time: "1-12:00:00", Mem: "500M", Extra: []string{"--qos=long", "--gres=gpu:1", "--exclude=node[01-03]", "-N", "--exclusive"}}
	// Slurm's own words for no time limit are valid too.
	for _, tl := range []string{"UNLIMITED", "INFINITE"} {
		o := ok
		o.Time = tl
		if _, err := Script(m, o); err != nil {
			t.Errorf("--time %s refused: %v", tl, err)
		}
	}
	s, err := Script(m, ok)
	if err != nil {
		t.Fatalf("valid options refused: %v", err)
	}
	// Every line before the first command is a comment or directive.
	head, _, found := strings.Cut(s, "\nset -euo pipefail\n")
	if !found {
		t.Fatalf("script lacks its first command:\n%s", s)
	}
	for _, line := range strings.Split(head, "\n") {
		if line != "" && !strings.HasPrefix(line, "#") {
			t.Errorf("header line %q is not a comment or #SBATCH directive", line)
		}
	}
	for _, tc := range []struct {
		name string
		edit func(o *SlurmOptions)
		want string
	}{
		{"partition newline", func(o *SlurmOptions) { o.Partition = "gpu\necho PWNED" }, "--partition"},
		{"partition dollar", func(o *SlurmOptions) { o.Partition = "$(id)" }, "--partition"},
		{"partition blank", func(o *SlurmOptions) { o.Partition = "gpu cpu" }, "--partition"},
		{"time newline", func(o *SlurmOptions) { o.Time = "4:00:00\nrm -rf ~" }, "--time"},
		{"time letters", func(o *SlurmOptions) { o.Time = "four hours" }, "--time"},
		{"time unlimited and more", func(o *SlurmOptions) { o.Time = "UNLIMITED\necho x" }, "--time"},
		{"mem semicolon", func(o *SlurmOptions) { o.Mem = "4G;reboot" }, "--mem"},
		{"mem unit", func(o *SlurmOptions) { o.Mem = "4GB" }, "--mem"},
		{"account carriage return", func(o *SlurmOptions) { o.Account = "lab\rx" }, "--account"},
		{"account quote", func(o *SlurmOptions) { o.Account = "lab'x" }, "--account"},
		{"job name hash", func(o *SlurmOptions) { o.JobName = "a#b" }, "job name"},
		{"extra newline", func(o *SlurmOptions) { o.Extra = []string{"--qos=long\necho PWNED"} }, "--sbatch"},
		{"extra blank", func(o *SlurmOptions) { o.Extra = []string{"--qos=long --x"} }, "--sbatch"},
		{"extra not an option", func(o *SlurmOptions) { o.Extra = []string{"echo"} }, "--sbatch"},
		{"dir blank", func(o *SlurmOptions) { o.Dir = "/my dir" }, "--out"},
		{"dir percent", func(o *SlurmOptions) { o.Dir = "/my%dir" }, "--out"},
		{"dir newline", func(o *SlurmOptions) { o.Dir = "/d\n#SBATCH --x" }, "--out"},
		{"dir relative", func(o *SlurmOptions) { o.Dir = "d" }, "--out"},
		{"bin relative", func(o *SlurmOptions) { o.Bin = "bin" }, "--bin"},
		{"bin newline", func(o *SlurmOptions) { o.Bin = "/b\necho PWNED" }, "control character"},
		{"negative cpus", func(o *SlurmOptions) { o.CPUs = -1 }, "negative"},
	} {
		o := ok
		o.Extra = append([]string(nil), ok.Extra...)
		tc.edit(&o)
		_, err := Script(m, o)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error %v, want one line naming %s", tc.name, err, tc.want)
		}
	}
}

// FuzzScript writes the batch script with arbitrary option values: when
// Script accepts them, the header holds only comments and #SBATCH lines,
// and the script has exactly the commands it always has (no value added a
// line).
func FuzzScript(f *testing.F) {
	g, _ := Builtin("tiny")
	m, err := Expand(g)
	if err != nil {
		f.Fatal(err)
	}
	f.Add("/opt/hmm rnn/bin", "/scratch/sw", "gpu", "4:00:00", "4G", "lab", "--qos=long")
	f.Add("/b", "/d", "gpu\necho PWNED", "1-0", "1", "a", "-N")
	f.Add("/b'; echo PWNED; '", "/d", "", "", "", "", "--x=$(id)")
	f.Fuzz(func(t *testing.T, bin, dir, partition, tlimit, mem, account, extra string) {
		o := SlurmOptions{Bin: bin, Dir: dir, Partition: partition, Time: tlimit, Mem: mem, Account: account, Extra: []string{extra}}
		s, err := Script(m, o)
		if err != nil {
			return
		}
		head, body, found := strings.Cut(s, "\nset -euo pipefail\n")
		if !found {
			t.Fatalf("no first command:\n%s", s)
		}
		for _, line := range strings.Split(strings.TrimSuffix(head, "\n"), "\n") { // one blank line ends the header
			if !strings.HasPrefix(line, "#") {
				t.Fatalf("header line %q is not a comment or directive:\n%s", line, s)
			}
		}
		lines := strings.Split(strings.TrimSuffix(body, "\n"), "\n")
		if len(lines) != 2 || !strings.HasPrefix(lines[1], "exec "+shellQuote(bin)+" sweep run") {
			t.Fatalf("body is not the export and exec lines:\n%s", body)
		}
	})
}
