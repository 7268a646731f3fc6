//go:build unix

package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestOutputModesCmd: every output file is 0644 and every directory 0755
// under umask 022, whoever runs the command, so that another user (a
// merge job in another container) reads them.
func TestOutputModesCmd(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	dir := t.TempDir()
	cfg := writeFile(t, dir, "v.yaml", volatileConfig)
	mkt := filepath.Join(dir, "market")
	mustRun(t, exitOK, "data", "synth", "--out", mkt, "--bars", "500")
	conv := filepath.Join(dir, "conv")
	os.Mkdir(conv, 0o755)
	mustRun(t, exitOK, "data", "convert", filepath.Join(mkt, "BTC-1m-candles.parquet"), filepath.Join(conv, "btc.arrow"))
	run := filepath.Join(dir, "run")
	mustRun(t, exitOK, "run", "-c", cfg, "--out", run)
	rep := filepath.Join(dir, "rep")
	swcfg := writeSweepConfig(t)
	dirs := shards(t, swcfg)
	merged := filepath.Join(dir, "merged")
	mustRun(t, exitOK, append([]string{"merge", "--out", merged}, dirs...)...)
	mustRun(t, exitOK, "report", merged, "--out", rep)
	for _, root := range []string{mkt, conv, run, rep, merged, dirs[0]} {
		filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
			if err != nil {
				t.Fatal(err)
			}
			fi, _ := e.Info()
			want := fs.FileMode(0o644)
			if e.IsDir() {
				want = 0o755
			}
			if fi.Mode().Perm() != want {
				t.Errorf("%s: mode %03o, want %03o", p, fi.Mode().Perm(), want)
			}
			return nil
		})
	}
}
