package yamlfile

import (
	"errors"
	"slices"
	"strconv"
	"strings"
)

// Error is one problem in a YAML file: a syntax error, an unknown key, a
// value of the wrong type or out of range.
type Error struct {
	Source string // file name or other origin; empty when unknown
	Line   int    // 1-based line in Source; 0 when unknown
	Path   string // key path, e.g. "strategy.params.fast", "modes[1]"; empty for the whole file
	Value  string // the offending value as written, quoted when a string; may be empty
	Err    error  // the problem
	// Prefix, when set, starts the message, followed by ": " (a package
	// name such as "venue").
	Prefix string
}

// Error formats e as "prefix: source:line: path = value: problem", leaving
// out what is unknown; "line N: " stands for "source:line: " when only the
// line is known.
func (e *Error) Error() string {
	var b strings.Builder
	if e.Prefix != "" {
		b.WriteString(e.Prefix + ": ")
	}
	if e.Source != "" {
		b.WriteString(e.Source)
		if e.Line > 0 {
			b.WriteString(":" + strconv.Itoa(e.Line))
		}
		b.WriteString(": ")
	} else if e.Line > 0 {
		b.WriteString("line " + strconv.Itoa(e.Line) + ": ")
	}
	if e.Path != "" {
		b.WriteString(e.Path)
		if e.Value != "" {
			b.WriteString(" = " + e.Value)
		}
		b.WriteString(": ")
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

// Unwrap returns the underlying problem.
func (e *Error) Unwrap() error { return e.Err }

// Join sorts list by line, keeping the order of problems on the same line
// (list is sorted in place), and joins it with errors.Join; nil when list
// is empty.
func Join(list []*Error) error {
	if len(list) == 0 {
		return nil
	}
	slices.SortStableFunc(list, func(a, b *Error) int { return a.Line - b.Line })
	errs := make([]error, len(list))
	for i, e := range list {
		errs[i] = e
	}
	return errors.Join(errs...)
}
