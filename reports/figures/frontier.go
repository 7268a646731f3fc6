package figures

import (
	"fmt"
	"sort"
	"strings"
	"unicode"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// maxPointLabels is the most labelled points Frontier writes labels for;
// beyond it labels would only overlap.
const maxPointLabels = 60

// Frontier draws a scatter of Y against X, one colour and glyph per mode
// (modes in sorted order; "isolated" and "cross" keep their fixed
// colours), e.g. mean return against worst loss per liquidation. xLabel
// and yLabel name the axes with their units; the title is built from them
// without the units. Points with a non-finite coordinate are skipped;
// Point labels are written beside the points when there are at most 60.
func Frontier(byMode map[string][]Point, xLabel, yLabel string) (*Figure, error) {
	return Renderer{}.Frontier(byMode, xLabel, yLabel)
}

// Frontier is the package-level Frontier drawn with r's size and
// resolution.
func (r Renderer) Frontier(byMode map[string][]Point, xLabel, yLabel string) (*Figure, error) {
	const name = "frontier"
	if xLabel == "" {
		xLabel = "X"
	}
	if yLabel == "" {
		yLabel = "Y"
	}
	title := fmt.Sprintf("%s vs %s", stripUnit(yLabel), lowerWord(stripUnit(xLabel)))

	modes := sortedKeys(byMode)
	type drawn struct {
		mode   string
		xs, ys []float64
		labels []string
		style  seriesStyle
	}
	var (
		kept     []drawn
		st       styler
		nLabeled int
	)
	for _, m := range modes {
		d := drawn{mode: m, style: st.next(m)}
		for _, pt := range byMode[m] {
			if !finite(pt.X) || !finite(pt.Y) {
				continue
			}
			d.xs, d.ys = append(d.xs, pt.X), append(d.ys, pt.Y)
			d.labels = append(d.labels, pt.Label)
			if pt.Label != "" {
				nLabeled++
			}
		}
		if len(d.xs) > 0 {
			kept = append(kept, d)
		}
	}
	if len(kept) == 0 {
		return nil, fmt.Errorf("%w: %s", ErrNoData, name)
	}

	p := newPlot(title, xLabel, yLabel, gridXY)
	for _, d := range kept {
		// More than MaxPoints: min–max buckets in input order.
		sc := &plotter.Scatter{XYs: points(d.xs, d.ys, 1, MaxPoints), GlyphStyle: d.style.glyphStyle()}
		p.Add(sc)
		if len(kept) > 1 {
			p.Legend.Add(d.mode, sc)
		}
	}
	if nLabeled > 0 && nLabeled <= maxPointLabels {
		sty := p.X.Tick.Label // themed
		sty.XAlign, sty.YAlign = draw.XLeft, draw.YCenter
		for _, d := range kept {
			var ll plotter.XYLabels
			for i, s := range d.labels {
				if s != "" {
					ll.XYs = append(ll.XYs, plotter.XY{X: d.xs[i], Y: d.ys[i]})
					ll.Labels = append(ll.Labels, s)
				}
			}
			if len(ll.Labels) == 0 {
				continue
			}
			lb, err := plotter.NewLabels(ll)
			if err != nil {
				return nil, fmt.Errorf("figures: %s: %w", name, err)
			}
			lb.TextStyle = make([]text.Style, len(lb.Labels))
			for i := range lb.TextStyle {
				lb.TextStyle[i] = sty
				lb.TextStyle[i].Color = d.style.color
			}
			lb.Offset = vg.Point{X: vg.Points(5)}
			p.Add(lb)
		}
	}

	l := layout{plots: []*plot.Plot{p}}
	if len(kept) > 1 {
		l.takeLegend(p)
	}
	return r.render(name, title, defaultSize, l.draw)
}

// stripUnit returns label without a trailing parenthesised unit:
// "Worst loss (% of equity)" → "Worst loss".
func stripUnit(label string) string {
	if i := strings.LastIndex(label, " ("); i > 0 && strings.HasSuffix(label, ")") {
		return label[:i]
	}
	return label
}

// lowerWord lower-cases s's first letter when the rest of its first word
// is lower case ("Worst loss" → "worst loss"; "PnL", "VaR", "CVaR" stay).
func lowerWord(s string) string {
	r := []rune(s)
	if len(r) < 2 || !unicode.IsUpper(r[0]) {
		return s
	}
	for _, c := range r[1:] {
		if unicode.IsSpace(c) {
			break
		}
		if !unicode.IsLower(c) {
			return s
		}
	}
	r[0] = unicode.ToLower(r[0])
	return string(r)
}

// sortedKeys returns m's keys in increasing order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
