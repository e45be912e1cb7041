package cli

import "errors"

func runSweep(env *Env, args []string) error {
	return errors.New("sweep: not built yet")
}
