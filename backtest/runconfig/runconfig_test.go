package runconfig_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/marginlab/marginlab/backtest"
	"github.com/marginlab/marginlab/backtest/runconfig"
	"github.com/marginlab/marginlab/data"
)

// parse parses doc as c.yaml and fails the test on an error.
func parse(t *testing.T, doc string) *runconfig.File {
	t.Helper()
	f, err := runconfig.Parse([]byte(doc), "c.yaml")
	if err != nil {
		t.Fatalf("Parse:\n%v\ndocument:\n%s", err, doc)
	}
	return f
}

// problems parses doc as c.yaml, expects an error and returns its lines.
func problems(t *testing.T, doc string) []string {
	t.Helper()
	_, err := runconfig.Parse([]byte(doc), "c.yaml")
	if err == nil {
		t.Fatalf("Parse accepted:\n%s", doc)
	}
	return strings.Split(err.Error(), "\n")
}

func canonical(t *testing.T, f *runconfig.File) string {
	t.Helper()
	b, err := f.Canonical()
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestStarter: the starter parses, validates, sets every key, and differs
// from the defaults only in the strategy and sizing parameters it spells
// out.
func TestStarter(t *testing.T) {
	f := parse(t, runconfig.Starter())
	want := runconfig.Default()
	want.Strategy.Params = map[string]any{"fast": 20, "slow": 50}
	want.Sizing.Params = map[string]any{"fraction": 0.1}
	if got, want := canonical(t, f), canonical(t, want); got != want {
		t.Errorf("starter differs from the defaults:\n got %s\nwant %s", got, want)
	}
	// Every key of the schema appears in the starter, as "key:".
	for _, key := range keyNames(reflect.TypeFor[runconfig.File]()) {
		if !strings.Contains(runconfig.Starter(), key+":") {
			t.Errorf("starter does not show key %q", key)
		}
	}
	// It needs no files: the market is synthetic.
	if !f.Synthetic() || f.Data.Synthetic.Bars != 20000 {
		t.Errorf("starter data: %+v", f.Data)
	}
}

// keyNames lists the YAML keys of t and of the structs below it.
func keyNames(t reflect.Type) []string {
	var out []string
	for i := range t.NumField() {
		tag, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if tag == "" || tag == "-" {
			continue
		}
		out = append(out, tag)
		switch ft := t.Field(i).Type; {
		case ft.Kind() == reflect.Struct:
			out = append(out, keyNames(ft)...)
		case ft.Kind() == reflect.Map && ft.Elem().Kind() == reflect.Struct:
			out = append(out, keyNames(ft.Elem())...)
		}
	}
	return out
}

// TestStarterMarket: the starter's market is built in memory, quickly.
func TestStarterMarket(t *testing.T) {
	f := parse(t, runconfig.Starter())
	m, warns, err := f.Market(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(warns) != 0 {
		t.Errorf("warnings: %v", warns)
	}
	if len(m.Time) != 20000 || len(m.Symbols) != 2 || m.Symbols[0].Name != "BTC" || m.Symbols[1].Mark == nil || m.Timeframe != 5*time.Minute {
		t.Errorf("market: %d bars, %d symbols, timeframe %v", len(m.Time), len(m.Symbols), m.Timeframe)
	}
	if len(m.Symbols[0].Funding.Time) == 0 {
		t.Error("no funding events")
	}
}

// TestEmptyFileIsDefault: an empty mapping is the default configuration.
func TestEmptyFileIsDefault(t *testing.T) {
	want := canonical(t, runconfig.Default())
	for _, doc := range []string{"{}", "capital: null\nstrategy: {name: null}\nfees: {maker: null}\ndata: {synthetic: null}\n"} {
		if got := canonical(t, parse(t, doc)); got != want {
			t.Errorf("%q gives\n%s\nwant\n%s", doc, got, want)
		}
	}
	for _, doc := range []string{"", "  \n", "# only a comment\n", "null\n"} {
		p := problems(t, doc)
		if len(p) != 1 || !strings.Contains(p[0], "empty configuration") {
			t.Errorf("%q: %q", doc, p)
		}
	}
}

// TestUnknownKeys: strict decoding names the file, line, key path and the
// keys allowed there, and reports every unknown key at once.
func TestUnknownKeys(t *testing.T) {
	tests := []struct {
		name, doc string
		want      []string // one line each
	}{
		{"nested", "capital: 5000\nstrategy:\n  name: sma_cross\n  parms: {fast: 5}\n",
			[]string{"c.yaml:4: strategy.parms: unknown key; allowed: name, params"}},
		{"top level with suggestion", "capital: 5000\nstart: 2024-01-01\n",
			[]string{"c.yaml:2: start: unknown key; allowed: data, venue, fees, capital, leverage, strategy, sizing, modes, hybrid_isolated, intrabar, slippage, cooldown, stop_at_liq, reduce_to_fit, margin_policy, ruin, trade_after_ruin, near_miss, record_every, seed (did you mean data.start?)"}},
		{"symbol files", "data:\n  symbols:\n    BTC: {candle: x.parquet}\n",
			[]string{
				"c.yaml:3: data.symbols.BTC.candle: unknown key; allowed: candles, mark, funding",
				"c.yaml:3: data.symbols.BTC.candles: missing; want the path (or glob) of BTC's trade candles",
			}},
		{"several at once", "fees: {maker: 0, tacker: 0.1}\nmargin_policy:\n  top_up: 0.5\nleverag: 5\n",
			[]string{
				"c.yaml:1: fees.tacker: unknown key; allowed: maker, taker",
				"c.yaml:3: margin_policy.top_up: unknown key; allowed: top_up_at, top_up_amount, top_up_cap, sweep_below",
				"c.yaml:4: leverag: unknown key; allowed:",
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := problems(t, tt.doc)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d problems, want %d:\n%s", len(got), len(tt.want), strings.Join(got, "\n"))
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tt.want[i]) {
					t.Errorf("problem %d:\n got %s\nwant %s", i, got[i], tt.want[i])
				}
			}
		})
	}
}

// TestTypeErrors: a value of the wrong type names its key, value and the
// type wanted.
func TestTypeErrors(t *testing.T) {
	tests := []struct{ doc, want string }{
		{"capital: lots\n", `c.yaml:1: capital = "lots": want a number`},
		{"leverage: [5, 10]\n", "c.yaml:1: leverage: want a number, got a list (a list of leverages is a sweep: run it with 'marginlab sweep -c FILE --out DIR')"},
		{"cooldown: 1.5\n", "c.yaml:1: cooldown = 1.5: want an integer"},
		{"data: {synthetic: {bars: 1e3.5}}\n", `c.yaml:1: data.synthetic.bars = "1e3.5": want an integer`},
		{"seed: -1\n", "c.yaml:1: seed = -1: want an integer ≥ 0"},
		{"modes: isolated\n", `c.yaml:1: modes = "isolated": want a list`},
		{"reduce_to_fit: maybe\n", `c.yaml:1: reduce_to_fit = "maybe": want true or false`},
		{"strategy: sma_cross\n", `c.yaml:1: strategy = "sma_cross": want a mapping of keys`},
		{"capital: 1\ncapital: 2\n", `c.yaml:2: mapping key "capital" already defined at line 1`},
		{"capital: [1\n", "c.yaml:"},
		{"- 1\n- 2\n", "c.yaml:1: want a mapping of keys (data, venue,"},
		{"capital: 1\n---\ncapital: 2\n", "c.yaml:2: more than one YAML document"},
	}
	for _, tt := range tests {
		got := problems(t, tt.doc)
		if len(got) != 1 || !strings.HasPrefix(got[0], tt.want) {
			t.Errorf("%q:\n got %q\nwant %s", tt.doc, got, tt.want)
		}
	}
	// A whole number written as a float is an integer.
	if f := parse(t, "cooldown: 2.0\nrecord_every: 1e1\n"); f.Cooldown != 2 || f.RecordEvery != 10 {
		t.Errorf("cooldown %d, record_every %d", f.Cooldown, f.RecordEvery)
	}
}

// TestValidateReportsEverything: every bad value is reported at once, in
// line order, each with its key, value and what is allowed.
func TestValidateReportsEverything(t *testing.T) {
	doc := `leverage: 0.5
modes: [isolated, both]
intrabar: x
`
	got := problems(t, doc)
	want := []string{
		"c.yaml:1: leverage = 0.5: must be at least 1",
		`c.yaml:2: modes[1] = "both": want isolated, cross or hybrid`,
		`c.yaml:3: intrabar = "x": want adverse or close`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Each is an *Error carrying its parts.
	_, err := runconfig.Parse([]byte(doc), "c.yaml")
	var e *runconfig.Error
	if !errors.As(err, &e) || e.Source != "c.yaml" || e.Line != 1 || e.Path != "leverage" || e.Value != "0.5" {
		t.Errorf("first error: %#v", e)
	}
	// Decoding and value problems together: both are reported.
	got = problems(t, "capital: -5\nstrategy: {nme: x}\n")
	if len(got) != 2 || !strings.Contains(got[0], "capital = -5: must be between 1 and 1e+12") || !strings.Contains(got[1], "strategy.nme: unknown key") {
		t.Errorf("mixed problems: %q", got)
	}
}

// TestValidateMessages: one bad value at a time.
func TestValidateMessages(t *testing.T) {
	tests := []struct{ doc, want string }{
		{"capital: 0\n", "capital = 0: must be between 1 and 1e+12 quote units"},
		{"capital: 1e-300\n", "capital = 1e-300: must be between 1 and 1e+12 quote units"},
		{"capital: 1e300\n", "capital = 1e+300: must be between 1 and 1e+12 quote units"},
		{"leverage: .nan\n", "leverage = NaN: must be at least 1"},
		{"modes: []\n", "modes: missing; want a list of isolated, cross or hybrid"},
		{"modes: [cross, cross]\n", `modes[1] = "cross": duplicate mode`},
		{"modes: [hybrid]\n", "hybrid_isolated: missing; mode hybrid needs the symbols to margin isolated, e.g. [BTC]"},
		{"modes: [hybrid]\nhybrid_isolated: [DOGE]\n", `hybrid_isolated[0] = "DOGE": not a symbol of the data (BTC, ETH)`},
		{"hybrid_isolated: [BTC]\n", "hybrid_isolated: only used by mode hybrid"},
		{"slippage: 0.5\n", "slippage = 0.5: must be in [0, 0.5)"},
		{"cooldown: -1\n", "cooldown = -1: must not be negative"},
		{"stop_at_liq: 1\n", "stop_at_liq = 1: must be in [0, 1)"},
		{"ruin: 0\n", "ruin = 0: must be in (0, 1)"},
		{"near_miss: 1.5\n", "near_miss = 1.5: must be in (0, 1]"},
		{"record_every: 0\n", "record_every = 0: must be at least 1"},
		{"margin_policy: {top_up_at: 0.5, sweep_below: 0.6}\n", "margin_policy.sweep_below = 0.6: must be below top_up_at (0.5)"},
		{"margin_policy: {top_up_at: 0.8, top_up_amount: 0}\n", "margin_policy.top_up_amount = 0: must be positive"},
		{"fees: {taker: -0.001}\n", "fees.taker = -0.001: must be in [0, 0.1)"},
		{"venue: nowhere\n", `venue = "nowhere": not a preset (binance-usdm, bybit-linear, dydx-v4, gate-usdt, hyperliquid, okx-swap) nor an existing venue file`},
		{"strategy: {name: ''}\nsizing: {kind: ''}\n", "strategy.name: missing"},

		{"data: {tz: Mars/Base}\n", `data.tz = "Mars/Base": want an IANA zone name`},
		{"data: {align: outer}\n", `data.align = "outer": want intersect or union`},
		{"data: {timeframe: 3q}\n", `data.timeframe = "3q": want a timeframe`},
		{"data: {start: yesterday}\n", `data.start = "yesterday": want a date YYYY-MM-DD`},
		{"data: {start: 2024-02-01, end: 2024-01-01}\n", `data.end = "2024-01-01": must be after data.start (2024-02-01)`},
		{"data: {synthetic: {symbols: [BTC, BTC]}}\n", `data.synthetic.symbols[1] = "BTC": duplicate symbol`},
		{"data: {synthetic: {symbols: []}}\n", "data.synthetic.symbols: missing"},
		{"data: {synthetic: {bars: 1}}\n", "data.synthetic.bars = 1: must be in [2, 50000000]"},
		{"data: {synthetic: {annual_vol: 0}}\n", "data.synthetic.annual_vol = 0: must be in (0, 5]"},
		{"data: {synthetic: {timeframe: 1ms}}\n", `data.synthetic.timeframe = "1ms": want a timeframe of at least 1s`},
		{"data: {symbols: {BTC: {mark: m.parquet}}}\n", "data.symbols.BTC.candles: missing; want the path (or glob) of BTC's trade candles"},
		{"data: {symbols: {}}\n", `data.symbols = "{}": empty: name at least one symbol`},
		{"data:\n  symbols:\n", `data.symbols = "{}": empty: name at least one symbol`},
	}
	for _, tt := range tests {
		got := problems(t, tt.doc)
		if len(got) < 1 || !strings.Contains(got[0], tt.want) {
			t.Errorf("%q:\n got %q\nwant %s", tt.doc, got, tt.want)
		}
	}
}

// TestChecks: a Check's problems join Validate's, on their keys' lines.
func TestChecks(t *testing.T) {
	check := func(f *runconfig.File) error {
		if f.Strategy.Name != "sma_cross" {
			e := f.ErrorAt("strategy.name", errors.New("unknown strategy"))
			e.Value = `"` + f.Strategy.Name + `"`
			return errors.Join(e, errors.New("a problem without a key"))
		}
		return nil
	}
	_, err := runconfig.Parse([]byte("leverage: 0\nstrategy:\n  name: smacross\n"), "c.yaml", check)
	got := strings.Split(fmt.Sprint(err), "\n")
	want := []string{"c.yaml: a problem without a key", "c.yaml:1: leverage = 0: must be at least 1", `c.yaml:3: strategy.name = "smacross": unknown strategy`}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestBuilders: Engine, Modes and Venue carry every setting.
func TestBuilders(t *testing.T) {
	f := parse(t, `
venue: okx-swap
fees: {taker: 0.0004}
capital: 5000
leverage: 20
modes: [cross, hybrid, isolated]
hybrid_isolated: [ETH]
intrabar: close
slippage: 0.001
cooldown: 3
stop_at_liq: 0.5
reduce_to_fit: true
margin_policy: {top_up_at: 0.7, top_up_amount: 0.25, top_up_cap: 2, sweep_below: 0.2}
ruin: 0.2
trade_after_ruin: true
near_miss: 0.9
record_every: 12
`)
	v, err := f.Venue()
	if err != nil {
		t.Fatal(err)
	}
	if v.Name != "okx-swap" || v.TakerFee != 0.0004 || v.MakerFee == 0.0004 {
		t.Errorf("venue %s, taker %v, maker %v", v.Name, v.TakerFee, v.MakerFee)
	}
	cfg := f.Engine(v, nil)
	want := backtest.Config{Venue: v, Capital: 5000, Leverage: 20, Policy: backtest.AtClose, Slippage: 0.001, Cooldown: 3,
		StopAtLiq: 0.5, ReduceToFit: true, Margin: backtest.MarginPolicy{TopUpAt: 0.7, TopUpAmount: 0.25, TopUpCap: 2, SweepBelow: 0.2},
		RuinFraction: 0.2, TradeAfterRuin: true, NearMiss: 0.9, Every: 12}
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("Engine:\n got %+v\nwant %+v", cfg, want)
	}
	modes := f.Modes()
	if len(modes) != 3 || modes[0].Name != "cross" || modes[1].Name != "hybrid" || !modes[1].Isolated["ETH"] || modes[1].Isolated["BTC"] || !modes[2].AllIsolated {
		t.Errorf("Modes: %+v", modes)
	}
	// Fee overrides apply to a copy: the preset itself is unchanged.
	f2 := parse(t, "venue: okx-swap\n")
	v2, _ := f2.Venue()
	if v2.TakerFee == 0.0004 {
		t.Error("a fee override leaked into the preset")
	}
}

// writeSynth writes a synthetic market as Parquet files into dir and
// returns it, the files named <SYM>-candles.parquet, -mark, -funding.
func writeSynth(t *testing.T, dir string, bars int) *data.Market {
	t.Helper()
	m, err := data.Synthesize(data.SynthConfig{Symbols: []string{"BTC", "ETH"}, Timeframe: time.Hour, Bars: bars, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, s := range m.Symbols {
		for _, x := range []struct {
			name string
			s    data.Series
		}{
			{s.Name + "-candles.parquet", data.Series{Kind: data.KindCandles, Bars: s.Candles}},
			{s.Name + "-mark.parquet", data.Series{Kind: data.KindMark, Bars: *s.Mark}},
			{s.Name + "-funding.parquet", data.Series{Kind: data.KindFunding, Funding: s.Funding}},
		} {
			if err := data.WriteFile(filepath.Join(dir, x.name), &x.s, data.WriteOptions{}); err != nil {
				t.Fatal(err)
			}
		}
	}
	return m
}

// TestFilesMatchSynthetic: a market written to files and read back through
// a configuration with relative paths and globs equals the same market
// configured as synthetic.
func TestFilesMatchSynthetic(t *testing.T) {
	root := t.TempDir()
	writeSynth(t, filepath.Join(root, "sub", "data"), 500)
	cfgPath := filepath.Join(root, "sub", "run.yaml")
	doc := `
data:
  symbols:
    ETH: {candles: data/ETH-candles.parquet, mark: data/ETH-mark.parquet, funding: "data/ETH-fund*.parquet"}
    BTC: {candles: "data/BTC-c*.parquet", mark: data/BTC-mark.parquet, funding: data/BTC-funding.parquet}
`
	if err := os.WriteFile(cfgPath, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	// Relative paths resolve against the file's directory, not the
	// working directory.
	t.Chdir(t.TempDir())
	f, err := runconfig.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	if f.Dir != filepath.Join(root, "sub") || f.Synthetic() {
		t.Fatalf("Dir %s", f.Dir)
	}
	fromFiles, warns, err := f.Market(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(warns) != 0 {
		t.Errorf("warnings: %v", warns)
	}
	syn := parse(t, "data: {synthetic: {symbols: [BTC, ETH], timeframe: 1h, bars: 500, seed: 5}}\n")
	want, _, err := syn.Market(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fromFiles, want) {
		t.Error("the market read from files differs from the synthetic one")
	}
}

// TestStartEnd: data.start (inclusive) and data.end (exclusive) cut every
// series, and a period without candles is an error naming the symbol.
func TestStartEnd(t *testing.T) {
	f := parse(t, "data:\n  synthetic: {timeframe: 1h, bars: 1000}\n  start: 2024-01-03\n  end: 2024-01-05T06:00:00Z\n")
	m, _, err := f.Market(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	first, last := data.FormatTime(m.Time[0]), data.FormatTime(m.Time[len(m.Time)-1])
	if first != "2024-01-03T00:00:00Z" || last != "2024-01-05T05:00:00Z" || len(m.Time) != 54 {
		t.Errorf("%d bars from %s to %s", len(m.Time), first, last)
	}
	for _, s := range m.Symbols {
		fu := s.Funding
		if len(fu.Time) == 0 || fu.Time[0] < m.Time[0] || fu.Time[len(fu.Time)-1] >= m.Time[len(m.Time)-1]+int64(time.Hour) {
			t.Errorf("%s funding outside the period: %v", s.Name, fu.Time)
		}
		if s.Mark == nil || s.Mark.Len() != 54 {
			t.Errorf("%s mark cut wrongly", s.Name)
		}
	}
	// Resampling applies after the cut.
	f = parse(t, "data:\n  synthetic: {timeframe: 1h, bars: 1000}\n  start: 2024-01-03\n  timeframe: 4h\n")
	if m, _, err = f.Market(context.Background()); err != nil || m.Timeframe != 4*time.Hour || data.FormatTime(m.Time[0]) != "2024-01-03T00:00:00Z" {
		t.Errorf("resampled: %v", err)
	}

	f = parse(t, "data:\n  start: 2030-01-01\n")
	_, _, err = f.Market(context.Background())
	if err == nil || !strings.Contains(err.Error(), "BTC: no candles in [2030-01-01, the end)") {
		t.Errorf("empty period: %v", err)
	}
}

// TestGlobs: a glob must match exactly one file.
func TestGlobs(t *testing.T) {
	dir := t.TempDir()
	writeSynth(t, dir, 50)
	tests := []struct{ pattern, want string }{
		{"*-candles.parquet", "c.yaml:3: data.symbols.BTC.candles: glob \"*-candles.parquet\" matches 2 files, want exactly one: " +
			filepath.Join(dir, "BTC-candles.parquet") + ", " + filepath.Join(dir, "ETH-candles.parquet")},
		{"DOGE-*.parquet", "c.yaml:3: data.symbols.BTC.candles: glob \"DOGE-*.parquet\" (" + filepath.Join(dir, "DOGE-*.parquet") + ") matches no file"},
	}
	for _, tt := range tests {
		doc := fmt.Sprintf("data:\n  symbols:\n    BTC: {candles: %q}\n", tt.pattern)
		f, err := runconfig.Parse([]byte(doc), filepath.Join(dir, "c.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		f.Source = "c.yaml"
		_, _, err = f.Market(context.Background())
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s:\n got %v\nwant %s", tt.pattern, err, tt.want)
		}
	}
}

// TestMissingAndBadFiles: a missing file names its key and path; a bad
// file is the loader's *data.InputError, as is.
func TestMissingAndBadFiles(t *testing.T) {
	dir := t.TempDir()
	f, err := runconfig.Parse([]byte("data:\n  symbols:\n    BTC: {candles: nope.parquet}\n"), filepath.Join(dir, "c.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = f.Market(context.Background())
	if err == nil || !strings.Contains(err.Error(), "data.symbols.BTC.candles") || !strings.Contains(err.Error(), filepath.Join(dir, "nope.parquet")) ||
		!errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "bad.csv"), []byte("date,open,high,low,close,volume\n2024-01-01,1,2,0.5,1,1\n2024-01-01T01:00:00,1,0.1,0.5,1,1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err = runconfig.Parse([]byte("data:\n  symbols:\n    BTC: {candles: bad.csv}\n"), filepath.Join(dir, "c.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = f.Market(context.Background())
	var ie *data.InputError
	if !errors.As(err, &ie) || !strings.HasPrefix(err.Error(), filepath.Join(dir, "bad.csv")) {
		t.Errorf("bad file: %T %v", err, err)
	}
}

// TestVenueFile: a venue file path resolves against the configuration's
// directory.
func TestVenueFile(t *testing.T) {
	dir := t.TempDir()
	venueYAML := `name: myvenue
family: binance
maker_fee: 0.0001
taker_fee: 0.0003
liquidation_fee: 0.01
remainder: insurance
funding_interval: 8h
default:
  - effective_from: 2020-01-01
    brackets:
      - {floor: 0, mmr: 0.005, max_leverage: 100}
`
	if err := os.MkdirAll(filepath.Join(dir, "venues"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "venues", "my.yaml"), []byte(venueYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := runconfig.Parse([]byte("venue: venues/my.yaml\nfees: {maker: -0.0001}\n"), filepath.Join(dir, "c.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	v, err := f.Venue()
	if err != nil || v.Name != "myvenue" || v.MakerFee != -0.0001 || v.TakerFee != 0.0003 {
		t.Errorf("venue %+v, %v", v, err)
	}
}

// TestCanonical: equal configurations give equal bytes whatever their
// layout; different ones differ; the output parses back to itself.
func TestCanonical(t *testing.T) {
	a := parse(t, `# comment
leverage: 20
strategy: {name: sma_cross, params: {fast: 10, slow: 40}}
modes: [cross, isolated]
`)
	b := parse(t, `modes:
  - cross
  - isolated
strategy:
  params:
    slow: 4e1
    fast: 10.0
  name: sma_cross
leverage: 20.0
capital: 10000   # the default, spelled out
data: {tz: UTC}
`)
	ca, cb := canonical(t, a), canonical(t, b)
	if ca != cb {
		t.Errorf("equal configurations differ:\n%s\n%s", ca, cb)
	}
	if again := canonical(t, a); again != ca {
		t.Error("Canonical is not stable")
	}
	back := parse(t, ca)
	if got := canonical(t, back); got != ca {
		t.Errorf("canonical form does not parse back to itself:\n%s\n%s", got, ca)
	}
	if canonical(t, parse(t, "leverage: 21\n")) == canonical(t, parse(t, "leverage: 20\n")) {
		t.Error("different leverages, same canonical form")
	}
	if !strings.HasPrefix(ca, `{"capital":10000,"cooldown":0,"data":{`) || strings.Contains(ca, "\n") || !json.Valid([]byte(ca)) {
		t.Errorf("not compact JSON with sorted keys: %s", ca)
	}
}

// TestRealData loads real Binance 5m candles and 8h funding through a
// configuration with globs, cut to two weeks.
func TestRealData(t *testing.T) {
	dir := "../../../shared/data/binance-futures-2025"
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("real data not found at %s (it lives beside the repository as ../shared/data); skipping", dir)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	doc := `data:
  symbols:
    BTCUSDT: {candles: "BTC_USDT_USDT-5m-*.feather", funding: BTC_USDT_USDT-8h-funding_rate.feather}
    ETHUSDT: {candles: "ETH_USDT_USDT-5m-*.feather", funding: ETH_USDT_USDT-8h-funding_rate.feather}
  start: 2025-03-10
  end: 2025-03-24
  timeframe: 1h
`
	f, err := runconfig.Parse([]byte(doc), filepath.Join(abs, "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	m, warns, err := f.Market(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("warnings: %v", warns)
	if len(m.Time) != 14*24 || m.Timeframe != time.Hour || m.Symbols[0].Name != "BTCUSDT" || m.Symbols[1].Mark != nil {
		t.Errorf("market: %d bars of %v, %s", len(m.Time), m.Timeframe, m.Symbols[0].Name)
	}
	for _, s := range m.Symbols {
		if n := len(s.Funding.Time); n < 40 || n > 43 {
			t.Errorf("%s: %d funding events in two weeks", s.Name, n)
		}
	}
}
