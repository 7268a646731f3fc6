package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/marginlab/marginlab/backtest/runconfig"
)

// TestInitThenRun: init writes the starter, which run then runs as is.
func TestInitThenRun(t *testing.T) {
	path := filepath.Join(t.TempDir(), "conf", "first.yaml")
	r := mustRun(t, exitOK, "init", path)
	if !strings.Contains(r.out, "marginlab run -c "+path) {
		t.Errorf("init does not say what to do next:\n%s", r.out)
	}
	b, err := os.ReadFile(path)
	if err != nil || string(b) != runconfig.Starter() {
		t.Fatalf("init wrote %d bytes (%v), want the starter", len(b), err)
	}
	r = mustRun(t, exitOK, "run", "-c", path)
	for _, want := range []string{"isolated", "cross", "positions liquidated", "per 1,000 positions", "final equity", "mark prices", "sma_cross on BTC, ETH (synthetic)"} {
		if !strings.Contains(r.out, want) {
			t.Errorf("run output lacks %q:\n%s", want, r.out)
		}
	}
}

// TestInitDefaultName: without FILE, init writes marginlab.yaml here.
func TestInitDefaultName(t *testing.T) {
	t.Chdir(t.TempDir())
	r := mustRun(t, exitOK, "init")
	if _, err := os.Stat(defaultConfigFile); err != nil || !strings.Contains(r.out, "marginlab run -c marginlab.yaml") {
		t.Errorf("%v\n%s", err, r.out)
	}
}

// TestInitRefusesOverwrite: an existing file is kept unless --force.
func TestInitRefusesOverwrite(t *testing.T) {
	path := writeFile(t, t.TempDir(), "mine.yaml", "capital: 123\n")
	r := mustRun(t, exitUsage, "init", path)
	if !strings.Contains(r.errOut, path+" exists; use --force to replace it") {
		t.Errorf("stderr:\n%s", r.errOut)
	}
	if b, _ := os.ReadFile(path); string(b) != "capital: 123\n" {
		t.Errorf("init overwrote the file: %q", b)
	}
	mustRun(t, exitOK, "init", "--force", path)
	if b, _ := os.ReadFile(path); string(b) != runconfig.Starter() {
		t.Error("init --force did not write the starter")
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
	mustRun(t, exitUsage, "init", "a.yaml", "b.yaml")
}
