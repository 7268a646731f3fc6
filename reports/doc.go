// Package reports turns a sweep's result tables into a report: statistics
// first (Build returns plain structs), rendering second (Markdown, JSON,
// self-contained HTML with inline SVG figures), and the comparison of two
// result sets that a nightly job uses as a regression gate (Compare).
//
// # Statistics (package backtest/risk)
//
//   - P(at least one liquidation) per mode: the share of runs (cell × path)
//     with a liquidation.
//   - Liquidation rates: all liquidations over all positions (per 1,000
//     positions) and over all run-years (per year).
//   - Loss per liquidation: the share of equity each liquidation took
//     (percent), its median, 95th percentile (type 7) and worst.
//   - Survival: Kaplan–Meier curves of the time to a run's first
//     liquidation and to ruin (runs without one are censored at their
//     span), with Greenwood intervals.
//   - Paired isolated − cross differences of the headline metrics over the
//     runs both modes share (same cell and path): the mean difference.
//     Liquidations are counts; the other metrics are fractions
//     (PairedDiff.Unit), printed in percentage points.
//   - Capital efficiency: means over runs of return on capital at risk,
//     margin utilisation, idle capital and effective leverage, with t
//     intervals.
//
// Every interval is two-sided at Options.Conf (default 95 %).
//
// # What the intervals resample (clusters.go)
//
// Liquidations within a run are not independent (one crash liquidates many
// positions) and runs on one price path are not either (every cell on path
// 0 saw the same history), so the intervals of the rates, the median loss,
// P(≥1 liquidation) and the paired differences resample independent units,
// each whole, never single liquidations or runs:
//
//   - Monte Carlo paths, when the sweep has at least 5 (risk.MinClusters):
//     every cell and mode of a path travel together, which also keeps the
//     isolated/cross pairing.
//   - Otherwise blocks of time: every run's span is cut into B equal
//     blocks, B = round(span ÷ block length) with a block length of
//     ∛(span in days) days, at least one (Options.BlockDays, report
//     --block-days, to choose another), and block b holds the b-th stretch
//     of every run (every cell, mode and path). A liquidation falls in the
//     block of its bar; run-years are spread over the blocks exactly and
//     positions opened evenly (the tables record how many positions a run
//     opened, not when). Whole-run figures, P(≥1 liquidation) and the
//     paired differences other than liquidations, cannot be cut into
//     blocks: for them the paths are the units even then.
//
// Rates are ratio estimators (liquidations ÷ positions, ÷ run-years,
// per unit, resampled together) with a studentised cluster bootstrap
// interval (risk.ClusterRate); P(≥1 liquidation) is a share over paths
// (risk.ClusterShare); the median loss has a cluster-aware Woodruff
// interval (risk.ClusterMedian); a paired difference is Σ differences ÷
// pairs per unit (risk.BootstrapRatio). With fewer than 5 units carrying
// liquidations (or a non-zero difference) there is no bootstrap: rates
// take the Fay–Feuer gamma interval over the units with liquidations as
// episodes, P(≥1 liquidation) Wilson's interval with one trial per path
// (conservative whatever the dependence; with one history as wide as one
// trial allows), and the median loss and the paired difference no
// interval. Report.Resampling (summary.json "resampling") says what was
// resampled, how many units there were, the block length, and in notes,
// which the Markdown and HTML print above the tables, which intervals fell
// back. Each statistic draws from its own generator, seeded by
// Options.Seed and the statistic's name, so the same results and seed give
// the same bytes whatever the order of computation or the sweep's worker
// count. The survival curves and the capital-efficiency t intervals still
// treat runs as independent.
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
