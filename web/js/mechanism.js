// mechanism.js: the pure part of the mechanism panels (units view,
// stochastic-resonance panel): grouping units by role, the hover text, the
// resonance curve's series and axes. No DOM; tested by mechanism.test.js.

// Role colours by kind (kick neurons warm, integrating populations blue,
// the rest grey); groups of one kind are told apart by shade.
const KIND_COLORS = { kick: ['#d55e00', '#e69f00', '#cc79a7', '#f0a860'], integrating: ['#0072b2', '#56b4e9', '#2a9d8f', '#7fa7c9'], other: ['#b8b8b8'] };

// roleColor is the colour of group g of roles.
export function roleColor(roles, g) {
  const grp = roles.groups[g];
  const same = roles.groups.slice(0, g).filter((x) => x.kind === grp.kind).length;
  const cs = KIND_COLORS[grp.kind] || KIND_COLORS.other;
  return cs[same % cs.length];
}

// unitRows orders the units for the raster: group after group (the
// worker's order: kick groups, integrating populations, the rest). It
// returns order (unit at each row) and bands ({group, name, from, to}:
// rows from..to-1 hold the group; empty groups have no band).
export function unitRows(roles) {
  const order = [], bands = [];
  roles.groups.forEach((g, k) => {
    if (!g.neurons || !g.neurons.length) return;
    bands.push({ group: k, name: g.name, from: order.length, to: order.length + g.neurons.length });
    order.push(...g.neurons);
  });
  return { order, bands };
}

const signed = (x) => (x >= 0 ? '+' : '−') + Math.abs(x).toFixed(2);

// unitText is the hover text of unit i: its role and its weights in brief.
export function unitText(roles, i, silenced = []) {
  const g = roles.groups[roles.of[i]], u = roles.units[i];
  const parts = [`unit ${i}: ${g.name}${silenced.includes(i) ? ' (silenced)' : ''}`];
  parts.push(`noise input |W_in| ${u.in_norm.toFixed(2)}`);
  parts.push('readout ' + u.out.map((w, o) => `${o}: ${signed(w)}`).join(', '));
  parts.push(`self ${signed(u.self)}`);
  const rel = roles.groups.map((gr, k) => (gr.neurons && gr.neurons.length ? `${gr.name} ${signed(u.from[k])} in / ${signed(u.to[k])} out` : null)).filter(Boolean);
  parts.push('mean W_hh with ' + rel.join('; '));
  return parts.join(' · ');
}

// blockMatrix turns the worker's block list (row by row over the groups)
// into a G x G matrix of means for the non-empty groups, with their
// indices.
export function blockMatrix(roles) {
  const G = roles.groups.length;
  const keep = roles.groups.map((g, k) => k).filter((k) => roles.groups[k].neurons && roles.groups[k].neurons.length);
  const m = keep.map((a) => keep.map((b) => roles.blocks[a * G + b].mean));
  return { groups: keep, m };
}

// levels decodes the window's activity levels (base64 bytes, steps x H).
export function levels(win) {
  const bin = atob(win.level);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

// resonanceSeries turns the worker's resonance message into the chart's
// series: switches per 100 steps and the emission error per computed
// level, the axes' upper ends (never 0), and the sigma range.
export function resonanceSeries(msg) {
  const pts = msg.points || [];
  const rate = pts.map((p) => [p.sigma, 100 * p.transition_rate]);
  const error = pts.filter((p) => p.fidelity).map((p) => [p.sigma, p.error]);
  const sig = msg.sigmas && msg.sigmas.length ? msg.sigmas : pts.map((p) => p.sigma);
  return {
    rate, error,
    rateMax: Math.max(1e-9, ...rate.map((p) => p[1])) * 1.1,
    errorMax: Math.max(1e-9, ...error.map((p) => p[1])) * 1.1,
    sigmaMin: Math.min(0, ...sig), sigmaMax: Math.max(1, ...sig),
  };
}
