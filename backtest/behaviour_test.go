package backtest

import (
	"math"
	"testing"
	"time"

	"github.com/marginlab/marginlab/backtest/venue"
	"github.com/marginlab/marginlab/data"
)

func flatRows(n int, p float64) [][4]float64 {
	rows := make([][4]float64, n)
	for i := range rows {
		rows[i] = [4]float64{p, p * 1.001, p * 0.999, p}
	}
	return rows
}

// TestMarkDrivesLiquidation: the trade low of 80 would liquidate the long
// of TestIsolatedLiquidatedCrossSurvives, but the mark low is 95.
func TestMarkDrivesLiquidation(t *testing.T) {
	m := market(t, []string{"BTC"}, [][4]float64{{100, 101, 99, 100}, {100, 101, 99, 100}, {100, 100, 80, 95}, {95, 96, 94, 95}})
	mark := m.Symbols[0].Candles.Clone()
	mark.Low[2] = 95
	mark.Open[3], mark.High[3], mark.Low[3], mark.Close[3] = math.NaN(), math.NaN(), math.NaN(), math.NaN() // falls back to trades
	m.Symbols[0].Mark = &mark
	cfg := Config{Venue: plainVenue(0.0005, 0.01, venue.ToInsurance), Capital: 1000, Leverage: 10, Sizer: fixedQty{5}}
	r := runModes(t, m, scripted{0: {{Side: 1}}}, cfg, IsolatedMode)[0]
	if r.MarkSource != "mark" || len(r.Liquidations) != 0 {
		t.Errorf("mark source %s, %d liquidations; want mark and none", r.MarkSource, len(r.Liquidations))
	}
}

// TestFundingErodesIsolated: a long on a flat market pays 1 % funding every
// bar from its isolated margin (5 @ 100, 10×: margin 50), 5 a payment,
// until its liquidation price climbs past the bar's low.
func TestFundingErodesIsolated(t *testing.T) {
	m := market(t, []string{"BTC"}, flatRows(12, 100))
	for i := 1; i < 12; i++ {
		m.Symbols[0].Funding.Time = append(m.Symbols[0].Funding.Time, m.Time[i])
		m.Symbols[0].Funding.Rate = append(m.Symbols[0].Funding.Rate, 0.01)
	}
	cfg := Config{Venue: plainVenue(0, 0, venue.ToInsurance), Capital: 1000, Leverage: 10, Sizer: fixedQty{5}}
	res := runModes(t, m, scripted{0: {{Side: 1}}}, cfg, IsolatedMode, CrossMode)
	iso, cross := res[0], res[1]
	// Margin after k payments: 50 − 5k; LP = (50 − 5k − 500)/(−4.975).
	// The low 99.9 is reached when LP ≥ 99.9: 50 − 5k ≤ 500 − 4.975·99.9, k ≥ 9.
	if len(iso.Liquidations) != 1 || iso.Liquidations[0].Bar != 10 {
		t.Fatalf("isolated liquidations %+v, want one at bar 10 (after the 9th payment at bar 10's open)", iso.Liquidations)
	}
	// Cross pays every event from bar 1 (the fill's own open, as freqtrade
	// charges a trade opened on a funding time) to bar 11.
	if len(cross.Liquidations) != 0 || !near(cross.Metrics.FundingPaid, 5*11) {
		t.Errorf("cross: %d liquidations, funding %v (want 0 and 55: 11 payments of 5)", len(cross.Liquidations), cross.Metrics.FundingPaid)
	}
}

// TestRejectionAndReduceToFit: 100 @ 100 at 10× needs 1000 + 5 of fee.
func TestRejectionAndReduceToFit(t *testing.T) {
	m := market(t, []string{"BTC"}, flatRows(4, 100))
	cfg := Config{Venue: plainVenue(0.0005, 0.01, venue.ToInsurance), Capital: 500, Leverage: 10, Sizer: fixedQty{100}}
	r := runModes(t, m, scripted{0: {{Side: 1}}}, cfg, IsolatedMode)[0]
	if r.Metrics.Rejections != 1 || len(r.Fills) != 0 {
		t.Errorf("rejections %d fills %d, want 1 and 0", r.Metrics.Rejections, len(r.Fills))
	}
	cfg.ReduceToFit = true
	r = runModes(t, m, scripted{0: {{Side: 1}}}, cfg, IsolatedMode)[0]
	// 500 / (100/10 + 100·0.0005) = 49.7512 (less a hair), counted as rejected too.
	if r.Metrics.Rejections != 1 || len(r.Fills) != 1 || math.Abs(r.Fills[0].Qty-500/10.05) > 1e-3 {
		t.Errorf("reduce to fit: %d rejections, fills %+v", r.Metrics.Rejections, r.Fills)
	}
}

// TestCooldownAndReentry: after the bar-2 liquidation, a new intent at bar
// 3 would fill at bar 4, but Cooldown 3 holds the symbol flat until bar 6.
func TestCooldownAndReentry(t *testing.T) {
	rows := [][4]float64{{100, 101, 99, 100}, {100, 101, 99, 100}, {100, 100, 80, 95}}
	rows = append(rows, flatRows(6, 95)...)
	m := market(t, []string{"BTC"}, rows)
	cfg := Config{Venue: plainVenue(0.0005, 0.01, venue.ToInsurance), Capital: 1000, Leverage: 10, Sizer: fixedQty{5}, Cooldown: 3}
	s := scripted{0: {{Side: 1}}, 3: {{Side: -1}}}
	r := runModes(t, m, s, cfg, IsolatedMode)[0]
	if len(r.Liquidations) != 1 || len(r.Fills) != 2 || r.Fills[1].Bar != 6 || r.Fills[1].Qty != -5 {
		t.Errorf("fills %+v liquidations %d; want a re-entry short at bar 6", r.Fills, len(r.Liquidations))
	}
	cfg.Cooldown = 0
	r = runModes(t, m, s, cfg, IsolatedMode)[0]
	if len(r.Fills) != 2 || r.Fills[1].Bar != 4 {
		t.Errorf("without cooldown: fills %+v; want the short at bar 4", r.Fills)
	}
}

// TestTopUpAvoidsLiquidation: a long at 50× (5 @ 100, margin 10, LP
// (10 − 500)/(−4.975) = 98.49) drifts down. At bar 2's close (99.3) its
// margin ratio is 2.4825/6.5 = 0.38 ≥ TopUpAt 0.3: a top-up of the initial
// margin (10) moves the LP to (20 − 500)/(−4.975) = 96.48, below bar 3's
// low of 98.4, which would otherwise liquidate it. The ratio at bar 2's low
// (0.38 ≥ NearMiss 0.35) starts an episode: a near miss only if no
// liquidation follows.
func TestTopUpAvoidsLiquidation(t *testing.T) {
	rows := [][4]float64{{100, 100.1, 99.9, 100}, {100, 100.1, 99.9, 100}, {100, 100, 99.3, 99.3}, {99.3, 99.3, 98.4, 98.6}, {98.6, 98.7, 98.5, 98.6}}
	m := market(t, []string{"BTC"}, rows)
	cfg := Config{Venue: plainVenue(0, 0, venue.ToInsurance), Capital: 1000, Leverage: 50, Sizer: fixedQty{5}, NearMiss: 0.35}
	if r := runModes(t, m, scripted{0: {{Side: 1}}}, cfg, IsolatedMode)[0]; len(r.Liquidations) != 1 || r.Metrics.NearMisses != 0 {
		t.Fatalf("without top-up: %d liquidations, %d near misses; want 1 and 0", len(r.Liquidations), r.Metrics.NearMisses)
	}
	cfg.Margin = MarginPolicy{TopUpAt: 0.3, TopUpAmount: 1, TopUpCap: 1}
	r := runModes(t, m, scripted{0: {{Side: 1}}}, cfg, IsolatedMode)[0]
	if len(r.Liquidations) != 0 || r.Metrics.TopUps != 1 || r.Metrics.NearMisses != 1 {
		t.Errorf("with top-up: %d liquidations, %d top-ups, %d near misses; want 0, 1, 1", len(r.Liquidations), r.Metrics.TopUps, r.Metrics.NearMisses)
	}
}

func TestSeriesDownsampling(t *testing.T) {
	m := market(t, []string{"BTC"}, flatRows(10, 100))
	cfg := Config{Venue: plainVenue(0, 0, venue.ToInsurance), Capital: 1000, Leverage: 10, Sizer: fixedQty{1}, Every: 4}
	r := runModes(t, m, scripted{0: {{Side: 1}}}, cfg, IsolatedMode)[0]
	if got := len(r.Series.Time); got != 4 || r.Series.Time[3] != m.Time[9] { // bars 0, 4, 8 and the last
		t.Errorf("series times %v", r.Series.Time)
	}
	if r.Metrics.Bars != 10 {
		t.Errorf("metrics over %d bars, want all 10", r.Metrics.Bars)
	}
}

func TestConfigValidate(t *testing.T) {
	err := Config{Capital: -1, Slippage: 0.7, StopAtLiq: 1.5}.Validate()
	for _, want := range []string{"Venue", "Sizer", "Capital", "Slippage", "StopAtLiq"} {
		if err == nil || !contains(err.Error(), want) {
			t.Errorf("Validate error %v does not name %s", err, want)
		}
	}
	m := &data.Market{Time: []int64{0}, Timeframe: time.Minute, Symbols: []data.Symbol{{Name: "X", Candles: data.MakeBars(1)}}}
	if _, err := Run(m, &Intents{Bars: 2, Symbols: 1}, Config{Venue: plainVenue(0, 0, venue.ToInsurance), Capital: 1, Sizer: fixedQty{1}}); err == nil {
		t.Error("Run accepted intents for another market")
	}
}

func contains(s, sub string) bool {
	return len(sub) == 0 || (len(s) >= len(sub) && (s[:len(sub)] == sub || contains(s[1:], sub)))
}
