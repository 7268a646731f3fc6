package figures

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// LiquidationFrequency draws liquidations per 1,000 positions against
// leverage, one line per mode with its interval band (Lo, Hi). yLabel
// names the y axis with its unit; empty means "Liquidations per 1,000
// positions". The x axis is leverage (×), on a log scale when the
// leverages span a factor of 10 or more. The y axis starts at 0.
func LiquidationFrequency(modes []Series, yLabel string) (*Figure, error) {
	return Renderer{}.LiquidationFrequency(modes, yLabel)
}

// LiquidationFrequency is the package-level LiquidationFrequency drawn with
// r's size and resolution.
func (r Renderer) LiquidationFrequency(modes []Series, yLabel string) (*Figure, error) {
	if yLabel == "" {
		yLabel = "Liquidations per 1,000 positions"
	}
	return r.lineFigure(modes, lineSpec{
		name:      "liquidation-frequency",
		title:     "Liquidation frequency vs leverage",
		xLabel:    "Leverage (×)",
		yLabel:    yLabel,
		scale:     1,
		leverageX: true,
		yFromZero: true,
		markers:   true,
	})
}

// ReturnOnCapitalAtRisk draws return on capital at risk against leverage,
// one line per mode (with its band when Lo and Hi are set). Y, Lo and Hi
// are fractions (0.12 = 12 %) and are shown in percent. The leverage axis
// follows the rule of LiquidationFrequency; a y = 0 line is drawn when the
// values change sign.
func ReturnOnCapitalAtRisk(modes []Series) (*Figure, error) {
	return Renderer{}.ReturnOnCapitalAtRisk(modes)
}

// ReturnOnCapitalAtRisk is the package-level ReturnOnCapitalAtRisk drawn
// with r's size and resolution.
func (r Renderer) ReturnOnCapitalAtRisk(modes []Series) (*Figure, error) {
	return r.lineFigure(modes, lineSpec{
		name:      "return-on-capital-at-risk",
		title:     "Return on capital at risk vs leverage",
		xLabel:    "Leverage (×)",
		yLabel:    "Return on capital at risk (%)",
		scale:     100,
		leverageX: true,
		zeroLine:  true,
		markers:   true,
	})
}

// Survival draws Kaplan–Meier survival curves as post-step lines (each
// value holds until the next X), with their interval bands as stepped
// translucent polygons. Y, Lo and Hi are probabilities in [0, 1]; the y
// axis is fixed to [0, 1] and bands are clipped to it. xLabel names the
// time axis with its unit; empty means "Time (years)".
func Survival(modes []Series, xLabel string) (*Figure, error) {
	return Renderer{}.Survival(modes, xLabel)
}

// Survival is the package-level Survival drawn with r's size and
// resolution.
func (r Renderer) Survival(modes []Series, xLabel string) (*Figure, error) {
	if xLabel == "" {
		xLabel = "Time (years)"
	}
	return r.lineFigure(modes, lineSpec{
		name:   "survival",
		title:  "Survival curves (Kaplan–Meier)",
		xLabel: xLabel,
		yLabel: "Survival probability",
		scale:  1,
		step:   true,
		unitY:  true,
	})
}

// lineSpec configures lineFigure.
type lineSpec struct {
	name, title, xLabel, yLabel string
	scale                       float64 // applied to Y, Lo and Hi
	leverageX                   bool    // log x when positive x span ≥ 10×
	step                        bool    // post-step lines and bands
	yFromZero                   bool    // y axis starts at 0 for non-negative data
	unitY                       bool    // y axis fixed to [0, 1], bands clipped
	zeroLine                    bool    // a y = 0 line when y changes sign
	markers                     bool    // glyphs at the points of short lines
}

// maxMarkers is the longest line that gets a glyph at each point.
const maxMarkers = 40

// lineFigure draws per-mode lines with optional bands.
func (r Renderer) lineFigure(modes []Series, sp lineSpec) (*Figure, error) {
	if len(modes) == 0 {
		return nil, fmt.Errorf("%w: %s: no series", ErrNoData, sp.name)
	}
	for i, s := range modes {
		if err := checkSeries(sp.name, i, s); err != nil {
			return nil, err
		}
	}

	// Log x when every finite x is positive and they span a factor of 10.
	xMin, xMax := math.Inf(1), math.Inf(-1)
	for _, s := range modes {
		for _, x := range s.X {
			if finite(x) {
				xMin, xMax = math.Min(xMin, x), math.Max(xMax, x)
			}
		}
	}
	logX := sp.leverageX && xMin > 0 && xMax/xMin >= 10

	clip := func(v float64) float64 { return v }
	if sp.unitY {
		clip = func(v float64) float64 { return math.Max(0, math.Min(1, v)) }
	}

	type drawn struct {
		label string
		style seriesStyle
		line  plotter.XYs
		bands []*plotter.Polygon
	}
	var (
		kept    []drawn
		st      styler
		anyBand bool
	)
	for i, s := range modes {
		d := drawn{label: s.Label, style: st.next(s.Label)}
		if d.label == "" {
			d.label = fmt.Sprintf("series %d", i+1)
		}
		d.line = points(s.X, s.Y, sp.scale, MaxPoints)
		if s.Lo != nil {
			for _, seg := range bandSegments(s.X, s.Lo, s.Hi, sp.scale, MaxPoints) {
				for j := range seg {
					seg[j].lo, seg[j].hi = clip(seg[j].lo), clip(seg[j].hi)
				}
				poly, err := plotter.NewPolygon(bandRing(seg, sp.step))
				if err != nil {
					return nil, fmt.Errorf("figures: %s: band of %q: %w", sp.name, d.label, err)
				}
				poly.Color = d.style.band()
				poly.LineStyle = draw.LineStyle{}
				d.bands = append(d.bands, poly)
			}
		}
		if len(d.line) == 0 && len(d.bands) == 0 {
			continue // nothing finite: drop the series
		}
		anyBand = anyBand || len(d.bands) > 0
		kept = append(kept, d)
	}
	if len(kept) == 0 {
		return nil, fmt.Errorf("%w: %s", ErrNoData, sp.name)
	}

	xLabel := sp.xLabel
	if logX {
		xLabel = "Leverage (×, log scale)"
	}
	p := newPlot(sp.title, xLabel, sp.yLabel, gridXY)
	if logX {
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = logTicks{}
	}

	// The y = 0 line under everything, then the bands, so that no band
	// covers another series' line.
	if sp.zeroLine {
		x0, x1, y0, y1 := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
		for _, d := range kept {
			rs := [][4]float64{}
			if len(d.line) > 0 {
				a, b, c, e := plotter.XYRange(d.line)
				rs = append(rs, [4]float64{a, b, c, e})
			}
			for _, bd := range d.bands {
				a, b, c, e := bd.DataRange()
				rs = append(rs, [4]float64{a, b, c, e})
			}
			for _, r := range rs {
				x0, x1, y0, y1 = math.Min(x0, r[0]), math.Max(x1, r[1]), math.Min(y0, r[2]), math.Max(y1, r[3])
			}
		}
		if y0 < 0 && y1 > 0 {
			p.Add(&plotter.Line{
				XYs:       plotter.XYs{{X: x0, Y: 0}, {X: x1, Y: 0}},
				LineStyle: draw.LineStyle{Color: zeroGrey, Width: vg.Points(1)},
			})
		}
	}
	for _, d := range kept {
		for _, b := range d.bands {
			p.Add(b)
		}
	}
	type entry struct {
		label  string
		thumbs []plot.Thumbnailer
	}
	var entries []entry
	for _, d := range kept {
		var thumbs []plot.Thumbnailer
		if len(d.bands) > 0 {
			thumbs = append(thumbs, d.bands[0])
		}
		if len(d.line) > 0 {
			l := &plotter.Line{XYs: d.line, LineStyle: d.style.line(len(d.line))}
			if sp.step {
				l.StepStyle = plotter.PostStep
			}
			p.Add(l)
			thumbs = append(thumbs, l)
			if sp.markers && len(d.line) <= maxMarkers {
				sc := &plotter.Scatter{XYs: d.line, GlyphStyle: d.style.glyphStyle()}
				p.Add(sc)
				thumbs = append(thumbs, sc)
			}
		}
		entries = append(entries, entry{d.label, thumbs})
	}

	if sp.yFromZero && p.Y.Min > 0 {
		p.Y.Min = 0
	}
	if sp.unitY {
		p.Y.Min, p.Y.Max = 0, 1
	}

	l := layout{plots: []*plot.Plot{p}}
	if len(kept) > 1 || anyBand {
		for _, e := range entries {
			p.Legend.Add(e.label, e.thumbs...)
		}
		if anyBand {
			p.Legend.Add("interval (shaded)", &plotter.Polygon{Color: color.NRGBA{R: 0x60, G: 0x60, B: 0x60, A: bandAlpha}})
		}
		l.takeLegend(p)
	}
	return r.render(sp.name, sp.title, defaultSize, l.draw)
}
