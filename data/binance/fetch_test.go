package binance

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/marginlab/marginlab/data"
	"github.com/marginlab/marginlab/data/binance/binancetest"
)

// clock is the fixed "now" of the tests: every period they use has ended.
var clock = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func testOptions(t *testing.T, a *binancetest.Archive) Options {
	return Options{BaseURL: a.URL, CacheDir: t.TempDir(), OutDir: t.TempDir(), Backoff: time.Millisecond,
		Now: func() time.Time { return clock }}
}

// load reads one output file back with the data package's loader.
func load(t *testing.T, path string) *data.Series {
	t.Helper()
	s, err := data.Load(context.Background(), path, data.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// checkBars compares a written candle file with the generated rows in
// [from, to): every value must round-trip exactly.
func checkBars(t *testing.T, path string, want []binancetest.Kline, from, to time.Time, mark bool) {
	t.Helper()
	s := load(t, path)
	var rows []binancetest.Kline
	for _, r := range want {
		if r.Time >= from.UnixNano() && r.Time < to.UnixNano() {
			rows = append(rows, r)
		}
	}
	b := s.Bars
	if b.Len() != len(rows) {
		t.Fatalf("%s: %d rows, want %d", path, b.Len(), len(rows))
	}
	for i, r := range rows {
		vol := r.Volume
		if mark {
			vol = 0
		}
		if b.Time[i] != r.Time || b.Open[i] != r.Open || b.High[i] != r.High || b.Low[i] != r.Low || b.Close[i] != r.Close || b.Volume[i] != vol {
			t.Fatalf("%s row %d: got %s %v %v %v %v %v, want %s %+v", path, i, data.FormatTime(b.Time[i]), b.Open[i], b.High[i], b.Low[i], b.Close[i], b.Volume[i],
				data.FormatTime(r.Time), r)
		}
	}
}

func checkFunding(t *testing.T, path string, want []binancetest.Rate, from, to time.Time) {
	t.Helper()
	s := load(t, path)
	var rows []binancetest.Rate
	for _, r := range want {
		if r.Time >= from.UnixNano() && r.Time < to.UnixNano() {
			rows = append(rows, r)
		}
	}
	if s.Kind != data.KindFunding || s.Funding.Len() != len(rows) {
		t.Fatalf("%s: kind %v, %d rows, want %d", path, s.Kind, s.Funding.Len(), len(rows))
	}
	for i, r := range rows {
		if s.Funding.Time[i] != r.Time || s.Funding.Rate[i] != r.Rate {
			t.Fatalf("%s row %d: %d %v, want %+v", path, i, s.Funding.Time[i], s.Funding.Rate[i], r)
		}
	}
}

// noTemp fails if a temporary or partial file is left under dir.
func noTemp(t *testing.T, dirs ...string) {
	t.Helper()
	for _, dir := range dirs {
		filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && (strings.Contains(d.Name(), ".part-") || strings.Contains(d.Name(), ".tmp")) {
				t.Errorf("left behind: %s", p)
			}
			return nil
		})
	}
}

// files lists the regular files under dir, relative, sorted.
func files(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	slices.Sort(out)
	return out
}

// TestFetchRoundTrip: two symbols over partial and whole months, files
// with and without a header line; every value of the three tables comes
// back exactly, the metadata says where it came from, and a second fetch
// makes no request and writes the same bytes.
func TestFetchRoundTrip(t *testing.T) {
	a := binancetest.NewArchive(t)
	btc := a.AddSymbol("BTCUSDT", "1h", day("2021-10-01"), day("2022-04-01"), 1)
	eth := a.AddSymbol("ETHUSDT", "1h", day("2021-10-01"), day("2022-04-01"), 2)
	opt := testOptions(t, a)
	req := Request{Symbols: []string{"BTCUSDT", "ETHUSDT"}, Interval: "1h", From: day("2021-11-20"), To: day("2022-02-03")}
	var last Progress
	opt.Progress = func(p Progress) { last = p }
	res, err := Fetch(context.Background(), req, opt)
	if err != nil {
		t.Fatal(err)
	}
	// Per symbol: klines and mark 11 + 3 days, 2 months; funding 4 months.
	if want := 2 * (2*(11+2+3) + 4); res.Files != want || res.Downloaded != want || res.Cached != 0 || res.Missing != 0 {
		t.Errorf("files %d downloaded %d cached %d missing %d, want %d downloaded", res.Files, res.Downloaded, res.Cached, res.Missing, want)
	}
	if last.Done != res.Files || last.Total != res.Files || last.Bytes != res.Bytes || res.Bytes == 0 {
		t.Errorf("last progress %+v, result %+v", last, res)
	}
	if len(res.Notes) != 0 {
		t.Errorf("notes: %q", res.Notes)
	}
	from, to := day("2021-11-20"), day("2022-02-04")
	for _, c := range []struct {
		sym string
		l   binancetest.History
	}{{"BTCUSDT", btc}, {"ETHUSDT", eth}} {
		checkBars(t, filepath.Join(opt.OutDir, c.sym+"-1h-candles.parquet"), c.l.Klines, from, to, false)
		checkBars(t, filepath.Join(opt.OutDir, c.sym+"-1h-mark.parquet"), c.l.Marks, from, to, true)
		checkFunding(t, filepath.Join(opt.OutDir, c.sym+"-funding.parquet"), c.l.Funding, from, to)
	}
	if got := len(res.Outputs); got != 6 || res.Outputs[0].Path != filepath.Join(opt.OutDir, "BTCUSDT-1h-candles.parquet") || res.Outputs[0].Files != 16 {
		t.Errorf("outputs %+v", res.Outputs)
	}

	md := metadata(t, filepath.Join(opt.OutDir, "ETHUSDT-1h-mark.parquet"))
	for k, want := range map[string]string{"marginlab.kind": "mark", MetaSymbol: "ETHUSDT", MetaVenue: "binance-usdm", MetaTimeframe: "1h",
		MetaRange: "2021-11-20/2022-02-03", MetaSource: a.URL, MetaFetchedAt: "2025-03-01T12:00:00Z"} {
		if md[k] != want {
			t.Errorf("metadata %s = %q, want %q", k, md[k], want)
		}
	}
	var srcs []sourceFile
	if err := json.Unmarshal([]byte(md[MetaSources]), &srcs); err != nil || len(srcs) != 16 {
		t.Fatalf("sources %q: %v", md[MetaSources], err)
	}
	if srcs[0].Path != "data/futures/um/daily/markPriceKlines/ETHUSDT/1h/ETHUSDT-1h-2021-11-20.zip" ||
		srcs[11].Path != "data/futures/um/monthly/markPriceKlines/ETHUSDT/1h/ETHUSDT-1h-2021-12.zip" || len(srcs[0].SHA256) != 64 {
		t.Errorf("sources %+v", srcs)
	}
	if sum, _ := fileSHA256(filepath.Join(opt.CacheDir, filepath.FromSlash(srcs[3].Path))); sum != srcs[3].SHA256 {
		t.Errorf("source checksum %s, cached file's %s", srcs[3].SHA256, sum)
	}
	noTemp(t, opt.OutDir, opt.CacheDir)

	// Second fetch: everything from the cache, not one request, same bytes.
	before := a.Requests()
	first := readAll(t, opt.OutDir)
	res2, err := Fetch(context.Background(), req, opt)
	if err != nil {
		t.Fatal(err)
	}
	if n := a.Requests() - before; n != 0 || res2.Downloaded != 0 || res2.Cached != res.Files || res2.Requests != 0 {
		t.Errorf("second fetch: %d requests, %+v", n, res2)
	}
	if second := readAll(t, opt.OutDir); !maps2Equal(first, second) {
		t.Error("a second fetch wrote different bytes")
	}
}

func readAll(t *testing.T, dir string) map[string][]byte {
	out := map[string][]byte{}
	for _, f := range files(t, dir) {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		out[f] = b
	}
	return out
}

func maps2Equal(a, b map[string][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !bytes.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

// metadata reads a Parquet file's key-value metadata.
func metadata(t *testing.T, path string) map[string]string {
	t.Helper()
	r, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	kv := r.MetaData().KeyValueMetadata()
	out := map[string]string{}
	for i, k := range kv.Keys() {
		out[k] = kv.Values()[i]
	}
	return out
}

// TestFetchMicroseconds: files from 2025 stamp times in microseconds;
// a range across the switch reads both.
func TestFetchMicroseconds(t *testing.T) {
	a := binancetest.NewArchive(t)
	l := a.AddSymbol("SOLUSDT", "15m", day("2024-12-01"), day("2025-02-01"), 5)
	opt := testOptions(t, a)
	if _, err := Fetch(context.Background(), Request{Symbols: []string{"SOLUSDT"}, Interval: "15m", From: day("2024-12-30"), To: day("2025-01-02")}, opt); err != nil {
		t.Fatal(err)
	}
	checkBars(t, filepath.Join(opt.OutDir, "SOLUSDT-15m-candles.parquet"), l.Klines, day("2024-12-30"), day("2025-01-03"), false)
	checkFunding(t, filepath.Join(opt.OutDir, "SOLUSDT-funding.parquet"), l.Funding, day("2024-12-30"), day("2025-01-03"))
}
