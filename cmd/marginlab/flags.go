package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/marginlab/marginlab/data"
)

// parseInterspersed parses fs's flags wherever they appear among the
// positional arguments, which it returns in order. The flag package stops at
// the first non-flag argument, so set that argument aside and parse the
// rest again. A literal "--" ends the flags: everything after it is
// positional.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if endedByTerminator(fs, args[:len(args)-len(rest)]) {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// endedByTerminator reports whether the arguments one fs.Parse consumed end
// with a "--" that ended the flags, rather than a "--" that was the value of
// a flag (as in "--time-column --").
func endedByTerminator(fs *flag.FlagSet, consumed []string) bool {
	for i := 0; i < len(consumed); i++ {
		a := consumed[i]
		if a == "--" {
			return true
		}
		name := strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-")
		if strings.Contains(name, "=") {
			continue
		}
		if f := fs.Lookup(name); f != nil && !isBoolFlag(f) {
			i++ // the next argument is this flag's value
		}
	}
	return false
}

func isBoolFlag(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// printFlags lists every flag of fs with its argument name and default, in
// the style of flag.PrintDefaults but with the "--name" spelling the
// examples use.
func printFlags(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		arg, usage := flag.UnquoteUsage(f)
		line := "  --" + f.Name
		if arg != "" && !isBoolFlag(f) {
			line += " " + arg
		}
		fmt.Fprintln(w, line)
		if f.DefValue != "" && !(isBoolFlag(f) && f.DefValue == "false") {
			usage += fmt.Sprintf(" (default %s)", f.DefValue)
		}
		for _, l := range strings.Split(usage, "\n") {
			fmt.Fprintf(w, "        %s\n", l)
		}
	})
}

// addLoadFlags registers on fs the flags that fill data.LoadOptions, shared
// by every command that reads data files.
func addLoadFlags(fs *flag.FlagSet, opt *data.LoadOptions) {
	fs.Var(kindValue{&opt.Kind}, "kind", "`KIND` of series in the file: candles, mark, funding, or auto\nto decide from the columns and the file name")
	fs.StringVar(&opt.TimeColumn, "time-column", "", "`NAME` of the time column; empty finds it by name\n(date, timestamp, open_time, time, datetime, ts)")
	fs.Var(epochUnitValue{&opt.EpochUnit}, "epoch-unit", "`UNIT` of integer epoch times: s, ms, us, ns, or auto to infer\nit from their magnitude")
	fs.Var(locationValue{&opt.Location}, "tz", "IANA time `ZONE` of naive (zone-less) times, e.g. Asia/Tokyo;\ntimes with a zone and integer epochs ignore it")
	fs.BoolVar(&opt.Sort, "sort", false, "sort rows by time instead of rejecting an unsorted file")
	fs.BoolVar(&opt.Dedupe, "dedupe", false, "keep the last of several rows with the same time\ninstead of rejecting the file")
	fs.Var(nullsValue{&opt.Nulls}, "nulls", "`POLICY` for null values: error rejects the file, drop removes\nthe row, fill uses the previous close (volume 0, previous rate)")
	fs.BoolVar(&opt.FillGaps, "fill-gaps", false, "insert flat bars (previous close, volume 0) for missing candles")
}

// The flag.Value types below print their current value, so the flag
// package records the default shown in help. Their errors drop the data
// package's "data: " prefix, since the flag package names the flag.

type kindValue struct{ p *data.Kind }

func (v kindValue) String() string {
	if v.p == nil {
		return ""
	}
	return v.p.String()
}

func (v kindValue) Set(s string) error {
	k, err := data.ParseKind(s)
	*v.p = k
	return trimData(err)
}

type nullsValue struct{ p *data.NullPolicy }

func (v nullsValue) String() string {
	if v.p == nil {
		return ""
	}
	return v.p.String()
}

func (v nullsValue) Set(s string) error {
	n, err := data.ParseNullPolicy(s)
	*v.p = n
	return trimData(err)
}

type locationValue struct{ p **time.Location }

func (v locationValue) String() string {
	if v.p == nil || *v.p == nil {
		return "UTC"
	}
	return (*v.p).String()
}

func (v locationValue) Set(s string) error {
	loc, err := time.LoadLocation(s)
	if err != nil {
		return fmt.Errorf("unknown time zone %q: want an IANA name such as UTC, Europe/London or Asia/Tokyo", s)
	}
	*v.p = loc
	return nil
}

var epochUnits = []struct {
	name string
	unit time.Duration
}{{"auto", 0}, {"s", time.Second}, {"ms", time.Millisecond}, {"us", time.Microsecond}, {"ns", time.Nanosecond}}

type epochUnitValue struct{ p *time.Duration }

func (v epochUnitValue) String() string {
	for _, u := range epochUnits {
		if v.p != nil && *v.p == u.unit {
			return u.name
		}
	}
	return ""
}

func (v epochUnitValue) Set(s string) error {
	for _, u := range epochUnits {
		if s == u.name {
			*v.p = u.unit
			return nil
		}
	}
	return fmt.Errorf("unknown epoch unit %q: want s, ms, us, ns or auto", s)
}

type timeframeValue struct{ p *time.Duration }

func (v timeframeValue) String() string {
	if v.p == nil {
		return ""
	}
	return data.FormatTimeframe(*v.p)
}

func (v timeframeValue) Set(s string) error {
	d, err := data.ParseTimeframe(s)
	if err != nil {
		return trimData(err)
	}
	*v.p = d
	return nil
}

func trimData(err error) error {
	if err == nil {
		return nil
	}
	return errors.New(strings.TrimPrefix(err.Error(), "data: "))
}
