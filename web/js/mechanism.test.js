// Tests of the mechanism panels' pure part (node --test; run by web/web_test.go).
import test from 'node:test';
import assert from 'node:assert/strict';
import { blockMatrix, levels, resonanceSeries, roleColor, unitRows, unitText } from './mechanism.js';

// A worker-shaped roles message: H = 5, kick 0->2 = {3}, integrating
// 0->2 = {0, 4}, an empty kick 2->0 group, other = {1, 2}.
const roles = {
  groups: [
    { name: 'kick 0->2', kind: 'kick', neurons: [3] },
    { name: 'kick 2->0', kind: 'kick', neurons: [] },
    { name: 'integrating 0->2', kind: 'integrating', neurons: [0, 4] },
    { name: 'other', kind: 'other', neurons: [1, 2] },
  ],
  of: [2, 3, 3, 0, 2],
  blocks: Array.from({ length: 16 }, (_, k) => ({ mean: k / 10 })),
  units: Array.from({ length: 5 }, (_, i) => ({ in_norm: 1 + i, out: [0.5, -0.25, 0], self: -0.1, from: [0.3, 0, -0.2, 0.01], to: [0, 0, 0.4, -1] })),
};

test('units are ordered group by group', () => {
  const { order, bands } = unitRows(roles);
  assert.deepEqual(order, [3, 0, 4, 1, 2]);
  assert.deepEqual(bands, [
    { group: 0, name: 'kick 0->2', from: 0, to: 1 },
    { group: 2, name: 'integrating 0->2', from: 1, to: 3 },
    { group: 3, name: 'other', from: 3, to: 5 },
  ]);
  // Two kick groups get different shades; kinds differ.
  assert.notEqual(roleColor(roles, 0), roleColor(roles, 1));
  assert.notEqual(roleColor(roles, 0), roleColor(roles, 2));
});

test('hover text names the role and the weights', () => {
  assert.equal(unitText(roles, 4, [4]),
    'unit 4: integrating 0->2 (silenced) · noise input |W_in| 5.00 · readout 0: +0.50, 1: −0.25, 2: +0.00 · self −0.10 · ' +
    'mean W_hh with kick 0->2 +0.30 in / +0.00 out; integrating 0->2 −0.20 in / +0.40 out; other +0.01 in / −1.00 out');
});

test('block matrix keeps the non-empty groups', () => {
  const { groups, m } = blockMatrix(roles);
  assert.deepEqual(groups, [0, 2, 3]);
  assert.deepEqual(m, [[0, 0.2, 0.3], [0.8, 1, 1.1], [1.2, 1.4, 1.5]]);
});

test('activity levels decode', () => {
  assert.deepEqual([...levels({ level: Buffer.from([0, 128, 255]).toString('base64') })], [0, 128, 255]);
});

test('resonance series and axes', () => {
  const msg = { sigmas: [0, 0.5, 1, 4], points: [
    { sigma: 0, transition_rate: 0, error: 0.9, fidelity: {} },
    { sigma: 0.5, transition_rate: 0.02, error: 0.3, fidelity: {} },
  ] };
  const s = resonanceSeries(msg);
  assert.deepEqual(s.rate, [[0, 0], [0.5, 2]]);
  assert.deepEqual(s.error, [[0, 0.9], [0.5, 0.3]]);
  assert.ok(Math.abs(s.rateMax - 2.2) < 1e-12 && Math.abs(s.errorMax - 0.99) < 1e-12);
  assert.deepEqual([s.sigmaMin, s.sigmaMax], [0, 4]);
  const empty = resonanceSeries({ points: [] });
  assert.ok(empty.rateMax > 0 && empty.errorMax > 0 && empty.sigmaMax === 1);
});
