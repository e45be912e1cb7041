// main.js: the page's entry module. It starts the panels (each a module
// with an init() that wires its part of the page; see page.js), then
// reports the URL's errors and shows the parameters. Adding a panel means
// adding its markup to index.html and its module to PANELS.

import { P, on, message, start, paramsChanged } from './page.js';
import { parseParams } from './params.js';
import * as header from './header.js';
import * as hmm from './hmm.js';
import * as net from './net.js';
import * as gallery from './gallery.js';
import * as loss from './loss.js';
import * as stats from './stats.js';
import * as portrait from './portrait.js';
import * as exporting from './exporting.js';
import * as units from './units.js';
import * as resonance from './resonance.js';
import * as api from './api.js';

const PANELS = [header, hmm, net, gallery, loss, stats, portrait, units, resonance, exporting, api];
for (const p of PANELS) p.init();

// Layout: the embed mode and the sections hidden by the URL.
on('params', () => {
  document.body.classList.toggle('embed', !!P.embed);
  for (const el of document.querySelectorAll('[data-section]')) {
    if (P.hide.includes(el.dataset.section)) el.setAttribute('data-hidden', '');
    else el.removeAttribute('data-hidden');
  }
});

// Once the worker is ready: show the URL's gallery network, or train.
on('ready', () => {
  paramsChanged();
  gallery.loadIndex().then(() => {
    if (P.gallery) gallery.load(P.gallery);
    else start();
    if (P.play && !P.gallery) header.play();
  });
});

// URL errors are reported once the page is up.
for (const e of parseParams(location.search).errors) message(e);
paramsChanged();
