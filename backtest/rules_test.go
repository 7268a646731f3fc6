package backtest

import (
	"math"
	"testing"

	"github.com/marginlab/marginlab/backtest/venue"
)

// Hand-computed cases for the rules of doc.go that issue 12 added: gaps
// before fills (R2), order filters, the ruin halt, partial and full
// liquidations apart, and capital at risk.

// TestGapLiquidatesBeforeFill (R2): long 5 @ 100 at 10× (isolated margin 50,
// LP = (500 − 50)/(5·0.995) = 90.4523). The strategy decides flat at bar 2's
// close, to fill at bar 3's open, but bar 3 opens at 85, past LP: the
// position is liquidated there first, so no close order trades it. The loss
// past bankruptcy, 50 + 5·(85 − 100) = −25, is the fund's, inside the
// liquidation.
func TestGapLiquidatesBeforeFill(t *testing.T) {
	rows := [][4]float64{{100, 100, 100, 100}, {100, 100, 100, 100}, {100, 100, 99, 99}, {85, 86, 84, 86}, {86, 86, 86, 86}}
	m := market(t, []string{"BTC"}, rows)
	cfg := Config{Venue: plainVenue(0, 0, venue.ToInsurance), Capital: 1000, Leverage: 10, Sizer: fixedQty{5}}
	r := runModes(t, m, scripted{0: {{Side: 1}}, 2: {{}}}, cfg, IsolatedMode)[0]
	if len(r.Liquidations) != 1 || len(r.Fills) != 1 {
		t.Fatalf("%d liquidations, fills %+v; want one liquidation and only the opening fill", len(r.Liquidations), r.Fills)
	}
	l := r.Liquidations[0]
	if l.Bar != 3 || l.Settle != 85 || !near(l.Insurance, -25) || l.MarginLost != 50 || !near(r.Metrics.FinalEquity, 950) {
		t.Errorf("liquidation %+v, final equity %v; want bar 3 at 85, fund −25, lost 50, final 950", l, r.Metrics.FinalEquity)
	}
}

// TestOrderFilters: sizes are rounded down to the step and an order below
// the minimum notional is refused and counted. Step 0.1, minimum notional
// 100: 0.55 @ 100 rounds to 0.5 (50 USDT), refused; 1.26 rounds to 1.2.
func TestOrderFilters(t *testing.T) {
	m := market(t, []string{"BTC"}, flatRows(6, 100))
	v := plainVenue(0, 0, venue.ToInsurance)
	v.Orders = venue.Orders{Default: venue.OrderRules{MinNotional: 100, QtyStep: 0.1}}
	cfg := Config{Venue: v, Capital: 1000, Leverage: 10, Sizer: fixedQty{0.55}}
	r := runModes(t, m, scripted{0: {{Side: 1}}}, cfg, IsolatedMode)[0]
	if r.Metrics.Positions != 0 || r.Metrics.RejectedMinOrder != 1 || r.Metrics.Rejections != 1 {
		t.Errorf("0.55 @ 100: %d positions, %d refused below the minimum (of %d); want 0 and 1", r.Metrics.Positions, r.Metrics.RejectedMinOrder, r.Metrics.Rejections)
	}
	cfg.Sizer = fixedQty{1.26}
	r = runModes(t, m, scripted{0: {{Side: 1}}}, cfg, IsolatedMode)[0]
	if len(r.Fills) != 1 || r.Fills[0].Qty != 1.2 || r.Metrics.Rejections != 0 {
		t.Errorf("1.26 @ 100: fills %+v, %d rejections; want one fill of 1.2", r.Fills, r.Metrics.Rejections)
	}
}

// TestRuinHalts: cross long 20 @ 100 at 10× with capital 1000 and ruin at
// 50 % (equity ≤ 500). Bar 3 closes at 75: equity 1000 − 500 = 500, ruin.
// The strategy closes at bar 5's open and asks to go long again at bar 7:
// refused (reason ruin). Kept open instead, the position is liquidated at
// bar 6 (cross LP = (1000 − 2000)/(20·0.005 − 20) = 50.25 < low 40): an
// event after ruin, out of the rates.
func TestRuinHalts(t *testing.T) {
	rows := [][4]float64{{100, 100, 100, 100}, {100, 100, 100, 100}, {100, 100, 100, 100}, {100, 100, 75, 75}, {75, 75, 75, 75},
		{75, 75, 75, 75}, {75, 75, 40, 60}, {60, 60, 60, 60}, {60, 60, 60, 60}, {60, 60, 60, 60}}
	m := market(t, []string{"BTC"}, rows)
	cfg := Config{Venue: plainVenue(0, 0, venue.ToInsurance), Capital: 1000, Leverage: 10, Sizer: fixedQty{20}, RuinFraction: 0.5}
	reopen := scripted{0: {{Side: 1}}, 4: {{}}, 6: {{Side: 1}}}
	r := runModes(t, m, reopen, cfg, CrossMode)[0]
	if !r.Metrics.Ruined || r.Metrics.Positions != 1 || r.Metrics.RejectedRuin != 1 {
		t.Errorf("ruined %v, %d positions, %d refused after ruin; want true, 1, 1", r.Metrics.Ruined, r.Metrics.Positions, r.Metrics.RejectedRuin)
	}
	cfg.TradeAfterRuin = true
	if r := runModes(t, m, reopen, cfg, CrossMode)[0]; r.Metrics.Positions != 2 || r.Metrics.RejectedRuin != 0 {
		t.Errorf("TradeAfterRuin: %d positions, %d refused; want 2 and 0", r.Metrics.Positions, r.Metrics.RejectedRuin)
	}

	cfg.TradeAfterRuin = false
	r = runModes(t, m, scripted{0: {{Side: 1}}}, cfg, CrossMode)[0]
	if len(r.Liquidations) != 1 || !r.Liquidations[0].AfterRuin || r.Liquidations[0].Bar != 6 {
		t.Fatalf("liquidations %+v; want one at bar 6, after ruin", r.Liquidations)
	}
	mt := r.Metrics
	// Observed to the ruin bar's close: bars 0–3, 4 minutes.
	if mt.PositionsLiquidated != 0 || mt.PositionsTouched != 0 || mt.LiquidationsAfterRuin != 1 || !mt.Censored ||
		!near(mt.ObservedYears, 4*60/year*1e9) || mt.PositionsLiquidatedPerYear != 0 {
		t.Errorf("metrics %+v: the event after ruin must stay out of the rates", mt)
	}
	cfg.TradeAfterRuin = true
	if mt := runModes(t, m, scripted{0: {{Side: 1}}}, cfg, CrossMode)[0].Metrics; mt.PositionsLiquidated != 1 || mt.LiquidationsAfterRuin != 0 {
		t.Errorf("TradeAfterRuin: %d positions liquidated, %d after ruin; want 1 and 0", mt.PositionsLiquidated, mt.LiquidationsAfterRuin)
	}
}

// TestPartialAndFullApart: partial liquidation in steps of half the size
// for positions of at least 400 notional. Long 10 @ 100 at 10× isolated
// (margin 100; LP = (1000 − 100)/(10·0.995) = 90.4523). Bar 2 dips to 90
// and closes at 95: one step of 5 at LP leaves margin 100 − 5·9.5477 =
// 52.26 against MM 5·90.45·0.005 = 2.26, healthy, so the event is partial
// and the position stays open (and the symbol free). Bar 4 falls to 50:
// at the new LP (500 − 52.26)/(5·0.995) = 89.998 a step of 2.5 (notional
// 450) is partial again; the path goes on, and at the next LP the 2.5 left
// (notional 224 < 400) are liquidated whole. One position, touched once,
// liquidated once, two partial events.
func TestPartialAndFullApart(t *testing.T) {
	rows := [][4]float64{{100, 100, 100, 100}, {100, 100, 100, 100}, {100, 100, 90, 95}, {95, 95, 95, 95}, {95, 95, 50, 60}, {60, 60, 60, 60}}
	m := market(t, []string{"BTC"}, rows)
	v := plainVenue(0, 0, venue.ToInsurance)
	v.Partial = venue.Partial{Enabled: true, Step: 0.5, MinNotional: 400}
	cfg := Config{Venue: v, Capital: 1000, Leverage: 10, Sizer: fixedQty{10}}
	r := runModes(t, m, scripted{0: {{Side: 1}}}, cfg, IsolatedMode)[0]
	if len(r.Liquidations) != 3 {
		t.Fatalf("liquidations %+v; want partial ones at bars 2 and 4 and a full one at bar 4", r.Liquidations)
	}
	a, b, c := r.Liquidations[0], r.Liquidations[1], r.Liquidations[2]
	if !a.Partial || a.Bar != 2 || a.Qty != 5 || !near(a.Settle, 900/9.95) || !b.Partial || b.Bar != 4 || b.Qty != 2.5 ||
		!near(b.Settle, (500-(100-5*(100-900/9.95)))/(5*0.995)) || c.Partial || c.Bar != 4 || c.Qty != 2.5 || c.Settle >= b.Settle {
		t.Errorf("events %+v, %+v, %+v", a, b, c)
	}
	for _, l := range r.Liquidations {
		if l.Position != 1 {
			t.Errorf("event %+v: position %d, want 1", l, l.Position)
		}
	}
	mt := r.Metrics
	if mt.Positions != 1 || mt.PartialLiquidations != 2 || mt.PositionsLiquidated != 1 || mt.PositionsTouched != 1 ||
		mt.PositionsLiquidatedPer1000 != 1000 || mt.PartialLiquidationsPer1000 != 2000 {
		t.Errorf("metrics: %d positions, %d partial, %d liquidated, %d touched (per 1,000: %v, %v)",
			mt.Positions, mt.PartialLiquidations, mt.PositionsLiquidated, mt.PositionsTouched, mt.PositionsLiquidatedPer1000, mt.PartialLiquidationsPer1000)
	}
}

// TestCapitalAtRisk: the funding case of TestFundingErodesIsolated. The
// isolated margin is 50 when the position opens (funding takes 5 before the
// first close), so the peak capital at risk is 50; the position loses all
// of it (fees 0), so the return on peak capital at risk is exactly −100 %.
// Cross has the whole account at risk (1000 when it opens) and pays 55 of
// funding: −5.5 %.
func TestCapitalAtRisk(t *testing.T) {
	m := market(t, []string{"BTC"}, flatRows(12, 100))
	for i := 1; i < 12; i++ {
		m.Symbols[0].Funding.Time = append(m.Symbols[0].Funding.Time, m.Time[i])
		m.Symbols[0].Funding.Rate = append(m.Symbols[0].Funding.Rate, 0.01)
	}
	cfg := Config{Venue: plainVenue(0, 0, venue.ToInsurance), Capital: 1000, Leverage: 10, Sizer: fixedQty{5}}
	res := runModes(t, m, scripted{0: {{Side: 1}}}, cfg, IsolatedMode, CrossMode)
	iso, cross := res[0].Metrics, res[1].Metrics
	if iso.CapitalAtRiskPeak != 50 || iso.ReturnOnCapitalAtRisk != -1 || !near(iso.FinalEquity, 950) {
		t.Errorf("isolated: peak %v, return on it %v, final %v; want 50, −1, 950", iso.CapitalAtRiskPeak, iso.ReturnOnCapitalAtRisk, iso.FinalEquity)
	}
	if cross.CapitalAtRiskPeak != 1000 || !near(cross.ReturnOnCapitalAtRisk, -0.055) {
		t.Errorf("cross: peak %v, return on it %v; want 1000 and −0.055", cross.CapitalAtRiskPeak, cross.ReturnOnCapitalAtRisk)
	}
	if math.IsNaN(iso.CapitalAtRisk) || iso.CapitalAtRisk >= iso.CapitalAtRiskPeak {
		t.Errorf("mean capital at risk %v must be below the peak %v (flat bars count as 0)", iso.CapitalAtRisk, iso.CapitalAtRiskPeak)
	}
}

// TestBankruptCloseIsALiquidation: long 5 @ 100 at 10× (margin 50, LP
// 90.45, bankrupt at 90). Bar 3's mark opens at 92, above LP, so R2 leaves
// the position alone, but the trades open at 85 and the strategy closes
// there: 50 + 5·(85 − 100) = −25 would leave the margin below zero. The
// close is settled as a liquidation at 85 instead (no fill), the fund
// covering the 25 inside it.
func TestBankruptCloseIsALiquidation(t *testing.T) {
	rows := [][4]float64{{100, 100, 100, 100}, {100, 100, 100, 100}, {100, 100, 99, 99}, {85, 93, 84, 92}, {92, 92, 92, 92}}
	m := market(t, []string{"BTC"}, rows)
	mark := m.Symbols[0].Candles.Clone()
	mark.Open[3], mark.Low[3] = 92, 91
	m.Symbols[0].Mark = &mark
	cfg := Config{Venue: plainVenue(0, 0, venue.ToInsurance), Capital: 1000, Leverage: 10, Sizer: fixedQty{5}}
	r := runModes(t, m, scripted{0: {{Side: 1}}, 2: {{}}}, cfg, IsolatedMode)[0]
	if len(r.Fills) != 1 || len(r.Liquidations) != 1 {
		t.Fatalf("fills %+v, liquidations %+v; want only the opening fill and one liquidation", r.Fills, r.Liquidations)
	}
	if l := r.Liquidations[0]; l.Bar != 3 || l.Settle != 85 || !near(l.Insurance, -25) || !near(r.Metrics.FinalEquity, 950) {
		t.Errorf("liquidation %+v, final equity %v; want bar 3 at 85, fund −25, final 950", l, r.Metrics.FinalEquity)
	}
}

// TestFundingValuedAtCoarseMark: without mark candles, a funding event is
// valued at the coarse mark of its time (data.Funding.Mark) when there is
// one, else at the trade open; a mark candle of the bar wins over both.
// Long 5 at 10×, rate 1 %: 5 × 120 × 0.01 = 6 at the coarse mark 120.
func TestFundingValuedAtCoarseMark(t *testing.T) {
	m := market(t, []string{"BTC"}, flatRows(6, 100))
	f := &m.Symbols[0].Funding
	f.Time, f.Rate, f.Mark = []int64{m.Time[2], m.Time[3], m.Time[4]}, []float64{0.01, 0.01, 0.01}, []float64{120, math.NaN(), 130}
	cfg := Config{Venue: plainVenue(0, 0, venue.ToInsurance), Capital: 1000, Leverage: 10, Sizer: fixedQty{5}}
	r := runModes(t, m, scripted{0: {{Side: 1}}}, cfg, CrossMode)[0]
	var got []float64
	for _, p := range r.Funding {
		got = append(got, p.Price, p.Amount)
	}
	if want := []float64{120, 6, 100, 5, 130, 6.5}; !slicesNear(got, want) {
		t.Errorf("funding price, amount: %v, want %v", got, want)
	}
	mark := m.Symbols[0].Candles.Clone()
	mark.Open[4] = 90
	m.Symbols[0].Mark = &mark
	r = runModes(t, m, scripted{0: {{Side: 1}}}, cfg, CrossMode)[0]
	if p := r.Funding[2]; p.Price != 90 {
		t.Errorf("with a mark candle at the bar, funding valued at %v, want its open 90", p.Price)
	}
}

func slicesNear(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !near(a[i], b[i]) {
			return false
		}
	}
	return true
}

// TestViewFundingKeepsMark: a strategy sees the coarse mark of each
// funding event it may see.
func TestViewFundingKeepsMark(t *testing.T) {
	m := market(t, []string{"BTC"}, flatRows(6, 100))
	f := &m.Symbols[0].Funding
	f.Time, f.Rate, f.Mark = []int64{m.Time[1], m.Time[4]}, []float64{0.01, 0.02}, []float64{101, 104}
	got := NewView(m, 2).Funding(0)
	if len(got.Time) != 1 || len(got.Mark) != 1 || got.Mark[0] != 101 || cap(got.Mark) != 1 {
		t.Errorf("view at bar 2: %+v, want the first event with its mark 101 (capacity 1)", got)
	}
}
