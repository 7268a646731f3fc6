package figures

import (
	"fmt"
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Heat map limits.
const (
	maxLog2Ratio  = 6   // colour scale at most 1/64 … 64
	maxCellLabels = 150 // cells are labelled with their ratio up to this many
	maxAxisLabels = 12  // at most this many labelled ticks per heat map axis
)

// RatioHeatmap draws the isolated ÷ cross liquidation-rate ratio over a
// grid as a heat map with a colour bar. Cells are evenly spaced and
// labelled with the axis values (which need not be evenly spaced). The
// colour is log₂(ratio) on a blue–red diverging scale centred on 1 (blue:
// isolated liquidates less; red: more), symmetric and spanning at least
// ½ … 2 and at most 1/64 … 64, wider ratios taking the end colours; a
// ratio of 0 takes the low end. NaN, ±Inf and negative cells are left
// blank. Up to 150 cells are also written with their ratio. title empty
// means "Isolated ÷ cross liquidation-rate ratio".
func RatioHeatmap(g Grid, title string) (*Figure, error) {
	return Renderer{}.RatioHeatmap(g, title)
}

// RatioHeatmap is the package-level RatioHeatmap drawn with r's size and
// resolution.
func (r Renderer) RatioHeatmap(g Grid, title string) (*Figure, error) {
	const name = "ratio-heatmap"
	if title == "" {
		title = "Isolated ÷ cross liquidation-rate ratio"
	}
	nx, ny := len(g.X), len(g.Y)
	if nx == 0 || ny == 0 {
		return nil, fmt.Errorf("%w: %s: empty grid (%d × %d)", ErrNoData, name, nx, ny)
	}
	if len(g.Z) != ny {
		return nil, fmt.Errorf("%w: %s: len(Z) = %d, len(Y) = %d", ErrInput, name, len(g.Z), ny)
	}
	for i, row := range g.Z {
		if len(row) != nx {
			return nil, fmt.Errorf("%w: %s: len(Z[%d]) = %d, len(X) = %d", ErrInput, name, i, len(row), nx)
		}
	}

	// log₂ of each ratio: -Inf for 0 (drawn in the underflow colour), NaN
	// for no data.
	grid := ratioGrid{nx: nx, ny: ny, z: make([][]float64, ny)}
	var cells int
	span := 0.0
	for i, row := range g.Z {
		grid.z[i] = make([]float64, nx)
		for j, v := range row {
			switch {
			case finite(v) && v > 0:
				l := math.Log2(v)
				grid.z[i][j] = l
				span = math.Max(span, math.Abs(l))
				cells++
			case v == 0:
				grid.z[i][j] = math.Inf(-1)
				cells++
			default:
				grid.z[i][j] = math.NaN()
			}
		}
	}
	if cells == 0 {
		return nil, fmt.Errorf("%w: %s", ErrNoData, name)
	}
	rng := math.Min(maxLog2Ratio, math.Max(1, math.Ceil(span-1e-9)))
	clamped := span > rng

	cm := moreland.SmoothBlueRed()
	cm.SetMin(-rng)
	cm.SetMax(rng)
	pal := cm.Palette(255)
	colors := pal.Colors()

	p := newPlot(title, g.XLabel, g.YLabel, gridNone)
	hm := plotter.NewHeatMap(grid, pal)
	hm.Min, hm.Max = -rng, rng
	hm.Underflow, hm.Overflow = colors[0], colors[len(colors)-1]
	hm.NaN = nil // blank
	p.Add(hm)
	// A hair wider than the cells so that rounding never drops an edge
	// cell (the heat map skips cells not inside the canvas).
	const eps = 1e-9
	p.X.Min, p.X.Max = -0.5-eps, float64(nx)-0.5+eps
	p.Y.Min, p.Y.Max = -0.5-eps, float64(ny)-0.5+eps
	p.X.Tick.Marker = indexTicks(g.X)
	p.Y.Tick.Marker = indexTicks(g.Y)

	if nx*ny <= maxCellLabels {
		var ll plotter.XYLabels
		var styles []text.Style
		base := p.X.Tick.Label // themed
		base.XAlign, base.YAlign = draw.XCenter, draw.YCenter
		for i := range ny {
			for j := range nx {
				z := grid.z[i][j]
				if math.IsNaN(z) {
					continue
				}
				ll.XYs = append(ll.XYs, plotter.XY{X: float64(j), Y: float64(i)})
				ll.Labels = append(ll.Labels, ratioText(g.Z[i][j]))
				s := base
				s.Color = ink
				if math.Abs(z) > 0.6*rng {
					s.Color = color.White
				}
				styles = append(styles, s)
			}
		}
		lb, err := plotter.NewLabels(ll)
		if err != nil {
			return nil, fmt.Errorf("figures: %s: %w", name, err)
		}
		lb.TextStyle = styles
		p.Add(lb)
	}

	// The colour bar: a narrow plot to the right.
	cb := newPlot("", "", "Ratio, log scale (blank: no data)", gridNone)
	cb.Add(&plotter.ColorBar{ColorMap: cm, Vertical: true, Colors: 255})
	cb.X.Tick.Marker = plot.ConstantTicks{}
	cb.X.LineStyle.Width = 0
	cb.X.Padding, cb.Y.Padding = 0, vg.Points(2)
	cb.Y.Min, cb.Y.Max = -rng, rng
	cb.Y.Tick.Marker = colorBarTicks(rng, clamped)

	l := layout{plots: []*plot.Plot{p}, side: cb, sideW: 3 * vg.Centimeter}
	return r.render(name, title, defaultSize, l.draw)
}

// ratioGrid is a plotter.GridXYZ over cell indices: column c at x = c,
// row r at y = r, value log₂(ratio).
type ratioGrid struct {
	nx, ny int
	z      [][]float64 // z[row][col]
}

// Dims implements plotter.GridXYZ.
func (g ratioGrid) Dims() (c, r int) { return g.nx, g.ny }

// Z implements plotter.GridXYZ.
func (g ratioGrid) Z(c, r int) float64 { return g.z[r][c] }

// X implements plotter.GridXYZ.
func (g ratioGrid) X(c int) float64 { return float64(c) }

// Y implements plotter.GridXYZ.
func (g ratioGrid) Y(r int) float64 { return float64(r) }

// indexTicks labels cell indices with the axis values, at most
// maxAxisLabels of them (every k-th cell, the first always).
func indexTicks(vs []float64) plot.ConstantTicks {
	every := (len(vs) + maxAxisLabels - 1) / maxAxisLabels
	ticks := make(plot.ConstantTicks, 0, len(vs))
	for i, v := range vs {
		t := plot.Tick{Value: float64(i)}
		if i%every == 0 {
			t.Label = strconv.FormatFloat(v, 'g', 4, 64)
		}
		ticks = append(ticks, t)
	}
	return ticks
}

// colorBarTicks marks the colour bar at powers of two (log₂ units),
// labelled as ratios; the end labels get ≤ / ≥ when values were clamped.
func colorBarTicks(rng float64, clamped bool) plot.ConstantTicks {
	step := 1.0
	if rng > 3 {
		step = 2
	}
	var ticks plot.ConstantTicks
	for k := -rng; k <= rng+1e-9; k += step {
		label := strconv.FormatFloat(math.Exp2(k), 'g', 3, 64)
		if clamped && k == -rng {
			label = "≤ " + label
		}
		if clamped && k == rng {
			label = "≥ " + label
		}
		ticks = append(ticks, plot.Tick{Value: k, Label: label})
	}
	return ticks
}

// ratioText formats a ratio for a cell label with two or three significant
// digits.
func ratioText(v float64) string {
	switch {
	case v == 0:
		return "0"
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	case v >= 0.1:
		return strconv.FormatFloat(v, 'f', 2, 64)
	default:
		return strconv.FormatFloat(v, 'g', 2, 64)
	}
}
