// Package cli is the command line of hmmrnn: one subcommand per file
// (train, eval, bench, analyze, sweep), each a thin layer that parses flags
// and calls the core packages. Run is what the root main package calls for
// every argument list that is not serve or export.
//
// Conventions: every flag has a default and is listed by --help; a bad flag
// or value exits with status 2 and one line naming it; a failure while
// running exits with 1. Long commands watch Env.Ctx, which Ctrl-C cancels,
// and save their work before returning.
package cli
