// Web Worker that runs worker.wasm (training and analyses). Messages that
// arrive before the Go program is ready are queued. Started with the name
// 'hmmrnn-helper' (by the training worker itself, from its own URL), the
// same program runs as its helper: it computes half of every training step
// on a second core. simd128.js and simd128.wasm are the WebAssembly SIMD
// kernels of core/rnn (written by the site build): attached to the Go
// instance before it runs, they carry the network's matrix products;
// without them Go uses portable loops.
//
// In the single-file page (hmmrnn export --single-file) this script is the
// end of a blob: that starts with wasm_exec.js and simd128.js and sets
// self.hmmrnnFiles, the gzip-compressed WebAssembly in base64 (a worker
// of a page opened from disk cannot fetch), and what it takes to write
// the helper's script (see build/single.js).
'use strict';
const files = self.hmmrnnFiles || null;
if (!files) importScripts('wasm_exec.js', 'simd128.js');
// load answers like fetch(name) on the server, inflating the single
// file's compressed copies.
const load = async (name) => {
  if (!files) return fetch(name);
  const gz = Uint8Array.from(atob(files[name]), (c) => c.charCodeAt(0));
  return new Response(new Blob([gz]).stream().pipeThrough(new DecompressionStream('gzip')), { headers: { 'Content-Type': 'application/wasm' } });
};
// hmmrnnHelperURL is the script the helper worker runs: this worker's own
// (wasm/worker/helper_js.go starts it; a helper starts none).
self.hmmrnnHelperURL = !files || self.name === 'hmmrnn-helper' ? self.location.href :
  URL.createObjectURL(new Blob(self.hmmrnnWorkerScript(files, self.hmmrnnScripts), { type: 'text/javascript' }));
const queue = [];
self.onmessage = (e) => {
  if (typeof self.hmmrnnHandle === 'function') self.hmmrnnHandle(e.data);
  else queue.push(e.data);
};
(async () => {
  try {
    const go = new Go();
    const simd = hmmrnnSIMD(go.importObject);
    const kernels = load('simd128.wasm').then((r) => (r.ok ? r.arrayBuffer() : null)).catch(() => null);
    const res = await WebAssembly.instantiateStreaming(load('worker.wasm'), go.importObject);
    const bytes = await kernels;
    if (bytes) simd.attach(res.instance, bytes);
    self.hmmrnnHelperMode = self.name === 'hmmrnn-helper';
    go.run(res.instance);
    // go.run returns a promise that settles when the program exits; the
    // program registers hmmrnnHandle synchronously before its main loop.
    const flush = () => {
      if (typeof self.hmmrnnHandle !== 'function') { setTimeout(flush, 5); return; }
      while (queue.length) self.hmmrnnHandle(queue.shift());
    };
    flush();
  } catch (err) {
    self.postMessage({ json: JSON.stringify({ type: 'error', message: 'worker: cannot start: ' + err }) });
  }
})();
