package publish

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
)

// ErrForeign is the error of a target directory holding entries the
// output does not include, which replacing it would delete.
var ErrForeign = errors.New("publish: the directory holds files the output does not include")

// ErrBadTarget is the error of a target that cannot be replaced: the
// current directory (or one holding it), or a file.
var ErrBadTarget = errors.New("publish: the target cannot be replaced as a directory")

// badTarget is an error wrapping ErrBadTarget with its own message.
type badTarget struct{ msg string }

func (e *badTarget) Error() string        { return e.msg }
func (e *badTarget) Is(target error) bool { return target == ErrBadTarget }

var errNoExchange = errors.New("publish: no atomic exchange of directories")

// exchangeDirs is exchange; tests replace it to take the other path.
var exchangeDirs = exchange

// Dir is an output directory being written in a staging directory, to
// replace the target as a whole. Write into Path, then Commit; on failure
// call Fail or Abort, which leave the target as it was.
type Dir struct {
	target string // where the output goes (symbolic links resolved)
	shown  string // the target as the caller named it, for messages
	stage  string // the staging directory, beside target
	lock   *Lock  // target's
	slock  *Lock  // stage's, the new target's after the swap
	made   bool   // target did not exist (or held only a lock file): Replace created it to lock it
	done   bool
}

// Replace locks the directory target (creating it and its parents if
// needed) and creates an empty staging directory beside it. Before that it
// repairs what a killed process left: a previous directory set aside and
// not put back is restored, and the temporaries of target are removed.
//
// owned says which entries of an existing target the output replaces. An
// entry it does not own (and that is not the lock file) would be deleted by
// the swap: Replace refuses with an error wrapping ErrForeign that names
// them (a *ForeignError). The current directory, a directory holding it
// and a file are refused with an error wrapping ErrBadTarget. If another
// process holds the target's lock, the error is a *LockedError.
func Replace(target string, owned func(name string) bool) (*Dir, error) {
	shown := target
	abs, err := filepath.Abs(target)
	if err != nil {
		return nil, err
	}
	if wd, err := os.Getwd(); err == nil && (abs == wd || strings.HasPrefix(wd, abs+string(filepath.Separator))) || abs == filepath.Dir(abs) {
		return nil, &badTarget{fmt.Sprintf("%s is the current directory or holds it; the output replaces its directory as a whole, so name a directory below it", shown)}
	}
	if resolved, err := filepath.EvalSymlinks(target); err == nil {
		target = resolved
	}
	parent, name := filepath.Dir(target), filepath.Base(target)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, err
	}
	d := &Dir{target: target, shown: shown}
	for tries := 0; ; tries++ {
		d.made = false
		switch fi, err := os.Stat(target); {
		case errors.Is(err, fs.ErrNotExist):
			if err := os.Mkdir(target, 0o755); err == nil {
				d.made = true
			} else if !errors.Is(err, fs.ErrExist) {
				return nil, err
			}
		case err != nil:
			return nil, err
		case !fi.IsDir():
			return nil, &badTarget{fmt.Sprintf("%s exists and is not a directory; name a directory", shown)}
		}
		// Not holding the lock, Replace leaves the directory alone on
		// failure: it may be another process's by now.
		d.lock, err = lockIn(target)
		if errors.Is(err, fs.ErrNotExist) && tries < 10 {
			continue // removed by a process that failed meanwhile
		}
		var le *LockedError
		if errors.As(err, &le) {
			le.Dir = shown
		}
		if err != nil {
			return nil, err
		}
		break
	}
	if es, err := os.ReadDir(target); err == nil && len(es) == 1 && es[0].Name() == LockName && !d.lock.created {
		d.made = true // left by a process killed before it published: ours
	}
	if d.made {
		if err := d.adoptAside(parent, name); err != nil {
			d.release()
			return nil, err
		}
	}
	// Holding the lock, whatever temporaries of target exist are orphans.
	if err := cleanBeside(parent, name); err != nil {
		d.release()
		return nil, err
	}
	if err := d.checkOwned(owned); err != nil {
		d.release()
		return nil, err
	}
	for tries := 0; ; tries++ {
		d.stage = filepath.Join(parent, tmpPrefix+tag(name)+"."+token())
		err = os.Mkdir(d.stage, 0o755)
		if err == nil || !errors.Is(err, fs.ErrExist) || tries >= 100 {
			break
		}
	}
	if err == nil {
		d.slock, err = lockIn(d.stage)
	}
	if err != nil {
		os.RemoveAll(d.stage)
		d.release()
		return nil, fmt.Errorf("cannot stage %s beside it: %w", shown, err)
	}
	return d, nil
}

// Path is the staging directory to write the output into.
func (d *Dir) Path() string { return d.stage }

// Target is the directory the output replaces, as the caller named it.
func (d *Dir) Target() string { return d.shown }

// checkOwned refuses a target holding entries the output does not own.
func (d *Dir) checkOwned(owned func(string) bool) error {
	entries, err := os.ReadDir(d.target)
	if err != nil {
		return err
	}
	var foreign []string
	for _, e := range entries {
		if e.Name() != LockName && (owned == nil || !owned(e.Name())) {
			foreign = append(foreign, e.Name())
		}
	}
	if len(foreign) == 0 {
		return nil
	}
	return &ForeignError{Dir: d.shown, Names: foreign}
}

// ForeignError names the entries of a target directory that the output
// does not include.
type ForeignError struct {
	Dir   string
	Names []string // sorted
}

func (e *ForeignError) Error() string {
	shown := e.Names[:min(len(e.Names), 5)]
	list := strings.Join(shown, ", ")
	if len(e.Names) > len(shown) {
		list += fmt.Sprintf(" and %d more", len(e.Names)-len(shown))
	}
	return fmt.Sprintf("%s holds %s, which the output does not include; the output replaces the directory as a whole, so name a new or empty directory, or move those out",
		e.Dir, list)
}

func (e *ForeignError) Is(target error) bool { return target == ErrForeign }

// Commit flushes the staging directory to disk and swaps it in for the
// target, then removes the previous contents and releases the lock. On
// error the target is left as it was (or, if the previous contents could
// not be put back, set aside beside it, where the next Replace restores
// them).
func (d *Dir) Commit() error {
	if d.done {
		return fmt.Errorf("publish: %s: already committed or aborted", d.shown)
	}
	if err := syncTree(d.stage); err != nil {
		return d.Fail(err)
	}
	parent, name := filepath.Dir(d.target), filepath.Base(d.target)
	switch err := exchangeDirs(d.stage, d.target); {
	case err == nil:
		// d.stage holds the previous contents now.
		d.done = true
		syncDir(parent)
		os.RemoveAll(d.stage)
	case errors.Is(err, errNoExchange):
		old := filepath.Join(parent, oldPrefix+tag(name)+"."+token())
		if err := os.Rename(d.target, old); err != nil {
			return d.Fail(&Error{Op: "publishing", Path: d.stage, Err: cause(err)})
		}
		if err := os.Rename(d.stage, d.target); err != nil {
			if rerr := os.Rename(old, d.target); rerr != nil {
				// The target is another process's now: leave it alone.
				d.done = true
				os.RemoveAll(d.stage)
				d.slock.Unlock()
				d.lock.Unlock()
				return fmt.Errorf("publishing %s: %v; the previous contents are in %s (the next run puts them back)", d.shown, cause(err), old)
			}
			return d.Fail(&Error{Op: "publishing", Path: d.stage, Err: cause(err)})
		}
		d.done = true
		syncDir(parent)
		os.RemoveAll(old)
	case errors.Is(err, syscall.EBUSY) || errors.Is(err, syscall.EXDEV):
		return d.Fail(fmt.Errorf("publishing %s: %v (is it a mount point? name a directory inside it)", d.stage, cause(err)))
	default:
		return d.Fail(&Error{Op: "publishing", Path: d.stage, Err: cause(err)})
	}
	d.slock.Unlock()
	d.lock.Unlock()
	return nil
}

// Abort removes the staging directory and leaves the target as it was
// (removing it if Replace created it). It does nothing after Commit, so it
// can be deferred.
func (d *Dir) Abort() {
	if d.done {
		return
	}
	d.done = true
	os.RemoveAll(d.stage)
	d.slock.Unlock()
	d.release()
}

// Fail aborts and returns err for the caller to report: paths inside the
// staging directory are named as they would have been in the target, and
// it says that the target was left as it was.
func (d *Dir) Fail(err error) error {
	d.Abort()
	if err == nil {
		return nil
	}
	note := fmt.Sprintf("; %s is unchanged", d.shown)
	if d.made {
		note = fmt.Sprintf("; nothing was written to %s", d.shown)
	}
	return &stagedError{err: err, stage: d.stage, target: d.shown, note: note}
}

// release unlocks the target, first removing it if Replace created it
// (or the lock file, if Replace created that alone).
func (d *Dir) release() {
	d.undoMade()
	if !d.made && d.lock != nil && d.lock.created {
		os.Remove(filepath.Join(d.target, LockName))
	}
	d.lock.Unlock()
}

// undoMade removes the empty target Replace created.
func (d *Dir) undoMade() {
	if d.made {
		os.Remove(filepath.Join(d.target, LockName))
		os.Remove(d.target)
	}
}

// stagedError is an error from writing into a staging directory, told as
// if it had happened in the target.
type stagedError struct {
	err                 error
	stage, target, note string
}

func (e *stagedError) Error() string {
	return strings.ReplaceAll(e.err.Error(), e.stage, e.target) + e.note
}

func (e *stagedError) Unwrap() error { return e.err }

// adoptAside puts back a previous directory that a process killed
// between Commit's two renames left aside, when the target was missing
// (Replace made it, and holds its lock). The aside's lock file comes with
// it: locked first, it becomes the target's lock. A directory set aside
// by a live process (its lock is held) is left alone, and Replace fails.
func (d *Dir) adoptAside(parent, name string) error {
	entries, err := os.ReadDir(parent)
	if err != nil {
		return err
	}
	var asides []string
	for _, e := range entries {
		if tempOf(e.Name(), oldPrefix, name) {
			asides = append(asides, e.Name())
		}
	}
	if len(asides) == 0 {
		return nil
	}
	slices.Sort(asides)
	path := filepath.Join(parent, asides[len(asides)-1])
	l, err := lockIn(path)
	if err != nil {
		var le *LockedError
		if errors.As(err, &le) {
			le.Dir = d.shown
		}
		return err
	}
	// Remove the target made to hold the lock (os.Rename does not
	// replace a directory), and put the aside in its place.
	os.Remove(filepath.Join(d.target, LockName))
	os.Remove(d.target)
	if err := os.Rename(path, d.target); err != nil {
		l.Unlock()
		return fmt.Errorf("restoring %s from %s, where an interrupted run left it: %w", d.shown, path, err)
	}
	d.lock.Unlock()
	d.lock, d.made = l, false
	return syncDir(parent)
}

// cleanBeside removes the staging directories, temporary files and
// previous directories of target name in parent.
func cleanBeside(parent, name string) error {
	entries, err := os.ReadDir(parent)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if tempOf(e.Name(), tmpPrefix, name) || tempOf(e.Name(), oldPrefix, name) {
			if err := os.RemoveAll(filepath.Join(parent, e.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}

// syncTree flushes every file and directory under root to disk, deepest
// first, so a directory is synced after the entries it names.
func syncTree(root string) error {
	var dirs []string
	err := filepath.WalkDir(root, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() {
			dirs = append(dirs, path)
			return nil
		}
		if !e.Type().IsRegular() {
			return nil
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		err = f.Sync()
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return err
	})
	if err != nil {
		return err
	}
	for _, dir := range slices.Backward(dirs) {
		if err := syncDir(dir); err != nil {
			return err
		}
	}
	return nil
}
