// Loader for the WebAssembly SIMD kernels of hmmrnn/core/rnn (Go programs
// built with GOOS=js GOARCH=wasm and the wasmsimd tag import them).
//
//   const simd = hmmrnnSIMD(go.importObject);       // before instantiating Go
//   const {instance} = await WebAssembly.instantiate(goBytes, go.importObject);
//   simd.attach(instance, kernelBytes);             // before go.run(instance)
//   go.run(instance);
//
// attach compiles the kernel module synchronously (it is about 1 KB) with
// the Go instance's memory as its own. If the engine lacks SIMD, attach
// returns false and the Go program uses its portable kernels.
'use strict';
function hmmrnnSIMD(importObject) {
  let k = null;
  importObject.hmmrnn_simd128 = {
    ready: () => (k === null ? 0 : 1),
    gather: (m, n, kk, a, si, sp, b, ldb, c, ldc, s, set) => k.gather(m, n, kk, a, si, sp, b, ldb, c, ldc, s, set),
    relu: (x, n) => k.relu(x, n),
    mask: (h, dh, n) => k.mask(h, dh, n),
  };
  return {
    attach(instance, bytes) {
      try {
        const mod = new WebAssembly.Module(bytes);
        k = new WebAssembly.Instance(mod, { env: { mem: instance.exports.mem } }).exports;
      } catch (err) {
        k = null;
      }
      return k !== null;
    },
  };
}
if (typeof module !== 'undefined') module.exports = hmmrnnSIMD;
