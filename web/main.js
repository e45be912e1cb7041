// The page's glue: controls, URL state, the worker (training and
// analyses) and the drawing app in the iframe, charts, and window.hmmrnn.
'use strict';
(() => {
  const $ = (id) => document.getElementById(id);

  // ---- parameters, defaults and limits (also the URL's vocabulary) ----
  const ARCHS = ['linear2', 'linear3', 'linear4', 'linear5', 'fully3', 'cyclic4', 'custom'];
  const HIDEABLE = ['header', 'hmm', 'net', 'loss', 'stats', 'portraitctl', 'export'];
  const DEFAULTS = {
    arch: 'linear2', hidden: 50, input: 10, batch: 256, lr: 0.001, seed: 1,
    sigma: 1, speed: 1, silence: false, kick: false, particles: true,
    flow: true, density: true, decay: true, zones: false,
    play: false, gallery: '', embed: false, hide: [], A: '', E: '', T: 30,
  };
  const NUM = {
    hidden: [2, 256, true], input: [1, 256, true], batch: [16, 4096, true],
    lr: [1e-5, 0.1, false], seed: [0, 4294967295, true], sigma: [0, 4, false],
    speed: [0.05, 1, false], T: [2, 200, true],
  };
  const BOOL = ['silence', 'kick', 'particles', 'flow', 'density', 'decay', 'zones', 'play', 'embed'];

  // parseParams validates and clamps a query string. Every bad value gives
  // a message and the default (or the nearest allowed value).
  function parseParams(search) {
    const p = structuredClone(DEFAULTS);
    const errors = [];
    const q = new URLSearchParams(search);
    for (const [k, v] of q) {
      if (k in NUM) {
        const [lo, hi, isInt] = NUM[k];
        const x = Number(v);
        if (v.trim() === '' || !Number.isFinite(x)) {
          errors.push(`${k}=${v} is not a number; using ${DEFAULTS[k]}`);
        } else if (isInt && !Number.isInteger(x)) {
          errors.push(`${k}=${v} is not a whole number; using ${DEFAULTS[k]}`);
        } else if (x < lo || x > hi) {
          const c = Math.min(Math.max(x, lo), hi);
          errors.push(`${k}=${v} is outside ${lo}…${hi}; using ${c}`);
          p[k] = c;
        } else p[k] = x;
      } else if (BOOL.includes(k)) {
        if (['1', 'true', 'on', 'yes', ''].includes(v)) p[k] = true;
        else if (['0', 'false', 'off', 'no'].includes(v)) p[k] = false;
        else errors.push(`${k}=${v} should be 1 or 0; using ${DEFAULTS[k] ? 1 : 0}`);
      } else if (k === 'arch') {
        if (ARCHS.includes(v)) p.arch = v;
        else errors.push(`arch=${v} is not one of ${ARCHS.join(', ')}; using ${DEFAULTS.arch}`);
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

  function toQuery(p) {
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

  // parseMatrix reads rows of numbers (one row per line; commas or spaces).
  function parseMatrix(text) {
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
  const matrixText = (m, sep = '\n') => m.map((r) => r.map((x) => +x.toPrecision(6)).join(', ')).join(sep);

  // ---- page state ----
  let P = parseParams(location.search).params;
  const st = {
    step: 0, loss: null, running: false, arch: P.arch, source: 'train', trainable: true,
    losses: [], restarts: [], metStep: 0, stepMs: 0, hidden: P.hidden, input: P.input, seed: P.seed,
    stats: null, portrait: null, presets: {}, palette: [], ready: false, appReady: false,
    trainMs: 0, lastRun: 0,
  };
  let pendingPortrait = null;
  const waiters = []; // {test, resolve}

  // ---- messages ----
  function message(text, kind = 'warn') {
    // Errors also go to the console, where the browser tests look for them.
    if (kind === 'error') console.error(text);
    const box = document.createElement('div');
    box.className = 'msg ' + kind;
    const span = document.createElement('span');
    span.textContent = text;
    const close = document.createElement('button');
    close.textContent = '×';
    close.title = 'dismiss';
    close.onclick = () => box.remove();
    box.append(span, close);
    $('messages').append(box);
    while ($('messages').children.length > 6) $('messages').firstChild.remove();
  }

  // ---- worker ----
  const worker = new Worker('worker.js');
  const send = (cmd) => worker.postMessage(JSON.stringify(cmd));
  worker.onerror = (e) => { console.error('worker error: ' + e.message); message('Worker failed: ' + e.message, 'error'); };
  worker.onmessage = (e) => {
    const msg = JSON.parse(e.data.json);
    switch (msg.type) {
      case 'ready': onReady(msg); break;
      case 'status': onStatus(msg); break;
      case 'stats': onStats(msg); break;
      case 'portrait': onPortrait(msg, e.data.bin); break;
      case 'model': resolveWaiter('model', msg); break;
      case 'bench': resolveWaiter('bench', msg); break;
      case 'warning': message(msg.message, 'warn'); break;
      case 'validation': onValidation(msg); break;
      case 'error': message(msg.message, 'error'); resolveWaiter('error', msg); break;
      default: console.warn('unknown worker message ' + msg.type);
    }
  };
  function waitFor(kind, test) {
    return new Promise((resolve) => waiters.push({ kind, test, resolve }));
  }
  function resolveWaiter(kind, msg) {
    for (let i = waiters.length - 1; i >= 0; i--) {
      const w = waiters[i];
      if (w.kind === kind && (!w.test || w.test(msg))) { waiters.splice(i, 1); w.resolve(msg); }
    }
  }

  function settings() {
    const s = { arch: P.arch, hidden: P.hidden, input: P.input, batch: P.batch, lr: P.lr, seed: P.seed, seq_len: P.T };
    if (P.arch === 'custom') {
      const A = parseMatrix(P.A.replaceAll(';', '\n')), E = parseMatrix(P.E.replaceAll(';', '\n'));
      s.hmm = { name: 'custom', start: A.map(() => 1 / A.length), transition: A, emission: E, seq_len: P.T };
    }
    return s;
  }
  let snapshot = -1; // index of the snapshot shown, -1 = live
  const view = () => ({ sigma: P.sigma, silence: P.silence, kick: P.kick, flow: P.flow, density: P.density, decay: P.decay, zones: P.zones, snapshot });

  function live() { snapshot = -1; $('evoOut').textContent = 'live'; }
  function start() {
    live();
    st.losses = []; st.restarts = []; st.metStep = 0; st.trainMs = 0;
    send({ cmd: 'init', settings: settings(), view: view() });
    send({ cmd: 'speed', speed: P.speed });
  }

  function onReady(msg) {
    st.ready = true;
    st.presets = msg.presets;
    st.palette = msg.palette;
    st.kernels = msg.kernels;
    $('steptime').title = `training kernels: ${msg.kernels}`;
    syncControls();
    loadGalleryIndex().then(() => {
      if (P.gallery) loadGallery(P.gallery);
      else start();
      if (P.play && !P.gallery) play();
    });
  }

  function onStatus(msg) {
    if (msg.from === 0) st.losses = [];
    st.losses.length = msg.from;
    for (const l of msg.losses) st.losses.push(l);
    const wasRunning = st.running;
    Object.assign(st, {
      step: msg.step, loss: msg.losses.length ? msg.loss : st.loss, running: msg.running, arch: msg.arch,
      source: msg.source, trainable: msg.trainable, restarts: msg.restarts, metStep: msg.met_step,
      stepMs: msg.step_ms, hidden: msg.hidden, input: msg.input, seed: msg.seed, helper: msg.helper,
    });
    if (!st.losses.length) st.loss = null;
    // A loaded network (gallery, file, API) shows its own sizes in the form,
    // so the fields describe what is drawn; Apply trains a new one from them.
    if (msg.source !== 'train' && msg.hidden) { $('hidden').value = msg.hidden; $('input').value = msg.input; }
    if (msg.running && !wasRunning) st.lastRun = performance.now();
    if (wasRunning) st.trainMs += performance.now() - st.lastRun;
    st.lastRun = performance.now();
    st.snapshots = msg.snapshots || [];
    const evo = $('evo');
    const atLive = snapshot < 0;
    evo.max = String(st.snapshots.length);
    if (atLive) evo.value = evo.max;
    renderStatus();
    drawLoss();
    resolveWaiter('status', msg);
  }

  let graphKey = '';
  function onStats(msg) {
    st.stats = msg;
    const key = JSON.stringify(msg.model);
    if (key !== graphKey) { graphKey = key; drawGraph(msg.model); }
    renderStats(msg);
    renderSamples(msg);
    resolveWaiter('stats', msg);
  }

  function onPortrait(msg, bin) {
    st.portrait = msg;
    const r = msg.transition_rate;
    $('pinfo').textContent = `${msg.snapshot >= 0 ? 'snapshot at ' : ''}step ${msg.step} · PC1 ${(100 * (msg.explained[0] || 0)).toFixed(0)}%, PC2 ${(100 * (msg.explained[1] || 0)).toFixed(0)}% of variance`;
    let txt = `σ = ${msg.sigma.toFixed(2)}: ${(r * 100).toFixed(2)} output switches per 100 steps`;
    if (msg.diverged) txt += ` · the activity diverges after ${msg.steps} steps (unstable network)`;
    if (msg.fixed_point) txt += ` · input-free runs end at one point (|h*| = ${msg.fixed_norm.toExponential(1)})`;
    if (msg.kick && msg.kick.neurons) txt += ` · kick neurons ${msg.kick.neurons.join(', ')} (silencing cuts switching by ${(100 * msg.kick.cut).toFixed(0)}%)`;
    if (msg.zones) txt += ` · zones: ${msg.zones[0]} transition, ${msg.zones[1]} kick, ${msg.zones[2]} cluster`;
    $('rate').textContent = txt;
    pendingPortrait = bin;
    pushPortrait();
    resolveWaiter('portrait', msg);
  }

  // ---- the drawing app (iframe) ----
  const appWin = () => $('app').contentWindow;
  window.hmmrnnAppReady = () => setTimeout(() => { st.appReady = true; pushPortrait(); pushParams(); resolveWaiter('app', {}); }, 0);
  window.hmmrnnAppFailed = (err) => message('The drawing program failed to start: ' + err, 'error');
  function pushPortrait() {
    const a = appWin();
    if (!st.appReady || !pendingPortrait || !a || !a.hmmrnnApp) return;
    const err = a.hmmrnnApp.setPortrait(pendingPortrait);
    if (err) message('portrait: ' + err, 'error');
    pendingPortrait = null;
  }
  // Frame governor: the page watches its own frame rate and lowers the
  // particle animation's rate while frames are late (a busy machine, a
  // software renderer), raising it again when they are on time, so the
  // controls stay responsive.
  let animFPS = 30;
  (() => {
    let frames = 0, t0 = performance.now();
    const tick = (t) => {
      frames++;
      if (t - t0 >= 500) {
        const fps = frames * 1000 / (t - t0);
        const next = fps < 45 ? Math.max(4, animFPS * 0.7) : fps > 55 ? Math.min(30, animFPS * 1.25) : animFPS;
        if (Math.abs(next - animFPS) > 0.5) { animFPS = next; pushParams(); }
        frames = 0; t0 = t;
      }
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  })();
  function pushParams() {
    const a = appWin();
    if (!st.appReady || !a || !a.hmmrnnApp) return;
    // The particles rest while the worker trains: with software WebGL their
    // animation and the training compete for the same two cores and cost a
    // quarter of the page's frames (74% of the idle rate measured, 95%
    // without it); the portrait itself still refreshes every few seconds.
    a.hmmrnnApp.setParams({ sigma: P.sigma, silence: P.silence, particles: P.particles && !st.running && !st.benching, speed: 1, fps: animFPS });
  }

  // ---- transport ----
  function play() { if (!st.running) { st.running = true; send({ cmd: 'play' }); renderStatus(); } }
  function pause() { if (st.running) { st.running = false; send({ cmd: 'pause' }); renderStatus(); } }
  function reset() { live(); st.losses = []; st.trainMs = 0; send({ cmd: 'reset' }); }
  function step(n = 10) {
    n = Math.max(1, Math.min(100000, Math.floor(Number(n) || 1)));
    const target = st.step + n;
    send({ cmd: 'step', n });
    return waitFor('status', (m) => !m.running && m.step >= target).then(() => api.state());
  }

  // ---- rendering ----
  function fmt(x, d = 4) { return x === null || x === undefined || !Number.isFinite(x) ? '–' : (+x).toPrecision(d); }
  let animRunning = null; // st.running as last told to the drawing app
  function renderStatus() {
    if (animRunning !== st.running) { animRunning = st.running; pushParams(); }
    $('play').textContent = st.running ? '❚❚ Pause' : '▶ Play';
    $('stepno').textContent = st.step;
    $('lossno').textContent = fmt(st.loss);
    $('steptime').textContent = st.stepMs ? `${st.stepMs.toFixed(1)} ms/step${st.helper ? ' (2 workers)' : ''}` : '';
    const b = $('badge');
    if (st.metStep) { b.className = 'badge ok'; b.textContent = `criterion met at step ${st.metStep}`; }
    else if (st.stats && st.stats.plateau) { b.className = 'badge warn'; b.textContent = 'stuck on the coin-flip plateau…'; }
    else if (st.restarts.length) { b.className = 'badge info'; b.textContent = `restarted ${st.restarts.length}× (plateau)`; }
    else if (st.source !== 'train') { b.className = 'badge info'; b.textContent = st.source; }
    else { b.className = 'badge'; b.textContent = ''; }
    $('arch').value = ARCHS.includes(st.arch) ? st.arch : 'custom';
  }

  function drawLoss() {
    const c = $('loss'), g = c.getContext('2d');
    const W = c.width, H = c.height, L = st.losses;
    g.clearRect(0, 0, W, H);
    g.font = '10px system-ui, sans-serif';
    g.fillStyle = '#777';
    if (L.length < 2) { g.fillText('press Play to train', 8, H / 2); return; }
    const n = L.length, bins = Math.min(n, W - 40);
    const ys = [];
    for (let b = 0; b < bins; b++) {
      const i0 = Math.floor(b * n / bins), i1 = Math.max(i0 + 1, Math.floor((b + 1) * n / bins));
      let s = 0; for (let i = i0; i < i1; i++) s += L[i];
      ys.push(s / (i1 - i0));
    }
    let lo = Math.min(...ys), hi = Math.max(...ys);
    if (hi - lo < 1e-12) { hi += 1; lo -= 1; }
    const x0 = 36, x1 = W - 4, y0 = 6, y1 = H - 16;
    const X = (i) => x0 + (x1 - x0) * i / Math.max(bins - 1, 1);
    const Y = (v) => y1 - (y1 - y0) * (v - lo) / (hi - lo);
    g.strokeStyle = '#ddd'; g.beginPath(); g.moveTo(x0, y0); g.lineTo(x0, y1); g.lineTo(x1, y1); g.stroke();
    g.fillText(fmt(hi, 3), 2, y0 + 8); g.fillText(fmt(lo, 3), 2, y1);
    g.fillText('step ' + (n + (st.step - n)), x1 - 60, H - 3);
    const off = st.step - n; // steps before the recorded history
    const atStep = (s) => X((s - off) / n * bins);
    g.strokeStyle = '#e0a000';
    for (const r of st.restarts) { const x = atStep(r); g.beginPath(); g.moveTo(x, y0); g.lineTo(x, y1); g.stroke(); }
    if (st.metStep) { g.strokeStyle = '#1b7f3b'; const x = atStep(st.metStep); g.beginPath(); g.moveTo(x, y0); g.lineTo(x, y1); g.stroke(); }
    g.strokeStyle = '#0072b2'; g.lineWidth = 1.2; g.beginPath();
    ys.forEach((v, i) => (i ? g.lineTo(X(i), Y(v)) : g.moveTo(X(i), Y(v))));
    g.stroke(); g.lineWidth = 1;
  }

  const color = (o) => st.palette[o % st.palette.length] || '#888';
  function renderStats(s) {
    const O = s.rnn.freq.length;
    $('statsinfo').textContent = `(${s.n} RNN sequences of T = ${s.t}, step ${s.step})`;
    const c = $('criterion');
    c.className = 'criterion' + (s.met ? ' met' : '');
    c.textContent = `max |Δ frequency| = ${s.freq_diff.toFixed(3)} (goal < 0.03) · max |Δ transition| on rows ${s.rows.join(', ')} = ${s.trans_diff.toFixed(3)} (goal < 0.05)` +
      (s.met_step ? ` · met at step ${s.met_step}` : '');
    const f = $('freq');
    f.replaceChildren();
    for (let o = 0; o < O; o++) {
      const row = document.createElement('div'); row.className = 'row';
      row.innerHTML = `<span>${o}</span><div class="track"><div class="bar rnn"></div><div class="bar hmm"></div></div><span>${s.rnn.freq[o].toFixed(3)} / ${s.hmm.freq[o].toFixed(3)}</span>`;
      const [br, bh] = row.querySelectorAll('.bar');
      br.style.width = (100 * s.rnn.freq[o]) + '%'; br.style.background = color(o);
      bh.style.width = (100 * s.hmm.freq[o]) + '%'; bh.style.background = color(o);
      row.title = 'top: RNN, bottom: HMM exact';
      f.append(row);
    }
    matrix($('transRNN'), s.rnn.trans, s.rows);
    matrix($('transHMM'), s.hmm.trans, s.rows);
    $('vol').textContent = `changes per sequence: RNN ${s.rnn.changes.toFixed(2)} ± ${s.rnn.changes_std.toFixed(2)}, HMM ${s.hmm.changes.toFixed(2)} ± ${s.hmm.changes_std.toFixed(2)} · mean dwell RNN ${s.rnn.mean_dwell.toFixed(1)}, HMM ${s.hmm.mean_dwell.toFixed(1)} steps`;
    drawDwell(s);
  }
  function matrix(tab, m, rows) {
    tab.replaceChildren();
    const head = document.createElement('tr');
    head.innerHTML = '<th></th>' + m.map((_, j) => `<th>${j}</th>`).join('');
    tab.append(head);
    m.forEach((r, i) => {
      const tr = document.createElement('tr');
      if (!rows.includes(i)) { tr.className = 'rare'; tr.title = 'rarely sampled row'; }
      tr.innerHTML = `<th>${i}</th>` + r.map((v) => `<td style="background: rgba(0,114,178,${(0.08 + 0.8 * v).toFixed(3)}); color: ${v > 0.55 ? '#fff' : '#222'}">${v.toFixed(2)}</td>`).join('');
      tab.append(tr);
    });
  }
  function drawDwell(s) {
    const c = $('dwell'), g = c.getContext('2d'), W = c.width, H = c.height;
    g.clearRect(0, 0, W, H);
    const n = Math.min(s.rnn.dwell.length, 40);
    const top = Math.max(1e-9, ...s.rnn.dwell.slice(0, n), ...s.hmm.dwell.slice(0, n));
    const bw = (W - 10) / n;
    g.font = '10px system-ui, sans-serif';
    for (let k = 0; k < n; k++) {
      const hr = (H - 24) * s.rnn.dwell[k] / top, hh = (H - 24) * s.hmm.dwell[k] / top;
      g.fillStyle = '#0072b2'; g.fillRect(5 + k * bw, H - 14 - hr, bw / 2 - 1, hr);
      g.fillStyle = '#bbb'; g.fillRect(5 + k * bw + bw / 2, H - 14 - hh, bw / 2 - 1, hh);
    }
    g.fillStyle = '#777';
    g.fillText('dwell length 1 … ' + n + ' steps  (blue RNN, grey HMM sample)', 5, H - 2);
  }
  function renderSamples(s) {
    const box = $('samples');
    box.replaceChildren();
    const strip = (seq) => {
      const d = document.createElement('div'); d.className = 'seq';
      for (const o of seq) { const sp = document.createElement('span'); sp.style.background = color(o); d.append(sp); }
      return d;
    };
    for (const q of s.samples_hmm) box.append(strip(q));
    const gap = document.createElement('div'); gap.className = 'gap'; box.append(gap);
    for (const q of s.samples_rnn) box.append(strip(q));
  }

  // HMM state graph: states on a circle (a line for chains), arrows for
  // transitions, emission bars under each state.
  function drawGraph(m) {
    const svg = $('graph');
    const A = m.transition, E = m.emission, M = A.length;
    const W = 320, H = 200, r = 18;
    const pos = [];
    const chain = M <= 2 || /^linear/.test(m.name || '');
    for (let i = 0; i < M; i++) {
      if (chain) pos.push([W * (i + 0.5) / M, 70]);
      else { const a = -Math.PI / 2 + 2 * Math.PI * i / M; pos.push([W / 2 + 95 * Math.cos(a), 82 + 58 * Math.sin(a)]); }
    }
    let s = '<defs><marker id="ah" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#666"/></marker></defs>';
    for (let i = 0; i < M; i++) for (let j = 0; j < M; j++) {
      if (i === j || !(A[i][j] > 0)) continue;
      const [x0, y0] = pos[i], [x1, y1] = pos[j];
      const dx = x1 - x0, dy = y1 - y0, l = Math.hypot(dx, dy), nx = -dy / l * 6, ny = dx / l * 6;
      const sx = x0 + dx / l * r + nx, sy = y0 + dy / l * r + ny, ex = x1 - dx / l * (r + 2) + nx, ey = y1 - dy / l * (r + 2) + ny;
      const cx = (sx + ex) / 2 + nx * 2, cy = (sy + ey) / 2 + ny * 2;
      s += `<path d="M${sx},${sy} Q${cx},${cy} ${ex},${ey}" fill="none" stroke="#666" stroke-width="${0.6 + 3 * A[i][j]}" marker-end="url(#ah)"/>`;
      s += `<text x="${cx}" y="${cy}" font-size="9" fill="#444" text-anchor="middle">${+A[i][j].toFixed(3)}</text>`;
    }
    for (let i = 0; i < M; i++) {
      const [x, y] = pos[i];
      s += `<circle cx="${x}" cy="${y}" r="${r}" fill="#fff" stroke="#333"/>`;
      s += `<text x="${x}" y="${y + 4}" font-size="11" text-anchor="middle">s${i}</text>`;
      s += `<text x="${x}" y="${y - r - 4}" font-size="9" fill="#666" text-anchor="middle">↻ ${+A[i][i].toFixed(3)}</text>`;
      const bw = Math.min(14, 60 / E[i].length);
      E[i].forEach((p, o) => {
        const h = 34 * p, bx = x - bw * E[i].length / 2 + o * bw, by = y + r + 44 - h;
        s += `<rect x="${bx}" y="${by}" width="${bw - 2}" height="${Math.max(h, 0.5)}" fill="${color(o)}"><title>P(output ${o} | s${i}) = ${p}</title></rect>`;
      });
    }
    s += `<text x="4" y="${H - 4}" font-size="9" fill="#777">bars: emission probabilities of outputs ${E[0].map((_, o) => o).join(', ')}</text>`;
    svg.innerHTML = s;
    const leg = $('legend');
    leg.innerHTML = E[0].map((_, o) => `<span><i style="background:${color(o)}"></i>output ${o}</span>`).join('') +
      '<span><i style="background:#000"></i>fixed point (×)</span><span><i style="background:#e01a4f"></i>kick</span>';
  }

  function currentHMM() {
    if (P.arch === 'custom') return settings().hmm;
    return st.presets[P.arch];
  }

  // ---- controls ----
  function syncControls() {
    $('arch').value = P.arch;
    for (const k of ['hidden', 'input', 'batch', 'lr', 'seed', 'T']) $(k).value = P[k];
    $('sigma').value = P.sigma; $('sigmaOut').textContent = (+P.sigma).toFixed(2);
    $('speed').value = P.speed;
    for (const k of ['silence', 'kick', 'particles', 'flow', 'density', 'decay', 'zones']) $(k).checked = P[k];
    $('custom').hidden = P.arch !== 'custom';
    if (P.arch === 'custom') {
      $('matA').value = P.A.replaceAll(';', '\n'); $('matE').value = P.E.replaceAll(';', '\n');
    }
    const m = currentHMM();
    if (m) drawGraph(m);
    document.body.classList.toggle('embed', !!P.embed);
    for (const el of document.querySelectorAll('[data-section]')) {
      if (P.hide.includes(el.dataset.section)) el.setAttribute('data-hidden', '');
      else el.removeAttribute('data-hidden');
    }
  }
  function updateURL() { history.replaceState(null, '', location.pathname + toQuery(P)); }

  function setArchitecture(name) {
    if (!ARCHS.includes(name)) throw new Error(`unknown architecture ${name} (known: ${ARCHS.join(', ')})`);
    P.gallery = '';
    if (name === 'custom') {
      const base = st.presets[P.arch] || st.presets.linear2;
      if (!P.A) { P.A = matrixText(base.transition, ';'); P.E = matrixText(base.emission, ';'); }
    }
    P.arch = name;
    if (name !== 'custom') { P.A = ''; P.E = ''; }
    P.silence = false;
    syncControls(); updateURL();
    if (name !== 'custom' || validCustom) start();
  }

  let validCustom = true, validateSeq = 0;
  function validateCustom() {
    const A = parseMatrix($('matA').value), E = parseMatrix($('matE').value);
    const v = $('valid');
    if (typeof A === 'string' || typeof E === 'string') {
      validCustom = false;
      v.className = 'valid bad';
      v.textContent = typeof A === 'string' ? 'A: ' + A : 'E: ' + E;
      return;
    }
    send({ cmd: 'validate', id: ++validateSeq, settings: { arch: 'custom', hmm: { name: 'custom', start: A.map(() => 1 / A.length), transition: A, emission: E, seq_len: P.T } } });
  }
  function onValidation(msg) {
    if (msg.id !== validateSeq) return;
    validCustom = msg.ok;
    const v = $('valid');
    v.className = 'valid ' + (msg.ok ? 'good' : 'bad');
    v.textContent = msg.ok ? 'valid model' : msg.message;
    $('applyCustom').disabled = !msg.ok;
  }

  $('arch').onchange = () => setArchitecture($('arch').value);
  $('play').onclick = () => (st.running ? pause() : play());
  $('step').onclick = () => step(10);
  $('reset').onclick = () => reset();
  $('speed').oninput = () => { P.speed = +$('speed').value; send({ cmd: 'speed', speed: P.speed }); updateURL(); };
  $('apply').onclick = () => {
    const errs = [];
    for (const k of ['hidden', 'input', 'batch', 'lr', 'seed', 'T']) {
      const [lo, hi, isInt] = NUM[k];
      let x = Number($(k).value);
      if (!Number.isFinite(x) || (isInt && !Number.isInteger(x))) { errs.push(`${k}: "${$(k).value}" is not valid; kept ${P[k]}`); continue; }
      if (x < lo || x > hi) { x = Math.min(Math.max(x, lo), hi); errs.push(`${k} clamped to ${x}`); }
      P[k] = x;
    }
    errs.forEach((e) => message(e));
    P.gallery = '';
    syncControls(); updateURL(); start();
  };
  for (const id of ['matA', 'matE']) $(id).oninput = () => { clearTimeout(validateCustom.t); validateCustom.t = setTimeout(validateCustom, 200); };
  $('applyCustom').onclick = () => {
    const A = parseMatrix($('matA').value), E = parseMatrix($('matE').value);
    if (typeof A === 'string' || typeof E === 'string' || !validCustom) return;
    P.arch = 'custom'; P.A = matrixText(A, ';'); P.E = matrixText(E, ';');
    P.gallery = '';
    syncControls(); updateURL(); start();
  };
  $('evo').oninput = () => {
    const i = Number($('evo').value);
    snapshot = i >= st.snapshots.length ? -1 : i;
    $('evoOut').textContent = snapshot < 0 ? 'live' : `step ${st.snapshots[snapshot]}`;
    clearTimeout($('evo').t); $('evo').t = setTimeout(() => send({ cmd: 'view', view: view() }), 150);
  };
  $('sigma').oninput = () => {
    P.sigma = +$('sigma').value; $('sigmaOut').textContent = P.sigma.toFixed(2);
    pushParams(); updateURL();
    clearTimeout($('sigma').t); $('sigma').t = setTimeout(() => send({ cmd: 'view', view: view() }), 250);
  };
  for (const k of ['silence', 'kick', 'particles', 'flow', 'density', 'decay', 'zones']) {
    $(k).onchange = () => {
      P[k] = $(k).checked; updateURL(); pushParams();
      if (k !== 'particles') send({ cmd: 'view', view: view() });
    };
  }

  // ---- gallery ----
  let gallery = [];
  async function loadGalleryIndex() {
    try {
      const r = await fetch('gallery/index.json');
      if (!r.ok) return;
      gallery = await r.json();
      const sel = $('gallery');
      for (const g of gallery) {
        const o = document.createElement('option');
        o.value = g.name;
        o.textContent = `${g.name} (${g.hmm}, H ${g.hidden}, D ${g.input}${g.steps ? ', ' + g.steps + ' steps' : ''})`;
        sel.append(o);
      }
    } catch (err) { console.warn('gallery: ' + err); }
  }
  async function loadGallery(name) {
    const g = gallery.find((x) => x.name === name);
    if (!g) { message(`gallery: no network named ${name}`); P.gallery = ''; updateURL(); start(); return false; }
    const r = await fetch('gallery/' + g.file);
    if (!r.ok) { message(`gallery: cannot load ${g.file} (${r.status})`, 'error'); return false; }
    const text = await r.text();
    P.gallery = name; P.silence = false;
    if (ARCHS.includes(g.hmm) && g.hmm !== 'custom') P.arch = g.hmm;
    syncControls();
    $('gallery').value = name;
    updateURL();
    live();
    send({ cmd: 'load', data: text, name: 'gallery: ' + name, view: view() });
    return true;
  }
  $('gallery').onchange = () => { if ($('gallery').value) loadGallery($('gallery').value); };

  // ---- export / load ----
  function download(name, data, type) {
    const url = URL.createObjectURL(data instanceof Blob ? data : new Blob([data], { type }));
    const a = document.createElement('a');
    a.href = url; a.download = name; document.body.append(a); a.click(); a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }
  let requestSeq = 0; // ids matching worker replies to requests
  function exportModel() {
    const id = ++requestSeq;
    send({ cmd: 'export', id });
    return waitFor('model', (m) => m.id === id).then((m) => m.text);
  }
  $('exportModel').onclick = async () => download(`hmmrnn-${st.arch}-H${st.hidden}-step${st.step}.json`, await exportModel(), 'application/json');
  $('exportPNG').onclick = () => {
    const a = appWin();
    if (!a || !a.hmmrnnApp) return;
    a.hmmrnnApp.snapshot((u8) => download(`hmmrnn-${st.arch}-step${st.step}.png`, new Blob([u8], { type: 'image/png' })));
  };
  function statsCSV(s) {
    const lines = ['quantity,from,to,rnn,hmm'];
    s.rnn.freq.forEach((v, o) => lines.push(`frequency,${o},,${v},${s.hmm.freq[o]}`));
    s.rnn.trans.forEach((r, i) => r.forEach((v, j) => lines.push(`transition,${i},${j},${v},${s.hmm.trans[i][j]}`)));
    lines.push(`changes_mean,,,${s.rnn.changes},${s.hmm.changes}`);
    lines.push(`changes_std,,,${s.rnn.changes_std},${s.hmm.changes_std}`);
    lines.push(`mean_dwell,,,${s.rnn.mean_dwell},${s.hmm.mean_dwell}`);
    s.rnn.dwell.forEach((v, k) => lines.push(`dwell_fraction,${k + 1},,${v},${s.hmm.dwell[k]}`));
    return lines.join('\n') + '\n';
  }
  $('exportCSV').onclick = () => st.stats && download(`hmmrnn-stats-step${st.stats.step}.csv`, statsCSV(st.stats), 'text/csv');
  $('exportJSON').onclick = () => st.stats && download(`hmmrnn-stats-step${st.stats.step}.json`, JSON.stringify(st.stats, null, 1), 'application/json');
  $('loadFile').onchange = async () => {
    const f = $('loadFile').files[0];
    if (!f) return;
    if (f.size > 64 << 20) { message(`${f.name} is larger than 64 MB`, 'error'); return; }
    P.gallery = ''; updateURL(); live();
    send({ cmd: 'load', data: await f.text(), name: 'file: ' + f.name, view: view() });
    $('loadFile').value = '';
  };
  $('share').onclick = async () => {
    try { await navigator.clipboard.writeText(location.href); message('Link copied.', 'info'); }
    catch { message('Link: ' + location.href, 'info'); }
  };
  $('embedCode').onclick = () => {
    const u = new URL(location.href);
    u.searchParams.set('embed', '1');
    if (!u.searchParams.has('hide')) u.searchParams.set('hide', 'net,export');
    message(`<iframe src="${u.href}" width="1200" height="760" style="border:0"></iframe>`, 'info');
  };
  document.addEventListener('keydown', (e) => {
    if (e.key === ' ' && !['INPUT', 'TEXTAREA', 'SELECT', 'BUTTON'].includes(document.activeElement.tagName)) {
      e.preventDefault(); st.running ? pause() : play();
    }
  });

  // ---- public API ----
  const api = {
    state: () => ({
      arch: st.arch, step: st.step, loss: st.loss, running: st.running, source: st.source,
      hidden: st.hidden, input: st.input, seed: st.seed, met_step: st.metStep, restarts: st.restarts.slice(),
      step_ms: st.stepMs, train_seconds: st.trainMs / 1000, sigma: P.sigma, silence: P.silence, gallery: P.gallery,
      kernels: st.kernels, helper: !!st.helper,
    }),
    // useHelper(on): train with (default) or without the second worker that
    // computes half of each step; results are the same either way.
    useHelper: (on) => { send({ cmd: 'helper', n: on ? 1 : 0 }); return waitFor('status').then(() => api.state()); },
    // bench(n): median time of n training steps of a fresh network with
    // the current settings, measured in the worker (pauses training). The
    // particles rest meanwhile, as they do while the worker trains.
    bench: (n) => {
      const id = ++requestSeq;
      st.benching = true; pushParams();
      send({ cmd: 'bench', n, id });
      const done = () => { st.benching = false; pushParams(); };
      return Promise.race([waitFor('bench', (m) => m.id === id), waitFor('error').then((m) => { throw new Error(m.message); })])
        .finally(done);
    },
    setArchitecture: (name) => { setArchitecture(name); return waitFor('portrait').then(() => api.state()); },
    showSnapshot: (i) => { $('evo').value = i < 0 ? $('evo').max : i; $('evo').oninput(); return waitFor('portrait'); },
    png: () => new Promise((resolve, reject) => {
      const a = appWin();
      if (!a || !a.hmmrnnApp) { reject(new Error('the drawing app is not running')); return; }
      a.hmmrnnApp.snapshot((u8) => resolve(u8));
    }),
    play, pause, reset: () => { reset(); return waitFor('portrait').then(() => api.state()); }, step,
    loadGallery: (name) => loadGallery(name).then((ok) => (ok ? waitFor('portrait').then(() => api.state()) : api.state())),
    loadModel: (text) => { live(); send({ cmd: 'load', data: text, name: 'api', view: view() }); return Promise.race([waitFor('portrait'), waitFor('error').then((m) => { throw new Error(m.message); })]).then(() => api.state()); },
    exportModel,
    setNoise: (sigma) => { $('sigma').value = sigma; $('sigma').oninput(); },
    silence: (on) => { $('silence').checked = !!on; $('silence').onchange(); return waitFor('portrait').then((m) => m); },
    stats: () => st.stats, portrait: () => st.portrait, gallery: () => gallery.slice(),
    losses: () => st.losses.slice(),
    app: () => (appWin() && appWin().hmmrnnApp ? appWin().hmmrnnApp.stats() : null),
    parseParams, toQuery,
    ready: null,
  };
  api.ready = Promise.all([waitFor('portrait'), st.appReady ? Promise.resolve() : waitFor('app')]).then(() => api.state());
  window.hmmrnn = api;

  // URL errors are reported once the page is up.
  for (const e of parseParams(location.search).errors) message(e);
  syncControls();
  updateURL();
})();
