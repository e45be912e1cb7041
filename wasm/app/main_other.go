//go:build !(js && wasm)

package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "app runs in a browser: build it with GOOS=js GOARCH=wasm (go run . builds and serves it)")
	os.Exit(2)
}
