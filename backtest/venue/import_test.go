package venue

import (
	"math"
	"slices"
	"strings"
	"testing"
)

// ccxtSample is fetch_leverage_tiers() output in its two number styles:
// floats in the unified fields, strings in info; a spot pair, an option,
// a dated future and an uncapped last tier.
const ccxtSample = `{
 "ABC/USDT:USDT": [
  {"tier": 1, "currency": "USDT", "minNotional": 0, "maxNotional": 5000, "maintenanceMarginRate": 0.01, "maxLeverage": 50,
   "info": {"bracket": "1", "initialLeverage": "50", "notionalCap": "5000", "notionalFloor": "0", "maintMarginRatio": "0.01", "cum": "0.0"}},
  {"tier": 2, "currency": "USDT", "minNotional": 5000, "maxNotional": null, "maintenanceMarginRate": 0.025, "maxLeverage": 20,
   "info": {"cum": "75"}}
 ],
 "ABC/USDT": [{"tier": 1, "minNotional": 0, "maxNotional": 1, "maintenanceMarginRate": 0.1, "maxLeverage": 2, "info": {}}],
 "ABC/USDT:USDT-250328": [{"tier": 1, "minNotional": "0", "maxNotional": "9000", "maintenanceMarginRate": "0.02", "maxLeverage": "25", "info": {}}],
 "ABC/USD:ABC-250328-50000-C": [{"tier": 1, "minNotional": 0, "maxNotional": 1, "maintenanceMarginRate": 0.1, "maxLeverage": 2, "info": {}}]
}`

func TestImportCCXT(t *testing.T) {
	imp, err := ImportTiers([]byte(ccxtSample), "tiers.json", Binance)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Brackets{
		"ABCUSDT":        {{0, 5000, 0.01, 0, 50}, {5000, math.Inf(1), 0.025, 75, 20}},
		"ABCUSDT_250328": {{0, 9000, 0.02, 0, 25}},
	}
	if imp.Format != "ccxt" || len(imp.Tables) != 2 || !slices.Equal(imp.Tables["ABCUSDT"], want["ABCUSDT"]) || !slices.Equal(imp.Tables["ABCUSDT_250328"], want["ABCUSDT_250328"]) {
		t.Errorf("%+v", imp)
	}
	if imp.From["ABCUSDT"] != "ABC/USDT:USDT" || len(imp.Skipped) != 2 ||
		!strings.Contains(imp.Skipped[0], "ABC/USD:ABC-250328-50000-C: an option") || !strings.Contains(imp.Skipped[1], "ABC/USDT: a spot market") {
		t.Errorf("from %v skipped %q", imp.From, imp.Skipped)
	}
	// Other families spell the same symbols their way.
	for fam, key := range map[Family]string{OKX: "ABC-USDT-SWAP", Gate: "ABC_USDT", Hyperliquid: "ABC", DYDX: "ABC-USDT", Bybit: "ABCUSDT"} {
		imp, err := ImportTiers([]byte(ccxtSample), "tiers.json", fam)
		if err != nil || imp.Tables[key] == nil {
			t.Errorf("%s: %v, tables %v", fam, err, imp)
		}
	}
	imp, _ = ImportTiers([]byte(ccxtSample), "tiers.json", OKX)
	if imp.Tables["ABC-USDT-250328"] == nil {
		t.Errorf("okx dated future: %v", imp.Tables)
	}
	imp, _ = ImportTiers([]byte(ccxtSample), "tiers.json", Gate)
	if len(imp.Skipped) != 3 || !strings.Contains(strings.Join(imp.Skipped, "\n"), "ABC/USDT:USDT-250328: a dated future; gate venues have no spelling") {
		t.Errorf("gate skipped %q", imp.Skipped)
	}
}

func TestImportBinance(t *testing.T) {
	list := `[{"symbol": "ZZZUSDT", "notionalCoef": 1.0, "brackets": [
	  {"bracket": 2, "initialLeverage": 20, "notionalCap": 25000, "notionalFloor": 5000, "maintMarginRatio": 0.025, "cum": 75.0},
	  {"bracket": 1, "initialLeverage": 50, "notionalCap": 5000, "notionalFloor": 0, "maintMarginRatio": 0.01, "cum": 0.0}]}]`
	one := `{"symbol": "ZZZUSDT", "brackets": [{"bracket": 1, "initialLeverage": "50", "notionalCap": "5000", "notionalFloor": "0", "maintMarginRatio": "0.01", "cum": "0"}]}`
	for name, in := range map[string]string{"list": list, "one": one} {
		imp, err := ImportTiers([]byte(in), name, Binance)
		if err != nil || imp.Format != "binance" || imp.Tables["ZZZUSDT"][0] != (Bracket{0, 5000, 0.01, 0, 50}) {
			t.Errorf("%s: %v %+v", name, err, imp)
		}
	}
	if _, err := ImportTiers([]byte(list), "b.json", Bybit); err == nil || !strings.Contains(err.Error(), "for a binance-family venue, not bybit") {
		t.Errorf("bybit: %v", err)
	}
}

// TestImportErrors: every problem at once, each naming the file, the
// symbol as the file spells it and the tier.
func TestImportErrors(t *testing.T) {
	bad := `{
	 "AAA/USDT:USDT": [
	  {"minNotional": 0, "maxNotional": 5000, "maintenanceMarginRate": 0.01, "maxLeverage": 50, "info": {"cum": "0"}},
	  {"minNotional": 5000, "maxNotional": 9000, "maintenanceMarginRate": 0.02, "maxLeverage": 25, "info": {"cum": "60"}}],
	 "BBB/USDT:USDT": [{"minNotional": 0, "maintenanceMarginRate": 0.01, "maxLeverage": 50}, {"minNotional": 10, "maxNotional": 20, "maintenanceMarginRate": 0.01, "maxLeverage": 50}],
	 "CCC/USDT:USDT": [{"minNotional": 0, "maxNotional": "lots", "maintenanceMarginRate": 0.01, "maxLeverage": 50}],
	 "DDD/USDT:USDT": [{"minNotional": 0, "maxNotional": 100, "maintenanceMarginRate": 0.5, "maxLeverage": 5}]
	}`
	_, err := ImportTiers([]byte(bad), "bad.json", Binance)
	for _, want := range []string{
		"bad.json: AAA/USDT:USDT.tiers[1].cum: 60 disagrees with the recursion",
		"bad.json: BBB/USDT:USDT[0].maxNotional: missing",
		"bad.json: CCC/USDT:USDT: want a list of tiers",
		"bad.json: DDD/USDT:USDT.tiers[0].max_leverage: 5 with mmr 0.5",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err lacks %q:\n%v", want, err)
		}
	}
	for in, want := range map[string]string{"": "empty", "<html>": "not JSON", "{": "bad JSON", "{}": "no symbol with tiers", `{"A/B": []}`: "no symbol"} {
		if _, err := ImportTiers([]byte(in), "x.json", Binance); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: err = %v, want %q", in, err, want)
		}
	}
	dup := `{"AAA/USDT:USDT": [{"minNotional": 0, "maxNotional": 100, "maintenanceMarginRate": 0.01, "maxLeverage": 50}],
	         "AAA/USDC:USDC": [{"minNotional": 0, "maxNotional": 100, "maintenanceMarginRate": 0.01, "maxLeverage": 50}]}`
	if _, err := ImportTiers([]byte(dup), "dup.json", Hyperliquid); err == nil || !strings.Contains(err.Error(), "maps to the venue's symbol AAA, as AAA/USDC:USDC does") {
		t.Errorf("duplicate key: %v", err)
	}
}

// TestAddTablesToFile: tables go into a venue file beside its own, which
// keeps its comments and hand-written tables; the result parses.
func TestAddTablesToFile(t *testing.T) {
	add := map[string]Brackets{
		"BTCUSDT": {{0, 1e6, 0.01, 0, 50}},                                     // 2024-10-24 exists: kept, reported
		"AAAUSDT": {{0, 5000, 0.01, 0, 50}, {5000, math.Inf(1), 0.02, 50, 25}}, // new, sorted before BTCUSDT
	}
	out, differ, err := AddTablesToFile([]byte(goodYAML), date(2024, 10, 24), add, Source{What: "test import", Date: "2024-10-24"}, "out.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(differ, []string{"BTCUSDT"}) {
		t.Errorf("differ %v", differ)
	}
	text := string(out)
	if !strings.Contains(text, "# a test venue") || strings.Index(text, "AAAUSDT:") > strings.Index(text, "BTCUSDT:") ||
		!strings.Contains(text, "- {floor: 5000, mmr: 0.02, cum: 50, max_leverage: 25}") || !strings.Contains(text, `what: "test import"`) {
		t.Errorf("output:\n%s", text)
	}
	v, err := Parse(out, "out.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Tables["BTCUSDT"]) != 2 || v.Tables["BTCUSDT"][1].Brackets[0].Cap != math.Inf(1) || !slices.Equal(v.Tables["AAAUSDT"][0].Brackets, add["AAAUSDT"]) {
		t.Errorf("tables %+v", v.Tables)
	}
	// A date between two tables goes between them.
	out, _, err = AddTablesToFile(out, date(2022, 6, 1), map[string]Brackets{"BTCUSDT": {{0, 1e6, 0.01, 0, 50}}}, Source{What: "x"}, "out.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if v, _ = Parse(out, "out.yaml"); len(v.Tables["BTCUSDT"]) != 3 || !v.Tables["BTCUSDT"][1].EffectiveFrom.Equal(date(2022, 6, 1)) {
		t.Errorf("inserted: %+v", v.Tables["BTCUSDT"])
	}
}
