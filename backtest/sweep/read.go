package sweep

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"

	"github.com/marginlab/marginlab/backtest"
)

// RunRow is one row of runs.parquet: a cell's run in one mode on one path.
type RunRow struct {
	CellID     string
	Mode       string
	Path       int
	Params     map[string]any // swept parameters by config path: float64, bool or string
	MarkSource string
	Metrics    backtest.Metrics
}

// LiquidationRow is one row of liquidations.parquet.
type LiquidationRow struct {
	CellID string
	Mode   string // the run's margin mode
	Path   int
	backtest.LiquidationRecord
}

// Results are a sweep directory's tables, read back.
type Results struct {
	Manifest     *Manifest
	Runs         []RunRow         // in table order: cell id, mode, path
	Liquidations []LiquidationRow // in table order
}

// ReadResults reads runs.parquet, liquidations.parquet and manifest.json
// from a complete sweep (or merged) directory.
func ReadResults(dir string) (*Results, error) {
	man, err := readManifest(dir)
	if err != nil {
		return nil, fmt.Errorf("sweep: %s is not a sweep result directory: %w", dir, err)
	}
	if !man.Complete {
		return nil, fmt.Errorf("sweep: %s is not complete (%d of %d jobs); finish the sweep first", dir, man.JobsDone, man.JobsTotal)
	}
	res := &Results{Manifest: man}
	get, n, release, err := readColumns(filepath.Join(dir, "runs.parquet"))
	if err != nil {
		return nil, err
	}
	defer release()
	for r := range n {
		row := RunRow{CellID: get.str("cell_id", r), Mode: get.str("mode", r), Path: int(get.i64("path", r)),
			MarkSource: get.str("mark_source", r), Params: map[string]any{}}
		for _, ax := range man.Axes {
			switch axisKind(ax) {
			case arrow.FLOAT64:
				row.Params[ax.Path] = get.f64(ax.Path, r)
			case arrow.BOOL:
				row.Params[ax.Path] = get.boolean(ax.Path, r)
			default:
				row.Params[ax.Path] = get.str(ax.Path, r)
			}
		}
		get.fill(reflect.ValueOf(&row.Metrics).Elem(), "", r)
		res.Runs = append(res.Runs, row)
	}
	if get.err != nil {
		return nil, get.err
	}
	lget, ln, lrelease, err := readColumns(filepath.Join(dir, "liquidations.parquet"))
	if err != nil {
		return nil, err
	}
	defer lrelease()
	for r := range ln {
		row := LiquidationRow{CellID: lget.str("cell_id", r), Mode: lget.str("mode", r), Path: int(lget.i64("path", r))}
		lget.fill(reflect.ValueOf(&row.LiquidationRecord).Elem(), "position_", r)
		res.Liquidations = append(res.Liquidations, row)
	}
	return res, lget.err
}

func readTable(path string) (arrow.Table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	t, err := pqarrow.ReadTable(context.Background(), f, nil, pqarrow.ArrowReadProperties{BatchSize: 1 << 16}, memory.DefaultAllocator)
	if err != nil {
		return nil, fmt.Errorf("sweep: %s: %w", path, err)
	}
	return t, nil
}

// tableCols reads values by column name and row from a table whose
// columns may be chunked.
type tableCols struct {
	path   string
	byName map[string]*arrow.Chunked
	err    error
}

// readColumns reads the result table at path: its columns by name, its
// row count, and release, which frees it once the values are read.
func readColumns(path string) (c *tableCols, rows int, release func(), err error) {
	t, err := readTable(path)
	if err != nil {
		return nil, 0, nil, err
	}
	c = &tableCols{path: path, byName: map[string]*arrow.Chunked{}}
	for i := range int(t.NumCols()) {
		c.byName[t.Schema().Field(i).Name] = t.Column(i).Data()
	}
	return c, int(t.NumRows()), t.Release, nil
}

// at returns the chunk holding row r and the row's index in it.
func (c *tableCols) at(name string, r int) (arrow.Array, int) {
	ch, ok := c.byName[name]
	if !ok {
		if c.err == nil {
			c.err = fmt.Errorf("sweep: %s has no column %q (written by another version of marginlab?)", c.path, name)
		}
		return nil, 0
	}
	for _, a := range ch.Chunks() {
		if r < a.Len() {
			return a, r
		}
		r -= a.Len()
	}
	return nil, 0
}

func (c *tableCols) str(name string, r int) string {
	if a, i := c.at(name, r); a != nil {
		return a.(*array.String).Value(i)
	}
	return ""
}

func (c *tableCols) i64(name string, r int) int64 {
	a, i := c.at(name, r)
	switch a := a.(type) {
	case *array.Int64:
		return a.Value(i)
	case *array.Timestamp:
		return int64(a.Value(i))
	}
	return 0
}

func (c *tableCols) f64(name string, r int) float64 {
	if a, i := c.at(name, r); a != nil {
		if a.IsNull(i) {
			return math.NaN()
		}
		return a.(*array.Float64).Value(i)
	}
	return math.NaN()
}

func (c *tableCols) boolean(name string, r int) bool {
	if a, i := c.at(name, r); a != nil {
		return a.(*array.Boolean).Value(i)
	}
	return false
}

// fill sets a record struct's fields from row r, by the column names
// structColumns gives them.
func (c *tableCols) fill(v reflect.Value, modePrefix string, r int) {
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		name := fieldName(f.Name, modePrefix)
		fv := v.Field(i)
		switch {
		case f.Name == "Time" || fv.Kind() == reflect.Int || fv.Kind() == reflect.Int64:
			fv.SetInt(c.i64(name, r))
		case fv.Kind() == reflect.Float64:
			fv.SetFloat(c.f64(name, r))
		case fv.Kind() == reflect.Bool:
			fv.SetBool(c.boolean(name, r))
		case fv.Kind() == reflect.String:
			fv.SetString(c.str(name, r))
		}
	}
}

// EquityRow is one run's downsampled series from equity.parquet.
type EquityRow struct {
	CellID, Mode  string
	Path          int
	Time          []int64 // Unix ns
	Equity        []float64
	CapitalAtRisk []float64
	MarginUsed    []float64
	Leverage      []float64
}

// ReadEquity reads equity.parquet (written by sweeps run with Equity) for
// one cell and path, every mode; it returns os.ErrNotExist when the sweep
// wrote no equity table.
func ReadEquity(dir, cell string, path int) ([]EquityRow, error) {
	get, n, release, err := readColumns(filepath.Join(dir, "equity.parquet"))
	if err != nil {
		return nil, err
	}
	defer release()
	var out []EquityRow
	for r := range n {
		if get.str("cell_id", r) != cell || int(get.i64("path", r)) != path {
			continue
		}
		mode := get.str("mode", r)
		if len(out) == 0 || out[len(out)-1].Mode != mode {
			out = append(out, EquityRow{CellID: cell, Mode: mode, Path: path})
		}
		e := &out[len(out)-1]
		e.Time = append(e.Time, get.i64("time", r))
		e.Equity = append(e.Equity, get.f64("equity", r))
		e.CapitalAtRisk = append(e.CapitalAtRisk, get.f64("capital_at_risk", r))
		e.MarginUsed = append(e.MarginUsed, get.f64("margin_used", r))
		e.Leverage = append(e.Leverage, get.f64("leverage", r))
	}
	return out, get.err
}
