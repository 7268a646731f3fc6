package reports

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"slices"

	"github.com/marginlab/marginlab/backtest/sweep"
	"github.com/marginlab/marginlab/reports/figures"
)

// FigureSet holds a report's figures. A figure whose data is missing is
// left out and named, with the reason, in Missing.
type FigureSet struct {
	Figures []*figures.Figure
	Missing []string // figures left out, with the reason
	// Problems are the figures of Missing left out because something
	// failed (an unreadable equity table, bad values), not for lack of
	// data: a caller should warn about them.
	Problems []string
}

// errNoSeries says that no equity series were kept: a figure left out for
// lack of data, not a problem.
var errNoSeries = errors.New("no equity series were kept (a sweep keeps them with --equity)")

// EquitySource returns the equity series of one cell on one path, a row
// per mode. It returns an error wrapping os.ErrNotExist when no series
// were kept.
type EquitySource func(cell string, path int) ([]sweep.EquityRow, error)

// DirEquity reads series from the equity.parquet of res's sweep
// directory dir, or is nil when the sweep wrote none.
func DirEquity(dir string, res *sweep.Results) EquitySource {
	if !res.Manifest.Equity {
		return nil
	}
	return func(cell string, path int) ([]sweep.EquityRow, error) { return sweep.ReadEquity(dir, cell, path) }
}

// Figures draws every figure the results allow: from res and rep, and for
// the cell-over-time figure from eq when it is not nil.
func Figures(res *sweep.Results, rep *Report, eq EquitySource) (*FigureSet, error) {
	fs := &FigureSet{}
	add := func(name string, f *figures.Figure, err error) {
		if err != nil {
			msg := fmt.Sprintf("%s: %v", name, err)
			fs.Missing = append(fs.Missing, msg)
			if !errors.Is(err, figures.ErrNoData) && !errors.Is(err, errNoSeries) {
				fs.Problems = append(fs.Problems, msg)
			}
			return
		}
		fs.Figures = append(fs.Figures, f)
	}
	if len(rep.Leverage) > 0 {
		var freq, roc []figures.Series
		for _, mode := range rep.Sweep.Modes {
			var f, r figures.Series
			f.Label, r.Label = mode, mode
			for _, l := range rep.Leverage {
				if l.Mode != mode {
					continue
				}
				rate, roc := l.PositionsLiquidatedPer1000, l.ReturnOnCapitalAtRisk
				f.X, f.Y, f.Lo, f.Hi = append(f.X, l.Leverage), append(f.Y, rate.Estimate), append(f.Lo, rate.Lo), append(f.Hi, rate.Hi)
				r.X, r.Y, r.Lo, r.Hi = append(r.X, l.Leverage), append(r.Y, roc.Estimate), append(r.Lo, roc.Lo), append(r.Hi, roc.Hi) // fractions: the figure shows percent
			}
			freq, roc = append(freq, f), append(roc, r)
		}
		f, err := figures.LiquidationFrequency(freq, "positions liquidated per 1,000 positions")
		add("liquidation frequency vs leverage", f, err)
		f, err = figures.ReturnOnCapitalAtRisk(roc)
		add("return on peak capital at risk vs leverage", f, err)
	} else {
		fs.Missing = append(fs.Missing, "liquidation frequency and return on capital at risk vs leverage: leverage was not swept")
	}
	f, err := figures.Frontier(frontier(res), "max drawdown, %", "total return, %")
	add("return vs drawdown frontier", f, err)
	f, err = cellOverTime(res, eq)
	add("one cell over time", f, err)
	var surv []figures.Series
	for _, m := range rep.Modes {
		s := figures.Series{Label: m.Mode}
		for _, p := range m.FirstLiquidation {
			s.X, s.Y, s.Lo, s.Hi = append(s.X, 365.25*p.Time), append(s.Y, p.Survival), append(s.Lo, p.Lo), append(s.Hi, p.Hi)
		}
		// Hold the last value to the end of follow-up, so a mode without
		// liquidations is a line at 1, not a point.
		if last := m.FirstLiquidation[len(m.FirstLiquidation)-1]; m.FollowUp > last.Time {
			s.X, s.Y, s.Lo, s.Hi = append(s.X, 365.25*m.FollowUp), append(s.Y, last.Survival), append(s.Lo, last.Lo), append(s.Hi, last.Hi)
		}
		surv = append(surv, s)
	}
	f, err = figures.Survival(surv, "days to the first liquidation")
	add("survival", f, err)
	losses := map[string][]float64{}
	for k := range res.Liquidations {
		l := &res.Liquidations[k]
		if x, ok := lossPct(l); ok {
			losses[l.Mode] = append(losses[l.Mode], x)
		}
	}
	f, err = figures.LossDistribution(losses, "loss per liquidation, % of equity")
	add("loss per liquidation", f, err)
	if g, ok := ratioGrid(res); ok {
		f, err = figures.RatioHeatmap(g, "liquidation rate, isolated ÷ cross")
		add("rate ratio heatmap", f, err)
	} else {
		fs.Missing = append(fs.Missing, "rate ratio heatmap: needs leverage and one more numeric parameter swept")
	}
	return fs, nil
}

// frontier returns one point per cell and mode: the means over paths of
// max drawdown and total return, in percent.
func frontier(res *sweep.Results) map[string][]figures.Point {
	type acc struct{ dd, ret, n float64 }
	sums := map[string]map[string]*acc{}
	for k := range res.Runs {
		r := &res.Runs[k]
		if sums[r.Mode] == nil {
			sums[r.Mode] = map[string]*acc{}
		}
		a := sums[r.Mode][r.CellID]
		if a == nil {
			a = &acc{}
			sums[r.Mode][r.CellID] = a
		}
		a.dd += 100 * r.Metrics.MaxDrawdown
		a.ret += 100 * r.Metrics.TotalReturn
		a.n++
	}
	out := map[string][]figures.Point{}
	for mode, cells := range sums {
		for _, id := range slices.Sorted(maps.Keys(cells)) {
			a := cells[id]
			out[mode] = append(out[mode], figures.Point{X: a.dd / a.n, Y: a.ret / a.n, Label: id})
		}
	}
	return out
}

// cellOverTime draws the cell whose isolated and cross liquidation counts
// differ most, on path 0, from the equity table.
func cellOverTime(res *sweep.Results, eq EquitySource) (*figures.Figure, error) {
	if eq == nil {
		return nil, errNoSeries
	}
	counts := map[string][2]int{}
	for k := range res.Runs {
		r := &res.Runs[k]
		if r.Path != 0 {
			continue
		}
		c := counts[r.CellID]
		switch r.Mode {
		case "isolated":
			c[0] = r.Metrics.PositionsLiquidated
		case "cross":
			c[1] = r.Metrics.PositionsLiquidated
		}
		counts[r.CellID] = c
	}
	best, gap := "", -1
	for _, id := range slices.Sorted(maps.Keys(counts)) {
		c := counts[id]
		if g := abs(c[0] - c[1]); g > gap {
			best, gap = id, g
		}
	}
	rows, err := eq(best, 0)
	if errors.Is(err, os.ErrNotExist) {
		return nil, errNoSeries
	}
	if err != nil {
		return nil, err
	}
	ts := figures.TimeSeries{Equity: map[string][]float64{}, MarginUtil: map[string][]float64{}, Liquidations: map[string][]int64{}}
	for _, r := range rows {
		ts.Times = r.Time
		ts.Equity[r.Mode] = r.Equity
		util := make([]float64, len(r.Equity))
		for i := range util {
			util[i] = math.NaN()
			if r.Equity[i] > 0 {
				util[i] = r.MarginUsed[i] / r.Equity[i] // a fraction: the figure shows percent
			}
		}
		ts.MarginUtil[r.Mode] = util
	}
	for k := range res.Liquidations {
		l := &res.Liquidations[k]
		if l.CellID == best && l.Path == 0 {
			ts.Liquidations[l.Mode] = append(ts.Liquidations[l.Mode], l.Time)
		}
	}
	return figures.CellOverTime(ts, fmt.Sprintf("cell %s on the input market (path 0)", best))
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// ratioGrid builds the isolated ÷ cross liquidation-rate grid over
// leverage and the first other numeric swept parameter, pooling everything
// else.
func ratioGrid(res *sweep.Results) (figures.Grid, bool) {
	var other string
	hasLev := false
	for _, ax := range res.Manifest.Axes {
		if ax.Path == "leverage" {
			hasLev = true
			continue
		}
		if other == "" && allNumeric(ax.Values) {
			other = ax.Path
		}
	}
	if !hasLev || other == "" {
		return figures.Grid{}, false
	}
	type key struct{ x, y float64 }
	liq := map[string]map[key][2]int{"isolated": {}, "cross": {}}
	var xs, ys []float64
	for k := range res.Runs {
		r := &res.Runs[k]
		x, _ := r.Params["leverage"].(float64)
		y, _ := r.Params[other].(float64)
		if !slices.Contains(xs, x) {
			xs = append(xs, x)
		}
		if !slices.Contains(ys, y) {
			ys = append(ys, y)
		}
		if m := liq[r.Mode]; m != nil {
			c := m[key{x, y}]
			c[0] += r.Metrics.PositionsLiquidated
			c[1] += r.Metrics.Positions
			m[key{x, y}] = c
		}
	}
	slices.Sort(xs)
	slices.Sort(ys)
	g := figures.Grid{XLabel: "leverage", YLabel: other, X: xs, Y: ys}
	for _, y := range ys {
		row := make([]float64, len(xs))
		for j, x := range xs {
			iso, cross := liq["isolated"][key{x, y}], liq["cross"][key{x, y}]
			row[j] = math.NaN()
			if iso[1] > 0 && cross[1] > 0 && cross[0] > 0 {
				row[j] = (float64(iso[0]) / float64(iso[1])) / (float64(cross[0]) / float64(cross[1]))
			}
		}
		g.Z = append(g.Z, row)
	}
	return g, true
}

func allNumeric(vals []any) bool {
	for _, v := range vals {
		if _, ok := v.(float64); !ok {
			return false
		}
	}
	return len(vals) > 1
}
