package publish

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/marginlab/marginlab/data/publish/publishtest"
)

// entries lists dir's entries, sorted.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

// noTemps fails the test if dir holds a temporary name of this package.
func noTemps(t *testing.T, dir string) {
	t.Helper()
	for _, n := range entries(t, dir) {
		if strings.HasPrefix(n, tmpPrefix) || strings.HasPrefix(n, oldPrefix) {
			t.Errorf("%s: temporary %s left behind", dir, n)
		}
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestWriteFileReplacesAtomically(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.json")
	for _, body := range []string{"first\n", "second, longer\n"} {
		if err := WriteFile(p, []byte(body)); err != nil {
			t.Fatal(err)
		}
		if got := readFile(t, p); got != body {
			t.Errorf("got %q, want %q", got, body)
		}
	}
	if got := entries(t, dir); !slices.Equal(got, []string{"a.json"}) {
		t.Errorf("dir holds %q", got)
	}
}

// diskFull fails writes taking a file named name past at bytes.
func diskFull(name string, at int64) func(string, int64) error {
	return func(path string, size int64) error {
		if filepath.Base(path) == name && size > at {
			return syscall.ENOSPC
		}
		return nil
	}
}

func TestWriteFileFullDisk(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "out.csv")
	if err := WriteFile(p, []byte("old\n")); err != nil {
		t.Fatal(err)
	}
	defer SetFault(diskFull("out.csv", 0))()
	err := WriteFile(p, []byte("new\n"))
	var pe *Error
	if !errors.As(err, &pe) || pe.Path != p || !errors.Is(err, syscall.ENOSPC) || !DiskFull(err) {
		t.Fatalf("error %v (%T): want a publish.Error for %s wrapping ENOSPC", err, err, p)
	}
	if msg := err.Error(); !strings.HasPrefix(msg, "writing "+p+": ") || !strings.Contains(msg, "free some space") || strings.Contains(msg, tmpPrefix) {
		t.Errorf("message %q: want the final path and what to do, not the temporary name", msg)
	}
	if got := readFile(t, p); got != "old\n" {
		t.Errorf("the previous file became %q", got)
	}
	noTemps(t, dir)
}

func TestGuard(t *testing.T) {
	full := errors.New("no space left on device")
	var b bytes.Buffer
	g := NewGuard(&failingWriter{w: &b, after: 3, err: full})
	if n, err := g.Write([]byte("ab")); n != 2 || err != nil {
		t.Fatalf("write: %d %v", n, err)
	}
	if _, err := g.Write([]byte("cd")); err != full {
		t.Fatalf("second write: %v", err)
	}
	if _, err := g.Write([]byte("e")); err != full || g.Err() != full {
		t.Errorf("the error is not sticky: %v, %v", err, g.Err())
	}
	// A write error comes first whatever the writing code did afterwards.
	for name, fn := range map[string]func() error{
		"panic":   func() error { panic("failed to write magic number") },
		"nil":     func() error { return nil },
		"another": func() error { return errors.New("column 3") },
	} {
		if err := g.Do(fn); err != full {
			t.Errorf("%s: Do = %v, want the write error", name, err)
		}
	}
	// Without a write error, a panic is an error.
	g = NewGuard(&b)
	if err := g.Do(func() error { panic("boom") }); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("Do of a panic: %v", err)
	}
}

type failingWriter struct {
	w     *bytes.Buffer
	after int
	err   error
}

func (f *failingWriter) Write(p []byte) (int, error) {
	if f.w.Len()+len(p) > f.after {
		k := f.after - f.w.Len()
		f.w.Write(p[:k])
		return k, f.err
	}
	return f.w.Write(p)
}

// stage writes files (name → body, "/" making directories) into d.
func stage(t *testing.T, d *Dir, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(d.Path(), filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := WriteFile(p, []byte(body)); err != nil {
			t.Fatal(err)
		}
	}
}

func owns(names ...string) func(string) bool {
	return func(n string) bool { return slices.Contains(names, n) }
}

func TestReplace(t *testing.T) {
	for _, exchange := range []bool{true, false} {
		t.Run(fmt.Sprintf("exchange=%v", exchange), func(t *testing.T) {
			if !exchange {
				defer func(old func(a, b string) error) { exchangeDirs = old }(exchangeDirs)
				exchangeDirs = func(a, b string) error { return errNoExchange }
			}
			parent := t.TempDir()
			target := filepath.Join(parent, "out")
			own := owns("summary.json", "report", "stale.csv")
			d, err := Replace(target, own)
			if err != nil {
				t.Fatal(err)
			}
			stage(t, d, map[string]string{"summary.json": "1", "stale.csv": "1", "report/index.html": "1"})
			if err := d.Commit(); err != nil {
				t.Fatal(err)
			}
			d, err = Replace(target, own)
			if err != nil {
				t.Fatal(err)
			}
			stage(t, d, map[string]string{"summary.json": "2", "report/index.html": "2"})
			if err := d.Commit(); err != nil {
				t.Fatal(err)
			}
			// The new output replaces the old one whole: stale.csv is gone.
			if got := entries(t, target); !slices.Equal(got, []string{LockName, "report", "summary.json"}) {
				t.Errorf("target holds %q", got)
			}
			if readFile(t, filepath.Join(target, "summary.json")) != "2" || readFile(t, filepath.Join(target, "report", "index.html")) != "2" {
				t.Error("target does not hold the second output")
			}
			noTemps(t, parent)
			fi, err := os.Stat(filepath.Join(target, "summary.json"))
			if err != nil || fi.Mode().Perm()&0o044 == 0 {
				t.Errorf("summary.json mode %v (%v): want readable by others", fi.Mode(), err)
			}
		})
	}
}

func TestReplaceFailLeavesTarget(t *testing.T) {
	parent := t.TempDir()
	target := filepath.Join(parent, "out")
	own := owns("a.csv", "b.csv")
	d, err := Replace(target, own)
	if err != nil {
		t.Fatal(err)
	}
	stage(t, d, map[string]string{"a.csv": "old a", "b.csv": "old b"})
	if err := d.Commit(); err != nil {
		t.Fatal(err)
	}
	d, err = Replace(target, own)
	if err != nil {
		t.Fatal(err)
	}
	stage(t, d, map[string]string{"a.csv": "new a"})
	restore := SetFault(diskFull("b.csv", 0))
	werr := WriteFile(filepath.Join(d.Path(), "b.csv"), []byte("new b"))
	restore()
	err = d.Fail(werr)
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("Fail = %v, want it to wrap ENOSPC", err)
	}
	want := "writing " + filepath.Join(target, "b.csv") + ": no space left on device (the disk is full: free some space and run the command again); " + target + " is unchanged"
	if err.Error() != want {
		t.Errorf("message\n%s\nwant\n%s", err, want)
	}
	if readFile(t, filepath.Join(target, "a.csv")) != "old a" || readFile(t, filepath.Join(target, "b.csv")) != "old b" {
		t.Error("a failed output changed the target")
	}
	noTemps(t, parent)

	// A failed first output leaves nothing at all.
	fresh := filepath.Join(parent, "fresh")
	d, err = Replace(fresh, own)
	if err != nil {
		t.Fatal(err)
	}
	stage(t, d, map[string]string{"a.csv": "x"})
	if err := d.Fail(errors.New("boom")); !strings.HasSuffix(err.Error(), "nothing was written to "+fresh) {
		t.Errorf("Fail of a new target: %v", err)
	}
	if _, err := os.Stat(fresh); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the target Replace created is still there (%v)", err)
	}
	noTemps(t, parent)

	// A process killed before it published leaves the target holding only
	// its lock file: that is nothing, too. An empty directory of the
	// user's stays.
	for _, killed := range []bool{true, false} {
		if err := os.Mkdir(fresh, 0o755); err != nil {
			t.Fatal(err)
		}
		if killed {
			if err := os.WriteFile(filepath.Join(fresh, LockName), []byte("pid 1\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		d, err = Replace(fresh, own)
		if err != nil {
			t.Fatal(err)
		}
		d.Abort()
		_, err := os.Stat(fresh)
		if killed && !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("the target a killed process created is still there (%v)", err)
		}
		if !killed && (err != nil || len(entries(t, fresh)) != 0) {
			t.Errorf("an empty directory of the user's was changed (%v)", err)
		}
	}
}

func TestReplaceRefusesForeignEntries(t *testing.T) {
	target := filepath.Join(t.TempDir(), "out")
	if err := os.MkdirAll(target, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"summary.json", "notes.txt", "go.mod"} {
		if err := os.WriteFile(filepath.Join(target, n), []byte("mine"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, err := Replace(target, owns("summary.json"))
	if !errors.Is(err, ErrForeign) || !strings.Contains(err.Error(), "holds go.mod, notes.txt") {
		t.Fatalf("Replace = %v, want ErrForeign naming go.mod and notes.txt", err)
	}
	if got := entries(t, target); !slices.Equal(got, []string{"go.mod", "notes.txt", "summary.json"}) {
		t.Errorf("target holds %q", got)
	}
	noTemps(t, filepath.Dir(target))
	wd, _ := os.Getwd()
	if _, err := Replace(".", nil); !errors.Is(err, ErrBadTarget) || !strings.Contains(err.Error(), "current directory") {
		t.Errorf("Replace(.) = %v", err)
	}
	if _, err := Replace(filepath.Dir(wd), nil); !errors.Is(err, ErrBadTarget) || !strings.Contains(err.Error(), "current directory") {
		t.Errorf("Replace(parent of the working directory) = %v", err)
	}
	file := filepath.Join(target, "summary.json")
	if _, err := Replace(file, nil); !errors.Is(err, ErrBadTarget) || err.Error() != file+" exists and is not a directory; name a directory" {
		t.Errorf("Replace(a file) = %v", err)
	}
}

// A killed process leaves temporaries; the next Replace of the same target
// removes its own kind and nothing else.
func TestReplaceCleansOrphans(t *testing.T) {
	parent := t.TempDir()
	target := filepath.Join(parent, "out")
	mine := []string{tmpPrefix + "out.0123456789ab", tmpPrefix + "out.ffffffffffff", oldPrefix + "out.00000000abcd"}
	others := []string{tmpPrefix + "out2.0123456789ab", tmpPrefix + "out.x", tmpPrefix + "out.0123456789ab.0123456789ab",
		".out.tmp123", "out.marginlab-tmp-1", "keep"}
	for _, n := range append(slices.Clone(mine[:1]), others[:3]...) {
		if err := os.MkdirAll(filepath.Join(parent, n, "sub"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range append(slices.Clone(mine[1:]), others[3:]...) {
		if err := os.WriteFile(filepath.Join(parent, n), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(target, 0o755); err != nil {
		t.Fatal(err)
	}
	d, err := Replace(target, nil)
	if err != nil {
		t.Fatal(err)
	}
	d.Abort()
	want := append(slices.Clone(others), "out")
	slices.Sort(want)
	if got := entries(t, parent); !slices.Equal(got, want) {
		t.Errorf("after Replace the parent holds\n%q\nwant\n%q", got, want)
	}
}

// A process killed between the fallback's two renames leaves the target
// missing and the previous contents aside: the next Replace puts them back.
func TestReplaceRestoresAside(t *testing.T) {
	parent := t.TempDir()
	target := filepath.Join(parent, "out")
	aside := filepath.Join(parent, oldPrefix+"out.0000000000aa")
	if err := os.MkdirAll(aside, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(aside, "a.csv"), []byte("previous"), 0o644); err != nil {
		t.Fatal(err)
	}
	// The staging directory of the killed process, complete or not.
	if err := os.MkdirAll(filepath.Join(parent, tmpPrefix+"out.0000000000bb"), 0o755); err != nil {
		t.Fatal(err)
	}
	// While the process that set it aside lives (holds its lock), the
	// directory is left alone.
	l, err := LockDir(aside)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Replace(target, owns("a.csv")); !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), fmt.Sprintf("pid %d", os.Getpid())) {
		t.Errorf("Replace while the aside is locked = %v, want ErrLocked naming pid %d", err, os.Getpid())
	}
	l.Unlock()
	d, err := Replace(target, owns("a.csv"))
	if err != nil {
		t.Fatal(err)
	}
	d.Abort()
	if got := readFile(t, filepath.Join(target, "a.csv")); got != "previous" {
		t.Errorf("target holds %q", got)
	}
	noTemps(t, parent)

	// Killed again, before publishing, after making a target to lock:
	// the target holds a lock file alone, and the previous output is still
	// aside.
	if err := os.Rename(target, aside); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(target, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(target, LockName), []byte("pid 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if d, err = Replace(target, owns("a.csv")); err != nil {
		t.Fatal(err)
	}
	d.Abort()
	if got := readFile(t, filepath.Join(target, "a.csv")); got != "previous" {
		t.Errorf("after a second kill the target holds %q", got)
	}
	noTemps(t, parent)
}

func TestLocks(t *testing.T) {
	dir := t.TempDir()
	l, err := LockDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = LockDir(dir)
	var le *LockedError
	if !errors.As(err, &le) || !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), fmt.Sprintf("pid %d on host ", os.Getpid())) ||
		!strings.Contains(err.Error(), "started ") {
		t.Fatalf("second LockDir = %v, want a LockedError naming this process", err)
	}
	// Replace honours the same lock, and leaves the directory as it was.
	if _, err := Replace(dir, nil); !errors.Is(err, ErrLocked) {
		t.Errorf("Replace of a locked directory = %v", err)
	}
	noTemps(t, filepath.Dir(dir))
	l.Unlock()
	l.Unlock()
	l, err = LockDir(dir)
	if err != nil {
		t.Fatalf("LockDir after Unlock: %v", err)
	}
	l.Unlock()

	// A Replace in progress holds the target's lock, and after the swap
	// the new directory's.
	target := filepath.Join(t.TempDir(), "out")
	d, err := Replace(target, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := LockDir(target); !errors.Is(err, ErrLocked) {
		t.Errorf("LockDir during Replace = %v", err)
	}
	if err := d.Commit(); err != nil {
		t.Fatal(err)
	}
	if l, err = LockDir(target); err != nil {
		t.Errorf("LockDir after Commit = %v", err)
	}
	l.Unlock()
}

// TestFullTmpfs fills a real filesystem: WriteFile and a staged directory
// fail with a clear error and leave the previous output and no temporary.
func TestFullTmpfs(t *testing.T) {
	mnt := publishtest.Tmpfs(t, "1m")
	target := filepath.Join(mnt, "out")
	own := owns("big.bin", "small.txt")
	d, err := Replace(target, own)
	if err != nil {
		t.Fatal(err)
	}
	stage(t, d, map[string]string{"big.bin": strings.Repeat("a", 200_000), "small.txt": "old"})
	if err := d.Commit(); err != nil {
		t.Fatal(err)
	}
	publishtest.Fill(t, mnt, 64<<10)
	d, err = Replace(target, own)
	if err != nil {
		t.Fatal(err)
	}
	err = WriteFile(filepath.Join(d.Path(), "big.bin"), bytes.Repeat([]byte("b"), 200_000))
	err = d.Fail(err)
	if !errors.Is(err, syscall.ENOSPC) || !strings.Contains(err.Error(), "writing "+filepath.Join(target, "big.bin")) {
		t.Fatalf("error %v: want ENOSPC naming %s", err, filepath.Join(target, "big.bin"))
	}
	if got := readFile(t, filepath.Join(target, "small.txt")); got != "old" {
		t.Errorf("small.txt became %q", got)
	}
	if got := readFile(t, filepath.Join(target, "big.bin")); got != strings.Repeat("a", 200_000) {
		t.Error("big.bin changed")
	}
	noTemps(t, mnt)
	if err := WriteFile(filepath.Join(mnt, "big.bin"), bytes.Repeat([]byte("c"), 200_000)); !DiskFull(err) {
		t.Errorf("WriteFile on a full disk = %v", err)
	}
	noTemps(t, mnt)
}

// TestReplaceConcurrent: writers racing for one target either publish a
// whole output or fail with ErrLocked; the target always holds one
// writer's complete output, and nothing is left beside it.
func TestReplaceConcurrent(t *testing.T) {
	for _, exchange := range []bool{true, false} {
		if !exchange {
			defer func(old func(a, b string) error) { exchangeDirs = old }(exchangeDirs)
			exchangeDirs = func(a, b string) error { return errNoExchange }
		}
		parent := t.TempDir()
		target := filepath.Join(parent, "out")
		errs := make(chan error, 64)
		for w := range 8 {
			go func() {
				for i := range 8 {
					d, err := Replace(target, owns("a", "b"))
					if err != nil {
						errs <- err
						continue
					}
					body := fmt.Sprintf("%d.%d", w, i)
					err = WriteFile(filepath.Join(d.Path(), "a"), []byte(body))
					if err == nil {
						err = WriteFile(filepath.Join(d.Path(), "b"), []byte(body))
					}
					if err == nil {
						err = d.Commit()
					} else {
						d.Abort()
					}
					errs <- err
				}
			}()
		}
		published := 0
		for range 64 {
			switch err := <-errs; {
			case err == nil:
				published++
			case !errors.Is(err, ErrLocked):
				t.Errorf("exchange=%v: %v", exchange, err)
			}
		}
		if published == 0 {
			t.Errorf("exchange=%v: no writer published", exchange)
		}
		if a, b := readFile(t, filepath.Join(target, "a")), readFile(t, filepath.Join(target, "b")); a != b {
			t.Errorf("exchange=%v: target mixes two outputs: %q and %q", exchange, a, b)
		}
		noTemps(t, parent)
	}
}
