package reports

import (
	"html/template"
	"io"
	"regexp"
)

// WriteHTML writes one self-contained page: tables, findings and the
// figures as inline SVG, with inline CSS and no scripts or assets from the
// network, so it works offline and as a CI artifact.
func WriteHTML(w io.Writer, r *Report, figs *FigureSet) error {
	type fig struct {
		Title string
		SVG   template.HTML
	}
	data := struct {
		R       *Report
		Figures []fig
		Missing []string
		Conf    string
	}{R: r, Conf: confText(r.Conf)}
	if figs != nil {
		for _, f := range figs.Figures {
			data.Figures = append(data.Figures, fig{Title: f.Title, SVG: template.HTML(inlineSVG(f.SVG))}) // our own renderer's SVG
		}
		data.Missing = figs.Missing
	}
	return page.Execute(w, data)
}

var xmlDecl = regexp.MustCompile(`(?s)^\s*<\?xml[^>]*\?>\s*(<!DOCTYPE[^>]*>\s*)?`)

// inlineSVG strips the XML declaration so the SVG can sit in HTML.
func inlineSVG(b []byte) string { return xmlDecl.ReplaceAllString(string(b), "") }

var page = template.Must(template.New("report").Funcs(template.FuncMap{
	"num": num, "loss": lossText, "diff": diffText, "diffIV": diffInterval, "header": header, "pct": pctOf, "pctIV": pctInterval, "iv": rangeText, "pctText": pctText,
	"resampling": resamplingText,
}).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>marginlab report {{printf "%.12s" .R.Sweep.Hash}}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.25em;margin-top:1.8em;border-bottom:1px solid #ddd;padding-bottom:.2em}
table{border-collapse:collapse;margin:.6em 0;font-size:.92em}th,td{border:1px solid #ddd;padding:.3em .55em;text-align:right}
th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}.muted{color:#666;font-size:.9em}
.warn{background:#fff4e5;border-left:4px solid #e69f00;padding:.4em .8em;margin:1em 0}
figure{margin:1.2em 0}figure svg{max-width:100%;height:auto}figcaption{font-size:.9em;color:#555}
</style></head><body>
<h1>marginlab report</h1>
<p class="muted">{{header .R}} {{.R.Sweep.Version}}</p>
{{if .R.Sweep.Warnings}}<div class="warn"><strong>Data warnings</strong> (they qualify every number below):<ul>{{range .R.Sweep.Warnings}}<li>{{.}}</li>{{end}}</ul></div>{{end}}
{{if .R.Findings}}<h2>Findings</h2><ul>{{range .R.Findings}}<li>{{.}}</li>{{end}}</ul>{{end}}
<h2>By margin mode</h2>
<p class="muted">{{resampling .R}}</p>
<table><tr><th>mode</th><th>runs</th><th>P(≥1 liquidation)</th><th>positions liquidated / 1,000</th><th>per year</th><th>partial events / 1,000</th><th>positions touched / 1,000</th><th>loss per liquidation, % equity<br>median / p95 / worst</th><th>intrabar ambiguity</th><th>capital at risk<br>mean / peak</th><th>return on peak capital at risk</th><th>margin utilisation</th><th>idle capital</th><th>effective leverage</th></tr>
{{range .R.Modes}}<tr><td>{{.Mode}}</td><td>{{.Runs}}</td><td>{{pctIV .AnyLiquidation}}</td><td>{{num .PositionsLiquidatedPer1000.Estimate}} {{iv .PositionsLiquidatedPer1000}}</td><td>{{num .PositionsLiquidatedPerYear.Estimate}} {{iv .PositionsLiquidatedPerYear}}</td><td>{{num .PartialLiquidationsPer1000.Estimate}} {{iv .PartialLiquidationsPer1000}}</td><td>{{num .PositionsTouchedPer1000.Estimate}} {{iv .PositionsTouchedPer1000}}</td><td>{{num .LossPct.Median}} / {{num .LossPct.P95}} / {{num .LossPct.Worst}}</td><td>{{pct .Ambiguity}}</td><td>{{num .CapitalAtRisk.Estimate}} / {{num .CapitalAtRiskPeak.Estimate}}</td><td>{{pct .ReturnOnCapitalAtRisk.Estimate}}</td><td>{{pct .MarginUtilisation.Estimate}}</td><td>{{pct .IdleCapital.Estimate}}</td><td>{{num .EffectiveLeverage.Estimate}}×</td></tr>
{{end}}</table>
<p class="muted">Positions liquidated: closed by a liquidation. Partial events reduce a position that stays open; positions touched had either. Events after a run's ruin are left out of the rates. Capital at risk: isolated margins plus the cross account's equity while cross positions are open, in quote units; the return on its peak is −100 % when a run lost as much as it ever had at risk at once, and below that only when lost margin was committed again.</p>
{{if .R.Leverage}}<h2>By leverage</h2>
<table><tr><th>leverage</th><th>mode</th><th>runs</th><th>P(≥1 liquidation)</th><th>positions liquidated / 1,000</th><th>partial events / 1,000</th><th>median loss, % equity</th><th>peak capital at risk</th><th>return on peak capital at risk</th><th>total return</th></tr>
{{range .R.Leverage}}<tr><td>{{num .Leverage}}×</td><td>{{.Mode}}</td><td>{{.Runs}}</td><td>{{pctIV .AnyLiquidation}}</td><td>{{num .PositionsLiquidatedPer1000.Estimate}} {{iv .PositionsLiquidatedPer1000}}</td><td>{{num .PartialLiquidationsPer1000.Estimate}}</td><td>{{loss .LossMedian}}</td><td>{{num .CapitalAtRiskPeak.Estimate}}</td><td>{{pct .ReturnOnCapitalAtRisk.Estimate}}</td><td>{{pct .TotalReturn.Estimate}}</td></tr>
{{end}}</table>{{end}}
{{if .R.Paired}}<h2>Isolated − cross, paired</h2>
<table><tr><th>metric</th><th>pairs</th><th>mean difference</th><th>{{.Conf}} interval</th></tr>
{{range .R.Paired}}<tr><td>{{.Metric}}</td><td>{{.Pairs}}</td><td>{{diff .}}</td><td>{{diffIV .}}</td></tr>
{{end}}</table>{{end}}
<h2>Figures</h2>
{{range .Figures}}<figure>{{.SVG}}<figcaption>{{.Title}}</figcaption></figure>
{{end}}{{if .Missing}}<p class="muted">Not drawn: {{range $i, $m := .Missing}}{{if $i}}; {{end}}{{$m}}{{end}}.</p>{{end}}
</body></html>
`))
