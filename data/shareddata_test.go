package data

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow/memory"
)

// sharedData is the real market data beside the repository. Tests that need
// it skip with this message when it is absent.
const sharedData = "../../shared/data"

func needSharedData(t testing.TB) string {
	t.Helper()
	if _, err := os.Stat(filepath.Join(sharedData, "README.md")); err != nil {
		t.Skipf("real data not found at %s (it lives beside the repository as ../shared/data); skipping", sharedData)
	}
	return sharedData
}

// readmeFile is one row of the README's per-file table.
type readmeFile struct {
	path        string
	rows        int
	first, last time.Time
}

// readmeTable parses the fenced per-file table at the end of the shared
// data README: "path bytes rows first -> last [(naive)]".
func readmeTable(t *testing.T, dir string) []readmeFile {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []readmeFile
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 6 || fields[4] != "->" {
			continue
		}
		rows, err := strconv.Atoi(fields[2])
		if err != nil {
			continue
		}
		parse := func(s string) time.Time {
			for _, l := range []string{time.RFC3339Nano, "2006-01-02T15:04:05"} {
				if tm, err := time.ParseInLocation(l, s, time.UTC); err == nil {
					return tm
				}
			}
			t.Fatalf("README time %q unparseable", s)
			return time.Time{}
		}
		out = append(out, readmeFile{path: fields[0], rows: rows, first: parse(fields[3]), last: parse(fields[5])})
	}
	if len(out) < 60 {
		t.Fatalf("found only %d files in the README table", len(out))
	}
	return out
}

func TestSharedDataMatchesREADME(t *testing.T) {
	dir := needSharedData(t)
	for _, want := range readmeTable(t, dir) {
		t.Run(want.path, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			s, err := Load(context.Background(), filepath.Join(dir, want.path), LoadOptions{Allocator: mem})
			mem.AssertSize(t, 0)
			if err != nil {
				t.Fatalf("load: %v", err)
			}
			var times []int64
			if s.Kind == KindFunding {
				times = s.Funding.Time
			} else {
				times = s.Bars.Time
			}
			if len(times) != want.rows {
				t.Errorf("rows = %d, README says %d", len(times), want.rows)
			}
			if got := time.Unix(0, times[0]).UTC(); !got.Equal(want.first) {
				t.Errorf("first = %s, README says %s", got.Format(time.RFC3339Nano), want.first.Format(time.RFC3339Nano))
			}
			if got := time.Unix(0, times[len(times)-1]).UTC(); !got.Equal(want.last) {
				t.Errorf("last = %s, README says %s", got.Format(time.RFC3339Nano), want.last.Format(time.RFC3339Nano))
			}
			wantKind := KindCandles
			switch {
			case strings.Contains(want.path, "funding"):
				wantKind = KindFunding
			case strings.Contains(want.path, "mark"):
				wantKind = KindMark
			}
			if s.Kind != wantKind {
				t.Errorf("kind = %s, want %s", s.Kind, wantKind)
			}
		})
	}
}
