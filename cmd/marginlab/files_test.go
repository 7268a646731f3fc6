package main

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/marginlab/marginlab/data/publish"
	"github.com/marginlab/marginlab/data/publish/publishtest"
)

// fileState is what a snapshot keeps of a file: enough to tell that it
// was neither rewritten nor replaced.
type fileState struct {
	info fs.FileInfo
	body []byte
}

// snapshot records every file under dir but lock files (which every
// process taking the lock rewrites).
func snapshot(t *testing.T, dir string) map[string]fileState {
	t.Helper()
	out := map[string]fileState{}
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || e.Name() == publish.LockName {
			return err
		}
		fi, err := os.Stat(p)
		if err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[rel] = fileState{fi, b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatalf("%s holds no file", dir)
	}
	return out
}

// unchanged fails unless dir holds exactly the files of before, the same
// files with the same bytes.
func unchanged(t *testing.T, dir string, before map[string]fileState) {
	t.Helper()
	after := snapshot(t, dir)
	for rel, a := range before {
		b, ok := after[rel]
		switch {
		case !ok:
			t.Errorf("%s: %s is gone", dir, rel)
		case !os.SameFile(a.info, b.info) || !bytes.Equal(a.body, b.body):
			t.Errorf("%s: %s was replaced or changed", dir, rel)
		}
	}
	for rel := range after {
		if _, ok := before[rel]; !ok {
			t.Errorf("%s: %s appeared", dir, rel)
		}
	}
}

// noTemps fails if a temporary file or directory of package publish is
// anywhere under dir.
func noTemps(t *testing.T, dir string) {
	t.Helper()
	filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err == nil && (strings.HasPrefix(e.Name(), ".marginlab-tmp-") || strings.HasPrefix(e.Name(), ".marginlab-old-")) {
			t.Errorf("temporary %s left behind", p)
		}
		return err
	})
}

// fullAt fails writes taking a file named name past at bytes, as a full
// disk does.
func fullAt(name string, at int64) func(string, int64) error {
	return func(path string, size int64) error {
		if filepath.Base(path) == name && size > at {
			return syscall.ENOSPC
		}
		return nil
	}
}

// wantFullDisk checks a command's failure on a full disk: exit 1, the
// file named, what to do, and that the output directory is unchanged.
func wantFullDisk(t *testing.T, r result, file, unchangedDir string) {
	t.Helper()
	if r.code != exitFailed || strings.Contains(r.errOut, "panic") {
		t.Fatalf("exit %d, want 1\n%s", r.code, r.errOut)
	}
	for _, want := range []string{"writing " + file + ": no space left on device", "free some space", unchangedDir + " is unchanged"} {
		if !strings.Contains(r.errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.errOut)
		}
	}
}

// TestRunOutFullDisk: a run whose output cannot be written leaves the
// previous output as it was, report included, and no temporary; a first
// run that fails leaves no directory.
func TestRunOutFullDisk(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, dir, "v.yaml", volatileConfig)
	other := writeFile(t, dir, "w.yaml", strings.Replace(volatileConfig, "seed: 3", "seed: 4", 1))
	out := filepath.Join(dir, "out")
	mustRun(t, exitOK, "run", "-c", cfg, "--out", out)
	before := snapshot(t, out)
	for _, tc := range []struct {
		name string
		at   int64
		path string
	}{
		{"equity.csv", 0, "equity.csv"},
		{"fills.csv", 100, "fills.csv"},
		{"index.html", 0, "report/index.html"},
		{"survival.png", 50, "report/figures/survival.png"},
	} {
		restore := publish.SetFault(fullAt(tc.name, tc.at))
		r := runArgs(t, "run", "-c", other, "--out", out)
		restore()
		wantFullDisk(t, r, filepath.Join(out, tc.path), out)
		unchanged(t, out, before)
		noTemps(t, dir)
	}
	fresh := filepath.Join(dir, "fresh")
	restore := publish.SetFault(fullAt("summary.json", 0))
	r := runArgs(t, "run", "-c", cfg, "--out", fresh)
	restore()
	if r.code != exitFailed || !strings.Contains(r.errOut, "nothing was written to "+fresh) {
		t.Errorf("first run on a full disk: exit %d\n%s", r.code, r.errOut)
	}
	if _, err := os.Stat(fresh); !os.IsNotExist(err) {
		t.Errorf("a failed first run left %s (%v)", fresh, err)
	}
	noTemps(t, dir)

	// demo --out is written the same way.
	demo := filepath.Join(dir, "demo")
	mustRun(t, exitOK, "demo", "--out", demo)
	before = snapshot(t, demo)
	restore = publish.SetFault(fullAt("config.json", 10))
	r = runArgs(t, "demo", "--out", demo, "--seed", "9")
	restore()
	wantFullDisk(t, r, filepath.Join(demo, "02x", "config.json"), demo)
	unchanged(t, demo, before)
	noTemps(t, dir)
}

// TestRunOutFullTmpfs: the same on a real full filesystem (root only).
func TestRunOutFullTmpfs(t *testing.T) {
	mnt := publishtest.Tmpfs(t, "4m")
	dir := t.TempDir()
	cfg := writeFile(t, dir, "v.yaml", volatileConfig)
	other := writeFile(t, dir, "w.yaml", strings.Replace(volatileConfig, "seed: 3", "seed: 4", 1))
	out := filepath.Join(mnt, "out")
	mustRun(t, exitOK, "run", "-c", cfg, "--out", out)
	before := snapshot(t, out)
	publishtest.Fill(t, mnt, 64<<10)
	r := runArgs(t, "run", "-c", other, "--out", out)
	if r.code != exitFailed || !strings.Contains(r.errOut, "no space left on device") || !strings.Contains(r.errOut, out+" is unchanged") {
		t.Fatalf("run on a full disk: exit %d\n%s", r.code, r.errOut)
	}
	unchanged(t, out, before)
	noTemps(t, mnt)
}

// TestSweepFullDisk: a full disk while a sweep writes its tables (here a
// rerun of a finished sweep, which writes them again) or its report is an
// error naming the file; the previous tables, manifest and report stay.
func TestSweepFullDisk(t *testing.T) {
	cfg := writeSweepConfig(t)
	out := t.TempDir()
	mustRun(t, exitOK, "sweep", "-c", cfg, "--out", out, "--trades")
	before := snapshot(t, out)
	sameBytes := func() {
		t.Helper()
		after := snapshot(t, out)
		for rel, st := range before {
			if !bytes.Equal(st.body, after[rel].body) {
				t.Errorf("%s changed", rel)
			}
		}
	}
	for _, tc := range []struct {
		name string
		at   int64
		path string
	}{{"runs.parquet", 0, "runs.parquet"}, {"trades.parquet", 3000, "trades.parquet"}, {"manifest.json", 0, "manifest.json"}} {
		restore := publish.SetFault(fullAt(tc.name, tc.at))
		r := runArgs(t, "sweep", "-c", cfg, "--out", out, "--trades")
		restore()
		if path := filepath.Join(out, tc.path); r.code != exitFailed || !strings.Contains(r.errOut, "writing "+path+": no space left on device") ||
			!strings.Contains(r.errOut, "free some space") {
			t.Errorf("%s full: exit %d\n%s", tc.name, r.code, r.errOut)
		}
		if tc.name == "manifest.json" {
			// The manifest, marking the sweep complete, is written after
			// the tables: they are in place again, the same bytes.
			sameBytes()
		} else {
			unchanged(t, out, before)
		}
		noTemps(t, out)
	}
	// The report is replaced as a whole, after the tables (which a rerun
	// writes again, the same bytes).
	report := filepath.Join(out, "report")
	reportBefore := snapshot(t, report)
	restore := publish.SetFault(fullAt("index.html", 0))
	r := runArgs(t, "sweep", "-c", cfg, "--out", out, "--trades")
	restore()
	if !strings.Contains(r.errOut, "the results are written, but their report failed") {
		t.Errorf("report on a full disk: %s", r.errOut)
	}
	wantFullDisk(t, r, filepath.Join(report, "index.html"), report)
	unchanged(t, report, reportBefore)
	sameBytes()
	noTemps(t, out)
	// So does report --out.
	restore = publish.SetFault(fullAt("summary.md", 0))
	r = runArgs(t, "report", out, "--conf", "0.9")
	restore()
	wantFullDisk(t, r, filepath.Join(report, "summary.md"), report)
	unchanged(t, report, reportBefore)
	noTemps(t, out)
}

// TestSweepFullTmpfs: a sweep on a real full filesystem (root only). A
// finished sweep's rerun keeps its outputs; a new sweep says its jobs
// could not be saved and how to resume.
func TestSweepFullTmpfs(t *testing.T) {
	mnt := publishtest.Tmpfs(t, "8m")
	cfg := writeSweepConfig(t)
	out := filepath.Join(mnt, "sweep")
	mustRun(t, exitOK, "sweep", "-c", cfg, "--out", out, "--trades")
	before := snapshot(t, out)
	publishtest.Fill(t, mnt, 16<<10)
	r := runArgs(t, "sweep", "-c", cfg, "--out", out, "--trades")
	if r.code != exitFailed || !strings.Contains(r.errOut, "no space left on device") || !strings.Contains(r.errOut, "free some space") {
		t.Fatalf("rerun on a full disk: exit %d\n%s", r.code, r.errOut)
	}
	unchanged(t, out, before)
	noTemps(t, mnt)
	r = runArgs(t, "sweep", "-c", cfg, "--out", filepath.Join(mnt, "new"), "--trades")
	if r.code != exitFailed || !strings.Contains(r.errOut, "no space left on device") || !strings.Contains(r.errOut, "resume") {
		t.Errorf("new sweep on a full disk: exit %d\n%s", r.code, r.errOut)
	}
	noTemps(t, mnt)
}

// shards runs sweepConfig as two shards and returns their directories.
func shards(t *testing.T, cfg string) []string {
	t.Helper()
	var dirs []string
	for k := range 2 {
		d := t.TempDir()
		mustRun(t, exitOK, "sweep", "-c", cfg, "--out", d, "--shard", fmt.Sprintf("%d/2", k), "--trades")
		dirs = append(dirs, d)
	}
	return dirs
}

// TestMergeFullDisk: a full disk during merge (injected, and a real one
// when root) is an error naming the file, never a panic in arrow-go; the
// previous merged directory, report included, stays as it was.
func TestMergeFullDisk(t *testing.T) {
	cfg := writeSweepConfig(t)
	dirs := shards(t, cfg)
	parent := t.TempDir()
	out := filepath.Join(parent, "merged")
	mustRun(t, exitOK, append([]string{"merge", "--out", out}, dirs...)...)
	before := snapshot(t, out)
	for _, tc := range []struct {
		name string
		at   int64
		path string
	}{{"runs.parquet", 0, "runs.parquet"}, {"liquidations.parquet", 2, "liquidations.parquet"},
		{"trades.parquet", 5000, "trades.parquet"}, {"frontier.svg", 0, "report/figures/frontier.svg"}} {
		restore := publish.SetFault(fullAt(tc.name, tc.at))
		r := runArgs(t, append([]string{"merge", "--out", out}, dirs...)...)
		restore()
		wantFullDisk(t, r, filepath.Join(out, tc.path), out)
		unchanged(t, out, before)
		noTemps(t, parent)
	}
	t.Run("tmpfs", func(t *testing.T) {
		mnt := publishtest.Tmpfs(t, "4m")
		out := filepath.Join(mnt, "merged")
		mustRun(t, exitOK, append([]string{"merge", "--out", out}, dirs...)...)
		before := snapshot(t, out)
		publishtest.Fill(t, mnt, 16<<10)
		r := runArgs(t, append([]string{"merge", "--out", out}, dirs...)...)
		if r.code != exitFailed || !strings.Contains(r.errOut, "no space left on device") || !strings.Contains(r.errOut, out+" is unchanged") {
			t.Fatalf("merge on a full disk: exit %d\n%s", r.code, r.errOut)
		}
		unchanged(t, out, before)
		noTemps(t, mnt)
	})
}

// TestKilledRunCleanedUp: the temporaries a killed run, sweep or report
// left are removed by the next one into the same output, and only theirs.
func TestKilledRunCleanedUp(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, dir, "v.yaml", volatileConfig)
	out := filepath.Join(dir, "out")
	// A run killed before it published: the target it created holding its
	// lock file, its staging directory, and a previous output it had set
	// aside.
	orphans := []string{".marginlab-tmp-out.0123456789ab/report/index.html", ".marginlab-tmp-out.00000000cafe"}
	keep := []string{".marginlab-tmp-out2.0123456789ab", ".marginlab-tmp-out.x", "notes.txt"}
	for _, n := range append(orphans, keep...) {
		p := filepath.Join(dir, filepath.FromSlash(n))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, out, publish.LockName, "pid 1\n")
	mustRun(t, exitOK, "run", "-c", cfg, "--out", out)
	noTemps(t, out)
	for _, n := range orphans {
		if _, err := os.Stat(filepath.Join(dir, strings.Split(n, "/")[0])); !os.IsNotExist(err) {
			t.Errorf("orphan %s left (%v)", n, err)
		}
	}
	for _, n := range keep {
		if _, err := os.Stat(filepath.Join(dir, n)); err != nil {
			t.Errorf("%s, not run's, was removed: %v", n, err)
		}
		os.RemoveAll(filepath.Join(dir, n))
	}
	// Killed between the two renames of a swap: the target is missing and
	// the previous output is aside; the next run starts from it.
	before := snapshot(t, out)
	aside := filepath.Join(dir, ".marginlab-old-out.0000000000aa")
	if err := os.Rename(out, aside); err != nil {
		t.Fatal(err)
	}
	restore := publish.SetFault(fullAt("equity.csv", 0))
	r := runArgs(t, "run", "-c", cfg, "--out", out)
	restore()
	if r.code != exitFailed {
		t.Fatalf("exit %d", r.code)
	}
	unchanged(t, out, before)
	noTemps(t, dir)

	// A sweep's directory, and the report of a results directory.
	swcfg := writeSweepConfig(t)
	sw := t.TempDir()
	writeFile(t, sw, ".marginlab-tmp-runs.parquet.0123456789ab", "torn")
	os.MkdirAll(filepath.Join(sw, ".marginlab-tmp-report.0123456789ab", "figures"), 0o755)
	mustRun(t, exitOK, "sweep", "-c", swcfg, "--out", sw)
	noTemps(t, sw)
	writeFile(t, sw, ".marginlab-tmp-report.00000000beef", "torn")
	mustRun(t, exitOK, "report", sw)
	noTemps(t, sw)
}

// TestOutputsLocked: run, demo, report, merge and sweep fail at once when
// another process writes their output directory, naming it, and touch
// nothing.
func TestOutputsLocked(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, dir, "v.yaml", volatileConfig)
	swcfg := writeSweepConfig(t)
	dirs := shards(t, swcfg)
	target := filepath.Join(dir, "busy")
	l, err := publish.LockDir(target)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Unlock()
	pid := fmt.Sprintf("pid %d on host", os.Getpid())
	for name, args := range map[string][]string{
		"run":    {"run", "-c", cfg, "--out", target},
		"demo":   {"demo", "--out", target},
		"report": {"report", dirs[0], "--out", target},
		"merge":  append([]string{"merge", "--out", target}, dirs...),
		"sweep":  {"sweep", "-c", swcfg, "--out", target},
	} {
		r := runArgs(t, args...)
		if r.code != exitFailed || !strings.Contains(r.errOut, target+" is in use by another process ("+pid) ||
			!strings.Contains(r.errOut, "wait for it to finish") {
			t.Errorf("%s into a locked directory: exit %d\n%s", name, r.code, r.errOut)
		}
	}
	if es, _ := os.ReadDir(target); len(es) != 1 {
		t.Errorf("the locked directory holds %d entries", len(es))
	}
	noTemps(t, dir)
	// A directory holding files the command does not write is refused
	// (replacing it would delete them).
	mine := t.TempDir()
	writeFile(t, mine, "notes.txt", "mine")
	r := runArgs(t, "run", "-c", cfg, "--out", mine)
	if r.code != exitUsage || !strings.Contains(r.errOut, "holds notes.txt, which the output does not include") {
		t.Errorf("run into a directory of other files: exit %d\n%s", r.code, r.errOut)
	}
	if b, err := os.ReadFile(filepath.Join(mine, "notes.txt")); err != nil || string(b) != "mine" {
		t.Errorf("notes.txt: %q %v", b, err)
	}
	if r := runArgs(t, "run", "-c", cfg, "--out", cfg); r.code != exitUsage || !strings.Contains(r.errOut, cfg+" exists and is not a directory") {
		t.Errorf("run --out a file: exit %d\n%s", r.code, r.errOut)
	}
}

// TestConcurrentSweeps: while one sweep process runs, a second sweep into
// the same directory fails at once, naming the first's process id, and
// runs nothing.
func TestConcurrentSweeps(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "marginlab")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	// Long enough (6 cells × 500 paths on one worker) to be running when
	// the second starts; it is killed once the check is done.
	cfg := writeFile(t, t.TempDir(), "long.yaml", strings.Replace(sweepConfig, "paths: 4", "paths: 500", 1))
	out := t.TempDir()
	first := exec.Command(bin, "sweep", "-c", cfg, "--out", out, "--workers", "1")
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { first.Wait(); close(exited) }()
	defer func() { first.Process.Kill(); <-exited }()
	want := fmt.Sprintf("pid %d on host", first.Process.Pid)
	logs := func() int { l, _ := filepath.Glob(filepath.Join(out, "jobs", "*.log")); return len(l) }
	deadline := time.Now().Add(60 * time.Second)
	for {
		// Running: it holds the lock and has saved a job (one worker, one log).
		b, _ := os.ReadFile(filepath.Join(out, publish.LockName))
		if strings.HasPrefix(string(b), want) && logs() == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the first sweep did not start within a minute (lock file: %q)", b)
		}
		time.Sleep(5 * time.Millisecond)
	}
	n := logs()
	start := time.Now()
	r := runArgs(t, "sweep", "-c", cfg, "--out", out, "--workers", "1")
	select {
	case <-exited:
		if r.code == exitOK {
			t.Skip("the first sweep finished before the second started; the machine is too fast for this test")
		}
	default:
	}
	if r.code != exitFailed || !strings.Contains(r.errOut, out+" is in use by another process ("+want) {
		t.Errorf("second sweep: exit %d after %v\n%s", r.code, time.Since(start), r.errOut)
	}
	if logs() != n {
		t.Errorf("the second sweep started job logs")
	}
}
