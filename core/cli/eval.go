package cli

import (
	"encoding/json"
	"math/rand/v2"

	"hmmrnn/core/model"
	"hmmrnn/core/sinkhorn"
	"hmmrnn/core/stats"
)

const evalSynopsis = `hmmrnn eval --model model.json [--samples N] [--seq-len T] [--seed S] [--json]

Samples the trained RNN and compares its emission statistics (METHOD.md section 4)
with the HMM's exact values and with HMM samples of the same size, each figure next
to its sampling noise floor (the same difference between two HMM sample sets).`

// paperEvalSamples is the evaluation size of METHOD.md section 4.
const paperEvalSamples = 5000

func runEval(env *Env, args []string) error {
	fs := newFlags(env, "eval", evalSynopsis)
	path := fs.String("model", "model.json", "model file")
	n := fs.Int("samples", paperEvalSamples, "sequences sampled from the RNN and from the HMM (each)")
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
	T := *seqLen
	if T == 0 {
		T = f.HMM.SeqLen
		if f.Training != nil && f.Training.SeqLen > 0 {
			T = f.Training.SeqLen
		}
	}
	rep, err := evaluate(f, *n, T, *seed, stats.Options{SkipMatch: *noMatch})
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", " ")
		return enc.Encode(rep)
	}
	return rep.WriteText(env.Stdout)
}

// evaluate samples n sequences of length T from the model's RNN and compares
// them with its HMM. The RNN and the reference samples use separate streams
// of seed.
func evaluate(f *model.File, n, T int, seed uint64, opt stats.Options) (*stats.Report, error) {
	obs := f.RNN.Sample(rand.New(rand.NewPCG(seed, 1)), n, T, f.NoiseStd)
	return stats.CompareWith(f.HMM, obs, n, T, rand.New(rand.NewPCG(seed, 2)), opt)
}
