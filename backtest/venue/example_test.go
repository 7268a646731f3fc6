package venue_test

import (
	"fmt"
	"time"

	"github.com/marginlab/marginlab/backtest/venue"
)

// A Binance isolated long: 0.5 BTC at 30,000 with 20x leverage puts 750
// USDT of margin behind it. In the 2026 BTCUSDT brackets (tier 1: 0.4 %,
// cum 0) it is liquidated at (750 − 15,000)/(0.5×0.004 − 0.5) and goes
// bankrupt at 30,000 − 750/0.5.
func ExamplePreset() {
	v, err := venue.Preset("binance-usdm")
	if err != nil {
		panic(err)
	}
	at := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	br := v.BracketsFor("BTCUSDT", at)
	lp, _ := v.Rule().LiquidationPrice(br, v.TakerFee, +1, 0.5, 30_000, 750)
	bp, _ := venue.BankruptcyPrice(+1, 0.5, 30_000, 750)
	fmt.Printf("liquidation %.2f, bankruptcy %.2f\n", lp, bp)
	// Output: liquidation 28614.46, bankruptcy 28500.00
}

// A venue file need not list cum: the recursion fills it, so maintenance
// margin is continuous across brackets.
func ExampleParse() {
	v, err := venue.Parse([]byte(`
name: mine
family: bybit
maker_fee: 0.0002
taker_fee: 0.00055
liquidation_fee: 0
remainder: insurance
funding_interval: 8h
default:
  - effective_from: 2024-01-01
    brackets:
      - {floor: 0, cap: 1000000, mmr: 0.005, max_leverage: 100}
      - {floor: 1000000, mmr: 0.01, max_leverage: 50}
`), "mine.yaml")
	if err != nil {
		panic(err)
	}
	for _, b := range v.Default[0].Brackets {
		fmt.Printf("[%v, %v) mmr %v cum %v\n", b.Floor, b.Cap, b.MMR, b.Cum)
	}
	// Output:
	// [0, 1e+06) mmr 0.005 cum 0
	// [1e+06, +Inf) mmr 0.01 cum 5000
}

func ExampleVenue_Validate() {
	_, err := venue.Parse([]byte(`
name: broken
family: binance
maker_fee: 0.0002
taker_fee: 0.05
liquidation_fee: 0
remainder: insurance
funding_interval: 8h
default:
  - effective_from: 2024-01-01
    brackets:
      - {floor: 0, cap: 50000, mmr: 0.01, max_leverage: 50}
      - {floor: 60000, mmr: 0.02, cum: 400, max_leverage: 25}
`), "broken.yaml")
	fmt.Println(err)
	// Output:
	// venue: broken.yaml:5: taker_fee: 0.05 out of range: must be in [-0.001, 0.01] (a fraction: 0.0005 = 0.05 %)
	// venue: broken.yaml:12: default[0].brackets[0].cap: 50000: must equal the next bracket's floor 60000
	// venue: broken.yaml:13: default[0].brackets[1].cum: 400 disagrees with the recursion cum_k = cum_{k-1} + floor_k × (mmr_k − mmr_{k-1}), which gives 600 (omit cum to use it)
}
