package runconfig

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/marginlab/marginlab/data"
)

// Coverage of the run by its funding and mark files. data.NewMarket finds
// what each series misses and names the symbol and kind; this file adds
// what only the configuration knows (the file, its key and line) and the
// fix in the configuration's own terms (data.start, data.end,
// data.coverage).

// coverageError rewrites NewMarket's error when it holds *data.CoverageError
// values: one error listing each file's gaps and the fix. Other errors are
// returned as they are.
func (f *File) coverageError(err error, paths map[string]SymbolFiles) error {
	var gaps []*data.CoverageError
	for _, e := range flatten(err) {
		var ce *data.CoverageError
		if errors.As(e, &ce) {
			gaps = append(gaps, ce)
		}
	}
	if len(gaps) == 0 {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "the data does not cover the run (data.coverage is strict):")
	kinds := map[string]bool{}
	for _, ce := range gaps {
		key, path := f.seriesFile(ce, paths)
		kinds[ce.Kind.String()] = true
		where := f.ErrorAt(key, errors.New(path)).Error()
		fmt.Fprintf(&b, "\n  %s: %s", where, ce.Detail())
	}
	b.WriteString("\nfix: " + f.trimFix(gaps) + ", or accept the gaps with " + acceptKeys(kinds) +
		", after which every output of the run carries a warning")
	return &coverageErr{msg: b.String(), errs: flattenCoverage(gaps)}
}

// coverageErr is the error of files that do not cover the run; it matches
// data.ErrCoverage and each *data.CoverageError with errors.Is and As.
type coverageErr struct {
	msg  string
	errs []error
}

func (e *coverageErr) Error() string   { return e.msg }
func (e *coverageErr) Unwrap() []error { return e.errs }

func flattenCoverage(list []*data.CoverageError) []error {
	out := make([]error, len(list))
	for i, e := range list {
		out[i] = e
	}
	return out
}

// coverageWarnings rewrites accepted coverage gaps among NewMarket's
// warnings to name the file and the key that accepted them; other warnings
// pass unchanged.
func (f *File) coverageWarnings(warns []error, paths map[string]SymbolFiles) []error {
	out := make([]error, len(warns))
	for i, w := range warns {
		var ce *data.CoverageError
		if !errors.As(w, &ce) {
			out[i] = w
			continue
		}
		_, path := f.seriesFile(ce, paths)
		out[i] = &noted{msg: fmt.Sprintf("%s (%s) does not cover the run: %s; accepted by data.coverage.%s: accept: %s",
			ce.Series(), path, ce.Detail(), ce.Kind, ce.Consequence()), err: w}
	}
	return out
}

// noted is a warning with a message of its own around the warning it
// rewrites (reachable with errors.Is and As).
type noted struct {
	msg string
	err error
}

func (e *noted) Error() string { return e.msg }
func (e *noted) Unwrap() error { return e.err }

// seriesFile returns the key and the file a series came from.
func (f *File) seriesFile(ce *data.CoverageError, paths map[string]SymbolFiles) (key, path string) {
	p, ok := paths[ce.Symbol]
	if !ok {
		return "data.synthetic", "the synthetic market"
	}
	key = "data.symbols." + ce.Symbol + "." + ce.Kind.String()
	if ce.Kind == data.KindFunding {
		return key, p.Funding
	}
	return key, p.Mark
}

// trimFix says which data.start and data.end leave every gap out.
func (f *File) trimFix(gaps []*data.CoverageError) string {
	start, end, holes, ok := data.TrimSuggestion(gaps)
	if !ok {
		return "no period is covered by every file: give files that cover the same period as the candles, or leave the file out"
	}
	var keys []string
	if first := gaps[0].MarketFirst; start != first {
		keys = append(keys, "start: "+configTime(start))
	}
	if last := gaps[0].MarketLast + int64(gaps[0].Timeframe); end != last {
		keys = append(keys, "end: "+configTime(end))
	}
	var parts []string
	if len(keys) > 0 {
		parts = append(parts, "trim the run to the period every file covers (data: {"+strings.Join(keys, ", ")+"}; end is exclusive)")
	}
	for _, h := range holes {
		parts = append(parts, fmt.Sprintf("run before or after the hole at %s (data.end: %s, or data.start: %s)",
			data.FormatTime(h.First), configTime(h.End), configTime(h.Start)))
	}
	return strings.Join(parts, "; ")
}

// configTime writes a time as data.start and data.end take it: a date when
// it is midnight UTC, else RFC 3339.
func configTime(ns int64) string {
	t := time.Unix(0, ns).UTC()
	if t.Equal(t.Truncate(24 * time.Hour)) {
		return t.Format("2006-01-02")
	}
	return data.FormatTime(ns)
}

// acceptKeys is the data.coverage setting that accepts the kinds given.
func acceptKeys(kinds map[string]bool) string {
	var keys []string
	for _, k := range []string{"funding", "mark"} {
		if kinds[k] {
			keys = append(keys, k+": accept")
		}
	}
	return "data: {coverage: {" + strings.Join(keys, ", ") + "}}"
}
