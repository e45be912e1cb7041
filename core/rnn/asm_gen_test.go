package rnn

import (
	"bytes"
	"os"
	"os/exec"
	"testing"

	"hmmrnn/core/internal/golden"
)

// TestAsmGenerated checks that kernel_amd64.s is exactly what asm_gen.go
// writes, so the assembly cannot drift from its generator (a hand edit of
// the .s file, or a generator change without `go generate`). It runs the
// generator as kernel_amd64.go's go:generate line does, on any GOARCH: the
// generator is portable Go and the comparison is of text.
func TestAsmGenerated(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs asm_gen.go; skipped in -short mode")
	}
	// go test puts $GOROOT/bin first on the test's PATH, so this is the go
	// command that is running the test.
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to run asm_gen.go: %v", err)
	}
	var stderr bytes.Buffer
	cmd := exec.Command(goCmd, "run", "asm_gen.go")
	cmd.Stderr = &stderr
	got, err := cmd.Output()
	if err != nil {
		t.Fatalf("go run asm_gen.go: %v\n%s", err, stderr.String())
	}
	want, err := os.ReadFile("kernel_amd64.s")
	if err != nil {
		t.Fatal(err)
	}
	if d := golden.FirstDiff(want, got); d != "" {
		t.Fatalf("kernel_amd64.s (want) differs from asm_gen.go's output (got) %s\nrun `go generate ./core/rnn` and commit the result", d)
	}
}
