package data

import (
	"context"
	"errors"
	"math"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// rfLoad loads one file of the shared data.
func rfLoad(t *testing.T, dir, name string) *Series {
	t.Helper()
	s, err := Load(context.Background(), filepath.Join(dir, name), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// rfBefore returns the candles that open before end.
func rfBefore(b Bars, end time.Time) Bars {
	return b.Slice(0, firstAtOrAfter(b.Time, end.UnixNano()))
}

// TestRealFundingOnGrid: every BTC and ETH funding event of 2023–2024 in
// the Binance files (461 of 1,498 stamped a few ms after the hour) lands
// exactly on its 00:00, 08:00 or 16:00 bar of the 5m market; OKX's exact
// stamps are unchanged.
func TestRealFundingOnGrid(t *testing.T) {
	dir := filepath.Join(needSharedData(t), "binance-futures-2023-2024")
	// Funding ends 2024-05-14 00:00, the candles at 15:35: the market ends
	// before the next funding time, 08:00, as the coverage check demands.
	end := time.Date(2024, 5, 14, 8, 0, 0, 0, time.UTC)
	for _, sym := range []string{"BTC", "ETH"} {
		t.Run(sym, func(t *testing.T) {
			c := rfLoad(t, dir, sym+"_USDT_USDT-5m-futures.feather")
			f := rfLoad(t, dir, sym+"_USDT_USDT-8h-funding_rate.feather")
			st := ClassifyFundingStamps(f.Funding.Time, 0)
			if st.Events != 1498 || st.Snapped != 461 || st.OffGrid != 0 || st.MaxOffset > 30*time.Millisecond {
				t.Errorf("stamps %+v; the README says 461 of 1,498 are jittered", st)
			}
			m, warns, err := NewMarket([]SymbolInput{{Name: sym, Candles: rfBefore(c.Bars, end), Funding: &f.Funding}}, MarketOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(warns) != 0 {
				t.Errorf("warnings %v", warns)
			}
			fu := m.Symbols[0].Funding
			if fu.Len() != 1498 {
				t.Errorf("%d events in the market, want all 1498", fu.Len())
			}
			for k, tm := range fu.Time {
				u := time.Unix(0, tm).UTC()
				if u.Hour()%8 != 0 || u.Minute() != 0 || u.Second() != 0 || u.Nanosecond() != 0 {
					t.Fatalf("event %d at %s is not on the 8h grid", k, FormatTime(tm))
				}
				if _, found := slices.BinarySearch(m.Time, tm); !found {
					t.Fatalf("event %d at %s has no bar at its time", k, FormatTime(tm))
				}
				if d := tm - f.Funding.Time[k]; d > 0 || d < -int64(30*time.Millisecond) || fu.Rate[k] != f.Funding.Rate[k] {
					t.Fatalf("event %d moved from %s to %s", k, FormatTime(f.Funding.Time[k]), FormatTime(tm))
				}
			}
		})
	}
	okx := filepath.Join(sharedData, "okx-futures-2022-2026")
	f := rfLoad(t, okx, "BTC_USDT_USDT-1h-funding_rate.feather")
	c := rfLoad(t, okx, "BTC_USDT_USDT-1m-futures.feather")
	m, _, err := NewMarket([]SymbolInput{{Name: "BTC", Candles: rfBefore(c.Bars, time.Date(2026, 1, 16, 0, 0, 0, 0, time.UTC)), Funding: &f.Funding}}, MarketOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Symbols[0].Funding.Time; !slices.Equal(got, f.Funding.Time) || ClassifyFundingStamps(got, 0).OnHour != 45 {
		t.Errorf("OKX stamps changed: %d events", len(got))
	}
}

// TestRealCoverage: the Binance 2023–2024 5m candles run to 2024-05-14
// 15:35 but funding ends at 00:00: a market over the whole file misses the
// 08:00 event and is refused, naming the gap and the trim.
func TestRealCoverage(t *testing.T) {
	dir := filepath.Join(needSharedData(t), "binance-futures-2023-2024")
	c := rfLoad(t, dir, "BTC_USDT_USDT-5m-futures.feather")
	f := rfLoad(t, dir, "BTC_USDT_USDT-8h-funding_rate.feather")
	_, _, err := NewMarket([]SymbolInput{{Name: "BTCUSDT", Candles: c.Bars, Funding: &f.Funding}}, MarketOptions{})
	var ce *CoverageError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want a *CoverageError", err)
	}
	want := Gap{Place: GapEnd, First: time.Date(2024, 5, 14, 8, 0, 0, 0, time.UTC).UnixNano(), Count: 1,
		Prev: time.Date(2024, 5, 14, 0, 0, 0, 0, time.UTC).UnixNano(), HasPrev: true}
	want.Last, want.End, want.Start = want.First, want.First, want.First
	if ce.Interval != 8*time.Hour || len(ce.Gaps) != 1 || ce.Gaps[0] != want {
		t.Errorf("coverage %+v", ce)
	}
	t.Log(err)
}

// TestRealCoarseMark: Binance's 8h mark next to 5m candles values every
// funding event at the mark open of its time; liquidation checks keep the
// trade candles (no Mark).
func TestRealCoarseMark(t *testing.T) {
	dir := filepath.Join(needSharedData(t), "binance-futures-2023-2024")
	c := rfLoad(t, dir, "BTC_USDT_USDT-5m-futures.feather")
	mk := rfLoad(t, dir, "BTC_USDT_USDT-8h-mark.feather")
	f := rfLoad(t, dir, "BTC_USDT_USDT-8h-funding_rate.feather")
	end := time.Date(2024, 5, 14, 8, 0, 0, 0, time.UTC)
	m, warns, err := NewMarket([]SymbolInput{{Name: "BTCUSDT", Candles: rfBefore(c.Bars, end), Mark: &mk.Bars, Funding: &f.Funding}}, MarketOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s := &m.Symbols[0]
	if s.Mark != nil || s.CoarseMark != 8*time.Hour || len(s.Funding.Mark) != s.Funding.Len() || len(warns) != 1 || !errors.Is(warns[0], ErrCoarseMark) {
		t.Fatalf("mark %v, coarse %v, %d funding marks, warnings %v", s.Mark != nil, s.CoarseMark, len(s.Funding.Mark), warns)
	}
	for k, v := range s.Funding.Mark {
		j, found := slices.BinarySearch(mk.Bars.Time, s.Funding.Time[k])
		if !found || math.IsNaN(v) || v != mk.Bars.Open[j] {
			t.Fatalf("event %d at %s: funding mark %v", k, FormatTime(s.Funding.Time[k]), v)
		}
	}
}
