package margin

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/marginlab/marginlab/backtest/venue"
)

// propertyVenues covers each maintenance rule and both remainder rules.
func propertyVenues() []*venue.Venue {
	var out []*venue.Venue
	for _, fam := range []venue.Family{venue.Binance, venue.Bybit, venue.OKX, venue.Hyperliquid} {
		for _, rem := range []venue.Remainder{venue.ToInsurance, venue.ToTrader} {
			v := testVenue()
			v.Family, v.Remainder = fam, rem
			br := venue.Brackets{{Floor: 0, Cap: 50000, MMR: 0.004, MaxLeverage: 125}, {Floor: 50000, Cap: 250000, MMR: 0.005, MaxLeverage: 100},
				{Floor: 250000, Cap: math.Inf(1), MMR: 0.01, MaxLeverage: 50}}
			br.Cumulate()
			v.Default = []venue.Table{{Brackets: br}}
			if rem == venue.ToTrader {
				v.Partial = venue.Partial{Enabled: true, Step: 0.3}
			}
			out = append(out, v)
		}
	}
	return out
}

// TestPropertyRandomOperations runs random operation sequences and checks
// after every step: the journal sums to zero and replays exactly; the
// insurance fund's balance changes only inside a liquidation; no loss of
// an isolated position reaches the wallet (a close, a liquidation or a
// funding payment of an isolated position never takes money from it: the
// position loses at most the margin posted to it); a close past bankruptcy
// is refused without changing anything; liquidation prices agree with the
// liquidation condition just inside and just outside.
func TestPropertyRandomOperations(t *testing.T) {
	symbols := []string{"BTC", "ETH", "SOL"}
	for vi, v := range propertyVenues() {
		for seed := range uint64(25) {
			rng := rand.New(rand.NewPCG(seed, uint64(vi)))
			a := NewAccount(v)
			prices := map[string]float64{"BTC": 30000, "ETH": 2000, "SOL": 100}
			now := int64(0)
			if err := a.Deposit(now, 1000+rng.Float64()*50000); err != nil {
				t.Fatal(err)
			}
			for step := range 400 {
				now += 60e9
				sym := symbols[rng.IntN(len(symbols))]
				mode := Mode(rng.IntN(2))
				price := prices[sym]
				walletBefore := a.Wallet()
				insBefore := a.Insurance()
				liquidated := false
				fail := func(format string, args ...any) {
					t.Helper()
					t.Fatalf("venue %d seed %d step %d: %s", vi, seed, step, fmt.Sprintf(format, args...))
				}
				switch op := rng.IntN(10); {
				case op < 4:
					qty := (rng.Float64()*2 - 1) * 20000 / price
					iso := a.Position(sym, Isolated)
					isoReduces := mode == Isolated && iso != nil && iso.Open() && (qty > 0) != (iso.Side > 0) && math.Abs(qty) <= iso.Qty // not a flip, which posts new margin
					entries := len(a.J.Entries())
					_, err := a.Fill(now, Order{Symbol: sym, Mode: mode, Qty: qty, Price: price, Leverage: 1 + float64(rng.IntN(60))})
					if errors.Is(err, ErrBankrupt) {
						if len(a.J.Entries()) != entries {
							fail("a close refused as past bankruptcy changed the journal")
						}
						// The engine settles it as a liquidation at that price.
						if mode == Isolated {
							if _, err := a.LiquidateIsolated(now, sym, price); err != nil {
								t.Fatal(err)
							}
						} else {
							a.LiquidateCross(now, []float64{price})
						}
						liquidated = true
					} else if err == nil && isoReduces && a.Wallet() < walletBefore-1e-8 {
						fail("closing an isolated %s position took %v from the wallet", sym, walletBefore-a.Wallet())
					}
				case op == 4:
					_ = a.AddMargin(now, sym, rng.Float64()*500)
				case op == 5:
					if r, err := a.MaxRemovable(sym); err == nil && r > 0 {
						if err := a.RemoveMargin(now, sym, r*rng.Float64()); err != nil {
							fail("removing within MaxRemovable failed: %v", err)
						}
					}
				case op == 6:
					_ = a.SetLeverage(now, sym, mode, 1+float64(rng.IntN(120)))
				case op == 7:
					a.ApplyFunding(now, sym, (rng.Float64()-0.4)*0.002, price)
					if a.Wallet() != walletBefore && !hasOpenCross(a, sym) {
						fail("funding of isolated positions changed the wallet")
					}
				default:
					// Move the price and liquidate whatever the new price breaches.
					prices[sym] = price * math.Exp(rng.NormFloat64()*0.03)
					price = prices[sym]
					a.SetMark(sym, price)
					if p := a.Position(sym, Isolated); p != nil && p.Open() {
						if p.Breached(price) != a.IsolatedLiquidatable(p, price) {
							checkNear(t, a, p, price)
						}
						if a.IsolatedLiquidatable(p, price) {
							w := a.Wallet()
							if _, err := a.LiquidateIsolated(now, sym, price); err != nil {
								t.Fatal(err)
							}
							liquidated = true
							if a.Wallet() < w-1e-9 {
								fail("isolated liquidation took %v from the wallet", w-a.Wallet())
							}
						}
					}
					cp := a.CrossPositions()
					if len(cp) > 0 {
						settle := make([]float64, len(cp))
						for i, p := range cp {
							settle[i] = prices[p.Symbol]
						}
						if eq, mm := a.CrossHealth(settle); eq <= mm {
							a.LiquidateCross(now, settle)
							liquidated = true
						}
					}
				}
				if err := a.J.Check(); err != nil {
					fail("%v", err)
				}
				if !liquidated && !a.Insurance().Equal(insBefore) {
					fail("the insurance fund moved %s outside a liquidation", a.Insurance().Sub(insBefore))
				}
				for _, p := range a.Positions() {
					if p.Mode == Isolated && !p.Open() && !a.J.Balance(p.margin).IsZero() {
						fail("flat isolated %s holds margin %s", p.Symbol, a.J.Balance(p.margin))
					}
					checkLiquidationPrice(t, a, p)
				}
			}
		}
	}
}

func hasOpenCross(a *Account, sym string) bool {
	p := a.Position(sym, Cross)
	return p != nil && p.Open()
}

// checkNear tolerates Breached and the exact condition disagreeing only
// within float rounding of the liquidation price.
func checkNear(t *testing.T, a *Account, p *Position, price float64) {
	t.Helper()
	lp, ok := a.LiquidationPrice(p)
	if !ok || math.Abs(price-lp) > 1e-9*lp {
		t.Fatalf("%s: Breached(%v) = %v but the condition says %v (LP %v)", p.Symbol, price, p.Breached(price), a.IsolatedLiquidatable(p, price), lp)
	}
}

// checkLiquidationPrice: just inside the LP the position (or cross
// account, others at their marks) is healthy; just outside it is not.
func checkLiquidationPrice(t *testing.T, a *Account, p *Position) {
	t.Helper()
	lp, ok := a.LiquidationPrice(p)
	if !p.Open() || !ok {
		return
	}
	// Probe 1e-6 of the entry price away: the equity's float rounding is
	// relative to the entry notional, not to the (possibly tiny) LP.
	d := 1e-6 * p.Entry * float64(p.Side)
	inside, outside := lp+d, lp-d
	liquidatable := func(price float64) bool {
		if p.Mode == Isolated {
			return a.IsolatedLiquidatable(p, price)
		}
		cp := a.CrossPositions()
		prices := make([]float64, len(cp))
		for i, q := range cp {
			prices[i] = q.markOf()
			if q == p {
				prices[i] = price
			}
		}
		eq, mm := a.CrossHealth(prices)
		return eq <= mm
	}
	if liquidatable(inside) {
		t.Fatalf("%s %s side %d: liquidatable just inside LP %v", p.Mode, p.Symbol, p.Side, lp)
	}
	if outside > 0 && !liquidatable(outside) {
		t.Fatalf("%s %s side %d: not liquidatable just outside LP %v", p.Mode, p.Symbol, p.Side, lp)
	}
}

func TestHotPathAllocatesNothing(t *testing.T) {
	a, prices := crossAccount(t, 10)
	if n := testing.AllocsPerRun(100, func() { a.CrossHealth(prices) }); n != 0 {
		t.Errorf("CrossHealth allocates %v times", n)
	}
	p := a.Position("S0", Cross)
	if n := testing.AllocsPerRun(100, func() { p.Breached(100) }); n != 0 {
		t.Errorf("Breached allocates %v times", n)
	}
}
