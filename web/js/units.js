// units.js: the units view: the hidden units' activity over a window of
// the run the portrait shows, as a raster with one row per unit grouped by
// role (kick neurons per direction, integrating populations, the rest;
// core/dynamics UnitRoles), the emitted output below, and the W_hh block
// matrix of the roles. Hovering a unit shows its role and weights;
// clicking it silences it alone (again: restores it), and the portrait,
// its switch rate and the resonance curve follow.

import { $, st, on, send, view, color } from './page.js';
import { blockMatrix, levels, roleColor, unitRows, unitText } from './mechanism.js';

let shown = null; // the last portrait message with units data
let rows = null;  // unitRows of shown.roles
// Raster geometry: role band and labels on the left, outputs strip below.
const LEFT = 96, STRIP = 10;

function rowAt(y, H) {
  const c = $('units'), h = (c.height - STRIP - 4) / H;
  const r = Math.floor(y / h);
  return r >= 0 && r < H ? r : -1;
}

function draw() {
  const c = $('units'), g = c.getContext('2d'), W = c.width, Hc = c.height;
  g.clearRect(0, 0, W, Hc);
  g.font = '10px system-ui, sans-serif';
  g.fillStyle = '#777';
  if (!st.unitsView) { g.fillText('tick "show" to see the units (it runs the kick-neuron search)', 8, 20); return; }
  if (!shown || !shown.window || !shown.roles) { g.fillText('waiting for the next portrait…', 8, 20); return; }
  const win = shown.window, H = win.hidden, T = win.steps, lv = levels(win);
  const h = (Hc - STRIP - 4) / H, w = (W - LEFT) / T;
  const img = g.createImageData(W - LEFT, Math.round(h * H));
  for (let r = 0; r < H; r++) {
    const i = rows.order[r];
    const off = shown.silenced.includes(i);
    for (let y = Math.round(r * h); y < Math.round((r + 1) * h); y++) {
      for (let x = 0; x < img.width; x++) {
        const v = lv[Math.min(T - 1, Math.floor(x / w)) * H + i];
        const k = 4 * (y * img.width + x);
        // Ink on paper: darker = more active; silenced rows in pink.
        img.data[k] = off ? 250 : 255 - v; img.data[k + 1] = off ? 215 : 255 - v * 0.9; img.data[k + 2] = off ? 225 : 255 - v * 0.6; img.data[k + 3] = 255;
      }
    }
  }
  g.putImageData(img, LEFT, 0);
  let lastY = -Infinity; // labels of thin bands are pushed down so they do not overlap
  for (const b of rows.bands) {
    g.fillStyle = roleColor(shown.roles, b.group);
    g.fillRect(LEFT - 6, b.from * h, 5, (b.to - b.from) * h - 1);
    g.fillStyle = '#444';
    const y = Math.min(Math.max((b.from + b.to) / 2 * h + 3, 10, lastY + 11), Hc - STRIP - 6);
    g.fillText(`${b.name} (${b.to - b.from})`, 2, y);
    lastY = y;
  }
  for (const s of win.starts) {
    g.strokeStyle = 'rgba(0,0,0,0.25)'; g.beginPath(); g.moveTo(LEFT + s * w, 0); g.lineTo(LEFT + s * w, H * h); g.stroke();
  }
  for (let t = 0; t < T; t++) { g.fillStyle = color(win.outputs[t]); g.fillRect(LEFT + t * w, Hc - STRIP, Math.ceil(w), STRIP); }
  g.fillStyle = '#777'; g.fillText('output', LEFT - 40, Hc - 1);
  drawBlocks();
}

function drawBlocks() {
  const c = $('blocks'), g = c.getContext('2d'), W = c.width, Hc = c.height;
  g.clearRect(0, 0, W, Hc);
  const { groups, m } = blockMatrix(shown.roles);
  const n = groups.length, top = Math.max(1e-9, ...m.flat().map(Math.abs));
  const L = 16, cell = Math.min((W - L) / n, (Hc - L) / n);
  g.font = '10px system-ui, sans-serif';
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) {
      const v = m[a][b] / top;
      // Blue-white-red for negative-zero-positive mean weights.
      g.fillStyle = v >= 0 ? `rgba(213,94,0,${v.toFixed(3)})` : `rgba(0,114,178,${(-v).toFixed(3)})`;
      g.fillRect(L + b * cell, L + a * cell, cell - 1, cell - 1);
    }
    g.fillStyle = roleColor(shown.roles, groups[a]);
    g.fillRect(2, L + a * cell, 8, cell - 1);
    g.fillRect(L + a * cell, 2, cell - 1, 8);
  }
  c.title = 'mean W_hh[to row, from column] between the roles (orange > 0, blue < 0; max |mean| ' + top.toFixed(3) + '): ' +
    groups.map((k) => shown.roles.groups[k].name).join(', ');
}

function hover(e) {
  if (!shown || !shown.roles || !st.unitsView) return -1;
  const r = e.offsetX >= LEFT ? rowAt(e.offsetY, shown.window.hidden) : -1;
  return r < 0 ? -1 : rows.order[r];
}

export function init() {
  on('portrait', (msg) => {
    if (msg.snapshot >= 0) return; // the units view follows the live network
    if (msg.window && msg.roles) { shown = msg; rows = unitRows(msg.roles); }
    st.silenced = msg.silenced || [];
    draw();
  });
  on('newnet', () => { shown = null; draw(); });
  $('unitsOn').onchange = () => { st.unitsView = $('unitsOn').checked; draw(); send({ cmd: 'view', view: view() }); };
  $('units').onmousemove = (e) => {
    const i = hover(e);
    $('unitinfo').textContent = i < 0 ? 'hover a unit for its role and weights; click it to silence it alone' : unitText(shown.roles, i, st.silenced);
  };
  $('units').onclick = (e) => {
    const i = hover(e);
    if (i < 0) return;
    st.silenced = st.silenced.includes(i) ? st.silenced.filter((x) => x !== i) : [...st.silenced, i];
    $('unitinfo').textContent = unitText(shown.roles, i, st.silenced) + ' · updating…';
    send({ cmd: 'view', view: view() });
  };
  draw();
}
