package backtest

import (
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/marginlab/marginlab/backtest/venue"
	"github.com/marginlab/marginlab/data"
)

// sparseRandom enters and exits at random with probability p per bar: the
// vectorbt-style sparse-signal workload.
type sparseRandom struct {
	rng  *rand.Rand
	p    float64
	stop float64 // stop distance of every entry (0: none)
}

func (s *sparseRandom) Decide(v *View, intents []Intent) {
	for k := range intents {
		if s.rng.Float64() < s.p {
			if intents[k].Side == 0 {
				intents[k] = Intent{Side: 1 - 2*s.rng.IntN(2), Stop: s.stop}
			} else {
				intents[k] = Intent{}
			}
		}
	}
}

var (
	benchOnce   sync.Once
	benchMarket *data.Market
	benchIn     *Intents
)

const (
	benchSymbols = 8
	benchBars    = 1_000_000
)

// benchSetup builds the market and intent stream once per process.
func benchSetup(b *testing.B) (*data.Market, *Intents) {
	benchOnce.Do(func() {
		syms := []string{"BTC", "ETH", "SOL", "BNB", "XRP", "ADA", "DOGE", "LINK"}
		m, err := data.Synthesize(data.SynthConfig{Symbols: syms, Bars: benchBars, Seed: 3})
		if err != nil {
			b.Fatal(err)
		}
		benchMarket = m
		// p = 0.0014: about 1,400 state changes (fills) per symbol.
		benchIn = Decide(m, &sparseRandom{rng: rand.New(rand.NewPCG(1, 2)), p: 0.0014})
	})
	return benchMarket, benchIn
}

func benchConfig() Config {
	v := &venue.Venue{Name: "bench", Family: venue.Binance, TakerFee: 0.0005, LiquidationFee: 0.01, Remainder: venue.ToInsurance,
		Default: []venue.Table{{Brackets: venue.Brackets{{Floor: 0, Cap: 1e6, MMR: 0.004, MaxLeverage: 125},
			{Floor: 1e6, Cap: 1e12, MMR: 0.01, MaxLeverage: 50, Cum: 6000}}}}}
	return Config{Venue: v, Capital: 1e6, Leverage: 20, Sizer: fixedNotional(20000), Every: 60}
}

type fixedNotional float64

func (f fixedNotional) Size(in Intent, price, equity, leverage float64) float64 {
	return float64(f) / price
}

// BenchmarkRun8x1M runs both modes over 8 symbols × 1,000,000 one-minute
// bars with sparse signals. Target: ≥ 80M bar-steps/s per core (bar-steps =
// bars × symbols × modes) and ≤ 5× BenchmarkFloor8x1M's time.
//
//	go test ./backtest -run '^$' -bench 8x1M -benchtime 3x
func BenchmarkRun8x1M(b *testing.B) {
	m, in := benchSetup(b)
	cfg := benchConfig()
	fills := 0
	b.ResetTimer()
	for range b.N {
		res, err := Run(m, in, cfg, IsolatedMode, CrossMode)
		if err != nil {
			b.Fatal(err)
		}
		fills = len(res[0].Fills) + len(res[1].Fills)
	}
	steps := float64(benchBars * benchSymbols * 2 * b.N)
	b.ReportMetric(steps/b.Elapsed().Seconds(), "bar-steps/s")
	b.ReportMetric(float64(fills)/2/benchSymbols, "fills/symbol")
}

// BenchmarkFloor8x1M is the floor: a minimal loop over the same columns
// that only compares each bar's low and high with a fixed liquidation
// price, for both modes' worth of bar-steps.
func BenchmarkFloor8x1M(b *testing.B) {
	m, _ := benchSetup(b)
	hits := 0
	b.ResetTimer()
	for range b.N {
		for range 2 { // modes
			for k := range m.Symbols {
				c := &m.Symbols[k].Candles
				lo, hi := c.Low, c.High
				lpLong, lpShort := c.Open[0]*0.9, c.Open[0]*1.1
				for i := range lo {
					if lo[i] <= lpLong || hi[i] >= lpShort {
						hits++
					}
				}
			}
		}
	}
	steps := float64(benchBars * benchSymbols * 2 * b.N)
	b.ReportMetric(steps/b.Elapsed().Seconds(), "bar-steps/s")
	_ = hits
}

// BenchmarkDecide8x1M times the strategy pass, which runs once for all modes.
func BenchmarkDecide8x1M(b *testing.B) {
	m, _ := benchSetup(b)
	b.ResetTimer()
	for range b.N {
		Decide(m, &sparseRandom{rng: rand.New(rand.NewPCG(1, 2)), p: 0.0014})
	}
	b.ReportMetric(float64(benchBars*benchSymbols*b.N)/b.Elapsed().Seconds(), "symbol-bars/s")
}
