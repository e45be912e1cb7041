// Tests of the page's words (node --test; run by web/web_test.go).
import test from 'node:test';
import assert from 'node:assert/strict';
import { badge, criterionText, fmt, portraitInfo, portraitRate, readoutText, regimeText, statsCSV, stepTime } from './format.js';

test('the badge describes the network shown', () => {
  const cases = [
    [{ metStep: 787, plateau: true, restarts: [1500], source: 'train' }, 'badge ok', 'criterion met at step 787'],
    // Met, and the latest check fits too (or is the one that met it).
    [{ metStep: 750, stats: { step: 1000, met: true, figures: [] }, restarts: [], source: 'train' }, 'badge ok', 'criterion met at step 750'],
    [{ metStep: 750, stats: { step: 750, met: true, figures: [] }, restarts: [], source: 'train' }, 'badge ok', 'criterion met at step 750'],
    // Met earlier, drifted out of fit since: the badge says so and why.
    [{ metStep: 750, stats: { step: 1250, met: false, figures: [{ name: 'freq', value: 0.01, limit: 0.03 }, { name: 'volatility', value: 0.2, limit: 0.15 }, { name: 'dwell', value: 0.12, limit: 0.1 }] }, restarts: [], source: 'train' },
      'badge warn', 'criterion met at step 750, not at step 1250 (volatility, dwell off)'],
    [{ metStep: 0, plateau: true, restarts: [], source: 'train' }, 'badge warn', 'stuck on the coin-flip plateau…'],
    [{ metStep: 0, plateau: false, restarts: [1500, 3000], source: 'train' }, 'badge info', 'restarted 2× (plateau)'],
    [{ metStep: 0, plateau: false, restarts: [1500, 3500], restartCauses: ['plateau', 'no fit'], source: 'train' }, 'badge info', 'restarted 2× (plateau, no fit)'],
    [{ metStep: 0, plateau: false, restarts: [2000], restartCauses: ['no fit'], source: 'train' }, 'badge info', 'restarted 1× (no fit)'],
    // A gallery network loaded after a plateaued run: the status of the
    // new network has no plateau and no restarts, whatever came before.
    [{ metStep: 0, plateau: false, restarts: [], source: 'gallery: fully3' }, 'badge info', 'gallery: fully3'],
    [{ metStep: 0, plateau: false, restarts: [], source: 'train' }, 'badge', ''],
  ];
  for (const [st, cls, text] of cases) assert.deepEqual(badge(st), { cls, text }, JSON.stringify(st));
});

test('numbers: fmt and step time', () => {
  assert.equal(fmt(0.693147), '0.6931');
  assert.equal(fmt(null), '–');
  assert.equal(fmt(NaN), '–');
  assert.equal(fmt(12345.6, 3), '1.23e+4');
  assert.equal(stepTime(0, false), '');
  assert.equal(stepTime(41.26, true), '41.3 ms/step (2 workers)');
  assert.equal(stepTime(39.3, true, 1024, 0.0003), '39.3 ms/step at B 1024, lr 0.0003 (2 workers)');
  assert.equal(stepTime(11, false, 256, 0.001), '11.0 ms/step at B 256, lr 0.001');
  assert.equal(stepTime(53.8, true, 256, 0.001, 'sharp'), '53.8 ms/step at B 256, lr 0.001, recipe sharp (2 workers)');
  assert.equal(stepTime(30.2, false, 256, 0.002, 'sharp', 30, 100), '30.2 ms/step at B 256, lr 0.002, recipe sharp, trained on the first 30 of 100 steps');
});

test('portrait lines say what is drawn', () => {
  const msg = { snapshot: 2, step: 400, explained: [0.61, 0.2], sigma: 1, transition_rate: 0.0421, diverged: false, steps: 3990,
    caption: '133 runs of the trained length T = 30 from h0 = 0 (the long run\'s activity grows out of range by step 827); output clusters separated',
    fixed_point: false, kick: { neurons: [3, 17], cut: 0.8 }, zones: null };
  assert.equal(portraitInfo(msg), 'snapshot at step 400 · PC1 61%, PC2 20% of variance');
  assert.equal(portraitRate(msg), 'σ = 1.00: 4.21 output switches per 100 steps · shows 133 runs of the trained length T = 30 from h0 = 0 (the long run\'s activity grows out of range by step 827); output clusters separated · kick neurons 3, 17 (silencing cuts switching by 80%)');
  assert.match(portraitRate({ ...msg, fixed_point: [0, 0], scale: 'direction' }), / · input-free runs turn to one direction \(×\)/);
  assert.match(portraitRate({ ...msg, fixed_point: [0, 0], scale: 'state', fixed_norm: 0.5 }), / · input-free runs end at one point \(\|h\*\| = 5\.0e-1\)/);
  assert.equal(portraitInfo({ ...msg, snapshot: -1, explained: [] }), 'step 400 · PC1 0%, PC2 0% of variance');
});

test('criterion and CSV of a statistics message', () => {
  const s = { freq_diff: 0.0123, trans_diff: 0.061, rows: [0, 1], met_step: 0,
    rnn: { freq: [0.4, 0.6], trans: [[0.9, 0.1], [0.05, 0.95]], changes: 2, changes_std: 1, mean_dwell: 12, dwell: [0.1] },
    hmm: { freq: [0.5, 0.5], trans: [[0.95, 0.05], [0.05, 0.95]], changes: 1.5, changes_std: 1.1, mean_dwell: 20, dwell: [0.05] } };
  assert.equal(criterionText(s), 'max |Δ frequency| = 0.012 (goal < 0.03) · max |Δ transition| on rows 0, 1 = 0.061 (goal < 0.05)');
  assert.match(criterionText({ ...s, met_step: 900 }), / · met at step 900$/);
  // With the criterion's figures (the worker sends them): each beside its
  // limit and floor, passing ones ticked.
  const fig = { ...s, figures: [
    { name: 'freq', value: 0.0123, limit: 0.03, floor: 0.004 },
    { name: 'trans', value: 0.061, limit: 0.05, floor: 0.01 },
    { name: 'volatility', value: 0.2, limit: 0.15, floor: 0.02 },
    { name: 'dwell', value: 0.05, limit: 0.1, floor: 0.01 },
  ] };
  assert.equal(criterionText(fig), '✓ max |Δ frequency| 0.012 (limit 0.030, HMM floor 0.004) · ✗ max |Δ transition| on rows 0, 1 0.061 (limit 0.050, HMM floor 0.010) · ' +
    '✗ changes/sequence off by 20% (limit 15%, HMM floor 2%) · ✓ dwell-time distance 0.050 (limit 0.100, HMM floor 0.010)');
  const csv = statsCSV(s).trim().split('\n');
  assert.equal(csv.length, 1 + 2 + 4 + 3 + 1);
  assert.equal(csv[1], 'frequency,0,,0.4,0.5');
  assert.equal(csv[4], 'transition,0,1,0.1,0.05');
  assert.equal(csv.at(-1), 'dwell_fraction,1,,0.1,0.05');
});

test('the regime line names the newest snapshot\'s regime', () => {
  const pt = (o) => ({ step: 900, transition_rate: 0.05, regime: 'stuck', ...o });
  assert.equal(regimeText(null), '');
  assert.equal(regimeText({ points: [], bifurcation_step: -1 }), '');
  assert.match(regimeText({ points: [pt({ regime: 'driven' })], bifurcation_step: 600 }), /^step 900: noise-driven regime since step 600: persistent outputs \(0\.050 switches per step\)/);
  assert.match(regimeText({ points: [pt({ regime: 'runaway' })], bifurcation_step: -1 }), /runs away.*not yet/);
  assert.match(regimeText({ points: [pt({ regime: 'no-collapse' })], bifurcation_step: -1 }), /do not fall to one fixed point.*not yet/);
  assert.match(regimeText({ points: [pt({ regime: 'independent' })], bifurcation_step: -1 }), /coin-flip plateau/);
  assert.match(regimeText({ points: [pt({ transition_rate: 0 })], bifurcation_step: -1 }), /stays on one output/);
  // The newest snapshot decides, not an earlier one.
  assert.match(regimeText({ points: [pt({ regime: 'driven' }), pt({ step: 1000, regime: 'runaway' })], bifurcation_step: -1 }), /^step 1000: activity runs away/);
});

test('the readout line names the source of short runs', () => {
  const fig = (changes, one_step) => ({ changes, one_step });
  assert.equal(readoutText({}), '');
  // linear2 of the default recipe (`hmmrnn eval`): clean argmax switches, blips from sampling.
  const blips = { readout: { off_argmax: 0.026, hmm_off_mode: 0.01, argmax: fig(1.07, 0.048), emitted: fig(1.452, 0.367), hmm: fig(1.436, 0.099), hmm_exact_changes: 1.4 } };
  assert.equal(readoutText(blips), 'readout: the emitted symbol is not the argmax of the logits at 2.6% of steps ' +
    "(the HMM's own emission noise: 1.0%) · " +
    '1-step runs: argmax 5%, emitted 37%, HMM 10% · changes/seq: argmax 1.07, emitted 1.45, HMM 1.40 exact, 1.44 sampled' +
    ' — the extra short runs are blips of sampling an unsaturated readout, not switches of the dynamics');
  // A readout without the exact value (an older worker's) names the sample as such.
  assert.match(readoutText({ readout: { ...blips.readout, hmm_exact_changes: undefined } }), /, HMM 1\.44 sampled — /);
  const flicker = { readout: { ...blips.readout, argmax: fig(1.4, 0.3) } };
  assert.match(readoutText(flicker), / — the dynamics themselves flicker$/);
  const fine = { readout: { ...blips.readout, emitted: fig(1.44, 0.12) } };
  assert.doesNotMatch(readoutText(fine), / — /);
  // A calibrated readout says by how much what is emitted differs from what is trained.
  assert.doesNotMatch(readoutText({ readout: { ...fine.readout, gain: 1 } }), /scaled/);
  assert.match(readoutText({ readout: { ...fine.readout, gain: 1.75 } }), / · the network emits with its trained readout scaled ×1\.75 \(calibrated to the HMM\); the loss chart is the trained readout's$/);
  assert.match(readoutText({ readout: { ...fine.readout, gain: 1.75, rare: null } }), /trained readout scaled ×1\.75/);
  assert.match(readoutText({ readout: { ...fine.readout, gain: 3, rare: [1] } }), / · the network emits with its choice between the frequent outputs sharpened ×3 and the rare output 1 at its trained probability \(calibrated to the HMM\); the loss chart is the trained readout's$/);
});
