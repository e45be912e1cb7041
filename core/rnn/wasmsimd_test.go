//go:build !wasm

package rnn

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
		if got := appendS32(nil, int32(c.v)); !bytes.Equal(got, c.s) {
			t.Errorf("appendS32(%d) = % x, want % x", c.v, got, c.s)
		}
	}
}

func TestWasmSIMDModuleHeader(t *testing.T) {
	m := WasmSIMDModule()
	if !bytes.HasPrefix(m, []byte("\x00asm\x01\x00\x00\x00")) {
		t.Fatalf("module starts % x", m[:8])
	}
	if !bytes.Equal(m, WasmSIMDModule()) {
		t.Fatal("two encodings differ")
	}
	for _, name := range []string{"gather", "relu", "mask", "env", "mem"} {
		if !bytes.Contains(m, []byte(name)) {
			t.Errorf("module lacks the name %q", name)
		}
	}
}

// TestWasmSIMD runs this package's tests compiled for GOOS=js GOARCH=wasm
// with the wasmsimd tag in Node, with the SIMD module attached as the
// page's worker attaches it (testdata/wasm_exec_simd.js): the kernel tests
// compare it with a naive product and the workspace tests compare the
// float32 engine on it with the float64 one, so the SIMD path is checked
// against the plain one in a real WebAssembly engine.
func TestWasmSIMD(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles the package for wasm")
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
	dir := t.TempDir()
	bin, mod := filepath.Join(dir, "rnn.test.wasm"), filepath.Join(dir, "simd128.wasm")
	if err := os.WriteFile(mod, WasmSIMDModule(), 0o644); err != nil {
		t.Fatal(err)
	}
	build := exec.Command("go", "test", "-c", "-tags", "wasmsimd", "-o", bin, ".")
	build.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm", "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("compiling the tests for wasm: %v\n%s", err, out)
	}
	run := exec.Command(node, "--stack-size=8192", filepath.Join("testdata", "wasm_exec_simd.js"),
		filepath.Join(goroot, "lib", "wasm"), mod, bin, "-test.v")
	run.Env = append(os.Environ(), "HMMRNN_WANT_SIMD=1")
	out, err := run.CombinedOutput()
	if err != nil {
		t.Fatalf("wasm tests with the SIMD kernels failed: %v\n%s", err, out)
	}
	for _, want := range []string{"--- PASS: TestSIMDAttached", "--- PASS: TestKernels", "--- PASS: TestFloat32MatchesFloat64", "--- PASS: TestMachineKernelsMatchPortable"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("wasm test output lacks %q:\n%s", want, out)
		}
	}
}
