package backtest

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
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
		iso.Metrics.Liquidations, iso.Metrics.Positions, iso.Metrics.FinalEquity,
		cross.Metrics.Liquidations, cross.Metrics.Positions, cross.Metrics.FinalEquity)
	if iso.Metrics.LiquidationsPer1000 <= cross.Metrics.LiquidationsPer1000 || iso.Metrics.Liquidations < 5 {
		t.Errorf("isolated %v per 1000 positions (%d), cross %v: isolated should liquidate more often",
			iso.Metrics.LiquidationsPer1000, iso.Metrics.Liquidations, cross.Metrics.LiquidationsPer1000)
	}
}
