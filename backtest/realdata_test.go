package backtest

import (
	"context"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/marginlab/marginlab/backtest/venue"
	"github.com/marginlab/marginlab/data"
)

const sharedData = "../../shared/data"

// loadMarket loads candles and funding for symbols from dir, skipping the
// test when the shared data is absent.
func loadMarket(t *testing.T, dir string, syms ...string) *data.Market {
	t.Helper()
	if _, err := os.Stat(filepath.Join(sharedData, "README.md")); err != nil {
		t.Skipf("real data not found at %s (it lives beside the repository as ../shared/data); skipping", sharedData)
	}
	var in []data.SymbolInput
	for _, s := range syms {
		c, err := data.Load(context.Background(), filepath.Join(sharedData, dir, s+"_USDT_USDT-5m-futures.feather"), data.LoadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		f, err := data.Load(context.Background(), filepath.Join(sharedData, dir, s+"_USDT_USDT-8h-funding_rate.feather"), data.LoadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		// The candles run past the funding file (to 2024-05-14 15:35, funding
		// to 00:00): end before the next funding time, which the file lacks
		// (data.NewMarket refuses a market its funding does not cover).
		last := time.Unix(0, f.Funding.Time[len(f.Funding.Time)-1]).Truncate(time.Hour)
		n, _ := slices.BinarySearch(c.Bars.Time, last.Add(8*time.Hour).UnixNano())
		in = append(in, data.SymbolInput{Name: s + "USDT", Candles: c.Bars.Slice(0, n), Funding: &f.Funding})
	}
	m, _, err := data.NewMarket(in, data.MarketOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestRealDataIsolatedLiquidatesMore: random entries at 25× on Binance BTC
// and ETH 5m candles, 2023-01 to 2024-05, with real funding, on the
// binance-usdm preset. Isolated positions each stand alone and are
// liquidated by ordinary moves; in cross the wallet backs them all, so
// liquidations are rarer but each takes the whole cross equity.
func TestRealDataIsolatedLiquidatesMore(t *testing.T) {
	m := loadMarket(t, "binance-futures-2023-2024", "BTC", "ETH")
	if len(m.Time) < 140_000 {
		t.Fatalf("market has %d bars", len(m.Time))
	}
	v, err := venue.Preset("binance-usdm")
	if err != nil {
		t.Fatal(err)
	}
	in := Decide(m, &sparseRandom{rng: rand.New(rand.NewPCG(7, 7)), p: 0.002})
	cfg := Config{Venue: v, Capital: 10_000, Leverage: 25, Sizer: fixedNotional(25_000), VerifyLedger: true}
	res, err := Run(m, in, cfg, IsolatedMode, CrossMode)
	if err != nil {
		t.Fatal(err)
	}
	iso, cross := res[0], res[1]
	for _, r := range res {
		if r.JournalError != "" {
			t.Fatalf("%s: %s", r.Mode, r.JournalError)
		}
		if r.MarkSource != "trades" || r.Metrics.Positions < 30 || r.Metrics.FundingPaid == 0 {
			t.Errorf("%s: mark source %s, %d positions, funding %v", r.Mode, r.MarkSource, r.Metrics.Positions, r.Metrics.FundingPaid)
		}
	}
	t.Logf("isolated: %d liquidations of %d positions, final equity %.2f; cross: %d of %d, final %.2f",
		iso.Metrics.PositionsLiquidated, iso.Metrics.Positions, iso.Metrics.FinalEquity,
		cross.Metrics.PositionsLiquidated, cross.Metrics.Positions, cross.Metrics.FinalEquity)
	if iso.Metrics.PositionsLiquidatedPer1000 <= cross.Metrics.PositionsLiquidatedPer1000 || iso.Metrics.PositionsLiquidated < 5 {
		t.Errorf("isolated %v per 1000 positions (%d), cross %v: isolated should liquidate more often",
			iso.Metrics.PositionsLiquidatedPer1000, iso.Metrics.PositionsLiquidated, cross.Metrics.PositionsLiquidatedPer1000)
	}
}

// holdLong holds a long on every symbol from the first bar.
type holdLong struct{}

func (holdLong) Decide(v *View, in []Intent) {
	for k := range in {
		in[k] = Intent{Side: 1}
	}
}

// marginFraction commits a fraction of equity as each position's margin.
type marginFraction float64

func (f marginFraction) Size(_ Intent, price, equity, lev float64) float64 {
	return float64(f) * equity * lev / price
}

// cutFrom keeps m's bars from time from on (funding events too).
func cutFrom(m *data.Market, from time.Time) {
	t0 := from.UnixNano()
	i := sort.Search(len(m.Time), func(k int) bool { return m.Time[k] >= t0 })
	m.Time = m.Time[i:]
	for k := range m.Symbols {
		s := &m.Symbols[k]
		s.Candles = s.Candles.Slice(i, len(s.Candles.Time))
		j := sort.Search(len(s.Funding.Time), func(e int) bool { return s.Funding.Time[e] >= t0 })
		s.Funding.Time, s.Funding.Rate = s.Funding.Time[j:], s.Funding.Rate[j:]
	}
}

// TestFundingLiquidatesIsolated is issue 12's case: a 100× isolated long on
// Binance BTCUSDT from 2023-12-01 with real funding, capital 10,000, 10 %
// of equity as margin. Funding is paid from the position's margin, which
// it drains until a price dip liquidates the position; the insurance fund
// pays no funding (before, it covered 419 charges, 11,507.85 USDT, and the
// position was never liquidated).
func TestFundingLiquidatesIsolated(t *testing.T) {
	m := loadMarket(t, "binance-futures-2023-2024", "BTC")
	cutFrom(m, time.Date(2023, 12, 1, 0, 0, 0, 0, time.UTC))
	v, err := venue.Preset("binance-usdm")
	if err != nil {
		t.Fatal(err)
	}
	in := Decide(m, holdLong{})
	cfg := Config{Venue: v, Capital: 10_000, Leverage: 100, Sizer: marginFraction(0.1), VerifyLedger: true}
	res, err := Run(m, in, cfg, IsolatedMode, CrossMode)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.JournalError != "" {
			t.Fatalf("%s: %s", r.Mode, r.JournalError)
		}
		paid := 0.0
		for _, f := range r.Funding {
			paid += f.Amount
		}
		if math.Abs(paid-r.Metrics.FundingPaid) > 1e-6 {
			t.Errorf("%s: funding records sum to %v, FundingPaid %v", r.Mode, paid, r.Metrics.FundingPaid)
		}
		t.Logf("%s: liquidations %v; funding paid %.2f in %d payments; final equity %.2f",
			r.Mode, liqTimes(r.Liquidations), paid, len(r.Funding), r.Metrics.FinalEquity)
	}
	iso := res[0]
	if len(iso.Liquidations) != 1 {
		t.Fatalf("isolated: %d liquidations, want 1", len(iso.Liquidations))
	}
	l, f := iso.Liquidations[0], iso.Fills[0]
	if got := time.Unix(0, l.Time).UTC().Format(time.DateTime); got != "2024-01-23 14:20:00" || l.Partial {
		t.Errorf("isolated liquidated at %s (partial %v), want 2024-01-23 14:20:00, full", got, l.Partial)
	}
	// By hand: the margin is IM less every funding payment before the
	// liquidation; the 2021 BTCUSDT bracket of a ~100k notional is 0.5 %,
	// cum 50; LP = (Q·EP − margin − cum) / (Q·(1 − mmr)). The bar before
	// (14:15) reached 38,600.0 only, this one 38,545.0.
	margin := f.Qty * f.Price / 100
	for _, p := range iso.Funding {
		if p.Time < l.Time {
			margin -= p.Amount
		} else {
			t.Errorf("isolated paid funding at %s, after its liquidation", time.Unix(0, p.Time).UTC())
		}
	}
	lp := (f.Qty*f.Price - margin - 50) / (f.Qty * (1 - 0.005))
	if margin > 0 || math.Abs(l.Settle-lp) > 1e-6*lp || math.Abs(l.LiqPrice-lp) > 1e-6*lp {
		t.Errorf("margin before liquidation %.2f (funding drained it below zero), settle %.4f, LP %.4f, by hand %.4f", margin, l.Settle, l.LiqPrice, lp)
	}
	// The fund never paid: it took what was left of the position.
	if l.Insurance < 0 {
		t.Errorf("the insurance fund paid %.2f in the liquidation", -l.Insurance)
	}
}

func liqTimes(ls []LiquidationRecord) []string {
	var out []string
	for _, l := range ls {
		out = append(out, time.Unix(0, l.Time).UTC().Format(time.DateTime))
	}
	return out
}
