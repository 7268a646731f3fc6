package reports

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/marginlab/marginlab/backtest/risk"
	"github.com/marginlab/marginlab/backtest/sweep"
)

// This file makes the report's intervals resample what is independent
// (issue 12, item 7). Liquidations within a run are not independent (one
// crash liquidates many positions), and neither are runs on one price path
// (every cell on path 0 saw the same history). The independent units are
// the Monte Carlo paths when there are enough of them, and blocks of time
// otherwise; every statistic is computed from per-unit sums and resampled
// unit by unit (package risk: ClusterRate, ClusterShare, ClusterMedian,
// BootstrapRatio).

// Resampling says what the report's intervals treat as independent.
type Resampling struct {
	// Resampled is ResamplePaths or ResampleTimeBlocks.
	Resampled string
	// Units is how many independent units there are: paths, or blocks of
	// time per run.
	Units int
	// BlockLengthDays is the length of one block of time, in days, of the
	// longest run (every run is cut into Units equal blocks); NaN when
	// paths are resampled.
	BlockLengthDays float64
	// MinUnits is how many units must carry liquidations (or a non-zero
	// difference) before an interval is bootstrapped (risk.MinClusters).
	MinUnits int
	// Reps is the number of bootstrap resamples.
	Reps int
	// Notes say in words what was resampled and which intervals fell back
	// to another method, or to none.
	Notes []string
}

// What Resampling.Resampled may say.
const (
	ResamplePaths      = "paths"
	ResampleTimeBlocks = "time_blocks"
)

// pairedEventMetric is the paired metric that counts liquidations
// (positions liquidated): the one paired difference that a block of time
// can be assigned (the others are whole-run figures).
const pairedEventMetric = "positions_liquidated"

// clusters assigns runs and liquidations to independent units and
// computes the report's cluster-aware intervals, noting where one fell
// back.
type clusters struct {
	opt    Options
	paths  int            // Monte Carlo paths
	blocks int            // blocks of time per run; 0 when the paths are the units
	bars   map[runKey]int // each run's bars, to put its liquidations in blocks
	info   Resampling

	// Labels of the statistics that fell back, for the notes.
	rateFallback, shareFallback, medianNone, pairedNone []string
}

type runKey struct {
	cell, mode string
	path       int
}

func keyOf(r *sweep.RunRow) runKey { return runKey{r.CellID, r.Mode, r.Path} }

// newClusters chooses the units: the paths when there are at least
// risk.MinClusters of them, blocks of time otherwise (blockCount).
func newClusters(res *sweep.Results, opt Options) *clusters {
	c := &clusters{opt: opt, paths: max(1, res.Manifest.Settings.Paths)}
	for k := range res.Runs {
		c.paths = max(c.paths, res.Runs[k].Path+1)
	}
	for k := range res.Liquidations {
		c.paths = max(c.paths, res.Liquidations[k].Path+1)
	}
	c.info = Resampling{Resampled: ResamplePaths, Units: c.paths, BlockLengthDays: math.NaN(), MinUnits: risk.MinClusters, Reps: opt.Reps}
	if c.paths >= risk.MinClusters {
		return c
	}
	var spanDays float64
	minBars := math.MaxInt
	c.bars = map[runKey]int{}
	for k := range res.Runs {
		r := &res.Runs[k]
		c.bars[keyOf(r)] = r.Metrics.Bars
		spanDays = max(spanDays, r.Metrics.Years*daysPerYear)
		minBars = min(minBars, r.Metrics.Bars)
	}
	c.blocks = max(1, min(blockCount(spanDays, opt.BlockDays), minBars))
	c.info.Resampled, c.info.Units, c.info.BlockLengthDays = ResampleTimeBlocks, c.blocks, spanDays/float64(c.blocks)
	return c
}

const daysPerYear = 365.25

// blockCount returns how many equal blocks of time a span of spanDays is
// cut into: blocks of blockDays, or when that is 0 of ∛spanDays days (at
// least one day), the n^(1/3) order of block length that minimises the
// error of block bootstrap variance and distribution estimates (Hall,
// Horowitz & Jing 1995; Lahiri 2003, ch. 7), with n counted in days
// because liquidation episodes are calendar-time events whatever the
// candles' timeframe: 62 days give 16 blocks of 3.9 days, a year 51 of
// 7.2 days, four years 129 of 11.3 days. At least one block.
func blockCount(spanDays, blockDays float64) int {
	if !(blockDays > 0) {
		blockDays = max(1, math.Cbrt(spanDays))
	}
	return max(1, int(math.Round(spanDays/blockDays)))
}

// unitOf returns the unit of a liquidation: its path, or the block of its
// run's span that holds its bar.
func (c *clusters) unitOf(l *sweep.LiquidationRow) int {
	if c.blocks == 0 {
		return l.Path
	}
	bars := c.bars[runKey{l.CellID, l.Mode, l.Path}]
	if bars <= 0 {
		return 0
	}
	return min(max(l.Bar, 0)*c.blocks/bars, c.blocks-1)
}

// spread adds a run's exposure x (positions, years) to the units: all of
// it to the run's path, or an equal share to each block of time. The
// result tables say how many positions a run opened, not when, so with
// blocks of time the positions are taken to open evenly over the span
// (run-years are spread exactly).
func (c *clusters) spread(dst []float64, r *sweep.RunRow, x float64) {
	if c.blocks == 0 {
		dst[r.Path] += x
		return
	}
	for b := range dst {
		dst[b] += x / float64(c.blocks)
	}
}

// rng returns the generator of one statistic: seeded by Options.Seed and
// the statistic's name, so a statistic's interval depends on neither the
// order in which the report computes them nor the worker count of the
// sweep behind it.
func (c *clusters) rng(label, stat string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(label + "\x00" + stat))
	return rand.New(rand.NewPCG(c.opt.Seed, h.Sum64()))
}

// unitSums are a set of runs' figures summed per unit.
type unitSums struct {
	positions, years []float64 // per unit: positions opened ÷ 1000, observed run-years
	losses           []float64 // % of equity, per liquidation event that has one …
	lossUnits        []int     // … and its unit
	liquidated, ran  []float64 // per path: runs with a liquidation event, runs
}

// sums adds up runs' exposure and their liquidation events' losses per
// unit.
func (c *clusters) sums(runs []*sweep.RunRow, ev events) unitSums {
	n := c.info.Units
	s := unitSums{positions: make([]float64, n), years: make([]float64, n),
		liquidated: make([]float64, c.paths), ran: make([]float64, c.paths)}
	for _, l := range ev.all {
		if x, ok := lossPct(l); ok {
			s.losses, s.lossUnits = append(s.losses, x), append(s.lossUnits, c.unitOf(l))
		}
	}
	for _, r := range runs {
		c.spread(s.positions, r, float64(r.Metrics.Positions)/1000)
		c.spread(s.years, r, r.Metrics.ObservedYears)
		s.ran[r.Path]++
		if r.Metrics.PositionsTouched > 0 {
			s.liquidated[r.Path]++
		}
	}
	return s
}

// perUnit counts liquidation events per unit.
func (c *clusters) perUnit(liqs []*sweep.LiquidationRow) []float64 {
	out := make([]float64, c.info.Units)
	for _, l := range liqs {
		out[c.unitOf(l)]++
	}
	return out
}

// eventStats are the cluster-aware intervals of a set of runs.
type eventStats struct {
	anyLiq                                       risk.Interval // P(≥1 liquidation event)
	full1000, fullYear, partial1000, touched1000 risk.Interval
	lossMedian                                   risk.Interval // % of equity
}

// intervals returns the cluster-aware intervals of a set of runs (one
// mode, or one mode at one leverage) and their liquidation events: P(≥1
// liquidation), positions liquidated per 1,000 positions and per observed
// run-year, partial events and positions touched per 1,000, and the median
// loss per event in % of equity. label names the set in the notes.
func (c *clusters) intervals(label string, runs []*sweep.RunRow, ev events) eventStats {
	s := c.sums(runs, ev)
	reps, conf := c.opt.Reps, c.opt.Conf
	var st eventStats
	full := c.perUnit(ev.full)
	var boot bool
	st.full1000, boot = risk.ClusterRate(full, s.positions, reps, conf, c.rng(label, "per_1000"))
	st.fullYear, _ = risk.ClusterRate(full, s.years, reps, conf, c.rng(label, "per_year")) // same events: bootstrapped alike
	if !boot && len(ev.full) > 0 {
		c.rateFallback = append(c.rateFallback, label)
	}
	st.partial1000, _ = risk.ClusterRate(c.perUnit(ev.partial), s.positions, reps, conf, c.rng(label, "partial_per_1000"))
	st.touched1000, _ = risk.ClusterRate(c.perUnit(ev.touched), s.positions, reps, conf, c.rng(label, "touched_per_1000"))
	// Whether a run liquidated at all is a whole-run figure: only paths
	// are independent units for it, whatever the rates resample.
	st.anyLiq, boot = risk.ClusterShare(s.liquidated, s.ran, reps, conf, c.rng(label, "any_liquidation"))
	if !boot && c.paths >= risk.MinClusters {
		c.shareFallback = append(c.shareFallback, label)
	}
	st.lossMedian = risk.ClusterMedian(s.losses, s.lossUnits, c.info.Units, reps, conf, c.rng(label, "loss_median"))
	if len(s.losses) > 0 && math.IsNaN(st.lossMedian.Lo) {
		c.medianNone = append(c.medianNone, label)
	}
	return st
}

// paired returns isolated − cross of each paired metric over the (cell,
// path) pairs both modes ran, with a cluster bootstrap of the mean
// difference (Σ differences ÷ pairs, per unit). A whole-run metric needs
// paths as units; the liquidation count can also be cut into blocks of
// time, from the liquidations' bars.
func (c *clusters) paired(iso, cross []*sweep.RunRow, liqs []sweep.LiquidationRow) []PairedDiff {
	other := map[runKey]*sweep.RunRow{}
	for _, r := range cross {
		other[runKey{r.CellID, "", r.Path}] = r
	}
	var a, b []*sweep.RunRow
	for _, r := range iso {
		if o, ok := other[runKey{r.CellID, "", r.Path}]; ok {
			a, b = append(a, r), append(b, o)
		}
	}
	var out []PairedDiff
	for _, pm := range pairedMetrics {
		d := PairedDiff{Metric: pm.name, Unit: pm.unit, Pairs: len(a)}
		num, den := make([]float64, c.info.Units), make([]float64, c.info.Units)
		switch {
		case c.blocks == 0:
			for i := range a {
				if x, y := pm.get(a[i]), pm.get(b[i]); !math.IsNaN(x) && !math.IsNaN(y) {
					num[a[i].Path] += x - y
					den[a[i].Path]++
				}
			}
		case pm.name == pairedEventMetric:
			c.liquidationDiffs(num, den, a, b, liqs)
		default:
			d.Diff = meanDiff(pm.get, a, b)
			out = append(out, d)
			continue
		}
		if nonZero(num) >= risk.MinClusters {
			d.Diff = risk.BootstrapRatio(num, den, c.opt.Reps, c.opt.Conf, c.rng("paired", pm.name))
		} else {
			d.Diff = risk.Interval{Estimate: sum(num) / sum(den), Lo: math.NaN(), Hi: math.NaN()}
			if len(a) > 0 {
				c.pairedNone = append(c.pairedNone, pm.name)
			}
		}
		out = append(out, d)
	}
	return out
}

// liquidationDiffs adds, per block of time, isolated − cross liquidations
// over the pairs a, b to num, and each pair's equal share of the span to
// den.
func (c *clusters) liquidationDiffs(num, den []float64, a, b []*sweep.RunRow, liqs []sweep.LiquidationRow) {
	sign := map[runKey]float64{}
	for i := range a {
		sign[keyOf(a[i])], sign[keyOf(b[i])] = 1, -1
		c.spread(den, a[i], 1)
	}
	for k := range liqs {
		l := &liqs[k]
		if l.Partial || l.AfterRuin { // as pairedEventMetric counts them
			continue
		}
		if s, ok := sign[runKey{l.CellID, l.Mode, l.Path}]; ok {
			num[c.unitOf(l)] += s
		}
	}
}

// meanDiff is the mean of get(a[i]) − get(b[i]) over the pairs without
// NaN, with no interval: the estimate of a whole-run metric when the paths
// are too few to resample.
func meanDiff(get func(*sweep.RunRow) float64, a, b []*sweep.RunRow) risk.Interval {
	var s, n float64
	for i := range a {
		if x, y := get(a[i]), get(b[i]); !math.IsNaN(x) && !math.IsNaN(y) {
			s, n = s+x-y, n+1
		}
	}
	return risk.Interval{Estimate: s / n, Lo: math.NaN(), Hi: math.NaN()}
}

func sum(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v
	}
	return s
}

func nonZero(x []float64) int {
	n := 0
	for _, v := range x {
		if v != 0 {
			n++
		}
	}
	return n
}

// resampling returns what the report's intervals resampled, with the
// notes, once every interval is computed.
func (c *clusters) resampling() Resampling {
	r := c.info
	r.Notes = append(r.Notes, c.unitNote())
	if c.blocks > 0 {
		r.Notes = append(r.Notes, fmt.Sprintf("P(≥1 liquidation) and the paired differences other than liquidations are whole-run figures, "+
			"for which only paths are independent: with %s, P(≥1 liquidation) counts each path as one trial (a conservative Wilson interval) "+
			"and those differences have no interval.", plural(c.paths, "path")))
	}
	few := fmt.Sprintf("fewer than %d %s", risk.MinClusters, c.unitNoun(2))
	if len(c.rateFallback) > 0 {
		r.Notes = append(r.Notes, fmt.Sprintf("Rates with %s with liquidations (%s) use the Fay–Feuer gamma interval, "+
			"which counts each %s's liquidations as one episode, instead of the bootstrap.", few, labelList(c.rateFallback), c.unitNoun(1)))
	}
	if len(c.medianNone) > 0 {
		r.Notes = append(r.Notes, fmt.Sprintf("No interval for the median loss with %s with liquidations (%s).", few, labelList(c.medianNone)))
	}
	if len(c.shareFallback) > 0 {
		r.Notes = append(r.Notes, fmt.Sprintf("P(≥1 liquidation) with fewer than %d paths with, or without, a liquidated run (%s) counts each path as one trial (a conservative Wilson interval).",
			risk.MinClusters, labelList(c.shareFallback)))
	}
	if len(c.pairedNone) > 0 {
		r.Notes = append(r.Notes, fmt.Sprintf("No interval for the paired %s: %s where the difference is not zero.", labelList(c.pairedNone), few))
	}
	return r
}

// unitNote says what the intervals resampled.
func (c *clusters) unitNote() string {
	method := fmt.Sprintf("studentised bootstrap, %s resamples", thousands(c.opt.Reps))
	if c.blocks == 0 {
		return fmt.Sprintf("Intervals resample the %d Monte Carlo paths as independent units, each whole (every cell and mode of a path together), "+
			"so runs that share prices and the liquidations of one crash stay together (%s).", c.paths, method)
	}
	why := "One price history"
	if c.paths > 1 {
		why = fmt.Sprintf("%d Monte Carlo paths are too few to resample (%d needed)", c.paths, risk.MinClusters)
	}
	return fmt.Sprintf("%s: intervals resample %d blocks of %s days of time, each with that stretch of every run (every cell, mode and path together; %s). "+
		"Liquidations fall in the block of their bar; positions opened and run-years are spread evenly over each run's span.",
		why, c.blocks, num(c.info.BlockLengthDays), method)
}

// unitNoun names the unit, singular (n = 1) or plural.
func (c *clusters) unitNoun(n int) string {
	noun := "path"
	if c.blocks > 0 {
		noun = "block"
	}
	if n == 1 {
		return noun
	}
	return noun + "s"
}

// labelList joins labels, eight at most.
func labelList(labels []string) string {
	const most = 8
	if len(labels) <= most {
		return strings.Join(labels, ", ")
	}
	return strings.Join(labels[:most], ", ") + fmt.Sprintf(" and %d more", len(labels)-most)
}

// thousands prints a count with thousands separators: 2,000.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// resamplingText is the line the renderers print near the tables.
func resamplingText(r *Report) string { return strings.Join(r.Resampling.Notes, " ") }
