// Command hmmrnn trains noise-driven RNNs to emulate hidden Markov models
// and reverse-engineers them (Torre et al., NeurIPS 2025).
//
//	go run .                       build what is stale and serve the browser app on 127.0.0.1:8080
//	go run . serve --addr A        the same on address A
//	go run . export --out DIR      write the static site to DIR, for any web host
//	go run . export --single-file F   the site as one HTML file F that works opened from disk
//	go run . train|eval|bench|analyze|sweep ...   the command line (go run . help)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"hmmrnn/build"
	"hmmrnn/core/cli"
)

func main() {
	ctx, stop := cli.NotifyContext(context.Background())
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		return serve(ctx, nil, stdout, stderr)
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], stdout, stderr)
	case "export":
		return export(ctx, args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprintln(stdout, "usage: go run . [serve [--addr HOST:PORT] | export --out DIR | export --single-file FILE [--gallery a,b] | SUBCOMMAND ...]")
		fmt.Fprintln(stdout, "  (no arguments)  build what is stale and serve the browser app on http://127.0.0.1:8080")
		fmt.Fprintln(stdout, "  serve           the same, with --addr for another address")
		fmt.Fprintln(stdout, "  export          write the static site to --out DIR, ready for any web host,")
		fmt.Fprintln(stdout, "                  or as one HTML file (--single-file FILE, with the --gallery networks) that opens from disk")
	}
	return cli.Run(ctx, args, stdout, stderr)
}

// siteCache is where `serve` keeps the built site between runs.
func siteCache() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "hmmrnn", "site")
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on (loopback by default; the app needs no network)")
	dir := fs.String("dir", siteCache(), "where to build the site")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "serve: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	res, err := build.Site(ctx, build.Options{Out: *dir, Log: stderr})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "serve: %v (choose another with --addr 127.0.0.1:PORT)\n", err)
		return 1
	}
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		fmt.Fprintf(stderr, "serve: warning: listening on %s, reachable from other machines\n", host)
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	url := fmt.Sprintf("http://%s/", net.JoinHostPort(host, port))
	fmt.Fprintf(stdout, "serving %s (site in %s; app.wasm %.1f MB) — Ctrl-C to stop\n",
		url, res.Out, float64(res.Sizes["app.wasm"])/1e6)
	srv := build.NewServer(res.Out)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		fmt.Fprintln(stderr, "serve:", err)
		return 1
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	srv.Shutdown(shut)
	return 0
}

func export(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "directory to write the static site to")
	single := fs.String("single-file", "", "write the site as one self-contained HTML `file` that works opened from disk")
	gallery := fs.String("gallery", "", "with --single-file: the gallery networks to include, comma-separated `names` (default all)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if (*out == "") == (*single == "") || fs.NArg() > 0 || (*gallery != "" && *single == "") {
		fmt.Fprintln(stderr, "export: usage: export --out DIR | export --single-file FILE [--gallery a,b]")
		return 2
	}
	if *single != "" {
		return exportSingle(ctx, *single, *gallery, stdout, stderr)
	}
	res, err := build.Site(ctx, build.Options{Out: *out, Force: true, Log: stderr})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	fmt.Fprintf(stdout, "wrote the site to %s (app.wasm %d bytes, %d gzipped); serve it with any static web server\n",
		res.Out, res.Sizes["app.wasm"], res.GzipSizes["app.wasm"])
	return 0
}

// exportSingle builds the site in the serve cache (what is stale) and
// writes it as one HTML file with the gallery networks named in list
// ("" = all of them).
func exportSingle(ctx context.Context, file, list string, stdout, stderr io.Writer) int {
	var names []string
	if list != "" {
		for _, n := range strings.Split(list, ",") {
			if n = strings.TrimSpace(n); n == "" {
				fmt.Fprintf(stderr, "export: --gallery %q has an empty name\n", list)
				return 2
			}
			names = append(names, n)
		}
	}
	res, err := build.Site(ctx, build.Options{Out: siteCache(), Log: stderr})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	page, err := build.SingleFile(res.Out, names)
	if err != nil {
		fmt.Fprintln(stderr, "export:", err)
		if errors.Is(err, build.ErrNoGallery) {
			return 2
		}
		return 1
	}
	if err := os.WriteFile(file, page, 0o644); err != nil {
		fmt.Fprintln(stderr, "export:", err)
		return 1
	}
	fmt.Fprintf(stdout, "wrote %s (%.2f MB); open it in a browser, no server needed\n", file, float64(len(page))/1e6)
	return 0
}
