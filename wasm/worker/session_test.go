package main

import (
	"context"
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"hmmrnn/core/hmm"
	"hmmrnn/core/model"
	"hmmrnn/core/rnn"
	"hmmrnn/core/scene"
	"hmmrnn/core/stats"
	"hmmrnn/core/train"
)

func small(arch string) Settings {
	return Settings{Arch: arch, Hidden: 8, Input: 2, Batch: 16, LR: 1e-3, Seed: 1}
}

// steps trains n steps.
func steps(t *testing.T, s *Session, n int) {
	t.Helper()
	if k, err := s.Train(context.Background(), n, time.Time{}); err != nil || k != n {
		t.Fatalf("Train(%d): %d steps, %v", n, k, err)
	}
}

func TestNewSessionRejectsBadSettings(t *testing.T) {
	bad := map[string]Settings{}
	for name, mod := range map[string]func(*Settings){
		"hidden":  func(s *Settings) { s.Hidden = 1 },
		"input":   func(s *Settings) { s.Input = 1000 },
		"batch":   func(s *Settings) { s.Batch = 4 },
		"lr":      func(s *Settings) { s.LR = 1 },
		"lr NaN":  func(s *Settings) { s.LR = math.NaN() },
		"seq_len": func(s *Settings) { s.SeqLen = 1 },
		"arch":    func(s *Settings) { s.Arch = "linear9" },
		"custom":  func(s *Settings) { s.Arch = "custom" },
		"custom bad row": func(s *Settings) {
			s.Arch = "custom"
			s.HMM = &hmm.HMM{Start: []float64{1, 0}, Transition: [][]float64{{0.5, 0.6}, {0, 1}}, Emission: [][]float64{{1, 0}, {0, 1}}}
		},
	} {
		s := small("linear2")
		mod(&s)
		bad[name] = s
	}
	for name, s := range bad {
		if _, err := NewSession(s); err == nil {
			t.Errorf("%s: NewSession accepted %+v", name, s)
		}
	}
	s, err := NewSession(small("cyclic4"))
	if err != nil {
		t.Fatal(err)
	}
	if s.T != train.PageSeqLen || s.Settings.SeqLen != train.PageSeqLen {
		t.Errorf("T = %d, want the demo's %d", s.T, train.PageSeqLen)
	}
}

func TestSessionStepsAndStatus(t *testing.T) {
	s, err := NewSession(small("linear2"))
	if err != nil {
		t.Fatal(err)
	}
	st := s.Status(false, 0)
	if st.Step != 0 || len(st.Losses) != 0 || !st.Trainable {
		t.Fatalf("fresh status %+v", st)
	}
	steps(t, s, 5)
	st = s.Status(true, 1.5)
	if st.Step != 5 || st.From != 0 || len(st.Losses) != 5 || st.Loss != st.Losses[4] {
		t.Fatalf("status after 5 steps: %+v", st)
	}
	steps(t, s, 1)
	st = s.Status(true, 1.5)
	if st.From != 5 || len(st.Losses) != 1 {
		t.Errorf("second status sends from %d, %d losses; want the one new loss", st.From, len(st.Losses))
	}
	s.ResendLosses()
	if st = s.Status(true, 0); st.From != 0 || len(st.Losses) != 6 {
		t.Errorf("ResendLosses: from %d, %d losses", st.From, len(st.Losses))
	}
	// Same settings, same initial weights (what Reset relies on).
	a, _ := NewSession(small("linear2"))
	b, _ := NewSession(small("linear2"))
	for i, v := range a.Net().Whh {
		if b.Net().Whh[i] != v {
			t.Fatalf("two sessions with one seed differ at w_hh[%d]", i)
		}
	}
}

func TestSummaryDwellFractions(t *testing.T) {
	// Two sequences of T = 6 over O = 2: one complete dwell, of 3 steps.
	obs := []uint8{
		0, 0, 1, 1, 1, 0,
		1, 1, 1, 1, 1, 1,
	}
	s := summary(stats.Summary(obs, 2, 6, 2), stats.Dwells(obs, 2, 6, 2))
	if s.Changes != 1 || math.Abs(s.ChangesStd-1) > 1e-12 {
		t.Errorf("changes %v ± %v, want 1 ± 1", s.Changes, s.ChangesStd)
	}
	if len(s.Dwell) != 4 || s.Dwell[2] != 1 || s.MeanDwell != 3 {
		t.Errorf("dwell %v mean %v, want one dwell of 3 steps", s.Dwell, s.MeanDwell)
	}
}

func TestStatsCriterionAgainstExact(t *testing.T) {
	s, err := NewSession(small("linear2"))
	if err != nil {
		t.Fatal(err)
	}
	st, err := s.Stats(true)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Rows) != 2 || st.Rows[0] != 0 || st.Rows[1] != 2 {
		t.Errorf("well-sampled rows %v, want [0 2] (output 1 has frequency 0.01)", st.Rows)
	}
	ex := s.hmm.Exact(s.T)
	if st.HMM.Freq[1] != ex.Freq[1] || st.HMM.Changes != ex.Changes {
		t.Errorf("HMM column is not the exact statistics")
	}
	// An untrained network is far from the HMM.
	if st.Met || st.MetStep != 0 {
		t.Errorf("untrained network meets the criterion: %+v", st)
	}
	if len(st.SamplesRNN) != shownSamples || len(st.SamplesHMM[0]) != s.T || len(st.Palette) != 3 {
		t.Errorf("samples or palette missing")
	}
}

// A network that stays on the plateau (2 neurons, 1 noise input) is
// restarted by the engine's monitor policy with the next seed after the
// default recipe's patience (train --recipe default waits as long), and the
// page hears of it.
func TestPlateauRestartsWithNextSeed(t *testing.T) {
	set := Settings{Arch: "linear2", Hidden: 2, Input: 1, Batch: 16, LR: 1e-3, Seed: 5}
	s, err := NewSession(set)
	if err != nil {
		t.Fatal(err)
	}
	// The recipe's patience in steps, in slices as the worker takes them.
	patience := train.DefaultRecipe.PlateauAfter
	for s.StepCount() < patience {
		steps(t, s, min(333, patience-s.StepCount()))
	}
	st, err := s.Stats(true)
	if err != nil {
		t.Fatal(err)
	}
	at := []int{patience}
	if s.seed() != 6 || !slices.Equal(s.run.Restarts(), at) || s.StepCount() != patience || s.run.Trainer().StepCount() != 0 {
		t.Errorf("after restart: seed %d, restarts %v, step %d (trainer %d)", s.seed(), s.run.Restarts(), s.StepCount(), s.run.Trainer().StepCount())
	}
	if status := s.Status(true, 0); !st.Restarted || !slices.Equal(status.Restarts, at) || !slices.Equal(status.RestartCauses, []string{train.RestartPlateau}) {
		t.Errorf("the page was not told: stats %+v, restarts %v causes %v", st, status.Restarts, status.RestartCauses)
	}
	if st, _ = s.Stats(true); st.Restarted {
		t.Error("a restart is reported twice")
	}
}

// With recipe hybrid, a run that has not met the criterion after the
// recipe's RestartAfter steps restarts with the next seed, and the page is
// told why ("no fit").
func TestNoFitRestartReported(t *testing.T) {
	set := Settings{Arch: "linear2", Hidden: 2, Input: 1, Batch: 16, LR: 1e-3, Seed: 5}
	set.Recipe = train.RecipeHybrid
	s, err := NewSession(set)
	if err != nil {
		t.Fatal(err)
	}
	s.mon.PlateauAfter = 1 << 30 // only the no-fit rule may restart
	after := train.HybridRecipe.RestartAfter
	if s.mon.RestartAfter != after || after == 0 {
		t.Fatalf("the page's monitor restarts after %d steps, the recipe after %d", s.mon.RestartAfter, after)
	}
	for s.StepCount() < after {
		steps(t, s, min(500, after-s.StepCount()))
	}
	status := s.Status(true, 0)
	if s.seed() != 6 || !slices.Equal(status.Restarts, []int{after}) || !slices.Equal(status.RestartCauses, []string{train.RestartNoFit}) {
		t.Errorf("after %d steps: seed %d, restarts %v, causes %v", after, s.seed(), status.Restarts, status.RestartCauses)
	}
}

func TestModelRoundTrip(t *testing.T) {
	s, _ := NewSession(small("fully3"))
	steps(t, s, 3)
	data, err := s.Model(1.5)
	if err != nil {
		t.Fatal(err)
	}
	l, err := LoadSession(data, "file: x.json")
	if err != nil {
		t.Fatal(err)
	}
	if !l.Trainable() || l.StepCount() != 3 || l.Settings.Arch != "fully3" || l.Settings.Hidden != 8 {
		t.Errorf("loaded: trainable %v step %d settings %+v", l.Trainable(), l.StepCount(), l.Settings)
	}
	if st := l.Status(false, 0); len(st.Losses) != 3 || st.Source != "file: x.json" {
		t.Errorf("loaded status %+v", st)
	}
	// Training continues exactly as the original would.
	steps(t, s, 1)
	steps(t, l, 1)
	if a, b := s.losses[3], l.losses[3]; a != b {
		t.Errorf("resumed step loss %v, original %v", b, a)
	}
	if _, err := LoadSession([]byte(`{"format":"hmmrnn-model"`), "bad"); err == nil {
		t.Errorf("broken file accepted")
	}
}

// TestLoadSessionLimits: a loaded file's settings meet the browser's limits
// and its resume state is checked before anything is allocated (a
// checkpoint with batch 65536 made the worker try a 16 GB allocation; a bad
// resume state was silently ignored).
func TestLoadSessionLimits(t *testing.T) {
	s, _ := NewSession(small("linear2"))
	s.Train(context.Background(), 1, time.Time{})
	for _, tc := range []struct {
		name   string
		mutate func(f *model.File)
		want   string
	}{
		{"batch 65536", func(f *model.File) { f.Training.Batch = 1 << 16 }, "batch = 65536, want 16..4096 (the browser's limit)"},
		{"validation set of 65536", func(f *model.File) { f.Training.ValEvery, f.Training.ValSize = 100, 1<<16 }, "browser's budget of 1.0 GiB"},
		{"negative position", func(f *model.File) { f.Resume.Pos = -100 }, "resume.pos"},
		{"adam_t", func(f *model.File) { f.Resume.AdamT = -1 }, "adam_t is -1"},
		{"hidden 257, view only", func(f *model.File) {
			n, _ := rnn.New(257, 2, 3, rand.New(rand.NewPCG(1, 1)))
			f.RNN, f.Resume, f.Training = n, nil, nil
		}, "hidden = 257, want 2..256"},
	} {
		data, err := s.Model(0)
		if err != nil {
			t.Fatal(err)
		}
		f, err := model.Parse(data)
		if err != nil {
			t.Fatal(err)
		}
		tc.mutate(f)
		if data, err = f.Marshal(); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadSession(data, "x.json"); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: LoadSession err = %v, want mention of %q", tc.name, err, tc.want)
		}
	}
}

// TestLoadSessionViewOnly: a file without resume state is only explored,
// so only its network's size is limited (T 255 is beyond live training's
// 200 but loads).
func TestLoadSessionViewOnly(t *testing.T) {
	s, _ := NewSession(small("linear2"))
	data, _ := s.Model(0)
	f, err := model.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	f.Resume, f.Training.SeqLen, f.Training.Batch = nil, 255, 1<<16
	if data, err = f.Marshal(); err != nil {
		t.Fatal(err)
	}
	l, err := LoadSession(data, "x.json")
	if err != nil {
		t.Fatalf("view-only file with T 255 and batch 65536 refused: %v", err)
	}
	if l.Trainable() || l.T != 255 {
		t.Errorf("view-only file: trainable %v, T %d", l.Trainable(), l.T)
	}
}

func TestExportWithoutSession(t *testing.T) {
	var s *Session
	if _, err := s.Model(0); err == nil || !strings.Contains(err.Error(), "nothing to export") {
		t.Errorf("export before any session: err = %v", err)
	}
}

func TestPortraitMessage(t *testing.T) {
	s, _ := NewSession(small("linear2"))
	v := View{Sigma: 1, Flow: true}
	bin, info, err := s.Portrait(v)
	if err != nil {
		t.Fatal(err)
	}
	p, err := scene.Decode(bin)
	if err != nil {
		t.Fatal(err)
	}
	if p.Net == nil || p.Net.H != 8 || info.Type != "portrait" || info.Sigma != 1 {
		t.Errorf("portrait %+v info %+v", p.Net, info)
	}
	// Changing only the view keeps the axes.
	v.Sigma = 2
	bin2, info2, err := s.Portrait(v)
	if err != nil {
		t.Fatal(err)
	}
	p2, _ := scene.Decode(bin2)
	for i := range p.PC1 {
		if p.PC1[i] != p2.PC1[i] {
			t.Fatalf("the noise slider moved the axes")
		}
	}
	if info2.Sigma != 2 {
		t.Errorf("sigma %v", info2.Sigma)
	}
}

func TestSnapshotsThinOut(t *testing.T) {
	s, _ := NewSession(small("linear2"))
	s.snapEvery = 1
	steps(t, s, 2*maxSnaps)
	st := s.Status(false, 0)
	if len(st.Snapshots) > maxSnaps || len(st.Snapshots) < maxSnaps/2 || st.Snapshots[0] != 0 {
		t.Fatalf("%d snapshots %v", len(st.Snapshots), st.Snapshots)
	}
	for i := 1; i < len(st.Snapshots); i++ {
		if st.Snapshots[i] <= st.Snapshots[i-1] {
			t.Fatalf("snapshot steps not increasing: %v", st.Snapshots)
		}
	}
	// A snapshot's portrait shows that network, at its step.
	_, info, err := s.Portrait(View{Sigma: 1, Snapshot: 1})
	if err != nil {
		t.Fatal(err)
	}
	if info.Step != st.Snapshots[1] || info.Snapshot != 1 {
		t.Errorf("snapshot portrait at step %d (index %d), want %d", info.Step, info.Snapshot, st.Snapshots[1])
	}
	if _, info, _ = s.Portrait(View{Sigma: 1, Snapshot: -1}); info.Step != s.StepCount() || info.Snapshot != -1 {
		t.Errorf("current portrait at step %d", info.Step)
	}
}

// TestMessagesEncodeEarlyInTraining replays the browser test that showed
// "json: unsupported value: +Inf": 40 steps into seed 3 at B = 64 the
// input-free runs overflow, and the portrait's fixed-point norm was +Inf.
// Every message the worker posts must stay encodable.
func TestMessagesEncodeEarlyInTraining(t *testing.T) {
	s, err := NewSession(Settings{Arch: "linear2", Hidden: 50, Input: 10, Batch: 64, LR: 1e-3, Seed: 3, SeqLen: 30})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 40; i++ {
		steps(t, s, 1)
		if i%20 != 0 {
			continue
		}
		st, err := s.Stats(true)
		if err != nil {
			t.Fatal(err)
		}
		_, pi, err := s.Portrait(View{Sigma: 1, Flow: true, Density: true, Decay: true, Snapshot: -1})
		if err != nil {
			t.Fatal(err)
		}
		for name, msg := range map[string]any{"stats": st, "portrait": pi, "status": s.Status(true, 1)} {
			if _, err := json.Marshal(msg); err != nil {
				t.Errorf("step %d: %s message does not encode: %v", i, name, err)
			}
		}
	}
}

// While training, the page shows the loop's latest check (no second
// evaluation); on demand, the current weights. Both are train.Evaluate
// with the run's seed, judged by the engine's criterion.
func TestStatsFromChecks(t *testing.T) {
	s, err := NewSession(small("linear2"))
	if err != nil {
		t.Fatal(err)
	}
	steps(t, s, checkEvery+checkEvery/2)
	during, err := s.Stats(false)
	if err != nil {
		t.Fatal(err)
	}
	now, err := s.Stats(true)
	if err != nil {
		t.Fatal(err)
	}
	if during.Step != checkEvery || now.Step != checkEvery+checkEvery/2 {
		t.Errorf("stats at steps %d and %d, want the check's %d and the current %d", during.Step, now.Step, checkEvery, s.StepCount())
	}
	c := s.run.LastCheck()
	if !c.Plateau || during.Plateau || now.Plateau || s.Status(true, 0).Plateau {
		t.Errorf("a run at step %d, within the plateau patience, is reported stuck (check plateau %v)", s.StepCount(), c.Plateau)
	}
	if during.RNN.Changes != c.Report.RNN.Volatility || during.Met != c.Fit || during.TransDiff != c.Report.Fidelity.DTrans || len(during.Figures) != 4 || during.Figures[0] != c.Figures[0] {
		t.Errorf("stats during training are not the check's")
	}
	rep, err := train.Evaluate(s.Net(), s.hmm, s.noiseStd(), statsSeqs, s.T, s.seed(), stats.Options{SkipMatch: true})
	if err != nil {
		t.Fatal(err)
	}
	if now.RNN.Changes != rep.RNN.Volatility || now.FreqDiff != rep.Fidelity.DFreq {
		t.Errorf("stats on demand are not train.Evaluate's")
	}
}

// A loaded model's noise level is what the session trains and samples at,
// and survives a reset.
func TestLoadedNoiseLevel(t *testing.T) {
	s, _ := NewSession(Settings{Arch: "linear2", Hidden: 8, Input: 2, Batch: 16, LR: 1e-3, Seed: 1, NoiseStd: 0.5})
	steps(t, s, 2)
	data, err := s.Model(0)
	if err != nil {
		t.Fatal(err)
	}
	l, err := LoadSession(data, "x.json")
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewSession(l.Settings)
	if err != nil {
		t.Fatal(err)
	}
	for name, got := range map[string]float64{
		"trained": s.run.Trainer().Config().NoiseStd, "loaded": l.run.Trainer().Config().NoiseStd,
		"reset": r.run.Trainer().Config().NoiseStd, "sampled": r.noiseStd(),
	} {
		if got != 0.5 {
			t.Errorf("%s at noise %v, want the file's 0.5", name, got)
		}
	}
}

// The status tells the batch and learning rate the training uses now: the
// page's settings in the first stage, the default recipe's later stages
// after their steps (the header shows them, so a visitor who chose a small
// batch sees that the run has moved on to a larger one). fully3 trains
// with the default recipe itself (train.Recipe.For).
func TestStatusShowsStage(t *testing.T) {
	s, err := NewSession(small("fully3"))
	if err != nil {
		t.Fatal(err)
	}
	steps(t, s, 10)
	st := s.Status(true, 1)
	if st.Batch != 16 || st.LR != 1e-3 {
		t.Errorf("first stage: batch %d lr %v, want the settings' 16 and 0.001", st.Batch, st.LR)
	}
	// The trainer's own step count decides the stage (a plateau restart
	// begins again with the first stage).
	first := train.DefaultStages[0]
	for k := 0; s.run.Trainer().StepCount() < first.From; k++ {
		if k > 100 {
			t.Fatalf("the trainer never reached step %d", first.From)
		}
		steps(t, s, first.From-s.run.Trainer().StepCount())
	}
	st = s.Status(true, 1)
	if st.Batch != first.Batch || st.LR != 1e-3 {
		t.Errorf("after the trainer's step %d: batch %d lr %v, want the stage's %d and 0.001", s.run.Trainer().StepCount(), st.Batch, st.LR, first.Batch)
	}
}

// The status names the recipe the run trains with, which the recipe menu's
// "default" does not: it trains the 2-state chain as sharp and longer
// chains as hybrid (train.Recipe.For). A loaded file's status names none,
// since its model file does not record one.
func TestStatusNamesRecipe(t *testing.T) {
	for _, c := range []struct{ arch, menu, want string }{
		{"linear2", "", train.RecipeSharp},
		{"linear3", "", train.RecipeHybrid},
		{"fully3", "", train.RecipeDefault},
		{"linear2", train.RecipePaper, train.RecipePaper},
		{"linear3", train.RecipeSharp, train.RecipeSharp},
	} {
		set := small(c.arch)
		set.Recipe = c.menu
		s, err := NewSession(set)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.Status(false, 0).Recipe; got != c.want {
			t.Errorf("%s with menu %q: status recipe %q, want %q", c.arch, c.menu, got, c.want)
		}
		if c.menu != "" {
			continue
		}
		data, err := s.Model(1)
		if err != nil {
			t.Fatal(err)
		}
		l, err := LoadSession(data, "file: x.json")
		if err != nil {
			t.Fatal(err)
		}
		if got := l.Status(false, 0).Recipe; got != "" {
			t.Errorf("%s loaded from a file: status recipe %q, want none", c.arch, got)
		}
	}
}

// The status says when a run trains on the first steps of longer
// sequences (recipe sharp at T 100: train.Config.TrainSeqLen), and not at
// the demo's T 30.
func TestStatusTrainLen(t *testing.T) {
	for _, c := range []struct{ T, wantTrain, wantSeq int }{{100, 30, 100}, {30, 0, 0}} {
		set := small("linear2")
		set.SeqLen = c.T
		s, err := NewSession(set)
		if err != nil {
			t.Fatal(err)
		}
		if st := s.Status(false, 0); st.TrainLen != c.wantTrain || st.SeqLen != c.wantSeq {
			t.Errorf("T %d: status train_len %d, seq_len %d; want %d and %d", c.T, st.TrainLen, st.SeqLen, c.wantTrain, c.wantSeq)
		}
	}
}

// The statistics carry the readout noise of the weights they judge: the
// check's, measured by the check hook while they were current, and the
// current weights' on demand; each is the evaluated runs' argmax and
// emitted figures (train.ReadoutOf).
func TestStatsReadout(t *testing.T) {
	s, err := NewSession(small("linear2"))
	if err != nil {
		t.Fatal(err)
	}
	steps(t, s, checkEvery)
	atCheck, err := s.Stats(false)
	if err != nil {
		t.Fatal(err)
	}
	rep := s.run.LastCheck().Report
	emitted, hmmSample := rep.Emitted()
	want := Readout{Step: checkEvery, Readout: train.Readout{OffArgmax: rep.OffArgmax, HMMOffMode: s.hmm.OffMode(rep.T), Argmax: rep.RunFiguresOf(rep.Argmax, rep.N, rep.T), Emitted: emitted, HMM: hmmSample, HMMExactChanges: rep.ExactChanges(), RareMerged: rep.RareSymbols},
		Gain: s.run.Trainer().ReadoutGain()}
	if atCheck.Readout == nil || !reflect.DeepEqual(*atCheck.Readout, want) {
		t.Fatalf("readout at the check %+v, want %+v", atCheck.Readout, want)
	}
	if !(want.OffArgmax > 0 && want.OffArgmax < 1) || want.HMM.Changes <= 0 {
		t.Errorf("readout figures %+v: want an off-argmax share in (0, 1) and an HMM that changes output", want)
	}
	steps(t, s, checkEvery/2)
	during, _ := s.Stats(false)
	if during.Readout == nil || !reflect.DeepEqual(*during.Readout, want) {
		t.Errorf("after more steps the check's statistics carry readout %+v, want the check's %+v", during.Readout, want)
	}
	now, err := s.Stats(true)
	if err != nil {
		t.Fatal(err)
	}
	if now.Readout == nil || now.Readout.Step != s.StepCount() || reflect.DeepEqual(*now.Readout, want) {
		t.Errorf("on demand at step %d: readout %+v, want the current weights'", s.StepCount(), now.Readout)
	}
	// A saved run with a calibrated readout: the page is told the gain and
	// the rare symbols the shown network emits with. Resumed, the run
	// emits with its recorded gain; a file without the resume state shows
	// its network's readout (rnn.readout), or, written before the readout
	// was kept apart, its training.readout_gain over the whole readout.
	f, err := s.run.Trainer().Snapshot(false, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Training.CalibrateReadout, f.Training.ReadoutGain = true, 1.5
	for _, tc := range []struct {
		name    string
		resume  bool
		readout rnn.Readout
		gain    float64
		rare    []int
	}{
		{"resumed", true, rnn.Readout{}, 1.5, []int{1}},
		{"its network's readout", false, rnn.Readout{Gain: 2, Rare: []int{1}}, 2, []int{1}},
		{"an older file", false, rnn.Readout{}, 1.5, nil},
	} {
		g := *f
		g.RNN = f.RNN.Clone()
		g.RNN.Readout = tc.readout
		if !tc.resume {
			g.Resume = nil
		}
		data, err := g.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		loaded, err := LoadSession(data, "calibrated.json")
		if err != nil {
			t.Fatal(err)
		}
		if st, err := loaded.Stats(true); err != nil || st.Readout == nil || st.Readout.Gain != tc.gain || !slices.Equal(st.Readout.Rare, tc.rare) {
			t.Errorf("%s: readout %+v (%v), want gain %v, rare %v", tc.name, st.Readout, err, tc.gain, tc.rare)
		}
	}
}
