package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	"hmmrnn/core/model"
)

// InterruptSignals are the signals that interrupt a run the way Ctrl-C
// does: SIGINT (Ctrl-C), SIGTERM (kill, Slurm's scancel and time limit, a
// container stop) and SIGHUP (the terminal closed). A training run saves
// itself to --out and a sweep entry to its checkpoint before exiting.
var InterruptSignals = []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP}

// NotifyContext returns a context cancelled by the first of
// InterruptSignals. That first signal also restores the default handling,
// so a second one ends the process at once (should a save hang).
func NotifyContext(parent context.Context) (context.Context, context.CancelFunc) {
	ctx, stop := signal.NotifyContext(parent, InterruptSignals...)
	go func() {
		<-ctx.Done()
		stop()
	}()
	return ctx, stop
}

// Env is what a subcommand may touch: its output streams and a context that
// is cancelled on Ctrl-C (or another of InterruptSignals, see NotifyContext
// and main), so long runs can save their work before exiting.
type Env struct {
	Ctx    context.Context
	Stdout io.Writer
	Stderr io.Writer
}

// command is one subcommand of the command line.
type command struct {
	name    string
	summary string
	run     func(env *Env, args []string) error
	// watchesCtx is set for commands that return soon after Env.Ctx is
	// cancelled (saving their work first). Run abandons the others when it
	// is: they have nothing to save, and an interrupt must still end them.
	watchesCtx bool
}

// commands lists every subcommand; each lives in the file of its name.
var commands = []command{
	{"train", "train an RNN to emulate an HMM and write the model file", runTrain, true},
	{"eval", "emission statistics of a trained model against its HMM", runEval, false},
	{"bench", "seconds per training step, split into RNN and Sinkhorn", runBench, true},
	{"analyze", "reverse-engineer a trained model: report.json, figures, index.html", runAnalyze, false},
	{"sweep", "plan, run, submit (Slurm) and collect grids of networks", runSweep, true},
	{"study", "measure a training recipe: seeds meeting the fit criterion and time to it", runStudy, true},
}

// errInterrupted is what an abandoned command returns.
var errInterrupted = errors.New("interrupted")

// runCommand runs c, or, for a command that does not watch the context,
// returns errInterrupted as soon as the context is cancelled, leaving the
// command's goroutine to end with the process.
func runCommand(env *Env, c command, args []string) error {
	if c.watchesCtx {
		return c.run(env, args)
	}
	done := make(chan error, 1)
	go func() { done <- c.run(env, args) }()
	select {
	case err := <-done:
		return err
	case <-env.Ctx.Done():
		return errInterrupted
	}
}

// errUsage marks an error already explained by the flag package (e.g. -help).
var errUsage = errors.New("usage")

// Run executes the subcommand named by args[0] and returns the process exit
// code: 0 on success, 2 for bad usage, 1 for a failure while running.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	env := &Env{Ctx: ctx, Stdout: stdout, Stderr: stderr}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		Usage(stdout)
		return 0
	}
	for _, c := range commands {
		if c.name != args[0] {
			continue
		}
		err := runCommand(env, c, args[1:])
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.Is(err, errUsage):
			return 2
		default:
			var ue usageError
			if errors.As(err, &ue) {
				fmt.Fprintf(stderr, "%s: %v\n", c.name, err)
				return 2
			}
			fmt.Fprintf(stderr, "%s: %v\n", c.name, err)
			return 1
		}
	}
	fmt.Fprintf(stderr, "unknown command %q (commands: %s)\n", args[0], strings.Join(Names(), ", "))
	return 2
}

// Names returns the subcommand names in order.
func Names() []string {
	var n []string
	for _, c := range commands {
		n = append(n, c.name)
	}
	sort.Strings(n)
	return n
}

// Usage prints the list of subcommands.
func Usage(w io.Writer) {
	fmt.Fprintln(w, "Subcommands (each takes --help):")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
}

// usageError is a bad flag or value; it exits with status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// badUsage reports a bad flag value in one line.
func badUsage(format string, a ...any) error {
	return usageError{fmt.Sprintf(format, a...)}
}

// checkOutFile refuses, before any long work, an output file that could not
// be written at the end (see model.CheckWritable); flag names the flag.
func checkOutFile(flag, path string) error {
	if err := model.CheckWritable(path); err != nil {
		return badUsage("%s: %v", flag, err)
	}
	return nil
}

// checkOutDir creates the output directory dir (if missing) and checks that
// it accepts files, before any long work; flag names the flag.
func checkOutDir(flag, dir string) error {
	if dir == "" {
		return badUsage("%s: empty directory name", flag)
	}
	if st, err := os.Stat(dir); err == nil && !st.IsDir() {
		return badUsage("%s: %s is a file, not a directory", flag, dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return badUsage("%s: %v", flag, err)
	}
	return checkOutFile(flag, filepath.Join(dir, "index.html"))
}

// newFlags makes a flag set whose parse errors come back as one-line usage
// errors and whose --help goes to stdout.
func newFlags(env *Env, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprintf(env.Stdout, "usage: %s\n\nflags:\n", synopsis)
		fs.SetOutput(env.Stdout)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	return fs
}

// parseFlags parses args, turning flag errors into usage errors and
// rejecting stray positional arguments.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return flag.ErrHelp // fs.Usage has printed the help
		}
		return badUsage("%v (see --help)", err)
	}
	if fs.NArg() > 0 {
		return badUsage("unexpected argument %q (see --help)", fs.Arg(0))
	}
	return nil
}
