package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestInitDataFreqtrade: freqtrade's names are found, the symbol is named
// BASE+QUOTE, a mark file coarser than the candles is left out with a
// note, and several timeframes need --timeframe.
func TestInitDataFreqtrade(t *testing.T) {
	src := synthDir(t, "--symbols", "BTC", "--timeframe", "5m", "--format", "feather")
	dir := t.TempDir()
	for from, to := range map[string]string{
		"BTC-5m-candles.feather": "BTC_USDT_USDT-5m-futures.feather",
		"BTC-5m-mark.feather":    "BTC_USDT_USDT-8h-mark.feather",
		"BTC-funding.feather":    "BTC_USDT_USDT-8h-funding_rate.feather",
	} {
		if err := os.Rename(filepath.Join(src, from), filepath.Join(dir, to)); err != nil {
			t.Fatal(err)
		}
	}
	writeFile(t, dir, "notes.txt", "not data")
	cfg := filepath.Join(dir, "ft.yaml")
	r := mustRun(t, exitOK, "init", cfg, "--data", dir)
	if !strings.Contains(r.out, "BTCUSDT: candles BTC_USDT_USDT-5m-futures.feather, mark BTC_USDT_USDT-8h-mark.feather, funding BTC_USDT_USDT-8h-funding_rate.feather") ||
		!strings.Contains(r.errOut, "BTCUSDT: mark candles at 8h are coarser than the 5m candles: they value funding only") {
		t.Errorf("stdout:\n%s\nstderr:\n%s", r.out, r.errOut)
	}
	r = mustRun(t, exitOK, "run", "-c", cfg)
	if !strings.Contains(r.out, "sma_cross on BTCUSDT (files): 2000 × 5m bars") {
		t.Errorf("run:\n%s", r.out)
	}

	// A second timeframe: init must be told which.
	if err := os.Link(filepath.Join(dir, "BTC_USDT_USDT-5m-futures.feather"), filepath.Join(dir, "BTC_USDT_USDT-1h-futures.feather")); err != nil {
		t.Fatal(err)
	}
	r = mustRun(t, exitUsage, "init", filepath.Join(dir, "x.yaml"), "--data", dir)
	if !strings.Contains(r.errOut, "holds candles at 5m, 1h: choose one with --timeframe") {
		t.Errorf("stderr:\n%s", r.errOut)
	}
	mustRun(t, exitOK, "init", filepath.Join(dir, "x.yaml"), "--data", dir, "--timeframe", "5m")
	r = mustRun(t, exitUsage, "init", filepath.Join(dir, "y.yaml"), "--data", dir, "--timeframe", "4h")
	if !strings.Contains(r.errOut, "--timeframe 4h: "+dir+" holds candles at 5m, 1h only") {
		t.Errorf("stderr:\n%s", r.errOut)
	}
	r = mustRun(t, exitUsage, "init", filepath.Join(dir, "z.yaml"), "--data", t.TempDir())
	if !strings.Contains(r.errOut, "no candle files found") {
		t.Errorf("stderr:\n%s", r.errOut)
	}
	mustRun(t, exitUsage, "init", filepath.Join(dir, "z.yaml"), "--timeframe", "5m")
}

// TestInitDataShared: the real freqtrade downloads in ../shared/data make
// a config that runs (three symbols, 8-hourly mark files valuing funding):
// the funding files end 8 hours before the candles, so init sets data.end.
func TestInitDataShared(t *testing.T) {
	needSharedData(t)
	dir := filepath.Join(sharedData, "binance-futures-2023-2024")
	cfg := filepath.Join(t.TempDir(), "real.yaml")
	r := mustRun(t, exitOK, "init", cfg, "--data", dir, "--timeframe", "1h")
	if !strings.Contains(r.out, "a run on 1000PEPEUSDT, BTCUSDT, ETHUSDT (1h candles") || strings.Count(r.errOut, "coarser than the 1h candles: they value funding only") != 3 ||
		!strings.Contains(r.out, "data.start and data.end keep the run to 2023-05-05T16:00:00Z – 2024-05-14T08:00:00Z") {
		t.Errorf("stdout:\n%s\nstderr:\n%s", r.out, r.errOut)
	}
	r = mustRun(t, exitOK, "run", "-c", cfg)
	if !strings.Contains(r.out, "sma_cross on 1000PEPEUSDT, BTCUSDT, ETHUSDT (files)") {
		t.Errorf("run:\n%s", r.out)
	}
}
