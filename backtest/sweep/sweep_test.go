package sweep

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/marginlab/marginlab/backtest"
	"github.com/marginlab/marginlab/backtest/runconfig"
	"github.com/marginlab/marginlab/data"
)

// testConfig is a small synthetic sweep: 2 leverages × 2 fast windows × 2
// venues' worth of taker fees, 3 paths.
const testConfig = `
data:
  synthetic: {symbols: [BTC, ETH], timeframe: 1h, bars: 1500, seed: 3, annual_vol: 1.2}
venue: binance-usdm
capital: 10000
leverage: [5, 25]
strategy: {name: random, params: {entry_prob: [0.02, 0.05], exit_prob: 0.03}}
sizing: {kind: equity_fraction, params: {fraction: 0.2}}
fees: {taker: [0.0004, 0.0006]}
modes: [isolated, cross]
sweep: {paths: 3, block: 24, seed: 7}
`

// testFactories builds strategies and sizers without package strategy
// (which backtest packages cannot import): a seeded random strategy and an
// equity-fraction sizer, enough to exercise the sweep machinery.
func testFactories() Options {
	return Options{
		NewStrategy: func(spec runconfig.StrategySpec, seed uint64) (backtest.Strategy, error) {
			p, _ := spec.Params["entry_prob"].(float64)
			return &coin{p: p, seed: seed}, nil
		},
		NewSizer: func(spec runconfig.SizingSpec) (backtest.Sizer, error) {
			f, _ := spec.Params["fraction"].(float64)
			return fraction(f), nil
		},
	}
}

type coin struct {
	p    float64
	seed uint64
	s    uint64
}

func (c *coin) Decide(v *backtest.View, intents []backtest.Intent) {
	for k := range intents {
		c.s = c.s*6364136223846793005 + 1442695040888963407 + c.seed
		if float64(c.s>>11)/(1<<53) < c.p {
			if intents[k].Side == 0 {
				intents[k] = backtest.Intent{Side: 1 - 2*int(c.s>>63)}
			} else {
				intents[k] = backtest.Intent{}
			}
		}
	}
}

type fraction float64

func (f fraction) Size(in backtest.Intent, price, equity, leverage float64) float64 {
	return float64(f) * equity * leverage / price
}

func plan(t *testing.T) (*Plan, *data.Market) {
	t.Helper()
	p, err := Expand([]byte(testConfig), filepath.Join(t.TempDir(), "sweep.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	m, _, err := p.Cells[0].Config.Market(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return p, m
}

func TestExpand(t *testing.T) {
	p, _ := plan(t)
	if len(p.Cells) != 8 || len(p.Axes) != 3 || p.Settings != (Settings{Paths: 3, Block: 24, Seed: 7}) {
		t.Fatalf("%d cells, axes %+v, settings %+v", len(p.Cells), p.Axes, p.Settings)
	}
	wantAxes := []string{"fees.taker", "leverage", "strategy.params.entry_prob"}
	for k, ax := range p.Axes {
		if ax.Path != wantAxes[k] {
			t.Errorf("axis %d = %s, want %s", k, ax.Path, wantAxes[k])
		}
	}
	seen := map[string]bool{}
	for k, c := range p.Cells {
		if k > 0 && c.ID <= p.Cells[k-1].ID {
			t.Errorf("cells not sorted by id")
		}
		key := describe(c.Params)
		if seen[key] {
			t.Errorf("cell %s twice", key)
		}
		seen[key] = true
		lev := c.Params[1].Value.(float64)
		if c.Config.Leverage != lev || *c.Config.Fees.Taker != c.Params[0].Value.(float64) {
			t.Errorf("cell %s: config leverage %v taker %v", key, c.Config.Leverage, *c.Config.Fees.Taker)
		}
	}
	// Ids depend on the parameters only: a grid with an extra value keeps
	// the old cells' ids.
	bigger := strings.Replace(testConfig, "leverage: [5, 25]", "leverage: [5, 25, 50]", 1)
	p2, err := Expand([]byte(bigger), filepath.Join(t.TempDir(), "s.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, c := range p2.Cells {
		ids[c.ID] = true
	}
	for _, c := range p.Cells {
		if !ids[c.ID] {
			t.Errorf("cell %s (%s) changed id in a bigger grid", c.ID, describe(c.Params))
		}
	}
	if p2.Hash == p.Hash {
		t.Error("different sweeps share a hash")
	}
	// Sampling draws a seeded subset.
	sampled, err := Expand([]byte(strings.Replace(testConfig, "sweep: {", "sweep: {sample: 3, ", 1)), filepath.Join(t.TempDir(), "s.yaml"))
	if err != nil || len(sampled.Cells) != 3 {
		t.Fatalf("sample: %v, %d cells", err, len(sampled.Cells))
	}
}

func TestExpandErrors(t *testing.T) {
	for name, cfg := range map[string]string{
		"bad value in a list":  strings.Replace(testConfig, "leverage: [5, 25]", "leverage: [5, 0.5]", 1),
		"empty list":           strings.Replace(testConfig, "leverage: [5, 25]", "leverage: []", 1),
		"unknown sweep key":    strings.Replace(testConfig, "sweep: {", "sweep: {shards: 2, ", 1),
		"bad paths":            strings.Replace(testConfig, "paths: 3", "paths: 0", 1),
		"nested list in sweep": strings.Replace(testConfig, "leverage: [5, 25]", "leverage: [[5], 25]", 1),
	} {
		if _, err := Expand([]byte(cfg), filepath.Join(t.TempDir(), "s.yaml")); err == nil {
			t.Errorf("%s: no error", name)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
}

// TestHugeGridSample: a grid over a million cells runs as a sample, built
// from the sampled cells alone; without sweep.sample it is refused with
// the fix.
func TestHugeGridSample(t *testing.T) {
	huge := `capital: [1000, 2000, 3000, 4000]
leverage: [2, 3, 4, 5]
slippage: [0, 0.0001, 0.0002, 0.0003]
cooldown: [0, 1, 2, 3]
stop_at_liq: [0, 0.1, 0.2, 0.3]
ruin: [0.1, 0.2, 0.3, 0.4]
near_miss: [0.5, 0.6, 0.7, 0.8]
record_every: [1, 2, 3, 4]
seed: [1, 2, 3, 4]
margin_policy: {top_up_at: [0, 0.9], sweep_below: [0, 0.1, 0.2, 0.3]}
data: {synthetic: {bars: 100}}
`
	// 4^10 × 2 = 2,097,152 cells.
	_, err := Expand([]byte(huge), "huge.yaml")
	if err == nil || !strings.Contains(err.Error(), "2097152 cells, more than 1000000; set sweep.sample") {
		t.Fatalf("without a sample: %v", err)
	}
	p, err := Expand([]byte(huge+"sweep: {sample: 40, seed: 3}\n"), "huge.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Cells) != 40 {
		t.Errorf("%d cells, want the 40 sampled", len(p.Cells))
	}
	q, _ := Expand([]byte(huge+"sweep: {sample: 40, seed: 3}\n"), "huge.yaml")
	if q.Hash != p.Hash || q.Cells[7].ID != p.Cells[7].ID {
		t.Error("the same seed drew another sample")
	}
	if _, err := Expand([]byte(huge+"sweep: {sample: 2000000}\n"), "huge.yaml"); err == nil || !strings.Contains(err.Error(), "at most 1000000") {
		t.Errorf("a sample over the limit: %v", err)
	}
}

// tables returns the bytes of every table in dir.
func tables(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, name := range []string{"runs.parquet", "liquidations.parquet", "trades.parquet", "equity.parquet"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err == nil {
			out[name] = b
		}
	}
	if len(out) < 2 {
		t.Fatalf("%s holds %d tables", dir, len(out))
	}
	return out
}

func sameTables(t *testing.T, what string, a, b map[string][]byte) {
	t.Helper()
	for name, x := range a {
		if !bytes.Equal(x, b[name]) {
			t.Errorf("%s: %s differs", what, name)
		}
	}
}

func run(t *testing.T, p *Plan, m *data.Market, out string, mod func(*Options)) {
	t.Helper()
	opt := testFactories()
	opt.Out, opt.Trades, opt.Equity = out, true, true
	if mod != nil {
		mod(&opt)
	}
	if err := Run(context.Background(), p, m, opt); err != nil {
		t.Fatal(err)
	}
}

// TestShardsMergeEqualsSingleRun: N = 1, 2, 3, 7 shards merged give the
// unsharded tables byte for byte, and the worker count does not matter.
func TestShardsMergeEqualsSingleRun(t *testing.T) {
	p, m := plan(t)
	single := t.TempDir()
	run(t, p, m, single, func(o *Options) { o.Workers = 1 })
	want := tables(t, single)
	two := t.TempDir()
	run(t, p, m, two, func(o *Options) { o.Workers = 2 })
	sameTables(t, "2 workers vs 1", want, tables(t, two))
	for _, n := range []int{1, 2, 3, 7} {
		var dirs []string
		for k := range n {
			d := t.TempDir()
			run(t, p, m, d, func(o *Options) { o.Shard = Shard{K: k, N: n}; o.Workers = 2 })
			dirs = append(dirs, d)
		}
		merged := t.TempDir()
		if err := Merge(merged, dirs); err != nil {
			t.Fatalf("%d shards: %v", n, err)
		}
		sameTables(t, "merged shards", want, tables(t, merged))
	}
}

// TestMergeRejects: a missing shard, a duplicated one and a foreign one.
func TestMergeRejects(t *testing.T) {
	p, m := plan(t)
	a, b := t.TempDir(), t.TempDir()
	run(t, p, m, a, func(o *Options) { o.Shard = Shard{0, 2} })
	run(t, p, m, b, func(o *Options) { o.Shard = Shard{1, 2} })
	foreignPlan, err := Expand([]byte(strings.Replace(testConfig, "capital: 10000", "capital: 20000", 1)), filepath.Join(t.TempDir(), "s.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	f := t.TempDir()
	run(t, foreignPlan, m, f, func(o *Options) { o.Shard = Shard{1, 2} })
	for name, tc := range map[string]struct {
		dirs []string
		want string
	}{
		"missing":    {[]string{a}, "are in no shard given"},
		"duplicated": {[]string{a, b, a}, "more than one shard"},
		"foreign":    {[]string{a, f}, "belongs to another sweep"},
	} {
		err := Merge(t.TempDir(), tc.dirs)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", name, err, tc.want)
		}
	}
}

// TestResumeAfterInterrupt: a sweep cancelled part-way keeps its finished
// jobs; the rerun does only the rest and writes the uninterrupted tables.
func TestResumeAfterInterrupt(t *testing.T) {
	p, m := plan(t)
	want := t.TempDir()
	run(t, p, m, want, nil)
	out := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	opt := testFactories()
	opt.Out, opt.Trades, opt.Equity, opt.Workers = out, true, true, 1
	opt.Progress = func(pr Progress) {
		if pr.Done == 5 {
			cancel()
		}
	}
	if err := Run(ctx, p, m, opt); err != ErrInterrupted {
		t.Fatalf("interrupted run: %v", err)
	}
	man, err := readManifest(out)
	if err != nil || man.Complete || man.JobsDone != 5 {
		t.Fatalf("manifest after interrupt: %+v, %v", man, err)
	}
	resumed := 0
	opt.Progress = func(pr Progress) { resumed = pr.Resumed }
	if err := Run(context.Background(), p, m, opt); err != nil {
		t.Fatal(err)
	}
	if resumed != 5 {
		t.Errorf("resumed %d jobs, want 5", resumed)
	}
	sameTables(t, "resumed vs uninterrupted", tables(t, want), tables(t, out))
	// Another sweep in the same directory is refused.
	other, _ := Expand([]byte(strings.Replace(testConfig, "capital: 10000", "capital: 20000", 1)), filepath.Join(t.TempDir(), "s.yaml"))
	if err := Run(context.Background(), other, m, opt); err == nil || !strings.Contains(err.Error(), "different sweep") {
		t.Errorf("a different sweep in the same directory: %v", err)
	}
}

func TestParseShard(t *testing.T) {
	if s, err := ParseShard("2/7"); err != nil || s != (Shard{2, 7}) {
		t.Errorf("2/7: %v %v", s, err)
	}
	for _, bad := range []string{"7/7", "-1/3", "1", "a/b", "0/0"} {
		if _, err := ParseShard(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestFieldName(t *testing.T) {
	for in, want := range map[string]string{"LiquidationsPer1000": "liquidations_per_1000", "YearsToFirstLiquidation": "years_to_first_liquidation",
		"MarginUtilisation": "margin_utilisation", "Mode": "position_mode", "LossMedianPct": "loss_median_pct", "EquityBefore": "equity_before"} {
		if got := fieldName(in, "position_"); got != want {
			t.Errorf("%s: %s, want %s", in, got, want)
		}
	}
}

// TestReadResults: the tables read back hold every run's metrics and every
// liquidation, equal to what the jobs computed.
func TestReadResults(t *testing.T) {
	p, m := plan(t)
	out := t.TempDir()
	run(t, p, m, out, nil)
	res, err := ReadResults(out)
	if err != nil {
		t.Fatal(err)
	}
	if want := len(p.Cells) * 2 * p.Settings.Paths; len(res.Runs) != want {
		t.Fatalf("%d run rows, want %d", len(res.Runs), want)
	}
	index, err := scanJobs(out)
	if err != nil {
		t.Fatal(err)
	}
	liqs := 0
	for _, row := range res.Runs {
		jr, err := readJob(index[jobKey{row.CellID, row.Path}])
		if err != nil {
			t.Fatal(err)
		}
		mr := jr.find(row.Mode)
		if mr.Metrics != row.Metrics || mr.MarkSource != row.MarkSource {
			t.Fatalf("cell %s %s path %d: metrics read back differ:\n%+v\n%+v", row.CellID, row.Mode, row.Path, row.Metrics, mr.Metrics)
		}
		for _, p := range jr.Params {
			if row.Params[p.Path] != p.Value {
				t.Errorf("cell %s: param %s = %v, want %v", row.CellID, p.Path, row.Params[p.Path], p.Value)
			}
		}
		liqs += len(mr.Liquidations)
	}
	if len(res.Liquidations) != liqs || liqs == 0 {
		t.Errorf("%d liquidation rows, jobs have %d", len(res.Liquidations), liqs)
	}
	if _, err := ReadResults(t.TempDir()); err == nil {
		t.Error("an empty directory read as results")
	}
	// A table without the columns it should have: the error names the file
	// and the column.
	liqPath := filepath.Join(out, "liquidations.parquet")
	b, err := os.ReadFile(filepath.Join(out, "runs.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(liqPath, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadResults(out); err == nil || !strings.Contains(err.Error(), liqPath) || !strings.Contains(err.Error(), `has no column "`) {
		t.Errorf("a liquidations table without its columns: %v", err)
	}
}
