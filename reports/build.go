package reports

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/marginlab/marginlab/backtest/risk"
	"github.com/marginlab/marginlab/backtest/sweep"
)

// Options configure Build. Zero values mean the defaults.
type Options struct {
	Conf float64 // interval level, default 0.95
	Reps int     // bootstrap resamples, default 2000
	Seed uint64  // bootstrap seed
	// BlockDays is the length of the blocks of time the intervals
	// resample when there are too few Monte Carlo paths; 0 means ∛(span
	// in days), at least a day (see clusters.go).
	BlockDays float64
}

func (o Options) withDefaults() Options {
	if o.Conf == 0 {
		o.Conf = 0.95
	}
	if o.Reps == 0 {
		o.Reps = 2000
	}
	return o
}

// Report is everything a report shows, computed from result tables.
type Report struct {
	Sweep    SweepInfo
	Modes    []ModeStats     // one per margin mode, by name
	Leverage []LeverageStats // per leverage and mode, when leverage was swept
	Paired   []PairedDiff    // isolated − cross, when both modes ran
	Findings []string        // sentences computed from the numbers above
	Conf     float64
	// Resampling says what the intervals treat as independent (clusters.go).
	Resampling Resampling
}

// SweepInfo describes the results a report is built from.
type SweepInfo struct {
	Hash    string
	Version string
	Cells   int
	Paths   int
	Runs    int // rows: cells × modes × paths
	Axes    []sweep.Axis
	Modes   []string
	// Warnings are the data's warnings from the manifest (coverage gaps
	// the configuration accepted, coarse marks, dropped rows): every
	// output shows them.
	Warnings []string
}

// ModeStats summarise one margin mode over every run (cell × path). Field
// names are the metrics' names everywhere (run --json, runs.parquet,
// summary.json, compare); liquidation counts and rates leave out events
// after a run's ruin (backtest doc.go, Ruin), which LiquidationsAfterRuin
// counts.
type ModeStats struct {
	Mode      string
	Runs      int
	Positions int
	// Events that enter the rates: positions closed by a liquidation,
	// partial-liquidation events, positions with either.
	PositionsLiquidated   int
	PartialLiquidations   int
	PositionsTouched      int
	LiquidationsAfterRuin int
	// Orders refused, in all and by reason (backtest doc.go, Orders).
	Rejections, RejectedMargin, RejectedLeverage, RejectedMinOrder, RejectedRuin int
	ObservedYears                                                                float64 // Σ runs' observed spans (to ruin, or the whole span)
	// AnyLiquidation is the share of runs with at least one liquidation
	// event.
	AnyLiquidation risk.Interval
	// Rates per 1,000 positions opened and per observed run-year, with
	// cluster-aware intervals (clusters.go).
	PositionsLiquidatedPer1000 risk.Interval
	PositionsLiquidatedPerYear risk.Interval
	PartialLiquidationsPer1000 risk.Interval
	PositionsTouchedPer1000    risk.Interval
	LossPct                    risk.Dist     // % of equity each liquidation event took
	LossMedian                 risk.Interval // median of LossPct, cluster-aware interval (clusters.go)
	Ambiguity                  float64       // share of liquidation events the close policy would not have fired
	// Survival to the first liquidation and to ruin, in years, and the
	// longest a run was observed: the curves hold their last value until
	// then.
	FirstLiquidation []risk.SurvivalPoint
	Ruin             []risk.SurvivalPoint
	FollowUp         float64
	// Capital efficiency, means over runs with t intervals: capital at
	// risk (mean over a run's bars, and its peak; quote units) next to the
	// return on the peak. RecommittedRuns counts runs whose return on peak
	// capital at risk is below −100 %: they lost more than they ever had at
	// risk at once, by committing margin again after losses.
	CapitalAtRisk         risk.Interval
	CapitalAtRiskPeak     risk.Interval
	ReturnOnCapitalAtRisk risk.Interval
	RecommittedRuns       int
	MarginUtilisation     risk.Interval
	IdleCapital           risk.Interval
	EffectiveLeverage     risk.Interval
	TotalReturn           risk.Interval
	MaxDrawdown           risk.Interval
	FundingPaid           risk.Interval
}

// LeverageStats summarise one mode at one leverage (names as ModeStats).
type LeverageStats struct {
	Leverage                   float64
	Mode                       string
	Runs                       int
	PositionsLiquidated        int
	PartialLiquidations        int
	AnyLiquidation             risk.Interval
	PositionsLiquidatedPer1000 risk.Interval
	PartialLiquidationsPer1000 risk.Interval
	LossMedian                 risk.Interval // % of equity, median with a cluster-aware interval; NaN without liquidations
	CapitalAtRiskPeak          risk.Interval
	ReturnOnCapitalAtRisk      risk.Interval
	TotalReturn                risk.Interval
}

// PairedDiff is isolated − cross of one metric over the runs both modes
// share.
type PairedDiff struct {
	Metric string
	Unit   string // UnitCount or UnitFraction
	Pairs  int
	Diff   risk.Interval // in Unit; NaN Lo and Hi when there is no interval (Report.Resampling says why)
}

// Units of a paired difference.
const (
	UnitCount    = "count"
	UnitFraction = "fraction" // 0.01 = 1 percentage point
)

// pairedMetrics are the headline metrics compared pairwise.
var pairedMetrics = []struct {
	name, unit string
	get        func(r *sweep.RunRow) float64
}{
	{pairedEventMetric, UnitCount, func(r *sweep.RunRow) float64 { return float64(r.Metrics.PositionsLiquidated) }},
	{"total_return", UnitFraction, func(r *sweep.RunRow) float64 { return r.Metrics.TotalReturn }},
	{"max_drawdown", UnitFraction, func(r *sweep.RunRow) float64 { return r.Metrics.MaxDrawdown }},
	{"return_on_capital_at_risk", UnitFraction, func(r *sweep.RunRow) float64 { return r.Metrics.ReturnOnCapitalAtRisk }},
	{"margin_utilisation", UnitFraction, func(r *sweep.RunRow) float64 { return r.Metrics.MarginUtilisation }},
}

// Build computes a report from a sweep's results.
func Build(res *sweep.Results, opt Options) (*Report, error) {
	opt = opt.withDefaults()
	if len(res.Runs) == 0 {
		return nil, fmt.Errorf("reports: the results hold no runs")
	}
	man := res.Manifest
	rep := &Report{Conf: opt.Conf, Sweep: SweepInfo{Hash: man.Hash, Version: man.Version, Cells: len(man.Cells),
		Paths: man.Settings.Paths, Runs: len(res.Runs), Axes: man.Axes, Warnings: man.Warnings}}
	byMode := map[string][]*sweep.RunRow{}
	for k := range res.Runs {
		r := &res.Runs[k]
		byMode[r.Mode] = append(byMode[r.Mode], r)
	}
	liqByMode := map[string][]*sweep.LiquidationRow{}
	for k := range res.Liquidations {
		l := &res.Liquidations[k]
		liqByMode[l.Mode] = append(liqByMode[l.Mode], l)
	}
	rep.Sweep.Modes = sortedModes(byMode)
	cl := newClusters(res, opt)
	for _, mode := range rep.Sweep.Modes {
		rep.Modes = append(rep.Modes, modeStats(mode, byMode[mode], liqByMode[mode], opt.Conf, cl, mode))
	}
	if levAxis(man.Axes) {
		rep.Leverage = leverageStats(rep.Sweep.Modes, byMode, liqByMode, opt.Conf, cl)
	}
	if iso, cross := byMode["isolated"], byMode["cross"]; len(iso) > 0 && len(cross) > 0 {
		rep.Paired = cl.paired(iso, cross, res.Liquidations)
	}
	rep.Resampling = cl.resampling()
	rep.Findings = findings(rep)
	return rep, nil
}

// sortedModes orders isolated, cross, hybrid first, then any other name.
func sortedModes[V any](m map[string]V) []string {
	rank := map[string]int{"isolated": 0, "cross": 1, "hybrid": 2}
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(a, b int) bool {
		ra, oka := rank[out[a]]
		rb, okb := rank[out[b]]
		switch {
		case oka && okb:
			return ra < rb
		case oka != okb:
			return oka
		}
		return out[a] < out[b]
	})
	return out
}

func levAxis(axes []sweep.Axis) bool {
	for _, ax := range axes {
		if ax.Path == "leverage" {
			return true
		}
	}
	return false
}

// modeStats summarises runs of one mode; its liquidation intervals come
// from cl, under label. Events after a run's ruin are left out of every
// liquidation figure but their count.
func modeStats(mode string, runs []*sweep.RunRow, allLiqs []*sweep.LiquidationRow, conf float64, cl *clusters, label string) ModeStats {
	ms := ModeStats{Mode: mode, Runs: len(runs)}
	first := make([]float64, len(runs))
	firstObs := make([]bool, len(runs))
	ruin := make([]float64, len(runs))
	ruinObs := make([]bool, len(runs))
	var car, peak, roc, util, idle, lev, ret, dd, fund []float64
	for k, r := range runs {
		m := &r.Metrics
		ms.Positions += m.Positions
		ms.PositionsLiquidated += m.PositionsLiquidated
		ms.PartialLiquidations += m.PartialLiquidations
		ms.PositionsTouched += m.PositionsTouched
		ms.LiquidationsAfterRuin += m.LiquidationsAfterRuin
		ms.Rejections += m.Rejections
		ms.RejectedMargin += m.RejectedMargin
		ms.RejectedLeverage += m.RejectedLeverage
		ms.RejectedMinOrder += m.RejectedMinOrder
		ms.RejectedRuin += m.RejectedRuin
		ms.ObservedYears += m.ObservedYears
		ms.FollowUp = max(ms.FollowUp, m.Years)
		first[k], firstObs[k] = m.YearsToFirstLiquidation, !m.Censored
		ruin[k], ruinObs[k] = m.YearsToRuin, m.Ruined
		car, peak = append(car, m.CapitalAtRisk), append(peak, m.CapitalAtRiskPeak)
		roc = append(roc, m.ReturnOnCapitalAtRisk)
		if m.ReturnOnCapitalAtRisk < -1 {
			ms.RecommittedRuns++
		}
		util = append(util, m.MarginUtilisation)
		idle = append(idle, m.IdleCapital)
		lev = append(lev, m.EffectiveLeverage)
		ret = append(ret, m.TotalReturn)
		dd = append(dd, m.MaxDrawdown)
		fund = append(fund, m.FundingPaid)
	}
	ev := splitEvents(allLiqs)
	ms.LossPct = risk.Describe(lossPcts(ev.all))
	st := cl.intervals(label, runs, ev)
	ms.AnyLiquidation, ms.LossMedian = st.anyLiq, st.lossMedian
	ms.PositionsLiquidatedPer1000, ms.PositionsLiquidatedPerYear = st.full1000, st.fullYear
	ms.PartialLiquidationsPer1000, ms.PositionsTouchedPer1000 = st.partial1000, st.touched1000
	if len(ev.all) > 0 {
		amb := 0
		for _, l := range ev.all {
			if !l.CloseAlso {
				amb++
			}
		}
		ms.Ambiguity = float64(amb) / float64(len(ev.all))
	}
	ms.FirstLiquidation = risk.KaplanMeier(first, firstObs, conf)
	ms.Ruin = risk.KaplanMeier(ruin, ruinObs, conf)
	ms.CapitalAtRisk = risk.MeanCI(car, conf)
	ms.CapitalAtRiskPeak = risk.MeanCI(peak, conf)
	ms.ReturnOnCapitalAtRisk = risk.MeanCI(roc, conf)
	ms.MarginUtilisation = risk.MeanCI(util, conf)
	ms.IdleCapital = risk.MeanCI(idle, conf)
	ms.EffectiveLeverage = risk.MeanCI(lev, conf)
	ms.TotalReturn = risk.MeanCI(ret, conf)
	ms.MaxDrawdown = risk.MeanCI(dd, conf)
	ms.FundingPaid = risk.MeanCI(fund, conf)
	return ms
}

// events are a set of runs' liquidation events that enter the rates (not
// after ruin), by kind.
type events struct {
	all     []*sweep.LiquidationRow // full and partial
	full    []*sweep.LiquidationRow // a position closed by a liquidation
	partial []*sweep.LiquidationRow
	touched []*sweep.LiquidationRow // each position's first event
}

// splitEvents sorts liquidation rows into events, leaving out those after
// a run's ruin.
func splitEvents(liqs []*sweep.LiquidationRow) events {
	var ev events
	type posKey struct {
		cell, mode string
		path, pos  int
	}
	seen := map[posKey]bool{}
	for _, l := range liqs {
		if l.AfterRuin {
			continue
		}
		ev.all = append(ev.all, l)
		if l.Partial {
			ev.partial = append(ev.partial, l)
		} else {
			ev.full = append(ev.full, l)
		}
		if k := (posKey{l.CellID, l.Mode, l.Path, l.Position}); !seen[k] {
			seen[k] = true
			ev.touched = append(ev.touched, l)
		}
	}
	return ev
}

// lossPct is a liquidation's loss as % of the equity just before it;
// false when that equity was not positive.
func lossPct(l *sweep.LiquidationRow) (float64, bool) {
	if l.EquityBefore <= 0 {
		return 0, false
	}
	return 100 * l.MarginLost / l.EquityBefore, true
}

// lossPcts returns lossPct of every liquidation that has one.
func lossPcts(liqs []*sweep.LiquidationRow) []float64 {
	out := make([]float64, 0, len(liqs))
	for _, l := range liqs {
		if x, ok := lossPct(l); ok {
			out = append(out, x)
		}
	}
	return out
}

func leverageStats(modes []string, byMode map[string][]*sweep.RunRow, liqByMode map[string][]*sweep.LiquidationRow, conf float64, cl *clusters) []LeverageStats {
	var levs []float64
	levOf := map[string]float64{} // cell id → leverage
	for _, runs := range byMode {
		for _, r := range runs {
			l, _ := r.Params["leverage"].(float64)
			levOf[r.CellID] = l
			if !slices.Contains(levs, l) {
				levs = append(levs, l)
			}
		}
	}
	slices.Sort(levs)
	var out []LeverageStats
	for _, lev := range levs {
		for _, mode := range modes {
			var runs []*sweep.RunRow
			for _, r := range byMode[mode] {
				if levOf[r.CellID] == lev {
					runs = append(runs, r)
				}
			}
			var liqs []*sweep.LiquidationRow
			for _, l := range liqByMode[mode] {
				if levOf[l.CellID] == lev {
					liqs = append(liqs, l)
				}
			}
			ms := modeStats(mode, runs, liqs, conf, cl, mode+" at "+num(lev)+"×")
			ls := LeverageStats{Leverage: lev, Mode: mode, Runs: ms.Runs, PositionsLiquidated: ms.PositionsLiquidated,
				PartialLiquidations: ms.PartialLiquidations, AnyLiquidation: ms.AnyLiquidation,
				PositionsLiquidatedPer1000: ms.PositionsLiquidatedPer1000, PartialLiquidationsPer1000: ms.PartialLiquidationsPer1000,
				LossMedian: ms.LossMedian, CapitalAtRiskPeak: ms.CapitalAtRiskPeak, ReturnOnCapitalAtRisk: ms.ReturnOnCapitalAtRisk,
				TotalReturn: ms.TotalReturn}
			out = append(out, ls)
		}
	}
	return out
}

// findings writes a few sentences computed from the report's numbers.
func findings(rep *Report) []string {
	var out []string
	iso, cross := rep.mode("isolated"), rep.mode("cross")
	if iso != nil && cross != nil {
		out = append(out, rateFinding("Over all runs", iso.PositionsLiquidatedPer1000, cross.PositionsLiquidatedPer1000, iso.LossMedian, cross.LossMedian, rep.Conf))
		// The leverage where the two modes differ most (rows come isolated,
		// then cross, at each leverage).
		best, bestRatio := -1, 0.0
		for k := 0; k+1 < len(rep.Leverage); k++ {
			a, b := rep.Leverage[k], rep.Leverage[k+1]
			if a.Mode != "isolated" || b.Mode != "cross" || a.Leverage != b.Leverage || a.PositionsLiquidated == 0 {
				continue
			}
			if r := a.PositionsLiquidatedPer1000.Estimate / math.Max(b.PositionsLiquidatedPer1000.Estimate, 1e-9); r > bestRatio {
				best, bestRatio = k, r
			}
		}
		if best >= 0 {
			a, b := rep.Leverage[best], rep.Leverage[best+1]
			out = append(out, rateFinding(fmt.Sprintf("At %s× leverage", num(a.Leverage)), a.PositionsLiquidatedPer1000, b.PositionsLiquidatedPer1000, a.LossMedian, b.LossMedian, rep.Conf))
		}
	}
	for _, m := range rep.Modes {
		if m.Runs == 0 {
			continue
		}
		if m.Positions == 0 {
			out = append(out, fmt.Sprintf("%s opened no position in %s: %s.", m.Mode, plural(m.Runs, "run"), noPositionWhy(&m)))
			continue
		}
		s := fmt.Sprintf("%s: %s of runs had at least one liquidation (%s)", m.Mode, pctInterval(m.AnyLiquidation), confText(rep.Conf))
		if m.PartialLiquidations > 0 {
			s += fmt.Sprintf("; %s partial-liquidation events besides %s positions liquidated", thousands(m.PartialLiquidations), thousands(m.PositionsLiquidated))
		}
		s += fmt.Sprintf("; mean return on peak capital at risk %s (peak %s on average)", pctOf(m.ReturnOnCapitalAtRisk.Estimate), num(m.CapitalAtRiskPeak.Estimate))
		if m.RecommittedRuns > 0 {
			s += fmt.Sprintf("; %s below −100 %%, having committed lost margin again", plural(m.RecommittedRuns, "run"))
		}
		if m.LiquidationsAfterRuin > 0 {
			s += fmt.Sprintf("; %s after ruin left out of the rates", plural(m.LiquidationsAfterRuin, "liquidation"))
		}
		out = append(out, s+".")
	}
	return out
}

// noPositionWhy says why a mode opened no position: the orders refused, by
// reason, or that the strategy never asked for one.
func noPositionWhy(m *ModeStats) string {
	if m.Rejections == 0 {
		return "the strategy never entered one"
	}
	var parts []string
	for _, r := range []struct {
		name string
		n    int
	}{{"margin", m.RejectedMargin}, {"leverage above the tier's maximum", m.RejectedLeverage}, {"below the minimum order", m.RejectedMinOrder}, {"after ruin", m.RejectedRuin}} {
		if r.n > 0 {
			parts = append(parts, fmt.Sprintf("%s %s", r.name, thousands(r.n)))
		}
	}
	return "every order was refused (" + strings.Join(parts, ", ") + ")"
}

func (r *Report) mode(name string) *ModeStats {
	for k := range r.Modes {
		if r.Modes[k].Mode == name {
			return &r.Modes[k]
		}
	}
	return nil
}

func rateFinding(where string, iso, cross, isoLoss, crossLoss risk.Interval, conf float64) string {
	var how string
	switch {
	case cross.Estimate > 0:
		how = fmt.Sprintf("isolated liquidated %s× as often as cross", num(iso.Estimate/cross.Estimate))
	case iso.Estimate > 0:
		how = "isolated liquidated and cross never did"
	default:
		return where + ", neither mode was liquidated."
	}
	s := fmt.Sprintf("%s, %s: %s vs %s positions liquidated per 1,000 (%s intervals %s and %s)", where, how,
		num(iso.Estimate), num(cross.Estimate), confText(conf), rangeText(iso), rangeText(cross))
	if !math.IsNaN(isoLoss.Estimate) {
		s += fmt.Sprintf("; a median isolated liquidation took %s of equity", lossText(isoLoss))
		if !math.IsNaN(crossLoss.Estimate) {
			s += fmt.Sprintf(", a median cross one %s", lossText(crossLoss))
		}
	}
	return s + "."
}
