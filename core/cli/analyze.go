package cli

import "errors"

func runAnalyze(env *Env, args []string) error {
	return errors.New("analyze: not built yet")
}
