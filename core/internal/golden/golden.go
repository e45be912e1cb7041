// Package golden compares what a test produced with a file committed under
// the package's testdata/golden directory, and rewrites those files when
// the test binary runs with -update:
//
//	go test ./core/report -update
//
// A golden file pins a whole output (a report, a script, a table, an
// encoded portrait), so any change to it shows up as a diff in review: after
// a deliberate change, regenerate with -update and read the diff before
// committing it.
package golden

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden with this run's output")

// Dir is where golden files live, relative to the package under test.
const Dir = "testdata/golden"

// Bytes checks that got equals the golden file name byte for byte (or
// rewrites the file under -update). On a mismatch it reports the first
// differing line.
func Bytes(t testing.TB, name string, got []byte) {
	t.Helper()
	want, ok := read(t, name, got)
	if !ok || bytes.Equal(got, want) {
		return
	}
	t.Errorf("%s differs from this run's output %s\n%s", path(name), FirstDiff(want, got), hint)
}

// FirstDiff describes where two texts first differ: the line number and
// both versions of that line (want first), or their lengths when only line
// endings differ. It returns "" for equal texts.
func FirstDiff(want, got []byte) string {
	if bytes.Equal(want, got) {
		return ""
	}
	gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := range max(len(gl), len(wl)) {
		if g, w := line(gl, i), line(wl, i); g != w {
			return fmt.Sprintf("at line %d:\n  want: %q\n  got:  %q", i+1, w, g)
		}
	}
	return fmt.Sprintf("(%d bytes against %d)", len(want), len(got))
}

// JSON checks that got and the golden file name are the same JSON document,
// numbers equal within the relative tolerance tol (or rewrites the file
// under -update). The tolerance absorbs floating-point differences between
// platforms (e.g. fused multiply-adds on arm64) in outputs computed by long
// simulations; everything else (keys, strings, array lengths) must match
// exactly. On a mismatch it reports the JSON path of the first difference.
func JSON(t testing.TB, name string, got []byte, tol float64) {
	t.Helper()
	want, ok := read(t, name, got)
	if !ok || bytes.Equal(got, want) {
		return
	}
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("golden: this run's output for %s is not JSON: %v", name, err)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("golden: %s is not JSON: %v\n%s", path(name), err, hint)
	}
	if d := diff("$", w, g, tol); d != "" {
		t.Errorf("%s differs from this run's output at %s\n%s", path(name), d, hint)
	}
}

// Encoded checks binary output got against the golden file name (or
// rewrites the file under -update). Equal bytes pass; otherwise both are
// decoded with decode and compared as JSON like JSON does, so float
// differences within tol pass and a real difference is reported by the
// path of the decoded field.
func Encoded(t testing.TB, name string, got []byte, decode func([]byte) (any, error), tol float64) {
	t.Helper()
	want, ok := read(t, name, got)
	if !ok || bytes.Equal(got, want) {
		return
	}
	asJSON := func(b []byte, what string) any {
		v, err := decode(b)
		if err != nil {
			t.Fatalf("golden: decoding %s: %v\n%s", what, err, hint)
		}
		j, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("golden: %s as JSON: %v", what, err)
		}
		var out any
		if err := json.Unmarshal(j, &out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	w, g := asJSON(want, path(name)), asJSON(got, "this run's output")
	if d := diff("$", w, g, tol); d != "" {
		t.Errorf("%s differs from this run's output at %s (decoded)\n%s", path(name), d, hint)
	}
}

const hint = "if the change is intended, regenerate with `go test -update` in this package and review the diff"

func path(name string) string { return filepath.Join(Dir, name) }

func line(l []string, i int) string {
	if i < len(l) {
		return l[i]
	}
	return "<end of file>"
}

// read returns the golden content of name; under -update it writes got
// instead and returns ok = false.
func read(t testing.TB, name string, got []byte) ([]byte, bool) {
	t.Helper()
	p := path(name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("golden: wrote %s (%d bytes)", p, len(got))
		return nil, false
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("golden: %v (create it with `go test -update` in this package)", err)
	}
	return want, true
}

// diff describes the first difference between two decoded JSON values, or
// returns "" when they agree (numbers within relative tolerance tol).
func diff(at string, want, got any, tol float64) string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s: golden has an object, got %T", at, got)
		}
		keys := make([]string, 0, len(w)+len(g))
		for k := range w {
			keys = append(keys, k)
		}
		for k := range g {
			if _, ok := w[k]; !ok {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			wv, inW := w[k]
			gv, inG := g[k]
			switch {
			case !inW:
				return fmt.Sprintf("%s.%s: not in the golden file", at, k)
			case !inG:
				return fmt.Sprintf("%s.%s: missing from this run's output", at, k)
			}
			if d := diff(at+"."+k, wv, gv, tol); d != "" {
				return d
			}
		}
		return ""
	case []any:
		g, ok := got.([]any)
		if !ok {
			return fmt.Sprintf("%s: golden has an array, got %T", at, got)
		}
		if len(w) != len(g) {
			return fmt.Sprintf("%s: golden array has %d elements, got %d", at, len(w), len(g))
		}
		for i := range w {
			if d := diff(fmt.Sprintf("%s[%d]", at, i), w[i], g[i], tol); d != "" {
				return d
			}
		}
		return ""
	case float64:
		g, ok := got.(float64)
		if !ok {
			return fmt.Sprintf("%s: golden has the number %v, got %v", at, w, got)
		}
		if math.Abs(g-w) > tol*math.Max(math.Abs(w), math.Abs(g)) {
			return fmt.Sprintf("%s: golden %v, got %v (relative tolerance %g)", at, w, g, tol)
		}
		return ""
	default: // string, bool, nil
		if want != got {
			return fmt.Sprintf("%s: golden %v, got %v", at, want, got)
		}
		return ""
	}
}
