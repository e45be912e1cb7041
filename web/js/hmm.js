// hmm.js: the hidden Markov model panel: the architecture menu, the state
// graph (layout in graph.js), the custom-model editor and the samples.

import { $, P, st, on, send, color, start, paramsChanged } from './page.js';
import { ARCHS, customHMM, matrixText, parseMatrix } from './params.js';
import { graphLayout, graphSVG } from './graph.js';

let graphKey = '';
// drawGraph draws model m unless it is already drawn.
function drawGraph(m) {
  const key = JSON.stringify([m.name, m.transition, m.emission, st.palette]);
  if (key === graphKey) return;
  graphKey = key;
  const box = $('graph').viewBox.baseVal;
  $('graph').innerHTML = graphSVG(graphLayout(m, box.width || 320, box.height || 200), color);
  const O = m.emission[0].length;
  // The legend names at most 12 outputs (more would not fit its line).
  $('legend').innerHTML = m.emission[0].slice(0, 12).map((_, o) => `<span><i style="background:${color(o)}"></i>output ${o}</span>`).join('') +
    (O > 12 ? `<span>… ${O} outputs</span>` : '') +
    '<span><i style="background:#000"></i>fixed point (×)</span><span><i style="background:#e01a4f"></i>kick</span>';
}

// currentHMM is the model of the parameters (before the worker answers).
const currentHMM = () => (P.arch === 'custom' ? customHMM(P) : st.presets[P.arch]);

// setArchitecture switches to a preset or the custom model and trains.
export function setArchitecture(name) {
  if (!ARCHS.includes(name)) throw new Error(`unknown architecture ${name} (known: ${ARCHS.join(', ')})`);
  P.gallery = '';
  if (name === 'custom') {
    const base = st.presets[P.arch] || st.presets.linear2;
    if (!P.A) { P.A = matrixText(base.transition, ';'); P.E = matrixText(base.emission, ';'); }
  }
  P.arch = name;
  if (name !== 'custom') { P.A = ''; P.E = ''; }
  P.silence = false;
  paramsChanged();
  if (name !== 'custom' || validCustom) start();
}

let validCustom = true, validateSeq = 0;
function validateCustom() {
  const A = parseMatrix($('matA').value), E = parseMatrix($('matE').value);
  const v = $('valid');
  if (typeof A === 'string' || typeof E === 'string') {
    validCustom = false;
    v.className = 'valid bad';
    v.textContent = typeof A === 'string' ? 'A: ' + A : 'E: ' + E;
    return;
  }
  send({ cmd: 'validate', id: ++validateSeq, settings: { arch: 'custom', hmm: { name: 'custom', start: A.map(() => 1 / A.length), transition: A, emission: E, seq_len: P.T } } });
}

function renderSamples(s) {
  const box = $('samples');
  box.replaceChildren();
  const strip = (seq) => {
    const d = document.createElement('div'); d.className = 'seq';
    for (const o of seq) { const sp = document.createElement('span'); sp.style.background = color(o); d.append(sp); }
    return d;
  };
  for (const q of s.samples_hmm) box.append(strip(q));
  const gap = document.createElement('div'); gap.className = 'gap'; box.append(gap);
  for (const q of s.samples_rnn) box.append(strip(q));
}

export function init() {
  on('params', () => {
    $('arch').value = P.arch;
    $('custom').hidden = P.arch !== 'custom';
    if (P.arch === 'custom') { $('matA').value = P.A.replaceAll(';', '\n'); $('matE').value = P.E.replaceAll(';', '\n'); }
    const m = currentHMM();
    if (m) drawGraph(m);
  });
  on('status', () => { $('arch').value = ARCHS.includes(st.arch) ? st.arch : 'custom'; });
  on('stats', (msg) => { drawGraph(msg.model); renderSamples(msg); });
  on('validation', (msg) => {
    if (msg.id !== validateSeq) return;
    validCustom = msg.ok;
    $('valid').className = 'valid ' + (msg.ok ? 'good' : 'bad');
    $('valid').textContent = msg.ok ? 'valid model' : msg.message;
    $('applyCustom').disabled = !msg.ok;
  });
  $('arch').onchange = () => setArchitecture($('arch').value);
  for (const id of ['matA', 'matE']) $(id).oninput = () => { clearTimeout(validateCustom.t); validateCustom.t = setTimeout(validateCustom, 200); };
  $('applyCustom').onclick = () => {
    const A = parseMatrix($('matA').value), E = parseMatrix($('matE').value);
    if (typeof A === 'string' || typeof E === 'string' || !validCustom) return;
    P.arch = 'custom'; P.A = matrixText(A, ';'); P.E = matrixText(E, ';');
    P.gallery = '';
    paramsChanged(); start();
  };
}
