package data

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
)

// fuzzSeeds returns small valid files in every format the loader reads.
func fuzzSeeds(t testing.TB) map[string][]byte {
	t.Helper()
	dir := t.TempDir()
	// Small: each exec of the fuzzer loads one, and a new input that adds
	// coverage is minimised exec by exec; two row groups or batches still
	// exercise the multi-chunk paths.
	s := &Series{Kind: KindCandles, Bars: walkBars(16, 9)}
	seeds := map[string][]byte{}
	for _, name := range []string{"a.parquet", "a.feather", "a.arrows"} {
		for _, codec := range []string{"", "none"} {
			p := filepath.Join(dir, codec+name)
			if err := WriteFile(p, s, WriteOptions{Codec: codec, ChunkRows: 8}); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			seeds[codec+name] = b
		}
	}
	seeds["a.csv"] = []byte("date,open,high,low,close,volume\n2024-01-01T00:00:00Z,1,2,0.5,1.5,3\n2024-01-01T00:01:00Z,1.5,2,1,1.2,4\n")
	return seeds
}

// loadBytes writes b to a file and loads it with a checked allocator. It
// must return either a series or an error, never panic, and must release
// every Arrow buffer either way.
func loadBytes(t *testing.T, dir string, b []byte) {
	p := filepath.Join(dir, "f")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	s, err := Load(context.Background(), p, LoadOptions{Allocator: mem})
	if err == nil {
		if s.Rows() == 0 {
			t.Fatal("loaded a series with no rows and no error")
		}
		return
	}
	var ie *InputError
	if !errors.As(err, &ie) {
		t.Fatalf("error is not an *InputError: %v", err)
	}
	// A corrupt file may leave buffers that arrow-go allocated before it
	// panicked; only a clean outcome must balance exactly.
	if !errors.Is(err, ErrCorrupt) {
		mem.AssertSize(t, 0)
	}
}

// FuzzLoad mutates valid files; the loader must never panic.
func FuzzLoad(f *testing.F) {
	for _, b := range fuzzSeeds(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		loadBytes(t, t.TempDir(), b)
	})
}

// TestTruncatedAndMutated runs the deterministic part of the fuzz target in
// every test run: every prefix length class and single-byte flips at many
// offsets of each seed file.
func TestTruncatedAndMutated(t *testing.T) {
	dir := t.TempDir()
	for name, b := range fuzzSeeds(t) {
		t.Run(name, func(t *testing.T) {
			step := max(1, len(b)/200)
			for n := 0; n < len(b); n += step {
				loadBytes(t, dir, b[:n])
			}
			for off := 0; off < len(b); off += step {
				m := bytes.Clone(b)
				m[off] ^= 0xff
				loadBytes(t, dir, m)
				m[off] ^= 0x5a
				loadBytes(t, dir, m)
			}
		})
	}
}
