package data

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/marginlab/marginlab/data/publish"
	"github.com/marginlab/marginlab/data/publish/publishtest"
)

// fullWriter accepts limit bytes, then fails like a full disk.
type fullWriter struct {
	buf   bytes.Buffer
	limit int
}

func (w *fullWriter) Write(p []byte) (int, error) {
	if w.buf.Len()+len(p) > w.limit {
		k := w.limit - w.buf.Len()
		w.buf.Write(p[:k])
		return k, syscall.ENOSPC
	}
	return w.buf.Write(p)
}

// TestWriteFullDisk: a writer that fails at any byte makes Write return its
// error. arrow-go's Parquet writer used to panic ("failed to write magic
// number" for the first bytes, a nil pointer in rowGroupWriter.Close after
// a failed column) or return nil (a failed footer).
func TestWriteFullDisk(t *testing.T) {
	s := &Series{Kind: KindCandles, Bars: walkBars(3000, 1)}
	for _, format := range []Format{FormatParquet, FormatArrowFile, FormatArrowStream} {
		var full bytes.Buffer
		if err := Write(&full, format, s, WriteOptions{ChunkRows: 1000}); err != nil {
			t.Fatal(err)
		}
		for limit := 0; limit < full.Len(); limit += 1 + limit/8 {
			err := Write(&fullWriter{limit: limit}, format, s, WriteOptions{ChunkRows: 1000})
			if !errors.Is(err, syscall.ENOSPC) {
				t.Errorf("%s, disk full after %d of %d bytes: err = %v, want ENOSPC", format, limit, full.Len(), err)
			}
		}
	}
}

// TestWriteFileFullDisk: WriteFile on a full disk (injected) names the file,
// keeps the previous file and leaves no temporary.
func TestWriteFileFullDisk(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "btc.parquet")
	s := &Series{Kind: KindCandles, Bars: walkBars(3000, 1)}
	if err := WriteFile(path, s, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	for _, at := range []int64{0, 2, 100, 10_000} {
		restore := publish.SetFault(func(p string, size int64) error {
			if size > at {
				return syscall.ENOSPC
			}
			return nil
		})
		err := WriteFile(path, &Series{Kind: KindCandles, Bars: walkBars(4000, 2)}, WriteOptions{})
		restore()
		checkFullDiskWrite(t, err, dir, path, before)
	}
}

func checkFullDiskWrite(t *testing.T, err error, dir, path string, before []byte) {
	t.Helper()
	if !errors.Is(err, syscall.ENOSPC) || !strings.Contains(err.Error(), "writing "+path+": no space left on device") {
		t.Errorf("err = %v: want ENOSPC naming %s", err, path)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(after, before) {
		t.Error("the previous file changed")
	}
	es, _ := os.ReadDir(dir)
	for _, e := range es {
		if e.Name() != filepath.Base(path) && e.Name() != "ballast" {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}

// TestWriteFileFullTmpfs: the same on a real full filesystem.
func TestWriteFileFullTmpfs(t *testing.T) {
	dir := publishtest.Tmpfs(t, "2m")
	path := filepath.Join(dir, "btc.parquet")
	if err := WriteFile(path, &Series{Kind: KindCandles, Bars: walkBars(3000, 1)}, WriteOptions{Codec: "none"}); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	publishtest.Fill(t, dir, 8<<10)
	err := WriteFile(path, &Series{Kind: KindCandles, Bars: walkBars(4000, 2)}, WriteOptions{Codec: "none"})
	checkFullDiskWrite(t, err, dir, path, before)
}
