package sinkhorn

import (
	"encoding/binary"
	"math"
	"math/bits"
	"slices"
	"sync"
	"sync/atomic"
)

const (
	// bandWidth bounds the spread, in nats, of the log-weights h_j that share one exponent
	// offset: within a band exp(h_j - top) lies in (e^-600, 1], far from float64 underflow
	// (e^-708). Columns whose h_j spread wider (at eps = 0.04 h may span up to T/eps = 750
	// nats) go to further bands.
	bandWidth = 600
	// negligibleMass is the relative mass below which terms are left out: the cost levels a
	// row skips at small eps carry at most this fraction of its log-sum-exp total, and each
	// (band, level) cell left out of the gradient's weighted average carries less than this
	// much plan mass (the plan row sums to 1). Both are far below float64 rounding of the
	// results.
	negligibleMass = 1e-20
	// groupRows rows share one pass over the columns: their costs are interleaved (one 64-bit
	// word per column) so one load of exp(h_j) feeds eight independent accumulators.
	groupRows = 8
	// chunkGroups is the number of row groups one goroutine claims at a time.
	chunkGroups = 4
	// serialPairs is the block size (rows x columns) below which a pass runs on one goroutine.
	serialPairs = 1 << 15
	// swarCostLimit: the byte-parallel cost comparisons need costs below 128, i.e. T <= 127.
	swarCostLimit = 127
	// pruneFraction: a row group skips cost levels only if at most this fraction of its pairs
	// are kept. A column kept by any of the group's rows costs as much as in a full pass,
	// and the kept columns of eight rows overlap little (measured optimum at batch 4096).
	pruneFraction = 0.1
)

// symBlock is a Hamming cost block between the distinct sequences of two seqSets.
type symBlock struct {
	rows, cols *seqSet
	T, O       int
	nc, groups int
	workers    int
	// cost holds the Hamming distances, rows in groups of eight interleaved:
	// cost[(g*nc+j)*groupRows+k] = C(row g*groupRows+k, column j). The rows of an incomplete
	// last group repeat the last row.
	cost    []uint8
	minCost []uint8 // smallest cost of each (padded) row
	below   []int32 // below[r*(T+2)+c]: columns of (padded) row r with cost < c
	scratch []*rowScratch

	// Set per softmin call, read-only while rows are processed.
	e     []float64 // exp(h_j - top[band of j])
	band  []int32   // band of column j (only when nb > 1)
	top   []float64 // top[k] = max(h) - k*bandWidth
	decay []float64 // decay[c] = exp(-c/eps), c = 0..T
	nb    int       // number of bands
	eps   float64
	reach int // a row's columns with cost >= its minimum + reach carry negligible mass
}

// rowScratch is one goroutine's working memory.
type rowScratch struct {
	bins   *[groupRows][256]float64 // per row: sum of e_j per cost level (single band)
	factor *[groupRows][256]float64 // per row: plan mass per unit e_j per cost level
	multi  []float64                // several bands, one row: nb x (T+1) sums
	mfact  []float64                // several bands, one row: nb x (T+1) factors
	c0     []int                    // several bands: first non-empty level per band
	lead   []float64                // several bands: top[k] - c0[k]/eps
}

func newSymBlock(rows, cols *seqSet, O, workers int) *symBlock {
	T := rows.layout.T
	b := &symBlock{rows: rows, cols: cols, T: T, O: O, nc: cols.n,
		groups: (rows.n + groupRows - 1) / groupRows, workers: workers,
		e: make([]float64, cols.n), decay: make([]float64, T+1)}
	if rows.n*cols.n < serialPairs || b.workers < 1 {
		b.workers = 1
	}
	b.workers = min(b.workers, (b.groups+chunkGroups-1)/chunkGroups)
	b.scratch = make([]*rowScratch, b.workers)
	for w := range b.scratch {
		b.scratch[w] = &rowScratch{bins: new([groupRows][256]float64), factor: new([groupRows][256]float64)}
	}
	return b
}

// parallel runs f over the row groups in chunks of chunkGroups, on b.workers goroutines.
// Every row's result depends only on its own group, never on the goroutine.
func (b *symBlock) parallel(f func(s *rowScratch, g int)) {
	n := b.groups
	if b.workers == 1 {
		for g := 0; g < n; g++ {
			f(b.scratch[0], g)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for _, s := range b.scratch {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				lo := int(next.Add(chunkGroups)) - chunkGroups
				if lo >= n {
					return
				}
				for g := lo; g < min(lo+chunkGroups, n); g++ {
					f(s, g)
				}
			}
		}()
	}
	wg.Wait()
}

// costBufs recycles the cost matrices between calls (tens of MB at batch 4096); every byte
// is overwritten by buildCosts, so a recycled buffer needs no clearing.
var costBufs sync.Pool // of *[]uint8

// withCosts gives the blocks one shared cost buffer for the duration of f.
func withCosts(f func() error, blocks ...*symBlock) error {
	n := 0
	for _, b := range blocks {
		n += b.groups * b.nc * groupRows
	}
	p, _ := costBufs.Get().(*[]uint8)
	if p == nil || cap(*p) < n {
		buf := make([]uint8, n)
		p = &buf
	}
	buf := (*p)[:n]
	for _, b := range blocks {
		size := b.groups * b.nc * groupRows
		b.cost, buf = buf[:size:size], buf[size:]
	}
	err := f()
	for _, b := range blocks {
		b.cost = nil
	}
	costBufs.Put(p)
	return err
}

// buildCosts fills cost (already sized by withCosts), minCost and below.
func (b *symBlock) buildCosts() {
	nc, T2 := b.nc, b.T+2
	b.minCost = make([]uint8, b.groups*groupRows)
	b.below = make([]int32, b.groups*groupRows*T2)
	lay := &b.rows.layout
	w := lay.words
	b.parallel(func(_ *rowScratch, g int) {
		ct := b.cost[g*nc*groupRows : (g+1)*nc*groupRows]
		var r [groupRows]int
		for k := range r {
			r[k] = min(g*groupRows+k, b.rows.n-1)
		}
		var hist [groupRows][256]int32
		if w == 1 && lay.bitsPer == 2 {
			codes, low := b.rows.codes, lay.low
			x0, x1, x2, x3 := codes[r[0]], codes[r[1]], codes[r[2]], codes[r[3]]
			x4, x5, x6, x7 := codes[r[4]], codes[r[5]], codes[r[6]], codes[r[7]]
			cost := func(x, c uint64) uint64 {
				z := x ^ c
				return uint64(bits.OnesCount64((z | z>>1) & low))
			}
			for j, c := range b.cols.codes[:nc] {
				c0, c1, c2, c3 := cost(x0, c), cost(x1, c), cost(x2, c), cost(x3, c)
				c4, c5, c6, c7 := cost(x4, c), cost(x5, c), cost(x6, c), cost(x7, c)
				hist[0][uint8(c0)]++
				hist[1][uint8(c1)]++
				hist[2][uint8(c2)]++
				hist[3][uint8(c3)]++
				hist[4][uint8(c4)]++
				hist[5][uint8(c5)]++
				hist[6][uint8(c6)]++
				hist[7][uint8(c7)]++
				binary.LittleEndian.PutUint64(ct[j*groupRows:],
					c0|c1<<8|c2<<16|c3<<24|c4<<32|c5<<40|c6<<48|c7<<56)
			}
		} else {
			for k, rk := range r {
				x := b.rows.codes[rk*w : (rk+1)*w]
				for j := 0; j < nc; j++ {
					v := uint8(lay.hamming(x, b.cols.codes[j*w:(j+1)*w]))
					ct[j*groupRows+k] = v
					hist[k][v]++
				}
			}
		}
		for k := range r {
			row := g*groupRows + k
			cum := b.below[row*T2 : (row+1)*T2]
			lo := -1
			for c := 1; c < T2; c++ {
				cum[c] = cum[c-1] + hist[k][c-1]
				if lo < 0 && hist[k][c-1] > 0 {
					lo = c - 1
				}
			}
			b.minCost[row] = uint8(lo)
		}
	})
}

func (b *symBlock) softmin(dst, h []float64, eps float64, avg []float64) {
	if b.minCost == nil {
		b.buildCosts()
	}
	T := b.T
	hmax, hmin := math.Inf(-1), math.Inf(1)
	for _, v := range h {
		hmax = math.Max(hmax, v)
		hmin = math.Min(hmin, v)
	}
	spread := hmax - hmin
	b.eps = eps
	b.nb = 1
	b.top = append(b.top[:0], hmax)
	if spread < bandWidth {
		for j, v := range h {
			b.e[j] = math.Exp(v - hmax)
		}
	} else {
		// Number the occupied bands densely (at most one per column).
		if len(b.band) != len(h) {
			b.band = make([]int32, len(h))
		}
		for j, v := range h {
			b.band[j] = int32((hmax - v) / bandWidth)
		}
		occupied := slices.Compact(slices.Sorted(slices.Values(b.band)))
		b.nb = len(occupied)
		b.top = b.top[:0]
		for _, k := range occupied {
			b.top = append(b.top, hmax-float64(k)*bandWidth)
		}
		for j, v := range h {
			k, _ := slices.BinarySearch(occupied, b.band[j])
			b.band[j] = int32(k)
			b.e[j] = math.Exp(v - b.top[k])
		}
		for _, s := range b.scratch {
			if need := b.nb * (T + 1); len(s.multi) < need {
				s.multi = make([]float64, need)
				s.mfact = make([]float64, need)
				s.c0 = make([]int, b.nb)
				s.lead = make([]float64, b.nb)
			}
		}
	}
	for c := range b.decay {
		b.decay[c] = math.Exp(-float64(c) / eps)
	}
	// Truncation: every e_j <= 1, and the row's nearest column has e_j >= exp(-spread), so
	// the columns at cost >= c0 + reach sum to at most
	// nc * exp(-reach/eps) <= negligibleMass * exp(-spread) <= negligibleMass * (row total),
	// all relative to exp(max h - c0/eps).
	b.reach = T + 1
	if ext := eps * (math.Log(float64(b.nc)) - math.Log(negligibleMass) + spread); b.nb == 1 && T <= swarCostLimit && ext < float64(T) {
		b.reach = int(math.Ceil(ext))
	}
	b.parallel(func(s *rowScratch, g int) {
		if b.nb == 1 {
			b.group(s, g, dst, avg)
			return
		}
		for k := 0; k < groupRows && g*groupRows+k < b.rows.n; k++ {
			b.rowBands(s, g, k, dst, avg)
		}
	})
}

// group computes softmin (and the weighted averages, if avg != nil) for the rows of group g
// when all columns share one band.
func (b *symBlock) group(s *rowScratch, g int, dst, avg []float64) {
	T, nc, eps := b.T, b.nc, b.eps
	ct := b.cost[g*nc*groupRows : (g+1)*nc*groupRows]
	for k := range s.bins {
		clear(s.bins[k][:T+1])
	}
	var thr [groupRows]int
	kept := 0
	for k := range thr {
		r := g*groupRows + k
		thr[k] = min(int(b.minCost[r])+b.reach, T+1)
		kept += int(b.below[r*(T+2)+thr[k]])
	}
	if float64(kept) <= pruneFraction*float64(groupRows*nc) {
		b.binsBelow(s, ct, thr)
	} else {
		b.binsAll(s, ct)
	}
	rows := min(groupRows, b.rows.n-g*groupRows)
	for k := 0; k < rows; k++ {
		bins := &s.bins[k]
		c0 := 0
		for c0 < T && bins[c0] == 0 {
			c0++
		}
		sum := levelSum(bins[c0:T+1], b.decay)
		lead := b.top[0] - float64(c0)/eps
		lse := lead + math.Log(sum)
		dst[g*groupRows+k] = -eps * lse
		if avg == nil {
			continue
		}
		// Plan mass per unit e_j at each level; negligible cells are left at zero.
		f := &s.factor[k]
		clear(f[:])
		scale := math.Exp(lead - lse)
		thr[k] = 0
		for c := c0; c <= T; c++ {
			if v := scale * b.decay[c-c0]; v*bins[c] >= negligibleMass {
				f[c] = v
				thr[k] = c + 1
			}
		}
	}
	if avg == nil {
		return
	}
	for k := rows; k < groupRows; k++ {
		thr[k] = 0
	}
	width := T * b.O
	out := avg[g*groupRows*width : (g*groupRows+rows)*width]
	clear(out)
	b.forBelow(ct, thr, func(j, k int, c uint8) {
		if f := s.factor[k][c]; f != 0 {
			b.addOneHot(out[k*width:(k+1)*width], j, b.e[j]*f)
		}
	})
}

// levelSum returns sum_c decay[c] * bins[c] over the len(bins) levels. Four interleaved
// partial sums shorten the chain of dependent additions (and, in WebAssembly, the number
// of loop iterations, each of which goes through the function's dispatch loop).
func levelSum(bins, decay []float64) float64 {
	decay = decay[:len(bins)]
	var s0, s1, s2, s3 float64
	c := 0
	for ; c+4 <= len(bins); c += 4 {
		s0 += decay[c] * bins[c]
		s1 += decay[c+1] * bins[c+1]
		s2 += decay[c+2] * bins[c+2]
		s3 += decay[c+3] * bins[c+3]
	}
	for ; c < len(bins); c++ {
		s0 += decay[c] * bins[c]
	}
	return (s0 + s1) + (s2 + s3)
}

// addColumn adds x to bins[k][byte k of w] for the eight rows k of a group
// (w holds a column's eight costs). The compiler does not inline it (cost
// 86 > 80), but the scattered additions dominate: BenchmarkSymbols at
// batch 256 and 4096 measured no slower than with the body unrolled in
// both loops.
func addColumn(bins *[groupRows][256]float64, w uint64, x float64) {
	bins[0][uint8(w)] += x
	bins[1][uint8(w>>8)] += x
	bins[2][uint8(w>>16)] += x
	bins[3][uint8(w>>24)] += x
	bins[4][uint8(w>>32)] += x
	bins[5][uint8(w>>40)] += x
	bins[6][uint8(w>>48)] += x
	bins[7][uint8(w>>56)] += x
}

// binsAllGo adds e_j to bins[k][cost] for every column.
func (b *symBlock) binsAllGo(s *rowScratch, ct []uint8) {
	bins := s.bins
	e := b.e[:b.nc]
	ct = ct[:len(e)*groupRows]
	for j, x := range e {
		w := binary.LittleEndian.Uint64(ct[j*groupRows:])
		addColumn(bins, w, x)
	}
}

// binsBelowGo adds e_j to bins[k][cost] for the columns where some row k has cost < thr[k]
// (to all eight rows: the extra terms are ones a full pass adds too). It needs
// T <= swarCostLimit, the only case in which softmin enables pruning.
func (b *symBlock) binsBelowGo(s *rowScratch, ct []uint8, thr [groupRows]int) {
	t := thresholdWord(thr)
	bins := s.bins
	e := b.e[:b.nc]
	ct = ct[:len(e)*groupRows]
	for j, x := range e {
		w := binary.LittleEndian.Uint64(ct[j*groupRows:])
		if ^((w|topBits)-t)&topBits == 0 {
			continue
		}
		addColumn(bins, w, x)
	}
}

// topBits is the top bit of every byte of a word.
const topBits = 0x8080808080808080

// thresholdWord packs the thresholds, capped at 128, one per byte.
func thresholdWord(thr [groupRows]int) uint64 {
	var t uint64
	for k := groupRows - 1; k >= 0; k-- {
		t = t<<8 | uint64(min(thr[k], swarCostLimit+1))
	}
	return t
}

// forBelow calls f(j, k, cost) for every column j and group row k with cost < thr[k], in
// increasing j. If T <= swarCostLimit the eight costs of a column are compared at once: for a
// byte x < 128 and t <= 128, the top bit of (x | 0x80) - t is clear iff x < t, and no borrow
// crosses bytes.
func (b *symBlock) forBelow(ct []uint8, thr [groupRows]int, f func(j, k int, c uint8)) {
	nc := b.nc
	ct = ct[:nc*groupRows]
	if b.T > swarCostLimit {
		for i, c := range ct {
			if k := i % groupRows; int(c) < thr[k] {
				f(i/groupRows, k, c)
			}
		}
		return
	}
	t := thresholdWord(thr)
	for j := 0; j < nc; j++ {
		w := binary.LittleEndian.Uint64(ct[j*groupRows:])
		m := ^((w | topBits) - t) & topBits
		for m != 0 {
			k := bits.TrailingZeros64(m) >> 3
			m &= m - 1
			f(j, k, uint8(w>>(8*k)))
		}
	}
}

// addOneHot adds p times the one-hot encoding of column j to out (T x O).
func (b *symBlock) addOneHot(out []float64, j int, p float64) {
	T, O := b.T, b.O
	for t, v := range b.cols.syms[j*T : (j+1)*T] {
		out[t*O+int(v)] += p
	}
}

// rowBands handles row k of group g when the columns span several bands: the level sums
// are kept per band, each relative to its own top, and combined with one exponential per band.
func (b *symBlock) rowBands(s *rowScratch, g, k int, dst, avg []float64) {
	T, nc, nb, eps := b.T, b.nc, b.nb, b.eps
	T1 := T + 1
	ct := b.cost[g*nc*groupRows : (g+1)*nc*groupRows]
	multi := s.multi[:nb*T1]
	clear(multi)
	for j, x := range b.e {
		multi[int(b.band[j])*T1+int(ct[j*groupRows+k])] += x
	}
	lmax := math.Inf(-1)
	for q := 0; q < nb; q++ {
		bins := multi[q*T1 : (q+1)*T1]
		c0 := 0
		for c0 <= T && bins[c0] == 0 {
			c0++
		}
		s.c0[q] = c0
		s.lead[q] = math.Inf(-1)
		if c0 <= T {
			s.lead[q] = b.top[q] - float64(c0)/eps
		}
		lmax = math.Max(lmax, s.lead[q])
	}
	var sum float64
	for q := 0; q < nb; q++ {
		c0 := s.c0[q]
		if c0 > T {
			continue
		}
		var sq float64
		for c, v := range multi[q*T1+c0 : (q+1)*T1] {
			sq += b.decay[c] * v
		}
		sum += math.Exp(s.lead[q]-lmax) * sq
	}
	lse := lmax + math.Log(sum)
	i := g*groupRows + k
	dst[i] = -eps * lse
	if avg == nil {
		return
	}
	width := T * b.O
	out := avg[i*width : (i+1)*width]
	clear(out)
	f := s.mfact[:nb*T1]
	clear(f)
	for q := 0; q < nb; q++ {
		c0 := s.c0[q]
		if c0 > T {
			continue
		}
		scale := math.Exp(s.lead[q] - lse)
		for c := c0; c <= T; c++ {
			if v := scale * b.decay[c-c0]; v*multi[q*T1+c] >= negligibleMass {
				f[q*T1+c] = v
			}
		}
	}
	for j := 0; j < nc; j++ {
		if v := f[int(b.band[j])*T1+int(ct[j*groupRows+k])]; v != 0 {
			b.addOneHot(out, j, b.e[j]*v)
		}
	}
}
