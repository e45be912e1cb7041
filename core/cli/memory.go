package cli

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"

	"hmmrnn/core/model"
	"hmmrnn/core/train"
)

// memoryShare is the fraction of the machine's memory a run may take by
// default: half, because the estimate (train.Config.MemoryBytes) is an upper
// bound, other programs need the rest, and a sweep may share the node.
const memoryShare = 0.5

// fallbackMemory is the default limit where the machine's memory cannot be
// read (not Linux): 4 GiB, a small laptop's worth.
const fallbackMemory = 4 << 30

// byteSize is a flag value in bytes, written as a number with an optional
// binary unit: 512M, 4G, 1.5GiB, 0 (no limit).
type byteSize int64

func (b *byteSize) String() string {
	if *b <= 0 {
		return "0"
	}
	return train.FormatBytes(int64(*b))
}

func (b *byteSize) Set(s string) error {
	n, err := parseBytes(s)
	if err != nil {
		return err
	}
	*b = byteSize(n)
	return nil
}

// parseBytes reads a size such as 4G, 512MiB, 1.5g or 1073741824 (units are
// powers of 1024; a trailing B or iB is optional).
func parseBytes(s string) (int64, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	t = strings.TrimSuffix(strings.TrimSuffix(t, "B"), "I")
	mult := 1.0
	if k := strings.IndexAny(t, "KMGT"); k >= 0 && k == len(t)-1 {
		mult = math.Pow(1024, float64(strings.IndexByte("KMGT", t[k])+1))
		t = t[:k]
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || !(v >= 0) || v*mult > math.MaxInt64/2 {
		return 0, fmt.Errorf("%q is not a size (e.g. 512M, 4G, 0 for no limit)", s)
	}
	return int64(v * mult), nil
}

// memoryFlag registers --max-memory with the machine's default.
func memoryFlag(fs *flag.FlagSet) *byteSize {
	b := byteSize(defaultMemory())
	fs.Var(&b, "max-memory", "refuse a run whose estimated memory exceeds this, e.g. 8G (0: no limit; default: half the machine's memory)")
	return &b
}

// defaultMemory is memoryShare of the memory this process may use: the
// smaller of the physical memory (/proc/meminfo MemTotal) and a cgroup v2
// limit (/sys/fs/cgroup/memory.max, what a Slurm job's --mem sets), or
// fallbackMemory when neither can be read.
func defaultMemory() int64 {
	total := memTotal()
	if lim := cgroupLimit(); lim > 0 && (total == 0 || lim < total) {
		total = lim
	}
	if total <= 0 {
		return fallbackMemory
	}
	return int64(float64(total) * memoryShare)
}

// memTotal returns MemTotal from /proc/meminfo in bytes, 0 when unreadable.
func memTotal() int64 {
	data, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 2 && f[0] == "MemTotal:" {
			kb, err := strconv.ParseInt(f[1], 10, 64)
			if err != nil || kb <= 0 {
				return 0
			}
			return kb << 10 // the file's unit is kB (1024 bytes)
		}
	}
	return 0
}

// cgroupLimit returns the cgroup v2 memory limit in bytes, 0 when there is
// none ("max") or it cannot be read.
func cgroupLimit() int64 {
	data, err := os.ReadFile("/sys/fs/cgroup/memory.max")
	if err != nil {
		return 0
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64)
	if err != nil || n <= 0 {
		return 0
	}
	return n
}

// checkMemory refuses, as bad usage, a run of cfg that would need more
// than limit bytes.
func checkMemory(cfg train.Config, limit byteSize) error {
	if err := cfg.CheckMemory(int64(limit), "--max-memory limit"); err != nil {
		return badUsage("%s; lower the sizes or raise --max-memory", strings.TrimPrefix(err.Error(), "train: "))
	}
	return nil
}

// checkFileMemory is checkMemory for the run recorded in a model file; a
// file whose record does not make a valid run is left to train.Resume to
// explain.
func checkFileMemory(f *model.File, limit byteSize) error {
	cfg, err := train.ConfigFrom(f)
	if err != nil {
		return nil
	}
	return checkMemory(cfg, limit)
}
