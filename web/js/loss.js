// loss.js: the loss chart: the Sinkhorn divergence of every step (binned
// to the canvas width), the plateau restarts, the step the criterion
// was first met, and the step where the mechanism appears: the
// bifurcation into the noise-driven regime of the training-evolution
// analysis of the worker's weight snapshots (core/dynamics Bifurcation:
// the first snapshot from which every later one is noise-driven), and
// under the chart the regime of the newest snapshot.

import { $, st, on } from './page.js';
import { fmt, regimeText } from './format.js';
import { binMeans, extent, linear, stepX } from './scale.js';

let bifurcation = -1; // step of the bifurcation, -1 = not found yet

function draw() {
  const c = $('loss'), g = c.getContext('2d');
  const W = c.width, H = c.height, L = st.losses;
  g.clearRect(0, 0, W, H);
  g.font = '10px system-ui, sans-serif';
  g.fillStyle = '#777';
  if (L.length < 2) { g.fillText('press Play to train', 8, H / 2); return; }
  // Margins: 36 px on the left for the axis numbers, 16 px below for the
  // step count.
  const x0 = 36, x1 = W - 4, y0 = 6, y1 = H - 16;
  const ys = binMeans(L, W - 40);
  const bins = ys.length, n = L.length;
  const [lo, hi] = extent(ys);
  const X = linear(0, Math.max(bins - 1, 1), x0, x1), Y = linear(lo, hi, y1, y0);
  g.strokeStyle = '#ddd'; g.beginPath(); g.moveTo(x0, y0); g.lineTo(x0, y1); g.lineTo(x1, y1); g.stroke();
  g.fillText(fmt(hi, 3), 2, y0 + 8); g.fillText(fmt(lo, 3), 2, y1);
  g.fillText('step ' + st.step, x1 - 60, H - 3);
  const mark = (s, colour) => {
    const x = stepX(s, st.step, n, bins, x0, x1);
    g.strokeStyle = colour; g.beginPath(); g.moveTo(x, y0); g.lineTo(x, y1); g.stroke();
  };
  for (const r of st.restarts) mark(r, '#e0a000');
  if (st.metStep) mark(st.metStep, '#1b7f3b');
  if (bifurcation >= 0 && bifurcation >= st.step - n) {
    mark(bifurcation, '#8e44ad');
    const x = stepX(bifurcation, st.step, n, bins, x0, x1);
    g.fillStyle = '#8e44ad';
    const right = x > x1 - 60; // near the right edge: the label goes left of the mark
    g.textAlign = right ? 'right' : 'left';
    g.fillText('mechanism', right ? x - 2 : x + 2, y0 + 18);
    g.textAlign = 'left';
  }
  g.strokeStyle = '#0072b2'; g.lineWidth = 1.2; g.beginPath();
  ys.forEach((v, i) => (i ? g.lineTo(X(i), Y(v)) : g.moveTo(X(i), Y(v))));
  g.stroke(); g.lineWidth = 1;
}

export function init() {
  on('status', draw);
  const regime = () => { $('regime').textContent = regimeText(st.evolution); };
  on('newnet', () => { bifurcation = -1; st.evolution = null; draw(); regime(); });
  on('evolution', (m) => { bifurcation = m.bifurcation_step; st.evolution = m; draw(); regime(); });
}
