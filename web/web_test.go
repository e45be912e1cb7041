package web

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"hmmrnn/core/hmm"
	"hmmrnn/core/train"
)

// TestNode runs the page's pure modules' tests (js/*.test.js) with
// node --test, giving graph.test.js the engine's presets (written from
// core/hmm, so the page's graph is tested on the models it will draw).
// Without node the test is skipped, except under CI=true, where it fails.
func TestNode(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("node is needed in CI: %v", err)
		}
		t.Skip("node not found")
	}
	tests, err := filepath.Glob(filepath.Join("js", "*.test.js"))
	if err != nil || len(tests) == 0 {
		t.Fatalf("no js/*.test.js (%v)", err)
	}
	presets := map[string]*hmm.HMM{}
	for _, name := range hmm.PresetNames() {
		m, err := hmm.Preset(name)
		if err != nil {
			t.Fatal(err)
		}
		presets[name] = m
	}
	data, err := json.Marshal(presets)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "presets.json")
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, append([]string{"--test"}, tests...)...)
	cmd.Env = append(os.Environ(), "HMMRNN_PRESETS="+file)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node --test %s: %v\n%s", strings.Join(tests, " "), err, out)
	}
	if testing.Verbose() {
		t.Logf("%s", out)
	}
	if strings.Contains(string(out), "# SKIP") {
		t.Errorf("a node test was skipped:\n%s", out)
	}
}

// TestRecipes: the page offers the engine's recipes, no more and no fewer:
// params.js's RECIPES (the URL's vocabulary) and index.html's recipe
// select both list train.RecipeNames().
func TestRecipes(t *testing.T) {
	want := train.RecipeNames()
	js, err := os.ReadFile(filepath.Join("js", "params.js"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`export const RECIPES = \[([^\]]*)\]`).FindSubmatch(js)
	if m == nil {
		t.Fatal("params.js has no RECIPES list")
	}
	var list []string
	for _, q := range regexp.MustCompile(`'([^']*)'`).FindAllSubmatch(m[1], -1) {
		list = append(list, string(q[1]))
	}
	slices.Sort(list)
	if !slices.Equal(list, want) {
		t.Errorf("params.js RECIPES %v, engine's recipes %v", list, want)
	}
	page, err := os.ReadFile("index.html")
	if err != nil {
		t.Fatal(err)
	}
	sel := regexp.MustCompile(`(?s)<select id="recipe">(.*?)</select>`).FindSubmatch(page)
	if sel == nil {
		t.Fatal(`index.html has no <select id="recipe">`)
	}
	list = nil
	for _, q := range regexp.MustCompile(`<option value="([^"]*)"`).FindAllSubmatch(sel[1], -1) {
		list = append(list, string(q[1]))
	}
	slices.Sort(list)
	if !slices.Equal(list, want) {
		t.Errorf("index.html recipe options %v, engine's recipes %v", list, want)
	}
}
