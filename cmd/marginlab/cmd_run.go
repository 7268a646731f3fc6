package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/marginlab/marginlab/backtest"
	"github.com/marginlab/marginlab/backtest/runconfig"
	"github.com/marginlab/marginlab/data"
	"github.com/marginlab/marginlab/data/publish"
	"github.com/marginlab/marginlab/reports"
	"github.com/marginlab/marginlab/strategy"
)

var runCmd = &command{
	name:    "run",
	summary: "replay one strategy under isolated and cross margin, from a config file",
	about: `
Run reads a configuration file (YAML; 'marginlab init' writes a commented
starter), builds the market it names (data files, or the built-in synthetic
market), decides the strategy's intents once, and replays them under every
margin mode in the file (isolated, cross, hybrid), so the modes differ in
margin alone. It prints one column per mode: positions closed by a
liquidation and per 1,000 positions, partial-liquidation events, median and
worst loss per liquidation as a share of the equity just before it, total
return, maximum drawdown, capital at risk (mean and peak) and the return on
its peak, margin utilisation, funding and fees paid, positions, rejected
orders by reason, stops, near misses, the share of liquidations that depend
on the intrabar path, final equity, and which prices drove the liquidation
checks (mark candles or trade candles). A one-line finding follows, and,
when the configuration accepted gaps in a funding or mark file
(data.coverage: accept), the gaps the numbers are subject to. A mark file
coarser than the candles (8h marks next to 5m candles) only values funding;
the header says so.

A funding or mark file that does not cover the run (it starts after the
first bar, ends before the last, or has a hole) is an error naming the
file, the gap, and the data.start or data.end that avoid it; funding times
stamped a few milliseconds after the hour are put on the hour.

With --out DIR it also writes the files below. They are written into a
temporary directory beside DIR, which replaces DIR once everything is
written: a run that fails (a full disk) leaves DIR as it was, and DIR may
hold only these files. A second run into DIR while one is writing it
fails at once, naming the first.

  DIR/summary.json       the configuration with defaults filled, the market
                         (per symbol, which prices drive liquidation checks
                         and value funding), per mode the mark source and
                         every metric, and the data's warnings
  DIR/liquidations.csv   one row per liquidation event (partial or full), per mode
  DIR/fills.csv          one row per fill, per mode
  DIR/equity.csv         per recorded bar (time in RFC 3339) and mode:
                         equity, capital at risk, margin used, leverage
  DIR/report/            the report 'marginlab report' writes for a sweep
                         (index.html, summary.md, summary.json, figures/),
                         unless --no-report

Everything written depends only on the configuration and the data: the
same inputs give byte-identical files. --json prints summary.json to
standard output instead of the table.

Strategies (strategy: {name, params}) and their parameters:

` + strategyHelp() + `
Sizers (sizing: {kind, params}):

` + sizerHelp() + `
Exit status: 2 for a bad command line or configuration (every problem is
listed with its line and key), 1 when the run fails, e.g. on a data file
that does not load.`,
	examples: []string{
		"marginlab init && marginlab run -c marginlab.yaml",
		"marginlab run -c btc-eth.yaml --out results/btc-eth",
		"marginlab run -c btc-eth.yaml --json | jq '.modes[] | {mode, liquidated: .metrics.positions_liquidated}'",
	},
	setup: setupRun,
}

// strategyHelp lists every strategy with its parameters, from package
// strategy.
func strategyHelp() string {
	var b strings.Builder
	for _, name := range strategy.Names() {
		b.WriteString(describeHelp(strategy.Describe(name)))
	}
	return b.String()
}

func sizerHelp() string {
	var b strings.Builder
	for _, name := range strategy.SizerNames() {
		b.WriteString(describeHelp(strategy.DescribeSizer(name)))
	}
	return b.String()
}

// describeHelp indents a description of package strategy (a summary line,
// then a line per parameter) by two spaces, wrapping the summary.
func describeHelp(s string) string {
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	var b strings.Builder
	for i, l := range lines {
		if i == 0 {
			l = wrap(l, 74, "    ")
		}
		b.WriteString("  " + l + "\n")
	}
	return b.String()
}

func setupRun(fs *flag.FlagSet) runFunc {
	var cfgPath string
	fs.StringVar(&cfgPath, "c", "", "configuration `FILE` (YAML); 'marginlab init' writes a starter")
	fs.StringVar(&cfgPath, "config", "", "the configuration `FILE`, as -c")
	out := fs.String("out", "", "`DIR` to write summary.json, liquidations.csv, fills.csv and\nequity.csv to (created if needed)")
	jsonOut := fs.Bool("json", false, "print summary.json to standard output instead of the table")
	noReport := fs.Bool("no-report", false, "with --out, do not write DIR/report")
	return func(ctx context.Context, sio *stdio, args []string) error {
		if len(args) > 0 {
			return usagef("unexpected argument %q (give the configuration with -c FILE)", args[0])
		}
		if cfgPath == "" {
			return usagef("no configuration given: want -c FILE ('marginlab init' writes a starter)")
		}
		f, err := loadConfig(cfgPath)
		if err != nil {
			return err
		}
		// The output directory is locked and staged before the work, so a
		// second run into it fails at once.
		var d *publish.Dir
		if *out != "" {
			if d, err = replaceOut("--out", *out, runOutputs); err != nil {
				return err
			}
			defer d.Abort()
		}
		p, err := newPairedRun(ctx, sio, f)
		if err != nil {
			return err
		}
		if err := p.simulate(sio); err != nil {
			return err
		}
		sum, err := p.summary()
		if err != nil {
			return err
		}
		if d != nil {
			if err := p.writeRun(sio, d, sum, *noReport); err != nil {
				return err
			}
		}
		if *jsonOut {
			b, err := marshalSummary(sum)
			if err != nil {
				return err
			}
			_, err = sio.out.Write(b)
			return err
		}
		p.printTable(sio.out)
		fmt.Fprintf(sio.out, "\n%s\n", sum.Finding)
		for _, n := range recommitNotes(p.results) {
			fmt.Fprintf(sio.out, "%s\n", n)
		}
		printCaveats(sio.out, p.warnings)
		if *out != "" {
			fmt.Fprintf(sio.out, "\nWrote %s/{summary.json,liquidations.csv,fills.csv,equity.csv}\n", strings.TrimSuffix(*out, "/"))
			if !*noReport {
				reportNote(sio.out, *out)
			}
		}
		return nil
	}
}

// writeRun writes the run's files and, unless noReport, its report into
// the staged output directory d, and publishes it.
func (p *pairedRun) writeRun(sio *stdio, d *publish.Dir, sum *runSummary, noReport bool) error {
	if err := p.write(d.Path(), sum); err != nil {
		return d.Fail(err)
	}
	if !noReport {
		res, eq, err := pairedResults([]*pairedRun{p}, []string{"run"}, "", nil)
		if err == nil {
			err = stageReport(sio.errOut, d.Path(), res, eq)
		}
		if err != nil {
			return d.Fail(err)
		}
	}
	return d.Commit()
}

// loadConfig reads and validates a configuration, the strategy and sizer
// included. Every problem is a usage error (exit status 2).
func loadConfig(path string) (*runconfig.File, error) {
	f, err := runconfig.Load(path, checkStrategy)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, usagef("%v ('marginlab init %s' writes a starter configuration)", err, path)
	}
	if err != nil {
		return nil, configError(path, err)
	}
	return f, nil
}

// configError turns the problems of a configuration into one usage error
// listing them, one per line.
func configError(path string, err error) error {
	var list []string
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			list = append(list, e.Error())
		}
	} else {
		list = []string{err.Error()}
	}
	if len(list) == 1 {
		return usagef("%s", list[0])
	}
	return usagef("%d problems in %s:\n  %s", len(list), path, strings.Join(list, "\n  "))
}

// checkStrategy is a runconfig.Check: it builds the strategy and the sizer
// as the run will, and places their parameter errors on their keys.
func checkStrategy(f *runconfig.File) error {
	var errs []error
	if _, err := strategy.New(f.Strategy.Name, f.Strategy.Params, f.Seed); err != nil {
		errs = append(errs, placeParamErrors(f, "strategy", "name", err)...)
	}
	if _, err := strategy.NewSizer(f.Sizing.Kind, f.Sizing.Params); err != nil {
		errs = append(errs, placeParamErrors(f, "sizing", "kind", err)...)
	}
	return errors.Join(errs...)
}

// placeParamErrors turns package strategy's errors into runconfig errors
// on the keys they are about.
func placeParamErrors(f *runconfig.File, section, nameKey string, err error) []error {
	var out []error
	for _, e := range unjoin(err) {
		var pe *strategy.ParamError
		switch {
		case errors.As(e, &pe):
			re := f.ErrorAt(section+".params."+pe.Key, errors.New(pe.Msg))
			q := "parameter " + strconv.Quote(pe.Key)
			if rest, ok := strings.CutPrefix(pe.Msg, q+" = "); ok {
				if v, why, ok := strings.Cut(rest, ": "); ok {
					re.Value, re.Err = v, errors.New(why)
				}
			} else if rest, ok := strings.CutPrefix(pe.Msg, q+": "); ok {
				re.Err = errors.New(rest)
			} else if strings.HasPrefix(pe.Msg, "unknown parameter ") {
				if _, allowed, ok := strings.Cut(pe.Msg, "(allowed: "); ok {
					re.Err = fmt.Errorf("unknown parameter of %s; allowed: %s", pe.Name, strings.TrimSuffix(allowed, ")"))
				}
			}
			out = append(out, re)
		case errors.Is(e, strategy.ErrUnknownName):
			value := f.Strategy.Name
			if section == "sizing" {
				value = f.Sizing.Kind
			}
			msg := strings.TrimPrefix(e.Error(), "strategy: ")
			if _, known, ok := strings.Cut(msg, "(known: "); ok {
				msg = "want " + strings.TrimSuffix(known, ")")
			}
			re := f.ErrorAt(section+"."+nameKey, errors.New(msg))
			re.Value = strconv.Quote(value)
			out = append(out, re)
		default:
			out = append(out, f.ErrorAt(section, e))
		}
	}
	return out
}

// unjoin returns the errors inside an errors.Join, recursively.
func unjoin(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, unjoin(e)...)
		}
		return out
	}
	return []error{err}
}

// pairedRun is one configuration's market and its results per mode.
type pairedRun struct {
	file    *runconfig.File
	market  *data.Market
	cfg     backtest.Config
	modes   []backtest.ModeSpec
	strat   backtest.Strategy
	results []backtest.Result
	// warnings are the market's and the venue's warnings, which every
	// output carries.
	warnings []error
}

// newPairedRun builds the market (printing its warnings on stderr), the
// venue, the strategy and the sizer. Data problems are plain errors
// (exit 1); venue problems are usage errors (exit 2).
func newPairedRun(ctx context.Context, sio *stdio, f *runconfig.File) (*pairedRun, error) {
	m, warns, err := f.Market(ctx)
	if err != nil {
		return nil, err
	}
	for _, w := range warns {
		fmt.Fprintf(sio.errOut, "%s: warning: %v\n", programName, w)
	}
	v, err := f.Venue()
	if err != nil {
		return nil, configError(f.Source, err)
	}
	// The venue's warnings (symbols on stand-in bracket tables) join the
	// market's: every output carries both.
	for _, w := range f.VenueWarnings(v, m) {
		fmt.Fprintf(sio.errOut, "%s: warning: %s\n", programName, w)
		warns = append(warns, errors.New(w))
	}
	strat, err := strategy.New(f.Strategy.Name, f.Strategy.Params, f.Seed)
	if err != nil {
		return nil, configError(f.Source, err)
	}
	sizer, err := strategy.NewSizer(f.Sizing.Kind, f.Sizing.Params)
	if err != nil {
		return nil, configError(f.Source, err)
	}
	return &pairedRun{file: f, market: m, cfg: f.Engine(v, sizer), modes: f.Modes(), strat: strat, warnings: warns}, nil
}

// simulate decides the intents and runs every mode, announcing itself on
// stderr when it takes more than a second.
func (p *pairedRun) simulate(sio *stdio) error {
	var err error
	msg := fmt.Sprintf("%s: simulating %d bars × %d symbols × %d modes...", programName,
		len(p.market.Time), len(p.market.Symbols), len(p.modes))
	withProgress(sio.errOut, msg, func() {
		in := backtest.Decide(p.market, p.strat)
		p.results, err = backtest.Run(p.market, in, p.cfg, p.modes...)
	})
	if err != nil {
		return err
	}
	for _, r := range p.results {
		if r.JournalError != "" {
			return fmt.Errorf("%s: the ledger failed its check (a bug, please report it): %s", r.Mode, r.JournalError)
		}
	}
	return nil
}

// progressDelay is how long a simulation runs before it is announced.
var progressDelay = time.Second

// withProgress runs fn, printing msg on w if fn is still running after
// progressDelay. Nothing else writes to w meanwhile, and withProgress
// returns only after the printer has finished.
func withProgress(w io.Writer, msg string, fn func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTimer(progressDelay)
		defer t.Stop()
		select {
		case <-done:
		case <-t.C:
			fmt.Fprintln(w, msg)
		}
	}()
	fn()
	close(done)
	<-finished
}

// printTable prints one column per mode.
func (p *pairedRun) printTable(w io.Writer) {
	f, m := p.file, p.market
	names := make([]string, len(m.Symbols))
	for i := range m.Symbols {
		names[i] = m.Symbols[i].Name
	}
	src := "files"
	if f.Synthetic() {
		src = "synthetic"
	}
	fmt.Fprintf(w, "%s on %s (%s): %d × %s bars, %s to %s\n", f.Strategy.Name, strings.Join(names, ", "), src,
		len(m.Time), data.FormatTimeframe(m.Timeframe), shortTime(m.Time[0]), shortTime(m.Time[len(m.Time)-1]+int64(m.Timeframe)))
	fmt.Fprintf(w, "venue %s, leverage %s×, capital %s, sizing %s, intrabar %s\n", p.cfg.Venue.Name,
		fmtNum(p.cfg.Leverage), fmtNum(p.cfg.Capital), f.Sizing.Kind, f.Intrabar)
	printCoarseMarks(w, m)
	fmt.Fprintln(w)

	width := 0
	for _, r := range runRows {
		width = max(width, utf8.RuneCountInString(r.label))
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	row := func(label string, cell func(r *backtest.Result) string) {
		// Labels left-aligned: padded to one width, so aligning right
		// leaves them in place.
		fmt.Fprintf(tw, "%s%s\t", label, strings.Repeat(" ", width-utf8.RuneCountInString(label)))
		for k := range p.results {
			fmt.Fprintf(tw, "%s\t", cell(&p.results[k]))
		}
		fmt.Fprintln(tw)
	}
	row("", func(r *backtest.Result) string { return r.Mode })
	for _, r := range runRows {
		row(r.label, r.cell)
	}
	tw.Flush()
}

// runRows are the rows of the run table.
var runRows = []struct {
	label string
	cell  func(r *backtest.Result) string
}{
	{"positions liquidated", func(r *backtest.Result) string { return strconv.Itoa(r.Metrics.PositionsLiquidated) }},
	{"per 1,000 positions", func(r *backtest.Result) string { return fmt.Sprintf("%.1f", r.Metrics.PositionsLiquidatedPer1000) }},
	{"partial liquidations", func(r *backtest.Result) string { return strconv.Itoa(r.Metrics.PartialLiquidations) }},
	{"ruined", func(r *backtest.Result) string { return ruinText(&r.Metrics) }},
	{"median loss per liquidation", func(r *backtest.Result) string { return lossPct(r, r.Metrics.LossMedianPct) }},
	{"worst loss per liquidation", func(r *backtest.Result) string { return lossPct(r, r.Metrics.LossWorstPct) }},
	{"total return", func(r *backtest.Result) string { return pct(r.Metrics.TotalReturn, true) }},
	{"max drawdown", func(r *backtest.Result) string { return pct(r.Metrics.MaxDrawdown, false) }},
	{"capital at risk, mean", func(r *backtest.Result) string { return fmt.Sprintf("%.2f", r.Metrics.CapitalAtRisk) }},
	{"capital at risk, peak", func(r *backtest.Result) string { return fmt.Sprintf("%.2f", r.Metrics.CapitalAtRiskPeak) }},
	{"return on peak capital at risk", func(r *backtest.Result) string { return pct(r.Metrics.ReturnOnCapitalAtRisk, true) }},
	{"margin utilisation", func(r *backtest.Result) string { return pct(r.Metrics.MarginUtilisation, false) }},
	{"funding paid", func(r *backtest.Result) string { return fmt.Sprintf("%.2f", r.Metrics.FundingPaid) }},
	{"fees paid", func(r *backtest.Result) string { return fmt.Sprintf("%.2f", r.Metrics.Fees+r.Metrics.LiquidationFees) }},
	{"positions", func(r *backtest.Result) string { return strconv.Itoa(r.Metrics.Positions) }},
	{"rejected orders", func(r *backtest.Result) string { return rejectedText(&r.Metrics) }},
	{"stops", func(r *backtest.Result) string { return strconv.Itoa(r.Metrics.Stops) }},
	{"near misses", func(r *backtest.Result) string { return strconv.Itoa(r.Metrics.NearMisses) }},
	{"intrabar ambiguity", func(r *backtest.Result) string { return lossPct(r, r.Metrics.IntrabarAmbiguity*100) }},
	{"final equity", func(r *backtest.Result) string { return fmt.Sprintf("%.2f", r.Metrics.FinalEquity) }},
	{"liquidation checks on", func(r *backtest.Result) string { return markSourceText(r.MarkSource) }},
}

func markSourceText(s string) string {
	switch s {
	case "mark":
		return "mark prices"
	case "trades":
		return "trade prices"
	}
	return s + " prices"
}

// lossPct formats a percentage that exists only when there were
// liquidations.
func lossPct(r *backtest.Result, x float64) string {
	if r.Metrics.PositionsTouched == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f %%", x)
}

// recommitNotes explains a return on peak capital at risk below −100 %:
// the run lost more than it ever had at risk at once, which only margin
// committed again after losses allows.
func recommitNotes(rs []backtest.Result) []string {
	var out []string
	for i := range rs {
		if m := &rs[i].Metrics; m.ReturnOnCapitalAtRisk < -1 {
			out = append(out, fmt.Sprintf("%s lost %.2f, %.1f× the most it had at risk at once (%.2f): margin lost was committed again to new positions (%d in all).",
				rs[i].Mode, m.CapitalAtRiskPeak*-m.ReturnOnCapitalAtRisk, -m.ReturnOnCapitalAtRisk, m.CapitalAtRiskPeak, m.Positions))
		}
	}
	return out
}

// ruinText says whether and when the run was ruined, and how many
// liquidations followed outside the rates.
func ruinText(m *backtest.Metrics) string {
	if !m.Ruined {
		return "no"
	}
	s := fmt.Sprintf("after %.0f days", m.YearsToRuin*365.25)
	if m.LiquidationsAfterRuin > 0 {
		s += fmt.Sprintf(" (%d liquidations after)", m.LiquidationsAfterRuin)
	}
	return s
}

// rejectedText is the number of refused orders with the reasons, e.g.
// "12 (margin 10, min order 2)".
func rejectedText(m *backtest.Metrics) string {
	if m.Rejections == 0 {
		return "0"
	}
	return fmt.Sprintf("%d (%s)", m.Rejections, rejectionReasons(m))
}

// rejectionReasons lists the non-zero refusal counts by reason.
func rejectionReasons(m *backtest.Metrics) string {
	var parts []string
	for _, r := range []struct {
		name string
		n    int
	}{{"margin", m.RejectedMargin}, {"leverage above the tier's maximum", m.RejectedLeverage}, {"below the minimum order", m.RejectedMinOrder}, {"after ruin", m.RejectedRuin}} {
		if r.n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", r.name, r.n))
		}
	}
	return strings.Join(parts, ", ")
}

// pct formats a fraction as a percentage with two decimals, signed when
// asked.
func pct(x float64, signed bool) string {
	if signed {
		return fmt.Sprintf("%+.2f %%", 100*x)
	}
	return fmt.Sprintf("%.2f %%", 100*x)
}

// shortTime prints Unix ns as "2006-01-02 15:04" UTC.
func shortTime(ns int64) string { return time.Unix(0, ns).UTC().Format("2006-01-02 15:04") }

// finding states the main difference between the modes in one sentence,
// from the numbers.
func finding(rs []backtest.Result) string {
	if len(rs) == 0 {
		return ""
	}
	for i := range rs {
		if m := &rs[i].Metrics; m.Positions == 0 {
			if m.Rejections > 0 {
				return fmt.Sprintf("%s opened no position: every order was refused (%s).", rs[i].Mode, rejectionReasons(m))
			}
			return fmt.Sprintf("%s opened no position: the strategy never entered one.", rs[i].Mode)
		}
	}
	liq := func(r *backtest.Result) int { return r.Metrics.PositionsLiquidated }
	if len(rs) == 1 {
		m := &rs[0].Metrics
		if m.PositionsTouched == 0 {
			return fmt.Sprintf("%s was never liquidated in %d positions; total return %s.", rs[0].Mode, m.Positions, pct(m.TotalReturn, true))
		}
		return fmt.Sprintf("%s liquidated %d of %d positions%s; median loss %.1f %% of equity, worst %.1f %%.",
			rs[0].Mode, m.PositionsLiquidated, m.Positions, partialText(m), m.LossMedianPct, m.LossWorstPct)
	}
	order := make([]int, len(rs))
	for i := range order {
		order[i] = i
	}
	// Most liquidations first; ties keep the configured order.
	for i := 1; i < len(order); i++ {
		for j := i; j > 0 && liq(&rs[order[j]]) > liq(&rs[order[j-1]]); j-- {
			order[j], order[j-1] = order[j-1], order[j]
		}
	}
	most := &rs[order[0]]
	if most.Metrics.PositionsTouched == 0 {
		var parts []string
		for i := range rs {
			parts = append(parts, fmt.Sprintf("%s for %s", pct(rs[i].Metrics.TotalReturn, true), rs[i].Mode))
		}
		return fmt.Sprintf("No mode was liquidated; total return %s.", strings.Join(parts, " vs "))
	}
	var vs []string
	for _, k := range order[1:] {
		vs = append(vs, fmt.Sprintf("%d for %s", liq(&rs[k]), rs[k].Mode))
	}
	s := fmt.Sprintf("%s liquidated %s%s vs %s", most.Mode, positionsText(liq(most)), partialText(&most.Metrics), strings.Join(vs, " and "))
	// The least-liquidated mode that was liquidated at all.
	var least *backtest.Result
	for _, k := range order[1:] {
		if rs[k].Metrics.PositionsTouched > 0 {
			least = &rs[k]
		}
	}
	switch {
	case least == nil:
		s += fmt.Sprintf("; %s's median liquidation lost %.1f %% of equity", most.Mode, most.Metrics.LossMedianPct)
	case least.Metrics.PositionsLiquidated+least.Metrics.PartialLiquidations == 1:
		s += fmt.Sprintf("; %s's one liquidation lost %.1f %% of equity, against a median of %.1f %% for %s",
			least.Mode, least.Metrics.LossWorstPct, most.Metrics.LossMedianPct, most.Mode)
	default:
		s += fmt.Sprintf("; a median liquidation lost %.1f %% of equity in %s and %.1f %% in %s",
			least.Metrics.LossMedianPct, least.Mode, most.Metrics.LossMedianPct, most.Mode)
	}
	return s + "."
}

// positionsText is "1 position" or "n positions".
func positionsText(n int) string {
	if n == 1 {
		return "1 position"
	}
	return strconv.Itoa(n) + " positions"
}

// partialText mentions partial liquidations, when there were any.
func partialText(m *backtest.Metrics) string {
	if m.PartialLiquidations == 0 {
		return ""
	}
	return fmt.Sprintf(" (and %d partial liquidation events)", m.PartialLiquidations)
}

func times(n int) string {
	if n == 1 {
		return "1 time"
	}
	return strconv.Itoa(n) + " times"
}

// runSummary is summary.json. It holds nothing that depends on the wall
// clock or the machine, so the same configuration and data give the same
// bytes.
type runSummary struct {
	Config  json.RawMessage `json:"config"` // runconfig's canonical form
	Market  marketSummary   `json:"market"`
	Modes   []modeSummary   `json:"modes"`
	Finding string          `json:"finding"`
	// Warnings are the market's warnings (gaps, dropped rows, coarse marks,
	// coverage gaps accepted by data.coverage) and the venue's (symbols on
	// stand-in bracket tables), as printed on stderr.
	Warnings []string `json:"warnings"`
}

type marketSummary struct {
	Source    string   `json:"source"` // "synthetic" or "files"
	Symbols   []string `json:"symbols"`
	Bars      int      `json:"bars"`
	Timeframe string   `json:"timeframe"`
	Start     string   `json:"start"` // open time of the first bar
	End       string   `json:"end"`   // close time of the last bar
	// Marks says, per symbol, which prices drive liquidation checks and
	// value funding.
	Marks []markSummary `json:"marks"`
}

type modeSummary struct {
	Mode       string `json:"mode"`
	MarkSource string `json:"mark_source"` // "mark", "trades" or "mixed"
	// Metrics is backtest.Metrics with the result tables' snake_case
	// names (reports.JSONValue); see the backtest package for each.
	Metrics any               `json:"metrics"`
	m       *backtest.Metrics // the same, typed, for printing
}

// jsonFloat is a float64 that marshals NaN and ±Inf as null.
type jsonFloat float64

func (x jsonFloat) MarshalJSON() ([]byte, error) {
	f := float64(x)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return json.Marshal(f)
}

// summary builds summary.json's content.
func (p *pairedRun) summary() (*runSummary, error) {
	canon, err := p.file.Canonical()
	if err != nil {
		return nil, err
	}
	m := p.market
	s := &runSummary{
		Config: canon,
		Market: marketSummary{
			Source:    "files",
			Bars:      len(m.Time),
			Timeframe: data.FormatTimeframe(m.Timeframe),
			Start:     data.FormatTime(m.Time[0]),
			End:       data.FormatTime(m.Time[len(m.Time)-1] + int64(m.Timeframe)),
			Marks:     marketMarks(m),
		},
		Finding:  finding(p.results),
		Warnings: warningTexts(p.warnings),
	}
	if p.file.Synthetic() {
		s.Market.Source = "synthetic"
	}
	for i := range m.Symbols {
		s.Market.Symbols = append(s.Market.Symbols, m.Symbols[i].Name)
	}
	for i := range p.results {
		r := &p.results[i]
		s.Modes = append(s.Modes, modeSummary{Mode: r.Mode, MarkSource: r.MarkSource, Metrics: reports.JSONValue(r.Metrics), m: &r.Metrics})
	}
	return s, nil
}

// marshalSummary writes v as indented JSON ending in a newline.
func marshalSummary(v any) ([]byte, error) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// write writes the four output files into dir, creating it if needed.
func (p *pairedRun) write(dir string, sum *runSummary) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	js, err := marshalSummary(sum)
	if err != nil {
		return err
	}
	files := []struct {
		name string
		body []byte
	}{
		{"summary.json", js},
		{"liquidations.csv", liquidationsCSV(p.results)},
		{"fills.csv", fillsCSV(p.results)},
		{"equity.csv", equityCSV(p.results)},
	}
	for _, f := range files {
		if err := publish.WriteFile(filepath.Join(dir, f.name), f.body); err != nil {
			return err
		}
	}
	return nil
}

// csvFloat writes x in the shortest form that reads back exactly; NaN
// and ±Inf as an empty field.
func csvFloat(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return ""
	}
	return strconv.FormatFloat(x, 'g', -1, 64)
}

func csvBytes(header []string, rows [][]string) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write(safeCells(header))
	for _, r := range rows {
		w.Write(safeCells(r))
	}
	w.Flush() // writes to memory: no error
	return b.Bytes()
}

// safeCells defuses cells a spreadsheet would run as a formula (OWASP,
// "CSV Injection"): text starting with =, +, -, @, tab or carriage return
// (a symbol named "=HYPERLINK(…)") gets a leading apostrophe. Numbers,
// negative ones included, are left as they are.
func safeCells(row []string) []string {
	for i, c := range row {
		if c == "" || !strings.ContainsRune("=+-@\t\r", rune(c[0])) {
			continue
		}
		if _, err := strconv.ParseFloat(c, 64); err == nil {
			continue
		}
		row[i] = "'" + c
	}
	return row
}

func liquidationsCSV(rs []backtest.Result) []byte {
	header := []string{"mode", "time", "bar", "symbol", "side", "qty", "entry", "liq_price", "settle", "margin_lost",
		"fee", "insurance", "equity_before", "equity_after", "close_also", "partial", "position", "after_ruin"}
	var rows [][]string
	for _, r := range rs {
		for _, l := range r.Liquidations {
			rows = append(rows, []string{r.Mode, data.FormatTime(l.Time), strconv.Itoa(l.Bar), l.Symbol, sideName(l.Side),
				csvFloat(l.Qty), csvFloat(l.Entry), csvFloat(l.LiqPrice), csvFloat(l.Settle), csvFloat(l.MarginLost),
				csvFloat(l.Fee), csvFloat(l.Insurance), csvFloat(l.EquityBefore), csvFloat(l.EquityAfter),
				strconv.FormatBool(l.CloseAlso), strconv.FormatBool(l.Partial), strconv.Itoa(l.Position), strconv.FormatBool(l.AfterRuin)})
		}
	}
	return csvBytes(header, rows)
}

func sideName(s int) string {
	if s < 0 {
		return "short"
	}
	return "long"
}

func fillsCSV(rs []backtest.Result) []byte {
	header := []string{"mode", "time", "bar", "symbol", "qty", "price", "fee", "pnl", "reason"}
	var rows [][]string
	for _, r := range rs {
		for _, f := range r.Fills {
			rows = append(rows, []string{r.Mode, data.FormatTime(f.Time), strconv.Itoa(f.Bar), f.Symbol,
				csvFloat(f.Qty), csvFloat(f.Price), csvFloat(f.Fee), csvFloat(f.PnL), f.Reason})
		}
	}
	return csvBytes(header, rows)
}

// equityCSV writes the recorded series: one row per recorded bar, four
// columns per mode. Every mode records the same bars.
func equityCSV(rs []backtest.Result) []byte {
	header := []string{"time"}
	for _, r := range rs {
		for _, c := range []string{"equity", "capital_at_risk", "margin_used", "leverage"} {
			header = append(header, r.Mode+"_"+c)
		}
	}
	var rows [][]string
	if len(rs) > 0 {
		for i, t := range rs[0].Series.Time {
			row := []string{data.FormatTime(t)}
			for _, r := range rs {
				s := &r.Series
				row = append(row, csvFloat(s.Equity[i]), csvFloat(s.CapitalAtRisk[i]), csvFloat(s.MarginUsed[i]), csvFloat(s.Leverage[i]))
			}
			rows = append(rows, row)
		}
	}
	return csvBytes(header, rows)
}
