package sweep

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"
)

// benchConfig sweeps 200 cells (10 leverages × 5 entry rates × 4 stop
// settings) over Binance BTC and ETH 5m candles with funding, 2025-03 to
// 2025-04 (10,906 bars).
const benchConfig = `
data:
  symbols:
    BTCUSDT: {candles: %[1]s/BTC_USDT_USDT-5m-futures.feather, funding: %[1]s/BTC_USDT_USDT-8h-funding_rate.feather}
    ETHUSDT: {candles: %[1]s/ETH_USDT_USDT-5m-futures.feather, funding: %[1]s/ETH_USDT_USDT-8h-funding_rate.feather}
venue: binance-usdm
capital: 10000
leverage: [2, 3, 5, 8, 10, 15, 20, 25, 35, 50]
strategy: {name: random, params: {entry_prob: [0.005, 0.01, 0.02, 0.04, 0.08], exit_prob: 0.01}}
sizing: {kind: equity_fraction, params: {fraction: 0.2}}
stop_at_liq: [0, 0.5, 0.8, 0.9]
modes: [isolated, cross]
record_every: 12
sweep: {sample: %[2]d, seed: 1}
`

func benchPlan(b testing.TB, cells int) *Plan {
	dir, _ := filepath.Abs("../../../shared/data/binance-futures-2025")
	if _, err := os.Stat(dir); err != nil {
		b.Skipf("real data not found at %s (it lives beside the repository as ../shared/data); skipping", dir)
	}
	p, err := Expand([]byte(fmt.Sprintf(benchConfig, dir, cells)), filepath.Join(b.TempDir(), "bench.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	if len(p.Cells) != cells {
		b.Fatalf("%d cells, want %d", len(p.Cells), cells)
	}
	return p
}

// BenchmarkSweep200 reports cells/s and bar-steps/s (bars × symbols ×
// modes per second) of a 200-cell sweep with 1 and 2 workers, and the peak
// heap, beside a 50-cell sweep's: memory must not grow with the cells.
// Target: 2 workers ≥ 1.7× one worker.
//
//	go test ./backtest/sweep -run '^$' -bench Sweep -benchtime 3x
func BenchmarkSweep(b *testing.B) {
	for _, cells := range []int{50, 200} {
		p := benchPlan(b, cells)
		m, _, err := p.Cells[0].Config.Market(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		steps := float64(cells * len(m.Time) * len(m.Symbols) * 2)
		for _, workers := range []int{1, 2} {
			b.Run(fmt.Sprintf("cells=%d/workers=%d", cells, workers), func(b *testing.B) {
				var peak uint64
				for range b.N {
					opt := testFactories()
					opt.Out, opt.Workers = b.TempDir(), workers
					peak = max(peak, peakHeap(func() {
						if err := Run(context.Background(), p, m, opt); err != nil {
							b.Fatal(err)
						}
					}))
				}
				sec := b.Elapsed().Seconds() / float64(b.N)
				b.ReportMetric(float64(cells)/sec, "cells/s")
				b.ReportMetric(steps/sec, "bar-steps/s")
				b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
			})
		}
	}
}

// peakHeap samples the live heap while f runs (every 5 ms) and returns its
// largest rise above the heap before f.
func peakHeap(f func()) uint64 {
	runtime.GC()
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	base := s[0].Value.Uint64()
	var peak uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		r := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(r)
			if v := r[0].Value.Uint64(); v > base {
				peak = max(peak, v-base)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	f()
	close(done)
	wg.Wait()
	return peak
}
