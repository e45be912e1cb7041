package build

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"hmmrnn/core/wasmsimd"
)

// ModulePath is the module whose root Site builds from.
const ModulePath = "hmmrnn"

// The wasm programs of the site: output file name, package directory and
// build tags. The worker trains, so it imports core/rnn's SIMD kernels
// (tag wasmsimd), which worker.js attaches from the files of generated.
var programs = []struct{ out, pkg, tags string }{
	{"app.wasm", "./wasm/app", ""},
	{"worker.wasm", "./wasm/worker", "wasmsimd"},
}

// generated are the site files written from Go values: the SIMD kernel
// module and its loader (see core/wasmsimd).
var generated = []struct {
	name string
	data func() []byte
}{
	{"simd128.wasm", wasmsimd.Module},
	{"simd128.js", func() []byte { return []byte(wasmsimd.Loader) }},
}

// inputDirs hold the Go sources the wasm programs are built from.
var inputDirs = []string{"core", "wasm"}

// gzipExts are the extensions whose files get a .gz twin.
var gzipExts = []string{".html", ".js", ".css", ".json", ".wasm", ".svg", ".txt", ".csv"}

// stampFile records the Go version the wasm files were built with.
const stampFile = ".build-stamp"

// Options configure Site.
type Options struct {
	Root  string    // module root; "" = found from the working directory
	Out   string    // the site directory (created if missing)
	Force bool      // rebuild everything
	Log   io.Writer // progress lines; nil = silent
}

// Result tells what Site did.
type Result struct {
	Out       string
	Built     []string         // wasm files compiled this time
	Sizes     map[string]int64 // raw size of each wasm file
	GzipSizes map[string]int64
}

// FindRoot walks up from dir to the directory whose go.mod declares
// module hmmrnn.
func FindRoot(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := dir; ; d = filepath.Dir(d) {
		data, err := os.ReadFile(filepath.Join(d, "go.mod"))
		if err == nil && modulePath(data) == ModulePath {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("build: no go.mod of module %s in %s or above (run from the source tree)", ModulePath, dir)
		}
	}
}

func modulePath(gomod []byte) string {
	for _, line := range strings.Split(string(gomod), "\n") {
		if f := strings.Fields(line); len(f) == 2 && f[0] == "module" {
			return strings.Trim(f[1], `"`)
		}
	}
	return ""
}

// Site builds what is stale of the site into o.Out.
func Site(ctx context.Context, o Options) (*Result, error) {
	if o.Root == "" {
		wd, err := os.Getwd()
		if err != nil {
			return nil, err
		}
		if o.Root, err = FindRoot(wd); err != nil {
			return nil, err
		}
	}
	if o.Out == "" {
		return nil, errors.New("build: no output directory")
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	if err := os.MkdirAll(o.Out, 0o755); err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	goroot, gover, err := goEnv(ctx, o.Root)
	if err != nil {
		return nil, err
	}
	res := &Result{Out: o.Out, Sizes: map[string]int64{}, GzipSizes: map[string]int64{}}

	stamp, _ := os.ReadFile(filepath.Join(o.Out, stampFile))
	force := o.Force || strings.TrimSpace(string(stamp)) != gover
	newest, err := newestInput(o.Root)
	if err != nil {
		return nil, err
	}
	for _, p := range programs {
		dst := filepath.Join(o.Out, p.out)
		st, err := os.Stat(dst)
		if !force && err == nil && st.ModTime().After(newest) {
			if _, err := os.Stat(dst + ".gz"); err == nil {
				continue
			}
		}
		fmt.Fprintf(o.Log, "building %s (GOOS=js GOARCH=wasm go build -tags=%q %s)\n", p.out, p.tags, p.pkg)
		t0 := time.Now()
		if err := compileWasm(ctx, o.Root, p.pkg, p.tags, dst); err != nil {
			return nil, err
		}
		// Date the output at the start of the build, so a source edited
		// while the compiler ran still counts as newer.
		if err := os.Chtimes(dst, t0, t0); err != nil {
			return nil, fmt.Errorf("build: %w", err)
		}
		if err := writeGzip(dst); err != nil {
			return nil, err
		}
		fmt.Fprintf(o.Log, "built %s in %.1fs\n", p.out, time.Since(t0).Seconds())
		res.Built = append(res.Built, p.out)
	}
	for _, p := range programs {
		dst := filepath.Join(o.Out, p.out)
		if st, err := os.Stat(dst); err == nil {
			res.Sizes[p.out] = st.Size()
		}
		if st, err := os.Stat(dst + ".gz"); err == nil {
			res.GzipSizes[p.out] = st.Size()
		}
	}
	if err := os.WriteFile(filepath.Join(o.Out, stampFile), []byte(gover+"\n"), 0o644); err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	if err := copyFile(filepath.Join(goroot, "lib", "wasm", "wasm_exec.js"), filepath.Join(o.Out, "wasm_exec.js")); err != nil {
		return nil, err
	}
	if err := copyTree(filepath.Join(o.Root, "web"), o.Out); err != nil {
		return nil, err
	}
	for _, g := range generated {
		if err := writeIfChanged(filepath.Join(o.Out, g.name), g.data()); err != nil {
			return nil, err
		}
	}
	if err := pruneGallery(filepath.Join(o.Root, "web", "gallery"), filepath.Join(o.Out, "gallery")); err != nil {
		return nil, err
	}
	if err := writeGalleryIndex(filepath.Join(o.Out, "gallery"), o.Log); err != nil {
		return nil, err
	}
	return res, nil
}

// goEnv returns GOROOT and the Go version of the toolchain on PATH.
func goEnv(ctx context.Context, root string) (goroot, version string, err error) {
	cmd := exec.CommandContext(ctx, "go", "env", "GOROOT", "GOVERSION")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		return "", "", fmt.Errorf("build: go env: %w (is Go installed and on PATH?)", err)
	}
	f := strings.Fields(string(out))
	if len(f) != 2 {
		return "", "", fmt.Errorf("build: go env printed %q", out)
	}
	return f[0], f[1], nil
}

// compileWasm runs the Go toolchain for GOOS=js GOARCH=wasm.
func compileWasm(ctx context.Context, root, pkg, tags, dst string) error {
	tmp := dst + ".tmp"
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags=-s -w", "-tags="+tags, "-o", tmp, pkg)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm", "CGO_ENABLED=0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("build: compiling %s for wasm: %w\n%s", pkg, err, stderr.String())
	}
	return os.Rename(tmp, dst)
}

// newestInput returns the latest modification time of the Go build inputs.
func newestInput(root string) (time.Time, error) {
	var newest time.Time
	see := func(path string) {
		if st, err := os.Stat(path); err == nil && st.ModTime().After(newest) {
			newest = st.ModTime()
		}
	}
	see(filepath.Join(root, "go.mod"))
	see(filepath.Join(root, "go.sum"))
	for _, d := range inputDirs {
		err := filepath.WalkDir(filepath.Join(root, d), func(path string, e fs.DirEntry, err error) error {
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					return nil
				}
				return err
			}
			if !e.IsDir() && strings.HasSuffix(path, ".go") {
				see(path)
			}
			return nil
		})
		if err != nil {
			return newest, fmt.Errorf("build: %w", err)
		}
	}
	return newest, nil
}

// copyTree copies the files under src into dst, writing a .gz twin of each
// compressible one. Files whose copy is already up to date are skipped.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("build: %w", err)
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		if strings.HasPrefix(e.Name(), ".") && rel != "." {
			if e.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		// Not shipped: the Go files of package web and the modules' unit
		// tests (js/*.test.js, run by web/web_test.go).
		if e.IsDir() || strings.HasSuffix(path, ".go") || strings.HasSuffix(path, ".test.js") {
			return nil
		}
		return copyFile(path, filepath.Join(dst, rel))
	})
}

// writeIfChanged writes data to dst (and its .gz twin) unless dst already
// holds exactly data.
func writeIfChanged(dst string, data []byte) error {
	if old, err := os.ReadFile(dst); err == nil && bytes.Equal(old, data) {
		if _, err := os.Stat(dst + ".gz"); err == nil || !compressible(dst) {
			return nil
		}
	}
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		return fmt.Errorf("build: %w", err)
	}
	return writeGzip(dst)
}

// copyFile copies src to dst (and refreshes dst.gz) unless dst is at least
// as new as src and has the same size.
func copyFile(src, dst string) error {
	si, err := os.Stat(src)
	if err != nil {
		return fmt.Errorf("build: %w", err)
	}
	if di, err := os.Stat(dst); err == nil && di.Size() == si.Size() && !di.ModTime().Before(si.ModTime()) {
		if !compressible(dst) {
			return nil
		}
		if _, err := os.Stat(dst + ".gz"); err == nil {
			return nil
		}
	}
	data, err := os.ReadFile(src)
	if err != nil {
		return fmt.Errorf("build: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return fmt.Errorf("build: %w", err)
	}
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		return fmt.Errorf("build: %w", err)
	}
	return writeGzip(dst)
}

func compressible(path string) bool {
	return slices.Contains(gzipExts, strings.ToLower(filepath.Ext(path)))
}

// writeGzip stores path.gz next to a compressible file.
func writeGzip(path string) error {
	if !compressible(path) {
		return nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("build: %w", err)
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(data)
	if err := zw.Close(); err != nil {
		return fmt.Errorf("build: gzip %s: %w", path, err)
	}
	if err := os.WriteFile(path+".gz", buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("build: %w", err)
	}
	return nil
}

// GalleryEntry describes one gallery model for the page's menu.
type GalleryEntry struct {
	File   string `json:"file"`
	Name   string `json:"name"`
	HMM    string `json:"hmm"`
	Hidden int    `json:"hidden"`
	Input  int    `json:"input"`
	Steps  int    `json:"steps"`
}

// pruneGallery removes from the site's gallery dst the model files (and
// their .gz twins) no longer in the source gallery src, so that a model
// deleted from web/gallery is neither listed nor served by the next build
// (copyTree only adds and refreshes). Only *.json and *.json.gz files are
// touched: dst is the site's own gallery directory.
func pruneGallery(src, dst string) error {
	ents, err := os.ReadDir(dst)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("build: %w", err)
	}
	for _, e := range ents {
		name := strings.TrimSuffix(e.Name(), ".gz")
		if e.IsDir() || !strings.HasSuffix(name, ".json") || name == "index.json" {
			continue
		}
		if _, err := os.Stat(filepath.Join(src, name)); errors.Is(err, fs.ErrNotExist) {
			if err := os.Remove(filepath.Join(dst, e.Name())); err != nil {
				return fmt.Errorf("build: %w", err)
			}
		}
	}
	return nil
}

// writeGalleryIndex lists the model files of dir in dir/index.json, reading
// just enough of each file (the engine's model JSON) for the menu. A file
// that is not such JSON is left out with a warning on log (nil: none): one
// broken file must not keep the site from building.
func writeGalleryIndex(dir string, log io.Writer) error {
	if log == nil {
		log = io.Discard
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return err
	}
	entries := []GalleryEntry{}
	for _, f := range files {
		if filepath.Base(f) == "index.json" {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			return fmt.Errorf("build: %w", err)
		}
		var m struct {
			HMM struct {
				Name string `json:"name"`
			} `json:"hmm"`
			RNN struct {
				WHH [][]float64 `json:"w_hh"`
				WIn [][]float64 `json:"w_in"`
			} `json:"rnn"`
			Training *struct {
				HMMName string `json:"hmm_name"`
				Step    int    `json:"step"`
			} `json:"training"`
		}
		if err := json.Unmarshal(data, &m); err != nil {
			fmt.Fprintf(log, "build: warning: gallery file %s left out of the menu: %v\n", filepath.Base(f), err)
			continue
		}
		e := GalleryEntry{File: filepath.Base(f), Name: strings.TrimSuffix(filepath.Base(f), ".json"),
			HMM: m.HMM.Name, Hidden: len(m.RNN.WHH)}
		if len(m.RNN.WIn) > 0 {
			e.Input = len(m.RNN.WIn[0])
		}
		if m.Training != nil {
			e.Steps = m.Training.Step
			if e.HMM == "" {
				e.HMM = m.Training.HMMName
			}
		}
		entries = append(entries, e)
	}
	if len(files) == 0 {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("build: %w", err)
		}
	}
	data, _ := json.MarshalIndent(entries, "", " ")
	path := filepath.Join(dir, "index.json")
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
		return nil
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("build: %w", err)
	}
	return writeGzip(path)
}
