package data

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow/go/v17/arrow"
)

// kindFromMetadata reads the kind marginlab's writers record in a schema.
func kindFromMetadata(md arrow.Metadata) Kind {
	if i := md.FindKey(kindMetadataKey); i >= 0 {
		if k, err := ParseKind(md.Values()[i]); err == nil {
			return k
		}
	}
	return KindAuto
}

// accum collects the used columns of a file, batch by batch, as float64 and
// int64 slices. Readers call plan once with the schema, reserve with the row
// count when the format declares it, then appendRecord per batch; finish
// applies the null policy and repairs and validates (validate.go).
type accum struct {
	file string
	opt  *LoadOptions
	p    columnPlan
	conv timeConverter
	// metaKind is the kind recorded in the file's schema metadata by
	// marginlab's own writers; KindAuto when absent.
	metaKind Kind
	// reserveLimit caps the rows reserve will preallocate (0: no cap).
	reserveLimit int

	rows  int
	time  []int64
	vals  [nRoles][]float64 // roleTime unused
	nulls [nRoles][]int     // absolute rows holding nulls, per role
	// line maps a row to its CSV line, when the input is CSV.
	line func(row int) int
}

func (a *accum) plan(fields []fieldInfo) error {
	opt := *a.opt
	if opt.Kind == KindAuto {
		opt.Kind = a.metaKind
	}
	p, err := planColumns(a.file, fields, &opt)
	if err != nil {
		return err
	}
	a.p = p
	a.conv = timeConverter{file: a.file, column: p.names[roleTime], loc: a.opt.Location, epochUnit: a.opt.EpochUnit}
	return nil
}

// used reports whether role r is read from the file.
func (a *accum) used(r role) bool { return a.p.index[r] >= 0 }

// selected returns the file columns to read, in increasing order, as leaf
// indices, and for each role its column position in the records the reader
// will produce (which hold only the selected columns).
func (a *accum) selected(leaf []int) (cols []int, recCol [nRoles]int) {
	for r := range recCol {
		recCol[r] = -1
	}
	for i := range leaf {
		for r := range a.p.index {
			if a.p.index[r] == i {
				recCol[r] = len(cols)
				cols = append(cols, leaf[i])
				break
			}
		}
	}
	// A file column used by two roles (funding rate in open) needs one read.
	for r := range a.p.index {
		if a.p.index[r] >= 0 && recCol[r] < 0 {
			for q := range a.p.index {
				if q != r && a.p.index[q] == a.p.index[r] && recCol[q] >= 0 {
					recCol[r] = recCol[q]
				}
			}
		}
	}
	return cols, recCol
}

// identity is the record-column map for readers that read every column.
func (a *accum) identity() [nRoles]int { return a.p.index }

// reserve preallocates n rows, n as declared by the file's metadata. A
// corrupt declaration cannot allocate more than the allocation guard would
// let any single Arrow column buffer have: rows of at least 4 bytes each.
func (a *accum) reserve(n int) {
	if a.reserveLimit > 0 {
		n = min(n, a.reserveLimit)
	}
	a.time = make([]int64, 0, n)
	for r := roleOpen; r < nRoles; r++ {
		if a.used(r) {
			a.vals[r] = make([]float64, 0, n)
		}
	}
}

func (a *accum) appendRecord(rec arrow.Record, recCol [nRoles]int) error {
	base := a.rows
	var err error
	a.time, a.nulls[roleTime], err = a.conv.appendTimes(a.time, rec.Column(recCol[roleTime]), base, a.nulls[roleTime])
	if err != nil {
		return err
	}
	for r := roleOpen; r < nRoles; r++ {
		if a.used(r) {
			a.vals[r], a.nulls[r] = appendFloats(a.vals[r], rec.Column(recCol[r]), base, a.nulls[r])
		}
	}
	a.rows += int(rec.NumRows())
	return nil
}

// window returns an accumulator that appends rows [off, off+n) into a's
// preallocated columns. Its converter is a copy, so windows can run on
// separate goroutines.
func (a *accum) window(off, n int) *accum {
	w := &accum{file: a.file, opt: a.opt, p: a.p, conv: a.conv, rows: off}
	w.time = a.time[off : off : off+n]
	for r := roleOpen; r < nRoles; r++ {
		if a.used(r) {
			w.vals[r] = a.vals[r][off : off : off+n]
		}
	}
	return w
}

// decodeChunks fills the columns from chunks (record batches or row groups)
// whose row counts the file declares, decoding them on up to GOMAXPROCS
// goroutines, each straight into its final position. Chunk 0 runs first so
// that what it infers (the epoch unit) holds for all. The outcome does not
// depend on scheduling: on failure the error of the earliest chunk wins.
func (a *accum) decodeChunks(ctx context.Context, rows []int64, decode func(i int, w *accum) error) error {
	offs := make([]int, len(rows)+1)
	for i, n := range rows {
		offs[i+1] = offs[i] + int(n)
	}
	total := offs[len(rows)]
	if a.reserveLimit > 0 && total > a.reserveLimit {
		return corrupt(a.file, fmt.Errorf("file declares %d rows, more than its size can hold", total))
	}
	a.time = make([]int64, total)
	for r := roleOpen; r < nRoles; r++ {
		if a.used(r) {
			a.vals[r] = make([]float64, total)
		}
	}
	windows := make([]*accum, len(rows))
	run := func(i int) (err error) {
		// arrow-go panics on some corrupt input; a panic on a worker
		// goroutine would escape Load's recover and kill the process.
		defer func() {
			if r := recover(); r != nil {
				err = corrupt(a.file, fmt.Errorf("%v", r))
			}
		}()
		if err := ctx.Err(); err != nil {
			return err
		}
		w := a.window(offs[i], int(rows[i]))
		windows[i] = w
		if err := decode(i, w); err != nil {
			return err
		}
		if len(w.time) != int(rows[i]) || w.rows != offs[i+1] {
			return corrupt(a.file, fmt.Errorf("chunk %d holds %d rows, metadata declares %d", i, w.rows-offs[i], rows[i]))
		}
		return nil
	}
	if len(rows) == 0 {
		return nil
	}
	if err := run(0); err != nil {
		return err
	}
	a.conv = windows[0].conv
	errs := make([]error, len(rows))
	var next atomic.Int64
	next.Store(1)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(rows)-1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < len(rows); i = int(next.Add(1) - 1) {
				errs[i] = run(i)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	for _, w := range windows {
		for r := range a.nulls {
			a.nulls[r] = append(a.nulls[r], w.nulls[r]...)
		}
	}
	a.rows = total
	return nil
}
