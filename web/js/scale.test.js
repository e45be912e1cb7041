// Tests of the chart scaling (node --test; run by web/web_test.go).
import test from 'node:test';
import assert from 'node:assert/strict';
import { binMeans, extent, linear, stepX } from './scale.js';

test('binMeans keeps short series and averages long ones', () => {
  assert.deepEqual(binMeans([1, 2, 3], 10), [1, 2, 3]);
  assert.deepEqual(binMeans([1, 3, 5, 7], 2), [2, 6]);
  assert.deepEqual(binMeans([1, 2, 3, 4, 5], 2), [1.5, 4]);
  assert.deepEqual(binMeans([], 5), []);
  const long = Array.from({ length: 10007 }, (_, i) => i);
  const ys = binMeans(long, 320);
  assert.equal(ys.length, 320);
  // Every element lands in exactly one bin: the bins' weighted means add
  // back up to the total.
  let total = 0, n = long.length;
  for (let b = 0; b < 320; b++) total += ys[b] * (Math.floor((b + 1) * n / 320) - Math.floor(b * n / 320));
  assert.ok(Math.abs(total - (n - 1) * n / 2) < 1e-6 * n * n);
});

test('extent ignores non-finite values and widens flat series', () => {
  assert.deepEqual(extent([3, 1, NaN, 2]), [1, 3]);
  assert.deepEqual(extent([0.5, 0.5]), [-0.5, 1.5]);
  assert.deepEqual(extent([]), [-1, 1]);
});

test('linear maps the ends onto the ends', () => {
  const Y = linear(0.1, 0.7, 134, 6);
  assert.equal(Y(0.1), 134);
  assert.ok(Math.abs(Y(0.7) - 6) < 1e-12);
  assert.ok(Math.abs(Y(0.4) - 70) < 1e-12);
  assert.equal(linear(1, 1, 5, 9)(1), 5);
});

test('stepX puts the first and last recorded steps at the chart ends', () => {
  // 1000 losses of steps 1..1000 drawn as 100 bins from x 36 to 356.
  assert.equal(stepX(0, 1000, 1000, 100, 36, 356), 36);
  assert.ok(Math.abs(stepX(990, 1000, 1000, 100, 36, 356) - 356) < 1e-9);
  // With 500 steps before the history, step 500 is the left end.
  assert.equal(stepX(500, 1500, 1000, 100, 36, 356), 36);
});
