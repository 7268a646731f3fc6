package runconfig

import (
	"reflect"
	"strings"
	"testing"
)

// TestStarterWithData: the starter with real files parses, names the
// files exactly (names and paths YAML would misread are quoted), and
// differs from the plain starter only in the data.symbols block.
func TestStarterWithData(t *testing.T) {
	syms := []StarterSymbol{
		{"BTCUSDT", SymbolFiles{Candles: "market/BTCUSDT-5m-candles.parquet", Mark: "market/BTCUSDT-5m-mark.parquet", Funding: "market/BTCUSDT-funding.parquet"}},
		{"1000PEPEUSDT", SymbolFiles{Candles: "../my data/1000PEPE_USDT_USDT-5m-futures.feather"}},
		{"ON", SymbolFiles{Candles: "/abs/on.csv", Funding: "yes"}},
	}
	text := StarterWithData(syms, "found in market by marginlab init --data\nsecond line")
	f, err := Parse([]byte(text), "starter.yaml")
	if err != nil {
		t.Fatalf("%v\n%s", err, text)
	}
	if len(f.Data.Symbols) != 3 {
		t.Fatalf("symbols %v", f.Data.Symbols)
	}
	for _, s := range syms {
		if got := f.Data.Symbols[s.Name]; !reflect.DeepEqual(got, s.Files) {
			t.Errorf("%s: %+v, want %+v", s.Name, got, s.Files)
		}
	}
	for _, want := range []string{"  # found in market by marginlab init --data\n  # second line\n  symbols:\n    BTCUSDT:\n      candles: market/BTCUSDT-5m-candles.parquet\n",
		`    "1000PEPEUSDT":` + "\n", `      candles: "../my data/1000PEPE_USDT_USDT-5m-futures.feather"`} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q", want)
		}
	}
	head, _, _ := strings.Cut(Starter(), starterExample)
	if !strings.HasPrefix(text, head) || strings.Contains(text, "#   ETHUSDT:") {
		t.Error("the rest of the starter changed, or the example is still there")
	}
}
