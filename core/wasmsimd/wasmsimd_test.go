//go:build !wasm

package wasmsimd

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestLEB128(t *testing.T) {
	for _, c := range []struct {
		v    int64
		u, s []byte
	}{
		{0, []byte{0}, []byte{0}},
		{1, []byte{1}, []byte{1}},
		{63, []byte{63}, []byte{63}},
		{64, []byte{64}, []byte{0xc0, 0}},
		{127, []byte{127}, []byte{0xff, 0}},
		{128, []byte{0x80, 1}, []byte{0x80, 1}},
		{624485, []byte{0xe5, 0x8e, 0x26}, []byte{0xe5, 0x8e, 0x26}}, // the specification's example
		{-1, nil, []byte{0x7f}},
		{-64, nil, []byte{0x40}},
		{-65, nil, []byte{0xbf, 0x7f}},
		{-123456, nil, []byte{0xc0, 0xbb, 0x78}},
	} {
		if c.u != nil {
			if got := appendU32(nil, uint32(c.v)); !bytes.Equal(got, c.u) {
				t.Errorf("appendU32(%d) = % x, want % x", c.v, got, c.u)
			}
		}
		if got := appendS64(nil, c.v); !bytes.Equal(got, c.s) {
			t.Errorf("appendS64(%d) = % x, want % x", c.v, got, c.s)
		}
	}
}

func TestModuleHeader(t *testing.T) {
	m := Module()
	if !bytes.HasPrefix(m, []byte("\x00asm\x01\x00\x00\x00")) {
		t.Fatalf("module starts % x", m[:8])
	}
	if !bytes.Equal(m, Module()) {
		t.Fatal("two encodings differ")
	}
	for _, name := range []string{"gather", "relu", "mask", "bins", "env", "mem"} {
		if !bytes.Contains(m, []byte(name)) {
			t.Errorf("module lacks the name %q", name)
		}
	}
}

// nodeSuites are the packages whose tests TestNode runs in WebAssembly with
// the module attached, and tests each must report passed: this package's
// kernel tests (each kernel against plain Go), and the suites of the two
// users, which compare the engines on the kernels with their float64 and
// dense references.
var nodeSuites = []struct {
	pkg  string
	want []string
}{
	{".", []string{"TestAvailable", "TestGather", "TestBins", "TestReluMask"}},
	{"../rnn", []string{"TestSIMDAttached", "TestKernels", "TestFloat32MatchesFloat64", "TestMachineKernelsMatchPortable", "TestDeterminism"}},
	{"../sinkhorn", []string{"TestSymbolsMatchesDense", "TestFixtureSymbols", "TestSymbolsWorkers"}},
}

// TestNode compiles the test binaries of nodeSuites for GOOS=js GOARCH=wasm
// with the wasmsimd tag and runs them in Node with the module attached, as
// the page's worker attaches it (testdata/wasm_exec_simd.js), so that the
// SIMD paths are checked against the plain ones in a real WebAssembly
// engine.
func TestNode(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles packages for wasm")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("node is needed in CI: %v", err)
		}
		t.Skip("node not found")
	}
	goroot := runtime.GOROOT()
	if out, err := exec.Command("go", "env", "GOROOT").Output(); err == nil {
		goroot = strings.TrimSpace(string(out))
	}
	runner, err := filepath.Abs(filepath.Join("testdata", "wasm_exec_simd.js"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	mod := filepath.Join(dir, "simd128.wasm")
	if err := os.WriteFile(mod, Module(), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, s := range nodeSuites {
		t.Run(filepath.Base(s.pkg), func(t *testing.T) {
			bin := filepath.Join(dir, filepath.Base(s.pkg)+".test.wasm")
			build := exec.Command("go", "test", "-c", "-tags", "wasmsimd", "-o", bin, s.pkg)
			build.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm", "CGO_ENABLED=0")
			if out, err := build.CombinedOutput(); err != nil {
				t.Fatalf("compiling %s for wasm: %v\n%s", s.pkg, err, out)
			}
			run := exec.Command(node, "--stack-size=8192", runner, filepath.Join(goroot, "lib", "wasm"), mod, bin, "-test.v", "-test.short")
			run.Dir = s.pkg // the package's testdata, as go test does
			run.Env = append(os.Environ(), "HMMRNN_WANT_SIMD=1")
			out, err := run.CombinedOutput()
			if err != nil {
				t.Fatalf("%s tests with the SIMD module failed: %v\n%s", s.pkg, err, out)
			}
			for _, name := range s.want {
				if !strings.Contains(string(out), "--- PASS: "+name+" ") {
					t.Errorf("%s: no passing %s in the output:\n%s", s.pkg, name, out)
				}
			}
		})
	}
}
