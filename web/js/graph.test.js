// Tests of the HMM graph layout (node --test; run by web/web_test.go,
// which writes the engine's presets to the file named by HMMRNN_PRESETS).
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { MAX_EDGES, graphLayout, graphSVG, shapeBoxes, textBox } from './graph.js';

const W = 320, H = 200; // the page's viewBox of #graph

// inside fails with the first shape of g outside its W×H box.
function assertInside(g, what) {
  for (const b of shapeBoxes(g)) {
    const ok = b.x0 >= 0 && b.y0 >= 0 && b.x1 <= g.W && b.y1 <= g.H && [b.x0, b.y0, b.x1, b.y1].every(Number.isFinite);
    assert.ok(ok, `${what}: ${b.what} at x ${b.x0.toFixed(1)}…${b.x1.toFixed(1)}, y ${b.y0.toFixed(1)}…${b.y1.toFixed(1)} leaves the ${g.W}×${g.H} box`);
  }
}

// uniformHMM is a fully connected M-state, O-output model.
function uniformHMM(M, O, name = 'custom') {
  const row = (n, k) => Array.from({ length: n }, (_, j) => (j === k ? 0.5 : 0) + 0.5 / n);
  return { name, transition: Array.from({ length: M }, (_, i) => row(M, i)), emission: Array.from({ length: M }, (_, i) => row(O, i % O)) };
}

const presets = process.env.HMMRNN_PRESETS ? JSON.parse(readFileSync(process.env.HMMRNN_PRESETS, 'utf8')) : null;

test('every preset fits its box, unshrunk, with all labels', { skip: !presets && 'HMMRNN_PRESETS not set (run through go test ./web)' }, () => {
  assert.ok(Object.keys(presets).length >= 6);
  for (const [name, m] of Object.entries(presets)) {
    const g = graphLayout(m, W, H);
    assertInside(g, name);
    assert.equal(g.nodes.length, m.transition.length, name);
    // Presets are drawn at (nearly) full size: every state named and its
    // self-transition labelled.
    assert.ok(g.scale > 0.75, `${name}: shrunk to ${g.scale}`);
    assert.equal(g.texts.filter((t) => /^s\d+$/.test(t.text)).length, m.transition.length, name);
    assert.equal(g.texts.filter((t) => t.text.startsWith('↻')).length, m.transition.length, name);
  }
});

test('the fully connected 3-state model is not clipped at the top', () => {
  // fully3's shape (three states on a circle, every transition): the
  // clipped layout put the top self-transition label at y 2.
  const g = graphLayout(uniformHMM(3, 3, 'fully3'), W, H);
  assertInside(g, 'fully3');
  const top = Math.min(...g.texts.map((t) => textBox(t).y0));
  assert.ok(top >= 2, `top label at ${top}`);
});

test('custom models up to 255 states and 255 outputs fit', () => {
  for (const M of [1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 32, 64, 128, 255]) {
    for (const O of [1, 2, 5, 17, 255]) {
      for (const name of ['custom', 'linear-custom']) {
        const g = graphLayout(uniformHMM(M, O, name), W, H);
        assertInside(g, `${name} M ${M} O ${O}`);
        assert.equal(g.nodes.length, M);
        assert.equal(g.rects.length, M * O);
        assert.ok(g.edges.length <= MAX_EDGES);
      }
    }
  }
});

test('a long caption becomes a range', () => {
  const g = graphLayout(uniformHMM(2, 40), W, H);
  assert.equal(g.texts.at(-1).text, 'bars: emission probabilities of outputs 0 … 39');
  assert.equal(graphLayout(uniformHMM(2, 3), W, H).texts.at(-1).text, 'bars: emission probabilities of outputs 0, 1, 2');
});

test('the SVG escapes text and has one element per shape', () => {
  const g = graphLayout(uniformHMM(3, 2), W, H);
  const svg = graphSVG(g, (o) => ['#0072b2', '#e69f00'][o]);
  assert.equal((svg.match(/<circle /g) || []).length, 3);
  assert.equal((svg.match(/<rect /g) || []).length, 6);
  assert.equal((svg.match(/marker-end=/g) || []).length, 6);
  assert.equal((svg.match(/<text /g) || []).length, g.texts.length);
  assert.equal(svg.includes('NaN'), false);
});
