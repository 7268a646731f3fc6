package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/marginlab/marginlab/data/binance/binancetest"
)

// withFetchClock fixes data fetch's clock for one test.
func withFetchClock(t *testing.T, now time.Time) {
	old := fetchNow
	fetchNow = func() time.Time { return now }
	t.Cleanup(func() { fetchNow = old })
}

func date(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestFetchInitRun is the new user's path, as three commands against a
// local archive: data fetch writes Parquet, init --data writes a config
// that reads it, and run runs it on mark prices with funding. A second
// fetch downloads nothing.
func TestFetchInitRun(t *testing.T) {
	a := binancetest.NewArchive(t)
	a.AddSymbol("BTCUSDT", "1h", date("2022-11-01"), date("2023-05-01"), 1)
	a.AddSymbol("ETHUSDT", "1h", date("2022-11-01"), date("2023-05-01"), 2)
	withFetchClock(t, date("2024-01-01"))
	dir := t.TempDir()
	market, cache, cfg := filepath.Join(dir, "market"), filepath.Join(dir, "cache"), filepath.Join(dir, "conf", "real.yaml")
	fetch := []string{"data", "fetch", "binance-usdm", "--symbols", "BTCUSDT, ethusdt", "--timeframe", "60m", "--from", "2023-01", "--to", "2023-03",
		"--out", market, "--cache", cache, "--base-url", a.URL, "--jobs", "3"}
	r := mustRun(t, exitOK, fetch...)
	for _, want := range []string{
		"wrote " + filepath.Join(market, "BTCUSDT-1h-candles.parquet") + ": 2160 rows of candles, 2023-01-01 00:00 to 2023-03-31 23:00, from 3 archive files",
		"wrote " + filepath.Join(market, "ETHUSDT-funding.parquet") + ": 270 rows of funding",
		"18 archive files: 18 downloaded",
		"Next: marginlab init --data " + market,
	} {
		if !strings.Contains(r.out, want) {
			t.Errorf("fetch output lacks %q:\n%s", want, r.out)
		}
	}
	if r.errOut != "" {
		t.Errorf("stderr:\n%s", r.errOut)
	}
	before := a.Requests()
	r = mustRun(t, exitOK, fetch...)
	if a.Requests() != before || !strings.Contains(r.out, "18 archive files: 0 downloaded (0 B), 18 from the cache") {
		t.Errorf("second fetch made %d requests:\n%s", a.Requests()-before, r.out)
	}

	r = mustRun(t, exitOK, "init", cfg, "--data", market)
	if !strings.Contains(r.out, "BTCUSDT: candles ../market/BTCUSDT-1h-candles.parquet, mark ../market/BTCUSDT-1h-mark.parquet, funding ../market/BTCUSDT-funding.parquet") ||
		!strings.Contains(r.out, "Wrote "+cfg+": a run on BTCUSDT, ETHUSDT (1h candles from "+market+")") {
		t.Errorf("init output:\n%s", r.out)
	}
	r = mustRun(t, exitOK, "run", "-c", cfg)
	for _, want := range []string{"sma_cross on BTCUSDT, ETHUSDT (files): 2160 × 1h bars, 2023-01-01 00:00 to 2023-04-01 00:00", "mark prices", "venue binance-usdm"} {
		if !strings.Contains(r.out, want) {
			t.Errorf("run output lacks %q:\n%s", want, r.out)
		}
	}
	if strings.Contains(r.errOut, "warning") {
		t.Errorf("run warned:\n%s", r.errOut)
	}
}

// TestFetchProgressAndNotes: without a terminal, progress comes as plain
// lines; periods before the listing are notes on stderr.
func TestFetchProgressAndNotes(t *testing.T) {
	a := binancetest.NewArchive(t)
	a.AddSymbol("PEPEUSDT", "1d", date("2023-05-05"), date("2023-08-01"), 3)
	withFetchClock(t, date("2024-01-01"))
	old := progressEvery
	progressEvery = 0
	t.Cleanup(func() { progressEvery = old })
	dir := t.TempDir()
	r := mustRun(t, exitOK, "data", "fetch", "binance-usdm", "--symbols", "PEPEUSDT", "--timeframe", "1d", "--from", "2023-03", "--to", "2023-07-31",
		"--out", filepath.Join(dir, "out"), "--cache", filepath.Join(dir, "cache"), "--base-url", a.URL)
	for _, want := range []string{
		"marginlab: fetch: [========================] 15/15 files",
		"marginlab: note: PEPEUSDT klines 1d: not in the archive before 2023-05 (2023-03 to 2023-04: listed later?)",
	} {
		if !strings.Contains(r.errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.errOut)
		}
	}
}

func TestFetchUsage(t *testing.T) {
	out := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"bybit"}, "want the source binance-usdm"},
		{[]string{"binance-usdm", "--from", "2023-01", "--out", out}, "--symbols is required"},
		{[]string{"binance-usdm", "--symbols", "BTCUSDT", "--out", out}, "--from is required"},
		{[]string{"binance-usdm", "--symbols", "BTCUSDT", "--from", "2023-13", "--out", out}, `--from "2023-13": want a month (2023-01) or a day (2023-01-15)`},
		{[]string{"binance-usdm", "--symbols", "BTCUSDT", "--from", "2023-02", "--to", "2023-01-31", "--out", out}, "--to 2023-01-31 is before --from 2023-02"},
		{[]string{"binance-usdm", "--symbols", "BTCUSDT", "--from", "2023-02", "--timeframe", "7m", "--out", out}, "--timeframe 7m: the archive has 1m, 3m"},
		{[]string{"binance-usdm", "--symbols", "BTCUSDT", "--from", "2023-02"}, "--out DIR is required"},
	} {
		r := mustRun(t, exitUsage, append([]string{"data", "fetch"}, tc.args...)...)
		if !strings.Contains(r.errOut, tc.want) {
			t.Errorf("%v: stderr lacks %q:\n%s", tc.args, tc.want, r.errOut)
		}
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Errorf("usage errors wrote %v", entries)
	}
}

func TestParseRangeDay(t *testing.T) {
	for _, tc := range []struct {
		in   string
		last bool
		want string
	}{{"2023-01", false, "2023-01-01"}, {"2024-02", true, "2024-02-29"}, {"2023-12", true, "2023-12-31"}, {"2023-06-15", true, "2023-06-15"}} {
		if got, err := parseRangeDay(tc.in, tc.last); err != nil || got.Format(time.DateOnly) != tc.want {
			t.Errorf("parseRangeDay(%q, %v) = %v, %v; want %s", tc.in, tc.last, got, err, tc.want)
		}
	}
}

// TestFetchInterruptResume: Ctrl-C mid-download stops the fetch with a
// hint; the same command then finishes from where it stopped.
func TestFetchInterruptResume(t *testing.T) {
	a := binancetest.NewArchive(t)
	a.AddSymbol("BTCUSDT", "1d", date("2023-01-01"), date("2023-07-01"), 1)
	stalled := binancetest.MonthlyPath(binancetest.FundingRate, "BTCUSDT", "", 2023, 6)
	a.Stall(stalled, 1)
	withFetchClock(t, date("2024-01-01"))
	dir := t.TempDir()
	args := []string{"data", "fetch", "binance-usdm", "--symbols", "BTCUSDT", "--timeframe", "1d", "--from", "2023-01", "--to", "2023-06",
		"--out", filepath.Join(dir, "out"), "--cache", filepath.Join(dir, "cache"), "--base-url", a.URL, "--jobs", "1"}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for a.RequestsFor(stalled) == 0 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	var out, errOut bytes.Buffer
	if code := run(ctx, args, strings.NewReader(""), &out, &errOut); code != exitFailed ||
		!strings.Contains(errOut.String(), "17 of 18 archive files are in the cache: run the same command again to resume") ||
		!strings.Contains(errOut.String(), "marginlab: interrupted") {
		t.Fatalf("exit %d\n%s", code, errOut.String())
	}
	r := mustRun(t, exitOK, args...)
	if !strings.Contains(r.out, "18 archive files: 1 downloaded") {
		t.Errorf("resume:\n%s", r.out)
	}
}
