package figures

import (
	"image/color"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Theme colours (not data colours).
var (
	ink      = color.NRGBA{R: 0x22, G: 0x22, B: 0x22, A: 0xff} // text
	inkSoft  = color.NRGBA{R: 0x44, G: 0x44, B: 0x44, A: 0xff} // tick labels
	axisGrey = color.NRGBA{R: 0x66, G: 0x66, B: 0x66, A: 0xff} // axis lines, ticks
	gridGrey = color.NRGBA{R: 0xdd, G: 0xdd, B: 0xdd, A: 0xff} // grid lines
	zeroGrey = color.NRGBA{R: 0x88, G: 0x88, B: 0x88, A: 0xff} // y = 0 reference
)

// sans is the theme's typeface (bundled with gonum/plot).
var sans = font.Font{Typeface: "Liberation", Variant: "Sans"}

// Font sizes.
const (
	titleSize  = 12 * vg.Length(1)
	labelSize  = 10 * vg.Length(1)
	tickSize   = 9 * vg.Length(1)
	legendSize = 9 * vg.Length(1)
)

// theme styles p: fonts, sizes, colours and axis lines. It is the only
// place a plot's look is set; every plot of the package goes through it
// (via newPlot), and nothing here touches gonum/plot's package globals.
func theme(p *plot.Plot) {
	p.BackgroundColor = color.White

	p.Title.TextStyle.Font = font.From(sans, titleSize)
	p.Title.TextStyle.Color = ink
	p.Title.Padding = 4 * vg.Millimeter

	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = font.From(sans, labelSize)
		a.Label.TextStyle.Color = ink
		a.Label.Padding = 2 * vg.Millimeter
		a.Tick.Label.Font = font.From(sans, tickSize)
		a.Tick.Label.Color = inkSoft
		a.LineStyle = draw.LineStyle{Color: axisGrey, Width: vg.Points(0.75)}
		a.Tick.LineStyle = draw.LineStyle{Color: axisGrey, Width: vg.Points(0.75)}
		a.Tick.Length = vg.Points(4)
		a.Padding = vg.Points(3)
		a.Tick.Marker = niceTicks{}
	}

	p.Legend.TextStyle.Font = font.From(sans, legendSize)
	p.Legend.TextStyle.Color = ink
	p.Legend.ThumbnailWidth = vg.Points(22)
	p.Legend.Padding = vg.Points(3)
}

// gridLines says which grid lines a plot has.
type gridLines int

const (
	gridNone gridLines = iota // no grid (heat maps, colour bars)
	gridY                     // horizontal lines only (box plots)
	gridXY                    // both
)

// newPlot returns a themed plot with the given texts and light grid lines
// at the major ticks.
func newPlot(title, xLabel, yLabel string, grid gridLines) *plot.Plot {
	p := plot.New()
	theme(p)
	p.Title.Text = title
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	if grid != gridNone {
		line := draw.LineStyle{Color: gridGrey, Width: vg.Points(0.5)}
		g := &plotter.Grid{Horizontal: line}
		if grid == gridXY {
			g.Vertical = line
		}
		p.Add(g)
	}
	return p
}

// Okabe–Ito palette (Okabe & Ito 2008), safe for the common colour-vision
// deficiencies.
var (
	okabeBlue       = color.NRGBA{R: 0x00, G: 0x72, B: 0xb2, A: 0xff}
	okabeVermillion = color.NRGBA{R: 0xd5, G: 0x5e, B: 0x00, A: 0xff}
	// okabeRest are the colours for series other than isolated and cross,
	// in the order they are handed out (yellow last: weak on white).
	okabeRest = []color.NRGBA{
		{R: 0xe6, G: 0x9f, B: 0x00, A: 0xff}, // orange
		{R: 0x56, G: 0xb4, B: 0xe9, A: 0xff}, // sky blue
		{R: 0x00, G: 0x9e, B: 0x73, A: 0xff}, // bluish green
		{R: 0xcc, G: 0x79, B: 0xa7, A: 0xff}, // reddish purple
		{R: 0x00, G: 0x00, B: 0x00, A: 0xff}, // black
		{R: 0xf0, G: 0xe4, B: 0x42, A: 0xff}, // yellow
	}
	// restDashes and restGlyphs vary with the colour so that series stay
	// apart in greyscale too.
	restDashes = [][]vg.Length{nil, {vg.Points(1.5), vg.Points(2)}, {vg.Points(7), vg.Points(2), vg.Points(1.5), vg.Points(2)}, {vg.Points(4), vg.Points(4)}}
	restGlyphs = []draw.GlyphDrawer{draw.BoxGlyph{}, diamondGlyph{}, draw.RingGlyph{}, draw.PlusGlyph{}}
)

// bandAlpha is the opacity of interval bands.
const bandAlpha = 0x38

// seriesStyle is how one series is drawn.
type seriesStyle struct {
	color  color.NRGBA
	dashes []vg.Length
	glyph  draw.GlyphDrawer
}

// denseLine is the point count from which lines are drawn thinner.
const denseLine = 400

// line returns the line style of a series of n points: thinner for dense
// series, whose jagged paths would otherwise merge into a ribbon.
func (s seriesStyle) line(n int) draw.LineStyle {
	w := vg.Points(1.75)
	if n >= denseLine {
		w = vg.Points(1)
	}
	return draw.LineStyle{Color: s.color, Width: w, Dashes: s.dashes}
}

// band returns the translucent fill colour of the series' interval band.
func (s seriesStyle) band() color.NRGBA {
	c := s.color
	c.A = bandAlpha
	return c
}

// glyphStyle returns the glyph style of the series' points.
func (s seriesStyle) glyphStyle() draw.GlyphStyle {
	return draw.GlyphStyle{Color: s.color, Radius: vg.Points(3.5), Shape: s.glyph}
}

// styler hands out series styles: fixed ones for "isolated" and "cross",
// the rest of the palette in call order.
type styler struct{ n int }

// next returns the style for the series labelled label.
func (s *styler) next(label string) seriesStyle {
	switch strings.ToLower(strings.TrimSpace(label)) {
	case "isolated":
		return seriesStyle{color: okabeBlue, glyph: draw.CircleGlyph{}}
	case "cross":
		return seriesStyle{color: okabeVermillion, dashes: []vg.Length{vg.Points(6), vg.Points(3)}, glyph: draw.PyramidGlyph{}}
	}
	i := s.n
	s.n++
	return seriesStyle{
		color:  okabeRest[i%len(okabeRest)],
		dashes: restDashes[i%len(restDashes)],
		glyph:  restGlyphs[i%len(restGlyphs)],
	}
}

// diamondGlyph draws a filled diamond.
type diamondGlyph struct{}

// DrawGlyph implements draw.GlyphDrawer.
func (diamondGlyph) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	r := sty.Radius * 1.2
	var p vg.Path
	p.Move(vg.Point{X: pt.X, Y: pt.Y + r})
	p.Line(vg.Point{X: pt.X + r, Y: pt.Y})
	p.Line(vg.Point{X: pt.X, Y: pt.Y - r})
	p.Line(vg.Point{X: pt.X - r, Y: pt.Y})
	p.Close()
	c.Fill(p)
}

// liquidationGlyph marks a liquidation: a filled downward triangle in the
// glyph colour with a dark outline, visible on top of its line.
type liquidationGlyph struct{}

// DrawGlyph implements draw.GlyphDrawer.
func (liquidationGlyph) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	r := sty.Radius
	var p vg.Path
	p.Move(vg.Point{X: pt.X, Y: pt.Y - r})
	p.Line(vg.Point{X: pt.X + r*0.9, Y: pt.Y + r*0.7})
	p.Line(vg.Point{X: pt.X - r*0.9, Y: pt.Y + r*0.7})
	p.Close()
	c.Fill(p)
	c.SetLineStyle(draw.LineStyle{Color: ink, Width: vg.Points(0.6)})
	c.Stroke(p)
}
