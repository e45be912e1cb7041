package model

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Temporary files of WriteFileAtomic are named
//
//	.<target name>.tmp-<host>-<pid>-<random>
//
// beside the target, so that the next write to the same target can
// recognise the ones a killed writer (SIGKILL, power loss) left behind and
// remove them: those of a process of this host that no longer exists, and
// any older than staleTempAge whatever wrote them (a writer on another node
// of a shared file system cannot be asked whether it is alive).

// staleTempAge is the age beyond which a temporary file is abandoned: a
// write (create, write, sync, rename) takes seconds even for the largest
// model files on network storage, so an hour leaves a wide margin.
const staleTempAge = time.Hour

// tempPrefix is the name prefix of every temporary file of target path.
func tempPrefix(path string) string { return "." + filepath.Base(path) + ".tmp-" }

// maxHostLen bounds the host part of temporary file names, so that they
// stay within the 255-byte file name limit (core/sweep's MaxIDLen counts on
// it); 32 bytes tell the nodes of a cluster apart.
const maxHostLen = 32

// thisHost is the host part of this process's temporary file names: the
// host name with characters other than letters, digits, '.' and '-'
// replaced, so it can neither add a path separator nor be mistaken, cut to
// maxHostLen.
var thisHost = func() string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		return "unknown"
	}
	h = h[:min(len(h), maxHostLen)]
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' {
			return r
		}
		return '_'
	}, h)
}()

// createTemp creates an empty temporary file beside path, named as above.
func createTemp(path string) (*os.File, error) {
	pattern := fmt.Sprintf("%s%s-%d-*", tempPrefix(path), thisHost, os.Getpid())
	return os.CreateTemp(filepath.Dir(path), pattern)
}

// staleTemp tells whether name (in the directory of target) is a temporary
// file of target that no running writer will rename: its writer process,
// on this host, is gone, or it is older than staleTempAge.
func staleTemp(target string, name string, info fs.FileInfo) bool {
	rest, ok := strings.CutPrefix(name, tempPrefix(target))
	if !ok || info.IsDir() {
		return false
	}
	if time.Since(info.ModTime()) > staleTempAge {
		return true
	}
	// rest is "<host>-<pid>-<random>"; the host may itself hold '-'.
	i := strings.LastIndexByte(rest, '-')
	if i < 0 {
		return false
	}
	j := strings.LastIndexByte(rest[:i], '-')
	if j < 0 {
		return false
	}
	pid, err := strconv.Atoi(rest[j+1 : i])
	if err != nil || rest[:j] != thisHost {
		return false
	}
	return !ProcessAlive(pid)
}

// removeStaleTemps removes the temporary files of target left behind by
// killed writers (see staleTemp). Failures are ignored: the directory may
// be shared, and a leftover file harms nothing but space.
func removeStaleTemps(target string) {
	dir := filepath.Dir(target)
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	prefix := tempPrefix(target)
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), prefix) {
			continue
		}
		if info, err := e.Info(); err == nil && staleTemp(target, e.Name(), info) {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// CheckWritable tells, before any long work, whether WriteFileAtomic will be
// able to write path: it names a file (not "", not a directory), its
// directory exists and accepts a new file (tried by creating and removing a
// temporary file beside path). Errors say which of these failed.
func CheckWritable(path string) error {
	if path == "" {
		return errors.New("empty file name")
	}
	if strings.HasSuffix(path, "/") || strings.HasSuffix(path, string(filepath.Separator)) {
		return fmt.Errorf("%s ends with a separator: give a file name, not a directory", path)
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return fmt.Errorf("%s is a directory: give a file name", path)
	}
	dir := filepath.Dir(path)
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%s: directory %s does not exist", path, dir)
	case err != nil:
		return fmt.Errorf("%s: %w", path, err)
	case !st.IsDir():
		return fmt.Errorf("%s: %s is not a directory", path, dir)
	}
	tmp, err := createTemp(path)
	if err != nil {
		return fmt.Errorf("%s: cannot create a file in %s: %w", path, dir, err)
	}
	tmp.Close()
	os.Remove(tmp.Name())
	return nil
}
