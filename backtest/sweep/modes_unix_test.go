//go:build unix

package sweep

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestOutputModes: tables and manifests are readable by other users (0644
// under the usual umask), for a merge job running as another user.
func TestOutputModes(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	p, m := plan(t)
	a, b := t.TempDir(), t.TempDir()
	run(t, p, m, a, func(o *Options) { o.Shard = Shard{0, 2} })
	run(t, p, m, b, func(o *Options) { o.Shard = Shard{1, 2} })
	merged := filepath.Join(t.TempDir(), "merged")
	if err := Merge(merged, []string{a, b}); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{a, merged} {
		for _, name := range append(tableNames, manifestName) {
			fi, err := os.Stat(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != 0o644 {
				t.Errorf("%s/%s: mode %03o, want 644", dir, name, fi.Mode().Perm())
			}
		}
	}
}
