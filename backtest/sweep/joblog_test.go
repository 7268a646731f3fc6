package sweep

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadJobsInOrder: records decoded in parallel reach the caller in the
// order asked for, whatever the window and worker count, and the first
// corrupt record or caller error stops the read with that error.
func TestReadJobsInOrder(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "jobs"), 0o755); err != nil {
		t.Fatal(err)
	}
	w, err := newJobWriter(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	const n = 300
	for i := range n {
		if err := w.append(&jobResult{Cell: fmt.Sprintf("%016d", i), Path: i % 7, Runs: []modeRun{{Mode: "cross"}}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.close(); err != nil {
		t.Fatal(err)
	}
	index, err := scanJobs(dir)
	if err != nil {
		t.Fatal(err)
	}
	refs := make([]jobRef, 0, n)
	for _, r := range index {
		refs = append(refs, r)
	}
	sortRefs(refs)
	for _, shape := range [][2]int{{1, 1}, {2, 3}, {8, 64}} {
		var got []string
		err := readJobsInOrder(refs, shape[0], shape[1], func(r *jobResult) error {
			got = append(got, r.Cell)
			return nil
		})
		if err != nil || len(got) != n {
			t.Fatalf("workers %d window %d: %d records, %v", shape[0], shape[1], len(got), err)
		}
		for i, c := range got {
			if c != fmt.Sprintf("%016d", i) {
				t.Fatalf("workers %d window %d: record %d is %s", shape[0], shape[1], i, c)
			}
		}
	}
	// The caller's error stops the read.
	seen := 0
	err = readJobsInOrder(refs, 2, 8, func(r *jobResult) error {
		if seen++; seen == 10 {
			return fmt.Errorf("enough")
		}
		return nil
	})
	if err == nil || err.Error() != "enough" || seen != 10 {
		t.Errorf("caller error: %v after %d records", err, seen)
	}
	// A corrupt record in the middle: the records before it arrive, then its error.
	bad := refs[150]
	f, err := os.OpenFile(bad.file, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte(strings.Repeat("\xff", 8)), bad.off); err != nil {
		t.Fatal(err)
	}
	f.Close()
	seen = 0
	err = readJobsInOrder(refs, 2, 8, func(r *jobResult) error { seen++; return nil })
	if err == nil || !strings.Contains(err.Error(), "corrupt") || seen != 150 {
		t.Errorf("corrupt record: %v after %d records", err, seen)
	}
}
