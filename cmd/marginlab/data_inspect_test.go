package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestInspectSynthText(t *testing.T) {
	dir := synthDir(t)
	candles := filepath.Join(dir, "BTC-1m-candles.parquet")
	funding := filepath.Join(dir, "ETH-funding.parquet")
	r := mustRun(t, exitOK, "data", "inspect", candles, funding)
	for _, want := range []string{
		candles, funding,
		"format:      parquet (zstd)",
		"kind:        candles",
		"kind:        funding",
		"date: timestamp[ns, tz=UTC], open: float64",
		"rows:        2000",
		"first:       2024-01-01T00:00:00Z",
		"last:        2024-01-02T09:19:00Z", // 2000 minutes later, less one
		"timeframe:   1m",
		"timeframe:   8h",
		"gaps:        none",
		"funding:     mean ",
	} {
		if !strings.Contains(r.out, want) {
			t.Errorf("output lacks %q:\n%s", want, r.out)
		}
	}
	if r.errOut != "" {
		t.Errorf("stderr: %s", r.errOut)
	}
}

func TestInspectSynthJSON(t *testing.T) {
	dir := synthDir(t)
	files := []string{
		filepath.Join(dir, "BTC-1m-candles.parquet"),
		filepath.Join(dir, "ETH-1m-mark.parquet"),
		filepath.Join(dir, "BTC-funding.parquet"),
	}
	// Flags after the positional arguments, and between them.
	args := []string{"data", "inspect", files[0], "--json", files[1], files[2], "--kind", "auto"}
	r := mustRun(t, exitOK, args...)
	reports := jsonLines(t, r.out)
	if len(reports) != len(files) {
		t.Fatalf("got %d JSON lines, want %d:\n%s", len(reports), len(files), r.out)
	}
	for i, rep := range reports {
		if rep.Path != files[i] {
			t.Errorf("line %d: path %q, want %q", i, rep.Path, files[i])
		}
		if rep.Error != nil {
			t.Errorf("%s: error %q", rep.Path, *rep.Error)
		}
		if rep.Format != "parquet" || rep.Codec != "zstd" || rep.TimeColumn != "date" {
			t.Errorf("%s: format %q codec %q time column %q", rep.Path, rep.Format, rep.Codec, rep.TimeColumn)
		}
		if rep.Start == nil || *rep.Start != "2024-01-01T00:00:00Z" {
			t.Errorf("%s: start %v", rep.Path, rep.Start)
		}
		if rep.Gaps == nil || rep.Gaps.Count != 0 || rep.Gaps.LargestAt != nil {
			t.Errorf("%s: gaps %+v", rep.Path, rep.Gaps)
		}
	}
	c, m, f := reports[0], reports[1], reports[2]
	if c.Kind != "candles" || c.Rows != 2000 || c.Timeframe != "1m" || *c.End != "2024-01-02T09:19:00Z" || len(c.Columns) != 6 {
		t.Errorf("candles: %+v", c)
	}
	if m.Kind != "mark" || m.Rows != 2000 || m.Timeframe != "1m" || !strings.Contains(m.Note, "coarser ones (e.g. 8h next to 5m) only value funding") {
		t.Errorf("mark: %+v", m)
	}
	// Funding every 8h within the 2000 minutes [Jan 1 00:00, Jan 2 09:20).
	if f.Kind != "funding" || f.Rows != 5 || *f.End != "2024-01-02T08:00:00Z" || f.Funding == nil {
		t.Errorf("funding: %+v", f)
	} else if !(f.Funding.Min <= f.Funding.Mean && f.Funding.Mean <= f.Funding.Max) {
		t.Errorf("funding stats out of order: %+v", *f.Funding)
	} else if f.Funding.Interval != "8h" || f.Funding.OnHour != 5 || f.Funding.NearHour != 0 {
		t.Errorf("funding grid: %+v", *f.Funding)
	}
	// Keys come in the documented order.
	first := strings.SplitN(r.out, "\n", 2)[0]
	last := -1
	for _, k := range []string{"path", "format", "codec", "created_by", "kind", "rows", "start", "end",
		"timeframe", "columns", "time_column", "gaps", "warnings", "error"} {
		i := strings.Index(first, `"`+k+`":`)
		if i < last {
			t.Errorf("key %q out of order in %s", k, first)
		}
		last = i
	}
}

func TestInspectBadFiles(t *testing.T) {
	dir := synthDir(t)
	good := filepath.Join(dir, "BTC-1m-candles.parquet")
	nan := writeFile(t, dir, "nan.csv", "date,open,high,low,close,volume\n"+
		"2024-01-01T00:00:00Z,100,101,99,100,1\n"+
		"2024-01-01T00:01:00Z,100,101,99,NaN,1\n"+
		"2024-01-01T00:02:00Z,100,101,99,100,1\n")
	unsorted := writeFile(t, dir, "unsorted.csv", "date,open,high,low,close,volume\n"+
		"2024-01-01T00:00:00Z,100,101,99,100,1\n"+
		"2024-01-01T00:02:00Z,100,101,99,100,1\n"+
		"2024-01-01T00:01:00Z,100,101,99,100,1\n")
	missing := filepath.Join(dir, "missing.parquet")

	r := mustRun(t, exitFailed, "data", "inspect", "--json", nan, good, unsorted, missing)
	reports := jsonLines(t, r.out)
	if len(reports) != 4 {
		t.Fatalf("got %d reports, want 4 (every file reported):\n%s", len(reports), r.out)
	}
	wantErr := map[string][]string{
		nan:      {nan, `column "close"`, "row 1", "line 3"},
		unsorted: {unsorted, "row 2", "--sort"},
		missing:  {missing},
	}
	for _, rep := range reports {
		want, bad := wantErr[rep.Path]
		if !bad {
			if rep.Error != nil || rep.Rows != 2000 {
				t.Errorf("good file %s: rows %d, error %v", rep.Path, rep.Rows, rep.Error)
			}
			continue
		}
		if rep.Error == nil {
			t.Errorf("%s: no error", rep.Path)
			continue
		}
		if rep.Start != nil || rep.End != nil || rep.Gaps != nil || rep.Rows != 0 {
			t.Errorf("%s: failed file has data: %+v", rep.Path, rep)
		}
		for _, w := range want {
			if !strings.Contains(*rep.Error, w) {
				t.Errorf("%s: error %q lacks %q", rep.Path, *rep.Error, w)
			}
		}
	}
	if !strings.Contains(r.errOut, "3 of 4 files failed") {
		t.Errorf("stderr: %s", r.errOut)
	}

	// Text mode reports the error in the file's block.
	r = mustRun(t, exitFailed, "data", "inspect", nan, good)
	if !strings.Contains(r.out, "error:") || !strings.Contains(r.out, "row 1") || !strings.Contains(r.out, "rows:        2000") {
		t.Errorf("text output:\n%s", r.out)
	}

	// The repair flags turn the unsorted file into a good one, with a warning.
	r = mustRun(t, exitOK, "data", "inspect", unsorted, "--sort", "--json")
	rep := jsonLines(t, r.out)[0]
	if rep.Rows != 3 || len(rep.Warnings) == 0 {
		t.Errorf("--sort: rows %d, warnings %q", rep.Rows, rep.Warnings)
	}
}

func TestInspectLoadFlags(t *testing.T) {
	dir := t.TempDir()
	// Naive times in Tokyo (UTC+9), a gap of two missing minutes.
	p := writeFile(t, dir, "tokyo.csv", "ts,open,high,low,close,volume\n"+
		"2024-01-01 09:00:00,100,101,99,100,1\n"+
		"2024-01-01 09:01:00,100,101,99,100,1\n"+
		"2024-01-01 09:04:00,100,101,99,100,1\n"+
		"2024-01-01 09:05:00,100,101,99,100,1\n")
	r := mustRun(t, exitOK, "data", "inspect", p, "--json", "--tz", "Asia/Tokyo")
	rep := jsonLines(t, r.out)[0]
	if *rep.Start != "2024-01-01T00:00:00Z" || rep.Gaps.Count != 1 || rep.Gaps.Missing != 2 ||
		rep.Gaps.Largest != "3m" || *rep.Gaps.LargestAt != "2024-01-01T00:04:00Z" || len(rep.Warnings) != 1 {
		t.Errorf("--tz Asia/Tokyo: %+v gaps %+v", rep, rep.Gaps)
	}
	r = mustRun(t, exitOK, "data", "inspect", p, "--json", "--fill-gaps", "--time-column", "ts")
	rep = jsonLines(t, r.out)[0]
	if rep.Rows != 6 || *rep.Start != "2024-01-01T09:00:00Z" {
		t.Errorf("--fill-gaps: rows %d start %s", rep.Rows, *rep.Start)
	}
	// --kind funding on a candle file reads it as funding or says why not.
	r = runArgs(t, "data", "inspect", p, "--json", "--kind", "mark")
	if rep := jsonLines(t, r.out)[0]; r.code != exitOK || rep.Kind != "mark" {
		t.Errorf("--kind mark: exit %d kind %q error %v", r.code, rep.Kind, rep.Error)
	}
}

// sharedData is the real market data beside the repository (../shared/data
// from the module root), which the data package's tests also use.
const sharedData = "../../../shared/data"

func needSharedData(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(sharedData, "README.md")); err != nil {
		t.Skipf("real data not found at %s (it lives beside the repository as ../shared/data); skipping", sharedData)
	}
}

func TestInspectSharedData(t *testing.T) {
	needSharedData(t)
	files := []string{
		"binance-futures-2025/BTC_USDT_USDT-5m-futures.feather",
		"freqtrade-testdata/spot/ADA_BTC-5m.feather",
		"binance-futures-2025/BTC_USDT_USDT-8h-funding_rate.feather",
		"aiquant/BTCUSDT_1m.parquet",
		"nautilus/btc-perp-20211231-20220201_1m.csv",
	}
	args := []string{"data", "inspect", "--json"}
	for _, f := range files {
		args = append(args, filepath.Join(sharedData, f))
	}
	r := mustRun(t, exitOK, args...)
	reps := jsonLines(t, r.out)
	if len(reps) != len(files) {
		t.Fatalf("got %d reports for %d files", len(reps), len(files))
	}
	btc, ada, fund, aiq, csv := reps[0], reps[1], reps[2], reps[3], reps[4]
	if btc.Rows != 10906 || btc.Timeframe != "5m" || btc.Kind != "candles" || btc.Format != "arrow-file" ||
		*btc.Start != "2025-03-06T10:30:00Z" || *btc.End != "2025-04-13T07:15:00Z" || btc.Gaps.Count != 0 {
		t.Errorf("BTC 5m: %+v", btc)
	}
	if ada.Gaps.Count != 5 || ada.Rows != 5720 || ada.Gaps.Largest != "2h50m" {
		t.Errorf("ADA_BTC 5m: rows %d gaps %+v", ada.Rows, ada.Gaps)
	}
	if fund.Kind != "funding" || fund.Rows != 266 || fund.Timeframe != "8h" || fund.Funding == nil {
		t.Errorf("funding: %+v", fund)
	} else if f := fund.Funding; f.Interval != "8h" || f.OnHour != 173 || f.NearHour != 93 || f.OffGrid != 0 || f.MaxOffset != "10ms" {
		t.Errorf("funding stamps: %+v", *f)
	}
	if aiq.Codec != "snappy" || aiq.TimeColumn != "open_time" || aiq.Rows != 10080 || aiq.CreatedBy == "" {
		t.Errorf("aiquant parquet: %+v", aiq)
	}
	if csv.Format != "csv" || csv.Rows != 45031 || csv.Timeframe != "1m" {
		t.Errorf("nautilus csv: %+v", csv)
	}
}
