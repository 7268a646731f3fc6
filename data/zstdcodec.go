package data

import (
	"sync"

	"github.com/apache/arrow/go/v17/parquet/compress"
	"github.com/klauspost/compress/zstd"
)

// arrow-go's Parquet ZSTD codec builds a new encoder (megabytes of tables)
// for every page it compresses, so writing a ZSTD Parquet file allocates
// far more than the file holds and keeps the garbage collector busy. This
// codec, registered in its place, keeps one encoder per level; EncodeAll
// is safe for concurrent use and, with the same options, writes the same
// bytes. Decoding is arrow-go's own.
type zstdCodec struct {
	compress.Codec // arrow-go's, for everything but EncodeLevel
}

var zstdEncoders sync.Map // level → *zstd.Encoder

func (c zstdCodec) EncodeLevel(dst, src []byte, level int) []byte {
	e, ok := zstdEncoders.Load(level)
	if !ok {
		lvl := zstd.EncoderLevelFromZstd(level)
		if level == compress.DefaultCompressionLevel {
			lvl = zstd.SpeedDefault // as arrow-go maps the default
		}
		enc, err := zstd.NewWriter(nil, zstd.WithZeroFrames(true), zstd.WithEncoderLevel(lvl))
		if err != nil {
			return c.Codec.EncodeLevel(dst, src, level)
		}
		e, _ = zstdEncoders.LoadOrStore(level, enc)
	}
	return e.(*zstd.Encoder).EncodeAll(src, dst[:0])
}

func init() {
	orig, err := compress.GetCodec(compress.Codecs.Zstd)
	if err == nil {
		compress.RegisterCodec(compress.Codecs.Zstd, zstdCodec{orig})
	}
}
