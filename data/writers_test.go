package data

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestForeignWriters loads files written by other tools. The Polars files in
// testdata/polars were made by testdata/polars/gen.js with nodejs-polars
// 0.26.1 (Rust Polars writers: Parquet ZSTD with a utf8 symbol column, IPC
// with a string_view column). The pandas/pyarrow file is in ../shared/data
// (TestSharedDataMatchesREADME); arrow-go files are what WriteFile makes.
func TestForeignWriters(t *testing.T) {
	for _, tc := range []struct {
		file, codec, createdBy string
	}{
		{"polars-btc-1m.parquet", "zstd", "Polars"},
		{"polars-btc-1m-zstd.arrow", "zstd", ""},
		{"polars-btc-1m-uncompressed.arrow", "uncompressed", ""},
	} {
		t.Run(tc.file, func(t *testing.T) {
			s := mustLoad(t, filepath.Join("testdata/polars", tc.file), LoadOptions{})
			if s.Rows() != 500 || s.Timeframe != time.Minute || s.Codec != tc.codec || !strings.Contains(s.CreatedBy, tc.createdBy) {
				t.Errorf("rows %d timeframe %v codec %q created by %q", s.Rows(), s.Timeframe, s.Codec, s.CreatedBy)
			}
			if FormatTime(s.Bars.Time[0]) != "2024-01-01T00:00:00Z" || s.Bars.Open[0] != 100 {
				t.Errorf("first bar %s open %v", FormatTime(s.Bars.Time[0]), s.Bars.Open[0])
			}
		})
	}
	t.Run("polars LZ4 IPC gets an explanation", func(t *testing.T) {
		// arrow-go panics mid-batch here (recovered by Load), so buffers it
		// had allocated are left to the garbage collector: no checked allocator.
		_, err := Load(context.Background(), "testdata/polars/polars-btc-1m-lz4.arrow", LoadOptions{})
		if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "re-export with ZSTD") {
			t.Fatalf("err = %v", err)
		}
	})
}
