package data

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet/compress"
)

func load(t *testing.T, path string, opt LoadOptions) (*Series, error) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	opt.Allocator = mem
	s, err := Load(context.Background(), path, opt)
	mem.AssertSize(t, 0)
	return s, err
}

func mustLoad(t *testing.T, path string, opt LoadOptions) *Series {
	t.Helper()
	s, err := load(t, path, opt)
	if err != nil {
		t.Fatalf("load %s: %v", path, err)
	}
	return s
}

func TestRoundTripWriters(t *testing.T) {
	want := walkBars(10_000, 7)
	for _, tc := range []struct {
		ext   string
		codec string
		chunk int
		plain bool
	}{
		{".parquet", "zstd", 0, false},
		{".parquet", "snappy", 3000, false},
		{".parquet", "gzip", 2500, true},
		{".parquet", "none", 0, true},
		{".feather", "lz4", 1000, false},
		{".arrow", "zstd", 4096, false},
		{".ipc", "none", 0, false},
		{".arrows", "lz4", 999, false},
		{".arrows", "zstd", 0, false},
	} {
		name := fmt.Sprintf("%s-%s-%d-plain=%v", tc.ext, tc.codec, tc.chunk, tc.plain)
		t.Run(name, func(t *testing.T) {
			path := t.TempDir() + "/BTC-1m" + tc.ext
			s := &Series{Kind: KindCandles, Bars: want}
			if err := WriteFile(path, s, WriteOptions{Codec: tc.codec, ChunkRows: tc.chunk, Plain: tc.plain}); err != nil {
				t.Fatal(err)
			}
			got := mustLoad(t, path, LoadOptions{})
			sameBars(t, got.Bars, want)
			wantCodec := tc.codec
			switch wantCodec {
			case "none":
				wantCodec = "uncompressed"
			case "lz4":
				wantCodec = "lz4_frame"
			}
			if got.Codec != wantCodec {
				t.Errorf("codec = %q, want %q", got.Codec, wantCodec)
			}
			if got.Timeframe != time.Minute || got.Gaps.Count != 0 || len(got.Warnings) != 0 {
				t.Errorf("timeframe %v gaps %+v warnings %v", got.Timeframe, got.Gaps, got.Warnings)
			}
		})
	}
}

func TestRoundTripKindsFromMetadata(t *testing.T) {
	dir := t.TempDir()
	b := walkBars(50, 1)
	// Names carry no hint: the kind must come from the file's metadata.
	mark := &Series{Kind: KindMark, Bars: b}
	if err := WriteFile(dir+"/a.parquet", mark, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := mustLoad(t, dir+"/a.parquet", LoadOptions{}); got.Kind != KindMark {
		t.Errorf("kind %s, want mark", got.Kind)
	}
	f := &Series{Kind: KindFunding, Funding: Funding{Time: []int64{t0, t0 + 8*int64(time.Hour)}, Rate: []float64{0.0001, -0.0002}}}
	if err := WriteFile(dir+"/b.arrow", f, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	got := mustLoad(t, dir+"/b.arrow", LoadOptions{})
	if got.Kind != KindFunding || got.Funding.Rate[1] != -0.0002 || got.Funding.Time[1] != f.Funding.Time[1] {
		t.Errorf("funding round trip: %+v", got.Funding)
	}
}

func TestWriteFileRejectsUnknownExtension(t *testing.T) {
	err := WriteFile(t.TempDir()+"/x.xlsx", &Series{Kind: KindCandles, Bars: walkBars(3, 1)}, WriteOptions{})
	if err == nil || !strings.Contains(err.Error(), ".parquet") {
		t.Fatalf("err = %v", err)
	}
}

// TestColumnVariants loads layouts that real writers produce.
func TestColumnVariants(t *testing.T) {
	b := walkBars(20, 3)
	secs := make([]int64, 20)
	ms := make([]int64, 20)
	us := make([]int64, 20)
	for i, v := range b.Time {
		secs[i], ms[i], us[i] = v/1e9, v/1e6, v/1e3
	}
	f32 := func(name string, v []float64) col {
		c := float64Col(name, v)
		c.arr.Release()
		return castCol(name, v, arrow.PrimitiveTypes.Float32)
	}
	for _, tc := range []struct {
		name string
		cols []col
		opt  LoadOptions
	}{
		{"time last, upper case, extra string column (pandas index)", []col{
			stringCol("symbol", repeat("BTCUSDT", 20)),
			float64Col("Open", b.Open), float64Col("HIGH", b.High), float64Col("low", b.Low), float64Col("Close", b.Close), float64Col("Volume", b.Volume),
			timestampCol("open_time", b.Time, arrow.Millisecond, "UTC")}, LoadOptions{}},
		{"epoch seconds inferred", append([]col{int64Col("timestamp", secs)}, barsCols(b)[1:]...), LoadOptions{}},
		{"epoch ms inferred", append([]col{int64Col("ts", ms)}, barsCols(b)[1:]...), LoadOptions{}},
		{"epoch us inferred", append([]col{int64Col("time", us)}, barsCols(b)[1:]...), LoadOptions{}},
		{"epoch ms named", append([]col{int64Col("t", ms)}, barsCols(b)[1:]...), LoadOptions{TimeColumn: "t", EpochUnit: time.Millisecond}},
		{"timestamp seconds naive", append([]col{timestampCol("datetime", b.Time, arrow.Second, "")}, barsCols(b)[1:]...), LoadOptions{}},
		{"timestamp us other zone", append([]col{timestampCol("date", b.Time, arrow.Microsecond, "Asia/Seoul")}, barsCols(b)[1:]...), LoadOptions{Location: seoul(t)}},
		{"iso strings", append([]col{stringCol("date", isoTimes(b.Time))}, barsCols(b)[1:]...), LoadOptions{}},
		{"float32 prices", []col{timestampCol("date", b.Time, arrow.Nanosecond, "UTC"),
			f32("open", b.Open), f32("high", b.High), f32("low", b.Low), f32("close", b.Close), f32("volume", b.Volume)}, LoadOptions{}},
	} {
		for _, format := range []Format{FormatParquet, FormatArrowFile, FormatArrowStream} {
			t.Run(tc.name+"/"+string(format), func(t *testing.T) {
				cols := make([]col, len(tc.cols))
				for i, c := range tc.cols {
					c.arr.Retain()
					cols[i] = c
				}
				path := writeCols(t, "x.bin", format, cols, 7)
				s := mustLoad(t, path, tc.opt)
				if s.Bars.Len() != 20 || s.Bars.Time[0] != b.Time[0] || s.Bars.Time[19] != b.Time[19] {
					t.Fatalf("times %v..%v, want %v..%v", FormatTime(s.Bars.Time[0]), FormatTime(s.Bars.Time[19]), FormatTime(b.Time[0]), FormatTime(b.Time[19]))
				}
				if math.Abs(s.Bars.Close[5]-b.Close[5]) > 1e-4 {
					t.Errorf("close[5] = %v, want %v", s.Bars.Close[5], b.Close[5])
				}
			})
		}
	}
}

func repeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

func isoTimes(ns []int64) []string {
	out := make([]string, len(ns))
	for i, v := range ns {
		out[i] = time.Unix(0, v).UTC().Format("2006-01-02 15:04:05")
	}
	return out
}

func seoul(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		t.Skipf("no tz database: %v", err)
	}
	return loc
}

func TestNaiveTimesInZone(t *testing.T) {
	b := walkBars(5, 1)
	path := writeCols(t, "x.parquet", FormatParquet, append([]col{timestampCol("date", b.Time, arrow.Millisecond, "")}, barsCols(b)[1:]...), 100)
	utc := mustLoad(t, path, LoadOptions{})
	kst := mustLoad(t, path, LoadOptions{Location: seoul(t)})
	if d := utc.Bars.Time[0] - kst.Bars.Time[0]; d != int64(9*time.Hour) {
		t.Errorf("naive 00:00 in Seoul is 15:00 UTC the day before: shift %v, want 9h", time.Duration(d))
	}
	// A zoned column is absolute: the option must not move it.
	path = writeCols(t, "y.parquet", FormatParquet, barsCols(b), 100)
	if got := mustLoad(t, path, LoadOptions{Location: seoul(t)}); got.Bars.Time[0] != b.Time[0] {
		t.Errorf("zoned times moved by --tz")
	}
}

func TestCSV(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		opt        LoadOptions
		wantFirst  string
		wantRows   int
	}{
		{"iso naive", "timestamp,open,high,low,close,volume\n2024-01-01 00:00:00.000000,10,11,9,10.5,1\n2024-01-01 00:01:00.000000,10.5,12,10,11,2\n", LoadOptions{}, "2024-01-01T00:00:00Z", 2},
		{"rfc3339 zoned", "Date,Open,High,Low,Close\n2024-01-01T09:00:00+09:00,10,11,9,10.5\n2024-01-01T09:01:00+09:00,10.5,12,10,11\n", LoadOptions{}, "2024-01-01T00:00:00Z", 2},
		{"epoch ms, semicolons", "open_time;open;high;low;close;volume\n1704067200000;10;11;9;10.5;1\n1704067260000;10.5;12;10;11;2\n", LoadOptions{}, "2024-01-01T00:00:00Z", 2},
		{"naive in zone", "date,open,high,low,close,volume\n2024-01-01 09:00,10,11,9,10.5,1\n", LoadOptions{Location: seoul(t)}, "2024-01-01T00:00:00Z", 1},
		{"funding", "date,funding_rate\n2024-01-01T00:00:00Z,0.0001\n2024-01-01T08:00:00Z,-0.00005\n", LoadOptions{}, "2024-01-01T00:00:00Z", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := mustLoad(t, writeBytes(t, "in.csv", []byte(tc.text)), tc.opt)
			if s.Rows() != tc.wantRows {
				t.Fatalf("rows %d, want %d", s.Rows(), tc.wantRows)
			}
			times := s.Bars.Time
			if s.Kind == KindFunding {
				times = s.Funding.Time
			}
			if got := FormatTime(times[0]); got != tc.wantFirst {
				t.Errorf("first %s, want %s", got, tc.wantFirst)
			}
		})
	}
}

// TestEarlyTimes: integer epochs of 0–499 are read as seconds of 1970 (the
// unit their size suggests), and the series says so: no market data is
// that old. A 2024 series says nothing.
func TestEarlyTimes(t *testing.T) {
	var b strings.Builder
	b.WriteString("time,open,high,low,close,volume\n")
	for i := range 500 {
		fmt.Fprintf(&b, "%d,10,11,9,10,1\n", i)
	}
	s := mustLoad(t, writeBytes(t, "early.csv", []byte(b.String())), LoadOptions{})
	if len(s.Warnings) != 1 || !strings.Contains(s.Warnings[0].Error(), "times start at 1970-01-01T00:00:00Z, before any plausible market data (2009): the integer times were read as seconds since 1970, a unit inferred from their size; give the unit (--epoch-unit)") {
		t.Errorf("warnings %v", s.Warnings)
	}
	s = mustLoad(t, writeBytes(t, "early.csv", []byte(b.String())), LoadOptions{EpochUnit: time.Millisecond})
	if len(s.Warnings) != 1 || !strings.Contains(s.Warnings[0].Error(), "read as milliseconds since 1970, as asked") {
		t.Errorf("warnings with a given unit: %v", s.Warnings)
	}
	s = mustLoad(t, writeBytes(t, "late.csv", []byte("time,open,high,low,close,volume\n1704067200,10,11,9,10,1\n1704067260,10,11,9,10,1\n")), LoadOptions{})
	if len(s.Warnings) != 0 {
		t.Errorf("a 2024 series warns: %v", s.Warnings)
	}
}

// TestBadInput: every problem is an *InputError naming the file, the column
// and row where there is one, wrapping the right sentinel; none panics.
func TestBadInput(t *testing.T) {
	b := walkBars(10, 2)
	mod := func(f func(b *Bars)) []col {
		c := b.Clone()
		f(&c)
		return barsCols(c)
	}
	type want struct {
		err    error
		column string
		row    int
		text   string // substring of the message
	}
	cases := []struct {
		name string
		cols []col
		opt  LoadOptions
		want want
	}{
		{"unsorted", mod(func(b *Bars) { b.Time[4], b.Time[5] = b.Time[5], b.Time[4] }), LoadOptions{}, want{ErrUnsorted, "date", 5, "--sort"}},
		{"duplicate", mod(func(b *Bars) { b.Time[6] = b.Time[5] }), LoadOptions{}, want{ErrDuplicate, "date", 6, "--dedupe"}},
		{"duplicate after sort", mod(func(b *Bars) { b.Time[1], b.Time[8] = b.Time[8], b.Time[5] }), LoadOptions{Sort: true}, want{ErrDuplicate, "date", -2, "--dedupe"}},
		{"NaN close", mod(func(b *Bars) { b.Close[3] = math.NaN() }), LoadOptions{}, want{ErrBadPrice, "close", 3, "finite"}},
		{"negative low", mod(func(b *Bars) { b.Low[2] = -1 }), LoadOptions{}, want{ErrBadPrice, "low", 2, "greater than 0"}},
		{"zero open", mod(func(b *Bars) { b.Open[0] = 0 }), LoadOptions{}, want{ErrBadPrice, "open", 0, ""}},
		{"infinite high", mod(func(b *Bars) { b.High[9] = math.Inf(1) }), LoadOptions{}, want{ErrBadPrice, "high", 9, ""}},
		{"tiny prices", mod(func(b *Bars) { b.Open[5], b.High[5], b.Low[5], b.Close[5] = 1e-300, 1e-300, 1e-300, 1e-300 }), LoadOptions{}, want{ErrBadPrice, "open", 5, "1e-300"}},
		{"huge high", mod(func(b *Bars) { b.High[8] = 1e300 }), LoadOptions{}, want{ErrBadPrice, "high", 8, "[1e-09, 1e+09]"}},
		{"low above open", mod(func(b *Bars) { b.Low[4] = b.Open[4] * 1.01; b.High[4] = b.Low[4] * 1.1; b.Close[4] = b.Low[4] * 1.05 }), LoadOptions{}, want{ErrOHLC, "low", 4, "low"}},
		{"high below close", mod(func(b *Bars) { b.High[7] = math.Max(b.Open[7], b.Close[7]) * 0.999 }), LoadOptions{}, want{ErrOHLC, "high", 7, "high"}},
		{"negative volume", mod(func(b *Bars) { b.Volume[1] = -5 }), LoadOptions{}, want{ErrBadValue, "volume", 1, "volume"}},
		{"null close", append(barsCols(b)[:4], float64Col("close", b.Close, 6), float64Col("volume", b.Volume)), LoadOptions{}, want{ErrNull, "close", 6, "--nulls"}},
		{"null in first row cannot be filled", append(barsCols(b)[:1], float64Col("open", b.Open, 0), float64Col("high", b.High), float64Col("low", b.Low), float64Col("close", b.Close)), LoadOptions{Nulls: NullsFill}, want{ErrNull, "open", 0, "drop"}},
		{"missing close", barsCols(b)[:4], LoadOptions{}, want{ErrMissingColumn, "close", -1, "open, high, low, close"}},
		{"no time column", barsCols(b)[1:], LoadOptions{}, want{ErrMissingColumn, "time", -1, "--time-column"}},
		{"named time column absent", barsCols(b), LoadOptions{TimeColumn: "when"}, want{ErrMissingColumn, "when", -1, ""}},
		{"string price column", append(barsCols(b)[:4], stringCol("close", repeat("1", 10))), LoadOptions{}, want{ErrColumnType, "close", -1, "float"}},
		{"epoch out of range", append([]col{int64Col("date", []int64{1 << 62, 1<<62 + 1, 1<<62 + 2, 1<<62 + 3, 1<<62 + 4, 1<<62 + 5, 1<<62 + 6, 1<<62 + 7, 1<<62 + 8, 1<<62 + 9})}, barsCols(b)[1:]...), LoadOptions{EpochUnit: time.Second}, want{ErrTimeRange, "date", 0, "epoch unit"}},
	}
	for _, tc := range cases {
		for _, format := range []Format{FormatParquet, FormatArrowFile} {
			t.Run(tc.name+"/"+string(format), func(t *testing.T) {
				cols := make([]col, len(tc.cols))
				for i, c := range tc.cols {
					c.arr.Retain()
					cols[i] = c
				}
				path := writeCols(t, "bad.bin", format, cols, 4)
				_, err := load(t, path, tc.opt)
				checkInputError(t, err, path, tc.want.err, tc.want.column, tc.want.row, tc.want.text)
			})
		}
	}
}

func checkInputError(t *testing.T, err error, path string, sentinel error, column string, row int, text string) {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	var ie *InputError
	if !errors.As(err, &ie) {
		t.Fatalf("error %T %v is not an *InputError", err, err)
	}
	if !errors.Is(err, sentinel) {
		t.Errorf("error %q does not wrap %v", err, sentinel)
	}
	if ie.File != path || !strings.Contains(err.Error(), path) {
		t.Errorf("error %q does not name the file %s", err, path)
	}
	if ie.Column != column {
		t.Errorf("column %q, want %q (%v)", ie.Column, column, err)
	}
	if row != -2 && ie.Row != row {
		t.Errorf("row %d, want %d (%v)", ie.Row, row, err)
	}
	if ie.Row >= 0 && !strings.Contains(err.Error(), fmt.Sprintf("row %d", ie.Row)) {
		t.Errorf("message %q does not name row %d", err, ie.Row)
	}
	if !strings.Contains(err.Error(), text) {
		t.Errorf("message %q does not contain %q", err, text)
	}
}

func TestBadFiles(t *testing.T) {
	good := t.TempDir() + "/good.parquet"
	if err := WriteFile(good, &Series{Kind: KindCandles, Bars: walkBars(1000, 4)}, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(good)
	for _, tc := range []struct {
		name    string
		content []byte
		err     error
	}{
		{"empty", nil, ErrEmpty},
		{"binary garbage", []byte{0x00, 0x01, 0x02, 0x88, 0x99, 0xaa, 0x00, 0x10}, ErrFormat},
		{"truncated parquet", raw[:len(raw)/2], ErrCorrupt},
		{"parquet without footer", raw[:len(raw)-8], ErrCorrupt},
		{"header only csv", []byte("date,open,high,low,close\n"), ErrEmpty},
		{"ragged csv", []byte("date,open,high,low,close\n2024-01-01,1,2,1,2\n2024-01-02,1,2\n"), ErrCorrupt},
		{"csv bad number", []byte("date,open,high,low,close\n2024-01-01,1,2,1,abc\n"), ErrBadValue},
		{"csv bad time", []byte("date,open,high,low,close\nyesterday,1,2,1,2\n"), ErrBadTime},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ext := ".parquet"
			if strings.Contains(tc.name, "csv") {
				ext = ".csv"
			}
			path := writeBytes(t, "f"+ext, tc.content)
			_, err := load(t, path, LoadOptions{})
			var ie *InputError
			if !errors.As(err, &ie) || !errors.Is(err, tc.err) {
				t.Fatalf("err = %v, want an *InputError wrapping %v", err, tc.err)
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("%q does not name the file", err)
			}
		})
	}
	t.Run("csv errors give the line", func(t *testing.T) {
		path := writeBytes(t, "f.csv", []byte("date,open,high,low,close\n2024-01-01,1,2,1,2\n2024-01-02,1,2,1,x\n"))
		_, err := load(t, path, LoadOptions{})
		var ie *InputError
		if !errors.As(err, &ie) || ie.Line != 3 || ie.Row != 1 || ie.Column != "close" {
			t.Fatalf("err = %v (%+v), want row 1 line 3 column close", err, ie)
		}
	})
	t.Run("ragged csv gives the line", func(t *testing.T) {
		path := writeBytes(t, "f.csv", []byte("date,open,high,low,close\n2024-01-01,1,2,1,2\n2024-01-02,1,2\n"))
		_, err := load(t, path, LoadOptions{})
		if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), path+": line 3: ") || !strings.Contains(err.Error(), "same number of fields") {
			t.Fatalf("err = %v, want line 3 named", err)
		}
	})
	t.Run("binary csv is refused before its bytes become column names", func(t *testing.T) {
		junk := make([]byte, 20000)
		for i := range junk {
			junk[i] = byte(i*131 + 7)
		}
		path := writeBytes(t, "f.csv", junk)
		_, err := load(t, path, LoadOptions{})
		if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "not text") || len(err.Error()) > 400 {
			t.Fatalf("err = %q (%d bytes), want a short ErrFormat saying it is not text", err, len(err.Error()))
		}
	})
	t.Run("directory", func(t *testing.T) {
		if _, err := load(t, t.TempDir(), LoadOptions{}); !errors.Is(err, ErrFormat) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("missing file", func(t *testing.T) {
		if _, err := load(t, "/nonexistent/x.parquet", LoadOptions{}); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestRepairs(t *testing.T) {
	b := walkBars(10, 5)
	t.Run("sort", func(t *testing.T) {
		c := b.Clone()
		c.Time[2], c.Time[7] = c.Time[7], c.Time[2]
		c.Open[2], c.Open[7] = c.Open[7], c.Open[2]
		c.High[2], c.High[7] = c.High[7], c.High[2]
		c.Low[2], c.Low[7] = c.Low[7], c.Low[2]
		c.Close[2], c.Close[7] = c.Close[7], c.Close[2]
		c.Volume[2], c.Volume[7] = c.Volume[7], c.Volume[2]
		s := mustLoad(t, writeCols(t, "x.parquet", FormatParquet, barsCols(c), 100), LoadOptions{Sort: true})
		sameBars(t, s.Bars, b)
		if len(s.Warnings) != 1 || !strings.Contains(s.Warnings[0].Error(), "sorted") {
			t.Errorf("warnings %v", s.Warnings)
		}
	})
	t.Run("dedupe keeps the last", func(t *testing.T) {
		c := b.Clone()
		c.Time[4] = c.Time[3]
		s := mustLoad(t, writeCols(t, "x.parquet", FormatParquet, barsCols(c), 100), LoadOptions{Dedupe: true})
		if s.Bars.Len() != 9 || s.Bars.Close[3] != b.Close[4] {
			t.Fatalf("len %d close[3] %v, want 9 and %v", s.Bars.Len(), s.Bars.Close[3], b.Close[4])
		}
	})
	t.Run("nulls fill", func(t *testing.T) {
		cols := append(barsCols(b)[:1], float64Col("open", b.Open, 3), float64Col("high", b.High, 3), float64Col("low", b.Low, 3), float64Col("close", b.Close, 3, 4), float64Col("volume", b.Volume, 5))
		s := mustLoad(t, writeCols(t, "x.parquet", FormatParquet, cols, 100), LoadOptions{Nulls: NullsFill})
		// Row 3 becomes a flat bar at close[2]; row 4's close is row 3's (filled) close.
		for _, v := range []float64{s.Bars.Open[3], s.Bars.High[3], s.Bars.Low[3], s.Bars.Close[3], s.Bars.Close[4]} {
			if v != b.Close[2] {
				t.Errorf("filled %v, want %v", v, b.Close[2])
			}
		}
		if s.Bars.Volume[5] != 0 {
			t.Errorf("volume fill %v", s.Bars.Volume[5])
		}
	})
	t.Run("nulls drop", func(t *testing.T) {
		cols := append(barsCols(b)[:4], float64Col("close", b.Close, 2, 8), float64Col("volume", b.Volume, 8))
		s := mustLoad(t, writeCols(t, "x.parquet", FormatParquet, cols, 100), LoadOptions{Nulls: NullsDrop})
		if s.Bars.Len() != 8 || s.Bars.Time[2] != b.Time[3] {
			t.Fatalf("len %d", s.Bars.Len())
		}
	})
	t.Run("gaps reported and filled", func(t *testing.T) {
		c := b.Slice(0, 10)
		keep := []int{0, 1, 2, 6, 7, 9}
		var g Bars
		for _, i := range keep {
			g.appendRow(c.Time[i], c.Open[i], c.High[i], c.Low[i], c.Close[i], c.Volume[i])
		}
		path := writeCols(t, "x.parquet", FormatParquet, barsCols(g), 100)
		s := mustLoad(t, path, LoadOptions{})
		if s.Gaps != (Gaps{Count: 2, Missing: 4, Largest: 4 * time.Minute, LargestAt: c.Time[6]}) {
			t.Errorf("gaps %+v", s.Gaps)
		}
		if len(s.Warnings) != 1 || !strings.Contains(s.Warnings[0].Error(), "2 gaps, 4 missing 1m rows") {
			t.Errorf("warnings %v", s.Warnings)
		}
		f := mustLoad(t, path, LoadOptions{FillGaps: true})
		if f.Bars.Len() != 10 || f.Bars.Time[4] != c.Time[4] || f.Bars.Open[4] != g.Close[2] || f.Bars.High[5] != g.Close[2] || f.Bars.Volume[3] != 0 {
			t.Errorf("filled bars wrong: %+v", f.Bars)
		}
	})
}

func TestDetectTimeframe(t *testing.T) {
	h8 := int64(8 * time.Hour)
	for _, tc := range []struct {
		name  string
		times []int64
		want  time.Duration
	}{
		{"empty", nil, 0},
		{"one", []int64{5}, 0},
		{"regular 5m", []int64{0, 300e9, 600e9, 900e9}, 5 * time.Minute},
		{"with a gap", []int64{0, 60e9, 120e9, 600e9, 660e9}, time.Minute},
		{"ms jitter", []int64{17e6, h8 + 14e6, 2*h8 + 5e6, 3*h8 + 17e6}, 8 * time.Hour},
		{"no majority, tie to smaller", []int64{0, 60e9, 180e9, 240e9, 360e9}, time.Minute},
	} {
		if got := DetectTimeframe(tc.times); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestTimeframeFormatParse(t *testing.T) {
	for _, s := range []string{"1m", "5m", "15m", "1h", "4h", "8h", "1d", "1w", "30s", "500ms"} {
		d, err := ParseTimeframe(s)
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		if got := FormatTimeframe(d); got != s {
			t.Errorf("round trip %s -> %v -> %s", s, d, got)
		}
	}
	for _, bad := range []string{"", "0m", "-5m", "5x", "d"} {
		if _, err := ParseTimeframe(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "0s", 170 * time.Minute: "2h50m", 76 * time.Hour: "3d4h", 90 * time.Second: "1m30s",
		1500 * time.Millisecond: "1s500ms", 1500 * time.Microsecond: "1ms500µs",
	} {
		if got := FormatDuration(d); got != want {
			t.Errorf("FormatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

// TestSynthRoundTrip: a synthetic market written in every format reads back
// bit-identical, for candles, mark candles and funding.
func TestSynthRoundTrip(t *testing.T) {
	m, err := Synthesize(SynthConfig{Symbols: []string{"BTC", "ETH"}, Bars: 5000, Seed: 11})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, sym := range m.Symbols {
		for _, s := range []*Series{
			{Kind: KindCandles, Bars: sym.Candles},
			{Kind: KindMark, Bars: *sym.Mark},
			{Kind: KindFunding, Funding: sym.Funding},
		} {
			for _, ext := range []string{".parquet", ".feather", ".arrows"} {
				path := fmt.Sprintf("%s/%s-%s%s", dir, sym.Name, s.Kind, ext)
				if err := WriteFile(path, s, WriteOptions{ChunkRows: 1500}); err != nil {
					t.Fatal(err)
				}
				got := mustLoad(t, path, LoadOptions{})
				if got.Kind != s.Kind {
					t.Fatalf("%s: kind %s", path, got.Kind)
				}
				if s.Kind == KindFunding {
					if len(got.Funding.Time) != len(s.Funding.Time) {
						t.Fatalf("%s: %d events, want %d", path, len(got.Funding.Time), len(s.Funding.Time))
					}
					for i := range s.Funding.Time {
						if got.Funding.Time[i] != s.Funding.Time[i] || math.Float64bits(got.Funding.Rate[i]) != math.Float64bits(s.Funding.Rate[i]) {
							t.Fatalf("%s: event %d differs", path, i)
						}
					}
					continue
				}
				sameBars(t, got.Bars, s.Bars)
			}
		}
	}
}

// TestZstdCodecSameBytes: the reusing ZSTD codec writes what arrow-go's
// own writes, byte for byte, and round-trips.
func TestZstdCodecSameBytes(t *testing.T) {
	ours, err := compress.GetCodec(compress.Codecs.Zstd)
	if err != nil {
		t.Fatal(err)
	}
	theirs := ours.(zstdCodec).Codec
	src := []byte(strings.Repeat("marginlab zstd page ", 5000))
	for _, level := range []int{compress.DefaultCompressionLevel, 1, 3, 9} {
		a := ours.EncodeLevel(nil, src, level)
		b := theirs.EncodeLevel(nil, src, level)
		if !bytes.Equal(a, b) {
			t.Errorf("level %d: reusing codec writes different bytes", level)
		}
		if got := ours.Decode(nil, a); !bytes.Equal(got, src) {
			t.Errorf("level %d: round trip failed", level)
		}
	}
}
