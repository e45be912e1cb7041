// graph.js: the HMM state graph. graphLayout is a pure function from an
// HMM to shapes in a W×H box (tested by graph.test.js to keep every node,
// arrow, bar and label inside the box for every preset and for custom
// HMMs up to the engine's 255 states and 255 outputs); graphSVG writes
// them as SVG.

// CHAR_EM is the estimated advance of a character in ems: digits and
// Latin letters of the sans-serif fonts the page asks for are 0.5-0.6 em
// wide, so 0.62 overestimates them; symbols (↻) are counted as 1 em.
export const CHAR_EM = 0.62;
// MAX_EDGES bounds the arrows drawn (the strongest transitions first): a
// fully connected 255-state model has 65,000, which would stall the page
// and show nothing readable.
export const MAX_EDGES = 400;
const PAD = 2;          // free margin inside the box, px
const CAPTION = 9;      // caption font size, px
const CAPTION_BAND = 14; // height kept for the caption at the bottom, px

// textWidth estimates the drawn width of s at font size px.
export function textWidth(s, size) {
  let w = 0;
  for (const ch of s) w += (ch.codePointAt(0) >= 0x2000 ? 1 : CHAR_EM) * size;
  return w;
}

// textBox is the box {x0, y0, x1, y1} of a text item (baseline at y,
// anchored at x by its anchor): ascenders reach 0.8 em above the baseline
// and descenders 0.25 em below.
export function textBox(t) {
  const w = textWidth(t.text, t.size);
  const x0 = t.anchor === 'middle' ? t.x - w / 2 : t.anchor === 'end' ? t.x - w : t.x;
  return { x0, y0: t.y - 0.8 * t.size, x1: x0 + w, y1: t.y + 0.25 * t.size };
}

// shapeBoxes lists the boxes of every shape of a layout: a node's circle,
// a bar, a label, and each arrow's three Bézier control points widened by
// its arrowhead (a quadratic curve lies inside the triangle of its control
// points).
export function shapeBoxes(g) {
  const out = [];
  for (const n of g.nodes) out.push({ what: 'node', x0: n.x - n.r, y0: n.y - n.r, x1: n.x + n.r, y1: n.y + n.r });
  for (const b of g.rects) out.push({ what: 'bar', x0: b.x, y0: b.y, x1: b.x + b.w, y1: b.y + b.h });
  for (const t of g.texts) out.push({ what: `text "${t.text}"`, ...textBox(t) });
  for (const e of g.edges) {
    const a = g.arrow;
    for (const [x, y] of [[e.sx, e.sy], [e.cx, e.cy], [e.ex, e.ey]]) out.push({ what: 'arrow', x0: x - a, y0: y - a, x1: x + a, y1: y + a });
  }
  return out;
}

// graphLayout places the states of HMM m (transition, emission, name) in a
// W×H box: on a line for chains (names linear*, or two states), on an
// ellipse otherwise; an arrow per transition with its probability, the
// self-transition above each state and the emission probabilities as bars
// under it. Sizes shrink with the number of states and labels that would
// be unreadable are left out; then the whole drawing is scaled (never up)
// and centred to fit the box above the caption.
export function graphLayout(m, W = 320, H = 200) {
  const A = m.transition, E = m.emission, M = A.length, O = E[0].length;
  const chain = M <= 2 || /^linear/.test(m.name || '');
  // Spacing of neighbouring states along the line or the ellipse (radii
  // 95 × 58, whose perimeter is about 488 px).
  const RX = 95, RY = 58;
  const spacing = chain ? W / M : 488 / M;
  const r = Math.max(0.5, Math.min(18, 0.35 * spacing));
  const selfSize = Math.min(9, 0.8 * r);            // the ↻ p labels
  const nameSize = Math.min(11, 0.9 * r);           // the s0 labels inside nodes
  const edgeLabels = M <= 6;                        // transition labels stay legible
  const gw = Math.min(60, 0.9 * spacing);           // width of a state's bar group
  const bw = Math.min(14, gw / O), bh = Math.min(34, Math.max(2, 1.9 * r));
  const showSelf = selfSize >= 5 && textWidth('↻ 0.000', selfSize) <= spacing;
  const pos = [];
  for (let i = 0; i < M; i++) {
    if (chain) pos.push([W * (i + 0.5) / M, 0]);
    else { const a = -Math.PI / 2 + 2 * Math.PI * i / M; pos.push([RX * Math.cos(a), RY * Math.sin(a)]); }
  }
  const g = { W, H, nodes: [], edges: [], texts: [], rects: [], arrow: Math.max(1.5, Math.min(6, 0.35 * r)), scale: 1 };
  // Arrows: the strongest MAX_EDGES transitions between distinct states,
  // each bent to its left by off px so the two directions stay apart.
  const pairs = [];
  for (let i = 0; i < M; i++) for (let j = 0; j < M; j++) if (i !== j && A[i][j] > 0) pairs.push([i, j, A[i][j]]);
  pairs.sort((a, b) => b[2] - a[2]);
  const off = Math.min(6, 0.35 * r);
  for (const [i, j, p] of pairs.slice(0, MAX_EDGES)) {
    const [x0, y0] = pos[i], [x1, y1] = pos[j];
    const dx = x1 - x0, dy = y1 - y0, l = Math.hypot(dx, dy), nx = -dy / l * off, ny = dx / l * off;
    const e = {
      i, j, p, width: Math.min(0.6 + 3 * p, 0.6 * r),
      sx: x0 + dx / l * r + nx, sy: y0 + dy / l * r + ny, ex: x1 - dx / l * (r + 2) + nx, ey: y1 - dy / l * (r + 2) + ny,
    };
    e.cx = (e.sx + e.ex) / 2 + nx * 2; e.cy = (e.sy + e.ey) / 2 + ny * 2;
    g.edges.push(e);
    if (edgeLabels) g.texts.push({ x: e.cx, y: e.cy, size: 9, text: String(+p.toFixed(3)), anchor: 'middle', fill: '#444' });
  }
  for (let i = 0; i < M; i++) {
    const [x, y] = pos[i];
    g.nodes.push({ i, x, y, r });
    if (nameSize >= 5) g.texts.push({ x, y: y + 0.36 * nameSize, size: nameSize, text: `s${i}`, anchor: 'middle', fill: '#222' });
    if (showSelf) g.texts.push({ x, y: y - r - 4, size: selfSize, text: `↻ ${+A[i][i].toFixed(3)}`, anchor: 'middle', fill: '#666' });
    E[i].forEach((p, o) => {
      const h = bh * p, bx = x - bw * O / 2 + o * bw, by = y + r + 4 + bh - h;
      g.rects.push({ i, o, p, x: bx, y: by, w: Math.max(bw - Math.min(2, bw / 4), 0.2), h: Math.max(h, 0.5) });
    });
  }
  // Fit: scale (never up) and centre everything into the box above the
  // caption band.
  const boxes = shapeBoxes(g);
  const bx0 = Math.min(...boxes.map((b) => b.x0)), bx1 = Math.max(...boxes.map((b) => b.x1));
  const by0 = Math.min(...boxes.map((b) => b.y0)), by1 = Math.max(...boxes.map((b) => b.y1));
  const availW = W - 2 * PAD, availH = H - CAPTION_BAND - 2 * PAD;
  const s = Math.min(1, availW / (bx1 - bx0), availH / (by1 - by0));
  const tx = PAD + (availW - s * (bx1 - bx0)) / 2 - s * bx0, ty = PAD + (availH - s * (by1 - by0)) / 2 - s * by0;
  const X = (x) => tx + s * x, Y = (y) => ty + s * y;
  for (const n of g.nodes) { n.x = X(n.x); n.y = Y(n.y); n.r *= s; }
  for (const b of g.rects) { b.x = X(b.x); b.y = Y(b.y); b.w *= s; b.h *= s; }
  for (const t of g.texts) { t.x = X(t.x); t.y = Y(t.y); t.size *= s; }
  for (const e of g.edges) {
    e.sx = X(e.sx); e.sy = Y(e.sy); e.cx = X(e.cx); e.cy = Y(e.cy); e.ex = X(e.ex); e.ey = Y(e.ey); e.width *= s;
  }
  g.arrow *= s;
  g.scale = s;
  // Caption: the outputs listed while they fit, as a range otherwise.
  let cap = `bars: emission probabilities of outputs ${E[0].map((_, o) => o).join(', ')}`;
  if (textWidth(cap, CAPTION) > W - 2 * PAD) cap = `bars: emission probabilities of outputs 0 … ${O - 1}`;
  g.texts.push({ x: PAD + 2, y: H - 4, size: CAPTION, text: cap, anchor: 'start', fill: '#777' });
  return g;
}

const num = (x) => +x.toFixed(2);
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

// graphSVG writes layout g as the inner SVG of a W×H viewBox; color(o)
// is the colour of output o.
export function graphSVG(g, color) {
  const a = num(g.arrow);
  let s = `<defs><marker id="ah" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="${a}" markerHeight="${a}" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#666"/></marker></defs>`;
  for (const e of g.edges) {
    s += `<path d="M${num(e.sx)},${num(e.sy)} Q${num(e.cx)},${num(e.cy)} ${num(e.ex)},${num(e.ey)}" fill="none" stroke="#666" stroke-width="${num(e.width)}" marker-end="url(#ah)"><title>s${e.i} → s${e.j}: ${e.p}</title></path>`;
  }
  for (const n of g.nodes) s += `<circle cx="${num(n.x)}" cy="${num(n.y)}" r="${num(n.r)}" fill="#fff" stroke="#333" stroke-width="${num(Math.min(1, n.r / 4))}"><title>s${n.i}</title></circle>`;
  for (const b of g.rects) {
    s += `<rect x="${num(b.x)}" y="${num(b.y)}" width="${num(b.w)}" height="${num(b.h)}" fill="${esc(color(b.o))}"><title>P(output ${b.o} | s${b.i}) = ${b.p}</title></rect>`;
  }
  for (const t of g.texts) {
    s += `<text x="${num(t.x)}" y="${num(t.y)}" font-size="${num(t.size)}" fill="${t.fill}" text-anchor="${t.anchor}">${esc(t.text)}</text>`;
  }
  return s;
}
