package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestDemo: the demo runs quickly with no input files and prints every
// leverage rung under both modes, then findings.
func TestDemo(t *testing.T) {
	start := time.Now()
	r := mustRun(t, exitOK, "demo")
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("demo took %v; it should take a few seconds", d)
	}
	for _, lev := range demoLeverages {
		re := regexp.MustCompile(`(?m)^\s+` + fmtNum(lev) + `×\s+isolated\s+\d+\s+\d+\s+[\d.]+\s+(-|[\d.]+ %)\s+[-+][\d.]+ %.*\n\s+cross\s+\d+`)
		if !re.MatchString(r.out) {
			t.Errorf("no isolated and cross rows for %v×:\n%s", lev, r.out)
		}
	}
	for _, want := range []string{"leverage", "mode", "liquidated", "per 1,000", "median loss", "total return", "max drawdown", "return on peak CaR", "Findings:", "marginlab init"} {
		if !strings.Contains(r.out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if n := strings.Count(r.out, "\n  - "); n < 2 || n > 3 {
		t.Errorf("%d findings, want 2 or 3:\n%s", n, r.out)
	}
	if r2 := mustRun(t, exitOK, "demo"); r2.out != r.out {
		t.Error("two demo runs printed different output")
	}
	if r3 := mustRun(t, exitOK, "demo", "--seed", "2"); r3.out == r.out {
		t.Error("--seed does not change the demo")
	}
}

// TestDemoOut: --out writes the same bytes twice, and each rung's
// config.json repeats that rung through 'marginlab run'.
func TestDemoOut(t *testing.T) {
	dir := t.TempDir()
	d1, d2 := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	mustRun(t, exitOK, "demo", "--out", d1)
	mustRun(t, exitOK, "demo", "--out", d2)
	var names []string
	filepath.WalkDir(d1, func(p string, e os.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			rel, _ := filepath.Rel(d1, p)
			names = append(names, rel)
		}
		return err
	})
	// summary.json, five rungs of five files, and the report: three files
	// and six figures in two formats (the heatmap needs a second swept
	// parameter); and the lock file.
	if len(names) != 1+5*5+3+6*2+1 {
		t.Errorf("demo wrote %d files: %v", len(names), names)
	}
	md, err := os.ReadFile(filepath.Join(d1, "report", "summary.md"))
	if err != nil || !bytes.Contains(md, []byte("5 cells × 1 path")) || !bytes.Contains(md, []byte("| 50× | cross |")) {
		t.Errorf("report/summary.md lacks the ladder (%v):\n%s", err, md)
	}
	for _, n := range names {
		b1, _ := os.ReadFile(filepath.Join(d1, n))
		b2, err := os.ReadFile(filepath.Join(d2, n))
		if err != nil || !bytes.Equal(b1, b2) {
			t.Errorf("%s differs between two demo runs (%v)", n, err)
		}
	}
	var sum demoSummary
	b, _ := os.ReadFile(filepath.Join(d1, "summary.json"))
	if err := json.Unmarshal(b, &sum); err != nil {
		t.Fatal(err)
	}
	if len(sum.Rungs) != len(demoLeverages) || sum.Rungs[4].Leverage != 50 || len(sum.Rungs[4].Modes) != 2 || len(sum.Findings) < 2 {
		t.Errorf("summary: %+v", sum)
	}
	// The 20× rung again, through run.
	rerun := filepath.Join(dir, "rerun")
	mustRun(t, exitOK, "run", "-c", filepath.Join(d1, "20x", "config.json"), "--out", rerun)
	for _, n := range outputFiles {
		want, _ := os.ReadFile(filepath.Join(d1, "20x", n))
		if got, _ := os.ReadFile(filepath.Join(rerun, n)); !bytes.Equal(got, want) {
			t.Errorf("run -c 20x/config.json wrote a different %s", n)
		}
	}
}
