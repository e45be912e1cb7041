package model

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestCheckWritable(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file.txt")
	os.WriteFile(file, []byte("x"), 0o644)
	ro := filepath.Join(dir, "ro")
	os.Mkdir(ro, 0o555)
	tests := []struct {
		path, want string // want "" means writable
	}{
		{filepath.Join(dir, "m.json"), ""},
		{file, ""}, // an existing file is replaced
		{"", "empty file name"},
		{dir, "is a directory"},
		{dir + "/", "ends with a separator"},
		{filepath.Join(dir, "missing", "m.json"), "does not exist"},
		{filepath.Join(file, "m.json"), "is not a directory"},
	}
	if os.Geteuid() != 0 { // root writes into read-only directories
		tests = append(tests, struct{ path, want string }{filepath.Join(ro, "m.json"), "cannot create a file"})
	}
	for _, tc := range tests {
		err := CheckWritable(tc.path)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("CheckWritable(%q) = %v, want nil", tc.path, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("CheckWritable(%q) = %v, want an error mentioning %q", tc.path, err, tc.want)
		}
	}
	// The check leaves nothing behind.
	ents, _ := os.ReadDir(dir)
	if len(ents) != 2 {
		t.Errorf("directory holds %d entries after the checks, want 2 (file.txt, ro)", len(ents))
	}
}

// deadPID returns the ID of a process that has exited.
func deadPID(t *testing.T) int {
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skipf("cannot run a child process: %v", err)
	}
	pid := cmd.Process.Pid
	if ProcessAlive(pid) {
		t.Skipf("pid %d of an exited child was reused", pid)
	}
	return pid
}

// TestStaleTempsRemoved plants the temporary files writers may leave beside
// a target and checks that the next WriteFileAtomic removes exactly those no
// live writer will rename.
func TestStaleTempsRemoved(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "m.json")
	pre := "." + "m.json" + ".tmp-"
	old := time.Now().Add(-2 * staleTempAge)
	files := []struct {
		name  string
		old   bool
		stale bool
	}{
		{fmt.Sprintf("%s%s-%d-123", pre, thisHost, deadPID(t)), false, true},   // killed writer of this host
		{fmt.Sprintf("%s%s-%d-456", pre, thisHost, os.Getpid()), false, false}, // a live writer (this process)
		{fmt.Sprintf("%sother-node-7-%d-789", pre, os.Getpid()), false, false}, // another host: judged by age
		{fmt.Sprintf("%sother-node-7-%d-790", pre, os.Getpid()), true, true},   // ... and abandoned
		{pre + "1220581875", true, true},                                       // an old-style name, abandoned
		{pre + "1220581876", false, false},                                     // an old-style name, recent
		{".other.json.tmp-" + thisHost + "-1-1", true, false},                  // another target's
		{"m.json.bak", true, false},                                            // not a temporary file
	}
	for _, f := range files {
		p := filepath.Join(dir, f.name)
		if err := os.WriteFile(p, []byte("partial"), 0o600); err != nil {
			t.Fatal(err)
		}
		if f.old {
			os.Chtimes(p, old, old)
		}
	}
	if err := WriteFileAtomic(target, []byte("new")); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		_, err := os.Stat(filepath.Join(dir, f.name))
		if gone := err != nil; gone != f.stale {
			t.Errorf("%s: removed %v, want %v", f.name, gone, f.stale)
		}
	}
	if b, _ := os.ReadFile(target); string(b) != "new" {
		t.Errorf("target holds %q, want %q", b, "new")
	}
}
