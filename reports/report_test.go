package reports

import (
	"bytes"
	"context"
	"flag"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"golang.org/x/net/html"

	"github.com/marginlab/marginlab/backtest"
	"github.com/marginlab/marginlab/backtest/runconfig"
	"github.com/marginlab/marginlab/backtest/sweep"
	"github.com/marginlab/marginlab/strategy"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// goldenSweep is a fixed small sweep: 3 leverages × 2 entry rates × 3
// paths on a volatile synthetic market, with equity series.
const goldenSweep = `
data:
  synthetic: {symbols: [BTC, ETH], timeframe: 1h, bars: 1500, seed: 3, annual_vol: 1.2}
venue: binance-usdm
capital: 10000
leverage: [5, 20, 50]
strategy: {name: random, params: {entry_prob: [0.02, 0.05], exit_prob: 0.03}}
sizing: {kind: equity_fraction, params: {fraction: 0.2}}
modes: [isolated, cross]
record_every: 6
sweep: {paths: 3, block: 24, seed: 7}
`

var (
	sweepOnce sync.Once
	sweepDir  string
	sweepErr  error
)

// results runs the golden sweep once per test binary and reads it back.
func results(t testing.TB) (*sweep.Results, string) {
	t.Helper()
	sweepOnce.Do(func() {
		dir, err := os.MkdirTemp("", "marginlab-report-test")
		if err != nil {
			sweepErr = err
			return
		}
		sweepDir = dir
		sweepErr = runSweep(dir, goldenSweep, 0)
	})
	if sweepErr != nil {
		t.Fatal(sweepErr)
	}
	res, err := sweep.ReadResults(sweepDir)
	if err != nil {
		t.Fatal(err)
	}
	return res, sweepDir
}

// runSweep runs the sweep config yaml into dir with equity series, on
// workers workers (0: GOMAXPROCS).
func runSweep(dir, yaml string, workers int) error {
	plan, err := sweep.Expand([]byte(yaml), filepath.Join(dir, "sweep.yaml"))
	if err != nil {
		return err
	}
	m, _, err := plan.Cells[0].Config.Market(context.Background())
	if err != nil {
		return err
	}
	return sweep.Run(context.Background(), plan, m, sweep.Options{Out: dir, Equity: true, Version: "golden-test", Workers: workers,
		NewStrategy: func(s runconfig.StrategySpec, seed uint64) (backtest.Strategy, error) {
			return strategy.New(s.Name, s.Params, seed)
		},
		NewSizer: func(s runconfig.SizingSpec) (backtest.Sizer, error) { return strategy.NewSizer(s.Kind, s.Params) },
	})
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test ./reports -run Golden -update to rewrite it, then review the diff):\n%s", name, got)
	}
}

func TestGolden(t *testing.T) {
	res, _ := results(t)
	rep, err := Build(res, Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	var md, js bytes.Buffer
	if err := WriteMarkdown(&md, rep); err != nil {
		t.Fatal(err)
	}
	if err := WriteJSON(&js, rep); err != nil {
		t.Fatal(err)
	}
	// The hash depends on the temporary directory's path, not on the numbers.
	golden(t, "summary.md", []byte(strings.ReplaceAll(md.String(), rep.Sweep.Hash[:12], "HASH")))
	golden(t, "summary.json", bytes.ReplaceAll(js.Bytes(), []byte(rep.Sweep.Hash), []byte("HASH")))
	if len(rep.Modes) != 2 || len(rep.Leverage) != 6 || len(rep.Paired) == 0 || len(rep.Findings) < 2 {
		t.Errorf("report shape: %d modes, %d leverage rows, %d paired, %d findings", len(rep.Modes), len(rep.Leverage), len(rep.Paired), len(rep.Findings))
	}
}

// TestHTML: index.html parses, embeds every figure as inline SVG, and
// loads nothing: no scripts, no external resources.
func TestHTML(t *testing.T) {
	res, dir := results(t)
	rep, err := Build(res, Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	figs, err := Figures(res, rep, DirEquity(dir, res))
	if err != nil {
		t.Fatal(err)
	}
	if len(figs.Figures) != 7 {
		t.Errorf("%d figures, want all 7 (missing: %v)", len(figs.Figures), figs.Missing)
	}
	var buf bytes.Buffer
	if err := WriteHTML(&buf, rep, figs); err != nil {
		t.Fatal(err)
	}
	doc, err := html.Parse(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	svgs := 0
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "svg":
				if n.Parent == nil || n.Parent.Data != "svg" {
					svgs++
				}
			case "script", "link", "iframe", "img":
				t.Errorf("index.html has a <%s> element", n.Data)
			}
			for _, a := range n.Attr {
				if (a.Key == "src" || a.Key == "href") && strings.Contains(a.Val, "://") {
					t.Errorf("index.html loads %s", a.Val)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	if svgs != len(figs.Figures) {
		t.Errorf("index.html embeds %d SVGs for %d figures", svgs, len(figs.Figures))
	}
	for _, f := range figs.Figures {
		if !bytes.Contains(buf.Bytes(), []byte(html.EscapeString(f.Title))) {
			t.Errorf("figure %q has no caption", f.Title)
		}
	}
}

// BenchmarkReport1000 builds and renders the report of a 1,000-cell sweep
// (2 modes, with liquidations), all seven figures included, the
// cell-over-time one from a year of 5-minute equity records per mode.
// Target: under 5 s.
func BenchmarkReport1000(b *testing.B) {
	res := syntheticResults(1000)
	eq := syntheticEquity(365 * 288)
	for range b.N {
		rep, err := Build(res, Options{Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		figs, err := Figures(res, rep, eq)
		if err != nil {
			b.Fatal(err)
		}
		if len(figs.Figures) != 7 {
			b.Fatalf("%d figures, want 7 (missing: %v)", len(figs.Figures), figs.Missing)
		}
		var buf bytes.Buffer
		if err := WriteHTML(&buf, rep, figs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/report")
}

// syntheticEquity returns an equity source whose every cell has n
// records per mode, for the benchmark only.
func syntheticEquity(n int) EquitySource {
	rows := make([]sweep.EquityRow, 2)
	for k, mode := range []string{"cross", "isolated"} {
		r := sweep.EquityRow{Mode: mode, Time: make([]int64, n), Equity: make([]float64, n), MarginUsed: make([]float64, n)}
		e := 10000.0
		for i := range n {
			e *= 1 + 0.001*math.Sin(float64(i*(k+1))/500)
			r.Time[i], r.Equity[i], r.MarginUsed[i] = int64(i)*300e9, e, e/4
		}
		rows[k] = r
	}
	return func(cell string, path int) ([]sweep.EquityRow, error) { return rows, nil }
}

// syntheticResults fabricates n cells' rows (leverage × a second
// parameter), for the benchmark only.
func syntheticResults(n int) *sweep.Results {
	rng := rand.New(rand.NewPCG(1, 1))
	levs := []any{2.0, 5.0, 10.0, 20.0, 50.0}
	others := make([]any, n/len(levs))
	for k := range others {
		others[k] = float64(k)
	}
	res := &sweep.Results{Manifest: &sweep.Manifest{Hash: "bench", Axes: []sweep.Axis{{Path: "leverage", Values: levs}, {Path: "x", Values: others}}, Settings: sweep.Settings{Paths: 1}}}
	for c := range n {
		id := strings.Repeat("0", 12) + string(rune('a'+c%26)) + string(rune('a'+c/26%26)) + string(rune('a'+c/676%26)) + "z"
		lev := levs[c%len(levs)].(float64)
		for _, mode := range []string{"cross", "isolated"} {
			m := backtest.Metrics{Bars: 10000, Years: 0.1, Positions: 100 + rng.IntN(100), TotalReturn: rng.NormFloat64() * 0.1,
				MaxDrawdown: rng.Float64() * 0.5, ReturnOnCapitalAtRisk: rng.NormFloat64(), MarginUtilisation: rng.Float64(), Censored: true, YearsToFirstLiquidation: 0.1, YearsToRuin: 0.1}
			if mode == "isolated" {
				m.PositionsLiquidated = rng.IntN(int(lev))
			} else {
				m.PositionsLiquidated = rng.IntN(2)
			}
			if m.PositionsTouched = m.PositionsLiquidated; m.PositionsLiquidated > 0 {
				m.Censored, m.YearsToFirstLiquidation = false, rng.Float64()*0.1
			}
			res.Runs = append(res.Runs, sweep.RunRow{CellID: id, Mode: mode, Params: map[string]any{"leverage": lev, "x": others[c/len(levs)%len(others)]}, Metrics: m})
			for range m.PositionsLiquidated {
				res.Liquidations = append(res.Liquidations, sweep.LiquidationRow{CellID: id, Mode: mode,
					LiquidationRecord: backtest.LiquidationRecord{MarginLost: 100 * rng.Float64(), EquityBefore: 10000}})
			}
		}
	}
	res.Manifest.Cells = make([]string, n)
	return res
}

// TestNoPositionFinding: a mode that opened no position says why, instead
// of a liquidation finding.
func TestNoPositionFinding(t *testing.T) {
	res := &sweep.Results{Manifest: &sweep.Manifest{Hash: "x", Settings: sweep.Settings{Paths: 1}}}
	for _, mode := range []string{"isolated", "cross"} {
		res.Runs = append(res.Runs, sweep.RunRow{CellID: "c", Mode: mode,
			Metrics: backtest.Metrics{Bars: 100, Years: 0.01, ObservedYears: 0.01, YearsToRuin: 0.01, Censored: true,
				Rejections: 7, RejectedLeverage: 6, RejectedMargin: 1}})
	}
	rep, err := Build(res, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := "isolated opened no position in 1 run: every order was refused (margin 1, leverage above the tier's maximum 6)."
	if !slices.Contains(rep.Findings, want) {
		t.Errorf("findings %q, want %q", rep.Findings, want)
	}
}
