package binance

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/marginlab/marginlab/data"
	"github.com/marginlab/marginlab/data/binance/binancetest"
)

// TestFetchListing: months before a symbol was listed are not in the
// archive; that is a note, the data starts at the listing, and the 404s
// are remembered so a rerun asks nothing.
func TestFetchListing(t *testing.T) {
	a := binancetest.NewArchive(t)
	l := a.AddSymbol("PEPEUSDT", "4h", day("2023-05-05"), day("2023-09-01"), 3)
	opt := testOptions(t, a)
	req := Request{Symbols: []string{"PEPEUSDT"}, Interval: "4h", From: day("2023-01-01"), To: day("2023-08-31")}
	res, err := Fetch(context.Background(), req, opt)
	if err != nil {
		t.Fatal(err)
	}
	checkBars(t, filepath.Join(opt.OutDir, "PEPEUSDT-4h-candles.parquet"), l.Klines, day("2023-01-01"), day("2023-09-01"), false)
	want := []string{
		"PEPEUSDT klines 4h: not in the archive before 2023-05 (2023-01 to 2023-04: listed later?)",
		"PEPEUSDT markPriceKlines 4h: not in the archive before 2023-05 (2023-01 to 2023-04: listed later?)",
		"PEPEUSDT fundingRate: not in the archive before 2023-05 (2023-01 to 2023-04: listed later?)",
	}
	if strings.Join(res.Notes, "\n") != strings.Join(want, "\n") {
		t.Errorf("notes:\n%s\nwant:\n%s", strings.Join(res.Notes, "\n"), strings.Join(want, "\n"))
	}
	if res.Missing != 12 || res.Downloaded != 12 {
		t.Errorf("%+v", res)
	}
	before := a.Requests()
	res2, err := Fetch(context.Background(), req, opt)
	if err != nil || a.Requests() != before || res2.Missing != 12 || res2.Cached != 12 {
		t.Errorf("rerun: %v, %d requests, %+v", err, a.Requests()-before, res2)
	}
}

// TestFetchMissingMonth: a month missing in the middle is a note, and the
// loader's gap report says how much is missing.
func TestFetchMissingMonth(t *testing.T) {
	a := binancetest.NewArchive(t)
	a.AddSymbol("BTCUSDT", "1d", day("2023-01-01"), day("2023-07-01"), 1)
	a.Remove(binancetest.MonthlyPath(binancetest.Klines, "BTCUSDT", "1d", 2023, 3))
	opt := testOptions(t, a)
	res, err := Fetch(context.Background(), Request{Symbols: []string{"BTCUSDT"}, Interval: "1d", From: day("2023-01-01"), To: day("2023-06-30")}, opt)
	if err != nil {
		t.Fatal(err)
	}
	notes := strings.Join(res.Notes, "\n")
	for _, want := range []string{
		"BTCUSDT klines 1d: missing from the archive: 2023-03 (the data has a gap there)",
		"BTCUSDT klines 1d: 1 gaps, 31 missing 1d rows, largest step 32d before 2023-04-01T00:00:00Z",
	} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes lack %q:\n%s", want, notes)
		}
	}
	if s := load(t, filepath.Join(opt.OutDir, "BTCUSDT-1d-candles.parquet")); s.Rows() != 181-31 {
		t.Errorf("%d rows", s.Rows())
	}
}

// TestFetchRetries: 500 answers and a body cut short are retried; the
// file arrives intact.
func TestFetchRetries(t *testing.T) {
	a := binancetest.NewArchive(t)
	l := a.AddSymbol("ETHUSDT", "1d", day("2023-01-01"), day("2023-03-01"), 2)
	jan := binancetest.MonthlyPath(binancetest.Klines, "ETHUSDT", "1d", 2023, 1)
	feb := binancetest.MonthlyPath(binancetest.MarkPriceKlines, "ETHUSDT", "1d", 2023, 2)
	a.Fail(jan, 2)
	a.Fail(jan+".CHECKSUM", 1)
	a.Cut(feb, 2)
	opt := testOptions(t, a)
	res, err := Fetch(context.Background(), Request{Symbols: []string{"ETHUSDT"}, Interval: "1d", From: day("2023-01-01"), To: day("2023-02-28")}, opt)
	if err != nil {
		t.Fatal(err)
	}
	if a.RequestsFor(jan) != 3 || a.RequestsFor(jan+".CHECKSUM") != 2 || a.RequestsFor(feb) != 3 {
		t.Errorf("requests: jan %d (checksum %d), feb %d", a.RequestsFor(jan), a.RequestsFor(jan+".CHECKSUM"), a.RequestsFor(feb))
	}
	if res.Requests != 6*2+2+1+2 { // 2 requests a file, 2 more for the 500s of the zip, 1 for its checksum, 2 for the cuts
		t.Errorf("%d requests counted", res.Requests)
	}
	checkBars(t, filepath.Join(opt.OutDir, "ETHUSDT-1d-candles.parquet"), l.Klines, day("2023-01-01"), day("2023-03-01"), false)
	checkBars(t, filepath.Join(opt.OutDir, "ETHUSDT-1d-mark.parquet"), l.Marks, day("2023-01-01"), day("2023-03-01"), true)
	noTemp(t, opt.OutDir, opt.CacheDir)

	// A server that keeps failing: an error naming the URL, after the
	// attempts allowed, and nothing written.
	a.Fail(jan, 100)
	opt2 := testOptions(t, a)
	opt2.Attempts = 3
	_, err = Fetch(context.Background(), Request{Symbols: []string{"ETHUSDT"}, Interval: "1d", From: day("2023-01-01"), To: day("2023-02-28")}, opt2)
	if err == nil || !strings.Contains(err.Error(), jan+": gave up after 3 attempts") || !strings.Contains(err.Error(), "500") {
		t.Errorf("err = %v", err)
	}
	if f := files(t, opt2.OutDir); len(f) != 0 {
		t.Errorf("written after a failure: %v", f)
	}
	noTemp(t, opt2.OutDir, opt2.CacheDir)
}

// TestFetchTimeout: a request that hangs past the client's timeout is
// retried.
func TestFetchTimeout(t *testing.T) {
	a := binancetest.NewArchive(t)
	l := a.AddSymbol("ETHUSDT", "1d", day("2023-01-01"), day("2023-02-01"), 2)
	jan := binancetest.MonthlyPath(binancetest.Klines, "ETHUSDT", "1d", 2023, 1)
	a.Stall(jan, 2)
	opt := testOptions(t, a)
	opt.Client = &http.Client{Timeout: 200 * time.Millisecond}
	if _, err := Fetch(context.Background(), Request{Symbols: []string{"ETHUSDT"}, Interval: "1d", From: day("2023-01-01"), To: day("2023-01-31")}, opt); err != nil {
		t.Fatal(err)
	}
	if n := a.RequestsFor(jan); n != 3 {
		t.Errorf("%d requests for the hanging file, want 3", n)
	}
	checkBars(t, filepath.Join(opt.OutDir, "ETHUSDT-1d-candles.parquet"), l.Klines, day("2023-01-01"), day("2023-02-01"), false)
	noTemp(t, opt.OutDir, opt.CacheDir)
}

// TestFetchBadArchive: a zip that does not match its checksum, and one
// that matches but is truncated, are errors naming the file; neither is
// kept, nothing is written, and the good files stay cached.
func TestFetchBadArchive(t *testing.T) {
	a := binancetest.NewArchive(t)
	a.AddSymbol("BTCUSDT", "1d", day("2023-01-01"), day("2023-04-01"), 1)
	bad := binancetest.MonthlyPath(binancetest.Klines, "BTCUSDT", "1d", 2023, 2)
	trunc := binancetest.MonthlyPath(binancetest.MarkPriceKlines, "BTCUSDT", "1d", 2023, 3)
	good := a.Body(bad)
	a.PutRaw(bad, good, append([]byte("x"), good...)) // checksum of other bytes
	short := a.Body(trunc)[:len(a.Body(trunc))-30]
	a.PutRaw(trunc, short, short) // checksum matches the truncated zip
	opt := testOptions(t, a)
	req := Request{Symbols: []string{"BTCUSDT"}, Interval: "1d", From: day("2023-01-01"), To: day("2023-03-31")}
	_, err := Fetch(context.Background(), req, opt)
	if !errors.Is(err, ErrChecksum) || !strings.Contains(err.Error(), a.URL+"/"+bad) {
		t.Errorf("err = %v, want a checksum error naming %s", err, bad)
	}
	truncPath := filepath.Join(opt.CacheDir, filepath.FromSlash(trunc))
	if !errors.Is(err, data.ErrCorrupt) || !strings.Contains(err.Error(), truncPath) || !strings.Contains(err.Error(), "fetch again") {
		t.Errorf("err = %v, want a corrupt-file error naming %s", err, truncPath)
	}
	for _, f := range []string{bad, trunc} {
		if _, err := os.Stat(filepath.Join(opt.CacheDir, filepath.FromSlash(f))); !os.IsNotExist(err) {
			t.Errorf("%s kept in the cache (%v)", f, err)
		}
	}
	if f := files(t, opt.OutDir); len(f) != 0 {
		t.Errorf("written after a failure: %v", f)
	}
	noTemp(t, opt.OutDir, opt.CacheDir)
	if n := len(files(t, opt.CacheDir)); n != 2*7 {
		t.Errorf("%d files cached, want the 7 good zips and their checksums", n)
	}

	// The archive is fixed: the next fetch downloads the two files only.
	a.AddSymbol("BTCUSDT", "1d", day("2023-01-01"), day("2023-04-01"), 1)
	res, err := Fetch(context.Background(), req, opt)
	if err != nil || res.Downloaded != 2 || res.Cached != 7 {
		t.Errorf("after the fix: %v, %+v", err, res)
	}
}

// TestFetchResume: a fetch cancelled part-way leaves only whole, verified
// zips (the one in flight is dropped), and the next fetch downloads just
// the rest.
func TestFetchResume(t *testing.T) {
	a := binancetest.NewArchive(t)
	l := a.AddSymbol("BTCUSDT", "1d", day("2022-01-01"), day("2023-01-01"), 1)
	stalled := binancetest.MonthlyPath(binancetest.FundingRate, "BTCUSDT", "", 2022, 12)
	a.Stall(stalled, 1000)
	opt := testOptions(t, a)
	opt.Jobs = 2
	req := Request{Symbols: []string{"BTCUSDT"}, Interval: "1d", From: day("2022-01-01"), To: day("2022-12-31")}
	ctx, cancel := context.WithCancel(context.Background())
	var once sync.Once
	opt.Progress = func(p Progress) {
		if p.Done == 30 {
			// The stalled download is in flight now or soon: give it
			// time to start, then interrupt.
			go once.Do(func() {
				for a.RequestsFor(stalled) == 0 {
				}
				cancel()
			})
		}
	}
	_, err := Fetch(ctx, req, opt)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	noTemp(t, opt.OutDir, opt.CacheDir)
	if f := files(t, opt.OutDir); len(f) != 0 {
		t.Errorf("written after a cancel: %v", f)
	}
	zips := 0
	for _, f := range files(t, opt.CacheDir) {
		if strings.HasSuffix(f, ".zip") {
			zips++
		}
	}
	if zips < 30 || zips >= 36 {
		t.Fatalf("%d zips cached after the cancel", zips)
	}
	a.Stall(stalled, 0)
	opt.Progress = nil
	res, err := Fetch(context.Background(), req, opt)
	if err != nil {
		t.Fatal(err)
	}
	if res.Cached != zips || res.Downloaded != 36-zips {
		t.Errorf("resume: cached %d downloaded %d, want %d and %d", res.Cached, res.Downloaded, zips, 36-zips)
	}
	checkFunding(t, filepath.Join(opt.OutDir, "BTCUSDT-funding.parquet"), l.Funding, day("2022-01-01"), day("2023-01-01"))
}

// TestFetchNoData: a symbol the archive does not have is an error that
// says what to check, and nothing is written; a range with no klines at
// all likewise.
func TestFetchNoData(t *testing.T) {
	a := binancetest.NewArchive(t)
	a.AddSymbol("BTCUSDT", "1d", day("2023-01-01"), day("2023-03-01"), 1)
	opt := testOptions(t, a)
	_, err := Fetch(context.Background(), Request{Symbols: []string{"BTCUSDT", "BTCUSDX"}, Interval: "1d", From: day("2023-01-01"), To: day("2023-02-28")}, opt)
	if !errors.Is(err, ErrNoData) || !strings.Contains(err.Error(), "BTCUSDX klines 1d: the archive has no data for 2023-01-01 to 2023-02-28") ||
		!strings.Contains(err.Error(), "check the symbol") || strings.Contains(err.Error(), "BTCUSDT klines") {
		t.Errorf("err = %v", err)
	}
	if f := files(t, opt.OutDir); len(f) != 0 {
		t.Errorf("written: %v", f)
	}
	_, err = Fetch(context.Background(), Request{Symbols: []string{"BTCUSDT"}, Interval: "1d", From: day("2024-01-01"), To: day("2024-01-31")}, opt)
	if !errors.Is(err, ErrNoData) {
		t.Errorf("empty range: err = %v", err)
	}
}

// TestFetchRecentMonth: the month that just ended has no monthly file
// yet; its daily files stand in. Funding of the current month is not
// published: a note. The range is clipped to yesterday.
func TestFetchRecentMonth(t *testing.T) {
	a := binancetest.NewArchive(t)
	l := a.AddSymbol("BTCUSDT", "1h", day("2025-01-01"), day("2025-03-01"), 1)
	a.Remove(binancetest.MonthlyPath(binancetest.Klines, "BTCUSDT", "1h", 2025, 2))
	a.Remove(binancetest.MonthlyPath(binancetest.MarkPriceKlines, "BTCUSDT", "1h", 2025, 2))
	opt := testOptions(t, a)
	res, err := Fetch(context.Background(), Request{Symbols: []string{"BTCUSDT"}, Interval: "1h", From: day("2025-01-01"), To: day("2025-03-31")}, opt)
	if err != nil {
		t.Fatal(err)
	}
	notes := strings.Join(res.Notes, "\n")
	for _, want := range []string{
		"the range ends 2025-02-28: the archive publishes a day after it ends",
		"BTCUSDT klines: the monthly file of 2025-02 is not published yet; its daily files are used",
		"BTCUSDT markPriceKlines: the monthly file of 2025-02 is not published yet; its daily files are used",
	} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes lack %q:\n%s", want, notes)
		}
	}
	checkBars(t, filepath.Join(opt.OutDir, "BTCUSDT-1h-candles.parquet"), l.Klines, day("2025-01-01"), day("2025-03-01"), false)
	if res.Files != 2*(2+28)+2 || res.Missing != 2 {
		t.Errorf("files %d missing %d", res.Files, res.Missing)
	}
}

// TestFetchStaleOutput: when a kind has no data this time, a file of its
// name from an earlier fetch is pointed out, not silently kept.
func TestFetchStaleOutput(t *testing.T) {
	a := binancetest.NewArchive(t)
	a.AddSymbol("BTCUSDT", "1d", day("2023-01-01"), day("2023-03-01"), 1)
	opt := testOptions(t, a)
	if _, err := Fetch(context.Background(), Request{Symbols: []string{"BTCUSDT"}, Interval: "1d", From: day("2023-01-01"), To: day("2023-01-31")}, opt); err != nil {
		t.Fatal(err)
	}
	a.Remove(binancetest.MonthlyPath(binancetest.MarkPriceKlines, "BTCUSDT", "1d", 2023, 2))
	res, err := Fetch(context.Background(), Request{Symbols: []string{"BTCUSDT"}, Interval: "1d", From: day("2023-02-01"), To: day("2023-02-28")}, opt)
	if err != nil {
		t.Fatal(err)
	}
	notes := strings.Join(res.Notes, "\n")
	for _, want := range []string{
		"BTCUSDT markPriceKlines 1d: the archive has no data for 2023-02-01 to 2023-02-28 (1 file asked for, none there); no mark file is written",
		filepath.Join(opt.OutDir, "BTCUSDT-1d-mark.parquet") + " is left from an earlier fetch: this one has no markPriceKlines data for BTCUSDT",
	} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes lack %q:\n%s", want, notes)
		}
	}
}

// TestFetchBadRow: a row the loader's checks reject is reported against
// the archive file in the cache and its CSV line, and nothing is written.
func TestFetchBadRow(t *testing.T) {
	a := binancetest.NewArchive(t)
	h := a.AddSymbol("BTCUSDT", "1d", day("2023-01-01"), day("2023-03-01"), 1)
	feb := h.Klines[31:]
	feb[3].High = feb[3].Low / 2 // the 4th row of February: line 5 after the header
	path := binancetest.MonthlyPath(binancetest.Klines, "BTCUSDT", "1d", 2023, 2)
	a.Put(path, binancetest.KlineCSV(feb, 24*time.Hour, true, false, false))
	opt := testOptions(t, a)
	_, err := Fetch(context.Background(), Request{Symbols: []string{"BTCUSDT"}, Interval: "1d", From: day("2023-01-01"), To: day("2023-02-28")}, opt)
	want := filepath.Join(opt.CacheDir, filepath.FromSlash(path)) + `: column "high", row 3 (line 5), time 2023-02-04T00:00:00Z: inconsistent OHLC`
	if !errors.Is(err, data.ErrOHLC) || !strings.Contains(err.Error(), want) {
		t.Errorf("err = %v\nwant %s", err, want)
	}
	if f := files(t, opt.OutDir); len(f) != 0 {
		t.Errorf("written: %v", f)
	}
}
