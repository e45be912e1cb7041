package build

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// maxSingleFile is the size the single-file page must stay under with the
// full gallery ("under 8 MB").
const maxSingleFile = 8_000_000

// TestEncode7RoundTrip encodes data natively and decodes it with
// single.js's decoder in node: every length up to a few chunks (the
// padding), the three escaped values in every position, random bytes.
func TestEncode7RoundTrip(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("node is needed in CI: %v", err)
		}
		t.Skip("node not found")
	}
	r := rand.New(rand.NewPCG(1, 2))
	var cases [][]byte
	for n := 0; n <= 20; n++ {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		cases = append(cases, b)
	}
	cases = append(cases, bytes.Repeat([]byte{0}, 15), bytes.Repeat([]byte{0xff}, 15), []byte("<\r\x00</script>"))
	// Each escaped value as a 7-bit field at every bit offset of 3 bytes
	// (the rest zero, itself escaped, or ones).
	for _, v := range escaped7 {
		for shift := 0; shift <= 17; shift++ {
			for _, fill := range []uint32{0, 0xffffff} {
				x := uint32(v)<<(17-shift) | fill&^(127<<(17-shift))
				cases = append(cases, []byte{byte(x >> 16), byte(x >> 8), byte(x)})
			}
		}
	}
	big := make([]byte, 100_003)
	for i := range big {
		big[i] = byte(r.IntN(256))
	}
	cases = append(cases, big)

	dir := t.TempDir()
	var script strings.Builder
	script.WriteString(singleLoader + "\nconst fs = require('fs'); const cases = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));\n" +
		"for (const [i, [s, hex]] of cases.entries()) { const got = Buffer.from(hmmrnnDecode(s, hex.length / 2)).toString('hex');\n" +
		"  if (got !== hex) { console.log(`case ${i}: got ${got.slice(0, 40)}, want ${hex.slice(0, 40)}`); process.exitCode = 1; } }\n" +
		"try { hmmrnnDecode('abc', 9); console.log('a short text decoded'); process.exitCode = 1; } catch (e) { if (!/damaged/.test(e.message)) { console.log(e.message); process.exitCode = 1; } }\n")
	var js strings.Builder
	js.WriteString("[")
	total, encoded := 0, 0
	for i, c := range cases {
		s := encode7(c)
		if strings.ContainsAny(s, "\x00\r<") {
			t.Fatalf("case %d: the encoding holds a character HTML would change", i)
		}
		if i > 0 {
			js.WriteString(",")
		}
		q, _ := json.Marshal(s)
		js.WriteString("[" + string(q) + `,"` + hexOf(c) + `"]`)
		total += len(c)
		encoded += len(s)
	}
	js.WriteString("]")
	if err := os.WriteFile(filepath.Join(dir, "cases.json"), []byte(js.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "decode.js"), []byte(script.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(node, filepath.Join(dir, "decode.js"), filepath.Join(dir, "cases.json")).CombinedOutput()
	if err != nil {
		t.Fatalf("node decoding: %v\n%s", err, out)
	}
	// 8/7 of the bytes in UTF-8, plus the rare two-byte characters' extra
	// byte per two chunks (which carry 14 bits in 16: no worse).
	if ratio := float64(encoded) / float64(total); ratio > 8.0/7*1.001 {
		t.Errorf("encoded size %.4f of the data, want at most 8/7", ratio)
	}
}

func hexOf(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 2*len(b))
	for i, x := range b {
		out[2*i], out[2*i+1] = digits[x>>4], digits[x&15]
	}
	return string(out)
}

// TestSingleFileGallery checks the gallery choice and the page's parts,
// without a browser.
func TestSingleFileGallery(t *testing.T) {
	if testing.Short() {
		t.Skip("builds both wasm programs")
	}
	dir, _ := builtSite(t)
	if err := addTestGallery(dir); err != nil { // a rebuilt site (TestSiteSizesAndFiles) prunes it
		t.Fatal(err)
	}
	page, err := SingleFile(dir, []string{"test-linear2"})
	if err != nil {
		t.Fatal(err)
	}
	s := string(page)
	for _, want := range []string{`data-name="gallery/test-linear2.json"`, `data-name="worker.wasm" data-size=`, `data-name="js/main.js"`, `id="hmmrnn-modules"`, "<style>"} {
		if !strings.Contains(s, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	for _, bad := range []string{`src="js/main.js"`, `href="style.css"`, `href="favicon.svg"`, "http://", "https://", "from './"} {
		if strings.Contains(s, bad) {
			t.Errorf("the page still refers to %s", bad)
		}
	}
	if strings.Count(s, `data-name="gallery/`) != 2 { // the index and one network
		t.Errorf("%d gallery files, want the index and test-linear2", strings.Count(s, `data-name="gallery/`))
	}
	if _, err := SingleFile(dir, []string{"test-linear2", "nosuch"}); err == nil || !strings.Contains(err.Error(), `no network "nosuch" (it has: `) {
		t.Errorf("unknown gallery name: %v", err)
	}
}

// TestSingleFileFromDisk opens the single-file page with the full gallery
// from file:// in Chromium (no server) and trains a few steps.
func TestSingleFileFromDisk(t *testing.T) {
	e := browserEnv(t)
	if err := addTestGallery(e.site); err != nil { // a rebuilt site (TestSiteSizesAndFiles) prunes it
		t.Fatal(err)
	}
	page, err := SingleFile(e.site, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("single file with the full gallery: %d bytes (%.2f MB)", len(page), float64(len(page))/1e6)
	if len(page) > maxSingleFile {
		t.Errorf("the single file is %d bytes, limit %d", len(page), maxSingleFile)
	}
	file := filepath.Join(t.TempDir(), "hmmrnn.html")
	if err := os.WriteFile(file, page, 0o644); err != nil {
		t.Fatal(err)
	}
	p := e.openURL(t, "file://"+file+"?batch=32&hidden=20")
	st := eval[map[string]any](p, `window.hmmrnn.step(5)`, 2*time.Minute)
	if st["step"] != 5.0 {
		t.Errorf("after step(5): step %v", st["step"])
	}
	st = eval[map[string]any](p, `window.hmmrnn.step(5)`, 2*time.Minute)
	if st["step"] != 10.0 {
		t.Errorf("after 5 more: step %v", st["step"])
	}
	losses := eval[[]float64](p, `window.hmmrnn.losses()`, quickCall)
	if len(losses) != 10 {
		t.Errorf("%d losses after 10 steps", len(losses))
	}
	for i, l := range losses {
		if math.IsNaN(l) || math.IsInf(l, 0) || l <= 0 {
			t.Errorf("loss %d = %v", i, l)
		}
	}
	t.Logf("losses %v; kernels %v, helper worker %v", losses, st["kernels"], st["helper"])
	// The inlined gallery loads.
	names := eval[[]map[string]any](p, `window.hmmrnn.gallery()`, quickCall)
	if len(names) < 2 {
		t.Errorf("gallery %v", names)
	}
	st = eval[map[string]any](p, `window.hmmrnn.loadGallery('test-linear2')`, time.Minute)
	if st["source"] != "gallery: test-linear2" || st["step"] != 100.0 {
		t.Errorf("after loading the gallery network: %v", st)
	}
	p.saveScreenshot("single-file")
	p.noErrors()
}
