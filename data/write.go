package data

import (
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/compress"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"

	"github.com/marginlab/marginlab/data/publish"
)

// kindMetadataKey is the schema metadata key under which marginlab records
// what a file holds, so reading it back needs no file-name convention.
const kindMetadataKey = "marginlab.kind"

// WriteOptions configures the writers. The zero value writes Parquet with
// ZSTD and Arrow IPC with LZ4_FRAME, as pandas' to_feather does.
type WriteOptions struct {
	// Codec: Parquet "zstd" (default), "snappy", "gzip" or "none"; Arrow IPC
	// "lz4" (default), "zstd" or "none".
	Codec string
	// ChunkRows is the rows per Parquet row group or per IPC record batch;
	// 0 means 1,048,576 for Parquet and 65,536 for IPC.
	ChunkRows int
	// Plain disables Parquet dictionary encoding (arrow-go enables it by
	// default and falls back to plain when a dictionary grows too big).
	Plain bool
	// Metadata is extra key-value metadata for the file's schema (Parquet
	// key-value metadata, Arrow schema metadata), written in key order so
	// the bytes do not depend on map order. Keys starting "marginlab.kind"
	// are the writer's own and are rejected.
	Metadata map[string]string
}

// FormatFromPath chooses an output format from a file extension: .parquet
// and .pq write Parquet, .arrow, .feather and .ipc an Arrow IPC file, and
// .arrows an Arrow IPC stream.
func FormatFromPath(path string) (Format, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".parquet", ".pq":
		return FormatParquet, nil
	case ".arrow", ".feather", ".ipc":
		return FormatArrowFile, nil
	case ".arrows":
		return FormatArrowStream, nil
	}
	return "", fmt.Errorf("data: cannot tell the output format of %q: use .parquet, .arrow/.feather (IPC file) or .arrows (IPC stream)", path)
}

// candleSchema is the schema written for candles and mark candles: the
// freqtrade layout, so freqtrade and pandas read the files as their own.
func candleSchema(kind Kind, extra map[string]string) *arrow.Schema {
	md := schemaMetadata(kind, extra)
	return arrow.NewSchema([]arrow.Field{
		{Name: "date", Type: &arrow.TimestampType{Unit: arrow.Nanosecond, TimeZone: "UTC"}},
		{Name: "open", Type: arrow.PrimitiveTypes.Float64},
		{Name: "high", Type: arrow.PrimitiveTypes.Float64},
		{Name: "low", Type: arrow.PrimitiveTypes.Float64},
		{Name: "close", Type: arrow.PrimitiveTypes.Float64},
		{Name: "volume", Type: arrow.PrimitiveTypes.Float64},
	}, &md)
}

func fundingSchema(extra map[string]string) *arrow.Schema {
	md := schemaMetadata(KindFunding, extra)
	return arrow.NewSchema([]arrow.Field{
		{Name: "date", Type: &arrow.TimestampType{Unit: arrow.Nanosecond, TimeZone: "UTC"}},
		{Name: "funding_rate", Type: arrow.PrimitiveTypes.Float64},
	}, &md)
}

// schemaMetadata is the kind key followed by extra's keys in sorted order.
func schemaMetadata(kind Kind, extra map[string]string) arrow.Metadata {
	keys := []string{kindMetadataKey}
	vals := []string{kind.String()}
	for _, k := range slices.Sorted(maps.Keys(extra)) {
		keys = append(keys, k)
		vals = append(vals, extra[k])
	}
	return arrow.NewMetadata(keys, vals)
}

// wrapInt64 and wrapFloat64 view Go slices as Arrow arrays without copying.
func wrapInt64(typ arrow.DataType, v []int64) arrow.ArrayData {
	buf := memory.NewBufferBytes(arrow.Int64Traits.CastToBytes(v))
	return array.NewData(typ, len(v), []*memory.Buffer{nil, buf}, nil, 0, 0)
}

func wrapFloat64(v []float64) arrow.ArrayData {
	buf := memory.NewBufferBytes(arrow.Float64Traits.CastToBytes(v))
	return array.NewData(arrow.PrimitiveTypes.Float64, len(v), []*memory.Buffer{nil, buf}, nil, 0, 0)
}

// seriesRecord builds one record over the whole series, sharing its memory.
func seriesRecord(s *Series, extra map[string]string) (arrow.Record, error) {
	if _, ok := extra[kindMetadataKey]; ok {
		return nil, fmt.Errorf("data: metadata key %q is the writer's own: the series' Kind sets it", kindMetadataKey)
	}
	var schema *arrow.Schema
	var datas []arrow.ArrayData
	switch s.Kind {
	case KindCandles, KindMark:
		s.Bars.checkLengths()
		schema = candleSchema(s.Kind, extra)
		datas = []arrow.ArrayData{
			wrapInt64(schema.Field(0).Type, s.Bars.Time),
			wrapFloat64(s.Bars.Open), wrapFloat64(s.Bars.High), wrapFloat64(s.Bars.Low),
			wrapFloat64(s.Bars.Close), wrapFloat64(s.Bars.Volume),
		}
	case KindFunding:
		if len(s.Funding.Rate) != len(s.Funding.Time) {
			panic("data: Funding columns differ in length")
		}
		schema = fundingSchema(extra)
		datas = []arrow.ArrayData{wrapInt64(schema.Field(0).Type, s.Funding.Time), wrapFloat64(s.Funding.Rate)}
	default:
		return nil, fmt.Errorf("data: cannot write a series of kind %s", s.Kind)
	}
	cols := make([]arrow.Array, len(datas))
	for i, d := range datas {
		cols[i] = array.MakeFromData(d)
		d.Release()
	}
	rec := array.NewRecord(schema, cols, int64(datas[0].Len()))
	for _, c := range cols {
		c.Release()
	}
	return rec, nil
}

// Write writes s to w in the given format. A write error of w is
// returned as is (arrow-go's writers would panic on some and drop others).
func Write(w io.Writer, format Format, s *Series, opt WriteOptions) error {
	rec, err := seriesRecord(s, opt.Metadata)
	if err != nil {
		return err
	}
	defer rec.Release()
	g := publish.NewGuard(w)
	return g.Do(func() error {
		switch format {
		case FormatParquet:
			return writeParquet(g, rec, opt)
		case FormatArrowFile, FormatArrowStream:
			return writeIPC(g, rec, format == FormatArrowStream, opt)
		}
		return fmt.Errorf("data: cannot write format %q", format)
	})
}

func writeParquet(w io.Writer, rec arrow.Record, opt WriteOptions) error {
	codec := compress.Codecs.Zstd
	switch strings.ToLower(opt.Codec) {
	case "", "zstd":
	case "snappy":
		codec = compress.Codecs.Snappy
	case "gzip":
		codec = compress.Codecs.Gzip
	case "none", "uncompressed":
		codec = compress.Codecs.Uncompressed
	default:
		return fmt.Errorf("data: unknown Parquet codec %q (want zstd, snappy, gzip or none)", opt.Codec)
	}
	rows := int64(opt.ChunkRows)
	if rows <= 0 {
		rows = 1 << 20
	}
	props := parquet.NewWriterProperties(
		parquet.WithCompression(codec),
		parquet.WithDictionaryDefault(!opt.Plain),
		parquet.WithMaxRowGroupLength(rows),
		// Format 2.6 keeps nanosecond timestamps; 1.0 would truncate them.
		parquet.WithVersion(parquet.V2_LATEST),
	)
	// pqarrow closes a writer that is an io.Closer; the caller owns w.
	fw, err := pqarrow.NewFileWriter(rec.Schema(), struct{ io.Writer }{w}, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		return err
	}
	if err := fw.Write(rec); err != nil {
		return err
	}
	return fw.Close()
}

func writeIPC(w io.Writer, rec arrow.Record, stream bool, opt WriteOptions) error {
	opts := []ipc.Option{ipc.WithSchema(rec.Schema())}
	switch strings.ToLower(opt.Codec) {
	case "", "lz4", "lz4_frame":
		opts = append(opts, ipc.WithLZ4())
	case "zstd":
		opts = append(opts, ipc.WithZstd())
	case "none", "uncompressed":
	default:
		return fmt.Errorf("data: unknown Arrow IPC codec %q (want lz4, zstd or none)", opt.Codec)
	}
	rows := int64(opt.ChunkRows)
	if rows <= 0 {
		rows = 1 << 16
	}
	var iw interface {
		Write(arrow.Record) error
		Close() error
	}
	if stream {
		iw = ipc.NewWriter(w, opts...)
	} else {
		fw, err := ipc.NewFileWriter(&positionWriter{w: w}, opts...)
		if err != nil {
			return err
		}
		iw = fw
	}
	for off := int64(0); off < rec.NumRows() || off == 0; off += rows {
		chunk := rec.NewSlice(off, min(off+rows, rec.NumRows()))
		err := iw.Write(chunk)
		chunk.Release()
		if err != nil {
			iw.Close()
			return err
		}
		if rec.NumRows() == 0 {
			break
		}
	}
	return iw.Close()
}

// WriteFile writes s to path, choosing the format from the extension. It
// writes to a temporary file in the same directory, flushes it to disk and
// renames it into place, then flushes the directory (publish.Create), so
// neither a full disk, a crash nor a power cut leaves a half-written file
// under the final name. The file's mode is 0644 less the umask.
func WriteFile(path string, s *Series, opt WriteOptions) error {
	format, err := FormatFromPath(path)
	if err != nil {
		return err
	}
	f, err := publish.Create(path)
	if err != nil {
		return fmt.Errorf("data: %w", err)
	}
	defer f.Abort()
	if err := f.Do(func() error { return Write(f, format, s, opt) }); err != nil {
		return fmt.Errorf("data: %w", err)
	}
	if err := f.Commit(); err != nil {
		return fmt.Errorf("data: %w", err)
	}
	return nil
}

// positionWriter gives an io.Writer the one Seek the IPC file writer uses:
// asking for the current position.
type positionWriter struct {
	w   io.Writer
	pos int64
}

func (p *positionWriter) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	p.pos += int64(n)
	return n, err
}

func (p *positionWriter) Seek(offset int64, whence int) (int64, error) {
	if offset != 0 || whence != io.SeekCurrent {
		return 0, fmt.Errorf("data: output is not seekable")
	}
	return p.pos, nil
}
