package sweep

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// intList returns "[1,2,...,n]".
func intList(n int) string {
	s := make([]string, n)
	for i := range s {
		s[i] = fmt.Sprint(i + 1)
	}
	return "[" + strings.Join(s, ",") + "]"
}

// bigGrid is the case: 200 x 200 x 200 = 8 million networks from a
// file of about 2 KB.
func bigGrid() string {
	l := intList(200)
	return `{"name":"big","train":{"steps":10},"blocks":[{"hmm":["linear2"],"hidden":` + l + `,"input":` + l + `,"seeds":` + l + `}]}`
}

// namedGrid is a one-network grid whose inline HMM is called name.
func namedGrid(name, rest string) string {
	return `{"name":"g","train":{"steps":2},"blocks":[{"hmm":[{"name":"` + name + `","start":[0.5,0.5],"transition":[[0.9,0.1],[0.1,0.9]],"emission":[[1,0],[0,1]],"seq_len":10}],` + rest + `}]}`
}

// bigHMM is an inline M-state HMM with 2 outputs, named "wide".
func bigHMM(M int) string {
	row := func(n, hot int) string {
		r := make([]string, n)
		for i := range r {
			r[i] = "0"
		}
		r[hot] = "1"
		return "[" + strings.Join(r, ",") + "]"
	}
	var tr, em []string
	for i := 0; i < M; i++ {
		tr = append(tr, row(M, (i+1)%M))
		em = append(em, row(2, i%2))
	}
	return `{"name":"wide","start":` + row(M, 0) + `,"transition":[` + strings.Join(tr, ",") + `],"emission":[` + strings.Join(em, ",") + `],"seq_len":10}`
}

func TestGridLimits(t *testing.T) {
	long := strings.Repeat("x", 300)
	for _, tc := range []struct{ name, json, want string }{
		{"8 million networks", bigGrid(), "more than 10000 networks"},
		{"10001 networks in two blocks", `{"name":"g","train":{"steps":1},"blocks":[` +
			`{"hmm":["linear2"],"hidden":[1],"input":[1],"seeds":` + intList(10000) + `},` +
			`{"hmm":["linear3"],"hidden":[1],"input":[1],"seeds":[1]}]}`, "more than 10000 networks by block 1"},
		{"large HMM in many networks", `{"name":"g","train":{"steps":1},"blocks":[{"hmm":[` + bigHMM(200) +
			`],"hidden":[1],"input":[1],"seeds":` + intList(120) + `}]}`, "HMM parameters"},
		{"300-character HMM name", namedGrid(long, `"hidden":[4],"input":[2],"seeds":[1]`), "300 characters long, at most 64"},
		{"300-character grid name", `{"name":"` + long + `","train":{"steps":1},"blocks":[]}`, "grid name"},
		{"65-character tag", namedGrid("ok", `"hidden":[4],"input":[2],"seeds":[1],"tag":"`+strings.Repeat("t", 65)+`"`), "tag"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseGrid([]byte(tc.json), t.TempDir())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one mentioning %q", err, tc.want)
			}
			if err != nil && len(err.Error()) > 300 {
				t.Errorf("error message is %d bytes long, want one short line", len(err.Error()))
			}
		})
	}
	// Names at the limit give IDs that may still be too long with large
	// numbers; Expand names the ID.
	g, err := ParseGrid([]byte(namedGrid(strings.Repeat("n", 64), `"hidden":[4000000000],"input":[4000000000],"seeds":[18446744073709551615],"tag":"`+strings.Repeat("t", 64)+`"`)), ".")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Expand(g); err == nil || !strings.Contains(err.Error(), "at most 128") {
		t.Errorf("Expand with a %d-character ID: %v", 64+64+40, err)
	}
	// Exactly at the limits is fine.
	g, err = ParseGrid([]byte(`{"name":"g","train":{"steps":1},"blocks":[{"hmm":["linear2"],"hidden":[1],"input":[1],"seeds":`+intList(MaxEntries)+`}]}`), ".")
	if err != nil {
		t.Fatalf("a grid of exactly %d networks: %v", MaxEntries, err)
	}
	if m, err := Expand(g); err != nil || len(m.Entries) != MaxEntries {
		t.Errorf("Expand: %v", err)
	}
}

// TestManifestLimits checks that a manifest on disk is held to the same ID
// rule as a planned one.
func TestManifestLimits(t *testing.T) {
	g, _ := Builtin("tiny")
	m, err := Expand(g)
	if err != nil {
		t.Fatal(err)
	}
	m.Entries[1].ID = strings.Repeat("x", 200)
	if err := m.Validate(); err == nil || !strings.Contains(err.Error(), "at most 128") {
		t.Errorf("manifest with a 200-character ID: %v", err)
	}
}

// FuzzGrid feeds ParseGrid and Expand arbitrary grid files: they must return
// a grid or an error, never panic or exhaust memory, and whatever they
// accept must respect the limits and make a valid manifest.
func FuzzGrid(f *testing.F) {
	for _, name := range BuiltinNames() {
		data, _ := BuiltinJSON(name)
		f.Add(data)
	}
	f.Add([]byte(bigGrid()))
	f.Add([]byte(namedGrid(strings.Repeat("x", 300), `"hidden":[4],"input":[2],"seeds":[1]`)))
	f.Add([]byte(namedGrid("ok", `"hidden":[4],"input":[2],"seeds":[1],"tag":"a"`)))
	f.Add([]byte(`{"name":"g","train":{"steps":1},"blocks":[{"hmm":["@x.json"],"hidden":[1],"input":[1],"seeds":[1]}]}`))
	f.Add([]byte(`{"name":"g","train":{"steps":1},"blocks":[{"hmm":["linear2"],"hidden":[9223372036854775807],"input":[1],"seeds":[1]}]}`))
	dir := f.TempDir()
	os.WriteFile(filepath.Join(dir, "x.json"), []byte(`{"start":[1],"transition":[[1]],"emission":[[0.5,0.5]],"seq_len":5}`), 0o644)
	f.Fuzz(func(t *testing.T, data []byte) {
		g, err := ParseGrid(data, dir)
		if err != nil {
			return
		}
		m, err := Expand(g)
		if err != nil {
			return
		}
		if len(m.Entries) > MaxEntries || len(m.Entries) != g.Size() {
			t.Fatalf("%d entries (Size %d), limit %d", len(m.Entries), g.Size(), MaxEntries)
		}
		if err := m.Validate(); err != nil {
			t.Fatalf("an expanded grid is not a valid manifest: %v", err)
		}
		b, err := m.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ParseManifest(b); err != nil {
			t.Fatalf("the manifest does not read back: %v", err)
		}
	})
}
