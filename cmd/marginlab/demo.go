package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/marginlab/marginlab/backtest"
	"github.com/marginlab/marginlab/backtest/risk"
	"github.com/marginlab/marginlab/backtest/runconfig"
	"github.com/marginlab/marginlab/data"
	"github.com/marginlab/marginlab/data/publish"
	"github.com/marginlab/marginlab/reports"
)

var demoCmd = &command{
	name:    "demo",
	summary: "isolated vs cross margin over a leverage ladder; needs no input files",
	about: `
Demo is marginlab's main job on built-in data. It generates a volatile
synthetic market (BTC, ETH and SOL, 120 days of 15m bars at 120 % annual
volatility, with mark prices and 8-hourly funding), lets the random
strategy (entries and exits by coin toss: the neutral baseline, whose
positions owe nothing to the prices) decide once, and replays the same
decisions under isolated and under cross margin at 2×, 5×, 10×, 20× and
50× leverage on the binance-usdm venue, each position's initial margin
being 10 % of equity.

It prints one table, leverage × mode: positions, liquidations, liquidations
per 1,000 positions, the median loss per liquidation as a share of equity,
total return, maximum drawdown and return on capital at risk; then
findings computed from those numbers.

With --out DIR it writes DIR/summary.json (every rung's metrics and the
findings) and, per leverage, DIR/<L>x/ with config.json (the rung's full
configuration: 'marginlab run -c DIR/10x/config.json' repeats it) and the
files 'marginlab run --out' writes, and DIR/report: the report 'marginlab
report' writes for a sweep, the leverage ladder being the swept parameter
(index.html with every figure, summary.md, summary.json, figures/), unless
--no-report. DIR is replaced as a whole once everything is written, as
'marginlab run --out' does. The same seed gives the same output and
byte-identical files.`,
	examples: []string{
		"marginlab demo",
		"marginlab demo --seed 7",
		"marginlab demo --out demo-results && marginlab run -c demo-results/20x/config.json",
	},
	setup: setupDemo,
}

// demoLeverages is the demo's leverage ladder.
var demoLeverages = []float64{2, 5, 10, 20, 50}

// demoConfig returns the demo's configuration, at the first leverage.
func demoConfig(seed uint64) *runconfig.File {
	f := runconfig.Default()
	f.Source = "demo"
	f.Data.Synthetic = runconfig.Synthetic{Symbols: []string{"BTC", "ETH", "SOL"}, Timeframe: "15m", Bars: 120 * 96, Seed: seed, AnnualVol: 1.2}
	f.Strategy = runconfig.StrategySpec{Name: "random", Params: map[string]any{"entry_prob": 0.01, "exit_prob": 0.01}}
	f.Sizing = runconfig.SizingSpec{Kind: "equity_fraction", Params: map[string]any{"fraction": 0.1}}
	f.Seed = seed
	f.Leverage = demoLeverages[0]
	return f
}

func setupDemo(fs *flag.FlagSet) runFunc {
	out := fs.String("out", "", "`DIR` to write summary.json and, per leverage, the run's files to\n(created if needed); empty writes nothing")
	seed := fs.Uint64("seed", defaultSeed, "random `SEED` of the synthetic market and of the strategy")
	noReport := fs.Bool("no-report", false, "with --out, do not write DIR/report")
	return func(ctx context.Context, sio *stdio, args []string) error {
		if len(args) > 0 {
			return usagef("unexpected argument %q (demo takes only flags)", args[0])
		}
		f := demoConfig(*seed)
		if err := f.Validate(checkStrategy); err != nil {
			return fmt.Errorf("demo configuration: %w", err) // a bug: the demo's own settings
		}
		var dir *publish.Dir
		if *out != "" {
			var err error
			if dir, err = replaceOut("--out", *out, demoOutputs); err != nil {
				return err
			}
			defer dir.Abort()
		}
		base, err := newPairedRun(ctx, sio, f)
		if err != nil {
			return err
		}
		var rungs []*pairedRun
		withProgress(sio.errOut, fmt.Sprintf("%s: simulating %d leverages × %d bars × %d symbols × %d modes...", programName,
			len(demoLeverages), len(base.market.Time), len(base.market.Symbols), len(base.modes)), func() {
			in := backtest.Decide(base.market, base.strat)
			for _, lev := range demoLeverages {
				p := *base
				fc := *f
				fc.Leverage = lev
				p.file = &fc
				p.cfg.Leverage = lev
				if p.results, err = backtest.Run(p.market, in, p.cfg, p.modes...); err != nil {
					return
				}
				rungs = append(rungs, &p)
			}
		})
		if err != nil {
			return err
		}
		d := newDemoSummary(f, base.market, rungs)
		printDemo(sio.out, f, base.market, d)
		if dir != nil {
			err := writeDemo(dir.Path(), d, rungs)
			if err == nil && !*noReport {
				err = demoReport(sio, dir.Path(), rungs)
			}
			if err != nil {
				return dir.Fail(err)
			}
			if err := dir.Commit(); err != nil {
				return err
			}
			fmt.Fprintf(sio.out, "\nWrote %s: summary.json, and per leverage config.json and the run's files.\n", filepath.Join(*out, ""))
			fmt.Fprintf(sio.out, "Repeat one leverage: marginlab run -c %s\n", filepath.Join(*out, rungDir(demoLeverages[len(demoLeverages)/2]), "config.json"))
			if !*noReport {
				reportNote(sio.out, *out)
			}
		} else {
			fmt.Fprintf(sio.out, "\nWrite every rung's configuration, results and an HTML report with --out DIR; start your own run with 'marginlab init'.\n")
		}
		return nil
	}
}

// demoSummary is the demo's summary.json.
type demoSummary struct {
	Market   marketSummary `json:"market"`
	Strategy string        `json:"strategy"`
	Sizing   string        `json:"sizing"`
	Venue    string        `json:"venue"`
	Rungs    []demoRung    `json:"rungs"`
	Findings []string      `json:"findings"`
}

type demoRung struct {
	Leverage float64       `json:"leverage"`
	Modes    []modeSummary `json:"modes"`
}

func newDemoSummary(f *runconfig.File, m *data.Market, rungs []*pairedRun) *demoSummary {
	d := &demoSummary{
		Market: marketSummary{
			Source:    "synthetic",
			Bars:      len(m.Time),
			Timeframe: data.FormatTimeframe(m.Timeframe),
			Start:     data.FormatTime(m.Time[0]),
			End:       data.FormatTime(m.Time[len(m.Time)-1] + int64(m.Timeframe)),
		},
		Strategy: "random (entry_prob 0.01, exit_prob 0.01)",
		Sizing:   "equity_fraction (fraction 0.1)",
		Venue:    f.VenueName,
	}
	for i := range m.Symbols {
		d.Market.Symbols = append(d.Market.Symbols, m.Symbols[i].Name)
	}
	for _, p := range rungs {
		r := demoRung{Leverage: p.cfg.Leverage}
		for i := range p.results {
			res := &p.results[i]
			r.Modes = append(r.Modes, modeSummary{Mode: res.Mode, MarkSource: res.MarkSource, Metrics: reports.JSONValue(res.Metrics), m: &res.Metrics})
		}
		d.Rungs = append(d.Rungs, r)
	}
	d.Findings = demoFindings(rungs)
	return d
}

func printDemo(w io.Writer, f *runconfig.File, m *data.Market, d *demoSummary) {
	s := f.Data.Synthetic
	days := float64(len(m.Time)) * float64(m.Timeframe) / float64(24*time.Hour)
	intro := fmt.Sprintf("The same random entries and exits (the neutral baseline), replayed under isolated and cross margin "+
		"at each leverage. Synthetic market: %s; %s bars over %.0f days, %.0f %% annual volatility, seed %d. "+
		"Venue %s, capital %s, initial margin 10 %% of equity per position.",
		strings.Join(s.Symbols, ", "), s.Timeframe, days, 100*s.AnnualVol, s.Seed, f.VenueName, fmtNum(f.Capital))
	fmt.Fprintf(w, "%s\n\n", wrap(intro, 88, ""))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "leverage\tmode     \tpositions\tliquidated\tper 1,000\tmedian loss\ttotal return\tmax drawdown\treturn on peak CaR\t")
	for _, r := range d.Rungs {
		for k, ms := range r.Modes {
			lev := ""
			if k == 0 {
				lev = fmtNum(r.Leverage) + "×"
			}
			mt := ms.m
			loss := "-"
			if mt.PositionsTouched > 0 {
				loss = fmt.Sprintf("%.1f %%", mt.LossMedianPct)
			}
			fmt.Fprintf(tw, "%s\t%-8s \t%d\t%d\t%.1f\t%s\t%s\t%s\t%s\t\n", lev, ms.Mode, mt.Positions, mt.PositionsLiquidated,
				mt.PositionsLiquidatedPer1000, loss, pct(mt.TotalReturn, true), pct(mt.MaxDrawdown, false),
				pct(mt.ReturnOnCapitalAtRisk, true))
		}
	}
	tw.Flush()
	fmt.Fprintf(w, "\nliquidated: positions closed by a liquidation; loss: per liquidation, %% of the equity just\n")
	fmt.Fprintf(w, "before it; peak CaR: the most capital at risk at once (isolated: the margins posted; cross:\n")
	fmt.Fprintf(w, "the whole account while a position is open), so -100 %% means losing all of it once.\n\nFindings:\n")
	for _, s := range d.Findings {
		fmt.Fprintf(w, "  - %s\n", wrap(s, 88, "    "))
	}
}

// demoFindings draws two or three conclusions from the ladder: where one
// mode liquidated more often, what a liquidation cost in each, and the
// lowest leverage at which each mode was liquidated.
func demoFindings(rungs []*pairedRun) []string {
	modes := []string{}
	for _, r := range rungs[0].results {
		modes = append(modes, r.Mode)
	}
	if len(modes) != 2 {
		return nil
	}
	a, b := modes[0], modes[1]
	liq := func(p *pairedRun, k int) int { return p.results[k].Metrics.PositionsLiquidated }
	lev := func(p *pairedRun) string { return fmtNum(p.cfg.Leverage) + "×" }
	var out []string

	// 1. Frequency: where one mode liquidated more often, and the widest
	// gap in liquidations per 1,000 positions.
	rate := func(p *pairedRun, k int) float64 { return p.results[k].Metrics.PositionsLiquidatedPer1000 }
	var more, fewer int
	var widest *pairedRun
	for _, p := range rungs {
		switch d := liq(p, 0) - liq(p, 1); {
		case d > 0:
			more++
		case d < 0:
			fewer++
		}
		if widest == nil || math.Abs(rate(p, 0)-rate(p, 1)) > math.Abs(rate(widest, 0)-rate(widest, 1)) {
			widest = p
		}
	}
	n := len(rungs)
	if more == 0 && fewer == 0 {
		out = append(out, fmt.Sprintf("%s and %s liquidated equally often at every leverage.", capitalise(a), b))
	} else {
		x, y, k := 0, 1, more
		if fewer > more {
			x, y, k = 1, 0, fewer
		}
		out = append(out, fmt.Sprintf("%s liquidated more often than %s at %d of %d leverages; the widest gap, at %s: %.0f vs %.0f liquidations per 1,000 positions (%d vs %d).",
			capitalise(modes[x]), modes[y], k, n, lev(widest), rate(widest, x), rate(widest, y), liq(widest, x), liq(widest, y)))
	}

	// 2. Severity, pooled over the leverages.
	var sev []string
	for k, mode := range modes {
		var pcts []float64
		after := 0
		for _, p := range rungs {
			for _, l := range p.results[k].Liquidations {
				switch {
				case l.AfterRuin: // as the rates: a ruined run's observation has ended
					after++
				case l.EquityBefore > 0:
					pcts = append(pcts, 100*l.MarginLost/l.EquityBefore)
				}
			}
		}
		afterText := ""
		if after > 0 {
			afterText = fmt.Sprintf("; %d more after ruin, outside the rates", after)
		}
		switch {
		case len(pcts) == 0 && after > 0:
			sev = append(sev, fmt.Sprintf("%s was liquidated only after ruin (%d times, outside the rates)", mode, after))
			continue
		case len(pcts) == 0:
			sev = append(sev, fmt.Sprintf("%s was never liquidated", mode))
			continue
		}
		sev = append(sev, fmt.Sprintf("a median %s liquidation cost %.1f %% of equity (%d liquidations%s)", mode, risk.Describe(pcts).Median, len(pcts), afterText))
	}
	out = append(out, capitalise(strings.Join(sev, "; "))+", over all leverages.")

	// 3. The lowest leverage with a liquidation, and with ruin.
	lowest := func(hit func(p *pairedRun, k int) bool) string {
		var parts []string
		for k, mode := range modes {
			s := fmt.Sprintf("%s none up to %s", mode, lev(rungs[n-1]))
			for _, p := range rungs {
				if hit(p, k) {
					s = fmt.Sprintf("%s at %s", mode, lev(p))
					break
				}
			}
			parts = append(parts, s)
		}
		return strings.Join(parts, ", ")
	}
	out = append(out, fmt.Sprintf("Lowest leverage with a liquidation: %s; with ruin (equity down to %.0f %% of capital): %s.",
		lowest(func(p *pairedRun, k int) bool { return liq(p, k) > 0 }), 100*rungs[0].cfg.RuinFraction,
		lowest(func(p *pairedRun, k int) bool { return p.results[k].Metrics.Ruined })))
	return out
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// rungDir names a leverage's directory: "02x", "10x", "50x".
func rungDir(lev float64) string { return fmt.Sprintf("%02dx", int(lev)) }

// demoReport writes the ladder's report into dir/report, each rung a cell
// named by its directory and leverage the swept parameter.
func demoReport(sio *stdio, dir string, rungs []*pairedRun) error {
	cells, levs := make([]string, len(rungs)), make([]any, len(rungs))
	for k, p := range rungs {
		cells[k], levs[k] = rungDir(p.cfg.Leverage), p.cfg.Leverage
	}
	res, eq, err := pairedResults(rungs, cells, "leverage", levs)
	if err != nil {
		return err
	}
	return stageReport(sio.errOut, dir, res, eq)
}

// writeDemo writes summary.json and each rung's files into dir, a staging
// directory.
func writeDemo(dir string, d *demoSummary, rungs []*pairedRun) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	b, err := marshalSummary(d)
	if err != nil {
		return err
	}
	if err := publish.WriteFile(filepath.Join(dir, "summary.json"), b); err != nil {
		return err
	}
	for _, p := range rungs {
		rd := filepath.Join(dir, rungDir(p.cfg.Leverage))
		sum, err := p.summary()
		if err != nil {
			return err
		}
		if err := p.write(rd, sum); err != nil {
			return err
		}
		var cb bytes.Buffer
		if err := json.Indent(&cb, sum.Config, "", "  "); err != nil {
			return err
		}
		cb.WriteByte('\n')
		if err := publish.WriteFile(filepath.Join(rd, "config.json"), cb.Bytes()); err != nil {
			return err
		}
	}
	return nil
}

// wrap breaks s into lines of at most width characters at spaces, every
// line after the first starting with indent.
func wrap(s string, width int, indent string) string {
	var b strings.Builder
	n := 0
	for i, word := range strings.Fields(s) {
		l := utf8.RuneCountInString(word)
		switch {
		case i == 0:
		case n+1+l > width:
			b.WriteString("\n" + indent)
			n = utf8.RuneCountInString(indent)
		default:
			b.WriteByte(' ')
			n++
		}
		b.WriteString(word)
		n += l
	}
	return b.String()
}
