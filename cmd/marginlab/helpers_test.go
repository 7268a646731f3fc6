package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// result is the outcome of one in-process run.
type result struct {
	code        int
	out, errOut string
}

// runArgs runs marginlab in-process with args and empty stdin.
func runArgs(t *testing.T, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(""), &out, &errOut)
	return result{code: code, out: out.String(), errOut: errOut.String()}
}

// mustRun runs args and fails the test unless the exit status is want.
func mustRun(t *testing.T, want int, args ...string) result {
	t.Helper()
	r := runArgs(t, args...)
	if r.code != want {
		t.Fatalf("marginlab %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s",
			strings.Join(args, " "), r.code, want, r.out, r.errOut)
	}
	return r
}

// synthDir writes a small synthetic market (BTC and ETH, 1m, 2000 bars)
// into a new temporary directory with "data synth" and returns it.
func synthDir(t *testing.T, extra ...string) string {
	t.Helper()
	dir := t.TempDir()
	args := append([]string{"data", "synth", "--out", dir, "--bars", "2000"}, extra...)
	mustRun(t, exitOK, args...)
	return dir
}

// jsonLines decodes JSON Lines output into inspect reports.
func jsonLines(t *testing.T, s string) []inspectReport {
	t.Helper()
	var out []inspectReport
	for _, line := range strings.Split(strings.TrimSuffix(s, "\n"), "\n") {
		var r inspectReport
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("bad JSON line %q: %v", line, err)
		}
		out = append(out, r)
	}
	return out
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
