//go:build linux

package sweep_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"hmmrnn/core/sweep"
)

// slurmApt is the install line for the CI machine (Debian 12: Slurm 22.05).
const slurmApt = "apt-get install -y --no-install-recommends slurmctld slurmd slurm-client munge"

// TestSlurmSweep starts a real single-node Slurm cluster (munged, slurmctld,
// slurmd, all private to a temporary directory and ports), runs the "tiny"
// grid (4 networks, a few steps each) as a job array through
// `hmmrnn sweep submit`, resubmits after losing a result (resume), collects
// the summary, and shuts Slurm down. Without Slurm it skips, except under
// CI=true, where it fails.
func TestSlurmSweep(t *testing.T) {
	ci := os.Getenv("CI") == "true"
	skip := func(format string, a ...any) {
		t.Helper()
		msg := fmt.Sprintf(format, a...)
		if ci {
			t.Fatalf("CI=true and %s", msg)
		}
		t.Skip(msg)
	}
	if testing.Short() && !ci {
		t.Skip("-short: not starting Slurm")
	}
	bins := map[string]string{}
	var missing []string
	for _, name := range []string{"munged", "slurmctld", "slurmd", "sbatch", "squeue", "sinfo", "scontrol"} {
		p, err := exec.LookPath(name)
		if err != nil {
			if _, serr := os.Stat("/usr/sbin/" + name); serr == nil {
				p, err = "/usr/sbin/"+name, nil
			}
		}
		if err != nil {
			missing = append(missing, name)
			continue
		}
		bins[name] = p
	}
	if len(missing) > 0 {
		skip("Slurm is not installed (no %s); install it with: %s", strings.Join(missing, ", "), slurmApt)
	}
	if os.Getuid() != 0 {
		skip("starting munged (as user munge) and slurmd needs root")
	}
	mungeUser, err := user.Lookup("munge")
	if err != nil {
		skip("no munge user: %v", err)
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		skip("no go command to build hmmrnn: %v", err)
	}

	// Everything lives in base: munge must be able to traverse it.
	base, err := os.MkdirTemp("", "hmmrnn-slurm-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(base, 0o755); err != nil {
		t.Fatal(err)
	}

	// The program under test, built from the module root.
	hmmrnn := filepath.Join(base, "hmmrnn")
	gomod, err := exec.Command(goBin, "env", "GOMOD").Output()
	if err != nil {
		t.Fatal(err)
	}
	build := exec.Command(goBin, "build", "-o", hmmrnn, ".")
	build.Dir = filepath.Dir(strings.TrimSpace(string(gomod)))
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	c := &cluster{t: t, base: base, bins: bins}
	t.Cleanup(func() {
		c.stop()
		if t.Failed() {
			c.dumpLogs()
		}
		os.RemoveAll(base)
	})
	if err := c.start(mungeUser); err != nil {
		t.Fatal(err)
	}

	dir := filepath.Join(base, "sweep")
	c.hmmrnn(hmmrnn, "sweep", "plan", "--grid", "tiny", "--out", dir)
	out := c.hmmrnn(hmmrnn, "sweep", "submit", "--manifest", dir)
	if !strings.Contains(out, "array 0-3 (4 entries)") {
		t.Errorf("submit: %s", out)
	}
	c.waitDone(hmmrnn, dir, 4)

	// Every array task ran under Slurm and wrote its output file.
	outs, _ := filepath.Glob(filepath.Join(dir, sweep.SlurmDir, "*_*.out"))
	if len(outs) != 4 {
		t.Errorf("%d Slurm task outputs, want 4: %v", len(outs), outs)
	}

	// Resume: lose one result; a resubmission runs only that entry, which
	// finds its model complete and evaluates it again.
	m, err := sweep.LoadManifest(filepath.Join(dir, sweep.ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(sweep.Paths(dir, &m.Entries[2]).Result); err != nil {
		t.Fatal(err)
	}
	out = c.hmmrnn(hmmrnn, "sweep", "submit", "--manifest", dir)
	if !strings.Contains(out, "array 2 (1 entries)") {
		t.Errorf("resubmit: %s", out)
	}
	c.waitDone(hmmrnn, dir, 4)
	if out := c.hmmrnn(hmmrnn, "sweep", "submit", "--manifest", dir); !strings.Contains(out, "all 4 entries are done") {
		t.Errorf("submit when done: %s", out)
	}
	jobs, err := sweep.ReadJobs(dir)
	if err != nil || len(jobs) != 2 {
		t.Errorf("recorded jobs %v (%v), want 2", jobs, err)
	}

	out = c.hmmrnn(hmmrnn, "sweep", "collect", "--manifest", dir)
	if !strings.Contains(out, "collected 4 of 4") {
		t.Errorf("collect: %s", out)
	}
	data, err := os.ReadFile(filepath.Join(dir, "summary", sweep.SummaryJSON))
	if err != nil {
		t.Fatal(err)
	}
	var s sweep.Summary
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatal(err)
	}
	if s.Done != 4 || len(s.Cells) != 2 || len(s.Missing) != 0 {
		t.Errorf("summary: done %d, %d cells, missing %v", s.Done, len(s.Cells), s.Missing)
	}
	for _, r := range s.Networks {
		if r.Steps != m.Entries[r.Index].Train.Steps || r.Fidelity.MatchedFloor <= 0 {
			t.Errorf("network %s: %d steps, matched floor %v", r.ID, r.Steps, r.Fidelity.MatchedFloor)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "summary", sweep.SummaryHTML)); err != nil {
		t.Error(err)
	}
}

// cluster is a private single-node Slurm with its own munged.
type cluster struct {
	t    *testing.T
	base string
	bins map[string]string
	env  []string
	// pids of the daemons, read right after they start (Slurm deletes its
	// pid files on shutdown).
	pids               map[string]int
	mungeUID, mungeGID uint32
}

func (c *cluster) path(name string) string { return filepath.Join(c.base, name) }

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func (c *cluster) start(mu *user.User) error {
	c.pids = map[string]int{}
	uid, _ := strconv.ParseUint(mu.Uid, 10, 32)
	gid, _ := strconv.ParseUint(mu.Gid, 10, 32)
	c.mungeUID, c.mungeGID = uint32(uid), uint32(gid)

	// munged, as user munge, on a private socket.
	mdir := c.path("munge")
	if err := os.Mkdir(mdir, 0o755); err != nil {
		return err
	}
	if err := os.Chown(mdir, int(uid), int(gid)); err != nil {
		return err
	}
	if err := c.runAs(true, c.bins["munged"], c.mungeArgs()...); err != nil {
		return fmt.Errorf("munged: %w", err)
	}
	if err := c.readPID("munged", filepath.Join(mdir, "munged.pid")); err != nil {
		return err
	}

	// slurm.conf, as the issue measured it, with private paths and ports.
	host, err := os.Hostname()
	if err != nil {
		return err
	}
	host, _, _ = strings.Cut(host, ".")
	node, err := exec.Command(c.bins["slurmd"], "-C").Output()
	if err != nil {
		return fmt.Errorf("slurmd -C: %w", err)
	}
	nodeLine, _, _ := strings.Cut(string(node), "\n")
	ctlPort, err := freePort()
	if err != nil {
		return err
	}
	dPort, err := freePort()
	if err != nil {
		return err
	}
	for _, d := range []string{"state", "spool"} {
		if err := os.Mkdir(c.path(d), 0o755); err != nil {
			return err
		}
	}
	conf := strings.Join([]string{
		"ClusterName=hmmrnntest",
		// Explicit addresses: the test must not depend on name resolution.
		"SlurmctldHost=" + host + "(127.0.0.1)",
		fmt.Sprintf("SlurmctldPort=%d", ctlPort),
		fmt.Sprintf("SlurmdPort=%d", dPort),
		"SlurmUser=root",
		"AuthType=auth/munge",
		"CredType=cred/munge",
		"AuthInfo=socket=" + filepath.Join(mdir, "munge.sock"),
		"ProctrackType=proctrack/linuxproc",
		"TaskPlugin=task/none",
		"SelectType=select/cons_tres",
		"SelectTypeParameters=CR_Core",
		"AccountingStorageType=accounting_storage/none",
		"JobCompType=jobcomp/none",
		"JobAcctGatherType=jobacct_gather/none",
		"ReturnToService=2",
		"MailProg=/bin/true",
		"StateSaveLocation=" + c.path("state"),
		"SlurmdSpoolDir=" + c.path("spool"),
		"SlurmctldPidFile=" + c.path("slurmctld.pid"),
		"SlurmdPidFile=" + c.path("slurmd.pid"),
		"SlurmctldLogFile=" + c.path("slurmctld.log"),
		"SlurmdLogFile=" + c.path("slurmd.log"),
		nodeLine + " NodeAddr=127.0.0.1",
		"PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP",
		"",
	}, "\n")
	if err := os.WriteFile(c.path("slurm.conf"), []byte(conf), 0o644); err != nil {
		return err
	}
	c.env = append(os.Environ(), "SLURM_CONF="+c.path("slurm.conf"))

	// Both daemonize.
	for _, d := range []string{"slurmctld", "slurmd"} {
		if err := c.runAs(false, c.bins[d]); err != nil {
			return fmt.Errorf("%s: %w", d, err)
		}
		if err := c.readPID(d, c.path(d+".pid")); err != nil {
			return err
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, _ := c.cmd(c.bins["sinfo"], "-h", "-o", "%T").Output()
		if strings.TrimSpace(string(out)) == "idle" {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the node is not idle after 30 s (sinfo: %q)", out)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func (c *cluster) mungeArgs() []string {
	m := c.path("munge")
	return []string{"--socket=" + filepath.Join(m, "munge.sock"), "--pid-file=" + filepath.Join(m, "munged.pid"),
		"--log-file=" + filepath.Join(m, "munged.log"), "--seed-file=" + filepath.Join(m, "munged.seed")}
}

func (c *cluster) cmd(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Env = c.env
	return cmd
}

// runAs runs a command to completion (the daemons fork and return), as
// user munge when asMunge is set.
func (c *cluster) runAs(asMunge bool, name string, args ...string) error {
	cmd := c.cmd(name, args...)
	if asMunge {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: c.mungeUID, Gid: c.mungeGID}}
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%v: %s", err, out)
	}
	return nil
}

func (c *cluster) readPID(name, file string) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		data, err := os.ReadFile(file)
		if err == nil {
			if pid, err := strconv.Atoi(strings.TrimSpace(string(data))); err == nil && pid > 0 {
				c.pids[name] = pid
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s wrote no pid file %s", name, file)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func alive(pid int) bool { return syscall.Kill(pid, 0) == nil }

// waitGone waits up to d for the process to exit.
func waitGone(pid int, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for alive(pid) {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(100 * time.Millisecond)
	}
	return true
}

// stop shuts Slurm down (scontrol shutdown), then munged (munged --stop as
// munge), and kills by PID whatever did not exit.
func (c *cluster) stop() {
	if c.env != nil {
		if out, err := c.cmd(c.bins["scontrol"], "shutdown").CombinedOutput(); err != nil {
			c.t.Logf("scontrol shutdown: %v: %s", err, out)
		}
	}
	for _, d := range []string{"slurmd", "slurmctld"} {
		// A loaded machine (CI runs the browser tests beside this one) can
		// take longer than 15 s to stop slurmd; the sweep's results were
		// checked before, so a slow shutdown is logged, not a failure.
		if pid, ok := c.pids[d]; ok && !waitGone(pid, 45*time.Second) {
			c.t.Logf("%s (pid %d) still running 45 s after scontrol shutdown; killing it", d, pid)
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	if pid, ok := c.pids["munged"]; ok {
		if err := c.runAs(true, c.bins["munged"], append(c.mungeArgs(), "--stop")...); err != nil {
			c.t.Logf("munged --stop: %v", err)
		}
		if !waitGone(pid, 10*time.Second) {
			c.t.Errorf("munged (pid %d) still running after --stop; killing it", pid)
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

func (c *cluster) dumpLogs() {
	for _, f := range []string{"slurmctld.log", "slurmd.log", "munge/munged.log"} {
		data, err := os.ReadFile(c.path(f))
		if err != nil {
			continue
		}
		lines := strings.Split(strings.TrimSpace(string(data)), "\n")
		c.t.Logf("--- %s (last lines)\n%s", f, strings.Join(lines[max(0, len(lines)-30):], "\n"))
	}
}

// hmmrnn runs the program with the cluster's environment and returns its
// standard output; a failure fails the test.
func (c *cluster) hmmrnn(bin string, args ...string) string {
	c.t.Helper()
	cmd := c.cmd(bin, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		c.t.Fatalf("hmmrnn %s: %v\nstdout: %s\nstderr: %s", strings.Join(args, " "), err, out, stderr.String())
	}
	return string(out)
}

// waitDone polls sweep status until n entries are done and Slurm holds no
// task of the sweep (2 minutes at most).
func (c *cluster) waitDone(bin, dir string, n int) {
	c.t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		var st sweep.Status
		out := c.hmmrnn(bin, "sweep", "status", "--manifest", dir, "--json")
		if err := json.Unmarshal([]byte(out), &st); err != nil {
			c.t.Fatal(err)
		}
		if st.Failed > 0 {
			for _, e := range st.Entries {
				if e.State == sweep.Failed {
					c.t.Errorf("%s failed: %s", e.ID, e.Error)
				}
			}
			c.t.FailNow()
		}
		q, _ := c.cmd(c.bins["squeue"], "-h").Output()
		if st.Done == n && len(bytes.TrimSpace(q)) == 0 {
			return
		}
		if time.Now().After(deadline) {
			text := c.hmmrnn(bin, "sweep", "status", "--manifest", dir, "--list")
			c.t.Fatalf("not done after 2 minutes:\n%s\nsqueue:\n%s", text, q)
		}
		time.Sleep(300 * time.Millisecond)
	}
}
