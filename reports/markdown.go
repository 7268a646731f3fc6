package reports

import (
	"fmt"
	"io"
	"strings"
)

// WriteMarkdown writes the summary: the headline table, the table by
// leverage, the paired differences and the findings. It is short enough
// for a CI job summary.
func WriteMarkdown(w io.Writer, r *Report) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# marginlab report\n\n")
	fmt.Fprintf(&b, "%s\n\n", header(r))
	fmt.Fprintf(&b, "%s\n\n", resamplingText(r))
	b.WriteString("| mode | runs | P(≥1 liquidation) | liquidations / 1,000 positions | per year | loss per liquidation, % equity (median / p95 / worst) | return on capital at risk | margin utilisation |\n")
	b.WriteString("|---|---:|---|---|---|---|---:|---:|\n")
	for _, m := range r.Modes {
		fmt.Fprintf(&b, "| %s | %d | %s | %s %s | %s %s | %s / %s / %s | %s | %s |\n", m.Mode, m.Runs,
			pctInterval(m.AnyLiquidation), num(m.Per1000.Estimate), rangeText(m.Per1000), num(m.PerYear.Estimate), rangeText(m.PerYear),
			num(m.LossPct.Median), num(m.LossPct.P95), num(m.LossPct.Worst), pctOf(m.ReturnOnCAR.Estimate), pctOf(m.MarginUtilisation.Estimate))
	}
	if len(r.Leverage) > 0 {
		b.WriteString("\n## By leverage\n\n| leverage | mode | runs | P(≥1 liquidation) | liquidations / 1,000 positions | median loss, % equity | return on capital at risk |\n|---:|---|---:|---|---|---:|---:|\n")
		for _, l := range r.Leverage {
			fmt.Fprintf(&b, "| %s× | %s | %d | %s | %s %s | %s | %s |\n", num(l.Leverage), l.Mode, l.Runs, pctInterval(l.AnyLiquidation),
				num(l.Per1000.Estimate), rangeText(l.Per1000), lossText(l.LossMedian), pctOf(l.ReturnOnCAR.Estimate))
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
