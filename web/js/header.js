// header.js: the header panel: transport (play, pause, step, reset,
// speed) and the readout of the network shown (step, loss, speed, badge).

import { $, P, st, on, send, waitFor, newNetwork, paramsChanged } from './page.js';
import { badge, fmt, stepTime } from './format.js';

export function play() { if (!st.running) { st.running = true; send({ cmd: 'play' }); render(); } }
export function pause() { if (st.running) { st.running = false; send({ cmd: 'pause' }); render(); } }
// reset goes back to the initial weights of this seed.
export function reset() { newNetwork({ cmd: 'reset' }); }
// step trains n steps (1 to 100,000) and resolves once the worker has.
export function step(n = 10) {
  n = Math.max(1, Math.min(100000, Math.floor(Number(n) || 1)));
  const target = st.step + n;
  send({ cmd: 'step', n });
  return waitFor('status', (m) => !m.running && m.step >= target);
}

function render() {
  $('play').textContent = st.running ? '❚❚ Pause' : '▶ Play';
  $('stepno').textContent = st.step;
  $('lossno').textContent = fmt(st.loss);
  $('steptime').textContent = stepTime(st.stepMs, st.helper, st.batchNow, st.lrNow, st.recipeNow, st.trainLenNow, st.seqLenNow);
  $('steptime').title = st.kernels ? `training kernels: ${st.kernels}` : '';
  const b = badge(st);
  $('badge').className = b.cls;
  $('badge').textContent = b.text;
}

export function init() {
  on('status', render);
  on('stats', render);
  on('newnet', render);
  on('ready', render);
  on('params', () => { $('speed').value = P.speed; });
  $('play').onclick = () => (st.running ? pause() : play());
  $('step').onclick = () => step(10);
  $('reset').onclick = () => reset();
  $('speed').oninput = () => { P.speed = +$('speed').value; send({ cmd: 'speed', speed: P.speed }); paramsChanged(); };
  document.addEventListener('keydown', (e) => {
    if (e.key === ' ' && !['INPUT', 'TEXTAREA', 'SELECT', 'BUTTON'].includes(document.activeElement.tagName)) {
      e.preventDefault(); st.running ? pause() : play();
    }
  });
}
