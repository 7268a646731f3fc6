package venue

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// goodYAML is a small valid venue file.
const goodYAML = `# a test venue
name: test
family: binance
maker_fee: -0.0001
taker_fee: 0.0005
liquidation_fee: 0.005
remainder: trader
partial: {enabled: true, step: 0.25, min_notional: 50000}
funding_interval: 4h
default:
  - effective_from: 2024-01-01
    brackets:
      - {floor: 0, cap: 50000, mmr: 0.01, max_leverage: 50}
      - {floor: 50000, mmr: 0.02, cum: 500, max_leverage: 25}
symbols:
  BTCUSDT:
    - effective_from: 2021-01-01
      brackets:
        - {floor: 0, cap: 50000, mmr: 0.004, max_leverage: 125}
        - {floor: 50000, mmr: 0.005, max_leverage: 100}
    - effective_from: 2024-10-24
      brackets:
        - {floor: 0, mmr: 0.004, max_leverage: 125}
sources:
  - {what: "made up for a test", url: "https://example.com", date: "2024-01-01"}
`

// goodJSON is goodYAML as JSON, indented with tabs.
const goodJSON = `{
	"name": "test",
	"family": "binance",
	"maker_fee": -0.0001,
	"taker_fee": 0.0005,
	"liquidation_fee": 0.005,
	"remainder": "trader",
	"partial": {"enabled": true, "step": 0.25, "min_notional": 50000},
	"funding_interval": "4h",
	"default": [
		{"effective_from": "2024-01-01", "brackets": [
			{"floor": 0, "cap": 50000, "mmr": 0.01, "max_leverage": 50},
			{"floor": 50000, "mmr": 0.02, "cum": 500, "max_leverage": 25}
		]}
	],
	"symbols": {
		"BTCUSDT": [
			{"effective_from": "2021-01-01", "brackets": [
				{"floor": 0, "cap": 50000, "mmr": 0.004, "max_leverage": 125},
				{"floor": 50000, "mmr": 0.005, "max_leverage": 100}
			]},
			{"effective_from": "2024-10-24", "brackets": [{"floor": 0, "mmr": 0.004, "max_leverage": 125}]}
		]
	},
	"sources": [{"what": "made up for a test", "url": "https://example.com", "date": "2024-01-01"}]
}
`

func TestParse(t *testing.T) {
	v, err := Parse([]byte(goodYAML), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := &Venue{
		Name: "test", Family: Binance, MakerFee: -0.0001, TakerFee: 0.0005, LiquidationFee: 0.005,
		Remainder: ToTrader, Partial: Partial{Enabled: true, Step: 0.25, MinNotional: 50000}, FundingInterval: 4 * time.Hour,
		Default: []Table{{EffectiveFrom: date(2024, 1, 1), Brackets: Brackets{
			{Floor: 0, Cap: 50000, MMR: 0.01, Cum: 0, MaxLeverage: 50},
			{Floor: 50000, Cap: math.Inf(1), MMR: 0.02, Cum: 500, MaxLeverage: 25},
		}}},
		Tables: map[string][]Table{"BTCUSDT": {
			{EffectiveFrom: date(2021, 1, 1), Brackets: Brackets{
				{Floor: 0, Cap: 50000, MMR: 0.004, Cum: 0, MaxLeverage: 125},
				{Floor: 50000, Cap: math.Inf(1), MMR: 0.005, Cum: 50, MaxLeverage: 100}, // cum from the recursion
			}},
			{EffectiveFrom: date(2024, 10, 24), Brackets: Brackets{{Floor: 0, Cap: math.Inf(1), MMR: 0.004, MaxLeverage: 125}}},
		}},
		Sources: []Source{{What: "made up for a test", URL: "https://example.com", Date: "2024-01-01"}},
	}
	if !reflect.DeepEqual(v, want) {
		t.Errorf("Parse:\n got %+v\nwant %+v", v, want)
	}
	// The same venue written as JSON (tabs and all) parses the same.
	j, err := Parse([]byte(goodJSON), "test.json")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(j, v) {
		t.Errorf("JSON venue differs from YAML:\n got %+v\nwant %+v", j, v)
	}
	// And LoadFile reads it from disk.
	path := filepath.Join(t.TempDir(), "venue.json")
	if err := os.WriteFile(path, []byte(goodJSON), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := LoadFile(path)
	if err != nil || !reflect.DeepEqual(f, v) {
		t.Errorf("LoadFile: %v", err)
	}
	if _, err := LoadFile(filepath.Join(t.TempDir(), "missing.yaml")); err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("LoadFile of a missing file: %v", err)
	}
}

// venueErrors returns the *Error values joined in err.
func venueErrors(t *testing.T, err error) []*Error {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	var list []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		list = j.Unwrap()
	} else {
		list = []error{err}
	}
	var out []*Error
	for _, e := range list {
		var ve *Error
		if !errors.As(e, &ve) {
			t.Fatalf("%T is not a *venue.Error: %v", e, e)
		}
		out = append(out, ve)
	}
	return out
}

// TestValidateReportsAll: three independent problems give three errors, each
// naming its key path and line.
func TestValidateReportsAll(t *testing.T) {
	bad := strings.NewReplacer(
		"family: binance", "family: binanse",
		"taker_fee: 0.0005", "taker_fee: 0.5",
		"{floor: 50000, mmr: 0.005, max_leverage: 100}", "{floor: 50000, mmr: 0.003, max_leverage: 100}",
	).Replace(goodYAML)
	_, err := Parse([]byte(bad), "bad.yaml")
	errs := venueErrors(t, err)
	want := []struct {
		path string
		line int
		msg  string
	}{
		{"family", 3, "binance, bybit, okx, gate, hyperliquid, dydx_v4"},
		{"taker_fee", 5, "must be in [-0.001, 0.01]"},
		{"symbols.BTCUSDT[0].brackets[1].mmr", 20, "must not decrease"},
	}
	if len(errs) != len(want) {
		t.Fatalf("got %d errors, want %d:\n%v", len(errs), len(want), err)
	}
	for i, w := range want {
		e := errs[i]
		if e.Path != w.path || e.Line != w.line || e.Source != "bad.yaml" || !strings.Contains(e.Error(), w.msg) {
			t.Errorf("error %d = %q (path %q line %d), want path %q line %d containing %q", i, e, e.Path, e.Line, w.path, w.line, w.msg)
		}
	}
	if !strings.Contains(err.Error(), "venue: bad.yaml:20: symbols.BTCUSDT[0].brackets[1].mmr: ") {
		t.Errorf("message lacks source:line: path:\n%v", err)
	}
}

// TestValidateChecks covers each rule of Validate on a Venue built in Go.
func TestValidateChecks(t *testing.T) {
	base := func() *Venue {
		v, err := Parse([]byte(goodYAML), "")
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		name   string
		change func(v *Venue)
		path   string
		msg    string
	}{
		{"name", func(v *Venue) { v.Name = "" }, "name", "missing"},
		{"maker rebate too big", func(v *Venue) { v.MakerFee = -0.002 }, "maker_fee", "out of range"},
		{"liquidation fee", func(v *Venue) { v.LiquidationFee = -0.01 }, "liquidation_fee", "[0, 0.1]"},
		{"NaN fee", func(v *Venue) { v.TakerFee = math.NaN() }, "taker_fee", "out of range"},
		{"remainder", func(v *Venue) { v.Remainder = "exchange" }, "remainder", "insurance or trader"},
		{"partial step", func(v *Venue) { v.Partial.Step = 0 }, "partial.step", "(0, 1]"},
		{"partial minimum", func(v *Venue) { v.Partial.MinNotional = 0 }, "partial.min_notional", "positive notional"},
		{"funding", func(v *Venue) { v.FundingInterval = 0 }, "funding_interval", "positive"},
		{"no default", func(v *Venue) { v.Default = nil }, "default", "at least one"},
		{"symbol without tables", func(v *Venue) { v.Tables["ETHUSDT"] = nil }, "symbols.ETHUSDT", "at least one"},
		{"unsorted tables", func(v *Venue) {
			tt := v.Tables["BTCUSDT"]
			tt[0], tt[1] = tt[1], tt[0]
		}, "symbols.BTCUSDT[1].effective_from", "sorted"},
		{"repeated date", func(v *Venue) { v.Tables["BTCUSDT"][1].EffectiveFrom = date(2021, 1, 1) }, "symbols.BTCUSDT[1].effective_from", "sorted"},
		{"empty brackets", func(v *Venue) { v.Default[0].Brackets = nil }, "default[0].brackets", "at least one"},
		{"first floor", func(v *Venue) { v.Tables["BTCUSDT"][1].Brackets[0].Floor = 10 }, "symbols.BTCUSDT[1].brackets[0].floor", "start at 0"},
		{"gap", func(v *Venue) { v.Default[0].Brackets[0].Cap = 40000 }, "default[0].brackets[0].cap", "next bracket's floor"},
		{"cap below floor", func(v *Venue) { v.Default[0].Brackets[1].Cap = 100 }, "default[0].brackets[1].cap", "above the floor"},
		{"mmr range", func(v *Venue) { v.Default[0].Brackets[0].MMR = 0 }, "default[0].brackets[0].mmr", "(0, 1)"},
		{"max leverage", func(v *Venue) { v.Default[0].Brackets[1].MaxLeverage = 0.5 }, "default[0].brackets[1].max_leverage", "≥ 1"},
		{"leverage increases", func(v *Venue) { v.Default[0].Brackets[1].MaxLeverage = 60 }, "default[0].brackets[1].max_leverage", "must not increase"},
		{"mmr × leverage", func(v *Venue) { v.Default[0].Brackets[0].MaxLeverage = 100 }, "default[0].brackets[0].max_leverage", "< 1"},
		{"cum", func(v *Venue) { v.Default[0].Brackets[1].Cum = 501 }, "default[0].brackets[1].cum", "gives 500"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := base()
			if err := v.Validate(); err != nil {
				t.Fatal(err)
			}
			tc.change(v)
			errs := venueErrors(t, v.Validate())
			if len(errs) != 1 || errs[0].Path != tc.path || !strings.Contains(errs[0].Err.Error(), tc.msg) {
				t.Errorf("got %v, want one error at %s containing %q", v.Validate(), tc.path, tc.msg)
			}
		})
	}
	// A cum within 1e-6 relative of the recursion passes.
	v := base()
	v.Default[0].Brackets[1].Cum = 500 * (1 + 1e-7)
	if err := v.Validate(); err != nil {
		t.Error(err)
	}
}

// TestParseErrors: problems only the file shows, each with its line.
func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, text string
		line       int
		path, msg  string
	}{
		{"unknown key", strings.Replace(goodYAML, "{floor: 50000, mmr: 0.005,", "{floor: 50000, mmrr: 0.005,", 1),
			20, "symbols.BTCUSDT[0].brackets[1].mmrr", `unknown key "mmrr" (known keys here: floor, cap, mmr, cum, max_leverage)`},
		{"unknown top key", strings.Replace(goodYAML, "remainder: trader", "remainder: trader\nfunding: 8h", 1),
			8, "funding", `unknown key "funding"`},
		{"syntax", strings.Replace(goodYAML, "taker_fee: 0.0005", "taker_fee: 0.0005\n  oops: 1", 1),
			6, "", "mapping values are not allowed"},
		{"not a number", strings.Replace(goodYAML, "maker_fee: -0.0001", "maker_fee: cheap", 1),
			4, "maker_fee", `want a number, got "cheap"`},
		{"duplicate key", strings.Replace(goodYAML, "remainder: trader", "remainder: trader\nname: again", 1),
			8, "", `"name" already defined at line 2`},
		{"missing cap", strings.Replace(goodYAML, "{floor: 0, cap: 50000, mmr: 0.004, max_leverage: 125}", "{floor: 0, mmr: 0.004, max_leverage: 125}", 1),
			19, "symbols.BTCUSDT[0].brackets[0].cap", "only the last bracket may omit cap"},
		{"missing mmr", strings.Replace(goodYAML, "{floor: 0, mmr: 0.004, max_leverage: 125}", "{floor: 0, max_leverage: 125}", 1),
			23, "symbols.BTCUSDT[1].brackets[0].mmr", "missing"},
		{"bad date", strings.Replace(goodYAML, "2024-10-24", "24/10/2024", 1),
			21, "symbols.BTCUSDT[1].effective_from", "want YYYY-MM-DD"},
		{"bad duration", strings.Replace(goodYAML, "funding_interval: 4h", "funding_interval: 4 hours", 1),
			9, "funding_interval", "bad duration"},
		{"missing fee", strings.Replace(goodYAML, "liquidation_fee: 0.005\n", "", 1),
			0, "liquidation_fee", "missing"},
		{"two documents", goodYAML + "---\nname: other\n", 0, "", "more than one YAML document"},
		{"empty", "  \n", 0, "", "empty"},
		{"a list", "- 1\n- 2\n", 1, "", "want a mapping of keys, got a list"},
		{"default is a mapping", "name: x\ndefault: {a: 1}\n", 2, "default", "want a list, got a mapping"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := Parse([]byte(tc.text), "v.yaml")
			if v != nil {
				t.Errorf("got a venue with error %v", err)
			}
			errs := venueErrors(t, err)
			if len(errs) != 1 {
				t.Fatalf("got %d errors, want 1:\n%v", len(errs), err)
			}
			e := errs[0]
			if (tc.line != 0 && e.Line != tc.line) || e.Path != tc.path || !strings.Contains(e.Error(), tc.msg) {
				t.Errorf("got %q (line %d, path %q), want line %d path %q containing %q", e, e.Line, e.Path, tc.line, tc.path, tc.msg)
			}
			if tc.line > 0 && !strings.Contains(e.Error(), "v.yaml:"+strconv.Itoa(tc.line)+": ") {
				t.Errorf("%q does not name v.yaml:%d", e, tc.line)
			}
		})
	}
}

func TestPresets(t *testing.T) {
	names := PresetNames()
	want := []string{"binance-usdm", "bybit-linear", "dydx-v4", "gate-usdt", "hyperliquid", "okx-swap"}
	if !slices.Equal(names, want) {
		t.Fatalf("PresetNames() = %q, want %q", names, want)
	}
	families := map[Family]bool{}
	for _, name := range names {
		v, err := Preset(name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := v.Validate(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if v.Name != name || len(v.Sources) == 0 {
			t.Errorf("%s: name %q, %d sources", name, v.Name, len(v.Sources))
		}
		families[v.Family] = true
		// A preset is a fresh copy: changing one does not change the next.
		v.Default[0].Brackets[0].MMR = 0.9
		if w, _ := Preset(name); w.Default[0].Brackets[0].MMR == 0.9 {
			t.Errorf("%s: Preset returns shared tables", name)
		}
	}
	for _, f := range Families() {
		if !families[f] {
			t.Errorf("no preset of family %s", f)
		}
	}
	if _, err := Preset("binance"); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "binance-usdm") {
		t.Errorf("Preset(binance) = %v", err)
	}
	// Figures the presets promise.
	for _, tc := range []struct {
		preset, field string
		got, want     float64
	}{
		{"binance-usdm", "taker", mustPreset(t, "binance-usdm").TakerFee, 0.0005},
		{"gate-usdt", "taker", mustPreset(t, "gate-usdt").TakerFee, 0.00075},
		{"dydx-v4", "liquidation fee", mustPreset(t, "dydx-v4").LiquidationFee, 0.015},
		{"hyperliquid", "funding hours", mustPreset(t, "hyperliquid").FundingInterval.Hours(), 1},
		{"hyperliquid", "ETH tier 2 MMR", mustPreset(t, "hyperliquid").BracketsFor("ETH", latestTable)[1].MMR, 1.0 / 30},
		{"hyperliquid", "ETH tier 2 floor", mustPreset(t, "hyperliquid").BracketsFor("ETH", latestTable)[1].Floor, 100e6},
		{"hyperliquid", "BTC tier 2 floor", mustPreset(t, "hyperliquid").BracketsFor("BTC", latestTable)[1].Floor, 150e6},
		{"hyperliquid", "default MMR", mustPreset(t, "hyperliquid").BracketsFor("DOGE", latestTable)[0].MMR, 0.05},
	} {
		if !near(tc.got, tc.want, 1e-12) {
			t.Errorf("%s %s = %v, want %v", tc.preset, tc.field, tc.got, tc.want)
		}
	}
	// Hyperliquid: every tier's MMR is 1/(2·max_leverage).
	hl := mustPreset(t, "hyperliquid")
	for _, sym := range []string{"BTC", "ETH", "other"} {
		for _, b := range hl.BracketsFor(sym, latestTable) {
			if !near(b.MMR, 1/(2*b.MaxLeverage), 1e-12) {
				t.Errorf("hyperliquid %s: MMR %v at %vx", sym, b.MMR, b.MaxLeverage)
			}
		}
	}
}

func TestLookup(t *testing.T) {
	v, err := Lookup("okx-swap")
	if err != nil || v.Family != OKX {
		t.Fatalf("Lookup(okx-swap) = %v, %v", v, err)
	}
	path := filepath.Join(t.TempDir(), "mine.yaml")
	if err := os.WriteFile(path, []byte(goodYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	if v, err := Lookup(path); err != nil || v.Name != "test" {
		t.Errorf("Lookup(file) = %v, %v", v, err)
	}
	_, err = Lookup("kraken")
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), strings.Join(PresetNames(), ", ")) {
		t.Errorf("Lookup(kraken) = %v, want ErrNotFound listing the presets", err)
	}
	// A file that exists but is bad reports its own problems.
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(bad, []byte("name: x\n"), 0o644)
	if _, err := Lookup(bad); err == nil || errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "family: missing") {
		t.Errorf("Lookup(bad file) = %v", err)
	}
}

func TestSymbolKey(t *testing.T) {
	tests := []struct {
		preset, symbol, key string
		ok                  bool
	}{
		{"binance-usdm", "BTCUSDT", "BTCUSDT", true},
		{"binance-usdm", "BTC", "BTCUSDT", true},
		{"binance-usdm", "btc_usdt_usdt", "BTCUSDT", true},
		{"binance-usdm", "ETH/USDT:USDT", "ETHUSDT", true},
		{"binance-usdm", "SOLUSDT", "SOLUSDT", true},
		{"binance-usdm", "NOSUCHUSDT", "", false},
		{"binance-usdm", "PEPE", "", false}, // 1000PEPE is another base
		{"binance-usdm", "1000PEPE_USDT_USDT", "1000PEPEUSDT", true},
		{"binance-usdm", "BTC/USDC:USDC", "BTCUSDC", true},
		{"binance-usdm", "btc-usdc", "BTCUSDC", true},
		{"binance-usdm", "SOL", "SOLUSDT", true}, // SOLUSDC too: no quote means USDT
		{"binance-usdm", "BTCUSDT_250328", "BTCUSDT_250328", true},
		{"binance-usdm", "", "", false},
		{"okx-swap", "BTCUSDT", "BTC-USDT-SWAP", true},
		{"gate-usdt", "ETH-USDT-SWAP", "ETH_USDT", true},
		{"hyperliquid", "BTCUSDT", "BTC", true},
		{"hyperliquid", "ETHUSDC", "ETH", true},
		{"dydx-v4", "BTCPERP", "BTC-USD", true},
	}
	for _, tc := range tests {
		key, ok := mustPreset(t, tc.preset).SymbolKey(tc.symbol)
		if key != tc.key || ok != tc.ok {
			t.Errorf("%s SymbolKey(%q) = %q %v, want %q %v", tc.preset, tc.symbol, key, ok, tc.key, tc.ok)
		}
	}
	for in, want := range map[string]string{"1000PEPEUSDT": "1000PEPE", "USDCUSDT": "USDC", "BTC": "BTC", "eth-usd": "ETH", "USDT": "USDT"} {
		if got := BaseAsset(in); got != want {
			t.Errorf("BaseAsset(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"1000PEPEUSDT": "USDT", "BTCUSDC": "USDC", "BTC": "", "eth-usd": "USD", "BTC/USDT:USDT": "USDT",
		"ETH-USDT-SWAP": "USDT", "BTCUSDT_241227": "USDT", "ETHBTC": "BTC", "BTCPERP": "", "sol_usdc": "USDC"} {
		if got := QuoteAsset(in); got != want {
			t.Errorf("QuoteAsset(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzParse: no input panics, and whatever Parse accepts passes Validate.
func FuzzParse(f *testing.F) {
	f.Add([]byte(goodYAML))
	f.Add([]byte(goodJSON))
	for _, name := range PresetNames() {
		data, _ := presetFS.ReadFile("presets/" + name + ".yaml")
		f.Add(data)
	}
	f.Add([]byte("name: [x\n"))
	f.Add([]byte("default: {a: *b}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := Parse(data, "fuzz")
		if err == nil {
			if err := v.Validate(); err != nil {
				t.Fatalf("Parse accepted what Validate rejects: %v", err)
			}
		}
	})
}

// TestBracketsForDataSymbols: symbols as data files name them find the
// venue's table for their base asset, not the default.
func TestBracketsForDataSymbols(t *testing.T) {
	v, err := Preset("binance-usdm")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	want := v.Tables["BTCUSDT"][len(v.Tables["BTCUSDT"])-1].Brackets
	for _, sym := range []string{"BTCUSDT", "BTC_USDT_USDT", "BTC", "BTC/USDT:USDT"} {
		if got := v.BracketsFor(sym, at); len(got) != len(want) || got[0] != want[0] {
			t.Errorf("%s: got %v, want the BTCUSDT table", sym, got)
		}
	}
	if got := v.BracketsFor("NOSUCH_USDT_USDT", at); got[0] != v.Default[len(v.Default)-1].Brackets[0] {
		t.Errorf("unlisted symbol did not get the default table")
	}
	if got, want := v.BracketsFor("DOGE_USDT_USDT", at), v.Tables["DOGEUSDT"][0].Brackets; !slices.Equal(got, want) {
		t.Errorf("DOGE_USDT_USDT: got %v, want the DOGEUSDT table %v", got, want)
	}
}
