package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDemo(t *testing.T) {
	dir := t.TempDir()
	r := mustRun(t, exitOK, "demo", "--out", dir)
	for _, want := range []string{
		dir,
		"FILE", "KIND", "ROWS", "TIMEFRAME", "FIRST", "LAST", "GAPS",
		"BTC-1m-candles.parquet  candles  10080  1m",
		"ETH-1m-mark.parquet     mark     10080  1m",
		"ETH-funding.parquet     funding  21     8h",
		"2024-01-07T23:59:00Z",
		"marginlab data inspect",
		"Nothing was\nsimulated",
	} {
		if !strings.Contains(r.out, want) {
			t.Errorf("output lacks %q:\n%s", want, r.out)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 6 {
		t.Errorf("demo wrote %d files, want 6", len(entries))
	}
}

// TestDemoTempDir checks the default: a new marginlab-demo-* directory
// under the temporary directory, named in the output.
func TestDemoTempDir(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	r := mustRun(t, exitOK, "demo", "--seed", "3")
	dirs, _ := filepath.Glob(filepath.Join(tmp, "marginlab-demo-*"))
	if len(dirs) != 1 || !strings.Contains(r.out, dirs[0]) {
		t.Errorf("demo directories %q; output:\n%s", dirs, r.out)
	}
}
