package publish

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// LockName is the lock file LockDir and Replace keep in a directory.
const LockName = ".marginlab.lock"

// ErrLocked is the error (LockedError) of a lock another process holds.
var ErrLocked = errors.New("publish: locked by another process")

// LockedError says which process holds a directory's lock.
type LockedError struct {
	Dir    string
	Holder string // "pid 1234 on host h, started 2026-01-02T15:04:05Z", or "" if unknown
}

func (e *LockedError) Error() string {
	who := "another process"
	if e.Holder != "" {
		who += " (" + e.Holder + ")"
	}
	return fmt.Sprintf("%s is in use by %s: wait for it to finish, or write to another directory", e.Dir, who)
}

func (e *LockedError) Is(target error) bool { return target == ErrLocked }

// processStart is when this process started, near enough: when the
// package was initialised.
var processStart = time.Now().UTC()

// holder describes this process for the lock file.
func holder() string {
	host, err := os.Hostname()
	if err != nil {
		host = "?"
	}
	return fmt.Sprintf("pid %d on host %s, started %s", os.Getpid(), host, processStart.Format(time.RFC3339))
}

// Lock is an exclusive lock on a directory, held until Unlock or the
// process's end.
type Lock struct {
	f       *os.File
	created bool // the lock file did not exist
}

// LockDir creates dir if needed and takes its lock without waiting. If
// another process holds it the error is a *LockedError naming the holder.
func LockDir(dir string) (*Lock, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return lockIn(dir)
}

// lockIn takes the lock of the existing directory dir.
func lockIn(dir string) (*Lock, error) {
	path := filepath.Join(dir, LockName)
	for tries := 0; ; tries++ {
		created := true
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, os.ErrExist) {
			created = false
			f, err = os.OpenFile(path, os.O_RDWR, 0o644)
		}
		if err != nil {
			return nil, fmt.Errorf("locking %s: %w", dir, err)
		}
		ok, err := tryLock(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("locking %s: %w", dir, err)
		}
		if !ok {
			h := readHolder(f)
			f.Close()
			return nil, &LockedError{Dir: dir, Holder: h}
		}
		// Replace swaps directories, and Abort removes a lock file: the
		// file locked must still be the one at path.
		fi, err1 := f.Stat()
		pi, err2 := os.Stat(path)
		if err1 != nil || err2 != nil || !os.SameFile(fi, pi) {
			f.Close()
			if tries < 100 {
				continue
			}
			return nil, fmt.Errorf("locking %s: the lock file keeps changing", dir)
		}
		if err := f.Truncate(0); err == nil {
			f.WriteAt([]byte(holder()+"\n"), 0) // information only: a failure does not matter
		}
		return &Lock{f: f, created: created}, nil
	}
}

// readHolder reads a lock file's holder, waiting briefly for a holder that
// has just taken the lock to write it.
func readHolder(f *os.File) string {
	for range 20 {
		b, _ := io.ReadAll(io.NewSectionReader(f, 0, 1024))
		if s := strings.TrimSpace(string(b)); s != "" {
			return s
		}
		time.Sleep(5 * time.Millisecond)
	}
	return ""
}

// Unlock releases the lock. It may be called more than once.
func (l *Lock) Unlock() {
	if l != nil && l.f != nil {
		l.f.Close()
		l.f = nil
	}
}
