package cli

import "hmmrnn/core/model"

// loadModel reads and validates a model file named on the command line; a
// file that cannot be read or is not a valid model is bad input (exit
// status 2), reported on one line with the file's fault.
func loadModel(path string) (*model.File, error) {
	f, err := model.Load(path)
	if err != nil {
		return nil, badUsage("%v", err)
	}
	return f, nil
}
