// Package figures renders the report figures of marginlab: plain data in,
// SVG and PNG bytes out. It knows nothing of backtests or sweeps; package
// reports turns its statistics into the plain structs taken here.
//
// # The figures
//
//  1. LiquidationFrequency: liquidations per 1,000 positions against
//     leverage, one line per margin mode, with interval bands.
//  2. ReturnOnCapitalAtRisk: return on capital at risk against leverage.
//  3. Frontier: a scatter of one metric against another (typically return
//     against worst loss per liquidation), one colour per mode.
//  4. CellOverTime: one cell's equity (with liquidation markers) and margin
//     utilisation over time, two stacked panels sharing a date axis.
//  5. Survival: Kaplan–Meier step curves with their interval bands.
//  6. LossDistribution: box plots of loss per liquidation, one per mode.
//  7. RatioHeatmap: the isolated ÷ cross liquidation-rate ratio over a
//     grid of two parameters, on a log₂ diverging colour scale.
//
// # Units and conventions
//
//   - Leverage is a plain multiple (10 = 10×). A leverage axis is drawn on
//     a log scale when its positive values span a factor of 10 or more.
//   - Values the API calls fractions (return on capital at risk, margin
//     utilisation) are passed as fractions (0.12) and shown in percent (12).
//   - Times are Unix nanoseconds; date axes are in UTC.
//   - Survival probabilities are in [0, 1].
//   - NaN and ±Inf values are skipped, never passed to a plotter; a series
//     left empty is dropped; a figure with nothing left to draw returns an
//     error wrapping ErrNoData. Inputs of inconsistent shape return an
//     error wrapping ErrInput. No function panics on bad data.
//   - Series longer than MaxPoints are downsampled by min–max bucketing:
//     each bucket keeps its minimum and maximum, in order, so spikes
//     survive and a figure renders in well under a second.
//
// # Style
//
// Every plot is styled by one theme function: Liberation Sans, light grey
// grid lines, the legend outside the data area on the right, and the
// Okabe–Ito colour-blind-safe palette. The modes "isolated" and "cross"
// always get the same colour, dash and glyph (isolated: blue, solid,
// circle; cross: vermillion, dashed, triangle); other series take the
// remaining palette colours in the order given (sorted for maps).
// Interval bands are translucent polygons of the series colour.
//
// # Determinism
//
// The same input gives byte-identical SVG and PNG: map keys are sorted,
// and neither gonum/plot's SVG backend nor PNG encoder writes timestamps
// or random identifiers. SVG fonts are not embedded; the font-family is
// rewritten to fall back to Arial (metric-compatible) and sans-serif.
package figures
