package build

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
)

// Module is one ES module of the page (web/js), with the modules it imports.
type Module struct {
	Name    string   // path under the site root, e.g. "js/main.js"
	Source  string   // its text
	Imports []string // the relative specifiers it imports from, as written ("./page.js")
}

// importRE matches the static imports the page's modules use:
// `import ... from './x.js'` and `import './x.js'` with a relative path.
// Only relative specifiers are allowed (the page loads nothing else).
var importRE = regexp.MustCompile(`(?m)^\s*(?:import|export)\s[^'";]*?(?:from\s*)?['"](\.\.?/[^'"]+)['"]`)

// Modules reads the ES module entry (a path under siteDir, e.g.
// "js/main.js") and every module it imports, transitively, and returns
// them dependencies first (entry last). A missing module or an import
// cycle is an error naming it.
func Modules(siteDir, entry string) ([]Module, error) {
	var out []Module
	state := map[string]int{} // 1 = being visited, 2 = done
	var visit func(name, from string) error
	visit = func(name, from string) error {
		switch state[name] {
		case 1:
			return fmt.Errorf("build: import cycle through %s (imported by %s)", name, from)
		case 2:
			return nil
		}
		state[name] = 1
		data, err := os.ReadFile(filepath.Join(siteDir, filepath.FromSlash(name)))
		if err != nil {
			if from != "" {
				return fmt.Errorf("build: %s imports %s: %w", from, name, err)
			}
			return fmt.Errorf("build: %w", err)
		}
		m := Module{Name: name, Source: string(data)}
		for _, sm := range importRE.FindAllStringSubmatch(m.Source, -1) {
			if !slices.Contains(m.Imports, sm[1]) {
				m.Imports = append(m.Imports, sm[1])
			}
		}
		for _, spec := range m.Imports {
			if err := visit(path.Join(path.Dir(name), spec), name); err != nil {
				return err
			}
		}
		state[name] = 2
		out = append(out, m)
		return nil
	}
	if err := visit(entry, ""); err != nil {
		return nil, err
	}
	return out, nil
}
