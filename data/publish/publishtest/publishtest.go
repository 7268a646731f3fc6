// Package publishtest gives tests a real full disk: a small tmpfs
// mounted for the test, and a way to fill it.
package publishtest

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// Fill fills the filesystem holding dir with a ballast file in dir, then
// frees leave bytes of it (rounded to the filesystem's pages), so that the
// next writes of more than about leave bytes fail with ENOSPC. It returns
// the ballast's path: removing it frees the space.
func Fill(t testing.TB, dir string, leave int64) string {
	t.Helper()
	path := filepath.Join(dir, "ballast")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 1<<16)
	var n int64
	for chunk := len(buf); chunk > 0; {
		k, err := f.Write(buf[:chunk])
		n += int64(k)
		switch {
		case err == nil:
		case errors.Is(err, syscall.ENOSPC):
			chunk /= 2
		default:
			t.Fatal(err)
		}
	}
	if err := f.Truncate(max(n-leave, 0)); err != nil {
		t.Fatal(err)
	}
	return path
}
