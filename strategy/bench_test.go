package strategy

import (
	"testing"
	"time"

	"github.com/marginlab/marginlab/backtest"
)

// BenchmarkDecide runs each built-in over 8 symbols × 100,000 hourly bars
// per iteration (a fresh strategy each time, so warm-up is included) and
// reports the cost per symbol-bar.
func BenchmarkDecide(b *testing.B) {
	const symbols, bars = 8, 100_000
	m := synthMarket(b, symbolNames(symbols), bars, 41)
	vs := views(m)
	for _, name := range Names() {
		for _, params := range []map[string]any{nil, builtinParams[name]} {
			label := name
			if params != nil {
				label += "/tuned"
			} else {
				label += "/default"
			}
			b.Run(label, func(b *testing.B) {
				intents := make([]backtest.Intent, symbols)
				b.ReportAllocs()
				start := time.Now()
				for b.Loop() {
					st := mustNew(b, name, params, 1)
					for _, v := range vs {
						st.Decide(v, intents)
					}
				}
				b.ReportMetric(float64(time.Since(start).Nanoseconds())/float64(b.N*symbols*bars), "ns/symbol-bar")
			})
		}
	}
}
