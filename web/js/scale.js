// scale.js: chart scaling, pure (no DOM), tested by scale.test.js.

// binMeans averages the series L into at most maxBins consecutive bins of
// (nearly) equal length, so a long loss history draws as one point per
// pixel column.
export function binMeans(L, maxBins) {
  const n = L.length, bins = Math.max(0, Math.min(n, Math.floor(maxBins)));
  const ys = [];
  for (let b = 0; b < bins; b++) {
    const i0 = Math.floor(b * n / bins), i1 = Math.max(i0 + 1, Math.floor((b + 1) * n / bins));
    let s = 0;
    for (let i = i0; i < i1; i++) s += L[i];
    ys.push(s / (i1 - i0));
  }
  return ys;
}

// extent is [lo, hi] of the finite values of ys, widened by 1 on each side
// when they are all equal (so a flat line draws mid-chart), [-1, 1] when
// there are none.
export function extent(ys) {
  let lo = Infinity, hi = -Infinity;
  for (const y of ys) if (Number.isFinite(y)) { lo = Math.min(lo, y); hi = Math.max(hi, y); }
  if (lo > hi) return [-1, 1];
  if (hi - lo < 1e-12) return [lo - 1, hi + 1];
  return [lo, hi];
}

// linear maps [d0, d1] onto [r0, r1].
export function linear(d0, d1, r0, r1) {
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

// stepX maps a training step onto the x of the loss chart whose history
// holds the last n losses of step total steps, drawn as bins points from
// x0 to x1 (the losses before the history are not drawn).
export function stepX(step, total, n, bins, x0, x1) {
  const off = total - n;
  const X = linear(0, Math.max(bins - 1, 1), x0, x1);
  return X((step - off) / n * bins);
}
