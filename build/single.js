// The single-file page's loader (hmmrnn export --single-file; see
// single.go). The page carries every site file in a <script
// type="application/x-hmmrnn"> element, written by single.go's encoder:
// seven bits per character (hmmrnnDecode), gzip-compressed where marked.
// This script sets window.hmmrnnBundle, which the page (js/assets.js), the
// drawing app (app.html) and the workers (worker.js) ask for files, and
// starts the ES modules from blob: URLs: a page opened from disk can fetch
// nothing, not even its own modules.
'use strict';

// hmmrnnDecode returns the n bytes encoded in s. Each character below
// U+0080 carries seven bits (most significant first); a character from
// U+0100 carries two chunks: one of the three that HTML would not keep
// as-is in a script element (NUL, CR, '<'), by index, and the next seven
// bits.
function hmmrnnDecode(s, n) {
  const ESCAPED = [0, 13, 60];
  const out = new Uint8Array(n);
  let acc = 0, bits = 0, k = 0;
  const put = (v) => {
    acc = (acc << 7) | v; bits += 7;
    if (bits >= 8) { bits -= 8; if (k < n) out[k++] = (acc >> bits) & 255; acc &= (1 << bits) - 1; }
  };
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 128) put(c);
    else { const x = c - 256; put(ESCAPED[x >> 7]); put(x & 127); }
  }
  if (k !== n) throw new Error(`single file: ${k} bytes decoded, ${n} expected (the file is damaged)`);
  return out;
}

// hmmrnnWorkerScript is the parts of the single-file worker's script:
// worker.js calls it again (hmmrnnWorkerScript.toString() travels in the
// prefix) to start its helper from a blob: of its own.
function hmmrnnWorkerScript(files, scripts) {
  const prefix = `self.hmmrnnFiles = ${JSON.stringify(files)};\nself.hmmrnnScripts = ${JSON.stringify(scripts)};\n` +
    `self.hmmrnnWorkerScript = ${hmmrnnWorkerScript.toString()};\n`;
  return [prefix, ...scripts.flatMap((s) => [s, '\n;\n'])];
}

if (typeof document !== 'undefined') (() => {
  const els = new Map();
  for (const s of document.querySelectorAll('script[type="application/x-hmmrnn"]')) els.set(s.dataset.name, s);
  const stored = (name) => {
    const e = els.get(name);
    if (!e) throw new Error(`single file: no ${name} inside`);
    return hmmrnnDecode(e.textContent, Number(e.dataset.size));
  };
  const gzipped = (name) => els.get(name).dataset.gzip === '1';
  // text reads a file stored uncompressed (the scripts and pages).
  const text = (name) => new TextDecoder().decode(stored(name));
  // base64 of a file's stored bytes: a worker cannot fetch the page's
  // blob: URLs when the page was opened from disk, so the WebAssembly
  // travels inside the worker's script.
  const base64 = (name) => {
    const b = stored(name);
    let bin = '';
    for (let i = 0; i < b.length; i += 0x8000) bin += String.fromCharCode.apply(null, b.subarray(i, i + 0x8000));
    return btoa(bin);
  };
  let workerBlob = null; // the worker script's blob: URL, made once
  const TYPES = { wasm: 'application/wasm', json: 'application/json', js: 'text/javascript', html: 'text/html' };
  const bundle = {
    // load answers like fetch(name) would on the server.
    load: async (name) => {
      if (!els.has(name)) return new Response(null, { status: 404 });
      const body = gzipped(name) ? new Blob([stored(name)]).stream().pipeThrough(new DecompressionStream('gzip')) : stored(name);
      return new Response(body, { headers: { 'Content-Type': TYPES[name.split('.').pop()] || 'application/octet-stream' } });
    },
    // text: the file's text, null when it is not in the page.
    text: async (name) => (els.has(name) ? (await bundle.load(name)).text() : null),
    // appSrcdoc: the drawing app's page with its script inlined.
    appSrcdoc: () => text('app.html').replace('<script src="wasm_exec.js"></script>', () => `<script>${text('wasm_exec.js')}</script>`),
    // workerURL: the training worker as one script (Go's loader, the SIMD
    // loader, worker.js) after a prefix that gives it its WebAssembly
    // (hmmrnnFiles: base64 of the gzip bytes) and its scripts
    // (hmmrnnScripts), from which worker.js makes the helper worker's
    // script: a worker of a page opened from disk can neither fetch nor
    // start workers from the page's blob: URLs.
    workerURL: () => {
      if (!workerBlob) {
        const files = { 'worker.wasm': base64('worker.wasm'), 'simd128.wasm': base64('simd128.wasm') };
        const scripts = ['wasm_exec.js', 'simd128.js', 'worker.js'].map(text);
        workerBlob = URL.createObjectURL(new Blob(hmmrnnWorkerScript(files, scripts), { type: 'text/javascript' }));
      }
      return workerBlob;
    },
  };
  window.hmmrnnBundle = bundle;
  // The modules, dependencies first: each import of another module was
  // written as hmmrnn-module:NAME by single.go and becomes its blob: URL.
  const modules = JSON.parse(document.getElementById('hmmrnn-modules').textContent);
  const urls = {};
  for (const m of modules) {
    let src = text(m.name);
    for (const dep of m.deps) src = src.split(`hmmrnn-module:${dep}`).join(urls[dep]);
    urls[m.name] = URL.createObjectURL(new Blob([src], { type: 'text/javascript' }));
  }
  import(urls[modules[modules.length - 1].name]).catch((err) => {
    console.error('single file: the page did not start: ' + err);
    const p = document.createElement('p');
    p.textContent = 'This page could not start: ' + err;
    document.body.prepend(p);
  });
})();
