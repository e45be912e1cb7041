package build

import (
	"mime"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
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

// acceptsGzip reports whether the request's Accept-Encoding allows gzip.
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		f := strings.Split(strings.TrimSpace(part), ";")
		if strings.TrimSpace(f[0]) != "gzip" {
			continue
		}
		for _, param := range f[1:] {
			if q, ok := strings.CutPrefix(strings.TrimSpace(param), "q="); ok && strings.Trim(q, "0.") == "" {
				return false // q=0: explicitly refused
			}
		}
		return true
	}
	return false
}
