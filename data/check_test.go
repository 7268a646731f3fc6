package data

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/parquet/file"
)

// TestValidate: an in-memory series gets Load's checks, with errors that
// name the series' path, column and row, and Load's gap warning.
func TestValidate(t *testing.T) {
	good := func() *Series { return &Series{Path: "mem", Kind: KindCandles, Bars: walkBars(100, 3)} }
	s := good()
	if err := Validate(s); err != nil || s.Timeframe != time.Minute || s.Gaps.Count != 0 || len(s.Warnings) != 0 {
		t.Fatalf("good series: err %v, timeframe %v, gaps %+v, warnings %v", err, s.Timeframe, s.Gaps, s.Warnings)
	}
	for _, tc := range []struct {
		name  string
		spoil func(s *Series)
		is    error
		want  string
	}{
		{"duplicate", func(s *Series) { s.Bars.Time[6] = s.Bars.Time[5] }, ErrDuplicate, `mem: column "time", row 6`},
		{"unsorted", func(s *Series) { s.Bars.Time[6] = s.Bars.Time[4] }, ErrUnsorted, `mem: column "time", row 6`},
		{"ohlc", func(s *Series) { s.Bars.High[9] = s.Bars.Low[9] / 2 }, ErrOHLC, `mem: column "high", row 9`},
		{"price", func(s *Series) { s.Bars.Low[2] = -1 }, ErrBadPrice, `mem: column "low", row 2`},
		{"volume", func(s *Series) { s.Bars.Volume[3] = -1 }, ErrBadValue, `mem: column "volume", row 3`},
	} {
		s := good()
		tc.spoil(s)
		err := Validate(s)
		if !errors.Is(err, tc.is) || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %v starting %q", tc.name, err, tc.is, tc.want)
		}
	}
	g := good()
	g.Bars = g.Bars.Clone()
	for _, col := range [][]float64{g.Bars.Open, g.Bars.High, g.Bars.Low, g.Bars.Close, g.Bars.Volume} {
		copy(col[40:], col[45:])
	}
	copy(g.Bars.Time[40:], g.Bars.Time[45:])
	g.Bars = g.Bars.Slice(0, 95)
	if err := Validate(g); err != nil || g.Gaps.Count != 1 || g.Gaps.Missing != 5 || len(g.Warnings) != 1 {
		t.Errorf("gap: err %v, gaps %+v, warnings %v", err, g.Gaps, g.Warnings)
	}
	f := &Series{Path: "f", Kind: KindFunding, Funding: Funding{Time: []int64{1, 2, 2}, Rate: []float64{0.1e-3, 0, 1e-4}}}
	if err := Validate(f); !errors.Is(err, ErrDuplicate) {
		t.Errorf("funding duplicate: %v", err)
	}
	// A rate of 5 is 500 % per interval: a column in percent, most likely.
	f = &Series{Path: "f", Kind: KindFunding, Funding: Funding{Time: []int64{1, 2, 3}, Rate: []float64{0.0001, 5, 0.0001}}}
	if err := Validate(f); !errors.Is(err, ErrBadValue) || !strings.Contains(err.Error(), "row 1") || !strings.Contains(err.Error(), "percent") {
		t.Errorf("funding rate 5: %v", err)
	}
	if err := Validate(&Series{Kind: KindAuto}); err == nil {
		t.Error("KindAuto accepted")
	}
}

// TestWriteMetadata: extra metadata lands in the Parquet key-value metadata
// in key order after the kind, the file reads back, it is readable by
// others (0644), and no temporary file is left.
func TestWriteMetadata(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.parquet")
	s := &Series{Kind: KindMark, Bars: walkBars(50, 1)}
	md := map[string]string{"z.last": "1", "a.first": "2", "marginlab.symbol": "BTCUSDT"}
	if err := WriteFile(path, s, WriteOptions{Metadata: md}); err != nil {
		t.Fatal(err)
	}
	r, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	kv := r.MetaData().KeyValueMetadata()
	var keys []string
	for i, k := range kv.Keys() {
		if k == "ARROW:schema" {
			continue
		}
		keys = append(keys, k+"="+kv.Values()[i])
	}
	if want := []string{"marginlab.kind=mark", "a.first=2", "marginlab.symbol=BTCUSDT", "z.last=1"}; !slices.Equal(keys, want) {
		t.Errorf("metadata %v, want %v", keys, want)
	}
	if got := mustLoad(t, path, LoadOptions{}); got.Kind != KindMark || got.Rows() != 50 {
		t.Errorf("read back kind %v rows %d", got.Kind, got.Rows())
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v (%v), want 0644", st.Mode(), err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("left in the directory: %v", entries)
	}
	if err := WriteFile(path, s, WriteOptions{Metadata: map[string]string{kindMetadataKey: "funding"}}); err == nil {
		t.Error("a metadata key that overrides the kind was accepted")
	}
}
