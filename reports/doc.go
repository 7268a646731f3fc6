// Package reports turns a sweep's result tables into a report: statistics
// first (Build returns plain structs), rendering second (Markdown, JSON,
// self-contained HTML with inline SVG figures), and the comparison of two
// result sets that a nightly job uses as a regression gate (Compare).
//
// # Statistics (package backtest/risk)
//
//   - P(at least one liquidation) per mode: the share of runs (cell × path)
//     with a liquidation, with a Wilson score interval.
//   - Liquidation rates: all liquidations over all positions (per 1,000
//     positions) and over all run-years (per year), with exact Poisson
//     (Garwood) intervals.
//   - Loss per liquidation: the share of equity each liquidation took
//     (percent), its median (with the distribution-free interval of
//     risk.MedianCI), 95th percentile (type 7) and worst.
//   - Survival: Kaplan–Meier curves of the time to a run's first
//     liquidation and to ruin (runs without one are censored at their
//     span), with Greenwood intervals.
//   - Paired isolated − cross differences of the headline metrics over the
//     runs both modes share (same cell and path), with bootstrap percentile
//     intervals (seeded). Liquidations are counts; the other metrics are
//     fractions (PairedDiff.Unit), printed in percentage points. One pair
//     gives an estimate and no interval.
//   - Capital efficiency: means over runs of return on capital at risk,
//     margin utilisation, idle capital and effective leverage, with t
//     intervals.
//
// Every interval is two-sided at Options.Conf (default 95 %).
//
// # Units and conventions
//
// Report fields ending in Pct are percent; return, drawdown, utilisation
// and the other capital-efficiency means are fractions (0.05 = 5 %), as in
// backtest.Metrics; the renderers print them as percent. Survival times
// are in years. NaN means "undefined" (e.g. no liquidation to take a median
// of): the Markdown and HTML print "–", the JSON null.
//
// # Sources of results
//
// Build reads sweep.Results, so anything laid out as a sweep's tables gets
// the same report: a sweep directory (sweep.ReadResults), and the CLI's
// run and demo, which present their runs as one-path cells. Figures draws
// the cell-over-time figure from an EquitySource: DirEquity for a sweep
// written with equity.parquet, or series kept in memory.
package reports
