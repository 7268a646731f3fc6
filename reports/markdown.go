package reports

import (
	"fmt"
	"io"
	"strings"
)

// WriteMarkdown writes the summary: the data's warnings, the headline
// table, the table by leverage, the paired differences and the findings. It is short enough
// for a CI job summary.
func WriteMarkdown(w io.Writer, r *Report) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# marginlab report\n\n")
	fmt.Fprintf(&b, "%s\n\n", header(r))
	if len(r.Sweep.Warnings) > 0 {
		b.WriteString("**Data warnings** (they qualify every number below):\n\n")
		for _, w := range r.Sweep.Warnings {
			fmt.Fprintf(&b, "- %s\n", w)
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "%s\n\n", resamplingText(r))
	b.WriteString("| mode | runs | P(≥1 liquidation) | positions liquidated / 1,000 | per year | partial events / 1,000 | loss per liquidation, % equity (median / p95 / worst) | capital at risk, mean / peak | return on peak capital at risk | margin utilisation |\n")
	b.WriteString("|---|---:|---|---|---|---|---|---:|---:|---:|\n")
	for _, m := range r.Modes {
		fmt.Fprintf(&b, "| %s | %d | %s | %s %s | %s %s | %s | %s / %s / %s | %s / %s | %s | %s |\n", m.Mode, m.Runs,
			pctInterval(m.AnyLiquidation), num(m.PositionsLiquidatedPer1000.Estimate), rangeText(m.PositionsLiquidatedPer1000),
			num(m.PositionsLiquidatedPerYear.Estimate), rangeText(m.PositionsLiquidatedPerYear), num(m.PartialLiquidationsPer1000.Estimate),
			num(m.LossPct.Median), num(m.LossPct.P95), num(m.LossPct.Worst), num(m.CapitalAtRisk.Estimate), num(m.CapitalAtRiskPeak.Estimate),
			pctOf(m.ReturnOnCapitalAtRisk.Estimate), pctOf(m.MarginUtilisation.Estimate))
	}
	if len(r.Leverage) > 0 {
		b.WriteString("\n## By leverage\n\n| leverage | mode | runs | P(≥1 liquidation) | positions liquidated / 1,000 | partial events / 1,000 | median loss, % equity | peak capital at risk | return on peak capital at risk |\n|---:|---|---:|---|---|---|---:|---:|---:|\n")
		for _, l := range r.Leverage {
			fmt.Fprintf(&b, "| %s× | %s | %d | %s | %s %s | %s | %s | %s | %s |\n", num(l.Leverage), l.Mode, l.Runs, pctInterval(l.AnyLiquidation),
				num(l.PositionsLiquidatedPer1000.Estimate), rangeText(l.PositionsLiquidatedPer1000), num(l.PartialLiquidationsPer1000.Estimate),
				lossText(l.LossMedian), num(l.CapitalAtRiskPeak.Estimate), pctOf(l.ReturnOnCapitalAtRisk.Estimate))
		}
	}
	if len(r.Paired) > 0 {
		fmt.Fprintf(&b, "\n## Isolated − cross, paired over %s\n\n| metric | mean difference | %s interval |\n|---|---:|---|\n", plural(r.Paired[0].Pairs, "run"), confText(r.Conf))
		for _, p := range r.Paired {
			fmt.Fprintf(&b, "| %s | %s | %s |\n", p.Metric, diffText(p), diffInterval(p))
		}
	}
	if len(r.Findings) > 0 {
		b.WriteString("\n## Findings\n\n")
		for _, f := range r.Findings {
			fmt.Fprintf(&b, "- %s\n", f)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
