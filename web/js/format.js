// format.js: the words and numbers the page shows, as pure functions of
// the worker's messages (no DOM), so that what a status says can be tested
// (format.test.js) and every status describes the network shown.

// fmt writes a number with d significant digits, "–" for none.
export function fmt(x, d = 4) {
  return x === null || x === undefined || !Number.isFinite(x) ? '–' : (+x).toPrecision(d);
}

// badge is the header's badge {cls, text} for the page state st: the
// network's own status (the worker's last status message for the network
// shown), never the statistics of an earlier network. A loaded network
// shows where it came from unless it met the criterion while training here.
// A network that met the criterion and fails a later check (training
// goes on, and a network can drift out of fit) says so, with the figures
// it fails, instead of the green badge.
export function badge(st) {
  if (st.metStep) {
    const s = st.stats;
    if (s && s.step > st.metStep && s.met === false) {
      const off = (s.figures || []).filter((f) => f.value > f.limit).map((f) => f.name);
      return { cls: 'badge warn', text: `criterion met at step ${st.metStep}, not at step ${s.step}${off.length ? ` (${off.join(', ')} off)` : ''}` };
    }
    return { cls: 'badge ok', text: `criterion met at step ${st.metStep}` };
  }
  if (st.plateau) return { cls: 'badge warn', text: 'stuck on the coin-flip plateau…' };
  if (st.restarts && st.restarts.length) {
    // Why: the plateau, or no fit within the recipe's restart-after steps.
    const why = [...new Set(st.restartCauses && st.restartCauses.length ? st.restartCauses : ['plateau'])].join(', ');
    return { cls: 'badge info', text: `restarted ${st.restarts.length}× (${why})` };
  }
  if (st.source && st.source !== 'train') return { cls: 'badge info', text: st.source };
  return { cls: 'badge', text: '' };
}

// stepTime is the header's training speed, with the batch and learning
// rate the training uses now when known (the recipe's later stages change
// them after the page's settings) and the recipe it trains with (the
// recipe menu's "default" trains chains as hybrid or sharp), and, when it
// trains on the first trainLen of the seqLen steps of each sequence
// (recipe sharp at a T over 30), so.
export function stepTime(ms, helper, batch = 0, lr = 0, recipe = '', trainLen = 0, seqLen = 0) {
  if (!ms) return '';
  const now = batch ? ` at B ${batch}, lr ${+lr.toPrecision(2)}` : '';
  const how = recipe ? `, recipe ${recipe}` : '';
  const len = trainLen ? `, trained on the first ${trainLen} of ${seqLen} steps` : '';
  return `${ms.toFixed(1)} ms/step${now}${how}${len}${helper ? ' (2 workers)' : ''}`;
}

// regimeText says which dynamical regime the newest summarised weight
// snapshot is in (the worker's evolution message): the noise-driven regime
// of the paper's mechanism, or what keeps the network from it, by the
// regime name core/dynamics gives each snapshot (RegimeName), so the
// thresholds live in one place.
const NOT_YET = {
  runaway: 'activity runs away over long runs',
  'no-collapse': 'input-free runs do not fall to one fixed point (the network switches or persists without noise)',
  independent: 'outputs nearly independent from step to step (coin-flip plateau)',
  stuck: 'the network stays on one output',
};
export function regimeText(ev) {
  const pts = (ev && ev.points) || [];
  if (!pts.length) return '';
  const p = pts[pts.length - 1];
  const at = `step ${p.step}: `;
  if (p.regime === 'driven') {
    const since = ev.bifurcation_step >= 0 ? ` since step ${ev.bifurcation_step}` : '';
    return at + `noise-driven regime${since}: persistent outputs (${fmt(p.transition_rate, 2)} switches per step), ` +
      'every input-free run falls to one fixed point, so the noise makes the switches';
  }
  return at + `${NOT_YET[p.regime] || p.regime}: not yet the noise-driven regime`;
}

// portraitInfo is the portrait's title line.
export function portraitInfo(msg) {
  const pc = (i) => (100 * (msg.explained[i] || 0)).toFixed(0);
  return `${msg.snapshot >= 0 ? 'snapshot at ' : ''}step ${msg.step} · PC1 ${pc(0)}%, PC2 ${pc(1)}% of variance`;
}

// portraitRate is the line under the portrait: switch rate at the drawn
// noise, and what the analyses found.
export function portraitRate(msg) {
  let txt = `σ = ${msg.sigma.toFixed(2)}: ${(msg.transition_rate * 100).toFixed(2)} output switches per 100 steps`;
  if (msg.caption) txt += ` · shows ${msg.caption}`;
  if (msg.fixed_point) {
    txt += msg.scale === 'direction' ? ' · input-free runs turn to one direction (×)'
      : ` · input-free runs end at one point (|h*| = ${msg.fixed_norm.toExponential(1)})`;
  }
  if (msg.kick && msg.kick.neurons) txt += ` · kick neurons ${msg.kick.neurons.join(', ')} (silencing cuts switching by ${(100 * msg.kick.cut).toFixed(0)}%)`;
  if (msg.zones) txt += ` · zones: ${msg.zones[0]} transition, ${msg.zones[1]} kick, ${msg.zones[2]} cluster`;
  return txt;
}

// FIGURE_LABEL names the fit criterion's figures (core/stats/fit.go).
const FIGURE_LABEL = {
  freq: () => 'max |Δ frequency|',
  trans: (s) => `max |Δ transition| on rows ${s.rows.join(', ')}`,
  volatility: () => 'changes/sequence off by',
  dwell: () => 'dwell-time distance',
};

// criterionText states the fit criterion (core/METHOD.md section 4 and
// core/stats/fit.go) for stats s: every figure beside its limit and its
// noise floor (the same figure for an HMM sample of the same size), marked
// ✓ or ✗, so a visitor sees which figure keeps a network from fitting.
export function criterionText(s) {
  const met = s.met_step ? ` · met at step ${s.met_step}` : '';
  if (!s.figures || !s.figures.length) {
    return `max |Δ frequency| = ${s.freq_diff.toFixed(3)} (goal < 0.03) · max |Δ transition| on rows ${s.rows.join(', ')} = ${s.trans_diff.toFixed(3)} (goal < 0.05)` + met;
  }
  const num = (f, x) => (f.name === 'volatility' ? `${(100 * x).toFixed(0)}%` : x.toFixed(3));
  return s.figures.map((f) => {
    const label = (FIGURE_LABEL[f.name] || (() => f.name))(s);
    const ok = f.value <= f.limit;
    return `${ok ? '✓' : '✗'} ${label} ${num(f, f.value)} (limit ${num(f, f.limit)}, HMM floor ${num(f, f.floor)})`;
  }).join(' · ') + met;
}

// SHORT_EXCESS is the excess share of 1-step runs over the HMM's that the
// readout line calls a cause: 5 points, about 2.5 standard errors of a
// share near the chains' 10% over the ~250 complete runs of the page's
// 512 sequences of T = 30 (linear2).
const SHORT_EXCESS = 0.05;

// readoutText states the readout noise of stats s (core/METHOD.md
// section 4): how often the emitted symbol, a sample of softmax(logits),
// is not the logits' argmax, and the 1-step runs and changes of the argmax
// outputs beside the emitted outputs' and the HMM's (its changes exact, as
// the fit criterion judges them, and sampled); when the emitted
// outputs have an excess of 1-step runs, whether the dynamics or the
// sampled readout makes them. '' without a measurement.
export function readoutText(s) {
  const r = s.readout;
  if (!r) return '';
  const pc = (x) => `${(100 * x).toFixed(0)}%`;
  let why = '';
  if (r.emitted.one_step > r.hmm.one_step + SHORT_EXCESS) {
    why = r.argmax.one_step > r.hmm.one_step + SHORT_EXCESS
      ? ' — the dynamics themselves flicker'
      : ' — the extra short runs are blips of sampling an unsaturated readout, not switches of the dynamics';
  }
  return `readout: the emitted symbol is not the argmax of the logits at ${(100 * r.off_argmax).toFixed(1)}% of steps ` +
    `(the HMM's own emission noise: ${(100 * r.hmm_off_mode).toFixed(1)}%) · ` +
    `1-step runs: argmax ${pc(r.argmax.one_step)}, emitted ${pc(r.emitted.one_step)}, HMM ${pc(r.hmm.one_step)} · ` +
    `changes/seq: argmax ${r.argmax.changes.toFixed(2)}, emitted ${r.emitted.changes.toFixed(2)}, HMM ${hmmChanges(r)}` + why +
    (r.gain > 1 ? ` · ${gainText(r)} (calibrated to the HMM); the loss chart is the trained readout's` : '');
}

// gainText says how a calibrated readout emits: the whole trained readout
// scaled, or (rare symbols listed) the frequent outputs' choice sharpened
// while the rare outputs keep their trained probability (rnn.Readout).
function gainText(r) {
  const g = +r.gain.toFixed(2);
  if (!r.rare || r.rare.length === 0) {
    return `the network emits with its trained readout scaled ×${g}`;
  }
  const outs = r.rare.length === 1 ? `output ${r.rare[0]}` : `outputs ${r.rare.join(', ')}`;
  return `the network emits with its choice between the frequent outputs sharpened ×${g} and the rare ${outs} at its trained probability`;
}

// hmmChanges is the HMM's changes per sequence on the readout line: the
// exact value the criterion's volatility figure compares the emitted
// changes with, beside its sample's (which sampling noise moves by about
// the figure's floor).
function hmmChanges(r) {
  if (!r.hmm_exact_changes) return `${r.hmm.changes.toFixed(2)} sampled`;
  return `${r.hmm_exact_changes.toFixed(2)} exact, ${r.hmm.changes.toFixed(2)} sampled`;
}

// statsCSV is the statistics download: one row per quantity, RNN and HMM.
export function statsCSV(s) {
  const lines = ['quantity,from,to,rnn,hmm'];
  s.rnn.freq.forEach((v, o) => lines.push(`frequency,${o},,${v},${s.hmm.freq[o]}`));
  s.rnn.trans.forEach((r, i) => r.forEach((v, j) => lines.push(`transition,${i},${j},${v},${s.hmm.trans[i][j]}`)));
  lines.push(`changes_mean,,,${s.rnn.changes},${s.hmm.changes}`);
  lines.push(`changes_std,,,${s.rnn.changes_std},${s.hmm.changes_std}`);
  lines.push(`mean_dwell,,,${s.rnn.mean_dwell},${s.hmm.mean_dwell}`);
  s.rnn.dwell.forEach((v, k) => lines.push(`dwell_fraction,${k + 1},,${v},${s.hmm.dwell[k]}`));
  return lines.join('\n') + '\n';
}
