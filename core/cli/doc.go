// Package cli is the command line of hmmrnn: one subcommand per file
// (train, eval, bench, analyze, sweep), each a thin layer that parses flags
// and calls the core packages. Run is what the root main package calls for
// every argument list that is not serve or export.
//
// Conventions: every flag has a default and is listed by --help; a bad flag
// or value exits with status 2 and one line naming it; a failure while
// running exits with 1. Output paths are checked before any long work.
// Env.Ctx is cancelled by Ctrl-C, SIGTERM and SIGHUP (InterruptSignals):
// train and sweep save their work before returning; eval and analyze,
// which have nothing to save, are abandoned at once.
package cli
