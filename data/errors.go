package data

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

// Sentinel errors that callers may branch on with errors.Is. They are wrapped
// in an *InputError that says where in which file the problem is.
var (
	ErrFormat         = errors.New("data: unrecognised file format")
	ErrCorrupt        = errors.New("data: file is truncated or corrupt")
	ErrMissingColumn  = errors.New("data: required column missing")
	ErrColumnType     = errors.New("data: column has an unsupported type")
	ErrEmpty          = errors.New("data: no rows")
	ErrNull           = errors.New("data: null value")
	ErrBadPrice       = errors.New("data: price is not finite and positive")
	ErrBadValue       = errors.New("data: value is not finite")
	ErrOHLC           = errors.New("data: inconsistent OHLC")
	ErrUnsorted       = errors.New("data: times not increasing")
	ErrDuplicate      = errors.New("data: duplicate time")
	ErrTimeRange      = errors.New("data: time out of range")
	ErrBadTime        = errors.New("data: unparseable time")
	ErrTimeframe      = errors.New("data: incompatible timeframe")
	ErrMisaligned     = errors.New("data: series do not share a timeline")
	ErrNoCommonPeriod = errors.New("data: series have no period in common")
)

// InputError is the one error type for problems in input data. Every field
// that is known is filled; the message names them and ends with what to do.
type InputError struct {
	File   string // path as given by the caller
	Column string // column name in the file, "" when not about one column
	Row    int    // 0-based data row, -1 when not about one row
	Line   int    // 1-based line in a CSV file, 0 otherwise
	Time   int64  // Unix ns of the row, valid when HasTime
	// HasTime says Time is set (a zero Time is a valid instant).
	HasTime bool
	Err     error  // the underlying problem, often one of the sentinels above
	Detail  string // the specific values involved, e.g. "low 101 > open 100"
	Hint    string // what the user can do about it
}

func (e *InputError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteString(": ")
	}
	var where []string
	if e.Column != "" {
		where = append(where, "column "+strconv.Quote(e.Column))
	}
	switch {
	case e.Row >= 0:
		r := "row " + strconv.Itoa(e.Row)
		if e.Line > 0 {
			r += " (line " + strconv.Itoa(e.Line) + ")"
		}
		where = append(where, r)
	case e.Line > 0: // a text file's line that holds no row (a malformed one)
		where = append(where, "line "+strconv.Itoa(e.Line))
	}
	if e.HasTime {
		where = append(where, "time "+FormatTime(e.Time))
	}
	if len(where) > 0 {
		b.WriteString(strings.Join(where, ", "))
		b.WriteString(": ")
	}
	msg := e.Err.Error()
	msg = strings.TrimPrefix(msg, "data: ")
	b.WriteString(msg)
	if e.Detail != "" {
		b.WriteString(" (")
		b.WriteString(e.Detail)
		b.WriteString(")")
	}
	if e.Hint != "" {
		b.WriteString("; ")
		b.WriteString(e.Hint)
	}
	return b.String()
}

func (e *InputError) Unwrap() error { return e.Err }

// FormatTime prints Unix nanoseconds as RFC 3339 in UTC, with fractional
// seconds only when they are non-zero.
func FormatTime(ns int64) string {
	return time.Unix(0, ns).UTC().Format(time.RFC3339Nano)
}

// rowError builds an InputError about one row of one column.
func rowError(file, column string, row int, t int64, hasTime bool, err error, detail, hint string) *InputError {
	return &InputError{File: file, Column: column, Row: row, Time: t, HasTime: hasTime, Err: err, Detail: detail, Hint: hint}
}

// fileError builds an InputError about the file as a whole.
func fileError(file string, err error, detail, hint string) *InputError {
	return &InputError{File: file, Row: -1, Err: err, Detail: detail, Hint: hint}
}
