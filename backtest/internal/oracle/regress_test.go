package oracle

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/marginlab/marginlab/backtest"
	"github.com/marginlab/marginlab/backtest/venue"
	"github.com/marginlab/marginlab/data"
)

// Regression cases: each is a disagreement the differential test found,
// cut down to a few hand-built bars whose expected numbers are worked out
// in the comment from backtest/doc.go. Each checks the oracle (always a
// failure when wrong) and the engine, which deviated from the rule when
// the case was found (check.why) and must not again.
//
// Common setting unless a case says otherwise: one-minute bars, no mark
// candles (the trade candles stand in), the "plain" venue of one tier
// (MMR 0.5 %, max leverage 100, family binance: MM = 0.005·Q·P), no fees.

// check collects one regression's verdicts.
type check struct {
	t      *testing.T
	why    string // the engine's deviation, one line
	engine []string
}

func newCheck(t *testing.T, why string) *check { return &check{t: t, why: why} }

// oracle asserts a fact about the oracle's result.
func (c *check) oracle(ok bool, format string, args ...any) {
	c.t.Helper()
	if !ok {
		c.t.Errorf("oracle: "+format, args...)
	}
}

// engineOK records a fact about the engine's result.
func (c *check) engineOK(ok bool, format string, args ...any) {
	if !ok {
		c.engine = append(c.engine, fmt.Sprintf(format, args...))
	}
}

// done reports the engine's verdicts.
func (c *check) done() {
	c.t.Helper()
	if len(c.engine) > 0 {
		c.t.Errorf("engine: %s, again:\n  %s", c.why, strings.Join(c.engine, "\n  "))
	}
}

// bars builds a market of one-minute bars from per-symbol OHLC rows.
func bars(names []string, rows ...[][4]float64) *data.Market {
	m := &data.Market{Timeframe: time.Minute}
	for i := range rows[0] {
		m.Time = append(m.Time, int64(i)*int64(time.Minute))
	}
	for k, name := range names {
		b := data.MakeBars(len(rows[k]))
		for i, r := range rows[k] {
			b.Time[i] = m.Time[i]
			b.Open[i], b.High[i], b.Low[i], b.Close[i] = r[0], r[1], r[2], r[3]
		}
		m.Symbols = append(m.Symbols, data.Symbol{Name: name, Candles: b,
			Funding: data.Funding{Time: []int64{}, Rate: []float64{}}})
	}
	return m
}

func flat(p float64, n int) [][4]float64 {
	rows := make([][4]float64, n)
	for i := range rows {
		rows[i] = [4]float64{p, p, p, p}
	}
	return rows
}

// plain is a venue of one tier: MMR 0.5 %, max leverage 100, no fees.
func plain() *venue.Venue {
	return &venue.Venue{Name: "plain", Family: venue.Binance, Remainder: venue.ToInsurance, FundingInterval: time.Hour,
		Default: []venue.Table{{Brackets: venue.Brackets{{Floor: 0, Cap: math.Inf(1), MMR: 0.005, MaxLeverage: 100}}}}}
}

// scripted sets intents from given bars on: scripted[bar][symbol].
type scripted map[int][]backtest.Intent

func (s scripted) Decide(v *backtest.View, intents []backtest.Intent) {
	if in, ok := s[v.Bar()]; ok {
		copy(intents, in)
	}
}

// units sizes every position at weight × Q base units (weight 0 is 1).
type units float64

func (u units) Size(in backtest.Intent, price, equity, leverage float64) float64 {
	w := in.Weight
	if w == 0 {
		w = 1
	}
	return w * float64(u)
}

// halfEquity sizes a position at half the equity in notional.
type halfEquity struct{}

func (halfEquity) Size(in backtest.Intent, price, equity, leverage float64) float64 {
	return equity / 2 / price
}

// both runs the engine (turning a panic into an error) and the oracle.
func both(t *testing.T, m *data.Market, s backtest.Strategy, cfg backtest.Config, mode backtest.ModeSpec) (eng backtest.Result, engErr error, ora Result) {
	t.Helper()
	in := backtest.Decide(m, s)
	cfg.VerifyLedger = true
	res, err := runEngine(m, in, cfg, []backtest.ModeSpec{mode})
	if err == nil {
		eng = res[0]
		if eng.JournalError != "" {
			err = fmt.Errorf("ledger: %s", eng.JournalError)
		}
	}
	o, oerr := Run(m, in, cfg, mode)
	if oerr != nil {
		t.Fatalf("oracle: %v", oerr)
	}
	return eng, err, o[0]
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*max(1, math.Abs(a), math.Abs(b)) }

// TestRegressionMarkNaNColumn (Prices: the mark falls back to the trade
// candle column by column). A cross long of 1 @ 100 at 10× on a flat
// market whose mark close is missing (NaN) at bar 2, the other mark
// columns present, under the close policy. The mark close falls back to
// the trade close 100: nothing happens, final equity 1000.
func TestRegressionMarkNaNColumn(t *testing.T) {
	c := newCheck(t, "a NaN in one mark column is not replaced by the trade column (the engine panics: Decimal from NaN)")
	m := bars([]string{"A"}, flat(100, 4))
	mk := m.Symbols[0].Candles.Clone()
	mk.Close[2] = math.NaN()
	m.Symbols[0].Mark = &mk
	cfg := backtest.Config{Venue: plain(), Capital: 1000, Leverage: 10, Sizer: units(1), Policy: backtest.AtClose}
	eng, err, ora := both(t, m, scripted{0: {{Side: 1}}}, cfg, backtest.CrossMode)
	c.oracle(len(ora.Liquidations) == 0 && near(ora.FinalEquity, 1000), "liquidations %v, final equity %v; want none and 1000", ora.Liquidations, ora.FinalEquity)
	c.engineOK(err == nil, "%v", err)
	c.engineOK(err != nil || near(eng.Metrics.FinalEquity, 1000), "final equity %v, want 1000", eng.Metrics.FinalEquity)
	c.done()
}

// TestRegressionReopenedPositionMark (Margin: the sizer's equity values a
// position opened this bar at its entry). At 2×, a long of 5 A @ 100
// (bars 1–2) is closed at bar 3 at 100; A falls to 50. At bar 6 A and B
// open: A at 50 (10 units: half the equity 1000), then B is sized from
// equity 1000 (A just opened: uPnL 0 at its entry), so B = 1000/2/100 = 5
// units. The engine values the new A at the old position's last mark
// (100): equity 1000 + 10·(100 − 50) = 1500, B = 7.5.
func TestRegressionReopenedPositionMark(t *testing.T) {
	c := newCheck(t, "a position reopened in this bar is valued at its symbol's previous position's last mark, not at its entry (sizer equity, available balance)")
	a := [][4]float64{{100, 100, 100, 100}, {100, 100, 100, 100}, {100, 100, 100, 100}, {100, 100, 100, 100}, {80, 80, 80, 80}, {60, 60, 60, 60}, {50, 50, 50, 50}, {50, 50, 50, 50}}
	m := bars([]string{"A", "B"}, a, flat(100, len(a)))
	cfg := backtest.Config{Venue: plain(), Capital: 1000, Leverage: 2, Sizer: halfEquity{}}
	s := scripted{0: {{Side: 1}, {}}, 2: {{}, {}}, 5: {{Side: 1}, {Side: 1}}}
	eng, err, ora := both(t, m, s, cfg, backtest.IsolatedMode)
	if err != nil {
		t.Fatal(err)
	}
	qtyB := func(fills []Fill) float64 {
		for _, f := range fills {
			if f.Bar == 6 && f.Symbol == "B" {
				return f.Qty
			}
		}
		return 0
	}
	c.oracle(near(qtyB(ora.Fills), 5), "B's fill at bar 6: %v, want 5", qtyB(ora.Fills))
	engFills, _ := fromEngine(eng)
	c.engineOK(near(qtyB(engFills.Fills), 5), "B's fill at bar 6: %v, want 5", qtyB(engFills.Fills))
	c.done()
}

// TestRegressionStopAtLiqShort (R7). An isolated short of 1 @ 100 at 10×
// (margin 10) has LP = (−100 − 10)/(−1 − 0.005) = 109.4527; StopAtLiq 0.5
// puts its stop halfway from the entry to LP, at 104.7264 (Config:
// "a stop this fraction of the way from its entry to its liquidation
// price"). Highs of 100.1 never reach it: no stop fill. R7's formula
// entry − side·f·(entry − LP) read literally gives 95.2736, below the
// entry, which the first bar's high reaches at once: the engine stops the
// short out at the open of the bar it opened (and, with an intent stop as
// well, keeps the lower of the two rather than the nearer).
func TestRegressionStopAtLiqShort(t *testing.T) {
	c := newCheck(t, "R7: StopAtLiq puts a short's stop below its entry (doc.go's formula has a sign error for shorts; the engine follows it)")
	rows := make([][4]float64, 5)
	for i := range rows {
		rows[i] = [4]float64{100, 100.1, 99.9, 100}
	}
	m := bars([]string{"A"}, rows)
	cfg := backtest.Config{Venue: plain(), Capital: 1000, Leverage: 10, Sizer: units(1), StopAtLiq: 0.5}
	eng, err, ora := both(t, m, scripted{0: {{Side: -1}}}, cfg, backtest.IsolatedMode)
	if err != nil {
		t.Fatal(err)
	}
	c.oracle(len(ora.Fills) == 1 && ora.Stops == 0, "fills %+v; want only the entry", ora.Fills)
	c.engineOK(len(eng.Fills) == 1, "fills %+v; want only the entry (stop at 104.7264 never reached)", eng.Fills)
	c.done()
}

// TestRegressionSweepAtCloseMark (R6: every position is marked at its mark
// close, then the margin policy runs). An isolated long of 1 @ 100 at 10×
// (margin 10); bar 1 closes at 110: margin ratio 0.55/20 = 0.0275 ≤
// SweepBelow 0.5, removable margin + uPnL − Q·mark/L = 10 + 10 − 11 = 9 is
// swept at bar 1's close: capital at risk (Σ isolated margins) is 1 from
// bar 1. The engine sweeps a bar late, at the previous close's mark.
func TestRegressionSweepAtCloseMark(t *testing.T) {
	c := newCheck(t, "R6: the margin policy runs before the position is marked at this bar's close")
	m := bars([]string{"A"}, [][4]float64{{100, 100, 100, 100}, {100, 110, 100, 110}, {110, 110, 110, 110}, {110, 110, 110, 110}})
	cfg := backtest.Config{Venue: plain(), Capital: 1000, Leverage: 10, Sizer: units(1), Margin: backtest.MarginPolicy{SweepBelow: 0.5}}
	eng, err, ora := both(t, m, scripted{0: {{Side: 1}}}, cfg, backtest.IsolatedMode)
	if err != nil {
		t.Fatal(err)
	}
	c.oracle(near(ora.Wallet, 999) && near(ora.FinalEquity, 1010), "wallet %v, final equity %v; want 999 and 1010", ora.Wallet, ora.FinalEquity)
	got := eng.Series.CapitalAtRisk
	c.engineOK(len(got) == 4 && near(got[1], 1), "capital at risk per bar %v; want [0 1 1 1]", got)
	c.done()
}

// TestRegressionGapBeforeFills (R2). An isolated long of 1 @ 100 at 10×
// (margin 10, LP = 90/0.995 = 90.4523). Bar 2 opens at 85, past LP, while
// an intent change decided at bar 1 asks to double the position. R2
// liquidates it at the open, 85, before any fill; the symbol is then
// blocked (the change was decided before the liquidation's bar): no fill
// at bar 2, one full liquidation of 1 at 85.
func TestRegressionGapBeforeFills(t *testing.T) {
	c := newCheck(t, "R2: a position past its trigger at the mark open is not liquidated before the bar's fills")
	m := bars([]string{"A"}, [][4]float64{{100, 100, 100, 100}, {100, 100, 100, 100}, {85, 86, 84, 85}, {85, 85, 85, 85}})
	cfg := backtest.Config{Venue: plain(), Capital: 1000, Leverage: 10, Sizer: units(1)}
	eng, err, ora := both(t, m, scripted{0: {{Side: 1}}, 1: {{Side: 1, Weight: 2}}}, cfg, backtest.IsolatedMode)
	if err != nil {
		t.Fatal(err)
	}
	want := "[{bar 2 A qty 1 @ 85 full}]"
	c.oracle(fmtLiqs(ora.Liquidations) == want && len(ora.Fills) == 1, "liquidations %s, fills %d; want %s and 1", fmtLiqs(ora.Liquidations), len(ora.Fills), want)
	e, _ := fromEngine(eng)
	c.engineOK(fmtLiqs(e.Liquidations) == want && len(e.Fills) == 1, "liquidations %s, fills %+v; want %s and only the entry", fmtLiqs(e.Liquidations), e.Fills, want)
	c.done()
}

// TestRegressionGapThenPath (R2, then R5 in the same bar; partial
// liquidation). Venue with partial liquidation in steps of 0.5 for
// positions of at least 60 notional. An isolated long of 2 @ 100 at 20×
// (margin 10, LP = (200 − 10)/(2·0.995) = 95.4774). Bar 2 opens at 95.4,
// past LP: R2 closes 1 at 95.4 (PnL −4.6, margin 5.4), and at 95.4 the rest
// is healthy (5.4 − 4.6 − 0.477 > 0): a partial event. Its new LP is
// (100 − 5.4)/0.995 = 95.0754, which the low of 90 reaches: R5 closes 0.5
// more at 95.0754 (margin 2.9377, health 0.238 > 0), a second partial event;
// the path goes on to the next LP, (50 − 2.9377)/(0.5·0.995) = 94.5976,
// where the 0.5 left (notional 47 < 60) is liquidated whole.
func TestRegressionGapThenPath(t *testing.T) {
	c := newCheck(t, "R2 then R5: after a gap liquidation at the open, the rest of the bar's path is not tested again")
	m := bars([]string{"A"}, [][4]float64{{100, 100, 100, 100}, {100, 100, 100, 100}, {95.4, 95.4, 90, 96}, {96, 96, 96, 96}})
	v := plain()
	v.Partial = venue.Partial{Enabled: true, Step: 0.5, MinNotional: 60}
	cfg := backtest.Config{Venue: v, Capital: 1000, Leverage: 20, Sizer: units(2)}
	eng, err, ora := both(t, m, scripted{0: {{Side: 1}}}, cfg, backtest.IsolatedMode)
	if err != nil {
		t.Fatal(err)
	}
	want := "[{bar 2 A qty 1 @ 95.4 partial} {bar 2 A qty 0.5 @ 95.0754 partial} {bar 2 A qty 0.5 @ 94.5976 full}]"
	c.oracle(fmtLiqs(ora.Liquidations) == want, "liquidations %s, want %s", fmtLiqs(ora.Liquidations), want)
	e, _ := fromEngine(eng)
	c.engineOK(fmtLiqs(e.Liquidations) == want, "liquidations %s, want %s", fmtLiqs(e.Liquidations), want)
	c.done()
}

// TestRegressionPartialLeavesSymbolFree (R9: "A partial liquidation leaves
// the position open, its stop in place and the symbol free"). Partial
// steps of 0.5; an isolated long of 2 @ 100 at 20× (LP 95.4774) is reduced
// to 1 at bar 2 (low 95), then the market rests at 97. With Cooldown 3 and
// a strategy that never changes its mind, the position stays open to the
// end: no fill after the entry. The engine blocks the symbol as after a
// full liquidation, and closes the position when the cool-down ends.
func TestRegressionPartialLeavesSymbolFree(t *testing.T) {
	c := newCheck(t, "R9: a partial liquidation blocks the symbol and starts a cool-down (whose end closes the position)")
	rows := [][4]float64{{100, 100, 100, 100}, {100, 100, 100, 100}, {100, 100, 95, 97}}
	rows = append(rows, flat(97, 8)...)
	m := bars([]string{"A"}, rows)
	v := plain()
	v.Partial = venue.Partial{Enabled: true, Step: 0.5}
	cfg := backtest.Config{Venue: v, Capital: 1000, Leverage: 20, Sizer: units(2), Cooldown: 3}
	eng, err, ora := both(t, m, scripted{0: {{Side: 1}}}, cfg, backtest.IsolatedMode)
	if err != nil {
		t.Fatal(err)
	}
	want := "[{bar 2 A qty 1 @ 95.4774 partial}]"
	c.oracle(fmtLiqs(ora.Liquidations) == want && len(ora.Fills) == 1, "liquidations %s, fills %+v; want %s and only the entry", fmtLiqs(ora.Liquidations), ora.Fills, want)
	e, _ := fromEngine(eng)
	c.engineOK(fmtLiqs(e.Liquidations) == want && len(e.Fills) == 1, "liquidations %s, fills %+v; want %s and only the entry", fmtLiqs(e.Liquidations), e.Fills, want)
	c.done()
}

// TestRegressionCloseAboveBankruptcy (Orders: only a close that would leave
// the isolated margin below zero becomes a liquidation). An isolated long
// of 1 @ 100 at 10× (margin 10, LP 90.4523, bankruptcy 90). The mark stays
// at 95 while the trade candle of bar 2 opens at 90.2, where a signal
// closes the position: past its trigger at the fill price but not
// bankrupt (margin 10 − 9.8 = 0.2 ≥ 0), so it is an ordinary close that
// returns 0.2: final equity 990.2, no liquidation. (The engine passes: a
// guard for the bankrupt-close rule it is implementing.)
func TestRegressionCloseAboveBankruptcy(t *testing.T) {
	c := newCheck(t, "Orders: a close past the liquidation trigger but above bankruptcy must stay an ordinary close (a guard for the bankrupt-close rule)")
	m := bars([]string{"A"}, [][4]float64{{100, 100, 100, 100}, {100, 100, 100, 100}, {90.2, 90.2, 90.2, 90.2}, {90.2, 90.2, 90.2, 90.2}})
	m.Symbols[0].Mark = markRows([][4]float64{{100, 100, 100, 100}, {100, 100, 95, 95}, {95, 95, 95, 95}, {95, 95, 95, 95}})
	cfg := backtest.Config{Venue: plain(), Capital: 1000, Leverage: 10, Sizer: units(1)}
	eng, err, ora := both(t, m, scripted{0: {{Side: 1}}, 1: {{}}}, cfg, backtest.IsolatedMode)
	if err != nil {
		t.Fatal(err)
	}
	c.oracle(len(ora.Liquidations) == 0 && near(ora.FinalEquity, 990.2), "liquidations %s, final equity %v; want none and 990.2", fmtLiqs(ora.Liquidations), ora.FinalEquity)
	e, _ := fromEngine(eng)
	c.engineOK(len(e.Liquidations) == 0 && near(e.FinalEquity, 990.2), "liquidations %s, final equity %v; want none and 990.2", fmtLiqs(e.Liquidations), e.FinalEquity)
	c.done()
}

// TestRegressionBankruptClose (Orders, R8). As above, but the trade candle
// opens at 88: closing there would leave margin 10 − 12 = −2, so the close
// is a liquidation at the fill price 88 (full; the insurance fund covers
// the 2): final equity 990 (the margin is lost, no more).
func TestRegressionBankruptClose(t *testing.T) {
	c := newCheck(t, "Orders: a close that would leave the isolated margin below zero is not a liquidation")
	m := bars([]string{"A"}, [][4]float64{{100, 100, 100, 100}, {100, 100, 100, 100}, {88, 88, 88, 88}, {88, 88, 88, 88}})
	m.Symbols[0].Mark = markRows([][4]float64{{100, 100, 100, 100}, {100, 100, 95, 95}, {95, 95, 95, 95}, {95, 95, 95, 95}})
	cfg := backtest.Config{Venue: plain(), Capital: 1000, Leverage: 10, Sizer: units(1)}
	eng, err, ora := both(t, m, scripted{0: {{Side: 1}}, 1: {{}}}, cfg, backtest.IsolatedMode)
	if err != nil {
		t.Fatal(err)
	}
	want := "[{bar 2 A qty 1 @ 88 full}]"
	c.oracle(fmtLiqs(ora.Liquidations) == want && near(ora.FinalEquity, 990), "liquidations %s, final equity %v; want %s and 990", fmtLiqs(ora.Liquidations), ora.FinalEquity, want)
	e, _ := fromEngine(eng)
	c.engineOK(fmtLiqs(e.Liquidations) == want && near(e.FinalEquity, 990), "liquidations %s, final equity %v; want %s and 990", fmtLiqs(e.Liquidations), e.FinalEquity, want)
	c.done()
}

// TestRegressionCrossCloseNegativeWallet (Orders: "Cross positions book
// everything to the wallet (which may go negative while other legs carry
// the account)"). Capital 100 at 100×: a cross long A and short B of 10 @
// 100 each. Both move to 150; B is closed there at a loss of 500: the
// wallet is −400 and A's uPnL of +500 carries the account (equity 100,
// MM 7.5). Nothing else happens: final equity 100. The engine has the
// insurance fund cover the −400 at B's close: final equity 500.
func TestRegressionCrossCloseNegativeWallet(t *testing.T) {
	c := newCheck(t, "the insurance fund covers a wallet that a cross close left negative while other legs carry the account (the trader gains)")
	rows := [][4]float64{{100, 100, 100, 100}, {100, 100, 100, 100}, {150, 150, 150, 150}, {150, 150, 150, 150}, {150, 150, 150, 150}}
	m := bars([]string{"A", "B"}, rows, rows)
	cfg := backtest.Config{Venue: plain(), Capital: 100, Leverage: 100, Sizer: units(10)}
	eng, err, ora := both(t, m, scripted{0: {{Side: 1}, {Side: -1}}, 2: {{Side: 1}, {}}}, cfg, backtest.CrossMode)
	if err != nil {
		t.Fatal(err)
	}
	c.oracle(len(ora.Liquidations) == 0 && near(ora.FinalEquity, 100) && near(ora.Wallet, -400), "liquidations %s, final equity %v, wallet %v; want none, 100 and −400", fmtLiqs(ora.Liquidations), ora.FinalEquity, ora.Wallet)
	c.engineOK(len(eng.Liquidations) == 0 && near(eng.Metrics.FinalEquity, 100), "%d liquidations, final equity %v; want none and 100", len(eng.Liquidations), eng.Metrics.FinalEquity)
	c.done()
}

// TestRegressionCrossLiquidationSettlement (R8, cross). Capital 10 at 100×,
// liquidation fee 1 %: a cross short A and long B of 1 @ 100 each. At bar
// 2 B opens at 105 and stays; A opens at 100 and rises to 120. The account
// (10 + (100 − Pa) + 5 − 0.005·Pa − 0.525) reaches its maintenance at
// Pa = 113.906/… = 113.9055: both legs settle (A at 113.9055, B at 105).
// PnL: 10 − 13.9055 + 5 = 1.0945 left (= Σ MM); the fees (1.139 and 1.05)
// take what is left, 1.0945: the trader keeps nothing, final equity 0.
// The engine settles leg by leg and leaves the trader money.
func TestRegressionCrossLiquidationSettlement(t *testing.T) {
	c := newCheck(t, "R8: a cross liquidation is settled leg by leg (fees and remainder taken from each leg's running balance), leaving the trader money the rules give the insurance fund")
	a := [][4]float64{{100, 100, 100, 100}, {100, 100, 100, 100}, {100, 120, 100, 118}, {118, 118, 118, 118}}
	b := [][4]float64{{100, 100, 100, 100}, {100, 100, 100, 100}, {105, 105, 105, 105}, {105, 105, 105, 105}}
	m := bars([]string{"A", "B"}, a, b)
	v := plain()
	v.LiquidationFee = 0.01
	cfg := backtest.Config{Venue: v, Capital: 10, Leverage: 100, Sizer: units(1)}
	eng, err, ora := both(t, m, scripted{0: {{Side: -1}, {Side: 1}}}, cfg, backtest.CrossMode)
	if err != nil {
		t.Fatal(err)
	}
	pa := (10 + 100 + 5 - 0.525) / 1.005
	want := fmt.Sprintf("[{bar 2 A qty 1 @ %.6g full} {bar 2 B qty 1 @ 105 full}]", pa)
	c.oracle(fmtLiqs(ora.Liquidations) == want && math.Abs(ora.FinalEquity) < 1e-9, "liquidations %s, final equity %v; want %s and 0", fmtLiqs(ora.Liquidations), ora.FinalEquity, want)
	e, _ := fromEngine(eng)
	c.engineOK(fmtLiqs(e.Liquidations) == want && math.Abs(e.FinalEquity) < 1e-6, "liquidations %s, final equity %v; want %s and 0", fmtLiqs(e.Liquidations), e.FinalEquity, want)
	c.done()
}

// TestRegressionCrossLiquidationNegativeWallet (R8, cross). Capital 20,
// cross longs of 1 A and 1 B @ 100 at 10×. Both are at 150 from bar 2;
// funding of 20 % on each (30 a payment, from the wallet) at bars 2 and 3
// leaves the wallet at −100 with uPnL +100: at bar 3 the account (equity 0
// ≤ MM 1.5) is liquidated at the marks, 150. The legs' PnL of +100 brings
// the wallet to 0; the fund takes up to Σ MM of what is left, nothing:
// final equity 0. The engine has the insurance fund cover the wallet the
// first leg leaves negative, then books the second leg's profit, which the
// trader keeps.
func TestRegressionCrossLiquidationNegativeWallet(t *testing.T) {
	c := newCheck(t, "R8: a cross liquidation has the insurance fund cover a negative wallet before every leg's PnL is booked (the fund pays the trader)")
	rows := [][4]float64{{100, 100, 100, 100}, {100, 100, 100, 100}, {150, 150, 150, 150}, {150, 150, 150, 150}, {150, 150, 150, 150}}
	m := bars([]string{"A", "B"}, rows, rows)
	for k := range m.Symbols {
		m.Symbols[k].Funding = data.Funding{Time: []int64{m.Time[2], m.Time[3]}, Rate: []float64{0.2, 0.2}}
	}
	cfg := backtest.Config{Venue: plain(), Capital: 20, Leverage: 10, Sizer: units(1)}
	eng, err, ora := both(t, m, scripted{0: {{Side: 1}, {Side: 1}}}, cfg, backtest.CrossMode)
	if err != nil {
		t.Fatal(err)
	}
	want := "[{bar 3 A qty 1 @ 150 full} {bar 3 B qty 1 @ 150 full}]"
	c.oracle(fmtLiqs(ora.Liquidations) == want && math.Abs(ora.FinalEquity) < 1e-9, "liquidations %s, final equity %v; want %s and 0", fmtLiqs(ora.Liquidations), ora.FinalEquity, want)
	e, _ := fromEngine(eng)
	c.engineOK(fmtLiqs(e.Liquidations) == want && math.Abs(e.FinalEquity) < 1e-6, "liquidations %s, final equity %v; want %s and 0", fmtLiqs(e.Liquidations), e.FinalEquity, want)
	c.done()
}

// TestRegressionFundingFromIsolatedMargin (Funding). An isolated long of 1
// @ 100 at 10× (margin 10) pays funding of 4 % from its margin at bars 2,
// 3 and 4: 4, 4, then 4.06 at bar 4, where the price is 101.5. The margin
// is then −2.06: its LP (102.06/0.995 = 102.57) is above the price, and R5
// of bar 4 liquidates it at the mark open 101.5 (full; the fund covers
// what the margin lacks). Had the fund paid the funding the margin could
// not (margin 0), health at 101.5 would be 1.5 − 0.5075 > 0: no
// liquidation. The position is the run's first; final equity 990.
func TestRegressionFundingFromIsolatedMargin(t *testing.T) {
	c := newCheck(t, "Funding: isolated funding the margin cannot pay is covered by the insurance fund (no liquidation follows), and payments are not recorded in Result.Funding")
	rows := append(flat(100, 4), flat(101.5, 3)...)
	m := bars([]string{"A"}, rows)
	m.Symbols[0].Funding = data.Funding{Time: []int64{m.Time[2], m.Time[3], m.Time[4]}, Rate: []float64{0.04, 0.04, 0.04}}
	cfg := backtest.Config{Venue: plain(), Capital: 1000, Leverage: 10, Sizer: units(1)}
	eng, err, ora := both(t, m, scripted{0: {{Side: 1}}}, cfg, backtest.IsolatedMode)
	if err != nil {
		t.Fatal(err)
	}
	want := "[{bar 4 A qty 1 @ 101.5 full}]"
	paid := func(ps []Pay) []float64 {
		var out []float64
		for _, p := range ps {
			out = append(out, math.Round(p.Amount*1e6)/1e6)
		}
		return out
	}
	c.oracle(fmtLiqs(ora.Liquidations) == want && ora.Liquidations[0].Position == 1 && fmt.Sprint(paid(ora.Funding)) == "[4 4 4.06]" && near(ora.FinalEquity, 990),
		"liquidations %s, funding %v, final equity %v; want %s (position 1), payments [4 4 4.06], 990", fmtLiqs(ora.Liquidations), paid(ora.Funding), ora.FinalEquity, want)
	e, _ := fromEngine(eng)
	c.engineOK(fmtLiqs(e.Liquidations) == want, "liquidations %s, want %s", fmtLiqs(e.Liquidations), want)
	c.engineOK(len(e.Liquidations) == 0 || e.Liquidations[0].Position == 1, "LiquidationRecord.Position %v, want 1", positions(e.Liquidations))
	c.engineOK(fmt.Sprint(paid(e.Funding)) == "[4 4 4.06]", "Result.Funding %v, want [4 4 4.06]", paid(e.Funding))
	c.engineOK(near(e.FinalEquity, 990), "final equity %v, want 990", e.FinalEquity)
	c.done()
}

// TestRegressionOrderFilters (Orders: quantity step and minimum order).
// Order rules: step 0.001, minimum quantity 0.001, minimum notional 5.
// The sizer asks for 0.12345 at 100: the order is rounded down to 0.123.
// The next decision asks for 0.04 more (weight 1.324): notional 4 < 5, a
// min_order refusal.
func TestRegressionOrderFilters(t *testing.T) {
	c := newCheck(t, "Orders: sizes are not rounded down to the quantity step and orders below the minimum notional are not refused")
	m := bars([]string{"A"}, flat(100, 5))
	v := plain()
	v.Orders = venue.Orders{Default: venue.OrderRules{MinNotional: 5, MinQty: 0.001, QtyStep: 0.001}}
	cfg := backtest.Config{Venue: v, Capital: 1000, Leverage: 10, Sizer: units(0.12345)}
	eng, err, ora := both(t, m, scripted{0: {{Side: 1}}, 1: {{Side: 1, Weight: 1.324}}}, cfg, backtest.IsolatedMode)
	if err != nil {
		t.Fatal(err)
	}
	c.oracle(len(ora.Fills) == 1 && near(ora.Fills[0].Qty, 0.123) && ora.Rejected[ReasonMinOrder] == 1, "fills %+v, refusals %v; want one fill of 0.123 and one min_order", ora.Fills, ora.Rejected)
	c.engineOK(len(eng.Fills) == 1 && near(eng.Fills[0].Qty, 0.123) && eng.Metrics.Rejections == 1, "fills %+v, %d refusals; want one fill of 0.123 and one refusal", eng.Fills, eng.Metrics.Rejections)
	c.done()
}

// TestRegressionRuinHalt (Ruin). Capital 100, an isolated long of 10 @ 100
// at 10× (margin 100) closed at bar 2 at 91 leaves equity 10 ≤ 0.1 × 100:
// ruin at bar 2's close. The strategy's next entry (decided at bar 3) is
// refused with reason ruin: one position in all.
func TestRegressionRuinHalt(t *testing.T) {
	c := newCheck(t, "Ruin: a ruined run keeps opening positions")
	m := bars([]string{"A"}, [][4]float64{{100, 100, 100, 100}, {100, 100, 100, 100}, {91, 91, 91, 91}, {91, 91, 91, 91}, {91, 91, 91, 91}, {91, 91, 91, 91}})
	cfg := backtest.Config{Venue: plain(), Capital: 100, Leverage: 10, Sizer: units(10)}
	s := scripted{0: {{Side: 1}}, 1: {{}}, 3: {{Side: 1, Weight: 0.01}}}
	eng, err, ora := both(t, m, s, cfg, backtest.IsolatedMode)
	if err != nil {
		t.Fatal(err)
	}
	c.oracle(ora.RuinBar == 2 && ora.Positions == 1 && ora.Rejected[ReasonRuin] == 1, "ruin bar %d, positions %d, refusals %v; want 2, 1 and one ruin", ora.RuinBar, ora.Positions, ora.Rejected)
	c.engineOK(eng.Metrics.Positions == 1 && eng.Metrics.Rejections == 1, "positions %d, refusals %d; want 1 and 1", eng.Metrics.Positions, eng.Metrics.Rejections)
	c.done()
}

// TestRegressionBracketsAtOpen (Margin: "A position's bracket table is the
// one in force when it opens from flat"). Two tables: MMR 0.5 % from the
// start, 5 % from bar 3. Symbol A's isolated long of 1 @ 100 at 10×,
// opened at bar 1, keeps the first: LP 90/0.995 = 90.4523, which bar 5's
// low of 93 does not reach. Symbol B's long, held over bar 1 and closed at
// bar 2, is opened again at bar 4 and takes the second table: LP 90/0.95 =
// 94.7368, reached at bar 5: one liquidation, of B at 94.7368. The engine
// keeps the table of the symbol's first position for every later one.
func TestRegressionBracketsAtOpen(t *testing.T) {
	c := newCheck(t, "Margin: a symbol's later positions keep the bracket table of its first position instead of the one in force when each opens")
	rows := [][4]float64{{100, 100, 100, 100}, {100, 100, 100, 100}, {100, 100, 100, 100}, {100, 100, 100, 100}, {100, 100, 100, 100}, {100, 100, 93, 99}, {99, 99, 99, 99}}
	m := bars([]string{"A", "B"}, rows, rows)
	v := plain()
	v.Default[0].EffectiveFrom = time.Unix(0, 0).UTC()
	v.Default = append(v.Default, venue.Table{EffectiveFrom: time.Unix(0, m.Time[3]).UTC(),
		Brackets: venue.Brackets{{Floor: 0, Cap: math.Inf(1), MMR: 0.05, MaxLeverage: 100}}})
	cfg := backtest.Config{Venue: v, Capital: 1000, Leverage: 10, Sizer: units(1)}
	eng, err, ora := both(t, m, scripted{0: {{Side: 1}, {Side: 1}}, 1: {{Side: 1}, {}}, 3: {{Side: 1}, {Side: 1}}}, cfg, backtest.IsolatedMode)
	if err != nil {
		t.Fatal(err)
	}
	want := "[{bar 5 B qty 1 @ 94.7368 full}]"
	c.oracle(fmtLiqs(ora.Liquidations) == want, "liquidations %s, want %s", fmtLiqs(ora.Liquidations), want)
	e, _ := fromEngine(eng)
	c.engineOK(fmtLiqs(e.Liquidations) == want, "liquidations %s, want %s", fmtLiqs(e.Liquidations), want)
	c.done()
}

// markRows builds mark candles from OHLC rows.
func markRows(rows [][4]float64) *data.Bars {
	b := data.MakeBars(len(rows))
	for i, r := range rows {
		b.Time[i] = int64(i) * int64(time.Minute)
		b.Open[i], b.High[i], b.Low[i], b.Close[i] = r[0], r[1], r[2], r[3]
	}
	return &b
}

// fmtLiqs prints liquidations as {bar B SYMBOL qty Q @ PRICE full|partial},
// prices to 6 significant digits.
func fmtLiqs(ls []Liq) string {
	parts := make([]string, len(ls))
	for i, l := range ls {
		kind := "full"
		if l.Partial {
			kind = "partial"
		}
		parts[i] = fmt.Sprintf("{bar %d %s qty %.6g @ %.6g %s}", l.Bar, l.Symbol, l.Qty, l.Price, kind)
	}
	return "[" + strings.Join(parts, " ") + "]"
}

func positions(ls []Liq) []int {
	out := make([]int, len(ls))
	for i, l := range ls {
		out[i] = l.Position
	}
	return out
}
