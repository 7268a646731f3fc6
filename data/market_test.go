package data

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

// mkDrop returns a copy of b without the rows at the given minutes.
func mkDrop(b Bars, minutes ...int64) Bars {
	out := Bars{}
	for i, t := range b.Time {
		if slices.Contains(minutes, t/int64(time.Minute)) {
			continue
		}
		out.appendRow(t, b.Open[i], b.High[i], b.Low[i], b.Close[i], b.Volume[i])
	}
	return out
}

// mkMinutes returns b's times in minutes.
func mkMinutes(times []int64) []int64 {
	out := make([]int64, len(times))
	for i, t := range times {
		out[i] = t / int64(time.Minute)
	}
	return out
}

// mkWarned reports whether some warning contains every part.
func mkWarned(warns []error, parts ...string) bool {
	for _, w := range warns {
		ok := true
		for _, p := range parts {
			ok = ok && strings.Contains(w.Error(), p)
		}
		if ok {
			return true
		}
	}
	return false
}

func mkSeq(from, to int64) []int64 {
	var out []int64
	for m := from; m <= to; m++ {
		out = append(out, m)
	}
	return out
}

func TestNewMarketIntersect(t *testing.T) {
	btc := mkBarsMin(0, 10, 1)            // 0..9
	eth := mkDrop(mkBarsMin(2, 10, 1), 5) // 2..11 without 5
	m, warns, err := NewMarket([]SymbolInput{{Name: "BTC", Candles: btc}, {Name: "ETH", Candles: eth}}, MarketOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := []int64{2, 3, 4, 6, 7, 8, 9}
	if got := mkMinutes(m.Time); !slices.Equal(got, want) {
		t.Fatalf("timeline %v, want %v", got, want)
	}
	if m.Timeframe != time.Minute {
		t.Errorf("timeframe %s, want 1m", m.Timeframe)
	}
	for _, s := range m.Symbols {
		if !slices.Equal(s.Candles.Time, m.Time) {
			t.Errorf("%s: candle times differ from the market's", s.Name)
		}
		for i, tm := range want {
			if s.Candles.Close[i] != 101+float64(tm) || s.Candles.Open[i] != 100+float64(tm) {
				t.Errorf("%s row %d: open %g close %g, want the candle at minute %d", s.Name, i, s.Candles.Open[i], s.Candles.Close[i], tm)
			}
		}
		if s.Mark != nil {
			t.Errorf("%s: mark should be nil", s.Name)
		}
		if s.Funding.Time == nil || s.Funding.Rate == nil || s.Funding.Len() != 0 {
			t.Errorf("%s: funding should be empty and non-nil, got %+v", s.Name, s.Funding)
		}
	}
	if len(warns) != 2 ||
		!mkWarned(warns, "BTC: 3 of 10 candles outside the common timeline were dropped") ||
		!mkWarned(warns, "ETH: 2 of 9 candles outside the common timeline were dropped") {
		t.Errorf("warnings %v", warns)
	}
}

func TestNewMarketIntersectNoWarningWhenEqual(t *testing.T) {
	m, warns, err := NewMarket([]SymbolInput{{Name: "BTC", Candles: mkBarsMin(0, 5, 1)}, {Name: "ETH", Candles: mkBarsMin(0, 5, 1)}}, MarketOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(warns) != 0 || len(m.Time) != 5 {
		t.Errorf("warnings %v, %d rows", warns, len(m.Time))
	}
}

func TestNewMarketUnion(t *testing.T) {
	btc := mkBarsMin(0, 10, 1)               // 0..9
	eth := mkDrop(mkBarsMin(3, 10, 1), 6, 7) // 3..12 without 6, 7
	m, warns, err := NewMarket([]SymbolInput{{Name: "BTC", Candles: btc}, {Name: "ETH", Candles: eth}}, MarketOptions{Align: AlignUnion})
	if err != nil {
		t.Fatal(err)
	}
	// Starts at ETH's first candle (the latest first time), ends at ETH's
	// last (the latest last time).
	if got, want := mkMinutes(m.Time), mkSeq(3, 12); !slices.Equal(got, want) {
		t.Fatalf("timeline %v, want %v", got, want)
	}
	type bar struct{ o, h, l, c, v float64 }
	realBar := func(minute int64) bar {
		f := float64(minute)
		return bar{100 + f, 102 + f, 98 + f, 101 + f, 1}
	}
	flat := func(c float64) bar { return bar{c, c, c, c, 0} }
	wantBTC := map[int64]bar{10: flat(110), 11: flat(110), 12: flat(110)} // after BTC's last candle (close 110 at 9)
	wantETH := map[int64]bar{6: flat(106), 7: flat(106)}                  // close of 5
	for _, tc := range []struct {
		sym  *Symbol
		flat map[int64]bar
	}{{m.Symbol("BTC"), wantBTC}, {m.Symbol("ETH"), wantETH}} {
		c := tc.sym.Candles
		for i, t0 := range mkMinutes(m.Time) {
			got := bar{c.Open[i], c.High[i], c.Low[i], c.Close[i], c.Volume[i]}
			want, ok := tc.flat[t0]
			if !ok {
				want = realBar(t0)
			}
			if got != want {
				t.Errorf("%s minute %d: got %+v, want %+v", tc.sym.Name, t0, got, want)
			}
		}
	}
	for _, parts := range [][]string{
		{"BTC: 3 of 10 candles before the common start", FormatTime(rsMin(3))},
		{"BTC: 3 of 10 bars had no candle", "flat", "3 of them come after its last candle at " + FormatTime(rsMin(9))},
		{"ETH: 2 of 10 bars had no candle", "flat"},
	} {
		if !mkWarned(warns, parts...) {
			t.Errorf("no warning with %q in %v", parts, warns)
		}
	}
	if len(warns) != 3 {
		t.Errorf("%d warnings, want 3: %v", len(warns), warns)
	}
}

func TestNewMarketUnionFillsFromDroppedRow(t *testing.T) {
	// ETH has no candle at the common start (minute 4, BTC's first): its
	// flat bar takes the close of its candle at minute 2, which is dropped.
	btc := mkBarsMin(4, 4, 1)               // 4..7
	eth := mkDrop(mkBarsMin(0, 8, 1), 3, 4) // 0..7 without 3, 4
	m, _, err := NewMarket([]SymbolInput{{Name: "BTC", Candles: btc}, {Name: "ETH", Candles: eth}}, MarketOptions{Align: AlignUnion})
	if err != nil {
		t.Fatal(err)
	}
	e := m.Symbol("ETH").Candles
	if mkMinutes(m.Time)[0] != 4 || e.Open[0] != 103 || e.Close[0] != 103 || e.Volume[0] != 0 {
		t.Errorf("first ETH bar at minute %d: open %g close %g volume %g, want flat at 103", mkMinutes(m.Time)[0], e.Open[0], e.Close[0], e.Volume[0])
	}
}

func TestNewMarketNoCommonPeriod(t *testing.T) {
	tests := []struct {
		name     string
		btc, eth Bars
		extra    string
	}{
		{"disjoint ranges", mkBarsMin(0, 5, 1), mkBarsMin(100, 5, 1), ""},
		{"offset grids", mkBarsMin(0, 10, 5), mkBarsMin(3, 10, 5), "different grids"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := NewMarket([]SymbolInput{{Name: "BTC", Candles: tt.btc}, {Name: "ETH", Candles: tt.eth}}, MarketOptions{})
			if !errors.Is(err, ErrNoCommonPeriod) {
				t.Fatalf("err = %v, want ErrNoCommonPeriod", err)
			}
			msg := err.Error()
			for _, p := range []string{
				"BTC", FormatTime(tt.btc.Time[0]), FormatTime(tt.btc.Time[tt.btc.Len()-1]),
				"ETH", FormatTime(tt.eth.Time[0]), FormatTime(tt.eth.Time[tt.eth.Len()-1]),
				"--align union", "time range", tt.extra,
			} {
				if !strings.Contains(msg, p) {
					t.Errorf("message %q lacks %q", msg, p)
				}
			}
		})
	}
}

func TestNewMarketTimeframes(t *testing.T) {
	oneMin := mkBarsMin(0, 60, 1)
	fiveMin := mkBarsMin(0, 12, 5)
	tests := []struct {
		name    string
		inputs  []SymbolInput
		tf      time.Duration
		wantErr error
		msg     []string
		wantTF  time.Duration
		wantLen int
	}{
		{
			name:    "different timeframes",
			inputs:  []SymbolInput{{Name: "BTC", Candles: oneMin}, {Name: "ETH", Candles: fiveMin}},
			wantErr: ErrTimeframe,
			msg:     []string{"BTC", "ETH", "1m", "5m", "timeframe option", "timeframe: 5m"},
		},
		{
			name:    "different timeframes resolved by the timeframe option",
			inputs:  []SymbolInput{{Name: "BTC", Candles: oneMin}, {Name: "ETH", Candles: fiveMin}},
			tf:      5 * time.Minute,
			wantTF:  5 * time.Minute,
			wantLen: 12,
		},
		{
			name:    "option coarser resamples",
			inputs:  []SymbolInput{{Name: "BTC", Candles: oneMin}},
			tf:      15 * time.Minute,
			wantTF:  15 * time.Minute,
			wantLen: 4,
		},
		{
			name:    "option not a multiple",
			inputs:  []SymbolInput{{Name: "BTC", Candles: fiveMin}},
			tf:      7 * time.Minute,
			wantErr: ErrTimeframe,
			msg:     []string{"BTC", "cannot resample 5m candles to 7m: 7m is not a multiple of 5m"},
		},
		{
			name:    "option finer than the candles",
			inputs:  []SymbolInput{{Name: "BTC", Candles: fiveMin}},
			tf:      time.Minute,
			wantErr: ErrTimeframe,
			msg:     []string{"1m is not a multiple of 5m"},
		},
		{
			name:    "single candle takes the others' timeframe",
			inputs:  []SymbolInput{{Name: "BTC", Candles: fiveMin}, {Name: "NEW", Candles: mkBarsMin(55, 1, 5)}},
			wantTF:  5 * time.Minute,
			wantLen: 1,
		},
		{
			name:    "only single candles",
			inputs:  []SymbolInput{{Name: "BTC", Candles: mkBarsMin(5, 1, 5)}},
			wantErr: ErrTimeframe,
			msg:     []string{"single candle", "timeframe option"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, _, err := NewMarket(tt.inputs, MarketOptions{Timeframe: tt.tf})
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				for _, p := range tt.msg {
					if !strings.Contains(err.Error(), p) {
						t.Errorf("message %q lacks %q", err, p)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if m.Timeframe != tt.wantTF || len(m.Time) != tt.wantLen {
				t.Errorf("timeframe %s with %d rows, want %s with %d", m.Timeframe, len(m.Time), tt.wantTF, tt.wantLen)
			}
		})
	}
}

func TestNewMarketResamplesCandles(t *testing.T) {
	m, _, err := NewMarket([]SymbolInput{{Name: "BTC", Candles: mkBarsMin(0, 10, 1)}}, MarketOptions{Timeframe: 5 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	c := m.Symbols[0].Candles
	// Minutes 0..4: open 100, high 106, low 98, close 105, volume 5.
	rsEqualRows(t, c, []rsRow{{0, 100, 106, 98, 105, 5}, {5, 105, 111, 103, 110, 5}})
}

func TestNewMarketMark(t *testing.T) {
	candles5m := mkBarsMin(0, 6, 5) // 0..25
	nan := math.NaN()
	tests := []struct {
		name     string
		candles  Bars
		mark     Bars
		wantErr  error
		msg      string
		wantRows []rsRow // expected aligned mark, NaN compared as NaN
		warn     string
		accept   bool // MarkCoverage: CoverageAccept
	}{
		{
			name:    "finer mark is resampled",
			candles: mkBarsMin(0, 2, 5),
			mark:    mkBarsMin(0, 10, 1),
			wantRows: []rsRow{
				{0, 100, 106, 98, 105, 5},
				{5, 105, 111, 103, 110, 5},
			},
		},
		{
			name:    "mark not a divisor is refused",
			candles: candles5m,
			mark:    mkBarsMin(0, 20, 2),
			wantErr: ErrTimeframe,
			msg:     "cannot resample 2m mark candles",
		},
		{
			name:    "missing mark rows are NaN",
			candles: mkBarsMin(0, 6, 5),
			mark:    mkDrop(mkBarsMin(0, 6, 5), 5, 10),
			wantRows: []rsRow{
				{0, 100, 102, 98, 101, 1},
				{5, nan, nan, nan, nan, nan},
				{10, nan, nan, nan, nan, nan},
				{15, 115, 117, 113, 116, 1},
				{20, 120, 122, 118, 121, 1},
				{25, 125, 127, 123, 126, 1},
			},
			warn:   "BTC mark does not cover the market: no mark candle between 1970-01-01T00:00:00Z and 1970-01-01T00:15:00Z: 2 bars have no mark candle (1970-01-01T00:05:00Z to 1970-01-01T00:10:00Z); accepted: those bars have NaN marks and trade prices stand in for them",
			accept: true,
		},
		{
			name:    "one-row mark matches any timeframe",
			candles: mkBarsMin(0, 3, 5),
			mark:    mkBarsMin(5, 1, 5),
			wantRows: []rsRow{
				{0, nan, nan, nan, nan, nan},
				{5, 105, 107, 103, 106, 1},
				{10, nan, nan, nan, nan, nan},
			},
			warn:   "BTC mark does not cover the market: the first mark candle is at 1970-01-01T00:05:00Z, but the first bar opens at 1970-01-01T00:00:00Z: 1 bar has no mark candle (1970-01-01T00:00:00Z); the last mark candle",
			accept: true,
		},
		{
			name:    "mark longer than the candles is clipped silently",
			candles: mkBarsMin(10, 2, 5),
			mark:    mkBarsMin(0, 6, 5),
			wantRows: []rsRow{
				{10, 110, 112, 108, 111, 1},
				{15, 115, 117, 113, 116, 1},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mark := tt.mark
			opt := MarketOptions{}
			if tt.accept {
				opt.MarkCoverage = CoverageAccept
			}
			m, warns, err := NewMarket([]SymbolInput{{Name: "BTC", Candles: tt.candles, Mark: &mark}}, opt)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.msg) {
					t.Errorf("message %q lacks %q", err, tt.msg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			mk := m.Symbols[0].Mark
			if mk == nil {
				t.Fatal("mark is nil")
			}
			if !slices.Equal(mk.Time, m.Time) {
				t.Errorf("mark times %v differ from the timeline %v", mkMinutes(mk.Time), mkMinutes(m.Time))
			}
			mkEqualNaN(t, *mk, tt.wantRows)
			if tt.warn == "" && len(warns) != 0 {
				t.Errorf("unexpected warnings %v", warns)
			}
			if tt.warn != "" && !mkWarned(warns, tt.warn) {
				t.Errorf("no warning %q in %v", tt.warn, warns)
			}
		})
	}
}

// mkEqualNaN compares rows, treating NaN as equal to NaN.
func mkEqualNaN(t *testing.T, got Bars, want []rsRow) {
	t.Helper()
	eq := func(a, b float64) bool { return a == b || (math.IsNaN(a) && math.IsNaN(b)) }
	g := rsRows(got)
	if len(g) != len(want) {
		t.Fatalf("got %d rows %v, want %d rows %v", len(g), g, len(want), want)
	}
	for i, w := range want {
		r := g[i]
		if r.min != w.min || !eq(r.o, w.o) || !eq(r.h, w.h) || !eq(r.l, w.l) || !eq(r.c, w.c) || !eq(r.v, w.v) {
			t.Errorf("row %d: got %+v, want %+v", i, r, w)
		}
	}
}

func TestNewMarketFunding(t *testing.T) {
	// Candles 00:10 .. 00:25 at 5m: span [00:10, 00:30).
	f := Funding{
		Time: []int64{rsMin(0), rsMin(10), rsMin(17) + 3e6, rsMin(29), rsMin(30), rsMin(40)},
		Rate: []float64{1, 2, 3, 4, 5, 6},
	}
	m, _, err := NewMarket([]SymbolInput{
		{Name: "BTC", Candles: mkBarsMin(10, 4, 5), Funding: &f},
		{Name: "ETH", Candles: mkBarsMin(10, 4, 5)},
	}, MarketOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got := m.Symbol("BTC").Funding
	if !slices.Equal(got.Rate, []float64{2, 3, 4}) || !slices.Equal(got.Time, f.Time[1:4]) {
		t.Errorf("funding %v at %v, want rates 2, 3, 4", got.Rate, got.Time)
	}
	got.Rate[0] = 99
	if f.Rate[1] != 2 {
		t.Error("market funding shares memory with the input")
	}
	if e := m.Symbol("ETH").Funding; e.Time == nil || e.Rate == nil || e.Len() != 0 {
		t.Errorf("ETH funding %+v, want empty and non-nil", e)
	}
}

func TestNewMarketInputErrors(t *testing.T) {
	ok := mkBarsMin(0, 5, 1)
	unsorted := mkBarsMin(0, 5, 1)
	unsorted.Time[1], unsorted.Time[2] = unsorted.Time[2], unsorted.Time[1]
	dupTime := mkBarsMin(0, 5, 1)
	dupTime.Time[2] = dupTime.Time[1]
	short := mkBarsMin(0, 5, 1)
	short.Low = short.Low[:3]
	badFunding := Funding{Time: []int64{rsMin(2), rsMin(1)}, Rate: []float64{1, 2}}
	shortFunding := Funding{Time: []int64{rsMin(1)}}
	tests := []struct {
		name   string
		inputs []SymbolInput
		opt    MarketOptions
		want   error
		msg    string
	}{
		{"no inputs", nil, MarketOptions{}, nil, "no symbols"},
		{"empty name", []SymbolInput{{Candles: ok}}, MarketOptions{}, nil, "empty name"},
		{"duplicate name", []SymbolInput{{Name: "BTC", Candles: ok}, {Name: "BTC", Candles: ok}}, MarketOptions{}, nil, `"BTC" is given twice`},
		{"no candles", []SymbolInput{{Name: "BTC"}}, MarketOptions{}, ErrEmpty, "BTC: no candles"},
		{"unsorted candles", []SymbolInput{{Name: "BTC", Candles: unsorted}}, MarketOptions{}, ErrUnsorted, "BTC candles"},
		{"duplicate candle time", []SymbolInput{{Name: "BTC", Candles: dupTime}}, MarketOptions{}, ErrDuplicate, "BTC candles"},
		{"columns of different length", []SymbolInput{{Name: "BTC", Candles: short}}, MarketOptions{}, nil, "differ in length"},
		{"unsorted mark", []SymbolInput{{Name: "BTC", Candles: ok, Mark: &unsorted}}, MarketOptions{}, ErrUnsorted, "BTC mark"},
		{"short mark", []SymbolInput{{Name: "BTC", Candles: ok, Mark: &short}}, MarketOptions{}, nil, "BTC mark"},
		{"unsorted funding", []SymbolInput{{Name: "BTC", Candles: ok, Funding: &badFunding}}, MarketOptions{}, ErrUnsorted, "BTC funding"},
		{"short funding", []SymbolInput{{Name: "BTC", Candles: ok, Funding: &shortFunding}}, MarketOptions{}, nil, "funding columns differ"},
		{"bad alignment", []SymbolInput{{Name: "BTC", Candles: ok}}, MarketOptions{Align: 7}, nil, "alignment"},
		{"negative timeframe", []SymbolInput{{Name: "BTC", Candles: ok}}, MarketOptions{Timeframe: -time.Minute}, ErrTimeframe, "negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, _, err := NewMarket(tt.inputs, tt.opt)
			if err == nil {
				t.Fatalf("no error; market %+v", m)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("message %q lacks %q", err, tt.msg)
			}
		})
	}
}

func TestNewMarketDoesNotAliasInputs(t *testing.T) {
	btc := mkBarsMin(0, 5, 1)
	m, _, err := NewMarket([]SymbolInput{{Name: "BTC", Candles: btc}}, MarketOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m.Time[0] = -1
	m.Symbols[0].Candles.Close[0] = -1
	if btc.Time[0] != 0 || btc.Close[0] != 101 {
		t.Error("mutating the market changed the input")
	}
	if m.Symbols[0].Candles.Time[0] != -1 {
		t.Error("Candles.Time does not share Market.Time")
	}
}

func TestMarketResample(t *testing.T) {
	// 1m BTC 0..14 with mark missing at 5..9 (a whole 5m bucket) and at 12.
	mark := mkDrop(mkBarsMin(0, 15, 1), 5, 6, 7, 8, 9, 12)
	for i := range mark.Volume {
		mark.Volume[i] = 0
	}
	f := Funding{Time: []int64{rsMin(0), rsMin(8), rsMin(14)}, Rate: []float64{0.1, 0.2, 0.3}}
	m, _, err := NewMarket([]SymbolInput{
		{Name: "BTC", Candles: mkBarsMin(0, 15, 1), Mark: &mark, Funding: &f},
		{Name: "ETH", Candles: mkBarsMin(0, 15, 1)},
	}, MarketOptions{MarkCoverage: CoverageAccept})
	if err != nil {
		t.Fatal(err)
	}
	r, err := m.Resample(5 * time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if r.Timeframe != 5*time.Minute || !slices.Equal(mkMinutes(r.Time), []int64{0, 5, 10}) {
		t.Fatalf("timeframe %s times %v", r.Timeframe, mkMinutes(r.Time))
	}
	btc := r.Symbol("BTC")
	rsEqualRows(t, btc.Candles, []rsRow{{0, 100, 106, 98, 105, 5}, {5, 105, 111, 103, 110, 5}, {10, 110, 116, 108, 115, 5}})
	// Bucket 10 skips the NaN row at 12: its low is 108 (minute 10), its
	// close 115 (minute 14).
	mkEqualNaN(t, *btc.Mark, []rsRow{
		{0, 100, 106, 98, 105, 0},
		{5, math.NaN(), math.NaN(), math.NaN(), math.NaN(), math.NaN()},
		{10, 110, 116, 108, 115, 0},
	})
	if !slices.Equal(btc.Funding.Time, f.Time) || !slices.Equal(btc.Funding.Rate, f.Rate) {
		t.Errorf("funding %+v, want %+v", btc.Funding, f)
	}
	if r.Symbol("ETH").Mark != nil || r.Symbol("ETH").Funding.Time == nil {
		t.Error("ETH: mark should stay nil and funding empty non-nil")
	}
	// The original is untouched.
	if len(m.Time) != 15 || m.Symbol("BTC").Funding.Len() != 3 {
		t.Error("Resample modified the market")
	}
	r.Symbol("BTC").Funding.Rate[0] = 9
	if m.Symbol("BTC").Funding.Rate[0] != 0.1 {
		t.Error("resampled funding shares memory with the original")
	}
}

func TestMarketResampleErrors(t *testing.T) {
	m, _, err := NewMarket([]SymbolInput{{Name: "BTC", Candles: mkBarsMin(0, 30, 1)}}, MarketOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Resample(90 * time.Second); !errors.Is(err, ErrTimeframe) {
		t.Errorf("90s: err = %v, want ErrTimeframe", err)
	}
	cp, err := m.Resample(time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	cp.Time[0] = -1
	cp.Symbols[0].Candles.Close[0] = -1
	if m.Time[0] != 0 || m.Symbols[0].Candles.Close[0] != 101 {
		t.Error("Resample to the same timeframe shares memory")
	}
	bad := &Market{Time: m.Time[:29], Timeframe: time.Minute, Symbols: m.Symbols}
	if _, err := bad.Resample(5 * time.Minute); !errors.Is(err, ErrMisaligned) {
		t.Errorf("misaligned: err = %v, want ErrMisaligned", err)
	}
}

func TestMarketSymbol(t *testing.T) {
	m, _, err := NewMarket([]SymbolInput{{Name: "BTC", Candles: mkBarsMin(0, 3, 1)}, {Name: "ETH", Candles: mkBarsMin(0, 3, 1)}}, MarketOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if s := m.Symbol("ETH"); s != &m.Symbols[1] {
		t.Errorf("Symbol(ETH) = %p, want %p", s, &m.Symbols[1])
	}
	if s := m.Symbol("SOL"); s != nil {
		t.Errorf("Symbol(SOL) = %+v, want nil", s)
	}
}

func TestAlignmentParse(t *testing.T) {
	tests := []struct {
		in      string
		want    Alignment
		wantErr bool
	}{
		{"", AlignIntersect, false},
		{"intersect", AlignIntersect, false},
		{"union", AlignUnion, false},
		{"outer", 0, true},
		{"Union", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseAlignment(tt.in)
			if tt.wantErr {
				if err == nil || !strings.Contains(err.Error(), "intersect") || !strings.Contains(err.Error(), "union") {
					t.Errorf("err = %v, want one listing intersect and union", err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("got %v, %v; want %v", got, err, tt.want)
			}
			if tt.in != "" && got.String() != tt.in {
				t.Errorf("String() = %q, want %q", got.String(), tt.in)
			}
		})
	}
}
