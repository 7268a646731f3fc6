package data

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// rsMin converts minutes since the epoch to Unix nanoseconds.
func rsMin(m int64) int64 { return m * int64(time.Minute) }

// rsRow is one hand-written candle: minute since the epoch and OHLCV.
type rsRow struct {
	min           int64
	o, h, l, c, v float64
}

// rsBars builds Bars from hand-written rows.
func rsBars(rows ...rsRow) Bars {
	b := MakeBars(len(rows))
	for i, r := range rows {
		b.Time[i], b.Open[i], b.High[i], b.Low[i], b.Close[i], b.Volume[i] = rsMin(r.min), r.o, r.h, r.l, r.c, r.v
	}
	return b
}

// rsRows returns b as rows (times in minutes) for comparison.
func rsRows(b Bars) []rsRow {
	out := make([]rsRow, b.Len())
	for i := range out {
		out[i] = rsRow{b.Time[i] / int64(time.Minute), b.Open[i], b.High[i], b.Low[i], b.Close[i], b.Volume[i]}
	}
	return out
}

func rsEqualRows(t *testing.T, got Bars, want []rsRow) {
	t.Helper()
	g := rsRows(got)
	if len(g) != len(want) {
		t.Fatalf("got %d rows %v, want %d rows %v", len(g), g, len(want), want)
	}
	for i := range want {
		if g[i] != want[i] {
			t.Errorf("row %d: got %+v, want %+v", i, g[i], want[i])
		}
	}
}

// mkBarsMin returns n candles of step minutes starting at minute start; the
// open at minute m is 100+m, high open+2, low open-2, close open+1, volume 1.
func mkBarsMin(start, n, step int64) Bars {
	b := MakeBars(int(n))
	for i := range b.Time {
		m := start + int64(i)*step
		b.Time[i] = rsMin(m)
		b.Open[i] = 100 + float64(m)
		b.High[i] = b.Open[i] + 2
		b.Low[i] = b.Open[i] - 2
		b.Close[i] = b.Open[i] + 1
		b.Volume[i] = 1
	}
	return b
}

func TestResample1mTo5m(t *testing.T) {
	// Data start at 00:03, have a gap from 00:10 to 00:16 and end inside
	// the 00:15 bucket.
	src := rsBars(
		rsRow{3, 10, 12, 9, 11, 1},
		rsRow{4, 11, 13, 10, 12, 2},
		rsRow{5, 12, 15, 11, 14, 3},
		rsRow{6, 14, 14, 8, 9, 4},
		rsRow{7, 9, 10, 9, 10, 5},
		rsRow{8, 10, 11, 10, 11, 6},
		rsRow{9, 11, 12, 11, 12, 7},
		rsRow{17, 20, 21, 19, 20, 1},
		rsRow{18, 20, 22, 18, 21, 1.5},
	)
	got, err := Resample(src, time.Minute, 5*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	rsEqualRows(t, got, []rsRow{
		{0, 10, 13, 9, 12, 3},     // partial bucket at the start: 00:03, 00:04
		{5, 12, 15, 8, 12, 25},    // full bucket
		{15, 20, 22, 18, 21, 2.5}, // partial after the gap; no 00:10 bucket
	})
}

func TestResampleAlignment(t *testing.T) {
	day := int64(24 * 60)
	// 2024-01-01 is a Monday.
	jan1 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano() / int64(time.Minute)
	tests := []struct {
		name      string
		src       Bars
		from, to  time.Duration
		wantTimes []time.Time
		wantVol   []float64
	}{
		{
			name: "1m to 1d starts at 00:00 UTC",
			src:  mkBarsMin(jan1-2*60, 4*60, 1), // 2023-12-31 22:00 .. 2024-01-01 01:59
			from: time.Minute, to: 24 * time.Hour,
			wantTimes: []time.Time{
				time.Date(2023, 12, 31, 0, 0, 0, 0, time.UTC),
				time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
			},
			wantVol: []float64{120, 120},
		},
		{
			name: "1h to 4h starts at multiples of 4h",
			src:  mkBarsMin(jan1+3*60, 6, 60), // 03:00 .. 08:00
			from: time.Hour, to: 4 * time.Hour,
			wantTimes: []time.Time{
				time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
				time.Date(2024, 1, 1, 4, 0, 0, 0, time.UTC),
				time.Date(2024, 1, 1, 8, 0, 0, 0, time.UTC),
			},
			wantVol: []float64{1, 4, 1},
		},
		{
			name: "1d to 1w starts on Monday",
			src:  mkBarsMin(jan1+2*day, 10, day), // Wed 2024-01-03 .. Fri 2024-01-12
			from: 24 * time.Hour, to: 7 * 24 * time.Hour,
			wantTimes: []time.Time{
				time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
				time.Date(2024, 1, 8, 0, 0, 0, 0, time.UTC),
			},
			wantVol: []float64{5, 5},
		},
		{
			name: "1h to 1w starts on Monday",
			src:  mkBarsMin(jan1-24*60, 48, 60), // Sun 2023-12-31 .. Mon 2024-01-01
			from: time.Hour, to: 7 * 24 * time.Hour,
			wantTimes: []time.Time{
				time.Date(2023, 12, 25, 0, 0, 0, 0, time.UTC),
				time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
			},
			wantVol: []float64{24, 24},
		},
		{
			name: "before 1970 floors, not truncates",
			src:  mkBarsMin(-7, 9, 1), // 1969-12-31 23:53 .. 1970-01-01 00:01
			from: time.Minute, to: 5 * time.Minute,
			wantTimes: []time.Time{
				time.Date(1969, 12, 31, 23, 50, 0, 0, time.UTC),
				time.Date(1969, 12, 31, 23, 55, 0, 0, time.UTC),
				time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC),
			},
			wantVol: []float64{2, 5, 2},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Resample(tt.src, tt.from, tt.to)
			if err != nil {
				t.Fatal(err)
			}
			if got.Len() != len(tt.wantTimes) {
				t.Fatalf("got %d candles, want %d", got.Len(), len(tt.wantTimes))
			}
			for i, w := range tt.wantTimes {
				if g := time.Unix(0, got.Time[i]).UTC(); !g.Equal(w) {
					t.Errorf("candle %d at %s, want %s", i, g, w)
				}
				if got.Volume[i] != tt.wantVol[i] {
					t.Errorf("candle %d volume %g, want %g", i, got.Volume[i], tt.wantVol[i])
				}
				if tt.to%(7*24*time.Hour) == 0 && time.Unix(0, got.Time[i]).UTC().Weekday() != time.Monday {
					t.Errorf("weekly candle %d starts on %s", i, time.Unix(0, got.Time[i]).UTC().Weekday())
				}
			}
		})
	}
}

func TestResampleRefuses(t *testing.T) {
	src := mkBarsMin(0, 30, 1)
	tests := []struct {
		name     string
		from, to time.Duration
		want     error
		msg      string
	}{
		{"3m to 5m", 3 * time.Minute, 5 * time.Minute, ErrTimeframe, "cannot resample 3m candles to 5m: 5m is not a multiple of 3m"},
		{"5m to 1m", 5 * time.Minute, time.Minute, ErrTimeframe, "cannot resample 5m candles to 1m: 1m is not a multiple of 5m"},
		{"zero target", time.Minute, 0, ErrTimeframe, "must be positive"},
		{"zero source", 0, time.Minute, ErrTimeframe, "must be positive"},
		{"negative target", time.Minute, -5 * time.Minute, ErrTimeframe, "must be positive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Resample(src, tt.from, tt.to)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("message %q lacks %q", err, tt.msg)
			}
		})
	}
}

func TestResampleRejectsBadInput(t *testing.T) {
	unsorted := mkBarsMin(0, 5, 1)
	unsorted.Time[2], unsorted.Time[3] = unsorted.Time[3], unsorted.Time[2]
	dup := mkBarsMin(0, 5, 1)
	dup.Time[3] = dup.Time[2]
	short := mkBarsMin(0, 5, 1)
	short.Close = short.Close[:4]
	tests := []struct {
		name string
		src  Bars
		to   time.Duration
		want error
	}{
		{"unsorted", unsorted, 5 * time.Minute, ErrUnsorted},
		{"duplicate", dup, 5 * time.Minute, ErrDuplicate},
		{"unsorted same timeframe", unsorted, time.Minute, ErrUnsorted},
		{"columns of different length", short, 5 * time.Minute, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Resample(tt.src, time.Minute, tt.to)
			if err == nil {
				t.Fatal("no error")
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestResampleSameTimeframeIsCopy(t *testing.T) {
	src := mkBarsMin(3, 10, 1) // off the 5m grid on purpose: must not move
	want := src.Clone()
	got, err := Resample(src, time.Minute, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	rsEqualRows(t, got, rsRows(want))
	got.Time[0] = -1
	got.Close[0] = -1
	got.Volume[9] = -1
	if src.Time[0] != want.Time[0] || src.Close[0] != want.Close[0] || src.Volume[9] != want.Volume[9] {
		t.Error("mutating the result changed the input")
	}
}

func TestResampleEmpty(t *testing.T) {
	got, err := Resample(Bars{}, time.Minute, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if got.Len() != 0 {
		t.Errorf("got %d candles from none", got.Len())
	}
}

// TestResampleMatchesNaive compares Resample with a map-based reference on
// random data with random gaps.
func TestResampleMatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	targets := []time.Duration{5 * time.Minute, 15 * time.Minute, time.Hour, 4 * time.Hour, 24 * time.Hour, 7 * 24 * time.Hour, 14 * 24 * time.Hour}
	for trial := 0; trial < 20; trial++ {
		var rows []rsRow
		m := int64(rng.IntN(1_000_000)) - 500_000
		for len(rows) < 5000 {
			if rng.IntN(50) == 0 {
				m += int64(rng.IntN(3000))
			}
			o := 100 + rng.Float64()*10
			c := 100 + rng.Float64()*10
			rows = append(rows, rsRow{m, o, max(o, c) + rng.Float64(), min(o, c) - rng.Float64(), c, float64(rng.IntN(10))})
			m++
		}
		src := rsBars(rows...)
		for _, to := range targets {
			got, err := Resample(src, time.Minute, to)
			if err != nil {
				t.Fatal(err)
			}
			want := rsNaiveResample(rows, to)
			g := rsRows(got)
			if len(g) != len(want) {
				t.Fatalf("trial %d to %s: %d candles, want %d", trial, FormatTimeframe(to), len(g), len(want))
			}
			for i := range want {
				if g[i] != want[i] {
					t.Fatalf("trial %d to %s candle %d: got %+v want %+v", trial, FormatTimeframe(to), i, g[i], want[i])
				}
			}
		}
	}
}

// rsNaiveResample is the obvious reference implementation, using
// time.Time's own week arithmetic for the Monday anchor.
func rsNaiveResample(rows []rsRow, to time.Duration) []rsRow {
	bucket := func(minute int64) int64 {
		t := time.Unix(minute*60, 0).UTC()
		if to%(7*24*time.Hour) == 0 {
			monday := time.Date(1970, 1, 5, 0, 0, 0, 0, time.UTC)
			w := int64(to / time.Minute)
			d := int64(t.Sub(monday) / time.Minute)
			k := d / w
			if d%w != 0 && d < 0 {
				k--
			}
			return monday.Unix()/60 + k*w
		}
		return t.Add(-time.Duration(((minute%int64(to/time.Minute))+int64(to/time.Minute))%int64(to/time.Minute))*time.Minute).Unix() / 60
	}
	var out []rsRow
	for _, r := range rows {
		b := bucket(r.min)
		if len(out) == 0 || out[len(out)-1].min != b {
			out = append(out, rsRow{b, r.o, r.h, r.l, r.c, r.v})
			continue
		}
		last := &out[len(out)-1]
		last.h = math.Max(last.h, r.h)
		last.l = math.Min(last.l, r.l)
		last.c = r.c
		last.v += r.v
	}
	return out
}

func TestResampleAllocatesOnlyOutput(t *testing.T) {
	src := mkBarsMin(0, 10_000, 1)
	allocs := testing.AllocsPerRun(20, func() {
		if _, err := Resample(src, time.Minute, time.Hour); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 7 {
		t.Errorf("Resample made %.0f allocations, want at most 7 (the six output columns)", allocs)
	}
}

func BenchmarkResample1mTo1h(b *testing.B) {
	const n = 1_000_000
	src := mkBarsMin(0, n, 1)
	for b.Loop() {
		if _, err := Resample(src, time.Minute, time.Hour); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
