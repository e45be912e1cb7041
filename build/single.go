package build

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// singleLoader is the single-file page's loader script (see single.js).
//
//go:embed single.js
var singleLoader string

// singleText are the site files the single-file page keeps uncompressed,
// because the page reads them synchronously as it starts (the workers'
// scripts and the app's page); the WebAssembly and gallery files are
// stored gzip-compressed and inflated by the browser's DecompressionStream.
var singleText = []string{"app.html", "wasm_exec.js", "simd128.js", "worker.js"}

// singleGzip are the compressed site files every single-file page holds.
var singleGzip = []string{"app.wasm", "worker.wasm", "simd128.wasm"}

// SingleFile writes the built site in dir as one self-contained HTML page
// that works opened from disk (file://) with no server and no network:
// the stylesheet and icon inline, the ES modules and the workers started
// from blob: URLs, the WebAssembly and the gallery networks named in
// gallery (all of them when gallery is nil) compressed inside the page.
func SingleFile(dir string, gallery []string) ([]byte, error) {
	read := func(name string) ([]byte, error) {
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil {
			return nil, fmt.Errorf("single file: %w (build the site first)", err)
		}
		return data, nil
	}
	index, err := read("index.html")
	if err != nil {
		return nil, err
	}
	page := string(index)
	// replace swaps the one occurrence of old in the page, so a changed
	// index.html fails here instead of giving a page that cannot start.
	replace := func(old, new string) error {
		if strings.Count(page, old) != 1 {
			return fmt.Errorf("single file: index.html should hold %s once", old)
		}
		page = strings.Replace(page, old, new, 1)
		return nil
	}
	css, err := read("style.css")
	if err != nil {
		return nil, err
	}
	icon, err := read("favicon.svg")
	if err != nil {
		return nil, err
	}
	if err := replace(`<link rel="stylesheet" href="style.css">`, "<style>\n"+string(css)+"</style>"); err != nil {
		return nil, err
	}
	if err := replace(`href="favicon.svg"`, `href="data:image/svg+xml;base64,`+base64.StdEncoding.EncodeToString(icon)+`"`); err != nil {
		return nil, err
	}
	if app, err := read("app.html"); err != nil {
		return nil, err
	} else if !bytes.Contains(app, []byte(`<script src="wasm_exec.js"></script>`)) {
		return nil, fmt.Errorf("single file: app.html no longer loads wasm_exec.js as single.js expects")
	}

	var files strings.Builder
	add := func(name string, data []byte, gz bool) {
		fmt.Fprintf(&files, "<script type=\"application/x-hmmrnn\" data-name=\"%s\" data-size=\"%d\"%s>%s</script>\n",
			html.EscapeString(name), len(data), map[bool]string{true: ` data-gzip="1"`}[gz], encode7(data))
	}
	for _, name := range singleText {
		data, err := read(name)
		if err != nil {
			return nil, err
		}
		add(name, data, false)
	}
	for _, name := range singleGzip {
		data, err := read(name)
		if err != nil {
			return nil, err
		}
		z, err := gzipBytes(data)
		if err != nil {
			return nil, err
		}
		add(name, z, true)
	}
	entries, err := chooseGallery(dir, gallery)
	if err != nil {
		return nil, err
	}
	list, _ := json.Marshal(entries)
	add("gallery/index.json", list, false)
	for _, e := range entries {
		data, err := read("gallery/" + e.File)
		if err != nil {
			return nil, err
		}
		z, err := gzipBytes(data)
		if err != nil {
			return nil, err
		}
		add("gallery/"+e.File, z, true)
	}

	mods, err := Modules(dir, "js/main.js")
	if err != nil {
		return nil, err
	}
	type modEntry struct {
		Name string   `json:"name"`
		Deps []string `json:"deps"`
	}
	var order []modEntry
	for _, m := range mods {
		e := modEntry{Name: m.Name, Deps: []string{}}
		src := importRE.ReplaceAllStringFunc(m.Source, func(stmt string) string {
			spec := importRE.FindStringSubmatch(stmt)[1]
			dep := path.Join(path.Dir(m.Name), spec)
			if !slices.Contains(e.Deps, dep) {
				e.Deps = append(e.Deps, dep)
			}
			return strings.Replace(stmt, spec, "hmmrnn-module:"+dep, 1)
		})
		add(m.Name, []byte(src), false)
		order = append(order, e)
	}
	modList, _ := json.Marshal(order)
	boot := files.String() +
		`<script type="application/json" id="hmmrnn-modules">` + string(modList) + "</script>\n" +
		"<script>\n" + strings.ReplaceAll(singleLoader, "</script", `<\/script`) + "</script>"
	if err := replace(`<script type="module" src="js/main.js"></script>`, boot); err != nil {
		return nil, err
	}
	return []byte(page), nil
}

// ErrNoGallery is the error of a gallery name that is not in the site.
var ErrNoGallery = errors.New("the gallery has no network")

// chooseGallery returns the entries of the site's gallery index named in
// names, in that order (every entry when names is nil); an unknown name is
// an error listing the known ones.
func chooseGallery(dir string, names []string) ([]GalleryEntry, error) {
	data, err := os.ReadFile(filepath.Join(dir, "gallery", "index.json"))
	if err != nil {
		return nil, fmt.Errorf("single file: %w (build the site first)", err)
	}
	var all []GalleryEntry
	if err := json.Unmarshal(data, &all); err != nil {
		return nil, fmt.Errorf("single file: gallery/index.json: %w", err)
	}
	if names == nil {
		return all, nil
	}
	out := []GalleryEntry{}
	for _, n := range names {
		i := slices.IndexFunc(all, func(e GalleryEntry) bool { return e.Name == n })
		if i < 0 {
			known := []string{}
			for _, e := range all {
				known = append(known, e.Name)
			}
			return nil, fmt.Errorf("single file: %w %q (it has: %s)", ErrNoGallery, n, strings.Join(known, ", "))
		}
		out = append(out, all[i])
	}
	return out, nil
}

func gzipBytes(data []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(data)
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("single file: gzip: %w", err)
	}
	return buf.Bytes(), nil
}

// escaped7 are the 7-bit values HTML would not keep as-is inside a script
// element: NUL (replaced), CR (turned into a line feed) and '<' (which
// could close the element). Their order is single.js's ESCAPED.
var escaped7 = [...]byte{0, '\r', '<'}

// encode7 writes data as text for a script element, seven bits per
// character: 8/7 of the size, where base64 takes 4/3. A 7-bit chunk that
// is one of escaped7 goes, with the chunk after it, into one two-byte
// character U+0100 + index·128 + next (decoded by single.js's
// hmmrnnDecode). The last chunk is padded with zero bits.
func encode7(data []byte) string {
	var b strings.Builder
	b.Grow(len(data)*8/7 + 8)
	pending := -1 // index in escaped7 of a chunk waiting for its successor
	emit := func(v byte) {
		if pending >= 0 {
			b.WriteRune(rune(0x100 + pending<<7 + int(v)))
			pending = -1
			return
		}
		if i := bytes.IndexByte(escaped7[:], v); i >= 0 {
			pending = i
			return
		}
		b.WriteByte(v)
	}
	var acc uint32
	bits := 0
	for _, x := range data {
		acc = acc<<8 | uint32(x)
		bits += 8
		for bits >= 7 {
			bits -= 7
			emit(byte(acc>>bits) & 127)
		}
		acc &= 1<<bits - 1
	}
	if bits > 0 {
		emit(byte(acc<<(7-bits)) & 127)
	}
	if pending >= 0 {
		emit(0)
	}
	return b.String()
}
