package main

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/marginlab/marginlab/data"
)

func load(t *testing.T, path string) *data.Series {
	t.Helper()
	s, err := data.Load(context.Background(), path, data.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestConvertRoundTrip converts Parquet to Feather and back, for candles
// and funding, and checks every value survives.
func TestConvertRoundTrip(t *testing.T) {
	dir := synthDir(t)
	for _, name := range []string{"BTC-1m-candles", "ETH-1m-mark", "BTC-funding"} {
		t.Run(name, func(t *testing.T) {
			orig := filepath.Join(dir, name+".parquet")
			feather := filepath.Join(t.TempDir(), name+".feather")
			back := filepath.Join(t.TempDir(), name+".parquet")
			r := mustRun(t, exitOK, "data", "convert", orig, feather)
			if !strings.Contains(r.out, "wrote "+feather) || !strings.Contains(r.out, "arrow-file (lz4)") {
				t.Errorf("summary: %s", r.out)
			}
			mustRun(t, exitOK, "data", "convert", feather, back, "--codec", "snappy", "--chunk-rows", "500", "--plain")
			a, f, b := load(t, orig), load(t, feather), load(t, back)
			if f.Format != data.FormatArrowFile || f.Codec != "lz4_frame" {
				t.Errorf("feather: format %s codec %s", f.Format, f.Codec)
			}
			if b.Codec != "snappy" {
				t.Errorf("back: codec %s", b.Codec)
			}
			for _, s := range []*data.Series{f, b} {
				if s.Kind != a.Kind || !reflect.DeepEqual(s.Bars, a.Bars) || !reflect.DeepEqual(s.Funding, a.Funding) {
					t.Errorf("%s: data differs from %s", s.Path, orig)
				}
			}
		})
	}
}

// TestConvertCSV converts a CSV with load flags to an Arrow IPC stream.
func TestConvertCSV(t *testing.T) {
	dir := t.TempDir()
	in := writeFile(t, dir, "in.csv", "date,open,high,low,close,volume\n"+
		"2024-01-01T00:01:00Z,100,101,99,100,1\n"+
		"2024-01-01T00:00:00Z,100,101,99,100,1\n")
	out := filepath.Join(dir, "out.arrows")
	mustRun(t, exitFailed, "data", "convert", in, out) // unsorted
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("failed convert left %s behind", out)
	}
	r := mustRun(t, exitOK, "data", "convert", in, out, "--sort")
	if !strings.Contains(r.errOut, "warning") {
		t.Errorf("the sort repair was not reported: %q", r.errOut)
	}
	s := load(t, out)
	if s.Format != data.FormatArrowStream || s.Rows() != 2 || s.Bars.Time[0] >= s.Bars.Time[1] {
		t.Errorf("got %s with %d rows, times %v", s.Format, s.Rows(), s.Bars.Time)
	}
}

func TestConvertRefusesInput(t *testing.T) {
	dir := synthDir(t)
	in := filepath.Join(dir, "BTC-1m-candles.parquet")
	before, _ := os.ReadFile(in)
	link := filepath.Join(t.TempDir(), "link.parquet")
	if err := os.Symlink(in, link); err != nil {
		t.Skip(err)
	}
	for _, out := range []string{in, link} {
		r := mustRun(t, exitUsage, "data", "convert", in, out, "--codec", "none")
		if !strings.Contains(r.errOut, "refusing to overwrite") {
			t.Errorf("stderr: %s", r.errOut)
		}
	}
	if after, _ := os.ReadFile(in); string(after) != string(before) {
		t.Error("input changed")
	}
}
