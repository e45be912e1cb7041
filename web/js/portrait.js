// portrait.js: the phase portrait panel: the drawing app (Ebiten,
// app.wasm) in an iframe, its controls (noise, silencing, layers), the
// training-evolution slider and the lines describing what is drawn.

import { $, P, st, on, emit, send, message, view, paramsChanged } from './page.js';
import { portraitInfo, portraitRate } from './format.js';
import { appSrcdoc, appURL } from './assets.js';

export const LAYERS = ['silence', 'kick', 'particles', 'flow', 'density', 'decay', 'zones'];

let pending = null;   // portrait bytes not yet handed to the app
let appDead = false;  // the app stopped (e.g. no WebGL): the page goes on without it
export const appWin = () => $('app').contentWindow;
const app = () => { const a = appWin(); return !appDead && st.appReady && a && a.hmmrnnApp ? a.hmmrnnApp : null; };

// callApp calls the drawing app, which throws once its Go program has
// exited: then the page says so once and carries on without pictures.
function callApp(f) {
  const a = app();
  if (!a) return undefined;
  try { return f(a); } catch (err) {
    appDead = true;
    message('The drawing program stopped (' + err.message + '); training and statistics go on without the portrait.', 'error');
    return undefined;
  }
}

function pushPortrait() {
  if (!pending) return;
  const err = callApp((a) => a.setPortrait(pending));
  if (err) message('portrait: ' + err, 'error');
  if (app() || appDead) pending = null;
}

// Frame governor: the page watches its own frame rate and lowers the
// particle animation's rate while frames are late (a busy machine, a
// software renderer), raising it again when they are on time, so the
// controls stay responsive. 45 and 55 frames/s bracket a 60 Hz display's
// rate; the animation runs between 4 and 30 frames/s.
let animFPS = 30;
function governor() {
  let frames = 0, t0 = performance.now();
  const tick = (t) => {
    frames++;
    if (t - t0 >= 500) {
      const fps = frames * 1000 / (t - t0);
      const next = fps < 45 ? Math.max(4, animFPS * 0.7) : fps > 55 ? Math.min(30, animFPS * 1.25) : animFPS;
      if (Math.abs(next - animFPS) > 0.5) { animFPS = next; pushParams(); }
      frames = 0; t0 = t;
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}

// pushParams hands the drawing parameters to the app.
export function pushParams() {
  // The particles rest while the worker trains: with software WebGL their
  // animation and the training compete for the same two cores and cost a
  // quarter of the page's frames (74% of the idle rate measured, 95%
  // without it); the portrait itself still refreshes every few seconds.
  callApp((a) => a.setParams({ sigma: P.sigma, silence: P.silence, particles: P.particles && !st.running && !st.benching, speed: 1, fps: animFPS }));
}

// showLive shows the live network (not a snapshot) on the slider.
function showLive() { $('evoOut').textContent = 'live'; $('evo').value = $('evo').max; }

export function init() {
  window.hmmrnnAppReady = () => setTimeout(() => { st.appReady = true; pushPortrait(); pushParams(); emit('app', {}); }, 0);
  window.hmmrnnAppFailed = (err) => message('The drawing program failed to start: ' + err, 'error');
  // index.html leaves the iframe empty: its page is app.html on a server,
  // the inline copy in the single-file page.
  const doc = appSrcdoc();
  if (doc) $('app').srcdoc = doc; else $('app').src = appURL();
  governor();
  let running = st.running;
  on('status', () => {
    if (running !== st.running) { running = st.running; pushParams(); }
    const evo = $('evo');
    evo.max = String(st.snapshots.length);
    if (st.snapshot < 0) evo.value = evo.max;
  });
  on('newnet', showLive);
  on('portrait', (msg, bin) => {
    $('pinfo').textContent = portraitInfo(msg);
    $('rate').textContent = portraitRate(msg);
    pending = bin;
    pushPortrait();
  });
  on('params', () => {
    $('sigma').value = P.sigma; $('sigmaOut').textContent = (+P.sigma).toFixed(2);
    for (const k of LAYERS) $(k).checked = P[k];
  });
  $('evo').oninput = () => {
    const i = Number($('evo').value);
    st.snapshot = i >= st.snapshots.length ? -1 : i;
    $('evoOut').textContent = st.snapshot < 0 ? 'live' : `step ${st.snapshots[st.snapshot]}`;
    clearTimeout($('evo').t); $('evo').t = setTimeout(() => send({ cmd: 'view', view: view() }), 150);
  };
  $('sigma').oninput = () => {
    P.sigma = +$('sigma').value; $('sigmaOut').textContent = P.sigma.toFixed(2);
    pushParams(); paramsChanged();
    clearTimeout($('sigma').t); $('sigma').t = setTimeout(() => send({ cmd: 'view', view: view() }), 250);
  };
  for (const k of LAYERS) {
    $(k).onchange = () => {
      P[k] = $(k).checked; paramsChanged(); pushParams();
      if (k !== 'particles') send({ cmd: 'view', view: view() });
    };
  }
}
