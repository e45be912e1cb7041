// Web Worker that runs worker.wasm (training and analyses). Messages that
// arrive before the Go program is ready are queued.
'use strict';
importScripts('wasm_exec.js');
const queue = [];
self.onmessage = (e) => {
  if (typeof self.hmmrnnHandle === 'function') self.hmmrnnHandle(e.data);
  else queue.push(e.data);
};
(async () => {
  try {
    const go = new Go();
    const res = await WebAssembly.instantiateStreaming(fetch('worker.wasm'), go.importObject);
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
