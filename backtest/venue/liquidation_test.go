package venue

import (
	"math"
	"slices"
	"testing"
	"time"
)

// date is midnight UTC of the given day.
func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// latestTable is later than every preset table.
var latestTable = date(2100, 1, 1)

func mustPreset(t *testing.T, name string) *Venue {
	t.Helper()
	v, err := Preset(name)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// near reports whether got and want agree within rel relative (absolute
// below 1).
func near(got, want, rel float64) bool {
	return math.Abs(got-want) <= rel*math.Max(math.Abs(want), 1)
}

// TestCumulateBinanceFAQ reproduces Binance's worked example of the
// maintenance amount, "250,000 × (1% − 0.5%) + 50 = 1,300" (Binance FAQ
// "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts", quoted
// in VENUES.md §2, "old BTCUSDT level 5"). In the 2021 BTCUSDT table it is
// the cum of the bracket that starts at 250,000, the third.
func TestCumulateBinanceFAQ(t *testing.T) {
	v := mustPreset(t, "binance-usdm")
	br := slices.Clone(v.BracketsFor("BTCUSDT", date(2021, 6, 1)))
	given := make([]float64, len(br))
	for k := range br {
		given[k], br[k].Cum = br[k].Cum, math.NaN()
	}
	br.Cumulate()
	if faq := 250_000*(0.01-0.005) + 50; br[2].Floor != 250_000 || !near(br[2].Cum, faq, 1e-12) || faq != 1300 {
		t.Errorf("bracket 3: floor %v cum %v, want floor 250000 cum 1300", br[2].Floor, br[2].Cum)
	}
	// Every cum of the gist's table (VENUES.md §2.1) is the recursion's.
	for k := range br {
		if !near(br[k].Cum, given[k], 1e-12) {
			t.Errorf("2021 BTCUSDT bracket %d: recursion %v, table %v", k+1, br[k].Cum, given[k])
		}
	}
	// MM is each slice of notional at its own rate: at 300,000,
	// 50,000×0.4 % + 200,000×0.5 % + 50,000×1 % = 200 + 1,000 + 500 = 1,700
	// = 300,000 × 1 % − 1,300.
	if mm := RuleOf(Binance).Maintenance(br, 0, 10, 30_000, 30_000); !near(mm, 1700, 1e-12) {
		t.Errorf("MM at 300,000 notional = %v, want 1700", mm)
	}
}

// TestCumBinance2026 checks the cum column of the 2026-03 BTCUSDT and
// ETHUSDT snapshots (freqtrade @ 09351130e7d3, VENUES.md §2.1) against
// the recursion, e.g. BTC tier 4: 1,500 + 3,000,000 × (0.01 − 0.0065) =
// 12,000.
func TestCumBinance2026(t *testing.T) {
	v := mustPreset(t, "binance-usdm")
	for _, sym := range []string{"BTCUSDT", "ETHUSDT"} {
		for _, at := range []time.Time{date(2024, 11, 1), date(2026, 4, 1)} {
			br := v.BracketsFor(sym, at)
			rec := slices.Clone(br)
			rec.Cumulate()
			for k := range br {
				if !near(rec[k].Cum, br[k].Cum, 1e-12) {
					t.Errorf("%s %s bracket %d: cum %v, recursion %v", sym, at.Format(dateLayout), k+1, br[k].Cum, rec[k].Cum)
				}
			}
		}
	}
	br := v.BracketsFor("BTCUSDT", date(2026, 4, 1))
	if br[3].Cum != 12_000 || 1_500+3_000_000*(0.01-0.0065) != 12_000 {
		t.Errorf("2026 BTCUSDT tier 4 cum = %v, want 12000", br[3].Cum)
	}
}

// TestBinanceIsolated checks the one-way formula of the Binance FAQ
// (VENUES.md §3.1–3.2), LP = (W + cum − s·Q·EP)/(Q·MMR − s·Q), with the
// 2026 BTCUSDT table, tier 1 (MMR 0.4 %, cum 0), by hand:
//
//	long  0.5 BTC @ 30,000, 20x: W = 15,000/20 = 750
//	      LP = (750 + 0 − 15,000)/(0.5×0.004 − 0.5) = −14,250/−0.498 = 28,614.457831…
//	short 0.5 BTC @ 30,000, W = 750
//	      LP = (750 + 0 + 15,000)/(0.5×0.004 + 0.5) = 15,750/0.502 = 31,374.501992…
//
// Bankruptcy: 30,000 ∓ 750/0.5 = 28,500 and 31,500.
func TestBinanceIsolated(t *testing.T) {
	br := mustPreset(t, "binance-usdm").BracketsFor("BTCUSDT", latestTable)
	r := RuleOf(Binance)
	for _, tc := range []struct {
		name     string
		side     int
		lp, bp   float64
		wantTier int
	}{
		{"long", 1, 14_250 / 0.498, 28_500, 0},
		{"short", -1, 15_750 / 0.502, 31_500, 0},
	} {
		lp, ok := r.LiquidationPrice(br, 0.0005, tc.side, 0.5, 30_000, 750)
		if !ok || !near(lp, tc.lp, 1e-12) {
			t.Errorf("%s: LP = %v %v, want %v", tc.name, lp, ok, tc.lp)
		}
		if bp, ok := BankruptcyPrice(tc.side, 0.5, 30_000, 750); !ok || !near(bp, tc.bp, 1e-12) {
			t.Errorf("%s: BP = %v %v, want %v", tc.name, bp, ok, tc.bp)
		}
	}
}

// TestBinanceBracketResolve builds a case where the first solve lands in
// another bracket (VENUES.md §2: "if the notional at the liquidation price
// falls in another bracket, redo the calculation with that bracket").
// 2026 BTCUSDT, long 10 BTC @ 31,000, 10x: W = 31,000, notional 310,000 in
// tier 2 (MMR 0.5 %, cum 300).
//
//	tier 2: LP = (31,000 + 300 − 310,000)/(10×0.005 − 10) = 278,700/9.95 = 28,010.05…
//	        notional 280,100 < 300,000: tier 1, so solve again
//	tier 1: LP = (31,000 + 0 − 310,000)/(10×0.004 − 10) = 279,000/9.96 = 28,012.048192…
//	        notional 280,120: tier 1, consistent.
func TestBinanceBracketResolve(t *testing.T) {
	br := mustPreset(t, "binance-usdm").BracketsFor("BTCUSDT", latestTable)
	const q, ep, w = 10, 31_000, 31_000
	if k := br.Index(q * ep); k != 1 {
		t.Fatalf("entry notional in tier %d, want 2", k+1)
	}
	first := (w + br[1].Cum - q*ep) / (q*br[1].MMR - q)
	if !near(first, 278_700/9.95, 1e-12) || br.Index(q*first) != 0 {
		t.Fatalf("first solve %v (tier %d), want 28010.05 in tier 1", first, br.Index(q*first)+1)
	}
	lp, ok := RuleOf(Binance).LiquidationPrice(br, 0, 1, q, ep, w)
	if want := 279_000 / 9.96; !ok || !near(lp, want, 1e-12) {
		t.Errorf("LP = %v %v, want %v", lp, ok, want)
	}
	if k := br.Index(q * lp); k != 0 {
		t.Errorf("LP notional %v in tier %d, want the tier it was solved in, 1", q*lp, k+1)
	}
}

// TestLowLeverageHighTier: a long in a high tier at low leverage, where
// the first tier's line gives a negative price although the position does
// liquidate at a positive one in a lower tier (MM is the maximum of the
// tiers' lines, so a line outside its own tier only points the way). 2021
// BTCUSDT, long 1,000 BTC @ 30,000 (30M, tier 6: 10 %, cum 1,266,300) with
// W = 29,000,000:
//
//	tier 6: (29,000,000 + 1,266,300 − 30,000,000)/(100 − 1,000) = −295.9 ≤ 0
//	tier 1: (29,000,000 − 30,000,000)/(4 − 1,000) = 1,004.02, notional 1.004M: tier 4
//	tier 4: (29,000,000 + 16,300 − 30,000,000)/(25 − 1,000) = 983,700/975 = 1,008.923…, in tier 4.
func TestLowLeverageHighTier(t *testing.T) {
	br := mustPreset(t, "binance-usdm").BracketsFor("BTCUSDT", date(2022, 1, 1))
	lp, ok := RuleOf(Binance).LiquidationPrice(br, 0, 1, 1000, 30_000, 29e6)
	if want := 983_700.0 / 975; !ok || !near(lp, want, 1e-12) {
		t.Errorf("LP = %v %v, want %v", lp, ok, want)
	}
	if k := br.Index(1000 * lp); k != 3 {
		t.Errorf("LP in tier %d, want 4", k+1)
	}
}

// TestBybitIsolated checks Bybit's classic isolated formula (VENUES.md §4.1,
// help article "Liquidation Price (USDT Contract)"), LP = EP·(1 − s/L +
// s·MMR) − s·extra/Q with MM at the entry price, and bankruptcy EP·(1 − s/L).
// The article itself could not be read here; these are our own hand
// computations in its style, with BTCUSDT tier 1 (MMR 0.5 %, deduction 0):
//
//	long  1 BTC @ 30,000, 20x:                 LP = 30,000×(1 − 0.05 + 0.005) = 28,650
//	short 2 BTC @ 30,000, 10x, +1,000 margin:  LP = 30,000×(1 + 0.1 − 0.005) + 1,000/2 = 33,350
//	bankruptcy: 30,000×(1 − 1/20) = 28,500 and 30,000×(1 + 1/10) + 500 = 33,500
func TestBybitIsolated(t *testing.T) {
	br := mustPreset(t, "bybit-linear").BracketsFor("BTCUSDT", latestTable)
	if br[0].MMR != 0.005 || br[0].Cum != 0 {
		t.Fatalf("tier 1 = %+v", br[0])
	}
	r := RuleOf(Bybit)
	for _, tc := range []struct {
		name          string
		side          int
		q, lev, extra float64
		lp, bp        float64
	}{
		{name: "long", side: 1, q: 1, lev: 20, lp: 28_650, bp: 28_500},
		{name: "short+margin", side: -1, q: 2, lev: 10, extra: 1000, lp: 33_350, bp: 33_500},
	} {
		const ep = 30_000
		s := float64(tc.side)
		closed := ep*(1-s/tc.lev+s*0.005) - s*tc.extra/tc.q
		if !near(closed, tc.lp, 1e-12) {
			t.Errorf("%s: closed form %v, hand %v", tc.name, closed, tc.lp)
		}
		c := tc.q*ep/tc.lev + tc.extra
		lp, ok := r.LiquidationPrice(br, 0.00055, tc.side, tc.q, ep, c)
		if !ok || !near(lp, tc.lp, 1e-12) {
			t.Errorf("%s: LP = %v %v, want %v", tc.name, lp, ok, tc.lp)
		}
		if bp, ok := BankruptcyPrice(tc.side, tc.q, ep, c); !ok || !near(bp, tc.bp, 1e-12) {
			t.Errorf("%s: BP = %v, want %v", tc.name, bp, tc.bp)
		}
		if tc.extra == 0 {
			if bp, _ := BankruptcyPrice(tc.side, tc.q, ep, c); !near(bp, ep*(1-s/tc.lev), 1e-12) {
				t.Errorf("%s: BP %v is not EP·(1 − s/L)", tc.name, bp)
			}
		}
	}
}

// TestOKXGate checks the OKX/Gate form (VENUES.md §5–§6, freqtrade
// exchange.py:4033) LP_long = (EP − margin/Q)/(1 − (MMR + taker)),
// LP_short = (EP + margin/Q)/(1 + MMR + taker), by hand:
//
//	OKX  BTC, MMR 0.4 %, taker 0.05 %, 1 BTC @ 30,000, margin 1,500:
//	     long (30,000 − 1,500)/0.9955 = 28,628.8297…, short 31,500/1.0045 = 31,358.8850…
//	Gate BTC, MMR 0.5 %, taker 0.075 %, 2 BTC @ 30,000, margin 3,000:
//	     long 28,500/0.99425 = 28,664.8227…, short 31,500/1.00575 = 31,319.9105…
func TestOKXGate(t *testing.T) {
	for _, tc := range []struct {
		preset, symbol string
		mmr, taker     float64
		q, margin      float64
		long, short    float64
	}{
		{"okx-swap", "BTC-USDT-SWAP", 0.004, 0.0005, 1, 1500, 28_500 / 0.9955, 31_500 / 1.0045},
		{"gate-usdt", "BTC_USDT", 0.005, 0.00075, 2, 3000, 28_500 / 0.99425, 31_500 / 1.00575},
	} {
		v := mustPreset(t, tc.preset)
		br := v.BracketsFor(tc.symbol, latestTable)
		if br[0].MMR != tc.mmr || v.TakerFee != tc.taker {
			t.Fatalf("%s: MMR %v taker %v", tc.preset, br[0].MMR, v.TakerFee)
		}
		const ep = 30_000
		formula := map[int]float64{
			1:  (ep - tc.margin/tc.q) / (1 - (tc.mmr + tc.taker)),
			-1: (ep + tc.margin/tc.q) / (1 + tc.mmr + tc.taker),
		}
		for side, want := range map[int]float64{1: tc.long, -1: tc.short} {
			if !near(formula[side], want, 1e-12) {
				t.Errorf("%s side %d: formula %v, hand %v", tc.preset, side, formula[side], want)
			}
			lp, ok := v.Rule().LiquidationPrice(br, v.TakerFee, side, tc.q, ep, tc.margin)
			if !ok || !near(lp, want, 1e-12) {
				t.Errorf("%s side %d: LP = %v %v, want %v", tc.preset, side, lp, ok, want)
			}
		}
	}
}

// TestHyperliquid checks liq = price − s·margin_available/Q/(1 − l·s), l =
// MMR = 1/(2·max_leverage) (Hyperliquid docs, "Liquidations"; VENUES.md
// §10), against Rule.LiquidationPrice for isolated positions, with
// margin_available = collateral + uPnL(price) − MM(price) taken at the
// entry and at other current prices: the answer must not depend on which.
// Hand: BTC 40x (l = 1.25 %), long 1 @ 60,000 with 6,000 margin:
// margin_available = 6,000 − 750 = 5,250, liq = 60,000 − 5,250/0.9875 =
// 54,683.5443…
func TestHyperliquid(t *testing.T) {
	v := mustPreset(t, "hyperliquid")
	br := v.BracketsFor("BTC", latestTable)
	if br[0].MMR != 1.0/80 || br[0].MaxLeverage != 40 {
		t.Fatalf("BTC tier 1 = %+v, want MMR 1/80 at 40x", br[0])
	}
	if lp, ok := v.Rule().LiquidationPrice(br, 0, 1, 1, 60_000, 6000); !ok || !near(lp, 60_000-5250/0.9875, 1e-12) {
		t.Errorf("hand example: LP = %v, want %v", lp, 60_000-5250/0.9875)
	}
	for _, tc := range []struct {
		side            int
		q, ep, m, price float64
	}{
		{1, 1, 60_000, 6000, 60_000},
		{1, 1, 60_000, 6000, 58_000},
		{-1, 3, 3000, 900, 3000},
		{-1, 3, 3000, 900, 3100},
		{1, 0.25, 100_000, 5000, 101_000},
	} {
		l := br[br.Index(tc.q*tc.price)].MMR
		s := float64(tc.side)
		avail := tc.m + s*tc.q*(tc.price-tc.ep) - tc.q*tc.price*l
		want := tc.price - s*avail/tc.q/(1-l*s)
		got, ok := v.Rule().LiquidationPrice(br, 0, tc.side, tc.q, tc.ep, tc.m)
		if !ok || !near(got, want, 1e-12) {
			t.Errorf("%+v: LP = %v %v, want %v", tc, got, ok, want)
		}
	}
}

// TestDYDX checks dYdX v4's p' = (e − s·p)/(|s|·MMF − s) with signed size
// s and equity e at oracle price p (v4-documentation liquidations.mdx;
// VENUES.md §11) against Rule.LiquidationPrice. Hand: ETH-USD MMF 3 %,
// long 2 @ 3,000 with 600 collateral, at p = 3,000: (600 − 6,000)/(0.06 −
// 2) = 2,783.5051…
func TestDYDX(t *testing.T) {
	v := mustPreset(t, "dydx-v4")
	br := v.BracketsFor("ETH-USD", latestTable)
	const mmf = 0.03
	if br[0].MMR != mmf {
		t.Fatalf("ETH-USD MMF = %v", br[0].MMR)
	}
	if lp, _ := v.Rule().LiquidationPrice(br, 0, 1, 2, 3000, 600); !near(lp, 5400/1.94, 1e-12) {
		t.Errorf("hand example: LP = %v, want %v", lp, 5400/1.94)
	}
	for _, tc := range []struct {
		side           int
		q, ep, c, orcl float64
	}{
		{1, 2, 3000, 600, 3000},
		{1, 2, 3000, 600, 2900},
		{-1, 5, 3000, 1500, 3000},
		{-1, 5, 3000, 1500, 3150},
	} {
		s := float64(tc.side) * tc.q // signed size
		e := tc.c + s*(tc.orcl-tc.ep)
		want := (e - s*tc.orcl) / (math.Abs(s)*mmf - s)
		got, ok := v.Rule().LiquidationPrice(br, 0, tc.side, tc.q, tc.ep, tc.c)
		if !ok || !near(got, want, 1e-12) {
			t.Errorf("%+v: LP = %v %v, want %v", tc, got, ok, want)
		}
	}
}

// TestNoLiquidation: a long backed by at least its notional has no
// liquidation (nor bankruptcy) price (VENUES.md §14.7: the Binance UI shows
// "--"); a short always has both. Bybit is the exception that proves the
// rule: its MM is fixed at the entry notional, so a 1x long still
// liquidates at EP·(1 − 1/1 + MMR) = EP·MMR (VENUES.md §4.1), and only
// collateral above notional × (1 + MMR) removes the liquidation price.
func TestNoLiquidation(t *testing.T) {
	for _, name := range PresetNames() {
		v := mustPreset(t, name)
		br := v.BracketsFor("", latestTable)
		for _, c := range []float64{30_000, 45_000} { // 1 BTC @ 30,000: 1x and over-collateralised
			lp, ok := v.Rule().LiquidationPrice(br, v.TakerFee, 1, 1, 30_000, c)
			switch {
			case v.Family == Bybit && c == 30_000:
				if want := 30_000 * br[0].MMR; !ok || !near(lp, want, 1e-12) {
					t.Errorf("%s: 1x long LP = %v %v, want EP·MMR = %v", name, lp, ok, want)
				}
			case ok:
				t.Errorf("%s: long with collateral %v has LP %v", name, c, lp)
			}
			if bp, ok := BankruptcyPrice(1, 1, 30_000, c); ok {
				t.Errorf("%s: long with collateral %v has BP %v", name, c, bp)
			}
			lp, ok = v.Rule().LiquidationPrice(br, v.TakerFee, -1, 1, 30_000, c)
			if !ok || !(lp > 30_000) {
				t.Errorf("%s: short with collateral %v: LP %v %v, want one above entry", name, c, lp, ok)
			}
			if bp, ok := BankruptcyPrice(-1, 1, 30_000, c); !ok || bp != 30_000+c {
				t.Errorf("%s: short BP = %v %v", name, bp, ok)
			}
		}
	}
}

// TestBracketsForDates picks tables by date: before the first table the
// earliest, between two the earlier, on a table's date that table, after
// the last the last; unlisted symbols get the default table. Tables are
// told apart by their second cap (2021: 250k, 2024: 600k, 2026: 800k).
func TestBracketsForDates(t *testing.T) {
	v := mustPreset(t, "binance-usdm")
	for _, tc := range []struct {
		symbol string
		at     time.Time
		cap2   float64
	}{
		{"BTCUSDT", date(2019, 9, 1), 250_000},
		{"BTCUSDT", date(2021, 1, 1), 250_000},
		{"BTCUSDT", date(2023, 5, 1), 250_000},
		{"BTCUSDT", date(2024, 10, 23), 250_000},
		{"BTCUSDT", date(2024, 10, 24), 600_000},
		{"BTCUSDT", date(2025, 6, 1), 600_000},
		{"BTCUSDT", date(2026, 3, 26), 800_000},
		{"BTCUSDT", date(2030, 1, 1), 800_000},
		{"ETHUSDT", date(2022, 1, 1), 100_000},
		{"NOSUCHUSDT", date(2026, 1, 1), 100_000}, // default = 2021 ETHUSDT table
		{"", date(2026, 1, 1), 100_000},
	} {
		br := v.BracketsFor(tc.symbol, tc.at)
		if len(br) < 2 || br[1].Cap != tc.cap2 {
			t.Errorf("%s at %s: second cap %v, want %v", tc.symbol, tc.at.Format(dateLayout), br[1].Cap, tc.cap2)
		}
		tab, listed, ok := v.TableFor(tc.symbol, tc.at)
		if !ok || !slices.Equal(tab.Brackets, br) || listed != (tc.symbol == "BTCUSDT" || tc.symbol == "ETHUSDT") {
			t.Errorf("%s at %s: TableFor disagrees with BracketsFor (listed %v)", tc.symbol, tc.at.Format(dateLayout), listed)
		}
	}
}
