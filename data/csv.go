package data

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
)

// readCSV reads a CSV file with a header row. The delimiter is a comma, or a
// semicolon or tab when the header has no comma. Empty fields are nulls.
func readCSV(ctx context.Context, f *os.File, s *Series, acc *accum) error {
	br := bufio.NewReaderSize(f, streamBuffer(f))
	head, err := br.Peek(4096)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return err
	}
	if i := binaryAt(head); i >= 0 {
		return fileError(s.Path, ErrFormat, fmt.Sprintf("byte %d is 0x%02x, not text", i, head[i]),
			"a file that is not Parquet or Arrow is read as CSV, and this one is not text either: check the file (a download cut short? the wrong file?)")
	}
	firstLine, _, _ := strings.Cut(string(head), "\n")
	r := csv.NewReader(br)
	r.ReuseRecord = true
	switch {
	case strings.Contains(firstLine, ","):
	case strings.Contains(firstLine, ";"):
		r.Comma = ';'
	case strings.Contains(firstLine, "\t"):
		r.Comma = '\t'
	}
	header, err := r.Read()
	if err != nil {
		return csvError(s.Path, err)
	}
	fields := make([]fieldInfo, len(header))
	for i, h := range header {
		h = strings.TrimPrefix(h, "\ufeff") // a byte-order mark is not part of the name
		fields[i] = fieldInfo{name: h}
		s.Columns = append(s.Columns, Column{Name: h, Type: "text"})
	}
	if err := acc.plan(fields); err != nil {
		return err
	}
	var lines []int
	acc.line = func(row int) int {
		if row < len(lines) {
			return lines[row]
		}
		return 0
	}
	for row := 0; ; row++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return csvError(s.Path, err)
		}
		if row%65536 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		line, _ := r.FieldPos(0)
		lines = append(lines, line)
		acc.time, acc.nulls[roleTime], err = acc.conv.appendString(acc.time, false, rec[acc.p.index[roleTime]], row, acc.nulls[roleTime])
		if err != nil {
			var ie *InputError
			if errors.As(err, &ie) {
				ie.Line = line
			}
			return err
		}
		for ro := roleOpen; ro < nRoles; ro++ {
			if !acc.used(ro) {
				continue
			}
			txt := strings.TrimSpace(rec[acc.p.index[ro]])
			if txt == "" {
				acc.vals[ro] = append(acc.vals[ro], math.NaN())
				acc.nulls[ro] = append(acc.nulls[ro], row)
				continue
			}
			v, err := strconv.ParseFloat(txt, 64)
			if err != nil {
				e := acc.rowErr(ro, row, ErrBadValue, fmt.Sprintf("value %q is not a number", txt), "fix the value or the column mapping")
				e.Line = line
				return e
			}
			acc.vals[ro] = append(acc.vals[ro], v)
		}
		acc.rows++
	}
	return nil
}

// csvError converts encoding/csv's positioned errors into an InputError.
func csvError(path string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		hint := "fix the line's quoting"
		if errors.Is(pe.Err, csv.ErrFieldCount) {
			hint = "every line needs the same number of fields as the header"
		}
		return &InputError{File: path, Row: -1, Line: pe.Line, Err: ErrCorrupt, Detail: pe.Err.Error(), Hint: hint}
	}
	if errors.Is(err, io.EOF) {
		return fileError(path, ErrEmpty, "no header line", "")
	}
	return err
}

// binaryAt returns the offset of the first byte in head that no text file
// holds (a NUL, or a control character other than tab, newline, carriage
// return and form feed), or −1. A file of no known format is read as CSV;
// this catches binary data before its bytes become column names.
func binaryAt(head []byte) int {
	for i, c := range head {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' {
			return i
		}
	}
	return -1
}
