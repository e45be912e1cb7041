package build

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// maxAppWasm is the size limit of the drawing program (the main
// wasm stays under 13 MB raw).
const maxAppWasm = 13 << 20

func TestSiteSizesAndFiles(t *testing.T) {
	if testing.Short() {
		t.Skip("builds both wasm programs")
	}
	dir, res := builtSite(t)
	raw, gz := res.Sizes["app.wasm"], res.GzipSizes["app.wasm"]
	t.Logf("app.wasm %.2f MB raw, %.2f MB gzip; worker.wasm %.2f MB raw, %.2f MB gzip",
		float64(raw)/1e6, float64(gz)/1e6, float64(res.Sizes["worker.wasm"])/1e6, float64(res.GzipSizes["worker.wasm"])/1e6)
	if raw == 0 || raw > maxAppWasm {
		t.Errorf("app.wasm is %d bytes, limit %d", raw, maxAppWasm)
	}
	for _, f := range []string{"index.html", "app.html", "js/main.js", "worker.js", "style.css", "wasm_exec.js", "favicon.svg",
		"app.wasm.gz", "worker.wasm.gz", "js/main.js.gz", "gallery/index.json", "simd128.wasm", "simd128.js", "simd128.wasm.gz"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("site lacks %s", f)
		}
	}
	// The site ships every module the page imports, and none of their tests.
	mods, err := Modules(dir, "js/main.js")
	if err != nil {
		t.Fatal(err)
	}
	if len(mods) < 5 {
		t.Errorf("the page's modules: %d, want the panels and their helpers", len(mods))
	}
	if tests, _ := filepath.Glob(filepath.Join(dir, "js", "*.test.js")); len(tests) > 0 {
		t.Errorf("the site ships tests: %v", tests)
	}
	// A second build with nothing changed compiles nothing (unless someone
	// edits the sources meanwhile).
	if _, err := Site(t.Context(), Options{Root: "..", Out: dir}); err != nil {
		t.Fatal(err)
	}
	before, _ := newestInput("..")
	again, err := Site(t.Context(), Options{Root: "..", Out: dir})
	if err != nil {
		t.Fatal(err)
	}
	after, _ := newestInput("..")
	if len(again.Built) != 0 && before.Equal(after) {
		st, _ := os.Stat(filepath.Join(dir, "app.wasm"))
		t.Errorf("rebuilt %v although nothing changed (newest input %v, app.wasm %v)", again.Built, before, st.ModTime())
	}
	// No page may load anything from another host (offline).
	pages := []string{"index.html", "app.html", "worker.js", "style.css"}
	for _, m := range mods {
		pages = append(pages, m.Name)
	}
	for _, f := range pages {
		data, _ := os.ReadFile(filepath.Join(dir, f))
		for _, bad := range []string{"http://", "https://", "//fonts.", "@import"} {
			if strings.Contains(string(data), bad) {
				t.Errorf("%s refers to %q", f, bad)
			}
		}
	}
}

func TestHandler(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := writeGzip(p); err != nil {
			t.Fatal(err)
		}
	}
	write("index.html", "<p>home</p>")
	write("app.wasm", "\x00asm-bytes")
	write("gallery/m.json", `{"a":1}`)
	write(".build-stamp", "go1")
	os.WriteFile(filepath.Join(dir, "raw.bin"), []byte("xyz"), 0o644)
	srv := httptest.NewServer(Handler(dir))
	defer srv.Close()

	get := func(path, enc string) (*http.Response, string) {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.Header.Set("Accept-Encoding", enc) // set explicitly: no transparent decompression
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var r io.Reader = resp.Body
		if resp.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			r = zr
		}
		b, _ := io.ReadAll(r)
		return resp, string(b)
	}
	for _, tc := range []struct {
		path, enc, status, ctype, cenc, body string
	}{
		{"/", "gzip, deflate", "200", "text/html; charset=utf-8", "gzip", "<p>home</p>"},
		{"/index.html", "", "200", "text/html; charset=utf-8", "", "<p>home</p>"},
		{"/app.wasm", "br, gzip;q=0.5", "200", "application/wasm", "gzip", "\x00asm-bytes"},
		{"/app.wasm", "gzip;q=0", "200", "application/wasm", "", "\x00asm-bytes"},
		{"/gallery/m.json", "gzip", "200", "application/json", "gzip", `{"a":1}`},
		{"/raw.bin", "gzip", "200", "application/octet-stream", "", "xyz"},
		{"/.build-stamp", "", "404", "", "", ""},
		{"/../../etc/passwd", "", "404", "", "", ""},
		{"/missing.js", "gzip", "404", "", "", ""},
	} {
		resp, body := get(tc.path, tc.enc)
		if got := resp.Status[:3]; got != tc.status {
			t.Errorf("%s: status %s, want %s", tc.path, resp.Status, tc.status)
			continue
		}
		if tc.status != "200" {
			continue
		}
		if ct := resp.Header.Get("Content-Type"); ct != tc.ctype {
			t.Errorf("%s: Content-Type %q, want %q", tc.path, ct, tc.ctype)
		}
		if ce := resp.Header.Get("Content-Encoding"); ce != tc.cenc {
			t.Errorf("%s (Accept-Encoding %q): Content-Encoding %q, want %q", tc.path, tc.enc, ce, tc.cenc)
		}
		if body != tc.body {
			t.Errorf("%s: body %q, want %q", tc.path, body, tc.body)
		}
	}
	req, _ := http.NewRequest("POST", srv.URL+"/", nil)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: %v %v", resp.Status, err)
	}
}

func TestFindRoot(t *testing.T) {
	root, err := FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "serve.go")); err != nil {
		t.Errorf("FindRoot(.) = %s, which has no serve.go", root)
	}
	if _, err := FindRoot(t.TempDir()); err == nil {
		t.Errorf("FindRoot found a module root in an empty temporary directory")
	}
}

func TestGalleryIndex(t *testing.T) {
	dir := t.TempDir()
	data, err := smallModel()
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "demo.json"), data, 0o644)
	if err := writeGalleryIndex(dir, io.Discard); err != nil {
		t.Fatal(err)
	}
	idx, _ := os.ReadFile(filepath.Join(dir, "index.json"))
	for _, want := range []string{`"name": "demo"`, `"hmm": "linear2"`, `"hidden": 16`, `"input": 4`, `"steps": 100`} {
		if !strings.Contains(string(idx), want) {
			t.Errorf("index.json lacks %s:\n%s", want, idx)
		}
	}
	// A broken file is left out with a warning; the others stay listed.
	os.WriteFile(filepath.Join(dir, "broken.json"), []byte("{"), 0o644)
	var log strings.Builder
	if err := writeGalleryIndex(dir, &log); err != nil {
		t.Fatalf("a broken gallery file stopped the index: %v", err)
	}
	idx, _ = os.ReadFile(filepath.Join(dir, "index.json"))
	if strings.Contains(string(idx), "broken") || !strings.Contains(string(idx), `"name": "demo"`) {
		t.Errorf("index.json after a broken file:\n%s", idx)
	}
	if !strings.Contains(log.String(), "warning: gallery file broken.json") {
		t.Errorf("no warning names the broken file: %q", log.String())
	}
}
