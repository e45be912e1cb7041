package cli

import (
	"encoding/json"

	"hmmrnn/core/sinkhorn"
	"hmmrnn/core/stats"
	"hmmrnn/core/train"
)

const evalSynopsis = `hmmrnn eval --model model.json [--samples N] [--seq-len T] [--seed S] [--json]

Samples the trained RNN and compares its emission statistics (core/METHOD.md section 4)
with the HMM's exact values and with HMM samples of the same size, each figure next
to its sampling noise floor (the same difference between two HMM sample sets). This is
the evaluation a sweep stores (train.Evaluate): with a sweep entry's seed and its
eval.sequences, --json prints exactly the "stats" object of its result file.
The text ends with the readout noise: how often the emitted symbol is not the
argmax of the logits, and the changes per sequence and share of 1-step runs of
the argmax outputs beside the emitted ones and the HMM's, which tells whether
short runs come from the network's dynamics or from sampling its readout.`

func runEval(env *Env, args []string) error {
	fs := newFlags(env, "eval", evalSynopsis)
	path := fs.String("model", "model.json", "model file")
	n := fs.Int("samples", train.EvalSequences, "sequences sampled from the RNN and from the HMM (each)")
	seqLen := fs.Int("seq-len", 0, "sequence length (0: the training length, else the HMM's)")
	seed := fs.Uint64("seed", 1, "random seed of the sampling")
	noMatch := fs.Bool("no-match", false, "skip the Sinkhorn-matched distances (they cost N² time and memory)")
	asJSON := fs.Bool("json", false, "print the full report as JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *n < 2 || *n > 1<<20 {
		return badUsage("--samples %d: want 2..%d", *n, 1<<20)
	}
	if *seqLen < 0 || *seqLen > sinkhorn.MaxSeqLen {
		return badUsage("--seq-len %d: want 0..%d", *seqLen, sinkhorn.MaxSeqLen)
	}
	if !*noMatch && *n > stats.MaxMatchSamples {
		return badUsage("--samples %d: the Sinkhorn matching takes an N x N plan, at most %d sequences; add --no-match to skip it", *n, stats.MaxMatchSamples)
	}
	f, err := loadModel(*path)
	if err != nil {
		return err
	}
	rep, err := train.EvaluateFile(f, *n, *seqLen, *seed, stats.Options{SkipMatch: *noMatch})
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", " ")
		return enc.Encode(rep)
	}
	if err := rep.WriteText(env.Stdout); err != nil {
		return err
	}
	rd, err := train.ReadoutOf(f.HMM, rep)
	if err != nil {
		return err
	}
	return rd.WriteText(env.Stdout)
}
