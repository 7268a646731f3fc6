package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sweepInto runs a small sweep of cfg into a new directory.
func sweepInto(t *testing.T, cfg string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "sweep.yaml")
	if err := os.WriteFile(p, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	if r := runArgs(t, "sweep", "-c", p, "--out", out, "--equity"); r.code != 0 {
		t.Fatalf("sweep: %d\n%s", r.code, r.errOut)
	}
	return out
}

func TestReportAndCompare(t *testing.T) {
	base := sweepInto(t, sweepConfig)
	auto, err := os.ReadFile(filepath.Join(base, "report", "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	r := runArgs(t, "report", base)
	if r.code != 0 {
		t.Fatalf("report: %d\n%s", r.code, r.errOut)
	}
	// 'report' with its defaults reproduces the report the sweep wrote.
	if again, _ := os.ReadFile(filepath.Join(base, "report", "summary.json")); !bytes.Equal(again, auto) {
		t.Error("marginlab report wrote a different summary.json from the sweep's own report")
	}
	for _, f := range []string{"index.html", "summary.md", "summary.json", "figures/liquidation-frequency.svg", "figures/survival.png"} {
		if st, err := os.Stat(filepath.Join(base, "report", f)); err != nil || st.Size() == 0 {
			t.Errorf("report/%s missing or empty", f)
		}
	}
	md, _ := os.ReadFile(filepath.Join(base, "report", "summary.md"))
	if !strings.Contains(string(md), "| isolated |") || !strings.Contains(string(md), "## Findings") {
		t.Errorf("summary.md:\n%s", md)
	}
	// 4 paths are too few to resample: the intervals resample blocks of
	// time, 25 of 5 days by default (∛125 days) and 5 with --block-days 25.
	if !strings.Contains(string(auto), `"resampled": "time_blocks"`) || !strings.Contains(string(auto), `"units": 25,`) {
		t.Errorf("summary.json does not say it resampled 25 time blocks:\n%s", auto)
	}
	blocks := t.TempDir()
	if r := runArgs(t, "report", base, "--out", blocks, "--block-days", "25"); r.code != 0 {
		t.Fatalf("report --block-days 25: %d\n%s", r.code, r.errOut)
	}
	if js, _ := os.ReadFile(filepath.Join(blocks, "summary.json")); !strings.Contains(string(js), `"units": 5,`) || !strings.Contains(string(js), `"block_length_days": 25`) {
		t.Errorf("--block-days 25: summary.json does not say 5 blocks of 25 days:\n%s", js)
	}

	// Same results: nothing changes, exit 0 even with tight thresholds.
	if r := runArgs(t, "compare", base, base, "--threshold", "positions_liquidated_per_1000=0", "--threshold", "total_return=0"); r.code != 0 {
		t.Errorf("compare with itself: exit %d\n%s%s", r.code, r.out, r.errOut)
	}
	// A change outside the grid (slippage) keeps the cells but moves the
	// metrics: a zero threshold on total return is crossed.
	next := sweepInto(t, strings.Replace(sweepConfig, "capital: 10000", "capital: 10000\nslippage: 0.002", 1))
	r = runArgs(t, "compare", base, next, "--threshold", "total_return=0", "--markdown")
	if r.code != 1 || !strings.Contains(r.out, "CROSSED") || !strings.Contains(r.out, "| mode | metric |") {
		t.Errorf("compare with a crossed threshold: exit %d\n%s%s", r.code, r.out, r.errOut)
	}
	// Nothing in common (another leverage grid), a bad metric, a missing
	// directory: exit 2.
	other := sweepInto(t, strings.Replace(sweepConfig, "leverage: [5, 20, 50]", "leverage: [7]", 1))
	for name, args := range map[string][]string{
		"no common run":  {"compare", base, other},
		"unknown metric": {"compare", base, base, "--threshold", "happiness=1"},
		"not results":    {"compare", base, t.TempDir()},
		"report of none": {"report", t.TempDir()},
		"negative block": {"report", base, "--block-days", "-1"},
	} {
		if r := runArgs(t, args...); r.code != 2 {
			t.Errorf("%s: exit %d, want 2\n%s", name, r.code, r.errOut)
		}
	}

	// A corrupt equity table: the report is written without the figure,
	// says why on stderr, and the earlier report's copy of it is removed.
	if err := os.WriteFile(filepath.Join(base, "equity.parquet"), []byte("PAR1 not parquet"), 0o644); err != nil {
		t.Fatal(err)
	}
	r = runArgs(t, "report", base)
	if r.code != 0 || !strings.Contains(r.errOut, "warning: figure not drawn: one cell over time") || !strings.Contains(r.errOut, "equity.parquet") {
		t.Errorf("report with a corrupt equity table: exit %d\n%s", r.code, r.errOut)
	}
	if _, err := os.Stat(filepath.Join(base, "report", "figures", "cell-over-time.svg")); !os.IsNotExist(err) {
		t.Errorf("a figure of an earlier report was left behind (%v)", err)
	}
}
