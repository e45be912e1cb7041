// resonance.js: the stochastic-resonance panel (core/METHOD.md section 5.3): the shown
// network's output switch rate and emission error against the noise level
// sigma, computed by the worker one level at a time (core/dynamics
// Resonance), with the portrait's sigma marked; the noise slider moves the
// mark. The switch rate counts changes of the argmax output (core/METHOD.md section 5.3);
// the emission error compares sampled sequences with the HMM's exact
// statistics.

import { $, P, st, on } from './page.js';
import { resonanceSeries } from './mechanism.js';
import { linear } from './scale.js';

let curve = null; // the worker's last resonance message

function draw() {
  const c = $('resonance'), g = c.getContext('2d');
  const W = c.width, H = c.height;
  g.clearRect(0, 0, W, H);
  g.font = '10px system-ui, sans-serif';
  g.fillStyle = '#777';
  if (!curve || !curve.points.length) { g.fillText('computing the curve…', 8, H / 2); $('resinfo').textContent = ''; return; }
  const s = resonanceSeries(curve);
  // Margins: 30 px left and right for the two axes' numbers, 16 px below
  // for sigma.
  const x0 = 30, x1 = W - 30, y0 = 8, y1 = H - 16;
  const X = linear(s.sigmaMin, s.sigmaMax, x0, x1), Yr = linear(0, s.rateMax, y1, y0), Ye = linear(0, s.errorMax, y1, y0);
  g.strokeStyle = '#ddd'; g.beginPath(); g.moveTo(x0, y0); g.lineTo(x0, y1); g.lineTo(x1, y1); g.lineTo(x1, y0); g.stroke();
  g.fillStyle = '#0072b2'; g.fillText(s.rateMax.toFixed(1), 2, y0 + 8); g.fillText('0', 2, y1);
  g.fillStyle = '#999'; g.fillText(s.errorMax.toFixed(2), x1 + 3, y0 + 8);
  g.fillStyle = '#777';
  for (const v of [s.sigmaMin, 1, 2, s.sigmaMax]) if (v >= s.sigmaMin && v <= s.sigmaMax) g.fillText(String(v), X(v) - 3, H - 4);
  g.fillText('σ', x1 - 10, H - 4);
  const line = (pts, Y, colour, dash) => {
    g.strokeStyle = colour; g.fillStyle = colour; g.setLineDash(dash); g.lineWidth = 1.4; g.beginPath();
    pts.forEach(([x, y], i) => (i ? g.lineTo(X(x), Y(y)) : g.moveTo(X(x), Y(y))));
    g.stroke(); g.setLineDash([]); g.lineWidth = 1;
    for (const [x, y] of pts) g.fillRect(X(x) - 1.5, Y(y) - 1.5, 3, 3);
  };
  line(s.error, Ye, '#999', [4, 3]);
  line(s.rate, Yr, '#0072b2', []);
  const sx = X(Math.min(Math.max(P.sigma, s.sigmaMin), s.sigmaMax));
  g.strokeStyle = '#d01040'; g.beginPath(); g.moveTo(sx, y0); g.lineTo(sx, y1); g.stroke();
  g.fillStyle = '#d01040'; g.fillText(`σ = ${(+P.sigma).toFixed(2)}`, Math.min(sx + 3, x1 - 44), y0 + 8);
  const sil = curve.silenced || [];
  const silenced = sil.length ? ` with unit${sil.length > 1 ? 's' : ''} ${sil.join(', ')} silenced` : '';
  const runs = curve.horizon ? `runs of T = ${curve.horizon} from h0 = 0` : 'long runs';
  $('resinfo').textContent = `network at step ${curve.step}${silenced}; ${curve.points.length} of ${curve.sigmas.length} levels (${runs})` +
    ' · blue: argmax-output switches per 100 steps · grey dashed: emission error of sampled sequences (0 = the HMM\'s statistics)';
}

export function init() {
  on('resonance', (m) => { curve = st.resonance = m; draw(); });
  on('newnet', () => { curve = st.resonance = null; draw(); });
  on('params', draw);
  $('sigma').addEventListener('input', draw);
  draw();
}
