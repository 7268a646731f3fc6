package sweep

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"unicode"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/compress"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"

	"github.com/marginlab/marginlab/backtest"
	"github.com/marginlab/marginlab/data/publish"
)

// Result tables (Parquet, ZSTD), rows sorted by cell id, mode, path:
//
//	runs.parquet          one row per cell × mode × path: cell_id, mode,
//	                      path, every swept parameter (by its config path),
//	                      mark_source, and every backtest.Metrics field in
//	                      snake_case
//	liquidations.parquet  every liquidation event, with cell_id, mode, path
//	trades.parquet        every fill (Options.Trades)
//	equity.parquet        the downsampled series (Options.Equity)

// tableNames are the files writeTables may write.
var tableNames = []string{"runs.parquet", "liquidations.parquet", "trades.parquet", "equity.parquet"}

// writeTables reads the job records and writes the tables into out. Each
// table is written under a temporary name; they are renamed into place
// together once every one is complete, so a failure (a full disk) leaves
// the previous tables as they were.
func writeTables(out string, axes []Axis, refs []jobRef, trades, equity bool) error {
	order := append([]jobRef(nil), refs...)
	sortRefs(order) // by cell id, then path, whatever shard holds them
	runs := newTable(filepath.Join(out, "runs.parquet"), runColumns(axes))
	liqs := newTable(filepath.Join(out, "liquidations.parquet"), liquidationColumns())
	fills := newTable(filepath.Join(out, "trades.parquet"), fillColumns())
	eqs := newTable(filepath.Join(out, "equity.parquet"), equityColumns())
	for _, t := range []*table{runs, liqs, fills, eqs} {
		defer t.abort() // no-op once committed
	}
	// Rows go out a cell at a time: every path of one mode, then the next
	// mode. A cell's records arrive consecutively, since order is sorted.
	var cell []*jobResult
	err := readJobsInOrder(order, runtime.GOMAXPROCS(0), 64, func(r *jobResult) error {
		if len(cell) > 0 && cell[0].Cell != r.Cell {
			if err := addCellRows(cell, axes, runs, liqs, fills, eqs, trades, equity); err != nil {
				return err
			}
			cell = cell[:0]
		}
		cell = append(cell, r)
		return nil
	})
	if err == nil && len(cell) > 0 {
		err = addCellRows(cell, axes, runs, liqs, fills, eqs, trades, equity)
	}
	if err != nil {
		return err
	}
	tabs := []*table{runs, liqs}
	if trades {
		tabs = append(tabs, fills)
	}
	if equity {
		tabs = append(tabs, eqs)
	}
	// The tables are independent: compress and write them concurrently.
	errs := make([]error, len(tabs))
	var wg sync.WaitGroup
	for k, t := range tabs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[k] = t.close()
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	for _, t := range tabs {
		if err := t.commit(); err != nil {
			return err
		}
	}
	return nil
}

// addCellRows appends one cell's rows, its records being every path's.
func addCellRows(results []*jobResult, axes []Axis, runs, liqs, fills, eqs *table, trades, equity bool) error {
	modes := []string{}
	for _, mr := range results[0].Runs {
		modes = append(modes, mr.Mode)
	}
	slices.Sort(modes)
	for _, mode := range modes {
		for _, r := range results {
			mr := r.find(mode)
			if mr == nil {
				return fmt.Errorf("sweep: cell %s path %d has no %s run", r.Cell, r.Path, mode)
			}
			key := func(t *table) {
				t.str("cell_id", r.Cell)
				t.str("mode", mode)
				t.i64("path", int64(r.Path))
			}
			key(runs)
			addParams(runs, axes, r.Params)
			runs.str("mark_source", mr.MarkSource)
			runs.structFields(reflect.ValueOf(mr.Metrics), "")
			runs.endRow()
			for _, l := range mr.Liquidations {
				key(liqs)
				liqs.structFields(reflect.ValueOf(l), "position_")
				liqs.endRow()
			}
			if trades {
				for _, f := range mr.Fills {
					key(fills)
					fills.structFields(reflect.ValueOf(f), "")
					fills.endRow()
				}
			}
			if equity {
				s := mr.Series
				for k := range s.Time {
					key(eqs)
					eqs.ts("time", s.Time[k])
					eqs.f64("equity", s.Equity[k])
					eqs.f64("capital_at_risk", s.CapitalAtRisk[k])
					eqs.f64("margin_used", s.MarginUsed[k])
					eqs.f64("leverage", s.Leverage[k])
					eqs.endRow()
				}
			}
		}
	}
	return nil
}

func (r *jobResult) find(mode string) *modeRun {
	for k := range r.Runs {
		if r.Runs[k].Mode == mode {
			return &r.Runs[k]
		}
	}
	return nil
}

// addParams adds one column per axis, typed by the axis' values.
func addParams(t *table, axes []Axis, params []Param) {
	for _, ax := range axes {
		var v any
		for _, p := range params {
			if p.Path == ax.Path {
				v = p.Value
			}
		}
		switch axisKind(ax) {
		case arrow.FLOAT64:
			f, _ := v.(float64)
			t.f64(ax.Path, f)
		case arrow.BOOL:
			b, _ := v.(bool)
			t.boolean(ax.Path, b)
		default:
			t.str(ax.Path, fmt.Sprint(v))
		}
	}
}

// axisKind is the column type of an axis: float64 when every value is a
// number, bool when every value is a bool, else string.
func axisKind(ax Axis) arrow.Type {
	num, boo := true, true
	for _, v := range ax.Values {
		_, isNum := v.(float64)
		_, isBool := v.(bool)
		num, boo = num && isNum, boo && isBool
	}
	switch {
	case num:
		return arrow.FLOAT64
	case boo:
		return arrow.BOOL
	}
	return arrow.STRING
}

// column declares one table column.
type column struct {
	name string
	typ  arrow.DataType
}

var tsType = &arrow.TimestampType{Unit: arrow.Nanosecond, TimeZone: "UTC"}

func keyColumns() []column {
	return []column{{"cell_id", arrow.BinaryTypes.String}, {"mode", arrow.BinaryTypes.String}, {"path", arrow.PrimitiveTypes.Int64}}
}

func runColumns(axes []Axis) []column {
	cols := keyColumns()
	for _, ax := range axes {
		switch axisKind(ax) {
		case arrow.FLOAT64:
			cols = append(cols, column{ax.Path, arrow.PrimitiveTypes.Float64})
		case arrow.BOOL:
			cols = append(cols, column{ax.Path, arrow.FixedWidthTypes.Boolean})
		default:
			cols = append(cols, column{ax.Path, arrow.BinaryTypes.String})
		}
	}
	cols = append(cols, column{"mark_source", arrow.BinaryTypes.String})
	return append(cols, structColumns(reflect.TypeOf(backtest.Metrics{}), "")...)
}

func liquidationColumns() []column {
	return append(keyColumns(), structColumns(reflect.TypeOf(backtest.LiquidationRecord{}), "position_")...)
}

func fillColumns() []column {
	return append(keyColumns(), structColumns(reflect.TypeOf(backtest.FillRecord{}), "")...)
}

func equityColumns() []column {
	return append(keyColumns(), column{"time", tsType}, column{"equity", arrow.PrimitiveTypes.Float64},
		column{"capital_at_risk", arrow.PrimitiveTypes.Float64}, column{"margin_used", arrow.PrimitiveTypes.Float64},
		column{"leverage", arrow.PrimitiveTypes.Float64})
}

// structColumns maps a record struct's exported fields to columns: int →
// int64, float64 → float64, bool, string; a field named Time is a UTC
// timestamp; a field named Mode gets prefix (it would clash with the run's
// mode).
func structColumns(t reflect.Type, modePrefix string) []column {
	var cols []column
	for i := range t.NumField() {
		f := t.Field(i)
		name := fieldName(f.Name, modePrefix)
		var typ arrow.DataType
		switch {
		case f.Name == "Time":
			typ = tsType
		case f.Type.Kind() == reflect.Float64:
			typ = arrow.PrimitiveTypes.Float64
		case f.Type.Kind() == reflect.Int || f.Type.Kind() == reflect.Int64:
			typ = arrow.PrimitiveTypes.Int64
		case f.Type.Kind() == reflect.Bool:
			typ = arrow.FixedWidthTypes.Boolean
		case f.Type.Kind() == reflect.String:
			typ = arrow.BinaryTypes.String
		default:
			panic("sweep: no column type for field " + f.Name) // a new field needs a type here
		}
		cols = append(cols, column{name, typ})
	}
	return cols
}

// fieldName is a Go field's column name: its SnakeCase, with modePrefix
// before a field named Mode (a liquidation's position mode beside the
// run's mode).
func fieldName(name, modePrefix string) string {
	if name == "Mode" {
		return modePrefix + "mode"
	}
	if c, ok := snakeNames.Load(name); ok {
		return c.(string)
	}
	c := SnakeCase(name)
	snakeNames.Store(name, c)
	return c
}

// snakeNames caches fieldName's SnakeCase: it is asked for every field of
// every row.
var snakeNames sync.Map

// SnakeCase turns a Go name into the snake_case the result tables (and
// the reports built from them) use: "LiquidationsPer1000" becomes
// "liquidations_per_1000", "ReturnOnCAR" "return_on_car".
func SnakeCase(name string) string {
	var b strings.Builder
	rs := []rune(name)
	for i, r := range rs {
		if i > 0 && (unicode.IsUpper(r) && (!unicode.IsUpper(rs[i-1]) || i+1 < len(rs) && unicode.IsLower(rs[i+1])) ||
			unicode.IsDigit(r) && !unicode.IsDigit(rs[i-1])) {
			b.WriteByte('_')
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// table streams rows into one Parquet file: values collect in typed
// columns and every tableChunk rows become a row group, so memory stays
// bounded by the chunk, not by the sweep. Chunking depends only on the row
// sequence, so equal rows give equal bytes.
type table struct {
	path   string
	cols   []column
	index  map[string]int // column name → position
	strs   [][]string
	ints   [][]int64
	floats [][]float64
	bools  [][]bool
	rows   int

	file   *publish.File
	fw     *pqarrow.FileWriter
	arrowS *arrow.Schema
	err    error
}

// tableChunk is the rows per row group.
const tableChunk = 16384

func newTable(path string, cols []column) *table {
	t := &table{path: path, cols: cols, index: map[string]int{}}
	for k, c := range cols {
		t.index[c.name] = k
	}
	n := len(cols)
	t.strs, t.ints, t.floats, t.bools = make([][]string, n), make([][]int64, n), make([][]float64, n), make([][]bool, n)
	return t
}

func (t *table) at(name string) int {
	k, ok := t.index[name]
	if !ok {
		panic("sweep: no column " + name) // the column lists and the rows disagree: a bug here
	}
	return k
}

func (t *table) str(name, v string)          { k := t.at(name); t.strs[k] = append(t.strs[k], v) }
func (t *table) i64(name string, v int64)    { k := t.at(name); t.ints[k] = append(t.ints[k], v) }
func (t *table) f64(name string, v float64)  { k := t.at(name); t.floats[k] = append(t.floats[k], v) }
func (t *table) boolean(name string, v bool) { k := t.at(name); t.bools[k] = append(t.bools[k], v) }
func (t *table) ts(name string, v int64)     { t.i64(name, v) }

func (t *table) endRow() {
	t.rows++
	if t.rows == tableChunk {
		t.flush()
	}
}

// structFields appends a record's fields as columnar values.
func (t *table) structFields(v reflect.Value, modePrefix string) {
	ty := v.Type()
	for i := range ty.NumField() {
		f := ty.Field(i)
		name := fieldName(f.Name, modePrefix)
		fv := v.Field(i)
		switch {
		case f.Name == "Time":
			t.ts(name, fv.Int())
		case fv.Kind() == reflect.Float64:
			t.f64(name, fv.Float())
		case fv.Kind() == reflect.Int || fv.Kind() == reflect.Int64:
			t.i64(name, fv.Int())
		case fv.Kind() == reflect.Bool:
			t.boolean(name, fv.Bool())
		case fv.Kind() == reflect.String:
			t.str(name, fv.String())
		}
	}
}

func (t *table) schema() *arrow.Schema {
	fields := make([]arrow.Field, len(t.cols))
	for k, c := range t.cols {
		fields[k] = arrow.Field{Name: c.name, Type: c.typ, Nullable: c.typ.ID() == arrow.FLOAT64}
	}
	return arrow.NewSchema(fields, nil)
}

// flush writes the collected rows as a row group. NaN floats are nulls.
func (t *table) flush() {
	if t.err != nil || (t.rows == 0 && t.fw != nil) {
		return
	}
	if t.fw == nil {
		if t.file, t.err = publish.Create(t.path); t.err != nil {
			t.err = fmt.Errorf("sweep: %w", t.err)
			return
		}
		props := parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Zstd),
			parquet.WithVersion(parquet.V2_LATEST), parquet.WithCreatedBy("marginlab"))
		t.arrowS = t.schema()
		// arrow-go panics when the file's first bytes cannot be written:
		// every call into it goes through the file's Do.
		if t.err = t.do(func() (err error) {
			t.fw, err = pqarrow.NewFileWriter(t.arrowS, t.file, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
			return err
		}); t.err != nil {
			return
		}
	}
	mem := memory.DefaultAllocator
	arrs := make([]arrow.Array, len(t.cols))
	for k, c := range t.cols {
		b := array.NewBuilder(mem, c.typ)
		switch bb := b.(type) {
		case *array.StringBuilder:
			bb.AppendValues(t.strs[k], nil)
		case *array.Int64Builder:
			bb.AppendValues(t.ints[k], nil)
		case *array.TimestampBuilder:
			for _, v := range t.ints[k] {
				bb.Append(arrow.Timestamp(v))
			}
		case *array.Float64Builder:
			for _, f := range t.floats[k] {
				if math.IsNaN(f) || math.IsInf(f, 0) {
					bb.AppendNull()
				} else {
					bb.Append(f)
				}
			}
		case *array.BooleanBuilder:
			bb.AppendValues(t.bools[k], nil)
		}
		arrs[k] = b.NewArray()
		b.Release()
		if arrs[k].Len() != t.rows {
			t.err = fmt.Errorf("sweep: column %s has %d values for %d rows", c.name, arrs[k].Len(), t.rows)
		}
		t.strs[k], t.ints[k], t.floats[k], t.bools[k] = t.strs[k][:0], t.ints[k][:0], t.floats[k][:0], t.bools[k][:0]
	}
	rec := array.NewRecord(t.arrowS, arrs, int64(t.rows))
	for _, a := range arrs {
		a.Release()
	}
	if t.err == nil {
		t.err = t.do(func() error { return t.fw.Write(rec) })
	}
	rec.Release()
	t.rows = 0
}

// do runs one call into arrow-go's writer: a write error of the file (a
// full disk), a panic, or arrow-go's own error becomes an error naming
// the table's path.
func (t *table) do(fn func() error) error {
	if err := t.file.Do(fn); err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	return nil
}

// close writes the last rows and the footer. The file is complete but
// still under its temporary name: commit publishes it.
func (t *table) close() error {
	if t.rows > 0 || t.fw == nil {
		t.flush()
	}
	if t.fw != nil && t.err == nil {
		// arrow-go's Close drops the error of the footer's write; the
		// file's Do returns it.
		t.err = t.do(t.fw.Close)
	}
	return t.err
}

// commit renames the complete table into place.
func (t *table) commit() error {
	if err := t.file.Commit(); err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	return nil
}

// abort removes the temporary file of a table not committed.
func (t *table) abort() {
	if t.file != nil {
		t.file.Abort()
	}
}
