package data

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/file"
)

// Direct Parquet decoding: for flat columns of plain numeric and timestamp
// types, arrow-go's typed column readers decode pages straight into
// marginlab's columns. Going through Arrow arrays instead allocates every
// value twice and leaves the copies to the garbage collector, which lets the
// heap reach about three times the loaded columns. Files with other layouts
// (INT96 or string times, unsigned or nested columns) take the pqarrow path.

// directColumn says how one used column is decoded.
type directColumn struct {
	leaf   int          // Parquet leaf column index
	phys   parquet.Type // physical type
	maxDef int16        // > 0: optional, nulls possible
	unit   time.Duration
	naive  bool // time column without a zone
}

// planDirect returns, per role, how to decode it, or false when some used
// column needs the pqarrow path.
func (a *accum) planDirect(pf *file.Reader, leafOf [nRoles]int) ([nRoles]directColumn, bool) {
	var plan [nRoles]directColumn
	schema := pf.MetaData().Schema
	for r := range a.p.index {
		if a.p.index[r] < 0 {
			continue
		}
		leaf := leafOf[r]
		c := schema.Column(leaf)
		if c.MaxRepetitionLevel() != 0 {
			return plan, false
		}
		d := directColumn{leaf: leaf, phys: c.PhysicalType(), maxDef: c.MaxDefinitionLevel()}
		typ := a.p.types[r]
		ok := false
		switch {
		case role(r) == roleTime && typ.ID() == arrow.TIMESTAMP && d.phys == parquet.Types.Int64:
			tt := typ.(*arrow.TimestampType)
			d.unit, d.naive, ok = arrowUnit(tt.Unit), tt.TimeZone == "", true
		case role(r) == roleTime && typ.ID() == arrow.DATE32 && d.phys == parquet.Types.Int32:
			d.unit, d.naive, ok = 24*time.Hour, true, true
		case typ.ID() == arrow.INT64 && d.phys == parquet.Types.Int64,
			typ.ID() == arrow.INT32 && d.phys == parquet.Types.Int32:
			ok = true // epoch times (unit 0: given or inferred) or integer values
		case role(r) != roleTime && typ.ID() == arrow.FLOAT64 && d.phys == parquet.Types.Double,
			role(r) != roleTime && typ.ID() == arrow.FLOAT32 && d.phys == parquet.Types.Float:
			ok = true
		}
		if !ok {
			return plan, false
		}
		plan[r] = d
	}
	return plan, true
}

// readRowGroupDirect decodes row group g into window w, whose columns have
// exactly the group's row count as capacity.
func readRowGroupDirect(pf *file.Reader, g int, w *accum, plan [nRoles]directColumn) error {
	rg := pf.RowGroup(g)
	n := int(rg.NumRows())
	var def []int16
	for r := range w.p.index {
		if w.p.index[r] < 0 {
			continue
		}
		d := plan[r]
		cr, err := rg.Column(d.leaf)
		if err != nil {
			return err
		}
		if d.maxDef > 0 && def == nil {
			def = make([]int16, min(n, directBatch))
		}
		var nulls []int
		if role(r) == roleTime {
			w.time = w.time[:n]
			if nulls, err = readInts(cr, w.time, def, d.maxDef, w.rows); err != nil {
				return err
			}
			isNull := func(i int) bool { _, found := slices.BinarySearch(nulls, w.rows+i); return found }
			if len(nulls) == 0 {
				isNull = nil
			}
			// scaleInPlace re-appends the null rows it finds.
			if w.nulls[roleTime], err = w.conv.scaleInPlace(w.time, isNull, w.rows, d.unit, d.naive, w.nulls[roleTime]); err != nil {
				return err
			}
			continue
		}
		w.vals[r] = w.vals[r][:n]
		if nulls, err = readFloats(cr, w.vals[r], def, d.maxDef, w.rows); err != nil {
			return err
		}
		w.nulls[r] = append(w.nulls[r], nulls...)
	}
	w.rows += n
	return nil
}

// directBatch is the rows per ReadBatch call.
const directBatch = 64 << 10

// spread moves the k packed non-null values of dst[:total] to their rows
// (def level == maxDef), back to front, writing zero at null rows. It
// returns the absolute rows (base + i) of the nulls in increasing order.
func spread[T int64 | float64](dst []T, def []int16, maxDef int16, total, k, base int, null T, nulls []int) []int {
	if k == total {
		return nulls
	}
	start := len(nulls)
	j := k - 1
	for i := total - 1; i >= 0; i-- {
		if def[i] == maxDef {
			dst[i] = dst[j]
			j--
		} else {
			dst[i] = null
			nulls = append(nulls, base+i)
		}
	}
	slices.Reverse(nulls[start:])
	return nulls
}

// readFloats decodes a numeric column chunk into dst as float64.
func readFloats(cr file.ColumnChunkReader, dst []float64, def []int16, maxDef int16, base int) ([]int, error) {
	var batch func(out []float64, defs []int16) (int64, int, error)
	switch c := cr.(type) {
	case *file.Float64ColumnChunkReader:
		batch = func(out []float64, defs []int16) (int64, int, error) {
			return c.ReadBatch(int64(len(out)), out, defs, nil)
		}
	case *file.Float32ColumnChunkReader:
		batch = convertingBatch(c.ReadBatch, func(x float32) float64 { return float64(x) })
	case *file.Int64ColumnChunkReader:
		batch = convertingBatch(c.ReadBatch, func(x int64) float64 { return float64(x) })
	case *file.Int32ColumnChunkReader:
		batch = convertingBatch(c.ReadBatch, func(x int32) float64 { return float64(x) })
	default:
		return nil, fmt.Errorf("unexpected column reader %T", cr)
	}
	return readColumn(dst, def, maxDef, base, math.NaN(), batch)
}

// readInts decodes an INT64 or INT32 column chunk into dst as int64.
func readInts(cr file.ColumnChunkReader, dst []int64, def []int16, maxDef int16, base int) ([]int, error) {
	var batch func(out []int64, defs []int16) (int64, int, error)
	switch c := cr.(type) {
	case *file.Int64ColumnChunkReader:
		batch = func(out []int64, defs []int16) (int64, int, error) {
			return c.ReadBatch(int64(len(out)), out, defs, nil)
		}
	case *file.Int32ColumnChunkReader:
		batch = convertingBatch(c.ReadBatch, func(x int32) int64 { return int64(x) })
	default:
		return nil, fmt.Errorf("unexpected column reader %T", cr)
	}
	return readColumn(dst, def, maxDef, base, 0, batch)
}

// convertingBatch adapts a ReadBatch of physical type S to output type T
// through a reused scratch buffer.
func convertingBatch[S, T any](read func(int64, []S, []int16, []int16) (int64, int, error), conv func(S) T) func([]T, []int16) (int64, int, error) {
	var scratch []S
	return func(out []T, defs []int16) (int64, int, error) {
		scratch = grow(scratch, len(out))
		total, k, err := read(int64(len(out)), scratch, defs, nil)
		for i := range k {
			out[i] = conv(scratch[i])
		}
		return total, k, err
	}
}

// readColumn fills dst by batches of directBatch rows, spreading the packed
// values of optional columns to their rows; it returns the null rows.
func readColumn[T int64 | float64](dst []T, def []int16, maxDef int16, base int, null T, batch func([]T, []int16) (int64, int, error)) ([]int, error) {
	var nulls []int
	var defs []int16
	for pos := 0; pos < len(dst); {
		want := min(len(dst)-pos, directBatch)
		if maxDef > 0 {
			defs = def[:want]
		}
		out := dst[pos : pos+want]
		total, k, err := batch(out, defs)
		if err != nil {
			return nil, err
		}
		if total <= 0 || int(total) > want {
			return nil, fmt.Errorf("column chunk ended after %d of %d rows", pos, len(dst))
		}
		nulls = spread(out, defs, maxDef, int(total), k, base+pos, null, nulls)
		pos += int(total)
	}
	return nulls, nil
}

func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}
