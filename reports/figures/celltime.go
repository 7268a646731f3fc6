package figures

import (
	"fmt"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// CellOverTime draws one cell's path over time in two stacked panels
// sharing a UTC date axis: equity per mode with a marker at each
// liquidation (on the mode's equity line, at the first bar at or after
// the liquidation), and margin utilisation per mode in percent. Modes are
// drawn in sorted order. Series must have len(ts.Times) values and Times
// must be non-decreasing; a panel with no finite value is left out. title
// empty means "Equity and margin utilisation over time". Series longer
// than MaxPoints are downsampled (min–max buckets).
func CellOverTime(ts TimeSeries, title string) (*Figure, error) {
	return Renderer{}.CellOverTime(ts, title)
}

// CellOverTime is the package-level CellOverTime drawn with r's size and
// resolution.
func (r Renderer) CellOverTime(ts TimeSeries, title string) (*Figure, error) {
	const name = "cell-over-time"
	if title == "" {
		title = "Equity and margin utilisation over time"
	}
	n := len(ts.Times)
	if n == 0 {
		return nil, fmt.Errorf("%w: %s: no times", ErrNoData, name)
	}
	for i := 1; i < n; i++ {
		if ts.Times[i] < ts.Times[i-1] {
			return nil, fmt.Errorf("%w: %s: Times[%d] = %d is before Times[%d] = %d", ErrInput, name, i, ts.Times[i], i-1, ts.Times[i-1])
		}
	}
	for _, set := range []struct {
		what string
		m    map[string][]float64
	}{{"Equity", ts.Equity}, {"MarginUtil", ts.MarginUtil}} {
		for _, k := range sortedKeys(set.m) {
			if len(set.m[k]) != n {
				return nil, fmt.Errorf("%w: %s: %s[%q] has %d values, Times %d", ErrInput, name, set.what, k, len(set.m[k]), n)
			}
		}
	}

	// Unix seconds for the date axis (plot.TimeTicks works in seconds).
	secs := make([]float64, n)
	for i, t := range ts.Times {
		secs[i] = float64(t) / 1e9
	}

	// One style per mode, shared by both panels.
	seen := map[string]bool{}
	var modes []string
	for _, k := range append(sortedKeys(ts.Equity), sortedKeys(ts.MarginUtil)...) {
		if !seen[k] {
			seen[k] = true
			modes = append(modes, k)
		}
	}
	sort.Strings(modes)
	var st styler
	styles := make(map[string]seriesStyle, len(modes))
	for _, m := range modes {
		styles[m] = st.next(m)
	}

	top := newPlot(title, "", "Equity (quote currency)", gridXY)
	bottom := newPlot("", "Date (UTC)", "Margin utilisation (%)", gridXY)
	var (
		topLines, bottomLines int
		markers               int
		inLegend              = map[string]bool{}
	)
	// addLine draws mode m's series ys (times scale) on p and counts it.
	addLine := func(p *plot.Plot, m string, ys []float64, scale float64, count *int) {
		if xy := points(secs, ys, scale, MaxPoints); len(xy) > 0 {
			p.Add(&plotter.Line{XYs: xy, LineStyle: styles[m].line(len(xy))})
			inLegend[m] = true
			*count++
		}
	}
	for _, m := range modes {
		if eq, ok := ts.Equity[m]; ok {
			addLine(top, m, eq, 1, &topLines)
		}
		if mu, ok := ts.MarginUtil[m]; ok {
			addLine(bottom, m, mu, 100, &bottomLines)
		}
	}
	// Liquidation markers above the lines.
	markerStyle := func(m string) draw.GlyphStyle {
		return draw.GlyphStyle{Color: styles[m].color, Radius: vg.Points(4.5), Shape: liquidationGlyph{}}
	}
	for _, m := range sortedKeys(ts.Liquidations) {
		eq, ok := ts.Equity[m]
		if !ok {
			continue
		}
		xy := liquidationPoints(ts.Times, secs, eq, ts.Liquidations[m])
		if len(xy) == 0 {
			continue
		}
		top.Add(&plotter.Scatter{XYs: xy, GlyphStyle: markerStyle(m)})
		markers += len(xy)
	}
	if topLines == 0 && bottomLines == 0 {
		return nil, fmt.Errorf("%w: %s", ErrNoData, name)
	}

	var plots []*plot.Plot
	if topLines > 0 {
		plots = append(plots, top)
	}
	if bottomLines > 0 {
		plots = append(plots, bottom)
	}
	plots[0].Title.Text = title
	last := plots[len(plots)-1]
	last.X.Label.Text = "Date (UTC)"

	lo, hi := secs[0], secs[n-1]
	if hi <= lo {
		lo, hi = lo-3600, hi+3600
	}
	for _, p := range plots {
		p.X.Min, p.X.Max = lo, hi
		dateAxis(&p.X, lo, hi)
	}

	l := layout{plots: plots}
	if len(inLegend) > 1 || markers > 0 {
		for _, m := range modes {
			if inLegend[m] {
				// A thumbnail at the sparse-line width, easier to read
				// than a dense line's.
				plots[0].Legend.Add(m, &plotter.Line{LineStyle: styles[m].line(0)})
			}
		}
		if markers > 0 {
			plots[0].Legend.Add("liquidation", &plotter.Scatter{GlyphStyle: draw.GlyphStyle{
				Color: axisGrey, Radius: vg.Points(4.5), Shape: liquidationGlyph{},
			}})
		}
		l.takeLegend(plots[0])
	}
	size := tallSize
	if len(plots) == 1 {
		size = defaultSize
	}
	return r.render(name, title, size, l.draw)
}

// liquidationPoints places each liquidation time of liq on the equity
// line: at the first bar at or after it (the last bar for a time past the
// end), at the nearest finite equity value within 64 bars. Times before
// the first bar, and those with no finite equity near, are skipped. At
// most MaxPoints markers are kept, evenly spread.
func liquidationPoints(times []int64, secs, equity []float64, liq []int64) plotter.XYs {
	n := len(times)
	var xy plotter.XYs
	for _, t := range liq {
		if t < times[0] {
			continue
		}
		i := sort.Search(n, func(k int) bool { return times[k] >= t })
		if i == n {
			i = n - 1
		}
		j := nearestFinite(equity, i, 64)
		if j < 0 {
			continue
		}
		xy = append(xy, plotter.XY{X: secs[j], Y: equity[j]})
	}
	if len(xy) > MaxPoints {
		thin := make(plotter.XYs, MaxPoints)
		for k := range thin {
			thin[k] = xy[k*len(xy)/MaxPoints]
		}
		xy = thin
	}
	return xy
}

// nearestFinite returns the index nearest i (ties to the later one) within
// reach whose value is finite, or -1.
func nearestFinite(v []float64, i, reach int) int {
	for d := 0; d <= reach; d++ {
		if k := i + d; k < len(v) && finite(v[k]) {
			return k
		}
		if k := i - d; k >= 0 && finite(v[k]) {
			return k
		}
	}
	return -1
}
