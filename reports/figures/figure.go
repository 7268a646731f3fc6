package figures

import (
	"bytes"
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// ErrNoData is wrapped by the error a figure returns when no finite value
// is left to draw.
var ErrNoData = errors.New("figures: no finite data to plot")

// ErrInput is wrapped by the error a figure returns when its input has an
// inconsistent shape (lengths that differ, unsorted times, a bad size).
var ErrInput = errors.New("figures: invalid input")

// MaxPoints is the most points a line keeps per series; longer series are
// downsampled by min–max bucketing (see the package documentation).
const MaxPoints = 2000

// Series is one line, optionally with an interval band.
type Series struct {
	// Label names the series in the legend; "isolated" and "cross" get
	// fixed colours.
	Label string
	// X and Y are the points of the line, of equal length.
	X, Y []float64
	// Lo and Hi are an optional band around the line: both nil, or both of
	// the same length as X. The band is drawn as a translucent polygon
	// wherever X, Lo and Hi are all finite.
	Lo, Hi []float64
}

// Point is one point of a Frontier scatter.
type Point struct {
	// X and Y are the point's coordinates.
	X, Y float64
	// Label, if not empty, is written next to the point (e.g. "10×"); labels
	// are drawn only when the figure has at most 60 labelled points.
	Label string
}

// TimeSeries is one cell's path over time, for CellOverTime.
type TimeSeries struct {
	// Times are the bar times in Unix nanoseconds, non-decreasing.
	Times []int64
	// Equity is each mode's equity at Times (same length as Times), in the
	// quote currency.
	Equity map[string][]float64
	// MarginUtil is each mode's margin utilisation (Σ initial margin ÷
	// equity) at Times, as a fraction; it is shown in percent.
	MarginUtil map[string][]float64
	// Liquidations are each mode's liquidation times in Unix nanoseconds;
	// each is marked on the mode's equity line at the bar at or after it.
	Liquidations map[string][]int64
}

// Grid is a two-parameter grid of values, for RatioHeatmap.
type Grid struct {
	// XLabel and YLabel are the axis labels, with units.
	XLabel, YLabel string
	// X and Y are the axis values; cells are drawn evenly spaced and
	// labelled with these values, so they need not be evenly spaced.
	X, Y []float64
	// Z[i][j] is the value at X[j], Y[i]; NaN (or ±Inf) means no data and
	// is drawn blank.
	Z [][]float64
}

// Figure is a rendered figure.
type Figure struct {
	// Name is the file stem, e.g. "liquidation-frequency".
	Name string
	// Title is the figure's title as drawn.
	Title string
	// SVG is the figure as a standalone SVG document.
	SVG []byte
	// PNG is the figure as a PNG image at the Renderer's DPI.
	PNG []byte
}

// Size is a figure's width and height.
type Size struct {
	W, H vg.Length // width and height (vg.Centimeter, vg.Inch, …)
}

// defaultSize is the size a zero Renderer draws figures at; tallSize is
// CellOverTime's, which stacks two panels.
var (
	defaultSize = Size{W: 16 * vg.Centimeter, H: 10 * vg.Centimeter}
	tallSize    = Size{W: 16 * vg.Centimeter, H: 13 * vg.Centimeter}
)

// DefaultDPI is the PNG resolution a zero Renderer uses.
const DefaultDPI = 150

// Renderer renders figures at a chosen size and resolution. Its zero value
// renders at 16 cm × 10 cm (CellOverTime: 16 cm × 13 cm) and DefaultDPI;
// the package-level functions use the zero Renderer.
type Renderer struct {
	// Size is the figure size; zero means the default.
	Size Size
	// DPI is the PNG resolution in dots per inch; zero means DefaultDPI.
	DPI int
}

// Validate reports whether the Renderer's fields are usable.
func (r Renderer) Validate() error {
	var errs []error
	if r.Size != (Size{}) && !(r.Size.W > 0 && r.Size.H > 0) {
		errs = append(errs, fmt.Errorf("%w: size %v × %v: both must be > 0", ErrInput, r.Size.W, r.Size.H))
	}
	if r.Size.W > 0 && r.Size.H > 0 && (r.Size.W > 200*vg.Centimeter || r.Size.H > 200*vg.Centimeter) {
		errs = append(errs, fmt.Errorf("%w: size %v × %v: at most 2 m a side", ErrInput, r.Size.W, r.Size.H))
	}
	if r.DPI < 0 || r.DPI > 1200 {
		errs = append(errs, fmt.Errorf("%w: DPI %d: want 0 (default) to 1200", ErrInput, r.DPI))
	}
	return errors.Join(errs...)
}

// size returns the size to draw at, def when r.Size is zero.
func (r Renderer) size(def Size) Size {
	if r.Size == (Size{}) {
		return def
	}
	return r.Size
}

// dpi returns the PNG resolution.
func (r Renderer) dpi() int {
	if r.DPI == 0 {
		return DefaultDPI
	}
	return r.DPI
}

// svgFont and svgFontFallback: the SVG backend names the font family
// without a fallback, which a browser without Liberation Sans would
// replace by its default (often serif) face.
var (
	svgFont         = []byte("font-family:Liberation Sans;")
	svgFontFallback = []byte("font-family:'Liberation Sans',Arial,Helvetica,sans-serif;")
)

// render draws a figure twice, to SVG and to PNG. draw must be
// repeatable: it is called once per backend. A panic inside gonum/plot is
// returned as an error.
func (r Renderer) render(name, title string, def Size, drawFn func(draw.Canvas)) (f *Figure, err error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	defer func() {
		if v := recover(); v != nil {
			f, err = nil, fmt.Errorf("figures: %s: rendering failed: %v", name, v)
		}
	}()
	sz := r.size(def)

	sc := vgsvg.NewWith(vgsvg.UseWH(sz.W, sz.H))
	drawFn(draw.New(sc))
	var svg bytes.Buffer
	if _, err := sc.WriteTo(&svg); err != nil {
		return nil, fmt.Errorf("figures: %s: writing SVG: %w", name, err)
	}

	ic := vgimg.NewWith(vgimg.UseWH(sz.W, sz.H), vgimg.UseDPI(r.dpi()))
	drawFn(draw.New(ic))
	var png bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: ic}).WriteTo(&png); err != nil {
		return nil, fmt.Errorf("figures: %s: writing PNG: %w", name, err)
	}

	return &Figure{
		Name:  name,
		Title: title,
		SVG:   bytes.ReplaceAll(svg.Bytes(), svgFont, svgFontFallback),
		PNG:   png.Bytes(),
	}, nil
}

// layout is what a figure draws: plots stacked top to bottom sharing the
// width, an optional legend to their right, and an optional narrow side
// plot (a colour bar) to the right of the last plot.
type layout struct {
	plots  []*plot.Plot
	legend plot.Legend
	// hasLegend is whether legend is drawn.
	hasLegend bool
	// side is drawn in a strip sideW wide at the right, vertically aligned
	// with the data area of plots[0].
	side  *plot.Plot
	sideW vg.Length
}

// margin is the blank border around every figure.
const margin = 3 * vg.Millimeter

// takeLegend moves p's legend out of the data area into l, to be drawn to
// the right of the plots. Call it once, after the legend is complete.
func (l *layout) takeLegend(p *plot.Plot) {
	l.legend = p.Legend
	l.hasLegend = true
	l.legend.Top, l.legend.Left = true, true
	p.Legend = plot.NewLegend() // an empty legend draws nothing
}

// draw draws the layout on dc.
func (l *layout) draw(dc draw.Canvas) {
	// White background over the whole canvas, then a margin.
	dc.SetColor(l.plots[0].BackgroundColor)
	dc.Fill(dc.Rectangle.Path())
	c := draw.Crop(dc, margin, -margin, margin, -margin)

	var legendW vg.Length
	if l.hasLegend {
		legendW = l.legend.Rectangle(c).Size().X + 4*vg.Millimeter
		c = draw.Crop(c, 0, -legendW, 0, 0)
	}
	if l.side != nil {
		c = draw.Crop(c, 0, -l.sideW, 0, 0)
	}

	var canvases []draw.Canvas
	if len(l.plots) == 1 {
		canvases = []draw.Canvas{c}
	} else {
		grid := make([][]*plot.Plot, len(l.plots))
		for i, p := range l.plots {
			grid[i] = []*plot.Plot{p}
		}
		tiles := draw.Tiles{Rows: len(l.plots), Cols: 1, PadY: 3 * vg.Millimeter}
		for _, row := range plot.Align(grid, tiles, c) {
			canvases = append(canvases, row[0])
		}
	}
	for i, p := range l.plots {
		p.Draw(canvases[i])
	}
	top := l.plots[0].DataCanvas(canvases[0])

	if l.side != nil {
		// A strip right of the plots, cropped so that the side plot's data
		// area spans the same height as the first plot's.
		sc := draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{
			Min: vg.Point{X: c.Max.X + 5*vg.Millimeter, Y: c.Min.Y},
			Max: vg.Point{X: c.Max.X + l.sideW, Y: c.Max.Y},
		}}
		sd := l.side.DataCanvas(sc)
		sc.Min.Y += top.Min.Y - sd.Min.Y
		sc.Max.Y += top.Max.Y - sd.Max.Y
		l.side.Draw(sc)
		c.Max.X += l.sideW
	}
	if l.hasLegend {
		lc := draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{
			Min: vg.Point{X: c.Max.X + 3*vg.Millimeter, Y: c.Min.Y},
			Max: vg.Point{X: c.Max.X + legendW, Y: top.Max.Y},
		}}
		l.legend.Draw(lc)
	}
}

// finite reports whether v is neither NaN nor ±Inf.
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
