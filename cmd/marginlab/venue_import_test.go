package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/marginlab/marginlab/backtest/venue"
)

// xyzTiers is a ccxt export with one symbol no preset lists.
const xyzTiers = `{"XYZ/USDT:USDT": [
 {"tier": 1, "currency": "USDT", "minNotional": 0, "maxNotional": 5000, "maintenanceMarginRate": 0.02, "maxLeverage": 25, "info": {"cum": "0"}},
 {"tier": 2, "currency": "USDT", "minNotional": 5000, "maxNotional": 100000, "maintenanceMarginRate": 0.05, "maxLeverage": 10, "info": {"cum": "150"}}],
 "XYZ/USDT": []}`

// TestVenueImportTiers: the imported table drives liq and run through the
// venue file written; without it, run warns that XYZUSDT is on the default
// table, on stderr and in summary.json.
func TestVenueImportTiers(t *testing.T) {
	dir := t.TempDir()
	tiers := writeFile(t, dir, "tiers.json", xyzTiers)
	out := filepath.Join(dir, "v", "xyz.yaml")
	r := mustRun(t, exitOK, "venue", "import-tiers", tiers, "--venue", "binance-usdm", "--effective-from", "2024-01-01", "--out", out)
	if !strings.Contains(r.out, "Imported 1 symbols (ccxt format) effective 2024-01-01 into binance-usdm: XYZUSDT") ||
		!strings.Contains(r.errOut, "note: skipped XYZ/USDT: a spot market") {
		t.Errorf("stdout:\n%s\nstderr:\n%s", r.out, r.errOut)
	}
	v, err := venue.LoadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Tables) != 350 || v.Tables["XYZUSDT"][0].Brackets[1].Cum != 150 || len(v.Tables["BTCUSDT"]) != 3 {
		t.Errorf("%d symbols; XYZUSDT %+v", len(v.Tables), v.Tables["XYZUSDT"])
	}
	// Long 100 XYZ at 40 (notional 4,000, tier 1), 10× (margin 400):
	// LP = (400 − 4,000) / (100 × 0.02 − 100) = 3,600 / 98 = 36.734693877…
	r = mustRun(t, exitOK, "liq", "--venue", out, "--symbol", "XYZUSDT", "--side", "long", "--entry", "40", "--amount", "100", "--leverage", "10", "--at", "2024-06-01")
	if !strings.Contains(r.out, "liquidation  36.73469388") || !strings.Contains(r.out, "XYZUSDT table from 2024-01-01") {
		t.Errorf("liq:\n%s", r.out)
	}

	// Candles named XYZUSDT: the preset warns, the imported file does not.
	data := synthDir(t, "--symbols", "XYZUSDT")
	cfg := func(venueKey string) string {
		return writeFile(t, dir, "run-"+filepath.Base(venueKey)+".yaml", "data:\n  symbols:\n    XYZUSDT: {candles: "+filepath.Join(data, "XYZUSDT-1m-candles.parquet")+
			"}\nvenue: "+venueKey+"\nstrategy: {name: hold}\n")
	}
	r = mustRun(t, exitOK, "run", "-c", cfg("binance-usdm"), "--json")
	want := "XYZUSDT: venue binance-usdm has no bracket table for this symbol; it uses the venue's default table instead (effective 2021-01-01: maintenance 0.5 % up to 10000 notional at up to 100×, 9 brackets)"
	if !strings.Contains(r.errOut, "marginlab: warning: "+want) {
		t.Errorf("stderr:\n%s", r.errOut)
	}
	var sum runSummary
	if err := json.Unmarshal([]byte(r.out), &sum); err != nil || len(sum.Warnings) != 1 || sum.Warnings[0] != want {
		t.Errorf("summary.json warnings %q (%v)", sum.Warnings, err)
	}
	r = mustRun(t, exitOK, "run", "-c", cfg(out), "--json")
	sum = runSummary{}
	if err := json.Unmarshal([]byte(r.out), &sum); strings.Contains(r.errOut, "warning") || err != nil || len(sum.Warnings) != 0 {
		t.Errorf("warned with the imported table:\n%s\nsummary.json warnings %q (%v)", r.errOut, sum.Warnings, err)
	}

	// --snapshot: the compact form the presets embed.
	snap := filepath.Join(dir, "x.tiers.json")
	mustRun(t, exitOK, "venue", "import-tiers", tiers, "--venue", "binance-usdm", "--effective-from", "2024-01-01", "--out", snap, "--snapshot", "--source", "test", "--source-url", "https://example.org/t")
	b, _ := os.ReadFile(snap)
	s, err := venue.DecodeTiersSnapshot(b, snap)
	if err != nil || s.Venue != "binance-usdm" || s.Source.URL != "https://example.org/t" || len(s.Tables) != 1 {
		t.Errorf("snapshot %+v, %v", s, err)
	}
}

func TestVenueImportErrors(t *testing.T) {
	dir := t.TempDir()
	tiers := writeFile(t, dir, "tiers.json", xyzTiers)
	out := filepath.Join(dir, "out.yaml")
	for _, tc := range []struct {
		code int
		args []string
		want string
	}{
		{exitUsage, []string{tiers, "--venue", "binance-usdm", "--out", out}, "--venue, --effective-from and --out are required"},
		{exitUsage, []string{tiers, "--venue", "binance-usdm", "--effective-from", "2024-13-01", "--out", out}, `--effective-from "2024-13-01": want a date YYYY-MM-DD`},
		{exitUsage, []string{tiers, "--venue", "kraken", "--effective-from", "2024-01-01", "--out", out}, `--venue "kraken" is neither a preset`},
		{exitFailed, []string{writeFile(t, dir, "bad.json", `{"XYZ/USDT:USDT": [{"minNotional": 0, "maxNotional": 10, "maintenanceMarginRate": 0.02, "maxLeverage": 25, "info": {"cum": "3"}}]}`),
			"--venue", "binance-usdm", "--effective-from", "2024-01-01", "--out", out}, "bad.json: XYZ/USDT:USDT.tiers[0].cum: 3 disagrees with the recursion"},
		{exitFailed, []string{filepath.Join(dir, "none.json"), "--venue", "binance-usdm", "--effective-from", "2024-01-01", "--out", out}, "none.json"},
	} {
		r := mustRun(t, tc.code, append([]string{"venue", "import-tiers"}, tc.args...)...)
		if !strings.Contains(r.errOut, tc.want) {
			t.Errorf("%v: stderr lacks %q:\n%s", tc.args, tc.want, r.errOut)
		}
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a failed import wrote %s", out)
	}
}

// TestSweepVenueWarnings: a sweep on a symbol without a table warns on
// stderr and records the warning in its manifest.
func TestSweepVenueWarnings(t *testing.T) {
	cfg := writeFile(t, t.TempDir(), "s.yaml", strings.Replace(sweepConfig, "symbols: [BTC, ETH]", "symbols: [BTC, QQQ]", 1))
	out := t.TempDir()
	r := mustRun(t, exitOK, "sweep", "-c", cfg, "--out", out, "--no-report")
	want := "QQQ: venue binance-usdm has no bracket table for this symbol"
	if !strings.Contains(r.errOut, "marginlab: warning: "+want) {
		t.Errorf("stderr:\n%s", r.errOut)
	}
	b, err := os.ReadFile(filepath.Join(out, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var man struct{ Warnings []string }
	if err := json.Unmarshal(b, &man); err != nil || len(man.Warnings) != 1 || !strings.HasPrefix(man.Warnings[0], want) {
		t.Errorf("manifest warnings %q (%v)", man.Warnings, err)
	}
}
