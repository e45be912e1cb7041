// Package sweep trains and evaluates grids of networks: the paper's 144
// linear-chain networks (4 HMMs x hidden size {50, 150, 200} x noise
// dimension {1, 10, 100, 200} x 3 seeds) or any grid of one's own, on one
// machine or as a Slurm job array, and collects the outcome into the
// paper's summary tables.
//
// # Workflow
//
// A Grid (JSON, below) is expanded by Expand into a Manifest: one
// self-contained Entry per network (HMM, sizes, seed, training and
// evaluation settings), written as DIR/manifest.json beside a Slurm batch
// script (Script). Entry i is run by RunEntry, which calls a Runner (the
// trainer) and writes the entry's result file last and atomically; an entry
// whose result file exists is skipped, so re-running a sweep resumes it. A
// Runner checkpoints as it trains, so a killed task loses at most its
// progress since its last checkpoint. RunPool runs many entries on one
// machine with a pool of workers and reports Progress. ReadStatus tells
// done, running, failed and pending entries apart from the files alone;
// Collect pools the results over seeds and Summary.WriteSummary writes them
// as JSON, CSV and an HTML page.
//
// # Grid files
//
// A grid is a JSON object:
//
//	{
//	 "name": "mygrid",                  // letters, digits, '.', '_', '-'
//	 "description": "free text",
//	 "train": {"steps": 1500, "batch": 4096},   // defaults for every block
//	 "eval": {"sequences": 5000, "kick": true},
//	 "blocks": [
//	  {"hmm": ["linear2", "linear3"], "hidden": [50, 150], "input": [1, 10], "seeds": [1, 2, 3]},
//	  {"hmm": ["fully3", "@my-hmm.json", {"name": "coin", "start": [...], ...}],
//	   "hidden": [150], "input": [10], "seeds": [1],
//	   "tag": "slow", "train": {"steps": 3000, "lr": 5e-4}}
//	 ]
//	}
//
// (comments are for this description only; JSON has none). Each block is
// the Cartesian product of its lists; the manifest lists blocks in order,
// then HMMs, hidden sizes, noise dimensions and seeds, seed fastest. An HMM
// is a preset name (hmm.PresetNames), "@path" to an HMM JSON file (relative
// to the grid file) or an inline HMM object with a "name". A block's
// "train" and "eval" objects override the grid's field by field. Network
// IDs are "<hmm>-h<hidden>-d<input>-s<seed>" plus "-<tag>" when the block
// has a tag; two blocks producing the same ID must be told apart by tags.
// Unknown keys are errors. Limits, checked before anything is written:
// names and tags up to MaxNameLen characters, IDs up to MaxIDLen, at most
// MaxEntries networks and MaxManifestNumbers HMM parameters in the
// manifest (counted without expanding the grid).
//
// Train fields (0 or absent = the trainer's default, train.DefaultConfig):
// steps (required), batch, seq_len (default: the HMM's), lr, clip, tau,
// noise_std, data ("fresh": a new HMM batch every step; "fixed": the paper's
// fixed training set), train_size, val_size, val_every (validation every so
// many steps; the best-validation weights are kept) and checkpoint_every
// (steps between checkpoints; default DefaultCheckpointEvery). Eval fields:
// sequences (default 5000, core/METHOD.md section 4) and kick (run the
// kick-neuron detection, core/METHOD.md section 5.7).
//
// Built-in grids (Builtin): "paper" is the 144 networks at the paper's
// scale: a fixed set of 10,000 training sequences (a third of 30,000),
// batch 4096, 500 epochs, which is 1500 steps since an epoch of 10,000
// sequences takes 3 batches (core/METHOD.md section 3). The paper validated
// every epoch on 10,000 sequences; we validate every 5 epochs on 4096, which
// costs one training step per validation instead of about six. "paper-all"
// adds the fully-connected and cyclic HMMs (1000 epochs, clip 0.3);
// "tiny" is 4 small networks for smoke tests.
//
// # Sweep directory
//
//	DIR/manifest.json            the expanded grid
//	DIR/grid.json                the grid it came from
//	DIR/sweep.sbatch             the Slurm job-array script
//	DIR/results/<id>.json        result: presence means done
//	DIR/results/<id>.failed.json the error of the last failed attempt
//	DIR/models/<id>.json         the trained model (model file format)
//	DIR/checkpoints/<id>.json    the latest checkpoint of an unfinished run
//	DIR/running/<id>.json        who is running the entry
//	DIR/logs/<id>.log            log of a local-pool run
//	DIR/slurm/%A_%a.out          Slurm task output; slurm/jobs.txt the job IDs
//
// Everything is a plain file written by rename, so DIR may sit on a shared
// (NFS) file system that all cluster nodes see, and sweeps can be inspected
// and merged with ordinary tools.
package sweep
