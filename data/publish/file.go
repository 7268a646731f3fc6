package publish

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"unicode/utf8"
)

// Temporary names: tmpPrefix + tag(name) + "." + 12 hex digits.
const (
	tmpPrefix = ".marginlab-tmp-"
	oldPrefix = ".marginlab-old-"
	tokenLen  = 12
)

// tag is the part of a temporary name that names its target: the target's
// base name, cut to leave room for the prefix and token within the 255
// bytes most filesystems allow.
func tag(name string) string {
	const max = 200
	if len(name) <= max {
		return name
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(name[cut]) {
		cut--
	}
	return name[:cut]
}

func token() string { return fmt.Sprintf("%012x", rand.Uint64()&(1<<48-1)) }

// tempOf reports whether entry is one of prefix's temporary names of the
// target named name.
func tempOf(entry, prefix, name string) bool {
	rest, ok := strings.CutPrefix(entry, prefix+tag(name)+".")
	if !ok || len(rest) != tokenLen {
		return false
	}
	for _, c := range rest {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// Error is a failure to write or publish one output. Path is the final
// path, even when the temporary file failed.
type Error struct {
	Op   string // "writing", "creating", "publishing"
	Path string
	Err  error
}

func (e *Error) Error() string {
	s := e.Op + " " + e.Path + ": " + e.Err.Error()
	if DiskFull(e.Err) {
		s += " (the disk is full: free some space and run the command again)"
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// DiskFull reports whether err is a full disk or an exhausted quota.
func DiskFull(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, errDiskQuota)
}

// cause strips the *fs.PathError or *os.LinkError naming a temporary file,
// keeping what went wrong.
func cause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) && strings.Contains(filepath.Base(pe.Path), tmpPrefix) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}

// Guard wraps a writer for code that mishandles write errors. It remembers
// the first error and fails every later write with it; Do runs the writing
// code, turning a panic into an error.
type Guard struct {
	w   io.Writer
	err error
}

// NewGuard returns a Guard writing to w.
func NewGuard(w io.Writer) *Guard { return &Guard{w: w} }

func (g *Guard) Write(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	n, err := g.w.Write(p)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	if err != nil {
		g.err = err
	}
	return n, err
}

// Err is the first write error, or nil.
func (g *Guard) Err() error { return g.err }

// Do calls fn. A write error g saw is returned first, since it is the
// cause of whatever fn then did (an error, a panic, or nothing: arrow-go's
// Parquet writer drops the error of its footer's write). Otherwise fn's
// error is returned, or its panic as an error.
func (g *Guard) Do(fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the writer panicked: %v", r)
		}
		if g.err != nil {
			err = g.err
		}
	}()
	return fn()
}

// fault, when set, fails writes to files this package creates (SetFault).
var fault atomic.Pointer[func(path string, off int64) error]

// SetFault makes every write to a file Create made fail with the error f
// returns, f being given the file's final path and the size the write
// would make the file; a nil f removes the fault. It is for tests that
// need a full disk where they cannot mount a small one. It returns a
// function restoring the previous fault.
func SetFault(f func(path string, size int64) error) (restore func()) {
	var p *func(string, int64) error
	if f != nil {
		p = &f
	}
	old := fault.Swap(p)
	return func() { fault.Store(old) }
}

// faultWriter is a file with the fault applied.
type faultWriter struct {
	f    *os.File
	path string
	off  int64
}

func (w *faultWriter) Write(p []byte) (int, error) {
	if h := fault.Load(); h != nil {
		if err := (*h)(w.path, w.off+int64(len(p))); err != nil {
			return 0, &fs.PathError{Op: "write", Path: w.f.Name(), Err: err}
		}
	}
	n, err := w.f.Write(p)
	w.off += int64(n)
	return n, err
}

// File is an output file being written under a temporary name. Write to
// it, then Commit to publish it or Abort to drop it.
type File struct {
	*Guard
	f    *os.File
	path string
	done bool
}

// Create starts writing the file path: a temporary file beside it, mode
// 0644 subject to the umask. The directory must exist.
func Create(path string) (*File, error) {
	dir, name := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	for tries := 0; ; tries++ {
		tmp := filepath.Join(dir, tmpPrefix+tag(name)+"."+token())
		f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, fs.ErrExist) && tries < 100 {
			continue
		}
		if err != nil {
			return nil, &Error{Op: "creating", Path: path, Err: cause(err)}
		}
		return &File{Guard: NewGuard(&faultWriter{f: f, path: path}), f: f, path: path}, nil
	}
}

// Name is the final path.
func (f *File) Name() string { return f.path }

// Do is Guard.Do with the error naming the file.
func (f *File) Do(fn func() error) error {
	if err := f.Guard.Do(fn); err != nil {
		return &Error{Op: "writing", Path: f.path, Err: cause(err)}
	}
	return nil
}

// Commit publishes the file: unless a write failed, it flushes the file to
// disk, renames it to its final path and flushes the directory. On error
// the temporary file is removed and the final path is left as it was.
func (f *File) Commit() error {
	if f.done {
		return &Error{Op: "publishing", Path: f.path, Err: errors.New("already committed or aborted")}
	}
	f.done = true
	err := f.Guard.Err()
	if err == nil {
		err = f.f.Sync()
	}
	if cerr := f.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.f.Name(), f.path)
	}
	if err != nil {
		os.Remove(f.f.Name())
		return &Error{Op: "writing", Path: f.path, Err: cause(err)}
	}
	if err := syncDir(filepath.Dir(f.path)); err != nil {
		return &Error{Op: "publishing", Path: f.path, Err: err}
	}
	return nil
}

// Abort drops the file: the temporary file is removed. It does nothing
// after Commit, so it can be deferred.
func (f *File) Abort() {
	if f.done {
		return
	}
	f.done = true
	f.f.Close()
	os.Remove(f.f.Name())
}

// WriteFile writes b to path as Create and Commit do.
func WriteFile(path string, b []byte) error {
	f, err := Create(path)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Abort()
		return &Error{Op: "writing", Path: path, Err: cause(err)}
	}
	return f.Commit()
}

// CleanTemps removes the temporary files and directories of path that a
// killed process left beside it. Call it only holding a lock that covers
// path: another process's temporaries are not orphans.
func CleanTemps(path string) error {
	dir, name := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return err
	}
	for _, e := range entries {
		if tempOf(e.Name(), tmpPrefix, name) {
			if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}

// syncDir flushes a directory's entries (a rename) to disk. Filesystems
// that cannot sync a directory (some network and Windows filesystems)
// report an error that is not worth failing a finished write for.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) && !errors.Is(err, syscall.ENOTSUP) {
		return err
	}
	return nil
}
