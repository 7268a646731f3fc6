//go:build unix

package publish

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// Files are 0644 and directories 0755, less the umask.
func TestModesFollowUmask(t *testing.T) {
	for _, tc := range []struct {
		umask          int
		file, dir, out os.FileMode
	}{{0o022, 0o644, 0o755, 0o755}, {0o027, 0o640, 0o750, 0o750}, {0o077, 0o600, 0o700, 0o700}} {
		old := syscall.Umask(tc.umask)
		parent := t.TempDir()
		p := filepath.Join(parent, "f.csv")
		err := WriteFile(p, []byte("x"))
		var d *Dir
		if err == nil {
			d, err = Replace(filepath.Join(parent, "out"), nil)
		}
		if err == nil {
			err = d.Commit()
		}
		syscall.Umask(old)
		if err != nil {
			t.Fatal(err)
		}
		for path, want := range map[string]os.FileMode{p: tc.file, filepath.Join(parent, "out"): tc.dir,
			filepath.Join(parent, "out", LockName): tc.file} {
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if got := fi.Mode().Perm(); got != want {
				t.Errorf("umask %03o: %s has mode %03o, want %03o", tc.umask, filepath.Base(path), got, want)
			}
		}
	}
}
