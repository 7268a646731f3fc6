package sweep

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/marginlab/marginlab/backtest"
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

// TestWarmDecoder: records decoded one after another by one warmDecoder
// (fed only their value messages once it has seen their type definitions)
// equal records decoded each by a new gob.Decoder, whatever they hold, and
// a corrupt record neither decodes nor spoils the next.
func TestWarmDecoder(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	values := []any{1.5, "x", 7, true, math.Inf(1)}
	var w warmDecoder
	for i := range 200 {
		r := &jobResult{Cell: fmt.Sprintf("%016d", i), Path: i % 3, Params: []Param{{Path: "leverage", Value: values[rng.IntN(len(values))]}}}
		for range rng.IntN(3) {
			mr := modeRun{Mode: "isolated", Metrics: backtest.Metrics{Bars: rng.IntN(1000), Sharpe: rng.NormFloat64(), AnnualReturn: math.Inf(1)}}
			for range rng.IntN(4) {
				mr.Liquidations = append(mr.Liquidations, backtest.LiquidationRecord{Symbol: "BTC", Qty: rng.Float64(), CloseAlso: rng.IntN(2) == 0})
			}
			if rng.IntN(2) == 0 {
				mr.Series.Equity = []float64{rng.Float64(), math.NaN()}
			}
			r.Runs = append(r.Runs, mr)
		}
		var b bytes.Buffer
		if err := gob.NewEncoder(&b).Encode(r); err != nil {
			t.Fatal(err)
		}
		if i%50 == 49 { // a corrupt record: an error, and the next decodes
			bad := append([]byte(nil), b.Bytes()...)
			bad[len(bad)-3] ^= 0xff
			var x jobResult
			if err := w.decode(bad[:len(bad)-2], &x); err == nil {
				t.Fatalf("record %d: a truncated record decoded", i)
			}
		}
		var warm, fresh jobResult
		if err := w.decode(b.Bytes(), &warm); err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		if err := gob.NewDecoder(bytes.NewReader(b.Bytes())).Decode(&fresh); err != nil {
			t.Fatal(err)
		}
		if a, b := fmt.Sprintf("%+v", warm), fmt.Sprintf("%+v", fresh); a != b {
			t.Fatalf("record %d: warm decoder gives\n%s\nnot\n%s", i, a, b)
		}
	}
	// A new decoder for the first record and after each corrupt one (and
	// for records whose optional parts bring new types): not one a record.
	if w.fresh > 20 {
		t.Errorf("%d decoders made for 200 records", w.fresh)
	}
}
