package strategy

import (
	"math"
	"sync"
	"testing"
	"time"

	"github.com/marginlab/marginlab/backtest"
	"github.com/marginlab/marginlab/data"
)

// t0 is the first bar's open time of the hand-built markets.
var t0 = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()

// closesMarket builds an hourly market with one symbol per argument from
// closes alone: open = previous close (the first bar opens at its close),
// high = max(open, close), low = min(open, close), volume 1.
func closesMarket(closes ...[]float64) *data.Market {
	m := &data.Market{Timeframe: time.Hour}
	n := len(closes[0])
	m.Time = make([]int64, n)
	for i := range m.Time {
		m.Time[i] = t0 + int64(i)*int64(time.Hour)
	}
	for s, c := range closes {
		b := data.MakeBars(n)
		copy(b.Time, m.Time)
		for i := range n {
			o := c[i]
			if i > 0 {
				o = c[i-1]
			}
			b.Open[i], b.Close[i], b.High[i], b.Low[i], b.Volume[i] = o, c[i], max(o, c[i]), min(o, c[i]), 1
		}
		m.Symbols = append(m.Symbols, data.Symbol{Name: string(rune('A' + s)), Candles: b,
			Funding: data.Funding{Time: []int64{}, Rate: []float64{}}})
	}
	return m
}

// hlcMarket builds a one-symbol hourly market from highs, lows and closes
// (open = close).
func hlcMarket(high, low, close []float64) *data.Market {
	m := closesMarket(close)
	b := &m.Symbols[0].Candles
	copy(b.High, high)
	copy(b.Low, low)
	copy(b.Open, close)
	return m
}

// runAll runs st over every bar of m and returns the intents after each
// bar: rec[bar][symbol].
func runAll(st backtest.Strategy, m *data.Market) [][]backtest.Intent {
	intents := make([]backtest.Intent, len(m.Symbols))
	rec := make([][]backtest.Intent, len(m.Time))
	for i := range m.Time {
		st.Decide(backtest.NewView(m, i), intents)
		rec[i] = append([]backtest.Intent(nil), intents...)
	}
	return rec
}

// sidesOf returns symbol s's sides from a record.
func sidesOf(rec [][]backtest.Intent, s int) []int {
	out := make([]int, len(rec))
	for i := range rec {
		out[i] = rec[i][s].Side
	}
	return out
}

// mustNew builds a registry strategy or fails the test.
func mustNew(t testing.TB, name string, params map[string]any, seed uint64) backtest.Strategy {
	t.Helper()
	st, err := New(name, params, seed)
	if err != nil {
		t.Fatalf("New(%q, %v): %v", name, params, err)
	}
	return st
}

// synthMarket returns a synthetic hourly market (cached per shape); tests
// must not modify it.
func synthMarket(t testing.TB, symbols []string, bars int, seed uint64) *data.Market {
	t.Helper()
	key := synthKey{len(symbols), bars, seed}
	synthMu.Lock()
	defer synthMu.Unlock()
	if m, ok := synthCache[key]; ok {
		return m
	}
	m, err := data.Synthesize(data.SynthConfig{Symbols: symbols, Bars: bars, Seed: seed, Timeframe: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	synthCache[key] = m
	return m
}

type synthKey struct {
	symbols, bars int
	seed          uint64
}

var (
	synthMu    sync.Mutex
	synthCache = map[synthKey]*data.Market{}
)

// symbolNames returns n symbol names for Synthesize.
func symbolNames(n int) []string {
	all := []string{"BTC", "ETH", "SOL", "BNB", "XRP", "DOGE", "ADA", "AVAX", "LINK", "DOT"}
	return all[:n]
}

// builtinParams are parameters that make each built-in trade often on the
// synthetic test markets (and exercise a stop).
var builtinParams = map[string]map[string]any{
	"hold":          {"side": "short", "stop": 0.05},
	"sma_cross":     {"fast": 5, "slow": 21},
	"breakout":      {"window": 20, "exit_window": 7, "stop": 0.02},
	"mean_revert":   {"window": 30, "entry_z": 1.5, "exit_z": 0.3},
	"random":        {"entry_prob": 0.05, "exit_prob": 0.05},
	"funding_carry": {"threshold": 0.0001},
}

// near reports whether a and b agree to a relative tol.
func near(a, b, tol float64) bool {
	return math.Abs(a-b) <= tol*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}
