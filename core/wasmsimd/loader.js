// Loader for the WebAssembly SIMD kernels of hmmrnn/core/wasmsimd (Go
// programs built with GOOS=js GOARCH=wasm and the wasmsimd tag import them).
//
//   const simd = hmmrnnSIMD(go.importObject);       // before instantiating Go
//   const {instance} = await WebAssembly.instantiate(goBytes, go.importObject);
//   simd.attach(instance, kernelBytes);             // before go.run(instance)
//   go.run(instance);
//
// attach compiles the kernel module synchronously (it is about 2 KB) with
// the Go instance's memory as its own. If the engine lacks SIMD, attach
// returns false and the Go program uses its portable loops.
'use strict';
function hmmrnnSIMD(importObject) {
  let k = null;
  importObject.hmmrnn_simd128 = {
    ready: () => (k === null ? 0 : 1),
    gather: (m, kk, a, si, sp, s, set, n, b, ldb, c, ldc, n2, b2, ldb2, c2, ldc2) =>
      k.gather(m, kk, a, si, sp, s, set, n, b, ldb, c, ldc, n2, b2, ldb2, c2, ldc2),
    relu: (x, n) => k.relu(x, n),
    mask: (h, dh, n) => k.mask(h, dh, n),
    bins: (e, nc, cost, bins, tlo, thi) => k.bins(e, nc, cost, bins, tlo, thi),
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
