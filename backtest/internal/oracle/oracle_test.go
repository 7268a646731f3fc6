package oracle

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/marginlab/marginlab/backtest"
	"github.com/marginlab/marginlab/backtest/venue"
)

// simOn returns a sim on venue v with one symbol, for the margin helpers.
func simOn(v *venue.Venue) *sim {
	m := bars([]string{"A"}, flat(100, 2))
	cfg := backtest.Config{Venue: v, Capital: 1000, Leverage: 10, Sizer: units(1)}
	return newSim(m, &backtest.Intents{Symbols: 1, Bars: 2}, cfg.WithDefaults(), backtest.IsolatedMode, rules{})
}

// TestLiqPriceVenueForms checks the closed form against the published
// single-tier formulas of VENUES.md: Binance §3.2, Bybit §4.1 (MM at the
// entry), OKX/Gate §5–6 (taker fee in the rate), Hyperliquid §10.
func TestLiqPriceVenueForms(t *testing.T) {
	const mmr, taker, q, ep, margin = 0.005, 0.0005, 2.0, 100.0, 20.0
	for _, c := range []struct {
		family     venue.Family
		side       int
		want       float64
		formula    string
		tierByMark bool
	}{
		{venue.Binance, 1, (margin - q*ep) / (q*mmr - q), "(WB − Q·EP)/(Q·MMR − Q)", true},
		{venue.Binance, -1, (margin + q*ep) / (q*mmr + q), "(WB + Q·EP)/(Q·MMR + Q)", true},
		{venue.Bybit, 1, ep - (margin-q*ep*mmr)/q, "EP − (IM − MM)/Q, MM at the entry", false},
		{venue.Bybit, -1, ep + (margin-q*ep*mmr)/q, "EP + (IM − MM)/Q", false},
		{venue.OKX, 1, (ep - margin/q) / (1 - (mmr + taker)), "(EP − margin/Q)/(1 − (MMR + taker))", true},
		{venue.Gate, -1, (ep + margin/q) / (1 + mmr + taker), "(EP + margin/Q)/(1 + MMR + taker)", true},
		{venue.Hyperliquid, 1, ep - (margin-q*ep*mmr)/q/(1-mmr), "price − s·margin_available/Q/(1 − l·s)", true},
		{venue.DYDX, -1, (margin + q*ep) / (q*mmr + q), "(e − s·p)/(|s|·MMF − s)", true},
	} {
		v := plain()
		v.Family, v.TakerFee = c.family, taker
		s := simOn(v)
		p := &position{side: c.side, qty: q, entry: ep, margin: margin, brackets: v.Default[0].Brackets}
		got, kind := s.isolatedLP(p)
		if kind != lpAt || math.Abs(got-c.want) > 1e-9*c.want {
			t.Errorf("%s side %+d: LP %v (%v), want %v = %s", c.family, c.side, got, kind, c.want, c.formula)
		}
	}
}

// TestLiqPriceAcrossTiers: on narrow tiers, the closed form (one solution
// per tier, kept when it lies in its tier) and bisection on the health
// function agree, and health is zero there, for every family and side.
func TestLiqPriceAcrossTiers(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	closed, crossed := 0, 0
	families := []venue.Family{venue.Binance, venue.Bybit, venue.OKX, venue.Gate, venue.Hyperliquid, venue.DYDX}
	for i := range 5000 {
		v := plain()
		v.Family, v.TakerFee = families[i%len(families)], 0.0005
		v.Default = []venue.Table{{Brackets: fineTiers(math.Exp(r.Float64() * 12))}}
		s := simOn(v)
		lev := math.Exp(r.Float64() * math.Log(100))
		p := &position{side: 1 - 2*r.IntN(2), qty: math.Exp(r.Float64()*10 - 3), entry: math.Exp(r.Float64() * 10), brackets: v.Default[0].Brackets}
		p.margin = p.qty * p.entry / lev * (0.5 + r.Float64())
		got, found := s.closedFormLP(p, p.margin)
		if !found || got <= 0 {
			continue
		}
		closed++
		if tier(p.brackets, s.tierNotional(p, p.qty, got)) != tier(p.brackets, s.tierNotional(p, p.qty, p.entry)) {
			crossed++
		}
		ref := s.bisectLP(p, p.margin)
		if math.Abs(got-ref) > 1e-9*ref {
			t.Fatalf("%s %+v: closed form %v, bisection %v", v.Family, *p, got, ref)
		}
		if h := s.health(p, p.margin, got); math.Abs(h) > 1e-9*p.qty*p.entry {
			t.Fatalf("%s %+v: health %v at LP %v", v.Family, *p, h, got)
		}
	}
	if closed < 4000 || crossed < 500 {
		t.Errorf("%d of 5000 positions had a closed-form LP, %d of them in another tier than the entry's: too few to test", closed, crossed)
	}
	t.Logf("%d closed-form LPs, %d in another tier than the entry's", closed, crossed)
}

// TestIsolatedAndCrossHandWorked: the engine's hand-worked example (run
// tests): a long of 5 @ 100 at 10× on the plain venue with taker 0.05 %
// and a 1 % liquidation fee. Isolated margin 50, LP = (50 − 500)/(5·0.005
// − 5) = 90.4523; bar 2's low of 80 reaches it and it settles there: PnL
// −47.7387 leaves 2.2613, which the fee (4.5226) takes. Final equity 1000
// − 0.25 (fee at open) − 50 = 949.75. Cross: at the low, equity 999.75 −
// 100 = 899.75 against MM 2: no liquidation; the close of 95 leaves 974.75.
func TestIsolatedAndCrossHandWorked(t *testing.T) {
	m := bars([]string{"BTC"}, [][4]float64{{100, 101, 99, 100}, {100, 101, 99, 100}, {100, 100, 80, 95}, {95, 96, 94, 95}})
	v := plain()
	v.TakerFee, v.LiquidationFee = 0.0005, 0.01
	cfg := backtest.Config{Venue: v, Capital: 1000, Leverage: 10, Sizer: units(5)}
	in := backtest.Decide(m, scripted{0: {{Side: 1}}})
	res, err := Run(m, in, cfg, backtest.IsolatedMode, backtest.CrossMode)
	if err != nil {
		t.Fatal(err)
	}
	iso, cross := res[0], res[1]
	if got := fmtLiqs(iso.Liquidations); got != "[{bar 2 BTC qty 5 @ 90.4523 full}]" || !near(iso.Liquidations[0].Fee, 2.261306532663) {
		t.Errorf("isolated liquidations %s fee %v, want one of 5 at 90.4523, fee 2.2613", got, iso.Liquidations[0].Fee)
	}
	if !near(iso.FinalEquity, 949.75) || !near(iso.Insurance, 2.261306532663) {
		t.Errorf("isolated final equity %v, insurance %v; want 949.75 and 2.2613", iso.FinalEquity, iso.Insurance)
	}
	if len(cross.Liquidations) != 0 || !near(cross.FinalEquity, 974.75) {
		t.Errorf("cross: liquidations %s, final equity %v; want none and 974.75", fmtLiqs(cross.Liquidations), cross.FinalEquity)
	}
}

// TestCrossSweepStops (R5, cross). Cross longs of 1 A @ 100 (stop 2 %:
// 98, at λ = 0.2 on the path 100 → 90) and 1 B @ 100 (stop 4 %: 96, λ =
// 0.4), at 100×; both fall to 90 in bar 2. With capital 3, f(λ) = 3 −
// 20λ − 0.01·(100 − 10λ) = 2 − 19.9λ reaches 0 at λ* = 0.1005, before
// either stop: both legs are liquidated at 98.995. With capital 10, λ* =
// 9/19.9 = 0.452 comes after A's stop, which fires first (wallet 8); the
// search restarts from λ = 0.2 with B alone, f = 7.5 − 9.95λ, λ* = 0.754,
// after B's stop at 0.4, which fires too (wallet 4): nothing is liquidated.
func TestCrossSweepStops(t *testing.T) {
	for _, c := range []struct {
		capital float64
		stops   int
		liqs    string
	}{
		{3, 0, "[{bar 2 A qty 1 @ 98.995 full} {bar 2 B qty 1 @ 98.995 full}]"},
		{10, 2, "[]"},
	} {
		rows := [][4]float64{{100, 100, 100, 100}, {100, 100, 100, 100}, {100, 100, 90, 90}, {90, 90, 90, 90}}
		m := bars([]string{"A", "B"}, rows, rows)
		cfg := backtest.Config{Venue: plain(), Capital: c.capital, Leverage: 100, Sizer: units(1)}
		in := backtest.Decide(m, scripted{0: {{Side: 1, Stop: 0.02}, {Side: 1, Stop: 0.04}}})
		res, err := Run(m, in, cfg, backtest.CrossMode)
		if err != nil {
			t.Fatal(err)
		}
		r := res[0]
		if r.Stops != c.stops || fmtLiqs(r.Liquidations) != c.liqs {
			t.Errorf("capital %v: %d stops, liquidations %s; want %d and %s (fills %+v)", c.capital, r.Stops, fmtLiqs(r.Liquidations), c.stops, c.liqs, r.Fills)
		}
	}
}

// TestRunValidates: Run rejects what Config.Validate rejects, and a stream
// decided on another market.
func TestRunValidates(t *testing.T) {
	m := bars([]string{"A"}, flat(100, 3))
	in := backtest.Decide(m, scripted{})
	if _, err := Run(m, in, backtest.Config{Venue: plain(), Capital: -1, Sizer: units(1)}); err == nil {
		t.Error("negative capital accepted")
	}
	other := bars([]string{"A", "B"}, flat(100, 3), flat(100, 3))
	if _, err := Run(other, in, backtest.Config{Venue: plain(), Capital: 1, Sizer: units(1)}); err == nil {
		t.Error("intents of another market accepted")
	}
	v := plain()
	v.Family = "unknown"
	if _, err := Run(m, in, backtest.Config{Venue: v, Capital: 1, Sizer: units(1)}); err == nil {
		t.Error("unknown family accepted")
	}
}
