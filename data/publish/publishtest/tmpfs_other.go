//go:build !linux

package publishtest

import "testing"

// Tmpfs skips the test: mounting a tmpfs is done on Linux only.
func Tmpfs(t testing.TB, size string) string {
	t.Helper()
	t.Skip("a real full disk needs a Linux tmpfs; the injected-fault tests cover this case")
	return ""
}
