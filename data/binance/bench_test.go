package binance

import (
	"context"
	"testing"
	"time"

	"github.com/marginlab/marginlab/data/binance/binancetest"
)

// BenchmarkFetch18Months fetches BTCUSDT and ETHUSDT 5m klines, mark
// klines and funding for 2023-01 to 2024-06 (108 monthly files, 622,080
// kline rows) from the local fake archive: cold (empty cache: download,
// verify, parse, validate, write) and warm (everything from the cache).
//
//	go test ./data/binance -run '^$' -bench Fetch18Months -benchtime 3x
func BenchmarkFetch18Months(b *testing.B) {
	a := binancetest.NewArchive(b)
	for i, sym := range []string{"BTCUSDT", "ETHUSDT"} {
		a.AddSymbol(sym, "5m", day("2023-01-01"), day("2024-07-01"), uint64(i+1))
	}
	req := Request{Symbols: []string{"BTCUSDT", "ETHUSDT"}, Interval: "5m", From: day("2023-01-01"), To: day("2024-06-30")}
	fetch := func(b *testing.B, cache string) *Result {
		opt := Options{BaseURL: a.URL, CacheDir: cache, OutDir: b.TempDir(), Now: func() time.Time { return clock }}
		res, err := Fetch(context.Background(), req, opt)
		if err != nil {
			b.Fatal(err)
		}
		return res
	}
	report := func(b *testing.B, res *Result, bytes int64) {
		sec := b.Elapsed().Seconds() / float64(b.N)
		rows := 0
		for _, o := range res.Outputs {
			rows += o.Rows
		}
		b.ReportMetric(float64(res.Files)/sec, "files/s")
		b.ReportMetric(float64(rows)/sec/1e6, "Mrows/s")
		b.ReportMetric(float64(bytes)/float64(b.N)/1e6, "MB-downloaded")
	}
	b.Run("cold", func(b *testing.B) {
		var res *Result
		var bytes int64
		for range b.N {
			b.StopTimer()
			cache := b.TempDir()
			b.StartTimer()
			res = fetch(b, cache)
			bytes += res.Bytes
		}
		report(b, res, bytes)
	})
	b.Run("warm", func(b *testing.B) {
		cache := b.TempDir()
		b.StopTimer()
		fetch(b, cache)
		b.StartTimer()
		var res *Result
		for range b.N {
			res = fetch(b, cache)
		}
		report(b, res, 0)
	})
}
