// Tests of the URL state (node --test; run by web/web_test.go).
import test from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULTS, checkNumber, customHMM, defaults, matrixText, parseMatrix, parseParams, settings, toQuery } from './params.js';

test('defaults parse from an empty query and write back as none', () => {
  const { params, errors } = parseParams('');
  assert.deepEqual(errors, []);
  assert.deepEqual(params, defaults());
  assert.equal(toQuery(params), '');
});

test('bad values give a message and the default or the clamped value', () => {
  const cases = [
    ['hidden=abc', 'hidden', DEFAULTS.hidden, /hidden=abc is not a number; using 50/],
    ['hidden=2.5', 'hidden', DEFAULTS.hidden, /not a whole number/],
    ['hidden=9999', 'hidden', 256, /outside 2…256; using 256/],
    ['lr=-1', 'lr', 1e-5, /outside/],
    ['sigma=', 'sigma', DEFAULTS.sigma, /not a number/],
    ['silence=maybe', 'silence', false, /should be 1 or 0/],
    ['arch=star9', 'arch', 'linear2', /not one of/],
    ['recipe=magic', 'recipe', 'default', /recipe=magic is not one of default, hybrid, paper, sharp;/],
    ['gallery=../x', 'gallery', '', /not a gallery name/],
    ['A=1,x', 'A', '', /A: row 0: "x" is not a number/],
    ['arch=custom', 'arch', 'linear2', /needs A and E/],
    ['colour=red', 'arch', 'linear2', /unknown parameter colour/],
  ];
  for (const [q, k, want, msg] of cases) {
    const { params, errors } = parseParams(q);
    assert.equal(params[k], want, q);
    assert.equal(errors.length, 1, q);
    assert.match(errors[0], msg, q);
  }
});

test('hide keeps known sections and names unknown ones', () => {
  const { params, errors } = parseParams('hide=loss,bogus,net');
  assert.deepEqual(params.hide, ['loss', 'net']);
  assert.deepEqual(errors, ['hide: unknown section bogus (known: header, hmm, net, loss, resonance, stats, portraitctl, units, export)']);
});

test('toQuery and parseParams round-trip', () => {
  const p = defaults();
  Object.assign(p, { arch: 'custom', A: '0.9, 0.1;0.2, 0.8', E: '1, 0;0, 1', hidden: 64, lr: 0.003, seed: 4294967295,
    silence: true, particles: false, hide: ['net', 'export'], T: 100, sigma: 0.35, recipe: 'paper' });
  const q = toQuery(p);
  const back = parseParams(q);
  assert.deepEqual(back.errors, []);
  assert.deepEqual(back.params, p);
  // A and E are written only for the custom model.
  assert.equal(toQuery({ ...p, arch: 'fully3' }).includes('A='), false);
});

test('parseMatrix reads commas and spaces, and names the bad cell', () => {
  assert.deepEqual(parseMatrix('0.9, 0.1\n 0.2 0.8 \n\n'), [[0.9, 0.1], [0.2, 0.8]]);
  assert.equal(parseMatrix('  \n'), 'no rows');
  assert.equal(parseMatrix('1 2\n3 NaNx'), 'row 1: "NaNx" is not a number');
  assert.equal(matrixText([[1 / 3, 2 / 3], [0.25, 0.75]], ';'), '0.333333, 0.666667;0.25, 0.75');
});

test('checkNumber accepts, clamps or refuses', () => {
  assert.deepEqual(checkNumber('batch', '64'), { value: 64 });
  assert.deepEqual(checkNumber('batch', '8'), { value: 16, error: 'batch=8 is outside 16…4096; using 16' });
  assert.deepEqual(checkNumber('T', 'x'), { error: 'T=x is not a number' });
});

test('settings carry the custom HMM with a uniform start', () => {
  const p = { ...defaults(), arch: 'custom', A: '0.5,0.5;0.1,0.9', E: '1,0;0,1', T: 40 };
  const s = settings(p);
  assert.equal(s.seq_len, 40);
  assert.deepEqual(s.hmm, customHMM(p));
  assert.deepEqual(s.hmm.start, [0.5, 0.5]);
  assert.equal(settings(defaults()).hmm, undefined);
  // The default recipe is the worker's default; only another one is sent.
  assert.equal(settings(defaults()).recipe, undefined);
  assert.equal(settings({ ...defaults(), recipe: 'paper' }).recipe, 'paper');
});

test('a learning rate of 0 or none is the recipe\'s, and is the default', () => {
  for (const q of ['lr=0', 'lr=', '']) {
    const { params, errors } = parseParams(q);
    assert.equal(params.lr, 0, q);
    assert.deepEqual(errors, [], q);
  }
  assert.equal(toQuery({ ...defaults(), lr: 0 }), '');
  assert.equal(toQuery({ ...defaults(), lr: 0.002 }), '?lr=0.002');
  assert.deepEqual(checkNumber('lr', ''), { value: 0 });
  assert.match(checkNumber('lr', '0.5').error, /outside/);
});
