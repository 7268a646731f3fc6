package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/marginlab/marginlab/data"
)

var dataConvertCmd = &command{
	name:    "data convert",
	args:    "IN OUT",
	summary: "rewrite a data file as Parquet or Arrow IPC",
	about: `
Convert loads IN (Parquet, Arrow IPC file or stream, or CSV) with the same
checks and repairs as inspect, and writes it to OUT in the layout marginlab
writes: a UTC nanosecond "date" column, then open, high, low, close, volume
for candles, or funding_rate for funding, with the kind recorded in the
file. The extension of OUT chooses the format: .parquet or .pq (Parquet),
.arrow, .feather or .ipc (Arrow IPC file, i.e. Feather v2), .arrows (Arrow
IPC stream). CSV is read but not written.

OUT is written to a temporary file and renamed into place, so a failed
conversion never leaves a partial OUT. Converting a file onto itself is
refused.`,
	examples: []string{
		"marginlab data convert BTC_USDT_USDT-5m-futures.feather btc-5m.parquet",
		"marginlab data convert btc.csv btc.feather --tz UTC --sort --codec zstd",
		"marginlab data convert big.parquet big.arrows --chunk-rows 100000 --codec none",
	},
	setup: setupDataConvert,
}

func setupDataConvert(fs *flag.FlagSet) runFunc {
	var opt data.LoadOptions
	var wopt data.WriteOptions
	fs.StringVar(&wopt.Codec, "codec", "", "compression `CODEC`: Parquet zstd|snappy|gzip|none (default zstd),\nArrow IPC lz4|zstd|none (default lz4)")
	fs.IntVar(&wopt.ChunkRows, "chunk-rows", 0, "`N` rows per Parquet row group or IPC record batch;\n0 means 1048576 for Parquet and 65536 for IPC")
	fs.BoolVar(&wopt.Plain, "plain", false, "disable Parquet dictionary encoding")
	addLoadFlags(fs, &opt)
	return func(ctx context.Context, sio *stdio, args []string) error {
		if len(args) != 2 {
			return usagef("want IN and OUT, got %d arguments", len(args))
		}
		in, out := args[0], args[1]
		format, err := outputFormat(out)
		if err != nil {
			return err
		}
		if err := checkWriteOptions(format, wopt); err != nil {
			return err
		}
		if sameFile(in, out) {
			return usagef("OUT %s is IN itself: refusing to overwrite the input", out)
		}
		s, err := data.Load(ctx, in, opt)
		if err != nil {
			return err
		}
		for _, w := range s.Warnings {
			fmt.Fprintf(sio.errOut, "%s: warning: %s: %v\n", programName, in, w)
		}
		if err := data.WriteFile(out, s, wopt); err != nil {
			return err
		}
		fmt.Fprintf(sio.out, "wrote %s: %d rows of %s, %s (%s), from %s\n",
			out, s.Rows(), s.Kind, format, codecName(format, wopt.Codec), in)
		return nil
	}
}

// outputFormat is data.FormatFromPath with a message that names the
// extension and says CSV is input only.
func outputFormat(path string) (data.Format, error) {
	f, err := data.FormatFromPath(path)
	if err != nil {
		ext := strconv.Quote(filepath.Ext(path))
		if ext == `""` {
			ext = "(none)"
		}
		return "", usagef("cannot write %s: unknown extension %s: use .parquet, .arrow/.feather (Arrow IPC file) or .arrows (Arrow IPC stream); CSV is read but not written", path, ext)
	}
	return f, nil
}

// checkWriteOptions rejects a bad --codec or --chunk-rows before the input
// is loaded. The codec is checked by writing a one-row series to
// io.Discard, so the accepted names are exactly the writer's.
func checkWriteOptions(format data.Format, opt data.WriteOptions) error {
	if opt.ChunkRows < 0 {
		return usagef("--chunk-rows %d: must be 0 (the default) or positive", opt.ChunkRows)
	}
	probe := &data.Series{Kind: data.KindFunding, Funding: data.Funding{Time: []int64{0}, Rate: []float64{0}}}
	if err := data.Write(io.Discard, format, probe, opt); err != nil {
		return usagef("--codec %s: %v", opt.Codec, trimData(err))
	}
	return nil
}

// codecName is the codec the writer uses for opt.Codec.
func codecName(format data.Format, codec string) string {
	if codec != "" {
		return strings.ToLower(codec)
	}
	if format == data.FormatParquet {
		return "zstd"
	}
	return "lz4"
}

// sameFile reports whether a and b name the same file, through symlinks
// and hard links when b exists.
func sameFile(a, b string) bool {
	if sa, err := os.Stat(a); err == nil {
		if sb, err := os.Stat(b); err == nil {
			return os.SameFile(sa, sb)
		}
	}
	aa, err1 := filepath.Abs(a)
	ab, err2 := filepath.Abs(b)
	return err1 == nil && err2 == nil && aa == ab
}
