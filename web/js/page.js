// page.js: what every panel of the page shares: the parameters (P, from
// the URL), the page state (st, from the worker's messages), messages to
// the visitor, and the worker client: send a command, subscribe to a
// message type (on), wait for a message (waitFor).
//
// A panel is a module with an init() that finds its elements and
// subscribes with on(); main.js lists the panels. Worker messages reach
// the subscribers after page.js has applied them to st, in subscription
// order, and then the waiters.

import { parseParams, settings, toQuery } from './params.js';
import { workerURL } from './assets.js';

export const $ = (id) => document.getElementById(id);

export const P = parseParams(location.search).params;

// st is the state of the network shown, as the worker last described it.
export const st = {
  step: 0, loss: null, running: false, arch: P.arch, source: 'train', trainable: true,
  losses: [], restarts: [], restartCauses: [], plateau: false, metStep: 0, stepMs: 0, hidden: P.hidden, input: P.input, seed: P.seed,
  stats: null, portrait: null, presets: {}, palette: [], kernels: '', ready: false, appReady: false,
  trainMs: 0, lastRun: 0, snapshots: [], helper: false, benching: false, batchNow: 0, lrNow: 0, recipeNow: '', trainLenNow: 0, seqLenNow: 0,
  snapshot: -1, // index of the training snapshot shown, -1 = the live network
  net: 0,       // id of the network shown (see newNetwork)
  unitsView: false, // the units view is open (the worker adds its data to portraits)
  silenced: [],     // units the visitor silenced one by one in the units view
};

// view is what the worker draws of the network: the portrait's settings.
export const view = () => ({
  sigma: P.sigma, silence: P.silence, kick: P.kick, flow: P.flow, density: P.density, decay: P.decay, zones: P.zones,
  snapshot: st.snapshot, units: st.unitsView, silenced: st.silenced,
});

// paramsChanged tells every panel to show P (event 'params') and writes
// P into the URL, so a copied link reproduces the page.
export function paramsChanged() {
  emit('params', P);
  try { history.replaceState(null, '', location.pathname + toQuery(P)); } catch (err) { console.warn('URL: ' + err); }
}

// message shows text above the panels (the newest six stay); errors also
// go to the console, where the browser tests look for them.
export function message(text, kind = 'warn') {
  if (kind === 'error') console.error(text);
  const box = document.createElement('div');
  box.className = 'msg ' + kind;
  const span = document.createElement('span');
  span.textContent = text;
  const close = document.createElement('button');
  close.textContent = '×';
  close.title = 'dismiss';
  close.onclick = () => box.remove();
  box.append(span, close);
  $('messages').append(box);
  while ($('messages').children.length > 6) $('messages').firstChild.remove();
}

// color is the colour of output o in the worker's palette.
export const color = (o) => st.palette[o % st.palette.length] || '#888';

const handlers = new Map(); // message type -> [fn(msg, bin)]
const waiters = [];         // {kind, test, resolve}

// on subscribes fn(msg, bin) to the worker's messages of a type. The page
// emits its own events too: 'params' (P changed: show it), 'newnet' (the
// worker was asked for another network), 'app' (the drawing app started),
// 'running' (st.running changed).
export function on(type, fn) {
  if (!handlers.has(type)) handlers.set(type, []);
  handlers.get(type).push(fn);
}

// emit hands msg to the subscribers of type, then to its waiters.
// A subscriber that throws is reported and the others still run.
export function emit(type, msg, bin) {
  for (const fn of handlers.get(type) || []) {
    try { fn(msg, bin); } catch (err) { message(`page: handling ${type}: ${err}`, 'error'); }
  }
  for (let i = waiters.length - 1; i >= 0; i--) {
    const w = waiters[i];
    if (w.kind === type && (!w.test || w.test(msg))) { waiters.splice(i, 1); w.resolve(msg); }
  }
}

// waitFor resolves with the next message of a type that passes test.
export function waitFor(kind, test) {
  return new Promise((resolve) => waiters.push({ kind, test, resolve }));
}

const worker = new Worker(workerURL());

// send posts a command to the worker.
export const send = (cmd) => worker.postMessage(JSON.stringify(cmd));

// newNetwork sends a command that replaces the network shown (init, load,
// reset), showing it live: what the page knew of the old network is
// dropped at once, so no status describes it while the new one starts.
// The command carries a new network id, which the worker puts on every
// status, stats and portrait message (net); the page drops those of an
// older network still on their way.
export function newNetwork(cmd) {
  Object.assign(st, { losses: [], restarts: [], restartCauses: [], plateau: false, metStep: 0, trainMs: 0, stats: null, loss: null, snapshot: -1, silenced: [] });
  st.net++;
  cmd.id = st.net;
  if (cmd.cmd !== 'reset') cmd.view = view();
  send(cmd);
  emit('newnet', cmd);
}

// start trains a new network with the parameters P.
export function start() {
  newNetwork({ cmd: 'init', settings: settings(P) });
  send({ cmd: 'speed', speed: P.speed });
}

worker.onerror = (e) => { message('Worker failed: ' + e.message, 'error'); };
worker.onmessage = (e) => {
  const msg = JSON.parse(e.data.json);
  if (msg.net !== undefined && msg.net !== st.net) return; // about a replaced network
  switch (msg.type) {
    case 'ready': Object.assign(st, { ready: true, presets: msg.presets, palette: msg.palette, kernels: msg.kernels }); break;
    case 'status': applyStatus(msg); break;
    // A statistics check is newer than the status sent before it: its
    // plateau and criterion findings count at once.
    case 'stats': Object.assign(st, { stats: msg, plateau: !!msg.plateau, metStep: msg.met_step || st.metStep }); break;
    case 'portrait': st.portrait = msg; break;
    case 'warning': message(msg.message, 'warn'); break;
    case 'error': message(msg.message, 'error'); break;
    default: if (!handlers.has(msg.type)) console.warn('unknown worker message ' + msg.type);
  }
  emit(msg.type, msg, e.data.bin);
};

// applyStatus takes the worker's status of the network shown into st.
function applyStatus(msg) {
  if (msg.from === 0) st.losses = [];
  st.losses.length = msg.from;
  for (const l of msg.losses) st.losses.push(l);
  const wasRunning = st.running;
  Object.assign(st, {
    step: msg.step, loss: msg.losses.length ? msg.loss : st.loss, running: msg.running, arch: msg.arch,
    source: msg.source, trainable: msg.trainable, restarts: msg.restarts, restartCauses: msg.restart_causes || [], plateau: !!msg.plateau, metStep: msg.met_step,
    stepMs: msg.step_ms, hidden: msg.hidden, input: msg.input, seed: msg.seed, helper: msg.helper,
    batchNow: msg.batch || 0, lrNow: msg.lr || 0, recipeNow: msg.recipe || '',
    trainLenNow: msg.train_len || 0, seqLenNow: msg.seq_len || 0,
    snapshots: msg.snapshots || [],
  });
  if (!st.losses.length) st.loss = null;
  if (msg.running && !wasRunning) st.lastRun = performance.now();
  if (wasRunning) st.trainMs += performance.now() - st.lastRun;
  st.lastRun = performance.now();
}
