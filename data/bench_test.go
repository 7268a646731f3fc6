package data

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"
)

// benchRows is the size of the load benchmark's files.
const benchRows = 10_000_000

// benchFile writes (once, cached in the temp directory) a 10M-row synthetic
// 1m candle file: Parquet with SNAPPY, or Arrow IPC with LZ4 batches.
func benchFile(b *testing.B, ext, codec string) string {
	b.Helper()
	dir := filepath.Join(os.TempDir(), "marginlab-bench")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(dir, fmt.Sprintf("synth-%d-%s%s", benchRows, codec, ext))
	if _, err := os.Stat(path); err == nil {
		return path
	}
	m, err := Synthesize(SynthConfig{Symbols: []string{"BTC"}, Bars: benchRows, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	if err := WriteFile(path, &Series{Kind: KindCandles, Bars: m.Symbols[0].Candles}, WriteOptions{Codec: codec}); err != nil {
		b.Fatal(err)
	}
	return path
}

// peakHeap samples the live heap while f runs and returns the largest value
// seen above the heap before f, after a GC. Sampling every 200µs can miss a
// spike shorter than that; the figure is a lower bound on the true peak and
// B/op (total allocated) an upper bound.
func peakHeap(f func()) uint64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(sample)
	base := sample[0].Value.Uint64()
	var peak uint64
	var wg sync.WaitGroup
	done := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		tick := time.NewTicker(200 * time.Microsecond)
		defer tick.Stop()
		for {
			metrics.Read(s)
			if v := s[0].Value.Uint64(); v > base && v-base > peak {
				peak = v - base
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	f()
	close(done)
	wg.Wait()
	return peak
}

// decodedBytes is what the loaded columns occupy: time + OHLCV, 8 bytes each.
const decodedBytes = benchRows * 6 * 8

// BenchmarkLoad10M compares Load (validation included) with a bare arrow-go
// read of the same file into an Arrow table. Targets: Load's rows/s ≥ 0.8×
// the bare read's, and Load's peak heap ≤ 2× the decoded column bytes.
//
//	go test ./data -run '^$' -bench Load10M -benchtime 5x
func BenchmarkLoad10M(b *testing.B) {
	for _, f := range []struct{ name, ext, codec string }{
		{"parquet-snappy", ".parquet", "snappy"},
		{"ipc-lz4", ".arrow", "lz4"},
	} {
		path := benchFile(b, f.ext, f.codec)
		b.Run(f.name+"/marginlab", func(b *testing.B) {
			load := func() {
				s, err := Load(context.Background(), path, LoadOptions{})
				if err != nil {
					b.Fatal(err)
				}
				if s.Rows() != benchRows {
					b.Fatalf("rows %d", s.Rows())
				}
			}
			peak := peakHeap(load)
			runtime.GC()
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				load()
			}
			b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(float64(peak)/decodedBytes, "peak/decoded")
		})
		b.Run(f.name+"/bare-arrow", func(b *testing.B) {
			read := func() {
				tbl, err := bareRead(path, f.ext)
				if err != nil {
					b.Fatal(err)
				}
				if tbl.NumRows() != benchRows {
					b.Fatalf("rows %d", tbl.NumRows())
				}
				tbl.Release()
			}
			peak := peakHeap(read)
			runtime.GC()
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				read()
			}
			b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(float64(peak)/decodedBytes, "peak/decoded")
		})
	}
}

// bareRead is the baseline: arrow-go reading the whole file into a table,
// with no conversion or validation.
func bareRead(path, ext string) (arrow.Table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if ext == ".parquet" {
		return pqarrow.ReadTable(context.Background(), f, nil, pqarrow.ArrowReadProperties{BatchSize: 64 << 10}, memory.DefaultAllocator)
	}
	r, err := ipc.NewFileReader(f, ipc.WithAllocator(memory.DefaultAllocator))
	if err != nil {
		return nil, err
	}
	defer r.Close()
	recs := make([]arrow.Record, 0, r.NumRecords())
	for i := range r.NumRecords() {
		rec, err := r.RecordAt(i)
		if err != nil {
			return nil, err
		}
		recs = append(recs, rec)
	}
	tbl := array.NewTableFromRecords(r.Schema(), recs)
	for _, rec := range recs {
		rec.Release()
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return tbl, nil
}
