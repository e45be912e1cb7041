package golden

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestDiff(t *testing.T) {
	for _, c := range []struct {
		want, got string
		tol       float64
		diff      string // "" for equal, else a substring of the report
	}{
		{`{"a": 1, "b": [1, 2]}`, `{"b": [1, 2], "a": 1}`, 0, ""},
		{`{"a": 1.0000001}`, `{"a": 1}`, 1e-6, ""},
		{`{"a": 1.00001}`, `{"a": 1}`, 1e-6, "$.a: golden 1.00001, got 1"},
		{`{"a": 0}`, `{"a": 1e-300}`, 1e-6, "$.a: golden 0, got 1e-300"},
		{`{"a": [1, 2]}`, `{"a": [1]}`, 0, "$.a: golden array has 2 elements, got 1"},
		{`{"a": {"b": "x"}}`, `{"a": {"b": "y"}}`, 0, "$.a.b: golden x, got y"},
		{`{"a": 1}`, `{"a": 1, "c": 2}`, 0, "$.c: not in the golden file"},
		{`{"a": 1, "c": 2}`, `{"a": 1}`, 0, "$.c: missing from this run's output"},
		{`{"a": [{"b": 1}]}`, `{"a": [{"b": true}]}`, 0, "$.a[0].b: golden has the number 1, got true"},
		{`{"a": null}`, `{"a": {}}`, 0, "$.a: golden <nil>, got map[]"},
	} {
		var w, g any
		if err := json.Unmarshal([]byte(c.want), &w); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(c.got), &g); err != nil {
			t.Fatal(err)
		}
		d := diff("$", w, g, c.tol)
		if (c.diff == "") != (d == "") || !strings.Contains(d, c.diff) {
			t.Errorf("diff(%s, %s) = %q, want %q", c.want, c.got, d, c.diff)
		}
	}
}

func TestFirstDiff(t *testing.T) {
	for _, c := range []struct{ want, got, diff string }{
		{"a\nb\n", "a\nb\n", ""},
		{"a\nb\n", "a\nc\n", "at line 2:\n  want: \"b\"\n  got:  \"c\""},
		{"a\n", "a\nb\n", "at line 2:\n  want: \"\"\n  got:  \"b\""},
		{"a\n", "a", "at line 2:\n  want: \"\"\n  got:  \"<end of file>\""},
	} {
		if d := FirstDiff([]byte(c.want), []byte(c.got)); d != c.diff {
			t.Errorf("FirstDiff(%q, %q) = %q, want %q", c.want, c.got, d, c.diff)
		}
	}
}
