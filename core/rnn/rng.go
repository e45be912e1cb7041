package rnn

import (
	"math"
	"math/bits"
)

// pcg is math/rand/v2's PCG (128-bit LCG with the DXSM output function,
// same constants) with NormFloat64 inlined. The batch loops draw millions of
// normals per pass; calling rand.Rand.NormFloat64 goes through the Source
// interface for every draw. pcg yields exactly the numbers that
// rand.New(rand.NewPCG(seed1, seed2)) yields (see TestPCGMatchesStdlib), and
// it is a rand.Source, so a rand.Rand wrapped around it shares its state.
type pcg struct{ hi, lo uint64 }

// The constants of math/rand/v2's PCG (128-bit LCG multiplier and
// increment, and the DXSM output multiplier), used by Uint64 and by the
// inlined generator of fillNormal.
const (
	mulHi    = 2549297995355413924
	mulLo    = 4865540595714422341
	incHi    = 6364136223846793005
	incLo    = 1442695040888963407
	cheapMul = 0xda942042e4dd58b5
)

// Seed resets the state as rand.NewPCG(seed1, seed2) sets it.
func (p *pcg) Seed(seed1, seed2 uint64) { p.hi, p.lo = seed1, seed2 }

// Uint64 is rand.PCG.Uint64.
func (p *pcg) Uint64() uint64 {
	hi, lo := bits.Mul64(p.lo, mulLo)
	hi += p.hi*mulLo + p.lo*mulHi
	lo, c := bits.Add64(lo, incLo, 0)
	hi, _ = bits.Add64(hi, incHi, c)
	p.lo, p.hi = lo, hi
	hi ^= hi >> 32
	hi *= cheapMul
	hi ^= hi >> 48
	hi *= lo | 1
	return hi
}

// float64 is rand.Rand.Float64.
func (p *pcg) float64() float64 { return float64(p.Uint64()<<11>>11) / (1 << 53) }

// Ziggurat tables for the standard normal (Marsaglia and Tsang, "The
// Ziggurat Method for Generating Random Variables", 2000: 128 strips,
// R = 3.442619855899, V = 9.91256303526217e-3), rounded as math/rand/v2
// stores them.
const zigR = 3.442619855899

var (
	zigK [128]uint32
	zigW [128]float32
	zigF [128]float32
)

func init() {
	const (
		m1 = 1 << 31
		v  = 9.91256303526217e-3
	)
	dn := zigR
	tn := dn
	q := v / math.Exp(-0.5*dn*dn)
	zigK[0] = uint32(dn / q * m1)
	zigK[1] = 0
	zigW[0] = float32(q / m1)
	zigW[127] = float32(dn / m1)
	zigF[0] = 1
	zigF[127] = float32(math.Exp(-0.5 * dn * dn))
	for i := 126; i >= 1; i-- {
		dn = math.Sqrt(-2 * math.Log(v/dn+math.Exp(-0.5*dn*dn)))
		zigK[i+1] = uint32(dn / tn * m1)
		tn = dn
		zigF[i] = float32(math.Exp(-0.5 * dn * dn))
		zigW[i] = float32(dn / m1)
	}
}

// norm is rand.Rand.NormFloat64 on this stream.
func (p *pcg) norm() float64 {
	for {
		u := p.Uint64()
		j := int32(u)
		i := u >> 32 & 0x7F
		x := float64(j) * float64(zigW[i])
		if absInt32(j) < zigK[i] {
			return x // better than 99% of draws
		}
		if v, ok := p.normSlow(j, i, x); ok {
			return v
		}
	}
}

// normSlow finishes a NormFloat64 draw whose first number fell outside the
// ziggurat's rectangles: the tail for the base strip, else the wedge test.
// ok = false means rejected: the caller starts a fresh draw.
func (p *pcg) normSlow(j int32, i uint64, x float64) (v float64, ok bool) {
	if i == 0 {
		for {
			x = -math.Log(p.float64()) * (1.0 / zigR)
			y := -math.Log(p.float64())
			if y+y >= x*x {
				break
			}
		}
		if j > 0 {
			return zigR + x, true
		}
		return -zigR - x, true
	}
	if zigF[i]+float32(p.float64())*(zigF[i-1]-zigF[i]) < float32(math.Exp(-.5*x*x)) {
		return x, true
	}
	return 0, false
}

func absInt32(i int32) uint32 {
	if i < 0 {
		return uint32(-i)
	}
	return uint32(i)
}

// fillNormal sets dst[k] = sigma * p.norm() for k = 0, 1, ... with the
// generator step and the ziggurat's fast path inlined in the loop.
func fillNormal[F float](p *pcg, dst []F, sigma float64) {
	shi, slo := p.hi, p.lo
	for k := range dst {
		hi, lo := bits.Mul64(slo, mulLo)
		hi += shi*mulLo + slo*mulHi
		lo, c := bits.Add64(lo, incLo, 0)
		hi, _ = bits.Add64(hi, incHi, c)
		shi, slo = hi, lo
		hi ^= hi >> 32
		hi *= cheapMul
		hi ^= hi >> 48
		hi *= lo | 1
		j := int32(hi)
		i := hi >> 32 & 0x7F
		x := float64(j) * float64(zigW[i])
		if absInt32(j) < zigK[i] {
			dst[k] = F(sigma * x)
			continue
		}
		p.hi, p.lo = shi, slo
		v, ok := p.normSlow(j, i, x)
		if !ok {
			v = p.norm()
		}
		dst[k] = F(sigma * v)
		shi, slo = p.hi, p.lo
	}
	p.hi, p.lo = shi, slo
}
