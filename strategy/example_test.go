package strategy_test

import (
	"fmt"
	"time"

	"github.com/marginlab/marginlab/backtest"
	"github.com/marginlab/marginlab/data"
	"github.com/marginlab/marginlab/strategy"
)

// A strategy from a decoded config map, run bar by bar the way the engine
// runs it.
func ExampleNew() {
	st, err := strategy.New("sma_cross", map[string]any{"fast": 2, "slow": 3, "stop": 0.02}, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	closes := []float64{1, 2, 3, 2, 1}
	m := &data.Market{Time: make([]int64, len(closes)), Timeframe: time.Hour,
		Symbols: []data.Symbol{{Name: "BTC", Candles: data.MakeBars(len(closes))}}}
	for i, c := range closes {
		m.Time[i] = int64(i) * int64(time.Hour)
		m.Symbols[0].Candles.Close[i] = c
	}
	intents := make([]backtest.Intent, 1)
	for i := range m.Time {
		st.Decide(backtest.NewView(m, i), intents)
		fmt.Printf("bar %d close %g: %+v\n", i, closes[i], intents[0])
	}
	// Output:
	// bar 0 close 1: {Side:0 Weight:0 Stop:0}
	// bar 1 close 2: {Side:0 Weight:0 Stop:0}
	// bar 2 close 3: {Side:1 Weight:1 Stop:0.02}
	// bar 3 close 2: {Side:1 Weight:1 Stop:0.02}
	// bar 4 close 1: {Side:-1 Weight:1 Stop:0.02}
}

// Bad parameters are reported all at once, each naming its key.
func ExampleNew_errors() {
	_, err := strategy.New("sma_cross", map[string]any{"fast": "20", "slow": 1, "stopp": 0.1}, 0)
	fmt.Println(err)
	// Output:
	// strategy: sma_cross: parameter "fast": got string "20", want an integer
	// strategy: sma_cross: unknown parameter "stopp" (allowed: allow_short, fast, slow, stop)
	// strategy: sma_cross: parameter "slow" = 1: must be an integer in [2, 1000000]
}

func ExampleDescribe() {
	fmt.Print(strategy.Describe("breakout"))
	// Output:
	// breakout: Donchian breakout: long when the close is above the highest high of the previous window bars, short when below the lowest low; exit to flat when the close breaks the exit_window channel the other way.
	//   window: 20       # entry channel length in bars; an integer in [1, 1000000]
	//   exit_window: 10  # exit channel length in bars; an integer in [1, 1000000]
	//   stop: 0          # stop distance as a fraction of the fill price, in [0, 1); 0: no stop
}

func ExampleNewSizer() {
	z, err := strategy.NewSizer("risk", map[string]any{"risk": 0.01, "default_stop": 0.02})
	if err != nil {
		fmt.Println(err)
		return
	}
	// Equity 10,000 at leverage 5, filled at 100: a 2 % stop risking 1 %
	// of equity gives 0.01 × 10000 / (100 × 0.02) = 50; a 0.1 % stop
	// would give 1,000, capped at 10000 × 5 / 100 = 500.
	fmt.Println(z.Size(backtest.Intent{Side: 1}, 100, 10_000, 5))
	fmt.Println(z.Size(backtest.Intent{Side: 1, Stop: 0.001}, 100, 10_000, 5))
	// Output:
	// 50
	// 500
}

func ExampleCheckConformance() {
	m, err := data.Synthesize(data.SynthConfig{Symbols: []string{"BTC", "ETH"}, Bars: 2000, Timeframe: time.Hour})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, name := range strategy.Names() {
		newStrategy := func() backtest.Strategy {
			st, _ := strategy.New(name, nil, 1)
			return st
		}
		fmt.Println(name, strategy.CheckConformance(newStrategy, m, nil))
	}
	// Output:
	// breakout <nil>
	// funding_carry <nil>
	// hold <nil>
	// mean_revert <nil>
	// random <nil>
	// sma_cross <nil>
}
