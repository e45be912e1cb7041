//go:build !(js && wasm)

package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "worker runs in a browser's Web Worker: build it with GOOS=js GOARCH=wasm (go run . builds and serves it)")
	os.Exit(2)
}
