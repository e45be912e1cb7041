package build

import (
	"mime"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// contentTypes fixes the types the app depends on, whatever the system's
// MIME tables say (instantiateStreaming refuses wasm of any other type).
var contentTypes = map[string]string{
	".wasm": "application/wasm",
	".js":   "text/javascript; charset=utf-8",
	".html": "text/html; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".json": "application/json",
	".svg":  "image/svg+xml",
	".png":  "image/png",
	".csv":  "text/csv; charset=utf-8",
	".txt":  "text/plain; charset=utf-8",
}

// Handler serves the site in dir. A request for NAME is answered from
// NAME.gz with Content-Encoding: gzip when that twin exists and the client
// accepts gzip. Paths with a segment starting with "." are not served.
// Responses ask the browser to revalidate, so a rebuilt wasm is picked up
// on reload.
func Handler(dir string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		p := path.Clean("/" + r.URL.Path)
		if strings.HasSuffix(r.URL.Path, "/") {
			p = path.Join(p, "index.html")
		}
		for _, seg := range strings.Split(p, "/") {
			if strings.HasPrefix(seg, ".") {
				http.NotFound(w, r)
				return
			}
		}
		name := filepath.Join(dir, filepath.FromSlash(p))
		ext := strings.ToLower(path.Ext(p))
		ct := contentTypes[ext]
		if ct == "" {
			ct = mime.TypeByExtension(ext)
		}
		if ct == "" {
			ct = "application/octet-stream"
		}
		h := w.Header()
		h.Set("Content-Type", ct)
		h.Set("Cache-Control", "no-cache")
		h.Set("X-Content-Type-Options", "nosniff")
		if compressible(p) {
			h.Add("Vary", "Accept-Encoding")
			if acceptsGzip(r) {
				if f, err := os.Open(name + ".gz"); err == nil {
					defer f.Close()
					if st, err := f.Stat(); err == nil && !st.IsDir() {
						h.Set("Content-Encoding", "gzip")
						http.ServeContent(w, r, p, st.ModTime(), f)
						return
					}
				}
			}
		}
		f, err := os.Open(name)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil || st.IsDir() {
			http.NotFound(w, r)
			return
		}
		http.ServeContent(w, r, p, st.ModTime(), f)
	})
}

// Timeouts of the local server. Headers must arrive within
// readHeaderTimeout (a client that opens a connection and sends nothing
// cannot hold it); a keep-alive connection idle for idleTimeout is closed
// (browsers reopen one in milliseconds; without a bound idle connections
// pile up for ever). No read or write timeout for the body: app.wasm may
// take long on a slow link.
const (
	readHeaderTimeout = 10 * time.Second
	idleTimeout       = time.Minute
)

// NewServer returns the HTTP server of the site in dir (Handler) with the
// timeouts above.
func NewServer(dir string) *http.Server {
	return &http.Server{Handler: Handler(dir), ReadHeaderTimeout: readHeaderTimeout, IdleTimeout: idleTimeout}
}

// acceptsGzip reports whether the request's Accept-Encoding allows gzip
// (RFC 9110 section 12.5.3): content codings are case-insensitive tokens,
// each optionally weighted by ";q=W", and a weight of 0 means "not
// acceptable"; "*" stands for every coding not named; "x-gzip" is gzip
// (section 8.4.1.3). A malformed weight counts as 0: the identity answer
// is always acceptable. Every Accept-Encoding line counts.
func acceptsGzip(r *http.Request) bool {
	gzipQ, starQ := -1.0, -1.0 // -1: not named
	for _, line := range r.Header.Values("Accept-Encoding") {
		for _, part := range strings.Split(line, ",") {
			coding, params, _ := strings.Cut(part, ";")
			q := 1.0
			for _, p := range strings.Split(params, ";") {
				k, v, ok := strings.Cut(p, "=")
				if !ok || !strings.EqualFold(strings.TrimSpace(k), "q") {
					continue
				}
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && f >= 0 && f <= 1 {
					q = f
				} else {
					q = 0
				}
			}
			switch strings.ToLower(strings.TrimSpace(coding)) {
			case "gzip", "x-gzip":
				gzipQ = max(gzipQ, q)
			case "*":
				starQ = max(starQ, q)
			}
		}
	}
	if gzipQ >= 0 {
		return gzipQ > 0
	}
	return starQ > 0
}
