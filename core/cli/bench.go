package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"hmmrnn/core/train"
)

const benchSynopsis = `hmmrnn bench [--hmm NAME] [--hidden H] [--input D] [--batch B] [--seq-len T] [--steps N]
             [--configs H,D,T,B;...] [--peer auto|PATH|off]

Median seconds per training step (after warm-up steps) and its split into RNN
forward+backward and Sinkhorn loss+gradient. With a PyTorch peer (--peer PATH, or
$HMMRNN_PEER: a torch_reference.py script implementing the same step; needs Debian's
python3-torch), measures it on the same configurations in the same run and prints the
ratio ours/peer.`

// benchConfigs are the reference configurations (H, D, T, B).
var benchConfigs = [][4]int{{150, 100, 30, 4096}, {150, 100, 30, 512}, {64, 16, 30, 256}, {50, 10, 30, 256}}

// benchRow is one measured configuration.
type benchRow struct {
	H, D, T, B int
	Step       float64  `json:"step"`     // median seconds per step
	RNN        float64  `json:"rnn"`      // median seconds of RNN forward+backward
	Sinkhorn   float64  `json:"sinkhorn"` // median seconds of the loss and gradient
	Kernels    string   `json:"kernels"`  // the RNN's matrix kernels (rnn.KernelName)
	Peer       *float64 `json:"peer,omitempty"`
	PeerRNN    *float64 `json:"peer_rnn,omitempty"`
	PeerSK     *float64 `json:"peer_sinkhorn,omitempty"`
}

func runBench(env *Env, args []string) error {
	fs := newFlags(env, "bench", benchSynopsis)
	hmmSpec := fs.String("hmm", "linear2", "HMM preset or file")
	hidden := fs.Int("hidden", 50, "hidden units H")
	input := fs.Int("input", 10, "noise dimension D")
	batch := fs.Int("batch", 256, "batch size B")
	seqLen := fs.Int("seq-len", 30, "sequence length T")
	steps := fs.Int("steps", 7, "measured steps (median reported)")
	warmup := fs.Int("warmup", 2, "unmeasured steps first")
	configs := fs.String("configs", "", `list of H,D,T,B separated by ";" ("paper": the four reference configurations)`)
	peer := fs.String("peer", "auto", "PyTorch peer script: a path, off, or auto ($HMMRNN_PEER when set and torch is installed)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *steps < 1 || *warmup < 0 {
		return badUsage("--steps must be >= 1 and --warmup >= 0")
	}
	cfgs := [][4]int{{*hidden, *input, *seqLen, *batch}}
	switch *configs {
	case "":
	case "paper":
		cfgs = benchConfigs
	default:
		cfgs = nil
		for _, c := range strings.Split(*configs, ";") {
			var v [4]int
			if _, err := fmt.Sscanf(strings.TrimSpace(c), "%d,%d,%d,%d", &v[0], &v[1], &v[2], &v[3]); err != nil {
				return badUsage("--configs: %q is not H,D,T,B", c)
			}
			cfgs = append(cfgs, v)
		}
	}
	m, err := loadHMM(*hmmSpec)
	if err != nil {
		return badUsage("%v", err)
	}
	var rows []benchRow
	for _, c := range cfgs {
		cfg := train.DefaultConfig(m)
		cfg.Hidden, cfg.Input, cfg.SeqLen, cfg.Batch, cfg.ValEvery = c[0], c[1], c[2], c[3], 0
		if err := cfg.Validate(); err != nil {
			return badUsage("%v", err)
		}
		res, err := train.Bench(env.Ctx, cfg, *warmup, *steps, nil)
		if err != nil {
			return err
		}
		row := benchRow{H: c[0], D: c[1], T: c[2], B: c[3], Step: res.Step.Seconds(), RNN: res.RNN.Seconds(),
			Sinkhorn: res.Sinkhorn.Seconds(), Kernels: res.Kernels}
		rows = append(rows, row)
		if !*asJSON {
			fmt.Fprintf(env.Stdout, "ours  H=%d D=%d T=%d B=%d: step %.4f s (RNN fwd+bwd %.4f, Sinkhorn %.4f; %s kernels)\n",
				row.H, row.D, row.T, row.B, row.Step, row.RNN, row.Sinkhorn, row.Kernels)
		}
	}
	if script := findPeer(*peer); script != "" {
		if err := runPeer(env, script, m.Name, rows, *steps, *warmup); err != nil {
			fmt.Fprintf(env.Stderr, "peer skipped: %v\n", err)
		}
	} else if *peer != "off" && !*asJSON {
		fmt.Fprintln(env.Stdout, "peer: none (--peer PATH or $HMMRNN_PEER, and python3-torch); skipped")
	}
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", " ")
		return enc.Encode(rows)
	}
	for _, r := range rows {
		if r.Peer != nil {
			fmt.Fprintf(env.Stdout, "H=%d D=%d T=%d B=%d: ours %.4f s, peer %.4f s (RNN %.4f, Sinkhorn %.4f): ratio %.3f\n",
				r.H, r.D, r.T, r.B, r.Step, *r.Peer, *r.PeerRNN, *r.PeerSK, r.Step / *r.Peer)
		}
	}
	return nil
}

// findPeer returns the peer script to run, or "" when there is none.
func findPeer(flag string) string {
	if flag == "off" {
		return ""
	}
	path := flag
	if flag == "auto" {
		path = os.Getenv("HMMRNN_PEER")
		if _, err := os.Stat(path); path == "" || err != nil {
			return ""
		}
		if exec.Command("/usr/bin/python3", "-c", "import torch").Run() != nil {
			return ""
		}
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return ""
	}
	return abs
}

// peerHMM maps our preset names to the peer's.
func peerHMM(name string) string {
	switch name {
	case "fully3":
		return "fully"
	case "cyclic4":
		return "cyclic"
	}
	return name
}

// runPeer runs the peer's bench on the same configurations and fills the
// peer columns of rows.
func runPeer(env *Env, script, hmmName string, rows []benchRow, steps, warmup int) error {
	tmp, err := os.CreateTemp("", "peer-bench-*.json")
	if err != nil {
		return err
	}
	tmp.Close()
	defer os.Remove(tmp.Name())
	args := []string{script, "bench", "--threads", "2", "--hmm", peerHMM(hmmName),
		"--steps", fmt.Sprint(steps), "--warmup", fmt.Sprint(max(warmup, 1)), "--json", tmp.Name(), "--configs"}
	for _, r := range rows {
		args = append(args, fmt.Sprintf("%d,%d,%d,%d", r.H, r.D, r.T, r.B))
	}
	cmd := exec.CommandContext(env.Ctx, "/usr/bin/python3", args...)
	cmd.Stderr = env.Stderr
	outp, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("%v: %s", err, strings.TrimSpace(string(outp)))
	}
	data, err := os.ReadFile(tmp.Name())
	if err != nil {
		return err
	}
	var res struct {
		Rows []struct {
			H, D, T, B int
			StepMedian float64 `json:"step_median"`
			RNNFwd     float64 `json:"rnn_fwd"`
			RNNBwd     float64 `json:"rnn_bwd"`
			SKFwd      float64 `json:"sk_fwd"`
			SKBwd      float64 `json:"sk_bwd"`
		} `json:"rows"`
	}
	if err := json.Unmarshal(data, &res); err != nil {
		return fmt.Errorf("reading the peer's results: %w", err)
	}
	if len(res.Rows) != len(rows) {
		return errors.New("the peer returned a different number of configurations")
	}
	for i, p := range res.Rows {
		s, r, k := p.StepMedian, p.RNNFwd+p.RNNBwd, p.SKFwd+p.SKBwd
		rows[i].Peer, rows[i].PeerRNN, rows[i].PeerSK = &s, &r, &k
	}
	return nil
}
