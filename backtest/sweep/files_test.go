package sweep

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/marginlab/marginlab/data/publish"
)

// stats returns the file info of every entry of dir (recursively), by
// path relative to dir.
func stats(t *testing.T, dir string) map[string]fs.FileInfo {
	t.Helper()
	out := map[string]fs.FileInfo{}
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		fi, err := os.Stat(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[rel] = fi
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// sameFiles fails unless dir holds exactly the files of before, each the
// same file (not rewritten: same inode, size and time). The lock file is
// rewritten by every process that takes the lock.
func sameFiles(t *testing.T, dir string, before map[string]fs.FileInfo) {
	t.Helper()
	after := stats(t, dir)
	for rel, a := range before {
		b, ok := after[rel]
		switch {
		case !ok:
			t.Errorf("%s: %s is gone", dir, rel)
		case rel == publish.LockName:
		case !a.IsDir() && (!os.SameFile(a, b) || a.Size() != b.Size() || !a.ModTime().Equal(b.ModTime())):
			t.Errorf("%s: %s was replaced", dir, rel)
		}
	}
	for rel := range after {
		if _, ok := before[rel]; !ok {
			t.Errorf("%s: %s appeared", dir, rel)
		}
	}
}

// noTemps fails if dir holds a temporary of package publish.
func noTemps(t *testing.T, dir string) {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if strings.HasPrefix(e.Name(), ".marginlab-tmp-") || strings.HasPrefix(e.Name(), ".marginlab-old-") {
			t.Errorf("%s: temporary %s left behind", dir, e.Name())
		}
	}
}

// fullAt fails writes taking the file named name past at bytes, as a full
// disk does.
func fullAt(name string, at int64) func(string, int64) error {
	return func(path string, size int64) error {
		if filepath.Base(path) == name && size > at {
			return syscall.ENOSPC
		}
		return nil
	}
}

// TestTablesFullDisk: a full disk while the tables are written is an error
// naming the table, never a panic in arrow-go, whichever byte fails (the
// first ones made arrow-go panic "failed to write magic number", a failed
// column a nil pointer in its Close, and a failed footer was ignored); the
// previous tables and manifest stay as they were, all of them, and no
// temporary file is left.
func TestTablesFullDisk(t *testing.T) {
	p, m := plan(t)
	out := t.TempDir()
	run(t, p, m, out, nil)
	before := stats(t, out)
	for _, tc := range []struct {
		table string
		at    int64
	}{{"runs.parquet", 0}, {"runs.parquet", 2}, {"runs.parquet", 4}, {"runs.parquet", 300}, {"liquidations.parquet", 0},
		{"liquidations.parquet", 5000}, {"equity.parquet", 0}, {"equity.parquet", 100_000}, {"trades.parquet", 20_000}} {
		restore := publish.SetFault(fullAt(tc.table, tc.at))
		opt := testFactories()
		opt.Out, opt.Trades, opt.Equity = out, true, true
		err := Run(context.Background(), p, m, opt)
		restore()
		path := filepath.Join(out, tc.table)
		if !errors.Is(err, syscall.ENOSPC) || !strings.Contains(err.Error(), "writing "+path+": no space left on device") ||
			!strings.Contains(err.Error(), "free some space") {
			t.Errorf("%s full at byte %d: err = %v", tc.table, tc.at, err)
		}
		sameFiles(t, out, before)
		noTemps(t, out)
	}
}

// TestMergeFullDisk: a full disk during merge leaves the previous merged
// directory as it was and nothing beside it.
func TestMergeFullDisk(t *testing.T) {
	p, m := plan(t)
	a, b := t.TempDir(), t.TempDir()
	run(t, p, m, a, func(o *Options) { o.Shard = Shard{0, 2} })
	run(t, p, m, b, func(o *Options) { o.Shard = Shard{1, 2} })
	parent := t.TempDir()
	merged := filepath.Join(parent, "merged")
	if err := Merge(merged, []string{a, b}); err != nil {
		t.Fatal(err)
	}
	before := stats(t, merged)
	for _, at := range []int64{0, 3, 1000} {
		restore := publish.SetFault(fullAt("liquidations.parquet", at))
		err := Merge(merged, []string{a, b})
		restore()
		if !errors.Is(err, syscall.ENOSPC) || !strings.Contains(err.Error(), "writing "+filepath.Join(merged, "liquidations.parquet")) ||
			!strings.HasSuffix(err.Error(), merged+" is unchanged") {
			t.Errorf("full at byte %d: err = %v", at, err)
		}
		sameFiles(t, merged, before)
		noTemps(t, parent)
	}
	// A first merge that fails leaves no directory at all.
	fresh := filepath.Join(parent, "fresh")
	restore := publish.SetFault(fullAt("runs.parquet", 0))
	err := Merge(fresh, []string{a, b})
	restore()
	if !errors.Is(err, syscall.ENOSPC) {
		t.Errorf("first merge: %v", err)
	}
	if _, err := os.Stat(fresh); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a failed first merge left %s (%v)", fresh, err)
	}
	noTemps(t, parent)
	// merge replaces its directory whole: it refuses one holding other files.
	if err := Merge(a, []string{a, b}); !errors.Is(err, publish.ErrForeign) || !strings.Contains(err.Error(), "jobs") {
		t.Errorf("merge into a shard directory: %v", err)
	}
}

// TestConcurrentSweepsRefused: a sweep into a directory another holds
// fails at once naming the holder, and runs no job.
func TestConcurrentSweepsRefused(t *testing.T) {
	p, m := plan(t)
	out := t.TempDir()
	l, err := publish.LockDir(out)
	if err != nil {
		t.Fatal(err)
	}
	opt := testFactories()
	opt.Out = out
	jobs := 0
	opt.Progress = func(Progress) { jobs++ }
	err = Run(context.Background(), p, m, opt)
	if !errors.Is(err, publish.ErrLocked) || !strings.Contains(err.Error(), fmt.Sprintf("pid %d", os.Getpid())) {
		t.Errorf("second sweep: %v, want ErrLocked naming pid %d", err, os.Getpid())
	}
	if jobs != 0 {
		t.Errorf("the second sweep ran %d jobs", jobs)
	}
	l.Unlock()
	run(t, p, m, out, nil) // and runs once the first is done
}

// TestSweepCleansOrphans: a sweep removes the temporary tables and
// manifest a killed sweep left, and nothing else.
func TestSweepCleansOrphans(t *testing.T) {
	p, m := plan(t)
	out := t.TempDir()
	orphans := []string{".marginlab-tmp-runs.parquet.0123456789ab", ".marginlab-tmp-manifest.json.00000000beef"}
	keep := []string{".marginlab-tmp-report.0123456789ab", ".marginlab-tmp-runs.parquet.x", "notes.txt"}
	for _, n := range append(orphans, keep...) {
		if err := os.WriteFile(filepath.Join(out, n), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	run(t, p, m, out, nil)
	for _, n := range orphans {
		if _, err := os.Stat(filepath.Join(out, n)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("orphan %s left (%v)", n, err)
		}
	}
	for _, n := range keep {
		if _, err := os.Stat(filepath.Join(out, n)); err != nil {
			t.Errorf("%s removed: %v", n, err)
		}
	}
}
