package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/marginlab/marginlab/backtest"
)

// volatileConfig is a small synthetic run that liquidates: random entries
// at 25× on a volatile market.
const volatileConfig = `
data:
  synthetic: {symbols: [BTC, ETH], timeframe: 15m, bars: 3000, seed: 3, annual_vol: 1.2}
strategy: {name: random, params: {entry_prob: 0.02, exit_prob: 0.01}}
sizing: {kind: equity_fraction, params: {fraction: 0.1}}
leverage: 25
modes: [isolated, cross, hybrid]
hybrid_isolated: [ETH]
record_every: 4
`

var outputFiles = []string{"summary.json", "liquidations.csv", "fills.csv", "equity.csv"}

// TestRunOut: --out writes the four files; a second run writes the same
// bytes, into the same directory or another.
func TestRunOut(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, dir, "v.yaml", volatileConfig)
	out1, out2 := filepath.Join(dir, "out1"), filepath.Join(dir, "out2")
	r1 := mustRun(t, exitOK, "run", "-c", cfg, "--out", out1)
	r2 := mustRun(t, exitOK, "run", "--out", out2, "--config", cfg)
	if r1.out != strings.ReplaceAll(r2.out, out2, out1) {
		t.Errorf("two runs printed different tables:\n%s\n%s", r1.out, r2.out)
	}
	first := map[string][]byte{}
	for _, name := range outputFiles {
		b1, err := os.ReadFile(filepath.Join(out1, name))
		if err != nil {
			t.Fatal(err)
		}
		b2, err := os.ReadFile(filepath.Join(out2, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b1, b2) {
			t.Errorf("%s differs between two runs", name)
		}
		first[name] = b1
	}
	mustRun(t, exitOK, "run", "-c", cfg, "--out", out1)
	entries, _ := os.ReadDir(out1)
	if len(entries) != len(outputFiles)+2 { // and report/ and the lock file
		t.Errorf("out1 holds %d entries after a rerun", len(entries))
	}
	// The report, byte-identical between the two runs.
	if !strings.Contains(r1.out, "Report: "+filepath.Join(out1, "report", "index.html")) {
		t.Errorf("run does not name its report:\n%s", r1.out)
	}
	for _, name := range []string{"index.html", "summary.md", "summary.json", "figures/cell-over-time.svg", "figures/survival.png"} {
		b1, err := os.ReadFile(filepath.Join(out1, "report", name))
		if err != nil {
			t.Fatal(err)
		}
		if b2, _ := os.ReadFile(filepath.Join(out2, "report", name)); !bytes.Equal(b1, b2) {
			t.Errorf("report/%s differs between two runs", name)
		}
	}
	md, _ := os.ReadFile(filepath.Join(out1, "report", "summary.md"))
	// One history: its blocks of time are resampled, and whole-run paired
	// differences get no interval.
	if !bytes.Contains(md, []byte("1 cell × 1 path, 3 runs; modes isolated, cross, hybrid")) || !bytes.Contains(md, []byte("One price history: intervals resample")) ||
		!bytes.Contains(md, []byte(" pp | – |")) {
		t.Errorf("report/summary.md does not describe one run in three modes:\n%s", md)
	}
	for _, name := range outputFiles {
		if b, _ := os.ReadFile(filepath.Join(out1, name)); !bytes.Equal(b, first[name]) {
			t.Errorf("%s changed when rewritten", name)
		}
	}

	// The CSV files have their headers, a row per record, and the modes.
	rows := func(name string) [][]string {
		recs, err := csv.NewReader(bytes.NewReader(first[name])).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return recs
	}
	liq := rows("liquidations.csv")
	// Every 4th bar is recorded, and the last (bar 2999).
	if strings.Join(liq[0], ",") != "mode,time,bar,symbol,side,qty,entry,liq_price,settle,margin_lost,fee,insurance,equity_before,equity_after,close_also,partial,position,after_ruin" || len(liq) < 2 {
		t.Errorf("liquidations.csv: header %v, %d rows", liq[0], len(liq))
	}
	fills := rows("fills.csv")
	if strings.Join(fills[0], ",") != "mode,time,bar,symbol,qty,price,fee,pnl,reason" || len(fills) < 10 {
		t.Errorf("fills.csv: header %v, %d rows", fills[0], len(fills))
	}
	eq := rows("equity.csv")
	if len(eq[0]) != 1+3*4 || eq[0][1] != "isolated_equity" || eq[0][12] != "hybrid_leverage" || len(eq) != 1+3000/4+1 || eq[1][0] != "2024-01-01T00:00:00Z" {
		t.Errorf("equity.csv: header %v, %d rows", eq[0], len(eq))
	}
	if !strings.Contains(r1.out, "Wrote "+out1) {
		t.Errorf("run does not say what it wrote:\n%s", r1.out)
	}
}

// TestRunNoReport: --no-report leaves the report out.
func TestRunNoReport(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, dir, "v.yaml", volatileConfig)
	out := filepath.Join(dir, "o")
	r := mustRun(t, exitOK, "run", "-c", cfg, "--out", out, "--no-report")
	if _, err := os.Stat(filepath.Join(out, "report")); !os.IsNotExist(err) || strings.Contains(r.out, "Report:") {
		t.Errorf("--no-report wrote a report (%v):\n%s", err, r.out)
	}
}

// TestRunJSON: --json prints summary.json, which parses, has snake_case
// metrics and a finding, and equals the file --out writes.
func TestRunJSON(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, dir, "v.yaml", volatileConfig)
	r := mustRun(t, exitOK, "run", "-c", cfg, "--json", "--out", filepath.Join(dir, "o"))
	var sum struct {
		Config struct {
			Leverage float64  `json:"leverage"`
			Modes    []string `json:"modes"`
		} `json:"config"`
		Market struct {
			Source  string   `json:"source"`
			Symbols []string `json:"symbols"`
			Bars    int      `json:"bars"`
		} `json:"market"`
		Modes []struct {
			Mode       string         `json:"mode"`
			MarkSource string         `json:"mark_source"`
			Metrics    map[string]any `json:"metrics"`
		} `json:"modes"`
		Finding string `json:"finding"`
	}
	if err := json.Unmarshal([]byte(r.out), &sum); err != nil {
		t.Fatalf("%v\n%s", err, r.out)
	}
	if sum.Config.Leverage != 25 || len(sum.Modes) != 3 || sum.Modes[2].Mode != "hybrid" || sum.Market.Bars != 3000 || sum.Market.Source != "synthetic" {
		t.Errorf("summary: %+v", sum)
	}
	for _, m := range sum.Modes {
		if m.MarkSource != "mark" {
			t.Errorf("%s: mark source %q", m.Mode, m.MarkSource)
		}
		for _, k := range []string{"positions_liquidated", "positions_liquidated_per_1000", "partial_liquidations", "positions_touched", "capital_at_risk_peak", "loss_median_pct", "return_on_capital_at_risk", "margin_utilisation", "funding_paid", "near_misses"} {
			if _, ok := m.Metrics[k]; !ok {
				t.Errorf("%s metrics lack %q", m.Mode, k)
			}
		}
	}
	if sum.Modes[0].Metrics["positions_liquidated"].(float64) == 0 || !strings.HasPrefix(sum.Finding, "isolated liquidated") {
		t.Errorf("expected liquidations in isolated; finding %q", sum.Finding)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "o", "summary.json")); string(b) != r.out {
		t.Error("--json output differs from summary.json")
	}
	if strings.Contains(r.out, "isolated   ") {
		t.Error("--json also printed the table")
	}
}

// TestRunConfigErrors: configuration problems exit 2 naming the key and
// line; every problem is listed.
func TestRunConfigErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, doc string
		want      []string
	}{
		{"values", "leverage: 0.5\nmodes: [isolated, both]\nintrabar: x\n", []string{
			"3 problems in", "bad.yaml:1: leverage = 0.5: must be at least 1",
			`bad.yaml:2: modes[1] = "both": want isolated, cross or hybrid`, `bad.yaml:3: intrabar = "x": want adverse or close`}},
		{"unknown key", "strategy:\n  name: sma_cross\n  parms: {fast: 5}\n", []string{"bad.yaml:3: strategy.parms: unknown key; allowed: name, params"}},
		{"strategy parameter", "strategy:\n  name: sma_cross\n  params: {fast: 60, slow: 50}\n",
			[]string{"bad.yaml:3: strategy.params.fast = 60: must be an integer in [1, slow−1]"}},
		{"unknown parameter", "strategy:\n  name: random\n  params:\n    entry: 0.1\n",
			[]string{"bad.yaml:4: strategy.params.entry: unknown parameter of random; allowed: entry_prob, exit_prob, stop"}},
		{"strategy name", "strategy: {name: smacross}\n", []string{`bad.yaml:1: strategy.name = "smacross": want breakout, funding_carry, hold, mean_revert, random, sma_cross`}},
		{"sizer", "sizing: {kind: kelly}\nstrategy: {params: {slow: x}}\n", []string{
			"2 problems", "bad.yaml:1: sizing.kind = \"kelly\": want equity_fraction, fixed_notional, risk",
			`bad.yaml:2: strategy.params.slow: got string "x", want an integer`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := writeFile(t, dir, "bad.yaml", tt.doc)
			r := mustRun(t, exitUsage, "run", "-c", cfg)
			for _, w := range tt.want {
				if !strings.Contains(r.errOut, w) {
					t.Errorf("stderr lacks %q:\n%s", w, r.errOut)
				}
			}
			if r.out != "" {
				t.Errorf("stdout: %s", r.out)
			}
		})
	}
	for _, args := range [][]string{
		{"run"},
		{"run", "x.yaml"},
		{"run", "-c", filepath.Join(dir, "none.yaml")},
	} {
		r := mustRun(t, exitUsage, args...)
		if !strings.Contains(r.errOut, "marginlab run") {
			t.Errorf("%v: %s", args, r.errOut)
		}
	}
	if r := runArgs(t, "run", "-c", filepath.Join(dir, "none.yaml")); !strings.Contains(r.errOut, "marginlab init") {
		t.Errorf("a missing configuration does not point to init:\n%s", r.errOut)
	}
}

// TestRunDataErrors: a missing or bad data file exits 1 naming the file;
// load warnings go to stderr.
func TestRunDataErrors(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, dir, "missing.yaml", "data:\n  symbols:\n    BTC: {candles: data/BTC.parquet}\n")
	r := mustRun(t, exitFailed, "run", "-c", cfg)
	if !strings.Contains(r.errOut, filepath.Join(dir, "data", "BTC.parquet")) || !strings.Contains(r.errOut, "data.symbols.BTC.candles") {
		t.Errorf("stderr:\n%s", r.errOut)
	}

	writeFile(t, dir, "bad.csv", "date,open,high,low,close,volume\n2024-01-01T00:00:00,1,2,0.5,1,1\n2024-01-01T01:00:00,1,0.1,0.5,1,1\n")
	cfg = writeFile(t, dir, "badfile.yaml", "data:\n  symbols:\n    BTC: {candles: bad.csv}\n")
	r = mustRun(t, exitFailed, "run", "-c", cfg)
	if want := "marginlab: " + filepath.Join(dir, "bad.csv") + ": column \"high\", row 1 (line 3)"; !strings.HasPrefix(r.errOut, want) {
		t.Errorf("stderr:\n%s\nwant prefix %s", r.errOut, want)
	}

	// Two symbols of different lengths: the intersection drops rows, and
	// says so on stderr.
	d1 := synthDir(t)
	d2 := synthDir(t, "--bars", "1500", "--symbols", "SOL")
	cfg = writeFile(t, dir, "warn.yaml", "data:\n  symbols:\n    BTC: {candles: "+filepath.Join(d1, "BTC-1m-candles.parquet")+"}\n    SOL: {candles: "+filepath.Join(d2, "SOL-1m-candles.parquet")+"}\nstrategy: {name: hold}\n")
	r = mustRun(t, exitOK, "run", "-c", cfg)
	if !strings.Contains(r.errOut, "marginlab: warning: BTC: 500 of 2000 candles outside the common timeline were dropped") {
		t.Errorf("stderr:\n%s", r.errOut)
	}
	if !strings.Contains(r.out, "trade prices") {
		t.Errorf("without mark files the checks use trade prices:\n%s", r.out)
	}
}

// TestRunRealData runs a paired comparison on real Binance 5m candles and
// 8h funding.
func TestRunRealData(t *testing.T) {
	dir := "../../../shared/data/binance-futures-2025"
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("real data not found at %s (it lives beside the repository as ../shared/data); skipping", dir)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	cfg := writeFile(t, t.TempDir(), "real.yaml", `
data:
  symbols:
    BTCUSDT: {candles: `+abs+`/BTC_USDT_USDT-5m-futures.feather, funding: `+abs+`/BTC_USDT_USDT-8h-funding_rate.feather}
    ETHUSDT: {candles: "`+abs+`/ETH_USDT_USDT-5m-*.feather", funding: `+abs+`/ETH_USDT_USDT-8h-funding_rate.feather}
  end: 2025-04-01
strategy: {name: random, params: {entry_prob: 0.01}}
leverage: 25
`)
	r := mustRun(t, exitOK, "run", "-c", cfg, "--json")
	var sum struct {
		Market struct {
			Bars  int    `json:"bars"`
			Start string `json:"start"`
		} `json:"market"`
		Modes []struct {
			MarkSource string         `json:"mark_source"`
			Metrics    map[string]any `json:"metrics"`
		} `json:"modes"`
	}
	if err := json.Unmarshal([]byte(r.out), &sum); err != nil {
		t.Fatal(err)
	}
	if sum.Market.Start != "2025-03-06T10:30:00Z" || sum.Market.Bars < 7000 || len(sum.Modes) != 2 {
		t.Errorf("market %+v, %d modes", sum.Market, len(sum.Modes))
	}
	for _, m := range sum.Modes {
		if m.MarkSource != "trades" || m.Metrics["positions"].(float64) < 20 || m.Metrics["funding_paid"].(float64) == 0 {
			t.Errorf("mark source %s, metrics %v", m.MarkSource, m.Metrics)
		}
	}
	t.Logf("isolated %v liquidations, cross %v", sum.Modes[0].Metrics["positions_liquidated"], sum.Modes[1].Metrics["positions_liquidated"])
}

// TestFinding: the finding line follows the numbers.
func TestFinding(t *testing.T) {
	res := func(mode string, liqs int, median, worst float64) backtest.Result {
		return backtest.Result{Mode: mode, Metrics: backtest.Metrics{PositionsLiquidated: liqs, PositionsTouched: liqs, Positions: 100, LossMedianPct: median, LossWorstPct: worst, TotalReturn: -0.1}}
	}
	tests := []struct {
		rs   []backtest.Result
		want string
	}{
		{[]backtest.Result{res("isolated", 12, 9.5, 11), res("cross", 1, 98, 98)},
			"isolated liquidated 12 positions vs 1 for cross; cross's one liquidation lost 98.0 % of equity, against a median of 9.5 % for isolated."},
		{[]backtest.Result{res("isolated", 2, 9.5, 11), res("cross", 5, 40, 98)},
			"cross liquidated 5 positions vs 2 for isolated; a median liquidation lost 9.5 % of equity in isolated and 40.0 % in cross."},
		{[]backtest.Result{res("isolated", 3, 9.5, 11), res("cross", 0, 0, 0), res("hybrid", 0, 0, 0)},
			"isolated liquidated 3 positions vs 0 for cross and 0 for hybrid; isolated's median liquidation lost 9.5 % of equity."},
		{[]backtest.Result{res("isolated", 0, 0, 0), res("cross", 0, 0, 0)},
			"No mode was liquidated; total return -10.00 % for isolated vs -10.00 % for cross."},
		{[]backtest.Result{res("cross", 1, 50, 50)},
			"cross liquidated 1 of 100 positions; median loss 50.0 % of equity, worst 50.0 %."},
		{[]backtest.Result{{Mode: "isolated", Metrics: backtest.Metrics{PositionsLiquidated: 2, PartialLiquidations: 7, PositionsTouched: 4, Positions: 50, LossMedianPct: 3}}, res("cross", 1, 20, 20)},
			"isolated liquidated 2 positions (and 7 partial liquidation events) vs 1 for cross; cross's one liquidation lost 20.0 % of equity, against a median of 3.0 % for isolated."},
		{[]backtest.Result{{Mode: "isolated", Metrics: backtest.Metrics{Rejections: 5, RejectedLeverage: 4, RejectedMinOrder: 1}}, res("cross", 0, 0, 0)},
			"isolated opened no position: every order was refused (leverage above the tier's maximum 4, below the minimum order 1)."},
	}
	for _, tt := range tests {
		if got := finding(tt.rs); got != tt.want {
			t.Errorf("got  %s\nwant %s", got, tt.want)
		}
	}
}

// TestProgress: a slow simulation is announced on stderr; a quick one is
// not.
func TestProgress(t *testing.T) {
	defer func(d time.Duration) { progressDelay = d }(progressDelay)
	progressDelay = 20 * time.Millisecond
	var w bytes.Buffer
	withProgress(&w, "simulating...", func() {})
	if w.Len() != 0 {
		t.Errorf("a quick run printed %q", w.String())
	}
	withProgress(&w, "simulating...", func() { time.Sleep(200 * time.Millisecond) })
	if w.String() != "simulating...\n" {
		t.Errorf("a slow run printed %q", w.String())
	}
	// Through the command: the line names bars, symbols and modes.
	progressDelay = 0
	cfg := writeFile(t, t.TempDir(), "v.yaml", volatileConfig)
	r := mustRun(t, exitOK, "run", "-c", cfg)
	if !strings.Contains(r.errOut, "marginlab: simulating 3000 bars × 2 symbols × 3 modes...") && r.errOut != "" {
		t.Errorf("stderr: %q", r.errOut)
	}
}

// TestRecommitNotes: a return on peak capital at risk below −100 % is
// explained; one at or above it is not.
func TestRecommitNotes(t *testing.T) {
	rs := []backtest.Result{
		{Mode: "isolated", Metrics: backtest.Metrics{ReturnOnCapitalAtRisk: -2.5, CapitalAtRiskPeak: 1000, Positions: 40}},
		{Mode: "cross", Metrics: backtest.Metrics{ReturnOnCapitalAtRisk: -1, CapitalAtRiskPeak: 10000, Positions: 40}},
	}
	got := recommitNotes(rs)
	want := "isolated lost 2500.00, 2.5× the most it had at risk at once (1000.00): margin lost was committed again to new positions (40 in all)."
	if len(got) != 1 || got[0] != want {
		t.Errorf("notes %q, want [%q]", got, want)
	}
}

// TestCSVInjection: text a spreadsheet would run as a formula is defused;
// numbers, negative ones too, are untouched.
func TestCSVInjection(t *testing.T) {
	got := string(csvBytes([]string{"symbol", "pnl"}, [][]string{
		{"=HYPERLINK(\"http://x\")", "-12.5"}, {"+CMD", "3"}, {"-1+1", "-0"}, {"@SUM(A1)", "1e-3"}, {"\tTAB", "x"}, {"BTC", "-"},
	}))
	want := "symbol,pnl\n\"'=HYPERLINK(\"\"http://x\"\")\",-12.5\n'+CMD,3\n'-1+1,-0\n'@SUM(A1),1e-3\n'\tTAB,x\nBTC,'-\n"
	if got != want {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
}

// TestRunNoPositionOpened: at 125× a tenth of 10,000 margins 125,000 of
// BTC, in the tier whose maximum leverage is 100: every order is refused.
// The run says so in its finding (text and JSON) and the table gives the
// refusals by reason, instead of "no mode was liquidated".
func TestRunNoPositionOpened(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, dir, "c.yaml", "leverage: 125\ndata: {synthetic: {symbols: [BTC], bars: 3000}}\nmodes: [isolated]\n")
	r := mustRun(t, exitOK, "run", "-c", cfg)
	if !strings.Contains(r.out, "isolated opened no position: every order was refused (leverage above the tier's maximum") ||
		!strings.Contains(r.out, "rejected orders") || strings.Contains(r.out, "No mode was liquidated") {
		t.Errorf("run:\n%s", r.out)
	}
	r = mustRun(t, exitOK, "run", "-c", cfg, "--json")
	var sum struct {
		Finding string
		Modes   []struct{ Metrics map[string]any }
	}
	if err := json.Unmarshal([]byte(r.out), &sum); err != nil {
		t.Fatal(err)
	}
	m := sum.Modes[0].Metrics
	if !strings.Contains(sum.Finding, "opened no position") || m["positions"].(float64) != 0 || m["rejected_leverage"].(float64) == 0 {
		t.Errorf("json: finding %q, metrics positions %v rejected_leverage %v", sum.Finding, m["positions"], m["rejected_leverage"])
	}
}
