package build

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestAcceptEncoding checks gzip negotiation against a real server: codings
// are case-insensitive tokens, q=0 refuses, "*" covers gzip unless gzip is
// named (RFC 9110 section 12.5.3).
func TestAcceptEncoding(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "app.js")
	os.WriteFile(p, []byte("let x = 1;"), 0o644)
	if err := writeGzip(p); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(Handler(dir))
	defer srv.Close()
	for _, tc := range []struct {
		enc  []string // Accept-Encoding lines
		gzip bool
	}{
		{nil, false},
		{[]string{"gzip"}, true},
		{[]string{"GZIP"}, true},
		{[]string{"Gzip;Q=0.5"}, true},
		{[]string{"br , gzip ; q=0.001"}, true},
		{[]string{"x-gzip"}, true},
		{[]string{"*"}, true},
		{[]string{"gzip;q=0"}, false},
		{[]string{"gzip; q=0.000"}, false},
		{[]string{"GZIP;Q=0"}, false},
		{[]string{"*, gzip;q=0"}, false},
		{[]string{"gzip;q=0, *"}, false},
		{[]string{"*;q=0"}, false},
		{[]string{"gzip;q=lots"}, false},
		{[]string{"gzip;q=2"}, false},
		{[]string{"gzipped"}, false},
		{[]string{"deflate, br"}, false},
		{[]string{"identity"}, false},
		{[]string{"br", "gzip"}, true}, // the second header line counts
	} {
		req, _ := http.NewRequest("GET", srv.URL+"/app.js", nil)
		for _, e := range tc.enc {
			req.Header.Add("Accept-Encoding", e)
		}
		if tc.enc == nil {
			req.Header.Set("Accept-Encoding", "") // no transparent gzip from the transport
		}
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("Content-Encoding") == "gzip"; got != tc.gzip {
			t.Errorf("Accept-Encoding %q: gzip %v, want %v", tc.enc, got, tc.gzip)
		}
	}
}

// TestIdleConnectionClosed: the server closes a keep-alive connection that
// stays idle (with the production timeout shortened for the test).
func TestIdleConnectionClosed(t *testing.T) {
	srv := NewServer(t.TempDir())
	if srv.IdleTimeout <= 0 || srv.ReadHeaderTimeout <= 0 {
		t.Fatalf("IdleTimeout %v, ReadHeaderTimeout %v: want both set", srv.IdleTimeout, srv.ReadHeaderTimeout)
	}
	srv.IdleTimeout = 100 * time.Millisecond
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	defer srv.Close()
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "GET /missing.js HTTP/1.1\r\nHost: x\r\n\r\n")
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	// Idle now: the server must close the connection long before this
	// deadline (which only keeps a broken server from hanging the test).
	conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	if _, err := br.ReadByte(); err != io.EOF {
		t.Errorf("idle connection: read gave %v, want EOF (closed by the server)", err)
	}
}

// TestGalleryRemovedFile: a model removed from the source gallery is pruned
// from the site, so it is neither listed in index.json nor served.
func TestGalleryRemovedFile(t *testing.T) {
	src, site := t.TempDir(), t.TempDir()
	gal := filepath.Join(site, "gallery")
	data, err := smallModel()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"kept.json", "gone.json"} {
		os.WriteFile(filepath.Join(src, name), data, 0o644)
	}
	if err := copyTree(src, gal); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(gal, "notes.txt"), []byte("not a model"), 0o644)
	os.Remove(filepath.Join(src, "gone.json"))
	if err := pruneGallery(src, gal); err != nil {
		t.Fatal(err)
	}
	if err := writeGalleryIndex(gal, nil); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(Handler(site))
	defer srv.Close()
	for _, tc := range []struct {
		path   string
		status int
	}{
		{"/gallery/kept.json", 200},
		{"/gallery/gone.json", 404},
		{"/gallery/notes.txt", 200},
		{"/gallery/index.json", 200},
	} {
		for _, enc := range []string{"", "gzip"} {
			req, _ := http.NewRequest("GET", srv.URL+tc.path, nil)
			req.Header.Set("Accept-Encoding", enc)
			resp, err := http.DefaultTransport.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Errorf("%s (Accept-Encoding %q): status %d, want %d", tc.path, enc, resp.StatusCode, tc.status)
			}
			if tc.path == "/gallery/index.json" && enc == "" && (strings.Contains(string(body), "gone") || !strings.Contains(string(body), "kept")) {
				t.Errorf("index.json after removing gone.json:\n%s", body)
			}
		}
	}
}
