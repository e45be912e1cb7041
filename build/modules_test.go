package build

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestModulesOrder(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("js/main.js", "import * as a from './a.js';\nimport { b } from \"./b.js\";\nexport { c } from './lib/c.js';\n")
	write("js/a.js", "import {\n  b,\n} from './b.js';\nexport const a = 1; // not: import x from './nope.js' in a comment line? it is matched only at line start\n")
	write("js/b.js", "export const b = 2;\n")
	write("js/lib/c.js", "import { b } from '../b.js';\nexport const c = 3;\n")
	mods, err := Modules(dir, "js/main.js")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range mods {
		names = append(names, m.Name)
	}
	if want := []string{"js/b.js", "js/a.js", "js/lib/c.js", "js/main.js"}; !slices.Equal(names, want) {
		t.Errorf("order %v, want %v", names, want)
	}
	if want := []string{"./a.js", "./b.js", "./lib/c.js"}; !slices.Equal(mods[3].Imports, want) {
		t.Errorf("main imports %v, want %v", mods[3].Imports, want)
	}
	write("js/b.js", "import './main.js';\n")
	if _, err := Modules(dir, "js/main.js"); err == nil || !strings.Contains(err.Error(), "import cycle through js/main.js") {
		t.Errorf("cycle: %v", err)
	}
	write("js/b.js", "import './gone.js';\n")
	if _, err := Modules(dir, "js/main.js"); err == nil || !strings.Contains(err.Error(), "js/b.js imports js/gone.js") {
		t.Errorf("missing module: %v", err)
	}
}

// TestWebModules reads the page's own modules from the source tree.
func TestWebModules(t *testing.T) {
	mods, err := Modules(filepath.Join("..", "web"), "js/main.js")
	if err != nil {
		t.Fatal(err)
	}
	if last := mods[len(mods)-1].Name; last != "js/main.js" {
		t.Errorf("entry %s is not last", last)
	}
	for _, m := range mods {
		if strings.HasSuffix(m.Name, ".test.js") {
			t.Errorf("the page imports a test: %s", m.Name)
		}
	}
}
