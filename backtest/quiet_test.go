package backtest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/marginlab/marginlab/backtest/venue"
	"github.com/marginlab/marginlab/data"
)

// TestQuietMatchesStep: skipping quiet bars gives exactly (bit for bit) the
// result of stepping every bar, over random markets, intents and settings:
// with and without marks (and with some mark candles missing), funding,
// stops, cool-downs, near misses, partial liquidation, order filters, the
// ruin halt (or trading on after ruin), both plain modes and a hybrid.
func TestQuietMatchesStep(t *testing.T) {
	var partials, ruins, minOrders, gapLiqs int // the comparison must meet each rule
	for seed := range uint64(36) {
		rng := rand.New(rand.NewPCG(seed, 99))
		// Every third seed is hot: high volatility and leverage, so stops,
		// near misses and liquidations come often.
		hot := seed%3 == 2
		vol, lev := 0.5+rng.Float64()*1.5, float64(2+rng.IntN(60))
		if hot {
			vol, lev = 2+rng.Float64()*2, float64(50+rng.IntN(50))
		}
		syms := []string{"BTC", "ETH", "SOL"}[:1+rng.IntN(3)]
		m, err := data.Synthesize(data.SynthConfig{Symbols: syms, Bars: 3000 + rng.IntN(3000), Seed: seed, AnnualVol: vol,
			FundingInterval: []time.Duration{time.Hour, 8 * time.Hour}[rng.IntN(2)]})
		if err != nil {
			t.Fatal(err)
		}
		switch rng.IntN(3) {
		case 0:
			for k := range m.Symbols {
				m.Symbols[k].Mark = nil // trades drive liquidations
			}
		case 1:
			gaps := []int{3, 40}[rng.IntN(2)] // one in gaps mark candles missing: trades stand in
			for k := range m.Symbols {
				mk := m.Symbols[k].Mark
				for b := range mk.Open {
					if rng.IntN(gaps) == 0 {
						mk.Open[b], mk.High[b], mk.Low[b], mk.Close[b] = math.NaN(), math.NaN(), math.NaN(), math.NaN()
					}
				}
			}
		}
		if rng.IntN(3) == 0 {
			gapOpens(m, rng) // liquidations at the open before the fills (R2)
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
			// A fee below the maintenance rate, so that a step can leave
			// the position healthy (a partial event).
			v.Partial = venue.Partial{Enabled: true, Step: 0.3, MinNotional: []float64{1000, 20000}[rng.IntN(2)]}
			v.LiquidationFee = 0.0005
		}
		if rng.IntN(2) == 0 {
			v.Orders.Default = venue.OrderRules{MinNotional: 100 + rng.Float64()*30000, QtyStep: []float64{0.001, 0.01, 0.1}[rng.IntN(3)]}
		}
		cfg := Config{Venue: v, Capital: 1000 + rng.Float64()*20000, Leverage: lev,
			Sizer: fixedNotional(2000 + rng.Float64()*40000), Cooldown: rng.IntN(20), NearMiss: []float64{0.5, 0.8, 0}[rng.IntN(3)],
			StopAtLiq: []float64{0, 0, 0.7}[rng.IntN(3)], Every: 1 + rng.IntN(30),
			RuinFraction: []float64{0.1, 0.6, 0.9}[rng.IntN(3)], TradeAfterRuin: rng.IntN(3) == 0}
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
			mt := &fast[k].Metrics
			partials += mt.PartialLiquidations
			minOrders += mt.RejectedMinOrder
			if mt.Ruined {
				ruins++
			}
			for _, l := range fast[k].Liquidations {
				if l.Settle != l.LiqPrice {
					gapLiqs++
				}
			}
		}
	}
	t.Logf("partial events %d, ruined runs %d, orders under the minimum %d, liquidations off their price (gaps) %d", partials, ruins, minOrders, gapLiqs)
	if partials == 0 || ruins == 0 || minOrders == 0 || gapLiqs == 0 {
		t.Errorf("some rule was never met: the comparison proves less than it should")
	}
}

// gapOpens makes about one bar in 150 of every symbol open 2–8 % away from
// the previous close (trades and marks alike), widening the bar to hold it.
func gapOpens(m *data.Market, rng *rand.Rand) {
	for k := range m.Symbols {
		for _, b := range []*data.Bars{&m.Symbols[k].Candles, m.Symbols[k].Mark} {
			if b == nil {
				continue
			}
			for i := 1; i < len(b.Open); i++ {
				if rng.IntN(150) != 0 || b.Open[i] != b.Open[i] {
					continue
				}
				o := b.Close[i-1] * (1 + (0.02+0.06*rng.Float64())*float64(1-2*rng.IntN(2)))
				b.Open[i], b.High[i], b.Low[i] = o, max(b.High[i], o), min(b.Low[i], o)
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

// TestCrossBound: the cross account's quick bound (crossSafeUntil) never
// clears a bar the exact per-bar sums would stop at, so scanCross finds
// exactly scanCrossExact's bar, over random accounts of one to four legs
// on tiered brackets (every maintenance family), with marks that are
// sometimes missing, prices creeping toward liquidation in steps as small
// as 10⁻⁷, and near-miss thresholds on and off.
func TestCrossBound(t *testing.T) {
	const bars = 600
	rng := rand.New(rand.NewPCG(8, 8))
	events, bounded := 0, 0
	for trial := range 1000 {
		n := 1 + rng.IntN(4)
		sides := make([]int, n)
		m := &data.Market{Time: make([]int64, bars), Timeframe: time.Minute}
		for b := range m.Time {
			m.Time[b] = int64(b) * int64(time.Minute)
		}
		withMarks := rng.IntN(2) == 0
		for k := range n {
			sides[k] = 1 - 2*rng.IntN(2)
			p0 := math.Exp(rng.Float64() * 10)
			step := math.Pow(10, -7+4.5*rng.Float64()) // relative move toward the adverse side per bar
			c := data.MakeBars(bars)
			price := p0
			for b := range bars {
				c.Time[b] = m.Time[b]
				c.Open[b], c.Close[b] = price, price
				if rng.IntN(5) == 0 { // some bars move back
					price *= 1 + float64(sides[k])*step*rng.Float64()
				} else {
					price *= 1 - float64(sides[k])*step*(0.5+rng.Float64())
				}
				c.High[b], c.Low[b] = max(c.Open[b], price)*(1+step*rng.Float64()), min(c.Open[b], price)*(1-step*rng.Float64())
			}
			sym := data.Symbol{Name: fmt.Sprint("S", k), Candles: c}
			if withMarks {
				mk := data.MakeBars(bars)
				for b := range bars {
					f := 1 + 1e-4*(rng.Float64()-0.5)
					mk.Time[b], mk.Open[b], mk.High[b], mk.Low[b], mk.Close[b] = c.Time[b], c.Open[b]*f, c.High[b]*f, c.Low[b]*f, c.Close[b]*f
					if rng.IntN(50) == 0 {
						mk.Open[b], mk.High[b], mk.Low[b], mk.Close[b] = math.NaN(), math.NaN(), math.NaN(), math.NaN()
					}
				}
				sym.Mark = &mk
			}
			m.Symbols = append(m.Symbols, sym)
		}
		br := venue.Brackets{{Floor: 0, Cap: 5e4, MMR: 0.004, MaxLeverage: 125}, {Floor: 5e4, Cap: 2e5, MMR: 0.01, MaxLeverage: 100},
			{Floor: 2e5, Cap: 1e6, MMR: 0.025, MaxLeverage: 50}, {Floor: 1e6, Cap: math.Inf(1), MMR: 0.05, MaxLeverage: 20}}
		br.Cumulate()
		v := &venue.Venue{Name: "b", Family: []venue.Family{venue.Binance, venue.Bybit, venue.OKX}[rng.IntN(3)], TakerFee: 0.0005,
			LiquidationFee: 0.01, Remainder: venue.ToInsurance, Default: []venue.Table{{Brackets: br}}}
		cfg := Config{Venue: v, Capital: 1e4, Leverage: 20, Sizer: fixedNotional(1)}.WithDefaults()
		cfg.NearMiss = []float64{0, 0.5, 0.8}[rng.IntN(3)]
		s := newSim(m, &Intents{Bars: bars, Symbols: n}, &cfg, CrossMode)
		for k := range n {
			notional := cfg.Capital * (5 + 14*rng.Float64()) / float64(n)
			price := m.Symbols[k].Candles.Open[0]
			if s.fill(0, m.Time[0], k, float64(sides[k])*notional/price, price, "signal") != filled {
				t.Fatalf("trial %d: the opening fill was rejected", trial)
			}
		}
		s.syncLegs()
		exact := s.scanCrossExact(1, bars)
		if got := s.scanCross(1, bars); got != exact {
			t.Fatalf("trial %d (%s, %d legs, near-miss %v): scanCross stops at bar %d, the exact sums at %d", trial, v.Family, n, cfg.NearMiss, got, exact)
		}
		if exact < bars {
			events++
		}
		if j := s.crossSafeUntil(1, bars); j > 1 && j < bars {
			bounded++
		}
	}
	// The comparison proves something only when events happen and the
	// bound both clears bars and stops short of the end.
	if events < 150 || bounded < 150 {
		t.Fatalf("weak test: %d trials with an event, %d where the bound stopped inside the range", events, bounded)
	}
}

// TestFundingBar: the bar a funding event is due at is the first bar at or
// after its time, on timelines with and without gaps and for events on and
// between bar times.
func TestFundingBar(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	for trial := range 200 {
		n := 50 + rng.IntN(200)
		m := &data.Market{Time: make([]int64, n), Timeframe: time.Minute, Symbols: []data.Symbol{{Name: "X"}}}
		tm := int64(0)
		for b := range m.Time {
			m.Time[b] = tm
			tm += int64(time.Minute)
			if trial%2 == 1 && rng.IntN(10) == 0 { // a gap
				tm += int64(1+rng.IntN(30)) * int64(time.Minute)
			}
		}
		f := &m.Symbols[0].Funding
		for ft := int64(rng.IntN(30)) * int64(time.Second); ft < tm+int64(time.Hour); ft += int64(1+rng.IntN(40)) * int64(time.Minute/2) {
			f.Time, f.Rate = append(f.Time, ft), append(f.Rate, 0.0001)
		}
		s := &sim{m: m, syms: make([]symState, 1)}
		for i := 0; i < n; i++ {
			s.syms[0].fundK = 0
			for s.syms[0].fundK < len(f.Time) && f.Time[s.syms[0].fundK] <= m.Time[i] {
				s.syms[0].fundK++
			}
			s.setNextFunding(i)
			want := n
			for b := i; b < n; b++ {
				if k := s.syms[0].fundK; k < len(f.Time) && m.Time[b] >= f.Time[k] {
					want = b
					break
				}
			}
			if s.fundingBar != want {
				t.Fatalf("trial %d bar %d: funding due at bar %d, want %d", trial, i, s.fundingBar, want)
			}
		}
	}
}

// TestModesTakeTurns: running several modes together, in turns over
// windows of bars, gives each exactly the result it has when run alone.
func TestModesTakeTurns(t *testing.T) {
	syms := []string{"BTC", "ETH"}
	m, err := data.Synthesize(data.SynthConfig{Symbols: syms, Bars: 3*runWindow + 123, Seed: 5, AnnualVol: 2})
	if err != nil {
		t.Fatal(err)
	}
	in := Decide(m, &sparseRandom{rng: rand.New(rand.NewPCG(5, 5)), p: 0.003})
	cfg := benchConfig()
	cfg.Capital, cfg.Leverage = 3e4, 50
	modes := []ModeSpec{IsolatedMode, CrossMode, HybridMode("BTC")}
	together, err := Run(m, in, cfg, modes...)
	if err != nil {
		t.Fatal(err)
	}
	for k, mode := range modes {
		alone, err := Run(m, in, cfg, mode)
		if err != nil {
			t.Fatal(err)
		}
		if a, b := fmt.Sprintf("%+v", together[k]), fmt.Sprintf("%+v", alone[0]); a != b {
			t.Fatalf("mode %s differs when run with the others:\n%s", mode.Name, firstDiff(a, b))
		}
		if k == 0 && len(alone[0].Liquidations) == 0 {
			t.Fatal("no liquidation: the comparison proves little")
		}
	}
}
