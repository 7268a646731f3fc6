package backtest

import (
	"math"
	"testing"
	"time"

	"github.com/marginlab/marginlab/backtest/venue"
	"github.com/marginlab/marginlab/data"
)

// market builds a 1m market from per-symbol OHLC rows (no mark, no funding).
func market(t *testing.T, names []string, rows ...[][4]float64) *data.Market {
	t.Helper()
	m := &data.Market{Timeframe: time.Minute}
	n := len(rows[0])
	for i := range n {
		m.Time = append(m.Time, int64(i)*int64(time.Minute))
	}
	for k, name := range names {
		b := data.MakeBars(n)
		for i, r := range rows[k] {
			b.Time[i] = m.Time[i]
			b.Open[i], b.High[i], b.Low[i], b.Close[i] = r[0], r[1], r[2], r[3]
		}
		m.Symbols = append(m.Symbols, data.Symbol{Name: name, Candles: b})
	}
	return m
}

// scripted sets fixed intents from a bar on: from[bar][symbol].
type scripted map[int][]Intent

func (s scripted) Decide(v *View, intents []Intent) {
	if in, ok := s[v.Bar()]; ok {
		copy(intents, in)
	}
}

// fixedQty sizes every position at Qty × weight base units.
type fixedQty struct{ Qty float64 }

func (f fixedQty) Size(in Intent, price, equity, leverage float64) float64 {
	w := in.Weight
	if w == 0 {
		w = 1
	}
	return f.Qty * w
}

// plainVenue: one 0.5 % tier, taker 0.05 %, liquidation fee 1 %.
func plainVenue(taker, liqFee float64, rem venue.Remainder) *venue.Venue {
	return &venue.Venue{Name: "plain", Family: venue.Binance, TakerFee: taker, LiquidationFee: liqFee, Remainder: rem,
		FundingInterval: 8 * time.Hour,
		Default:         []venue.Table{{Brackets: venue.Brackets{{Floor: 0, Cap: math.Inf(1), MMR: 0.005, MaxLeverage: 100}}}}}
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-6*math.Max(1, math.Abs(b)) }

func runModes(t *testing.T, m *data.Market, s Strategy, cfg Config, modes ...ModeSpec) []Result {
	t.Helper()
	cfg.VerifyLedger = true
	res, err := Run(m, Decide(m, s), cfg, modes...)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.JournalError != "" {
			t.Fatalf("%s: %s", r.Mode, r.JournalError)
		}
	}
	return res
}

// TestIsolatedLiquidatedCrossSurvives: long 5 @ 100, 10×: isolated margin
// 50, LP = (50 − 500)/(5·0.005 − 5) = 90.4523; bar 2's low of 80 reaches
// it (λ = (100 − 90.4523)/20 = 0.477) and it settles at LP: PnL −47.7387,
// leaving 2.2613 that the 1 % fee takes. Cross: at the low equity is
// 999.75 − 100 = 899.75 against MM 2, so it survives to close at 974.75.
func TestIsolatedLiquidatedCrossSurvives(t *testing.T) {
	m := market(t, []string{"BTC"}, [][4]float64{{100, 101, 99, 100}, {100, 101, 99, 100}, {100, 100, 80, 95}, {95, 96, 94, 95}})
	cfg := Config{Venue: plainVenue(0.0005, 0.01, venue.ToInsurance), Capital: 1000, Leverage: 10, Sizer: fixedQty{5}}
	res := runModes(t, m, scripted{0: {{Side: 1}}}, cfg)
	iso, cross := res[0], res[1]
	if len(iso.Liquidations) != 1 {
		t.Fatalf("isolated liquidations %d, want 1", len(iso.Liquidations))
	}
	l := iso.Liquidations[0]
	lp := (50 - 500) / (5*0.005 - 5)
	if l.Bar != 2 || !near(l.LiqPrice, lp) || !near(l.Settle, lp) || !near(l.MarginLost, 50) || !near(l.Fee, 50+5*(lp-100)) || l.CloseAlso {
		t.Errorf("isolated liquidation %+v", l)
	}
	if !near(iso.Metrics.FinalEquity, 949.75) || iso.Metrics.Positions != 1 || iso.Metrics.PositionsLiquidatedPer1000 != 1000 || iso.Metrics.IntrabarAmbiguity != 1 {
		t.Errorf("isolated metrics %+v", iso.Metrics)
	}
	if len(cross.Liquidations) != 0 || !near(cross.Metrics.FinalEquity, 974.75) {
		t.Errorf("cross: %d liquidations, final equity %v (want 0, 974.75)", len(cross.Liquidations), cross.Metrics.FinalEquity)
	}
	// Blocked after the liquidation: the unchanged intent does not re-enter.
	if len(iso.Fills) != 1 {
		t.Errorf("isolated fills %d, want 1 (no re-entry after liquidation)", len(iso.Fills))
	}
}

// TestStopBeforeLiquidation: a 5 % stop (95) is reached at λ 0.25, before
// the LP (λ 0.477): the stop fills at 95 (PnL −25, fee 0.2375) and the
// margin left, 24.7625, returns. A 15 % stop (85, λ 0.75) comes too late.
func TestStopBeforeLiquidation(t *testing.T) {
	m := market(t, []string{"BTC"}, [][4]float64{{100, 101, 99, 100}, {100, 101, 99, 100}, {100, 100, 80, 95}, {95, 96, 94, 95}})
	cfg := Config{Venue: plainVenue(0.0005, 0.01, venue.ToInsurance), Capital: 1000, Leverage: 10, Sizer: fixedQty{5}}
	res := runModes(t, m, scripted{0: {{Side: 1, Stop: 0.05}}}, cfg, IsolatedMode)
	if r := res[0]; len(r.Liquidations) != 0 || len(r.Fills) != 2 || r.Fills[1].Reason != "stop" || r.Fills[1].Price != 95 || !near(r.Metrics.FinalEquity, 974.5125) || r.Metrics.Stops != 1 {
		t.Errorf("5%% stop: fills %+v liquidations %d equity %v", r.Fills, len(r.Liquidations), r.Metrics.FinalEquity)
	}
	res = runModes(t, m, scripted{0: {{Side: 1, Stop: 0.15}}}, cfg, IsolatedMode)
	if r := res[0]; len(r.Liquidations) != 1 || len(r.Fills) != 1 {
		t.Errorf("15%% stop: fills %d liquidations %d, want 1 and 1", len(r.Fills), len(r.Liquidations))
	}
}

// TestCrossLambda: two longs, 10 @ 100 and 10 @ 50, wallet 200, no fees.
// Along the path A = 100 − 20λ, B = 50 − 10λ: equity 200 − 300λ, MM
// 0.005·(1500 − 300λ); they meet at λ* = 192.5/298.5, where both legs
// settle (A 87.1022, B 43.5511) and the trader keeps MM = 6.5327
// (remainder to trader, no liquidation fee).
func TestCrossLambda(t *testing.T) {
	m := market(t, []string{"A", "B"},
		[][4]float64{{100, 101, 99, 100}, {100, 101, 99, 100}, {100, 100, 80, 95}, {95, 96, 94, 95}},
		[][4]float64{{50, 51, 49, 50}, {50, 51, 49, 50}, {50, 50, 40, 48}, {48, 49, 47, 48}})
	cfg := Config{Venue: plainVenue(0, 0, venue.ToTrader), Capital: 200, Leverage: 10, Sizer: fixedQty{10}}
	res := runModes(t, m, scripted{0: {{Side: 1}, {Side: 1}}}, cfg, CrossMode, IsolatedMode, HybridMode("A"))
	cross, iso, hyb := res[0], res[1], res[2]
	lam := 192.5 / 298.5
	if len(cross.Liquidations) != 2 || !near(cross.Liquidations[0].Settle, 100-20*lam) || !near(cross.Liquidations[1].Settle, 50-10*lam) {
		t.Fatalf("cross liquidations %+v", cross.Liquidations)
	}
	if mm := 0.005 * (1500 - 300*lam); !near(cross.Metrics.FinalEquity, mm) || !near(cross.Liquidations[0].EquityAfter, mm) {
		t.Errorf("cross final equity %v, want %v", cross.Metrics.FinalEquity, mm)
	}
	// Isolated: A (margin 100) and B (margin 50) each reach their own LP
	// (90.4523, 45.2261); each keeps MM, which returns to the wallet of 50.
	lpA, lpB := (100-1000)/(10*0.005-10), (50-500)/(10*0.005-10)
	if len(iso.Liquidations) != 2 || !near(iso.Liquidations[0].Settle, lpA) || !near(iso.Liquidations[1].Settle, lpB) ||
		!near(iso.Metrics.FinalEquity, 50+10*lpA*0.005+10*lpB*0.005) {
		t.Errorf("isolated %+v final %v", iso.Liquidations, iso.Metrics.FinalEquity)
	}
	// Hybrid, A isolated: A is liquidated as in isolated and its leftover
	// 10·lpA·0.005 = 4.5226 returns to the wallet (100 → 104.5226). B alone
	// in cross then has equity 104.5226 − 100λ against MM 0.05·(50 − 10λ):
	// 4.52 > 2.45 at the low, so B survives and closes at 48.
	if len(hyb.Liquidations) != 1 || hyb.Liquidations[0].Mode != "isolated" ||
		!near(hyb.Metrics.FinalEquity, 100+10*lpA*0.005+10*(48-50)) {
		t.Errorf("hybrid %+v final %v", hyb.Liquidations, hyb.Metrics.FinalEquity)
	}
}

// TestClosePolicyOptimistic: under the close policy the isolated long of
// TestIsolatedLiquidatedCrossSurvives is never liquidated (closes 95 > LP).
func TestClosePolicyOptimistic(t *testing.T) {
	m := market(t, []string{"BTC"}, [][4]float64{{100, 101, 99, 100}, {100, 101, 99, 100}, {100, 100, 80, 95}, {95, 96, 94, 95}})
	cfg := Config{Venue: plainVenue(0.0005, 0.01, venue.ToInsurance), Capital: 1000, Leverage: 10, Sizer: fixedQty{5}, Policy: AtClose}
	res := runModes(t, m, scripted{0: {{Side: 1}}}, cfg, IsolatedMode)
	if len(res[0].Liquidations) != 0 || !near(res[0].Metrics.FinalEquity, 974.75) {
		t.Errorf("close policy: %d liquidations, equity %v", len(res[0].Liquidations), res[0].Metrics.FinalEquity)
	}
}
