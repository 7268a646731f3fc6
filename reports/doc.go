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
//     (percent), its median, 95th percentile (type 7) and worst.
//   - Survival: Kaplan–Meier curves of the time to a run's first
//     liquidation and to ruin (runs without one are censored at their
//     span), with Greenwood intervals.
//   - Paired isolated − cross differences of the headline metrics over the
//     runs both modes share (same cell and path), with bootstrap percentile
//     intervals (seeded).
//   - Capital efficiency: means over runs of return on capital at risk,
//     margin utilisation, idle capital and effective leverage.
//
// Every interval is two-sided at Options.Conf (default 95 %).
package reports
