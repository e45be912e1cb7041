//go:build unix

package model

import (
	"errors"
	"syscall"
)

// ProcessAlive tells whether a process with this ID exists on this machine
// (signal 0 checks without delivering anything; EPERM means it exists but
// belongs to another user).
func ProcessAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
