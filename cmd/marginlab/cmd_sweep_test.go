package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/marginlab/marginlab/backtest/sweep"
)

// sweepConfig is a synthetic sweep of 6 cells × 4 paths.
const sweepConfig = `
data:
  synthetic: {symbols: [BTC, ETH], timeframe: 1h, bars: 3000, seed: 3, annual_vol: 1.2}
venue: binance-usdm
capital: 10000
leverage: [5, 20, 50]
strategy: {name: random, params: {entry_prob: [0.01, 0.05], exit_prob: 0.03}}
sizing: {kind: equity_fraction, params: {fraction: 0.2}}
modes: [isolated, cross]
sweep: {paths: 4, block: 24, seed: 7}
`

func writeSweepConfig(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "sweep.yaml")
	if err := os.WriteFile(p, []byte(sweepConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func readTables(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, n := range []string{"runs.parquet", "liquidations.parquet", "trades.parquet"} {
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		out[n] = b
	}
	return out
}

func TestSweepShardsAndMerge(t *testing.T) {
	cfg := writeSweepConfig(t)
	all := t.TempDir()
	if r := runArgs(t, "sweep", "-c", cfg, "--out", all, "--trades"); r.code != 0 {
		t.Fatalf("sweep: %d\n%s", r.code, r.errOut)
	}
	want := readTables(t, all)
	var dirs []string
	for k := range 3 {
		d := t.TempDir()
		getenv = func(string) string { return []string{"0", "1", "2"}[k] }
		r := runArgs(t, "sweep", "-c", cfg, "--out", d, "--shards", "3", "--trades", "--workers", "1")
		getenv = os.Getenv
		if r.code != 0 || !strings.Contains(r.out, "shard "+[]string{"0", "1", "2"}[k]+"/3") {
			t.Fatalf("shard %d: %d\n%s%s", k, r.code, r.out, r.errOut)
		}
		dirs = append(dirs, d)
	}
	merged := t.TempDir()
	if r := runArgs(t, append([]string{"merge", "--out", merged}, dirs...)...); r.code != 0 {
		t.Fatalf("merge: %d\n%s", r.code, r.errOut)
	}
	for n, b := range readTables(t, merged) {
		if !bytes.Equal(b, want[n]) {
			t.Errorf("merged %s differs from the unsharded run's", n)
		}
	}
	// The unsharded sweep and the merge write the same report; a shard
	// writes none, since it holds part of the cells.
	for _, n := range []string{"index.html", "summary.md", "summary.json", "figures/frontier.svg", "figures/ratio-heatmap.png"} {
		a, err := os.ReadFile(filepath.Join(all, "report", n))
		if err != nil {
			t.Fatal(err)
		}
		if b, err := os.ReadFile(filepath.Join(merged, "report", n)); err != nil || !bytes.Equal(a, b) {
			t.Errorf("merged report/%s differs from the unsharded sweep's (%v)", n, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dirs[0], "report")); !os.IsNotExist(err) {
		t.Errorf("a shard wrote a report (%v)", err)
	}
	noReport := t.TempDir()
	if r := runArgs(t, "merge", "--no-report", "--out", noReport, dirs[0], dirs[1], dirs[2]); r.code != 0 {
		t.Fatalf("merge --no-report: %d\n%s", r.code, r.errOut)
	}
	if _, err := os.Stat(filepath.Join(noReport, "report")); !os.IsNotExist(err) {
		t.Errorf("merge --no-report wrote a report (%v)", err)
	}
	if r := runArgs(t, "merge", "--out", t.TempDir(), dirs[0], dirs[1]); r.code != 1 || !strings.Contains(r.errOut, "in no shard given") {
		t.Errorf("merge with a shard missing: %d %s", r.code, r.errOut)
	}
	for _, bad := range [][]string{
		{"sweep", "-c", cfg, "--out", t.TempDir(), "--shard", "3/3"},
		{"sweep", "-c", cfg, "--out", t.TempDir(), "--shards", "3"}, // no JOB_COMPLETION_INDEX
		{"sweep", "-c", cfg},
		{"merge", "--out", t.TempDir()},
	} {
		if r := runArgs(t, bad...); r.code != 2 {
			t.Errorf("%q: exit %d, want 2 (%s)", bad, r.code, r.errOut)
		}
	}
}

// TestSweepKilledThenResumed starts the real binary, kills it with SIGKILL
// once some jobs are saved, runs it again, and compares the tables with an
// uninterrupted run.
func TestSweepKilledThenResumed(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "marginlab")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cfg := writeSweepConfig(t)
	want := t.TempDir()
	if out, err := exec.Command(bin, "sweep", "-c", cfg, "--out", want, "--trades").CombinedOutput(); err != nil {
		t.Fatalf("uninterrupted sweep: %v\n%s", err, out)
	}
	out := t.TempDir()
	cmd := exec.Command(bin, "sweep", "-c", cfg, "--out", out, "--trades", "--workers", "1")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	killed := false
	for time.Now().Before(deadline) {
		saved := 0 // records in the job logs (each starts with the magic "MLJ1")
		logs, _ := filepath.Glob(filepath.Join(out, "jobs", "*.log"))
		for _, l := range logs {
			b, _ := os.ReadFile(l)
			saved += bytes.Count(b, []byte("MLJ1"))
		}
		if saved >= 3 {
			killed = cmd.Process.Signal(syscall.SIGKILL) == nil
			break
		}
		time.Sleep(2 * time.Millisecond)
	}
	_ = cmd.Wait()
	if !killed {
		t.Skip("the sweep finished before it could be killed; the machine is too fast for this test")
	}
	if _, err := os.Stat(filepath.Join(out, "runs.parquet")); err == nil {
		t.Skip("the sweep completed before the kill landed")
	}
	res, err := exec.Command(bin, "sweep", "-c", cfg, "--out", out, "--trades").CombinedOutput()
	if err != nil {
		t.Fatalf("resumed sweep: %v\n%s", err, res)
	}
	got, exp := readTables(t, out), readTables(t, want)
	for n := range exp {
		if !bytes.Equal(got[n], exp[n]) {
			t.Errorf("%s after kill and resume differs from the uninterrupted run's", n)
		}
	}
}

// TestSweepProgress: outside a terminal, progress is plain lines (one per
// progressEvery), each with jobs done, elapsed, ETA and throughput.
func TestSweepProgress(t *testing.T) {
	old := progressEvery
	progressEvery = 0
	defer func() { progressEvery = old }()
	var buf bytes.Buffer
	pr := newProgress(&buf)
	if pr.terminal {
		t.Fatal("a buffer is not a terminal")
	}
	pr.update(sweepProgress(3, 12, 1, 4e6, 2*time.Second))
	pr.update(sweepProgress(12, 12, 1, 16e6, 8*time.Second))
	pr.finish()
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "3/12 jobs") || !strings.Contains(lines[0], "ETA 9s") ||
		!strings.Contains(lines[0], "2.0M bar-steps/s") || !strings.Contains(lines[1], "12/12 jobs") {
		t.Errorf("progress lines:\n%s", buf.String())
	}
}

func sweepProgress(done, total, resumed int, steps int64, elapsed time.Duration) sweep.Progress {
	return sweep.Progress{Done: done, Total: total, Resumed: resumed, BarSteps: steps, Elapsed: elapsed}
}

// TestWarnEquitySize: --equity warns when the equity table would pass 10
// million rows, and record_every brings it under.
func TestWarnEquitySize(t *testing.T) {
	for _, tc := range []struct {
		every string
		warn  bool
	}{{"1", true}, {"2", false}, {"[1, 4]", true}} {
		cfg := strings.Replace(sweepConfig, "sweep: {paths: 4", "record_every: "+tc.every+"\nsweep: {paths: 4", 1)
		plan, err := sweep.Expand([]byte(cfg), "s.yaml")
		if err != nil {
			t.Fatal(err)
		}
		// 6 cells (12 with two record_every values) × 4 paths × 2 modes × 250,000 bars ÷ record_every.
		var b bytes.Buffer
		warnEquitySize(&b, plan, sweep.Shard{N: 1}, 250_000)
		if got := strings.Contains(b.String(), "warning: --equity will write about"); got != tc.warn {
			t.Errorf("record_every %s: warned %v, want %v: %q", tc.every, got, tc.warn, b.String())
		}
	}
}
