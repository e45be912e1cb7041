// api.js: window.hmmrnn, the page's programmatic interface (used by the
// browser tests, embedding pages and the console). Every call that
// changes the network resolves once the page shows the new one.

import { $, P, st, send, view, waitFor } from './page.js';
import { parseParams, toQuery } from './params.js';
import { play, pause, reset, step } from './header.js';
import { setArchitecture } from './hmm.js';
import * as gallery from './gallery.js';
import { exportModel, loadModel, png, request } from './exporting.js';
import { appWin, pushParams } from './portrait.js';

const failOnError = () => waitFor('error').then((m) => { throw new Error(m.message); });

const state = () => ({
  arch: st.arch, step: st.step, loss: st.loss, running: st.running, source: st.source,
  hidden: st.hidden, input: st.input, seed: st.seed, met_step: st.metStep, restarts: st.restarts.slice(), restart_causes: st.restartCauses.slice(),
  plateau: st.plateau, step_ms: st.stepMs, train_seconds: st.trainMs / 1000, sigma: P.sigma, silence: P.silence,
  gallery: P.gallery, kernels: st.kernels, helper: !!st.helper,
  badge: $('badge').textContent,
});

export const api = {
  state,
  // useHelper(on): train with (default) or without the second worker that
  // computes half of each step; results are the same either way.
  useHelper: (on) => { send({ cmd: 'helper', n: on ? 1 : 0 }); return waitFor('status').then(state); },
  // bench(n): median time of n training steps of a fresh network with
  // the current settings, measured in the worker (pauses training). The
  // particles rest meanwhile, as they do while the worker trains.
  bench: (n) => {
    st.benching = true; pushParams();
    return request({ cmd: 'bench', n }, 'bench').finally(() => { st.benching = false; pushParams(); });
  },
  setArchitecture: (name) => { setArchitecture(name); return waitFor('portrait').then(state); },
  showSnapshot: (i) => { $('evo').value = i < 0 ? $('evo').max : i; $('evo').oninput(); return waitFor('portrait'); },
  png,
  play, pause, reset: () => { reset(); return waitFor('portrait').then(state); },
  step: (n) => step(n).then(state),
  loadGallery: (name) => gallery.load(name).then((ok) => (ok ? waitFor('portrait').then(state) : state())),
  loadModel: (text) => { loadModel(text, 'api'); return Promise.race([waitFor('portrait'), failOnError()]).then(state); },
  exportModel,
  setNoise: (sigma) => { $('sigma').value = sigma; $('sigma').oninput(); },
  silence: (on) => { $('silence').checked = !!on; $('silence').onchange(); return waitFor('portrait'); },
  stats: () => st.stats, portrait: () => st.portrait, gallery: gallery.list,
  // units(on) opens or closes the units view; resolves with the next
  // portrait that carries (or drops) its data.
  units: (on) => { $('unitsOn').checked = !!on; $('unitsOn').onchange(); return waitFor('portrait', (m) => !!m.roles === !!on); },
  // silenceUnits(list) silences exactly these units; resolves with the
  // portrait that shows it.
  silenceUnits: (list) => {
    st.silenced = list.slice(); send({ cmd: 'view', view: view() });
    return waitFor('portrait', (m) => m.silenced.join() === list.slice().sort((a, b) => a - b).join());
  },
  // resonance() is the stochastic-resonance curve so far, evolution() the
  // snapshots' training-evolution summary with the bifurcation step.
  resonance: () => st.resonance || null, evolution: () => st.evolution || null,
  losses: () => st.losses.slice(),
  app: () => (appWin() && appWin().hmmrnnApp ? appWin().hmmrnnApp.stats() : null),
  parseParams, toQuery,
  ready: null,
};

export function init() {
  api.ready = Promise.all([waitFor('portrait'), st.appReady ? Promise.resolve() : waitFor('app')]).then(state);
  window.hmmrnn = api;
}
