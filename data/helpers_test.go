package data

import (
	"bytes"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/compress"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"
)

// t0 is 2024-01-01T00:00:00Z in Unix ns, the start of test series.
var t0 = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()

// walkBars returns n valid 1m candles: a seeded random walk from 100.
func walkBars(n int, seed uint64) Bars {
	rng := rand.New(rand.NewPCG(seed, 1))
	b := MakeBars(n)
	price := 100.0
	for i := range n {
		b.Time[i] = t0 + int64(i)*int64(time.Minute)
		o := price
		c := o * math.Exp(0.002*rng.NormFloat64())
		b.Open[i], b.Close[i] = o, c
		b.High[i] = math.Max(o, c) * (1 + 0.001*rng.Float64())
		b.Low[i] = math.Min(o, c) * (1 - 0.001*rng.Float64())
		b.Volume[i] = 10 * rng.Float64()
		price = c
	}
	return b
}

// col is one column for a hand-built test file.
type col struct {
	name string
	arr  arrow.Array
}

// float64Col builds a float64 column; NaN entries listed in nulls are null.
func float64Col(name string, v []float64, nulls ...int) col {
	bld := array.NewFloat64Builder(memory.DefaultAllocator)
	defer bld.Release()
	isNull := map[int]bool{}
	for _, i := range nulls {
		isNull[i] = true
	}
	for i, x := range v {
		if isNull[i] {
			bld.AppendNull()
		} else {
			bld.Append(x)
		}
	}
	return col{name, bld.NewArray()}
}

// timestampCol builds a timestamp column from Unix ns in the given unit.
func timestampCol(name string, ns []int64, unit arrow.TimeUnit, tz string) col {
	typ := &arrow.TimestampType{Unit: unit, TimeZone: tz}
	bld := array.NewTimestampBuilder(memory.DefaultAllocator, typ)
	defer bld.Release()
	div := int64(arrowUnit(unit))
	for _, v := range ns {
		bld.Append(arrow.Timestamp(v / div))
	}
	return col{name, bld.NewArray()}
}

func int64Col(name string, v []int64) col {
	bld := array.NewInt64Builder(memory.DefaultAllocator)
	defer bld.Release()
	bld.AppendValues(v, nil)
	return col{name, bld.NewArray()}
}

func stringCol(name string, v []string) col {
	bld := array.NewStringBuilder(memory.DefaultAllocator)
	defer bld.Release()
	bld.AppendValues(v, nil)
	return col{name, bld.NewArray()}
}

// barsCols returns the standard columns of b with a ns UTC "date" column.
func barsCols(b Bars) []col {
	return []col{
		timestampCol("date", b.Time, arrow.Nanosecond, "UTC"),
		float64Col("open", b.Open), float64Col("high", b.High), float64Col("low", b.Low),
		float64Col("close", b.Close), float64Col("volume", b.Volume),
	}
}

func record(cols []col) arrow.Record {
	fields := make([]arrow.Field, len(cols))
	arrs := make([]arrow.Array, len(cols))
	for i, c := range cols {
		fields[i] = arrow.Field{Name: c.name, Type: c.arr.DataType(), Nullable: true}
		arrs[i] = c.arr
	}
	return array.NewRecord(arrow.NewSchema(fields, nil), arrs, int64(cols[0].arr.Len()))
}

// writeCols writes the columns in the given format to a temp file named
// name and returns its path. batch sets rows per batch / row group.
func writeCols(t testing.TB, name string, format Format, cols []col, batch int64) string {
	t.Helper()
	rec := record(cols)
	defer rec.Release()
	var buf bytes.Buffer
	switch format {
	case FormatParquet:
		props := parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Snappy),
			parquet.WithMaxRowGroupLength(batch), parquet.WithVersion(parquet.V2_LATEST))
		fw, err := pqarrow.NewFileWriter(rec.Schema(), &buf, props, pqarrow.DefaultWriterProps())
		if err != nil {
			t.Fatal(err)
		}
		if err := fw.Write(rec); err != nil {
			t.Fatal(err)
		}
		if err := fw.Close(); err != nil {
			t.Fatal(err)
		}
	case FormatArrowFile, FormatArrowStream:
		opts := []ipc.Option{ipc.WithSchema(rec.Schema()), ipc.WithLZ4()}
		var w interface {
			Write(arrow.Record) error
			Close() error
		}
		if format == FormatArrowStream {
			w = ipc.NewWriter(&buf, opts...)
		} else {
			fw, err := ipc.NewFileWriter(&positionWriter{w: &buf}, opts...)
			if err != nil {
				t.Fatal(err)
			}
			w = fw
		}
		for off := int64(0); off < rec.NumRows(); off += batch {
			s := rec.NewSlice(off, min(off+batch, rec.NumRows()))
			if err := w.Write(s); err != nil {
				t.Fatal(err)
			}
			s.Release()
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	default:
		t.Fatalf("writeCols: format %s", format)
	}
	for _, c := range cols {
		c.arr.Release()
	}
	return writeBytes(t, name, buf.Bytes())
}

func writeBytes(t testing.TB, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// sameBars fails the test unless a and b hold bit-identical values.
func sameBars(t *testing.T, got, want Bars) {
	t.Helper()
	if got.Len() != want.Len() {
		t.Fatalf("len = %d, want %d", got.Len(), want.Len())
	}
	for i := range want.Time {
		if got.Time[i] != want.Time[i] {
			t.Fatalf("row %d: time %d, want %d", i, got.Time[i], want.Time[i])
		}
		for _, c := range []struct {
			name string
			g, w []float64
		}{{"open", got.Open, want.Open}, {"high", got.High, want.High}, {"low", got.Low, want.Low}, {"close", got.Close, want.Close}, {"volume", got.Volume, want.Volume}} {
			if math.Float64bits(c.g[i]) != math.Float64bits(c.w[i]) {
				t.Fatalf("row %d: %s %v, want %v", i, c.name, c.g[i], c.w[i])
			}
		}
	}
}

// castCol builds a column of the given numeric type from float64 values.
func castCol(name string, v []float64, typ arrow.DataType) col {
	switch typ.ID() {
	case arrow.FLOAT32:
		bld := array.NewFloat32Builder(memory.DefaultAllocator)
		defer bld.Release()
		for _, x := range v {
			bld.Append(float32(x))
		}
		return col{name, bld.NewArray()}
	case arrow.INT64:
		bld := array.NewInt64Builder(memory.DefaultAllocator)
		defer bld.Release()
		for _, x := range v {
			bld.Append(int64(x))
		}
		return col{name, bld.NewArray()}
	}
	panic("castCol: " + typ.String())
}
