// exporting.js: the footer: downloads (model, picture, statistics),
// loading a model file, the share link and the embed code.

import { $, P, st, send, waitFor, message, newNetwork, paramsChanged } from './page.js';
import { statsCSV } from './format.js';
import { appWin } from './portrait.js';

// download saves data (a Blob, or text of a type) as a file called name.
function download(name, data, type) {
  const url = URL.createObjectURL(data instanceof Blob ? data : new Blob([data], { type }));
  const a = document.createElement('a');
  a.href = url; a.download = name; document.body.append(a); a.click(); a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

let requestSeq = 0; // ids matching worker replies to requests
// request sends cmd with a fresh id and resolves with the reply of type
// kind to it, or rejects with the worker's error.
export function request(cmd, kind) {
  const id = ++requestSeq;
  send({ ...cmd, id });
  return Promise.race([waitFor(kind, (m) => m.id === id), waitFor('error').then((m) => { throw new Error(m.message); })]);
}

// exportModel resolves with the network's model file (JSON text).
export const exportModel = () => request({ cmd: 'export' }, 'model').then((m) => m.text);

// loadModel shows the network of a model file.
export function loadModel(text, name) {
  P.gallery = ''; paramsChanged();
  newNetwork({ cmd: 'load', data: text, name });
}

// png resolves with the portrait as PNG bytes.
export const png = () => new Promise((resolve, reject) => {
  const a = appWin();
  if (!a || !a.hmmrnnApp) { reject(new Error('the drawing app is not running')); return; }
  a.hmmrnnApp.snapshot((u8) => resolve(u8));
});

export function init() {
  $('exportModel').onclick = async () => download(`hmmrnn-${st.arch}-H${st.hidden}-step${st.step}.json`, await exportModel(), 'application/json');
  $('exportPNG').onclick = async () => download(`hmmrnn-${st.arch}-step${st.step}.png`, new Blob([await png()], { type: 'image/png' }));
  $('exportCSV').onclick = () => st.stats && download(`hmmrnn-stats-step${st.stats.step}.csv`, statsCSV(st.stats), 'text/csv');
  $('exportJSON').onclick = () => st.stats && download(`hmmrnn-stats-step${st.stats.step}.json`, JSON.stringify(st.stats, null, 1), 'application/json');
  $('loadFile').onchange = async () => {
    const f = $('loadFile').files[0];
    if (!f) return;
    // 64 MB is far above any model the engine writes (a 256-unit network
    // with its resume state is about 5 MB) and keeps a wrong file from
    // filling the worker's memory.
    if (f.size > 64 << 20) { message(`${f.name} is larger than 64 MB`, 'error'); return; }
    loadModel(await f.text(), 'file: ' + f.name);
    $('loadFile').value = '';
  };
  $('share').onclick = async () => {
    try { await navigator.clipboard.writeText(location.href); message('Link copied.', 'info'); }
    catch { message('Link: ' + location.href, 'info'); }
  };
  $('embedCode').onclick = () => {
    const u = new URL(location.href);
    u.searchParams.set('embed', '1');
    if (!u.searchParams.has('hide')) u.searchParams.set('hide', 'net,export');
    message(`<iframe src="${u.href}" width="1200" height="760" style="border:0"></iframe>`, 'info');
  };
}
