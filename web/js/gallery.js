// gallery.js: the trained networks shipped with the site (gallery/
// index.json, written by the site build) in a menu, loaded into the worker.

import { $, P, message, newNetwork, start, paramsChanged } from './page.js';
import { ARCHS } from './params.js';
import { fetchText } from './assets.js';

let gallery = [];
export const list = () => gallery.slice();

// loadIndex fills the menu; a site without a gallery has an empty one.
export async function loadIndex() {
  try {
    const text = await fetchText('gallery/index.json');
    if (text === null) return;
    gallery = JSON.parse(text);
    for (const g of gallery) {
      const o = document.createElement('option');
      o.value = g.name;
      o.textContent = `${g.name} (${g.hmm}, H ${g.hidden}, D ${g.input}${g.steps ? ', ' + g.steps + ' steps' : ''})`;
      $('gallery').append(o);
    }
  } catch (err) { console.warn('gallery: ' + err); }
}

// load shows the gallery network called name; false when it cannot.
export async function load(name) {
  const g = gallery.find((x) => x.name === name);
  if (!g) { message(`gallery: no network named ${name}`); P.gallery = ''; paramsChanged(); start(); return false; }
  let text;
  try { text = await fetchText('gallery/' + g.file); } catch (err) { text = null; message(`gallery: ${err.message}`, 'error'); return false; }
  if (text === null) { message(`gallery: cannot load ${g.file}`, 'error'); return false; }
  P.gallery = name; P.silence = false;
  if (ARCHS.includes(g.hmm) && g.hmm !== 'custom') P.arch = g.hmm;
  paramsChanged();
  $('gallery').value = name;
  newNetwork({ cmd: 'load', data: text, name: 'gallery: ' + name });
  return true;
}

export function init() {
  $('gallery').onchange = () => { if ($('gallery').value) load($('gallery').value); };
}
