package backtest

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/marginlab/marginlab/backtest/venue"
	"github.com/marginlab/marginlab/data"
)

// TestQuietMatchesStep: skipping quiet bars gives exactly (bit for bit) the
// result of stepping every bar, over random markets, intents and settings:
// with and without marks, funding, stops, cool-downs, near misses, both
// plain modes and a hybrid.
func TestQuietMatchesStep(t *testing.T) {
	for seed := range uint64(24) {
		rng := rand.New(rand.NewPCG(seed, 99))
		syms := []string{"BTC", "ETH", "SOL"}[:1+rng.IntN(3)]
		m, err := data.Synthesize(data.SynthConfig{Symbols: syms, Bars: 3000 + rng.IntN(3000), Seed: seed, AnnualVol: 0.5 + rng.Float64()*1.5,
			FundingInterval: []time.Duration{time.Hour, 8 * time.Hour}[rng.IntN(2)]})
		if err != nil {
			t.Fatal(err)
		}
		if rng.IntN(2) == 0 {
			for k := range m.Symbols {
				m.Symbols[k].Mark = nil // trades drive liquidations
			}
		}
		strat := &sparseRandom{rng: rand.New(rand.NewPCG(seed, 5)), p: 0.002 + rng.Float64()*0.02}
		if rng.IntN(2) == 0 {
			strat.stop = 0.005 + rng.Float64()*0.05
		}
		in := Decide(m, strat)
		v := &venue.Venue{Name: "q", Family: []venue.Family{venue.Binance, venue.Bybit, venue.OKX}[rng.IntN(3)], TakerFee: 0.0005,
			LiquidationFee: 0.01, Remainder: []venue.Remainder{venue.ToInsurance, venue.ToTrader}[rng.IntN(2)],
			Default: []venue.Table{{Brackets: venue.Brackets{{Floor: 0, Cap: 1e5, MMR: 0.004, MaxLeverage: 125},
				{Floor: 1e5, Cap: 1e12, MMR: 0.01, MaxLeverage: 100, Cum: 600}}}}}
		if rng.IntN(3) == 0 {
			v.Partial = venue.Partial{Enabled: true, Step: 0.3}
		}
		cfg := Config{Venue: v, Capital: 1000 + rng.Float64()*20000, Leverage: float64(2 + rng.IntN(60)),
			Sizer: fixedNotional(2000 + rng.Float64()*40000), Cooldown: rng.IntN(20), NearMiss: []float64{0.5, 0.8, 0}[rng.IntN(3)],
			StopAtLiq: []float64{0, 0, 0.7}[rng.IntN(3)], Every: 1 + rng.IntN(30)}
		modes := []ModeSpec{IsolatedMode, CrossMode, HybridMode(syms[0])}
		fast, err := Run(m, in, cfg, modes...)
		if err != nil {
			t.Fatal(err)
		}
		cfg.stepEveryBar = true
		slow, err := Run(m, in, cfg, modes...)
		if err != nil {
			t.Fatal(err)
		}
		for k := range modes {
			f, s := fmt.Sprintf("%+v", fast[k]), fmt.Sprintf("%+v", slow[k])
			if f != s {
				t.Fatalf("seed %d mode %s: quiet-bar path differs from stepping every bar\n%s", seed, modes[k].Name, firstDiff(f, s))
			}
			if seed == 0 && k == 0 && len(fast[k].Liquidations) == 0 && len(fast[k].Fills) == 0 {
				t.Fatalf("seed 0 traded nothing: the comparison proves little")
			}
		}
	}
}

func firstDiff(a, b string) string {
	for i := 0; i < min(len(a), len(b)); i++ {
		if a[i] != b[i] {
			lo := max(0, i-200)
			return fmt.Sprintf("quiet: ...%s...\nstep:  ...%s...", a[lo:min(len(a), i+200)], b[lo:min(len(b), i+200)])
		}
	}
	return "lengths differ"
}
