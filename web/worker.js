// Web Worker that runs worker.wasm (training and analyses). Messages that
// arrive before the Go program is ready are queued. Started with the name
// 'hmmrnn-helper' (by the training worker itself), the same program runs as
// its helper: it computes half of every training step on a second core. simd128.js and
// simd128.wasm are the WebAssembly SIMD kernels of core/rnn (written by the
// site build): attached to the Go instance before it runs, they carry the
// network's matrix products; without them Go uses portable loops.
'use strict';
importScripts('wasm_exec.js', 'simd128.js');
const queue = [];
self.onmessage = (e) => {
  if (typeof self.hmmrnnHandle === 'function') self.hmmrnnHandle(e.data);
  else queue.push(e.data);
};
(async () => {
  try {
    const go = new Go();
    const simd = hmmrnnSIMD(go.importObject);
    const kernels = fetch('simd128.wasm').then((r) => (r.ok ? r.arrayBuffer() : null)).catch(() => null);
    const res = await WebAssembly.instantiateStreaming(fetch('worker.wasm'), go.importObject);
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
