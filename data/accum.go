package data

import (
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
