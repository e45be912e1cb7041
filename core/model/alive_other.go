//go:build !unix

package model

// ProcessAlive reports true where processes cannot be probed cheaply
// (Windows, js/wasm): temporary files are then judged by age alone.
func ProcessAlive(pid int) bool { return pid > 0 }
