package venue

import (
	"encoding/json"
	"math"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// sharedTiers is the ccxt export of Binance's brackets beside the
// repository (../shared/data/venue-tiers, see its README §8).
const sharedTiers = "../../../shared/data/venue-tiers/binance_leverage_tiers.json"

func needSharedTiers(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(sharedTiers)
	if err != nil {
		t.Skipf("real data not found at %s (it lives beside the repository as ../shared/data); skipping", sharedTiers)
	}
	return b
}

// TestPresetHasSharedTiers: every symbol of the shared file has its own
// table in the binance-usdm preset, dated 2024-10-24, with exactly the
// file's floor, cap, rate, cum and maximum leverage. The file is read here
// with plain encoding/json, not with ImportTiers, and both the unified
// fields and Binance's own info fields are compared.
func TestPresetHasSharedTiers(t *testing.T) {
	raw := needSharedTiers(t)
	var file map[string][]struct {
		MinNotional, MaxNotional, MaintenanceMarginRate, MaxLeverage float64
		Info                                                         map[string]string
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	if len(file) != 349 {
		t.Fatalf("%d symbols in %s, want 349", len(file), sharedTiers)
	}
	v := mustPreset(t, "binance-usdm")
	at := date(2024, 10, 24)
	parse := func(s string) float64 {
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	for sym, tiers := range file {
		// BTC/USDT:USDT → BTCUSDT; BTC/USDT:USDT-241227 → BTCUSDT_241227.
		pair, settle, _ := strings.Cut(sym, ":")
		key := strings.Replace(pair, "/", "", 1)
		if _, exp, ok := strings.Cut(settle, "-"); ok {
			key += "_" + exp
		}
		tables := v.Tables[key]
		i := slices.IndexFunc(tables, func(tb Table) bool { return tb.EffectiveFrom.Equal(at) })
		if i < 0 {
			t.Errorf("%s (%s): no table dated 2024-10-24", sym, key)
			continue
		}
		br := tables[i].Brackets
		if len(br) != len(tiers) {
			t.Errorf("%s: %d brackets, want %d", key, len(br), len(tiers))
			continue
		}
		for k, tier := range tiers {
			want := Bracket{Floor: parse(tier.Info["notionalFloor"]), Cap: parse(tier.Info["notionalCap"]), MMR: parse(tier.Info["maintMarginRatio"]),
				Cum: parse(tier.Info["cum"]), MaxLeverage: parse(tier.Info["initialLeverage"])}
			unified := Bracket{Floor: tier.MinNotional, Cap: tier.MaxNotional, MMR: tier.MaintenanceMarginRate, Cum: want.Cum, MaxLeverage: tier.MaxLeverage}
			if br[k] != want || br[k] != unified {
				t.Errorf("%s bracket %d: %+v, want %+v", key, k, br[k], want)
			}
		}
	}
	// The hand-checked tables stay, around the snapshot's.
	for _, sym := range []string{"BTCUSDT", "ETHUSDT"} {
		var dates []string
		for _, tb := range v.Tables[sym] {
			dates = append(dates, tb.EffectiveFrom.Format(dateLayout))
		}
		if got := strings.Join(dates, " "); got != "2021-01-01 2024-10-24 2026-03-26" {
			t.Errorf("%s tables dated %s", sym, got)
		}
	}
	if len(v.Tables) != 349 {
		t.Errorf("%d symbols listed, want 349", len(v.Tables))
	}
	if src := v.Sources[len(v.Sources)-1]; !strings.Contains(src.URL, "c9ae5e1e9ff25bb55dd61f5e5519f7c479291edb") || src.Date != "2024-10-24" {
		t.Errorf("the snapshot is not cited: %+v", src)
	}
}

// TestSnapshotUpToDate: importing the shared file again gives the
// embedded snapshot byte for byte (go generate ./backtest/venue was run).
func TestSnapshotUpToDate(t *testing.T) {
	raw := needSharedTiers(t)
	imp, err := ImportTiers(raw, sharedTiers, Binance)
	if err != nil {
		t.Fatal(err)
	}
	if imp.Format != "ccxt" || len(imp.Tables) != 349 || len(imp.Skipped) != 0 {
		t.Fatalf("format %s, %d tables, skipped %v", imp.Format, len(imp.Tables), imp.Skipped)
	}
	snap, err := PresetSnapshot("binance-usdm")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(imp.Tables, snap.Tables) {
		t.Error("the embedded snapshot's tables differ from the shared file's: run go generate ./backtest/venue")
	}
	embedded, _ := tiersFS.ReadFile("presets/binance-usdm.tiers.json")
	again := (&TiersSnapshot{Venue: "binance-usdm", EffectiveFrom: snap.EffectiveFrom, Source: snap.Source, Tables: imp.Tables}).Encode()
	if string(again) != string(embedded) {
		t.Error("the embedded snapshot is not what the importer writes: run go generate ./backtest/venue")
	}
}

// TestOwnBracketLiquidation: symbols other than BTC and ETH are margined
// by their own tables now. By hand, isolated longs, LP = (m + cum − Q·EP)
// / (Q·mmr − Q) (DESIGN.md §3), in the tier of the notional at LP:
//
// SOLUSDT (2024-10 tier 1: 0–20,000 at 0.5 %, cum 0), Q = 100 at 150,
// 20× (margin 750): LP = (750 − 15,000) / (0.5 − 100) = 14,250 / 99.5 =
// 143.21608…, notional 14,321.6, tier 1. The default table (2021 ETHUSDT:
// 10,000–100,000 at 0.65 %, cum 15) gave (750 + 15 − 15,000) / (0.65 −
// 100) = 14,235 / 99.35 = 143.28133….
//
// 1000PEPEUSDT (tier 2: 20,000–200,000 at 1 %, cum 70), Q = 5,000,000 at
// 0.01, 10× (margin 5,000): LP = (5,000 + 70 − 50,000) / (50,000 −
// 5,000,000) = 44,930 / 4,950,000 = 0.0090767676…, notional 45,383.8,
// tier 2. The default gave 44,985 / 4,967,500 = 0.0090558631….
func TestOwnBracketLiquidation(t *testing.T) {
	v := mustPreset(t, "binance-usdm")
	at := date(2024, 11, 1)
	for _, tc := range []struct {
		sym                   string
		qty, entry, margin    float64
		want, wantWithDefault float64
	}{
		{"SOLUSDT", 100, 150, 750, 14250 / 99.5, 14235 / 99.35},
		{"SOL_USDT_USDT", 100, 150, 750, 14250 / 99.5, 14235 / 99.35},
		{"1000PEPEUSDT", 5e6, 0.01, 5000, 44930.0 / 4950000, 44985.0 / 4967500},
	} {
		lp, ok := v.Rule().LiquidationPrice(v.BracketsFor(tc.sym, at), v.TakerFee, 1, tc.qty, tc.entry, tc.margin)
		if !ok || math.Abs(lp-tc.want) > 1e-12*tc.want {
			t.Errorf("%s: LP %v (%v), want %v", tc.sym, lp, ok, tc.want)
		}
		def, _, _ := v.TableFor("NOSUCHUSDT", at)
		lpDef, _ := v.Rule().LiquidationPrice(def.Brackets, v.TakerFee, 1, tc.qty, tc.entry, tc.margin)
		if math.Abs(lpDef-tc.wantWithDefault) > 1e-12*tc.wantWithDefault {
			t.Errorf("%s with the default table: LP %v, want %v", tc.sym, lpDef, tc.wantWithDefault)
		}
	}
}

// TestSnapshotRoundTrip: Encode and DecodeTiersSnapshot agree, an
// uncapped last bracket included; a bad snapshot names its problem.
func TestSnapshotRoundTrip(t *testing.T) {
	s := &TiersSnapshot{Venue: "x", EffectiveFrom: date(2025, 1, 2), Source: Source{What: "w", URL: "u", Date: "d"}, Tables: map[string]Brackets{
		"AUSDT": {{0, 5000, 0.01, 0, 50}, {5000, math.Inf(1), 0.02, 50, 25}},
		"BUSDT": {{0, 1e9, 0.004, 0, 125}},
	}}
	got, err := DecodeTiersSnapshot(s.Encode(), "mem")
	if err != nil || !reflect.DeepEqual(got, s) {
		t.Fatalf("round trip: %v\n%+v\n%+v", err, got, s)
	}
	bad := strings.Replace(string(s.Encode()), "[5000,null,0.02,50,25]", "[5000,null,0.02,51,25]", 1)
	if _, err := DecodeTiersSnapshot([]byte(bad), "mem"); err == nil || !strings.Contains(err.Error(), "mem: symbols.AUSDT[0].brackets[1].cum: 51 disagrees with the recursion") {
		t.Errorf("err = %v", err)
	}
}

func TestAddTables(t *testing.T) {
	v := mustPreset(t, "binance-usdm")
	own := v.Tables["BTCUSDT"][1].Brackets
	differ := v.AddTables(date(2024, 10, 24), map[string]Brackets{
		"BTCUSDT": {{0, 1e6, 0.01, 0, 50}}, // same date, other table: kept, reported
		"ETHUSDT": v.Tables["ETHUSDT"][1].Brackets,
		"NEWUSDT": {{0, 1e6, 0.01, 0, 50}},
	})
	if !slices.Equal(differ, []string{"BTCUSDT"}) || !slices.Equal(v.Tables["BTCUSDT"][1].Brackets, own) || len(v.Tables["NEWUSDT"]) != 1 {
		t.Errorf("differ %v", differ)
	}
	v.AddTables(date(2022, 1, 1), map[string]Brackets{"BTCUSDT": {{0, 1e6, 0.01, 0, 50}}})
	if d := v.Tables["BTCUSDT"][1].EffectiveFrom; !d.Equal(date(2022, 1, 1)) || v.Validate() != nil {
		t.Errorf("inserted at %v: %v", d, v.Validate())
	}
}

func TestFallbacks(t *testing.T) {
	v := mustPreset(t, "binance-usdm")
	got := v.Fallbacks([]string{"BTC", "NOSUCHUSDT", "SOL", "NOSUCHUSDT", "ETHUSDT"}, date(2023, 1, 1))
	want := []string{
		"NOSUCHUSDT: venue binance-usdm has no bracket table for this symbol; it uses the venue's default table instead (effective 2021-01-01: maintenance 0.5 % up to 10000 notional at up to 100×, 9 brackets)",
		"SOL (SOLUSDT): the earliest bracket table of venue binance-usdm for it took effect 2024-10-24, after the data starts (2023-01-01); it stands in for the earlier dates",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if got := v.Fallbacks([]string{"SOLUSDT", "BTCUSDT"}, date(2025, 1, 1)); len(got) != 0 {
		t.Errorf("listed symbols warned: %v", got)
	}
	if got := v.Fallbacks([]string{"SOLUSDT"}, time.Time{}); len(got) != 0 {
		t.Errorf("zero start warned: %v", got)
	}
}

func TestPresetSource(t *testing.T) {
	b, err := PresetSource("binance-usdm")
	if err != nil || !strings.HasPrefix(string(b), "# Binance") {
		t.Errorf("%v %.20q", err, b)
	}
	if _, err := PresetSource("nope"); err == nil {
		t.Error("unknown preset accepted")
	}
	if s, err := PresetSnapshot("okx-swap"); s != nil || err != nil {
		t.Errorf("okx-swap snapshot %v %v", s, err)
	}
	if names := PresetNames(); slices.ContainsFunc(names, func(n string) bool { return strings.Contains(n, "tiers") }) {
		t.Errorf("a snapshot listed as a preset: %v", names)
	}
}

// TestPresetCopiesAreDeep: changing one copy's brackets, or appending to
// them, leaves the cached preset and other copies alone.
func TestPresetCopiesAreDeep(t *testing.T) {
	a, b := mustPreset(t, "binance-usdm"), mustPreset(t, "binance-usdm")
	want := b.Tables["SOLUSDT"][0].Brackets[0]
	a.Tables["SOLUSDT"][0].Brackets[0].MMR = 0.9
	a.Tables["SOLUSDT"][0].Brackets = append(a.Tables["SOLUSDT"][0].Brackets, Bracket{Floor: 1})
	a.Tables["SOLUSDT"] = append(a.Tables["SOLUSDT"], Table{})
	c := mustPreset(t, "binance-usdm")
	for _, v := range []*Venue{b, c} {
		if v.Tables["SOLUSDT"][0].Brackets[0] != want || len(v.Tables["SOLUSDT"]) != 1 || v.Validate() != nil {
			t.Errorf("a change to one copy showed in another: %+v", v.Tables["SOLUSDT"])
		}
	}
	// The append did not spill into the table stored after SOLUSDT's in
	// a's arrays: every other symbol of a is as in b.
	for sym, tables := range b.Tables {
		if sym == "SOLUSDT" {
			continue
		}
		for i := range tables {
			if !slices.Equal(a.Tables[sym][i].Brackets, tables[i].Brackets) {
				t.Errorf("%s changed in the copy that was modified", sym)
			}
		}
	}
}
