package data

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

const fuHour = int64(time.Hour)

// fuEvents returns funding events at the given hours since the epoch, each
// moved by the matching offset (none: on the hour), with rates 1, 2, 3, …
func fuEvents(hours []int64, offsets ...time.Duration) *Funding {
	f := &Funding{}
	for i, h := range hours {
		t := h * fuHour
		if i < len(offsets) {
			t += int64(offsets[i])
		}
		f.Time = append(f.Time, t)
		f.Rate = append(f.Rate, float64(i+1))
	}
	return f
}

// fuHours returns a series of whole hours from..to stepping by step.
func fuHours(from, to, step int64) []int64 {
	var out []int64
	for h := from; h <= to; h += step {
		out = append(out, h)
	}
	return out
}

// TestFundingSnap: events stamped within the tolerance of a whole hour are
// put on it (late or early stamps alike); the others stay, with one warning;
// two events on one hour are an error naming both; the option turns it off.
func TestFundingSnap(t *testing.T) {
	candles := mkBarsMin(0, 48*12, 5) // 2 days of 5m bars from the epoch
	ms := time.Millisecond
	tests := []struct {
		name     string
		f        *Funding
		snap     time.Duration
		want     []int64 // hours, or nanoseconds when wantNs
		wantNs   []int64
		warn     string
		err      string
		wantSame bool // times unchanged
	}{
		{name: "late and early stamps snap", f: fuEvents([]int64{0, 8, 16, 24, 32, 40}, 16*ms, 0, -10*ms, 5*time.Second, 29*ms, 0),
			want: []int64{0, 8, 16, 24, 32, 40}},
		{name: "beyond the tolerance stays, with a warning", f: fuEvents([]int64{0, 8, 16, 24, 32, 40}, 0, 6*time.Second, 0, 0, time.Minute, 0),
			wantNs: []int64{0, 8*fuHour + int64(6*time.Second), 16 * fuHour, 24 * fuHour, 32*fuHour + int64(time.Minute), 40 * fuHour},
			warn:   "BTC: 2 of 6 funding events are more than 5s from a whole hour (the first at 1970-01-01T08:00:06Z): they stay at their own times, each charged at the first bar opening at or after it"},
		{name: "a wider tolerance", f: fuEvents([]int64{0, 8, 16, 24, 32, 40}, 0, 6*time.Second), snap: 10 * time.Second,
			want: []int64{0, 8, 16, 24, 32, 40}},
		{name: "off", f: fuEvents([]int64{0, 8, 16, 24, 32, 40}, 16*ms, 6*time.Second), snap: FundingSnapOff, wantSame: true},
		{name: "any negative is off", f: fuEvents([]int64{0, 8, 16, 24, 32, 40}, 16*ms), snap: -time.Hour, wantSame: true},
		{name: "two events on one hour", f: &Funding{Time: []int64{8*fuHour - int64(2*time.Second), 8*fuHour + int64(ms)}, Rate: []float64{1, 2}},
			err: "data: BTC funding: the events stamped 1970-01-01T07:59:58Z and 1970-01-01T08:00:00.001Z both belong to the funding time 1970-01-01T08:00:00Z (each is within 5s of it): a funding time has one event; remove the duplicate from the file"},
		{name: "tolerance too wide", f: fuEvents([]int64{0}), snap: 30 * time.Minute, err: "FundingSnap 30m0s: must be below 30m"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := []SymbolInput{{Name: "BTC", Candles: candles, Funding: tt.f}}
			orig := slices.Clone(tt.f.Time)
			m, warns, err := NewMarket(in, MarketOptions{FundingSnap: tt.snap, FundingCoverage: CoverageAccept})
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				if strings.Contains(tt.err, "duplicate") && !errors.Is(err, ErrDuplicate) {
					t.Errorf("err %v does not match ErrDuplicate", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(tt.f.Time, orig) {
				t.Error("the input was modified")
			}
			got := m.Symbols[0].Funding.Time
			want := tt.wantNs
			if tt.wantSame {
				want = orig
			}
			if tt.want != nil {
				want = nil
				for _, h := range tt.want {
					want = append(want, h*fuHour)
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("times %v, want %v", got, want)
			}
			if !slices.Equal(m.Symbols[0].Funding.Rate, tt.f.Rate) {
				t.Errorf("rates %v", m.Symbols[0].Funding.Rate)
			}
			if tt.warn != "" && !mkWarned(warns, tt.warn) {
				t.Errorf("no warning %q in %v", tt.warn, warns)
			}
			if tt.warn == "" && mkWarned(warns, "from a whole hour") {
				t.Errorf("unexpected warning in %v", warns)
			}
		})
	}
}

func TestClassifyFundingStamps(t *testing.T) {
	times := []int64{0, fuHour + int64(16*time.Millisecond), 2*fuHour - int64(3*time.Second), 3*fuHour + int64(time.Minute), 4 * fuHour}
	got := ClassifyFundingStamps(times, 0)
	want := FundingStamps{Events: 5, OnHour: 2, Snapped: 2, OffGrid: 1, MaxOffset: 3 * time.Second, FirstSnapped: times[1], FirstOff: times[3]}
	if got != want {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	if off := ClassifyFundingStamps(times, FundingSnapOff); off.Snapped != 0 || off.OnHour != 2 || off.OffGrid != 3 {
		t.Errorf("off: %+v", off)
	}
	// Before 1970 the hour grid is the same.
	if neg := ClassifyFundingStamps([]int64{-fuHour + int64(time.Millisecond), -fuHour - int64(time.Millisecond)}, 0); neg.Snapped != 2 {
		t.Errorf("negative times: %+v", neg)
	}
}

func TestFundingInterval(t *testing.T) {
	h := time.Hour
	jitter := fuEvents(fuHours(0, 80, 8), 16*time.Millisecond, 0, 3*time.Millisecond)
	tests := []struct {
		name  string
		times []int64
		want  time.Duration
	}{
		{"empty", nil, 0},
		{"one event", []int64{5}, 8 * h},
		{"regular", fuEvents(fuHours(0, 40, 8)).Time, 8 * h},
		{"hourly with a hole", fuEvents(append(fuHours(0, 10, 1), 30)).Time, h},
		{"jitter moves it not", jitter.Time, 8 * h},
		{"even count: the lower middle spacing", []int64{0, 10, 30, 60, 100}, 20},
	}
	for _, tt := range tests {
		if got := FundingInterval(tt.times); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

// fuCoverage builds a one-symbol market of 5m candles over hours [from, to)
// with f, strictly, and returns its coverage error (nil when covered).
func fuCoverage(t *testing.T, from, to int64, f *Funding) *CoverageError {
	t.Helper()
	_, _, err := NewMarket([]SymbolInput{{Name: "BTC", Candles: mkBarsMin(from*60, (to-from)*12, 5), Funding: f}}, MarketOptions{})
	if err == nil {
		return nil
	}
	var ce *CoverageError
	if !errors.As(err, &ce) || !errors.Is(err, ErrCoverage) {
		t.Fatalf("err = %v, want a *CoverageError", err)
	}
	return ce
}

// TestFundingCoverage: the events must cover every funding time after the
// first bar up to the last; what they miss is an error that names the gap
// and the trim that leaves it out.
func TestFundingCoverage(t *testing.T) {
	h := fuHour
	tests := []struct {
		name     string
		from, to int64 // bars from hour from to hour to (exclusive), 5m
		f        *Funding
		gaps     []Gap // Place, First, Last, Count, End, Start; Prev/Next when set
		msg      string
	}{
		{name: "covered", from: 0, to: 24, f: fuEvents([]int64{0, 8, 16})},
		{name: "covered without an event at the first bar", from: 0, to: 24, f: fuEvents([]int64{8, 16})},
		{name: "covered from mid-interval", from: 3, to: 20, f: fuEvents([]int64{8, 16})},
		{name: "jitter is no gap", from: 0, to: 24, f: fuEvents([]int64{0, 8, 16}, 20*time.Millisecond, 1*time.Millisecond, 29*time.Millisecond)},
		{name: "starts late", from: 0, to: 24, f: fuEvents([]int64{16, 24}),
			gaps: []Gap{{Place: GapStart, First: 8 * h, Last: 8 * h, Count: 1, End: 8 * h, Start: 8 * h, Next: 16 * h, HasNext: true}},
			msg:  "data: BTC funding does not cover the market: the first event is at 1970-01-01T16:00:00Z and events come every 8h, but the first bar opens at 1970-01-01T00:00:00Z: 1 funding time has no rate (1970-01-01T08:00:00Z); trim the period (start at or after 1970-01-01T08:00:00Z), or accept the gaps (MarketOptions FundingCoverage = CoverageAccept)"},
		{name: "ends early", from: 0, to: 48, f: fuEvents([]int64{0, 8}),
			gaps: []Gap{{Place: GapEnd, First: 16 * h, Last: 40 * h, Count: 4, End: 16 * h, Start: 40 * h, Prev: 8 * h, HasPrev: true}},
			msg:  "data: BTC funding does not cover the market: the last event is at 1970-01-01T08:00:00Z and events come every 8h, but the last bar opens at 1970-01-02T23:55:00Z: 4 funding times have no rate (1970-01-01T16:00:00Z to 1970-01-02T16:00:00Z); trim the period (end before 1970-01-01T16:00:00Z), or accept"},
		{name: "a hole", from: 0, to: 48, f: fuEvents([]int64{0, 8, 32, 40}),
			gaps: []Gap{{Place: GapHole, First: 16 * h, Last: 24 * h, Count: 2, End: 16 * h, Start: 24 * h, Prev: 8 * h, Next: 32 * h, HasPrev: true, HasNext: true}},
			msg:  "no event between 1970-01-01T08:00:00Z and 1970-01-02T08:00:00Z and events come every 8h: 2 funding times have no rate (1970-01-01T16:00:00Z to 1970-01-02T00:00:00Z); leave out the hole at 1970-01-01T16:00:00Z (end before 1970-01-01T16:00:00Z, or start at or after 1970-01-02T00:00:00Z)"},
		{name: "a spacing of 1.5 intervals is no hole", from: 0, to: 30, f: fuEvents([]int64{0, 8, 20, 28})},
		{name: "a hole outside the period does not count", from: 40, to: 60, f: fuEvents([]int64{0, 8, 32, 40, 48, 56})},
		{name: "a hole across the start is a start gap", from: 12, to: 48, f: fuEvents([]int64{0, 8, 32, 40}),
			gaps: []Gap{{Place: GapStart, First: 16 * h, Last: 24 * h, Count: 2, End: 16 * h, Start: 24 * h, Prev: 8 * h, Next: 32 * h, HasPrev: true, HasNext: true}}},
		{name: "outside the period", from: 0, to: 24, f: fuEvents([]int64{100, 108}),
			gaps: []Gap{{Place: GapAll, First: 4 * h, Last: 20 * h, Count: 3, End: 4 * h, Start: 20 * h, Next: 100 * h, HasNext: true}},
			msg:  "no part of the market's period is covered: choose a period the series covers"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ce := fuCoverage(t, tt.from, tt.to, tt.f)
			if tt.gaps == nil {
				if ce != nil {
					t.Fatalf("unexpected %v", ce)
				}
				return
			}
			if ce == nil {
				t.Fatal("no coverage error")
			}
			if ce.Symbol != "BTC" || ce.Kind != KindFunding || ce.Interval != 8*time.Hour || ce.Accepted {
				t.Errorf("error %+v", ce)
			}
			if !slices.Equal(ce.Gaps, tt.gaps) {
				t.Errorf("gaps\n got %+v\nwant %+v", ce.Gaps, tt.gaps)
			}
			if !strings.Contains(ce.Error(), tt.msg) {
				t.Errorf("message\n%s\nlacks\n%s", ce.Error(), tt.msg)
			}
		})
	}
}

// TestCoverageAccepted: under CoverageAccept the same gaps are a warning,
// and every uncovered series is reported at once under CoverageStrict.
func TestCoverageAccepted(t *testing.T) {
	in := func() []SymbolInput {
		short := mkDrop(mkBarsMin(0, 24*12, 5), 600)
		return []SymbolInput{
			{Name: "BTC", Candles: mkBarsMin(0, 24*12, 5), Funding: fuEvents([]int64{0, 8})},
			{Name: "ETH", Candles: mkBarsMin(0, 24*12, 5), Funding: fuEvents([]int64{8, 16}), Mark: &short},
		}
	}
	_, _, err := NewMarket(in(), MarketOptions{})
	var list []string
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		var ce *CoverageError
		if errors.As(e, &ce) {
			list = append(list, ce.Series())
		}
	}
	if !slices.Equal(list, []string{"BTC funding", "ETH mark"}) {
		t.Errorf("strict: %v from %v", list, err)
	}
	m, warns, err := NewMarket(in(), MarketOptions{FundingCoverage: CoverageAccept})
	if err == nil || !strings.Contains(err.Error(), "ETH mark") || strings.Contains(err.Error(), "BTC funding") {
		t.Errorf("mark still strict: %v", err)
	}
	m, warns, err = NewMarket(in(), MarketOptions{FundingCoverage: CoverageAccept, MarkCoverage: CoverageAccept})
	if err != nil {
		t.Fatal(err)
	}
	var accepted []string
	for _, w := range warns {
		var ce *CoverageError
		if errors.As(w, &ce) && ce.Accepted && errors.Is(w, ErrCoverage) {
			accepted = append(accepted, w.Error())
		}
	}
	if len(accepted) != 2 || !strings.HasPrefix(accepted[0], "BTC funding does not cover the market: the last event is at 1970-01-01T08:00:00Z") ||
		!strings.HasSuffix(accepted[0], "; accepted: no funding is charged at those times") ||
		!strings.HasSuffix(accepted[1], "; accepted: those bars have NaN marks and trade prices stand in for them") {
		t.Errorf("accepted warnings: %q", accepted)
	}
	if m.Symbols[0].Funding.Len() != 2 || !math.IsNaN(m.Symbols[1].Mark.Open[120]) {
		t.Error("the accepted market differs")
	}
}

// TestMarkCoverageUnion: bars filled under AlignUnion (the symbol has no
// candle there) need no mark candle.
func TestMarkCoverageUnion(t *testing.T) {
	btc := mkBarsMin(0, 20, 5)
	eth := mkBarsMin(0, 16, 5) // ends four bars before BTC: filled flat
	mk := eth.Clone()
	_, warns, err := NewMarket([]SymbolInput{{Name: "BTC", Candles: btc}, {Name: "ETH", Candles: eth, Mark: &mk}}, MarketOptions{Align: AlignUnion})
	if err != nil {
		t.Fatalf("%v (warnings %v)", err, warns)
	}
	mk2 := mkDrop(eth, 70) // and a real hole is still one
	_, _, err = NewMarket([]SymbolInput{{Name: "BTC", Candles: btc}, {Name: "ETH", Candles: eth, Mark: &mk2}}, MarketOptions{Align: AlignUnion})
	if !errors.Is(err, ErrCoverage) || !strings.Contains(err.Error(), "1 bar has no mark candle (1970-01-01T01:10:00Z)") {
		t.Errorf("err = %v", err)
	}
}

// fuMark8h returns 8h mark candles at the given hours, open 1000 + hour.
func fuMark8h(hours ...int64) *Bars {
	b := MakeBars(len(hours))
	for i, hr := range hours {
		b.Time[i] = hr * fuHour
		b.Open[i], b.High[i], b.Low[i], b.Close[i] = 1000+float64(hr), 1100, 900, 1000
	}
	return &b
}

// TestCoarseMark: a mark series coarser than the candles is not attached
// as Mark but values each funding event at the open of the coarse candle
// opening at the event's (snapped) time.
func TestCoarseMark(t *testing.T) {
	candles := mkBarsMin(0, 48*12, 5)
	f := fuEvents([]int64{0, 8, 16, 24, 32, 40}, 16*time.Millisecond, 0, -3*time.Millisecond)
	m, warns, err := NewMarket([]SymbolInput{{Name: "BTCUSDT", Candles: candles, Mark: fuMark8h(0, 8, 16, 24, 32, 40), Funding: f}}, MarketOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s := &m.Symbols[0]
	if s.Mark != nil || s.CoarseMark != 8*time.Hour {
		t.Errorf("mark %v, coarse %v", s.Mark, s.CoarseMark)
	}
	if want := []float64{1000, 1008, 1016, 1024, 1032, 1040}; !slices.Equal(s.Funding.Mark, want) {
		t.Errorf("funding marks %v, want %v", s.Funding.Mark, want)
	}
	note := "BTCUSDT: 8h mark candles are coarser than the 5m trade candles: used to value funding only; liquidation checks use trade candles"
	if len(warns) != 1 || warns[0].Error() != note || !errors.Is(warns[0], ErrCoarseMark) {
		t.Errorf("warnings %v", warns)
	}

	// Resampling keeps the funding marks.
	r, err := m.Resample(time.Hour)
	if err != nil || !slices.Equal(r.Symbols[0].Funding.Mark, s.Funding.Mark) || r.Symbols[0].CoarseMark != 8*time.Hour {
		t.Errorf("resampled: %v %+v", err, r.Symbols[0].Funding)
	}

	// A missing coarse candle is a gap of kind mark; accepted, it is NaN.
	in := []SymbolInput{{Name: "BTCUSDT", Candles: candles, Mark: fuMark8h(0, 8, 24, 32, 40), Funding: f}}
	_, _, err = NewMarket(in, MarketOptions{})
	var ce *CoverageError
	if !errors.As(err, &ce) || !ce.Coarse || ce.Kind != KindMark || len(ce.Gaps) != 1 || ce.Gaps[0].First != 16*fuHour || ce.Gaps[0].Place != GapHole ||
		!strings.Contains(err.Error(), "data: BTCUSDT 8h mark does not cover the market: no 8h mark candle between 1970-01-01T08:00:00Z and 1970-01-02T00:00:00Z: 1 funding time has no mark candle (1970-01-01T16:00:00Z)") {
		t.Fatalf("err = %v", err)
	}
	m, warns, err = NewMarket(in, MarketOptions{MarkCoverage: CoverageAccept})
	if err != nil {
		t.Fatal(err)
	}
	if fm := m.Symbols[0].Funding.Mark; fm[1] != 1008 || !math.IsNaN(fm[2]) || !mkWarned(warns, "accepted: funding at those times is valued at the bar's trade open") {
		t.Errorf("funding marks %v, warnings %v", fm, warns)
	}

	// With snapping off, jittered events find no coarse candle.
	_, _, err = NewMarket([]SymbolInput{{Name: "BTCUSDT", Candles: candles, Mark: fuMark8h(0, 8, 16, 24, 32, 40), Funding: f}}, MarketOptions{FundingSnap: FundingSnapOff})
	if !errors.Is(err, ErrCoverage) {
		t.Errorf("unsnapped: %v", err)
	}

	// Without funding, the coarse series is not used.
	m, warns, err = NewMarket([]SymbolInput{{Name: "BTCUSDT", Candles: candles, Mark: fuMark8h(0, 8, 16)}}, MarketOptions{})
	if err != nil || m.Symbols[0].Funding.Mark != nil || m.Symbols[0].CoarseMark != 0 || m.Symbols[0].Mark != nil ||
		!mkWarned(warns, "BTCUSDT: 8h mark candles are coarser than the 5m trade candles and there is no funding to value: the mark series is not used") {
		t.Errorf("no funding: %v %v", err, warns)
	}

	// A fine mark leaves Funding.Mark nil.
	fine := candles.Clone()
	m, _, err = NewMarket([]SymbolInput{{Name: "BTCUSDT", Candles: candles, Mark: &fine, Funding: f}}, MarketOptions{})
	if err != nil || m.Symbols[0].Funding.Mark != nil || m.Symbols[0].Mark == nil {
		t.Errorf("fine mark: %v", err)
	}
}

func TestCoveragePolicyParse(t *testing.T) {
	for _, s := range []string{"strict", "accept"} {
		p, err := ParseCoveragePolicy(s)
		if err != nil || p.String() != s {
			t.Errorf("%s: %v %v", s, p, err)
		}
	}
	if p, err := ParseCoveragePolicy(""); err != nil || p != CoverageStrict {
		t.Errorf("empty: %v %v", p, err)
	}
	if _, err := ParseCoveragePolicy("lenient"); err == nil || !strings.Contains(err.Error(), "strict or accept") {
		t.Errorf("bad: %v", err)
	}
	if _, _, err := NewMarket([]SymbolInput{{Name: "BTC", Candles: mkBarsMin(0, 3, 1)}}, MarketOptions{MarkCoverage: 5}); err == nil {
		t.Error("a bad policy was accepted")
	}
}

func TestTrimSuggestion(t *testing.T) {
	h := fuHour
	errs := []*CoverageError{
		{MarketFirst: 0, MarketLast: 47 * h, Timeframe: time.Hour, Gaps: []Gap{{Place: GapStart, Start: 8 * h}, {Place: GapHole, End: 20 * h, Start: 28 * h}}},
		{MarketFirst: 0, MarketLast: 47 * h, Timeframe: time.Hour, Gaps: []Gap{{Place: GapStart, Start: 4 * h}, {Place: GapEnd, End: 40 * h}}},
	}
	start, end, holes, ok := TrimSuggestion(errs)
	if !ok || start != 8*h || end != 40*h || len(holes) != 1 || holes[0].End != 20*h {
		t.Errorf("got %d %d %v %v", start/h, end/h, holes, ok)
	}
	errs[1].Gaps[1].End = 6 * h
	if _, _, _, ok := TrimSuggestion(errs); ok {
		t.Error("an empty period is a suggestion")
	}
}

// TestMarkCoverageAll: an empty mark series, or one outside the period,
// misses every bar, and no trim helps.
func TestMarkCoverageAll(t *testing.T) {
	candles := mkBarsMin(0, 12, 5)
	for _, tt := range []struct {
		name string
		mark Bars
		msg  string
	}{
		{"empty", MakeBars(0), "data: BTC mark does not cover the market: the series is empty: 12 bars have no mark candle (1970-01-01T00:00:00Z to 1970-01-01T00:55:00Z); no part of the market's period is covered"},
		{"before", mkBarsMin(-120, 12, 5), "the last mark candle is at 1969-12-31T22:55:00Z, but the last bar opens at 1970-01-01T00:55:00Z: 12 bars have no mark candle"},
	} {
		mk := tt.mark
		_, _, err := NewMarket([]SymbolInput{{Name: "BTC", Candles: candles, Mark: &mk}}, MarketOptions{})
		var ce *CoverageError
		if !errors.As(err, &ce) || len(ce.Gaps) != 1 || ce.Gaps[0].Place != GapAll || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
}
