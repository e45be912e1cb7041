package scene

import "fmt"

// Color is a straight-alpha colour with components in [0, 1].
type Color struct{ R, G, B, A float32 }

// WithAlpha returns c with alpha a.
func (c Color) WithAlpha(a float32) Color { c.A = a; return c }

// Hex returns c as "#rrggbb" (alpha dropped), the form CSS and SVG take.
func (c Color) Hex() string {
	return fmt.Sprintf("#%02x%02x%02x", to8(c.R), to8(c.G), to8(c.B))
}

func to8(v float32) uint8 {
	switch {
	case v <= 0:
		return 0
	case v >= 1:
		return 255
	}
	return uint8(v*255 + 0.5)
}

func rgb(r, g, b uint8) Color {
	return Color{float32(r) / 255, float32(g) / 255, float32(b) / 255, 1}
}

// outputPalette colours output symbols: the Okabe-Ito colour-blind-safe set,
// starting with blue, vermillion-free green and vermillion so the three
// outputs of the paper's HMMs are told apart by every viewer.
var outputPalette = []Color{
	rgb(0x00, 0x72, 0xb2), // blue
	rgb(0x00, 0x9e, 0x73), // bluish green
	rgb(0xd5, 0x5e, 0x00), // vermillion
	rgb(0xcc, 0x79, 0xa7), // reddish purple
	rgb(0xe6, 0x9f, 0x00), // orange
	rgb(0x56, 0xb4, 0xe9), // sky blue
	rgb(0xf0, 0xe4, 0x42), // yellow
	rgb(0x55, 0x55, 0x55), // grey
}

// OutputColor returns the colour of output symbol o; the palette repeats
// after eight symbols. Negative o gives the neutral grey.
func OutputColor(o int) Color {
	if o < 0 {
		return outputPalette[len(outputPalette)-1]
	}
	return outputPalette[o%len(outputPalette)]
}

// Palette returns the hex colours of outputs 0..n-1, for the page's charts.
func Palette(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = OutputColor(i).Hex()
	}
	return out
}

// Named colours of the non-output elements.
var (
	Background = rgb(0xfb, 0xfb, 0xf8)
	Ink        = rgb(0x22, 0x22, 0x22)
	FixedPoint = rgb(0x00, 0x00, 0x00)
	FlowColor  = rgb(0x88, 0x88, 0x88)
	KickColor  = rgb(0xe0, 0x1a, 0x4f)
)

// RGB returns the opaque colour of 8-bit components.
func RGB(r, g, b uint8) Color { return rgb(r, g, b) }
