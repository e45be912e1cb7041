// params.js: the page's parameters, their defaults and limits (also the
// URL's vocabulary), and the URL state: parsing a query string with
// messages for every bad value, and writing one back. Pure (no DOM), tested
// by params.test.js.

export const ARCHS = ['linear2', 'linear3', 'linear4', 'linear5', 'fully3', 'cyclic4', 'custom'];
export const RECIPES = ['default', 'hybrid', 'paper', 'sharp'];
export const HIDEABLE = ['header', 'hmm', 'net', 'loss', 'resonance', 'stats', 'portraitctl', 'units', 'export'];
export const DEFAULTS = Object.freeze({
  arch: 'linear2', hidden: 50, input: 10, batch: 256, lr: 0, seed: 1,
  sigma: 1, speed: 1, silence: false, kick: false, particles: true,
  flow: true, density: true, decay: true, zones: false,
  play: false, gallery: '', embed: false, recipe: 'default', hide: Object.freeze([]), A: '', E: '', T: 30,
});
// NUM: [lowest, highest, whole numbers only] of each numeric parameter.
// The limits are the engine's (hidden and noise sizes up to 256, seeds
// of 32 bits, T up to 200 as the worker allows). A learning rate of 0 (or
// an empty field) is the recipe's own (core/train's PageSettings.LR).
export const NUM = {
  hidden: [2, 256, true], input: [1, 256, true], batch: [16, 4096, true],
  lr: [1e-5, 0.1, false], seed: [0, 4294967295, true], sigma: [0, 4, false],
  speed: [0.05, 1, false], T: [2, 200, true],
};
export const BOOL = ['silence', 'kick', 'particles', 'flow', 'density', 'decay', 'zones', 'play', 'embed'];

// defaults returns a fresh, mutable copy of DEFAULTS.
export const defaults = () => ({ ...DEFAULTS, hide: [] });

// checkNumber validates one numeric field: {value} when it is allowed,
// {value, error} when it was clamped into range, {error} alone when it is
// not a number of the right kind.
export function checkNumber(k, v) {
  if (k === 'lr' && (String(v).trim() === '' || Number(v) === 0)) return { value: 0 };
  const [lo, hi, isInt] = NUM[k];
  const x = Number(v);
  if (String(v).trim() === '' || !Number.isFinite(x)) return { error: `${k}=${v} is not a number` };
  if (isInt && !Number.isInteger(x)) return { error: `${k}=${v} is not a whole number` };
  if (x < lo || x > hi) {
    const c = Math.min(Math.max(x, lo), hi);
    return { value: c, error: `${k}=${v} is outside ${lo}…${hi}; using ${c}` };
  }
  return { value: x };
}

// parseParams validates and clamps a query string. Every bad value gives
// a message and the default (or the nearest allowed value).
export function parseParams(search) {
  const p = defaults();
  const errors = [];
  const q = new URLSearchParams(search);
  for (const [k, v] of q) {
    if (k in NUM) {
      const c = checkNumber(k, v);
      if (c.value !== undefined) p[k] = c.value;
      if (c.error) errors.push(c.value !== undefined ? c.error : `${c.error}; using ${DEFAULTS[k]}`);
    } else if (BOOL.includes(k)) {
      if (['1', 'true', 'on', 'yes', ''].includes(v)) p[k] = true;
      else if (['0', 'false', 'off', 'no'].includes(v)) p[k] = false;
      else errors.push(`${k}=${v} should be 1 or 0; using ${DEFAULTS[k] ? 1 : 0}`);
    } else if (k === 'arch') {
      if (ARCHS.includes(v)) p.arch = v;
      else errors.push(`arch=${v} is not one of ${ARCHS.join(', ')}; using ${DEFAULTS.arch}`);
    } else if (k === 'recipe') {
      if (RECIPES.includes(v)) p.recipe = v;
      else errors.push(`recipe=${v} is not one of ${RECIPES.join(', ')}; using ${DEFAULTS.recipe}`);
    } else if (k === 'hide') {
      for (const s of v.split(',').filter(Boolean)) {
        if (HIDEABLE.includes(s)) p.hide.push(s);
        else errors.push(`hide: unknown section ${s} (known: ${HIDEABLE.join(', ')})`);
      }
    } else if (k === 'gallery') {
      if (/^[\w.-]{1,80}$/.test(v)) p.gallery = v;
      else errors.push(`gallery=${v} is not a gallery name`);
    } else if (k === 'A' || k === 'E') {
      const m = parseMatrix(v.replaceAll(';', '\n'));
      if (typeof m === 'string') errors.push(`${k}: ${m}`);
      else p[k] = v;
    } else {
      errors.push(`unknown parameter ${k} ignored`);
    }
  }
  if (p.arch === 'custom' && (!p.A || !p.E)) {
    errors.push('arch=custom needs A and E (rows separated by ";"); using ' + DEFAULTS.arch);
    p.arch = DEFAULTS.arch;
  }
  return { params: p, errors };
}

// toQuery writes the parameters that differ from the defaults as a query
// string ("" when none do); parseParams(toQuery(p)) gives p back.
export function toQuery(p) {
  const q = new URLSearchParams();
  for (const k of Object.keys(DEFAULTS)) {
    const v = p[k], d = DEFAULTS[k];
    if (k === 'hide') { if (v.length) q.set('hide', v.join(',')); continue; }
    if (k === 'A' || k === 'E') { if (p.arch === 'custom' && v) q.set(k, v); continue; }
    if (v === d) continue;
    q.set(k, typeof v === 'boolean' ? (v ? '1' : '0') : String(v));
  }
  const s = q.toString();
  return s ? '?' + s : '';
}

// parseMatrix reads rows of numbers (one row per line; commas or spaces),
// or returns a message naming the first bad cell.
export function parseMatrix(text) {
  const rows = text.split('\n').map((l) => l.trim()).filter(Boolean);
  if (!rows.length) return 'no rows';
  const out = [];
  for (let i = 0; i < rows.length; i++) {
    const cells = rows[i].split(/[\s,]+/).filter(Boolean);
    const r = cells.map(Number);
    const bad = r.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0) return `row ${i}: "${cells[bad]}" is not a number`;
    out.push(r);
  }
  return out;
}

// matrixText writes a matrix back with six significant digits, rows
// separated by sep (";" in the URL, newlines in the text boxes).
export const matrixText = (m, sep = '\n') => m.map((r) => r.map((x) => +x.toPrecision(6)).join(', ')).join(sep);

// customHMM is the engine's HMM of the URL's custom matrices (uniform start).
export function customHMM(p) {
  const A = parseMatrix(p.A.replaceAll(';', '\n')), E = parseMatrix(p.E.replaceAll(';', '\n'));
  return { name: 'custom', start: A.map(() => 1 / A.length), transition: A, emission: E, seq_len: p.T };
}

// settings are the worker's training settings for parameters p.
export function settings(p) {
  const s = { arch: p.arch, hidden: p.hidden, input: p.input, batch: p.batch, lr: p.lr, seed: p.seed, seq_len: p.T };
  if (p.recipe !== 'default') s.recipe = p.recipe;
  if (p.arch === 'custom') s.hmm = customHMM(p);
  return s;
}
