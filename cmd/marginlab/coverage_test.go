package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/marginlab/marginlab/data"
)

// covDir writes a synthetic BTC market (5m, 2000 bars from 2024-01-01,
// about 7 days) with data synth, plus BTC-short-funding.parquet (the
// funding without its last 5 events: it ends at 2024-01-06 00:00, the
// candles at 2024-01-07 22:35)
// and BTC-8h-mark.parquet (the mark resampled to 8h).
func covDir(t *testing.T) string {
	t.Helper()
	dir := synthDir(t, "--symbols", "BTC", "--timeframe", "5m")
	ctx := context.Background()
	f, err := data.Load(ctx, filepath.Join(dir, "BTC-funding.parquet"), data.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	n := f.Funding.Len() - 5
	short := data.Series{Kind: data.KindFunding, Funding: data.Funding{Time: f.Funding.Time[:n], Rate: f.Funding.Rate[:n]}}
	if err := data.WriteFile(filepath.Join(dir, "BTC-short-funding.parquet"), &short, data.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	mk, err := data.Load(ctx, filepath.Join(dir, "BTC-5m-mark.parquet"), data.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	coarse, err := data.Resample(mk.Bars, 5*time.Minute, 8*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if err := data.WriteFile(filepath.Join(dir, "BTC-8h-mark.parquet"), &data.Series{Kind: data.KindMark, Bars: coarse}, data.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	return dir
}

const covRest = "strategy: {name: random, params: {entry_prob: 0.01}}\nleverage: 5\n"

// TestRunCoverage: a funding file that ends before the run stops it (exit
// 1) with the file and the fix; accepted, the gap is a warning in the
// table, summary.json, --json and the report.
func TestRunCoverage(t *testing.T) {
	dir := covDir(t)
	cfg := writeFile(t, dir, "strict.yaml", "data:\n  symbols:\n    BTC: {candles: BTC-5m-candles.parquet, funding: BTC-short-funding.parquet}\n"+covRest)
	r := mustRun(t, exitFailed, "run", "-c", cfg)
	for _, want := range []string{
		"marginlab: the data does not cover the run (data.coverage is strict):\n",
		cfg + ":3: data.symbols.BTC.funding: " + filepath.Join(dir, "BTC-short-funding.parquet") + ": the last event is at 2024-01-06T00:00:00Z",
		"5 funding times have no rate (2024-01-06T08:00:00Z to 2024-01-07T16:00:00Z)",
		"fix: trim the run to the period every file covers (data: {end: 2024-01-06T08:00:00Z}; end is exclusive), or accept the gaps with data: {coverage: {funding: accept}}",
	} {
		if !strings.Contains(r.errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.errOut)
		}
	}

	cfg = writeFile(t, dir, "accept.yaml", "data:\n  symbols:\n    BTC: {candles: BTC-5m-candles.parquet, funding: BTC-short-funding.parquet}\n  coverage: {funding: accept}\n"+covRest)
	out := filepath.Join(t.TempDir(), "out")
	r = mustRun(t, exitOK, "run", "-c", cfg, "--out", out)
	warn := "BTC funding (" + filepath.Join(dir, "BTC-short-funding.parquet") + ") does not cover the run: the last event is at 2024-01-06T00:00:00Z"
	if !strings.Contains(r.errOut, "marginlab: warning: "+warn) {
		t.Errorf("stderr:\n%s", r.errOut)
	}
	if !strings.Contains(r.out, "The numbers above are on incomplete data (accepted by data.coverage):\n  - "+warn) {
		t.Errorf("stdout:\n%s", r.out)
	}
	var sum struct{ Warnings []string }
	b, err := os.ReadFile(filepath.Join(out, "summary.json"))
	if err != nil || json.Unmarshal(b, &sum) != nil || len(sum.Warnings) != 1 || !strings.HasPrefix(sum.Warnings[0], warn) {
		t.Errorf("summary.json warnings %q (%v)", sum.Warnings, err)
	}
	for _, name := range []string{"summary.md", "index.html", "summary.json"} {
		b, err := os.ReadFile(filepath.Join(out, "report", name))
		if err != nil || !strings.Contains(string(b), "does not cover the run") {
			t.Errorf("report/%s lacks the warning (%v)", name, err)
		}
	}
	r = mustRun(t, exitOK, "run", "-c", cfg, "--json")
	if err := json.Unmarshal([]byte(r.out), &sum); err != nil || len(sum.Warnings) != 1 || !strings.HasPrefix(sum.Warnings[0], warn) {
		t.Errorf("--json warnings %q (%v)", sum.Warnings, err)
	}

	// A sweep records the warning in its manifest and report.
	cfg = writeFile(t, dir, "sweep.yaml", "data:\n  symbols:\n    BTC: {candles: BTC-5m-candles.parquet, funding: BTC-short-funding.parquet}\n  coverage: {funding: accept}\n"+
		"strategy: {name: random, params: {entry_prob: 0.01}}\nleverage: [5, 10]\n")
	sw := filepath.Join(t.TempDir(), "sweep")
	mustRun(t, exitOK, "sweep", "-c", cfg, "--out", sw)
	var man struct{ Warnings []string }
	b, err = os.ReadFile(filepath.Join(sw, "manifest.json"))
	if err != nil || json.Unmarshal(b, &man) != nil || len(man.Warnings) != 1 || !strings.HasPrefix(man.Warnings[0], warn) {
		t.Errorf("manifest warnings %q (%v)", man.Warnings, err)
	}
	if b, err := os.ReadFile(filepath.Join(sw, "report", "summary.md")); err != nil || !strings.Contains(string(b), "**Data warnings**") {
		t.Errorf("sweep report lacks the warning (%v)", err)
	}
}

// TestRunCoarseMark: an 8h mark next to 5m candles runs; the table and
// summary.json say it values funding only and liquidation checks use trade
// prices.
func TestRunCoarseMark(t *testing.T) {
	dir := covDir(t)
	cfg := writeFile(t, dir, "coarse.yaml", "data:\n  symbols:\n    BTC: {candles: BTC-5m-candles.parquet, mark: BTC-8h-mark.parquet, funding: BTC-funding.parquet}\n"+covRest)
	r := mustRun(t, exitOK, "run", "-c", cfg)
	if !strings.Contains(r.out, "funding valued BTC at its 8h mark (coarser than the 5m bars: liquidation checks use trade candles)") || !strings.Contains(r.out, "trade prices") {
		t.Errorf("stdout:\n%s", r.out)
	}
	if !strings.Contains(r.errOut, "marginlab: warning: BTC: 8h mark candles are coarser than the 5m trade candles: used to value funding only; liquidation checks use trade candles") {
		t.Errorf("stderr:\n%s", r.errOut)
	}
	r = mustRun(t, exitOK, "run", "-c", cfg, "--json")
	var sum struct {
		Market struct {
			Marks []markSummary `json:"marks"`
		} `json:"market"`
		Modes []struct {
			MarkSource string `json:"mark_source"`
		} `json:"modes"`
	}
	if err := json.Unmarshal([]byte(r.out), &sum); err != nil {
		t.Fatal(err)
	}
	if len(sum.Market.Marks) != 1 || sum.Market.Marks[0] != (markSummary{Symbol: "BTC", LiquidationChecks: "trades", FundingValuedAt: "8h mark"}) || sum.Modes[0].MarkSource != "trades" {
		t.Errorf("marks %+v, modes %+v", sum.Market.Marks, sum.Modes)
	}
}
