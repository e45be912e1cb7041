// stats.js: the emission statistics panel: the fit criterion, output
// frequencies, the output transition matrix and dwell times of the RNN
// against the HMM.

import { $, on, color } from './page.js';
import { criterionText, readoutText } from './format.js';

function matrix(tab, m, rows) {
  tab.replaceChildren();
  const head = document.createElement('tr');
  head.innerHTML = '<th></th>' + m.map((_, j) => `<th>${j}</th>`).join('');
  tab.append(head);
  m.forEach((r, i) => {
    const tr = document.createElement('tr');
    if (!rows.includes(i)) { tr.className = 'rare'; tr.title = 'rarely sampled row'; }
    tr.innerHTML = `<th>${i}</th>` + r.map((v) => `<td style="background: rgba(0,114,178,${(0.08 + 0.8 * v).toFixed(3)}); color: ${v > 0.55 ? '#fff' : '#222'}">${v.toFixed(2)}</td>`).join('');
    tab.append(tr);
  });
}

function drawDwell(s) {
  const c = $('dwell'), g = c.getContext('2d'), W = c.width, H = c.height;
  g.clearRect(0, 0, W, H);
  const n = Math.min(s.rnn.dwell.length, 40);
  const top = Math.max(1e-9, ...s.rnn.dwell.slice(0, n), ...s.hmm.dwell.slice(0, n));
  const bw = (W - 10) / n;
  g.font = '10px system-ui, sans-serif';
  for (let k = 0; k < n; k++) {
    const hr = (H - 24) * s.rnn.dwell[k] / top, hh = (H - 24) * s.hmm.dwell[k] / top;
    g.fillStyle = '#0072b2'; g.fillRect(5 + k * bw, H - 14 - hr, bw / 2 - 1, hr);
    g.fillStyle = '#bbb'; g.fillRect(5 + k * bw + bw / 2, H - 14 - hh, bw / 2 - 1, hh);
  }
  g.fillStyle = '#777';
  g.fillText('dwell length 1 … ' + n + ' steps  (blue RNN, grey HMM sample)', 5, H - 2);
}

function render(s) {
  const O = s.rnn.freq.length;
  $('statsinfo').textContent = `(${s.n} RNN sequences of T = ${s.t}, step ${s.step})`;
  const c = $('criterion');
  c.className = 'criterion' + (s.met ? ' met' : '');
  c.textContent = criterionText(s);
  const f = $('freq');
  f.replaceChildren();
  for (let o = 0; o < O; o++) {
    const row = document.createElement('div'); row.className = 'row';
    row.innerHTML = `<span>${o}</span><div class="track"><div class="bar rnn"></div><div class="bar hmm"></div></div><span>${s.rnn.freq[o].toFixed(3)} / ${s.hmm.freq[o].toFixed(3)}</span>`;
    const [br, bh] = row.querySelectorAll('.bar');
    br.style.width = (100 * s.rnn.freq[o]) + '%'; br.style.background = color(o);
    bh.style.width = (100 * s.hmm.freq[o]) + '%'; bh.style.background = color(o);
    row.title = 'top: RNN, bottom: HMM exact';
    f.append(row);
  }
  matrix($('transRNN'), s.rnn.trans, s.rows);
  matrix($('transHMM'), s.hmm.trans, s.rows);
  $('vol').textContent = `changes per sequence: RNN ${s.rnn.changes.toFixed(2)} ± ${s.rnn.changes_std.toFixed(2)}, HMM ${s.hmm.changes.toFixed(2)} ± ${s.hmm.changes_std.toFixed(2)} · mean dwell RNN ${s.rnn.mean_dwell.toFixed(1)}, HMM ${s.hmm.mean_dwell.toFixed(1)} steps`;
  $('readout').textContent = readoutText(s);
  drawDwell(s);
}

// clear empties the panel while a new network has no statistics yet, so
// it never shows the statistics of the previous one.
function clear() {
  $('statsinfo').textContent = '(waiting for the new network)';
  $('criterion').className = 'criterion';
  $('criterion').textContent = '';
  $('readout').textContent = '';
}

export function init() {
  on('stats', render);
  on('newnet', clear);
}
