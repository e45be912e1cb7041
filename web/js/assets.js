// assets.js: where the page's files come from. Served over HTTP the page
// fetches them next to index.html; the single-file export (hmmrnn export
// --single-file) sets window.hmmrnnBundle before the modules run, and the
// same calls then answer from the inlined copies (a page opened from disk
// cannot fetch).

const bundle = globalThis.hmmrnnBundle || null;

// workerURL is the script of the training worker.
export const workerURL = () => (bundle ? bundle.workerURL() : 'worker.js');

// appURL is the page of the drawing app's iframe ('' when the bundle
// writes the iframe itself: see appSrcdoc).
export const appURL = () => (bundle ? '' : 'app.html');

// appSrcdoc is the single-file iframe document ('' when served).
export const appSrcdoc = () => (bundle ? bundle.appSrcdoc() : '');

// fetchText reads a file of the site (path relative to index.html): the
// text, or null when there is no such file; it throws on other failures.
export async function fetchText(path) {
  if (bundle) return bundle.text(path);
  const r = await fetch(path);
  if (r.status === 404) return null;
  if (!r.ok) throw new Error(`cannot load ${path} (${r.status})`);
  return r.text();
}
