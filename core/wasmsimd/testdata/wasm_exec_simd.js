// Runs a GOOS=js GOARCH=wasm Go program (a test binary) in Node with the
// SIMD kernels attached, as the page's worker does:
//
//   node --stack-size=8192 wasm_exec_simd.js GOROOT/lib/wasm KERNELS.wasm PROGRAM.wasm [args...]
//
// It is $(go env GOROOT)/lib/wasm/wasm_exec_node.js plus ../loader.js.
'use strict';
if (process.argv.length < 5) {
  console.error('usage: wasm_exec_simd.js GOROOT/lib/wasm KERNELS.wasm PROGRAM.wasm [args...]');
  process.exit(2);
}
const path = require('path');
globalThis.require = require;
globalThis.fs = require('fs');
globalThis.path = path;
globalThis.TextEncoder = require('util').TextEncoder;
globalThis.TextDecoder = require('util').TextDecoder;
globalThis.performance ??= require('perf_hooks').performance;
globalThis.crypto ??= require('crypto');
require(path.join(process.argv[2], 'wasm_exec.js'));
const hmmrnnSIMD = require(path.join(__dirname, '..', 'loader.js'));

const go = new Go();
go.argv = process.argv.slice(4);
go.env = Object.assign({ TMPDIR: require('os').tmpdir() }, process.env);
go.exit = process.exit;
const simd = hmmrnnSIMD(go.importObject);
WebAssembly.instantiate(fs.readFileSync(process.argv[4]), go.importObject).then((result) => {
  if (!simd.attach(result.instance, fs.readFileSync(process.argv[3]))) {
    console.error('wasm_exec_simd: the SIMD kernels did not attach');
  }
  process.on('exit', (code) => {
    if (code === 0 && !go.exited) {
      go._pendingEvent = { id: 0 };
      go._resume();
    }
  });
  return go.run(result.instance);
}).catch((err) => {
  console.error(err);
  process.exit(1);
});
