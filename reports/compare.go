package reports

import (
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/marginlab/marginlab/backtest"
	"github.com/marginlab/marginlab/backtest/sweep"
)

// Metrics Compare knows, by name, and how to aggregate them over a mode's
// matched runs.
var compareMetrics = []struct {
	name string
	agg  func(rows []*sweep.RunRow) float64
}{
	{"positions_liquidated_per_1000", per1000(func(m *backtest.Metrics) int { return m.PositionsLiquidated })},
	{"partial_liquidations_per_1000", per1000(func(m *backtest.Metrics) int { return m.PartialLiquidations })},
	{"positions_touched_per_1000", per1000(func(m *backtest.Metrics) int { return m.PositionsTouched })},
	{"any_liquidation", func(rows []*sweep.RunRow) float64 {
		n := 0
		for _, r := range rows {
			if r.Metrics.PositionsTouched > 0 {
				n++
			}
		}
		return float64(n) / float64(len(rows))
	}},
	{"total_return", meanOf(func(r *sweep.RunRow) float64 { return r.Metrics.TotalReturn })},
	{"max_drawdown", meanOf(func(r *sweep.RunRow) float64 { return r.Metrics.MaxDrawdown })},
	{"return_on_capital_at_risk", meanOf(func(r *sweep.RunRow) float64 { return r.Metrics.ReturnOnCapitalAtRisk })},
	{"margin_utilisation", meanOf(func(r *sweep.RunRow) float64 { return r.Metrics.MarginUtilisation })},
	{"loss_median_pct", func(rows []*sweep.RunRow) float64 {
		// Over the runs that liquidated: a run without a liquidation has
		// no loss to take a median of (its LossMedianPct is 0).
		s, n := 0.0, 0
		for _, r := range rows {
			if r.Metrics.PositionsTouched > 0 {
				s += r.Metrics.LossMedianPct
				n++
			}
		}
		return s / float64(n) // NaN when none liquidated
	}},
	{"fees", meanOf(func(r *sweep.RunRow) float64 { return r.Metrics.Fees })},
	{"funding_paid", meanOf(func(r *sweep.RunRow) float64 { return r.Metrics.FundingPaid })},
}

// per1000 aggregates a count as events per 1,000 positions opened over
// the runs (0 when none opened).
func per1000(count func(m *backtest.Metrics) int) func(rows []*sweep.RunRow) float64 {
	return func(rows []*sweep.RunRow) float64 {
		n, pos := 0, 0
		for _, r := range rows {
			n += count(&r.Metrics)
			pos += r.Metrics.Positions
		}
		if pos == 0 {
			return 0
		}
		return 1000 * float64(n) / float64(pos)
	}
}

func meanOf(get func(r *sweep.RunRow) float64) func(rows []*sweep.RunRow) float64 {
	return func(rows []*sweep.RunRow) float64 {
		s := 0.0
		for _, r := range rows {
			s += get(r)
		}
		return s / float64(len(rows))
	}
}

// CompareMetricNames lists the metrics Compare and its thresholds know.
func CompareMetricNames() []string {
	out := make([]string, len(compareMetrics))
	for k, m := range compareMetrics {
		out[k] = m.name
	}
	return out
}

// Change is one metric of one mode in two result sets.
type Change struct {
	Mode, Metric    string
	Base, New, Diff float64
	Threshold       float64 // NaN when none was set
	Crossed         bool    // |Diff| > Threshold
}

// Comparison is the result of Compare.
type Comparison struct {
	Matched  int // runs (cell, mode, path) in both
	OnlyBase int
	OnlyNew  int
	Changes  []Change
	Crossed  int // changes past their threshold
}

// ErrNothingInCommon is returned when two result sets share no run.
var ErrNothingInCommon = errors.New("reports: the two result sets have no run (cell, mode, path) in common")

// Compare matches the runs of two result sets by cell id (derived from the
// cell's parameters), mode and path, aggregates each metric per mode over
// the matched runs, and flags every change whose absolute size passes its
// threshold (thresholds by metric name).
func Compare(base, next *sweep.Results, thresholds map[string]float64) (*Comparison, error) {
	known := CompareMetricNames()
	var unknown []string
	for k := range thresholds {
		if !slices.Contains(known, k) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return nil, fmt.Errorf("reports: unknown metric %s for a threshold (known: %s)", strings.Join(unknown, ", "), strings.Join(known, ", "))
	}
	type key struct {
		cell, mode string
		path       int
	}
	idx := map[key]*sweep.RunRow{}
	for k := range base.Runs {
		r := &base.Runs[k]
		idx[key{r.CellID, r.Mode, r.Path}] = r
	}
	c := &Comparison{}
	b, n := map[string][]*sweep.RunRow{}, map[string][]*sweep.RunRow{}
	seen := map[key]bool{}
	for k := range next.Runs {
		r := &next.Runs[k]
		kk := key{r.CellID, r.Mode, r.Path}
		if old, ok := idx[kk]; ok {
			b[r.Mode] = append(b[r.Mode], old)
			n[r.Mode] = append(n[r.Mode], r)
			seen[kk] = true
			c.Matched++
		} else {
			c.OnlyNew++
		}
	}
	c.OnlyBase = len(base.Runs) - len(seen)
	if c.Matched == 0 {
		return nil, ErrNothingInCommon
	}
	for _, mode := range sortedModes(b) {
		for _, m := range compareMetrics {
			ch := Change{Mode: mode, Metric: m.name, Base: m.agg(b[mode]), New: m.agg(n[mode]), Threshold: math.NaN()}
			ch.Diff = ch.New - ch.Base
			if t, ok := thresholds[m.name]; ok {
				ch.Threshold = t
				// Undefined on one side only (e.g. liquidations appeared) is a
				// change past any threshold; undefined on both is none.
				ch.Crossed = math.Abs(ch.Diff) > t || math.IsNaN(ch.Base) != math.IsNaN(ch.New)
				if ch.Crossed {
					c.Crossed++
				}
			}
			c.Changes = append(c.Changes, ch)
		}
	}
	return c, nil
}

// WriteComparison prints the changes as aligned text or a Markdown table.
func WriteComparison(w io.Writer, c *Comparison, markdown bool) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%d runs matched (%d only in base, %d only in new); %d thresholds crossed.\n\n", c.Matched, c.OnlyBase, c.OnlyNew, c.Crossed)
	if markdown {
		b.WriteString("| mode | metric | base | new | change | threshold | |\n|---|---|---:|---:|---:|---:|---|\n")
	} else {
		fmt.Fprintf(&b, "%-10s %-27s %12s %12s %12s %10s\n", "mode", "metric", "base", "new", "change", "threshold")
	}
	for _, ch := range c.Changes {
		th, flag := "", ""
		if !math.IsNaN(ch.Threshold) {
			th = num(ch.Threshold)
		}
		if ch.Crossed {
			flag = "CROSSED"
		}
		if markdown {
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %+.4g | %s | %s |\n", ch.Mode, ch.Metric, num(ch.Base), num(ch.New), ch.Diff, th, flag)
		} else {
			fmt.Fprintf(&b, "%-10s %-27s %12.4g %12.4g %+12.4g %10s %s\n", ch.Mode, ch.Metric, ch.Base, ch.New, ch.Diff, th, flag)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
