package data

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"
)

// LoadOptions configures Load. The zero value loads strictly: kind from the
// file, time column found by name, naive times in UTC, and any unsorted,
// duplicate or null row is an error.
type LoadOptions struct {
	// Kind of series in the file; KindAuto decides from the columns and name.
	Kind Kind
	// TimeColumn names the time column; "" finds it by name (date, timestamp,
	// open_time, time, datetime, ts; any case) or as the only timestamp column.
	TimeColumn string
	// EpochUnit is the unit of integer epoch times (time.Second,
	// Millisecond, Microsecond or Nanosecond); 0 infers it from magnitude.
	EpochUnit time.Duration
	// Location is the zone of naive (zone-less) times; nil means UTC. Times
	// with a zone, and integer epochs, are absolute and ignore it.
	Location *time.Location
	// Sort sorts rows by time instead of rejecting an unsorted file.
	Sort bool
	// Dedupe keeps the last of several rows with the same time instead of
	// rejecting the file (the last is what a re-download appends).
	Dedupe bool
	// Nulls chooses what a null value does; the zero value is an error.
	Nulls NullPolicy
	// FillGaps inserts flat bars (open = high = low = close = previous
	// close, volume 0) for missing candles. Not applied to funding.
	FillGaps bool
	// Allocator for Arrow buffers; nil uses the Go allocator. Tests pass a
	// checked allocator to prove every buffer is released.
	Allocator memory.Allocator
}

// NullPolicy says what a null value in a used column does.
type NullPolicy int

const (
	// NullsError rejects the file at the first null (default).
	NullsError NullPolicy = iota
	// NullsFill fills a null price with the previous row's close, a null
	// volume with 0 and a null funding rate with the previous rate. A null in
	// the first row, or a null time, is still an error.
	NullsFill
	// NullsDrop drops every row that has a null in a used column.
	NullsDrop
)

// String returns the name used on the command line.
func (p NullPolicy) String() string {
	switch p {
	case NullsFill:
		return "fill"
	case NullsDrop:
		return "drop"
	}
	return "error"
}

// ParseNullPolicy parses "error", "fill" or "drop".
func ParseNullPolicy(s string) (NullPolicy, error) {
	switch s {
	case "", "error":
		return NullsError, nil
	case "fill", "ffill":
		return NullsFill, nil
	case "drop":
		return NullsDrop, nil
	}
	return NullsError, fmt.Errorf("data: unknown null policy %q (want error, fill or drop)", s)
}

// Format is a file format Load recognises.
type Format string

// Recognised formats.
const (
	FormatParquet     Format = "parquet"
	FormatArrowFile   Format = "arrow-file"
	FormatArrowStream Format = "arrow-stream"
	FormatCSV         Format = "csv"
)

// Column describes one column of the file as stored.
type Column struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// Gaps summarises missing candles: steps longer than the timeframe.
type Gaps struct {
	Count   int           // number of gaps
	Missing int           // candles missing in all gaps together
	Largest time.Duration // longest step, gap included
	// LargestAt is the open time of the candle after the largest gap.
	LargestAt int64
}

// Series is one loaded and validated file.
type Series struct {
	Path       string
	Format     Format
	Codec      string // compression: "snappy", "zstd", "lz4_frame", "uncompressed", ...
	CreatedBy  string // writer recorded in Parquet metadata, if any
	Columns    []Column
	Kind       Kind
	TimeColumn string
	// Bars holds candles or mark candles; empty for funding.
	Bars Bars
	// Funding holds the rates of a funding series; empty otherwise.
	Funding Funding
	// Timeframe is the dominant spacing of the times (DetectTimeframe).
	Timeframe time.Duration
	Gaps      Gaps
	// Warnings are non-fatal findings: gaps, repairs made on request.
	Warnings []error
}

// Rows returns the number of rows after loading and repairs.
func (s *Series) Rows() int {
	if s.Kind == KindFunding {
		return s.Funding.Len()
	}
	return s.Bars.Len()
}

// Load reads, validates and returns one file of candles, mark candles or
// funding rates. Problems in the data are *InputError values naming the file,
// column, row and time.
func Load(ctx context.Context, path string, opt LoadOptions) (s *Series, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return nil, fileError(path, ErrFormat, "is a directory", "give a file path")
	}
	format, err := sniff(f, path)
	if err != nil {
		return nil, err
	}
	var mem memory.Allocator = memory.DefaultAllocator
	if opt.Allocator != nil {
		mem = opt.Allocator
	}
	guard := newLimitAllocator(mem, st.Size())
	mem = guard
	if format == FormatArrowFile || format == FormatArrowStream {
		// Reusing freed buffers is safe for arrow-go's IPC reader but not
		// its Parquet reader, which reads some buffers after freeing them
		// (harmless only because the Go allocator's Free does nothing).
		pool := newRecycler(guard)
		defer pool.drain()
		mem = pool
	}
	s = &Series{Path: path, Format: format}
	acc := &accum{file: path, opt: &opt, reserveLimit: guard.limit / 4}

	// arrow-go panics on some malformed input instead of returning an
	// error; a corrupt file must never crash the caller.
	defer func() {
		if r := recover(); r != nil {
			s, err = nil, corrupt(path, fmt.Errorf("%v", r))
			if os.Getenv("MARGINLAB_DEBUG") != "" {
				err = fmt.Errorf("%w\n%s", err, debug.Stack())
			}
		}
	}()

	switch format {
	case FormatParquet:
		err = readParquet(ctx, f, s, acc, mem)
	case FormatArrowFile:
		err = readIPCFile(ctx, f, st.Size(), s, acc, mem)
	case FormatArrowStream:
		err = readIPCStream(ctx, f, st.Size(), s, acc, mem)
	case FormatCSV:
		err = readCSV(ctx, f, s, acc)
	}
	if err != nil {
		return nil, err
	}
	if err := acc.finish(s); err != nil {
		return nil, err
	}
	return s, nil
}

// sniff recognises the format from the first bytes, falling back to the
// extension only to choose CSV for text.
func sniff(f *os.File, path string) (Format, error) {
	head := make([]byte, 8)
	n, err := io.ReadFull(f, head)
	if _, serr := f.Seek(0, io.SeekStart); serr != nil {
		return "", serr
	}
	head = head[:n]
	switch {
	case n >= 4 && string(head[:4]) == "PAR1":
		return FormatParquet, nil
	case n >= 6 && string(head[:6]) == ipcMagic:
		return FormatArrowFile, nil
	case n >= 4 && head[0] == 0xFF && head[1] == 0xFF && head[2] == 0xFF && head[3] == 0xFF:
		return FormatArrowStream, nil
	}
	if n == 0 && (err == io.EOF || err == io.ErrUnexpectedEOF) {
		return "", fileError(path, ErrEmpty, "the file is empty", "")
	}
	ext := strings.ToLower(filepath.Ext(path))
	if ext == ".csv" || ext == ".txt" || ext == ".tsv" || isText(head) {
		return FormatCSV, nil
	}
	return "", fileError(path, ErrFormat, fmt.Sprintf("first bytes % x", head),
		"marginlab reads Parquet, Arrow IPC (Feather v2, stream) and CSV")
}

func isText(b []byte) bool {
	for _, c := range b {
		if c < 0x09 || (c > 0x0d && c < 0x20) || c == 0x7f {
			return false
		}
	}
	return len(b) > 0
}

// corrupt wraps a reader library's error as a corrupt-file InputError.
func corrupt(path string, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	hint := "the file is truncated or garbled; re-download or re-export it"
	if strings.Contains(err.Error(), "lz4: invalid block checksum") {
		// Polars (and other Rust writers) flag LZ4 frames with block
		// checksums that the Go LZ4 decoder inside arrow-go rejects.
		hint = "if another tool reads this file, its LZ4 block checksums are the kind the Go Arrow decoder rejects (files from Polars' LZ4 writer are); re-export with ZSTD or no compression"
	}
	return fileError(path, ErrCorrupt, err.Error(), hint)
}

// streamBuffer is the size of a read buffer for f: 1 MiB, or the file's
// size when smaller. Buffers are made per column chunk, so a small file
// (most of what a fuzzer or a test feeds) should not pay a mebibyte each.
func streamBuffer(f *os.File) int {
	const most = 1 << 20
	if fi, err := f.Stat(); err == nil && fi.Size() < most {
		return max(4096, int(fi.Size()))
	}
	return most
}

// maxRows bounds the rows a file may declare, so a corrupt header cannot
// make the loader allocate terabytes.
const maxRows = 1 << 31

func readParquet(ctx context.Context, f *os.File, s *Series, acc *accum, mem memory.Allocator) error {
	props := parquet.NewReaderProperties(mem)
	// Stream each column chunk through a 1 MiB buffer rather than reading
	// it whole: the whole-chunk buffers become garbage after every row group.
	props.BufferedStreamEnabled = true
	props.BufferSize = int64(streamBuffer(f))
	pf, err := file.NewParquetReader(f, file.WithReadProps(props))
	if err != nil {
		return corrupt(s.Path, err)
	}
	defer pf.Close()
	md := pf.MetaData()
	s.CreatedBy = md.GetCreatedBy()
	s.Codec = "uncompressed"
	if pf.NumRowGroups() > 0 && md.Schema.NumColumns() > 0 {
		rg := md.RowGroup(0)
		if cc, err := rg.ColumnChunk(0); err == nil {
			s.Codec = strings.ToLower(cc.Compression().String())
		}
	}
	rows := pf.NumRows()
	if rows < 0 || rows > maxRows {
		return corrupt(s.Path, fmt.Errorf("file declares %d rows", rows))
	}
	if err := checkParquetArrowSchema(md); err != nil {
		return corrupt(s.Path, err)
	}
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: 64 << 10}, mem)
	if err != nil {
		return corrupt(s.Path, err)
	}
	schema, err := fr.Schema()
	if err != nil {
		return corrupt(s.Path, err)
	}
	acc.metaKind = kindFromMetadata(schema.Metadata())
	// Only top-level primitive columns can be read by leaf index; nested
	// columns are extra columns, and extra columns are ignored.
	fields := make([]fieldInfo, 0, schema.NumFields())
	leaf := make([]int, 0, schema.NumFields())
	for i, fld := range schema.Fields() {
		s.Columns = append(s.Columns, Column{Name: fld.Name, Type: fld.Type.String()})
		sf := fr.Manifest.Fields[i]
		if !sf.IsLeaf() {
			continue
		}
		fields = append(fields, fieldInfo{name: fld.Name, typ: fld.Type})
		leaf = append(leaf, sf.ColIndex)
	}
	if err := acc.plan(fields); err != nil {
		return err
	}
	cols, recCol := acc.selected(leaf)
	groupRows := make([]int64, pf.NumRowGroups())
	for i := range groupRows {
		groupRows[i] = md.RowGroup(i).NumRows()
	}
	if sumRows(groupRows) != rows {
		return corrupt(s.Path, fmt.Errorf("row groups hold %d rows, metadata declares %d", sumRows(groupRows), rows))
	}
	var leafOf [nRoles]int
	for r, i := range acc.p.index {
		if i >= 0 {
			leafOf[r] = leaf[i]
		}
	}
	if plan, ok := acc.planDirect(pf, leafOf); ok {
		// arrow-go's page reader allocates a fresh buffer for every page, so
		// a row group leaves its whole decoded size behind as garbage, and
		// with the default GOGC the heap would peak near twice the loaded
		// columns. Those columns are pointer-free, so a collection after each
		// row group of a large file is cheap (about 1 ms) and keeps the peak
		// near one copy.
		collect := len(groupRows) >= 4 && rows*int64(len(leafOf))*8 >= 256<<20
		return acc.decodeChunks(ctx, groupRows, func(i int, w *accum) error {
			err := readRowGroupDirect(pf, i, w, plan)
			if collect {
				runtime.GC()
			}
			var ie *InputError
			if err != nil && !errors.As(err, &ie) {
				return corrupt(s.Path, err)
			}
			return err
		})
	}
	return acc.decodeChunks(ctx, groupRows, func(i int, w *accum) error {
		rr, err := fr.GetRecordReader(ctx, cols, []int{i})
		if err != nil {
			return corrupt(s.Path, err)
		}
		defer rr.Release()
		for rr.Next() {
			if err := w.appendRecord(rr.Record(), recCol); err != nil {
				return err
			}
		}
		// arrow v17 reports io.EOF after a clean read.
		if err := rr.Err(); err != nil && !errors.Is(err, io.EOF) {
			return corrupt(s.Path, err)
		}
		return nil
	})
}

func readIPCFile(ctx context.Context, f *os.File, size int64, s *Series, acc *accum, mem memory.Allocator) error {
	layout, err := ipcFileLayout(f, size)
	if err != nil {
		return corrupt(s.Path, err)
	}
	s.Codec = layout.codec
	rows := sumRows(layout.batchRows)
	if rows > maxRows {
		return corrupt(s.Path, fmt.Errorf("file declares over %d rows", int64(maxRows)))
	}
	fr, err := ipc.NewFileReader(f, ipc.WithAllocator(mem))
	if err != nil {
		return corrupt(s.Path, err)
	}
	defer fr.Close()
	if err := acc.planArrow(s, fr.Schema()); err != nil {
		return err
	}
	if fr.NumRecords() != len(layout.batchRows) {
		return corrupt(s.Path, errors.New("footer and reader disagree on the number of record batches"))
	}
	return acc.decodeChunks(ctx, layout.batchRows, func(i int, w *accum) error {
		rec, err := fr.RecordAt(i) // safe for concurrent use
		if err != nil {
			return corrupt(s.Path, err)
		}
		defer rec.Release()
		return w.appendRecord(rec, acc.identity())
	})
}

func readIPCStream(ctx context.Context, f *os.File, size int64, s *Series, acc *accum, mem memory.Allocator) error {
	layout, err := ipcStreamLayout(f, size)
	if err != nil {
		return corrupt(s.Path, err)
	}
	s.Codec = layout.codec
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	r, err := ipc.NewReader(bufio.NewReaderSize(f, 1<<20), ipc.WithAllocator(mem))
	if err != nil {
		return corrupt(s.Path, err)
	}
	defer r.Release()
	if err := acc.planArrow(s, r.Schema()); err != nil {
		return err
	}
	acc.reserve(int(min(sumRows(layout.batchRows), maxRows)))
	for r.Next() {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := acc.appendRecord(r.Record(), acc.identity()); err != nil {
			return err
		}
	}
	if err := r.Err(); err != nil && !errors.Is(err, io.EOF) {
		return corrupt(s.Path, err)
	}
	return nil
}

func sumRows(rows []int64) int64 {
	var n int64
	for _, r := range rows {
		n += r
		if n > maxRows {
			return maxRows + 1
		}
	}
	return n
}

// planArrow records an Arrow schema's columns and plans the roles.
func (a *accum) planArrow(s *Series, schema *arrow.Schema) error {
	a.metaKind = kindFromMetadata(schema.Metadata())
	fields := make([]fieldInfo, schema.NumFields())
	for i, fld := range schema.Fields() {
		s.Columns = append(s.Columns, Column{Name: fld.Name, Type: fld.Type.String()})
		fields[i] = fieldInfo{name: fld.Name, typ: fld.Type}
	}
	return a.plan(fields)
}
