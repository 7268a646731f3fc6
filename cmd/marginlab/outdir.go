package main

import (
	"errors"
	"slices"

	"github.com/marginlab/marginlab/data/publish"
)

// Every --out directory a command writes as a whole (run, demo, merge,
// report) is staged beside it and swapped in when complete
// (publish.Replace): a failure leaves the previous output as it was, and a
// second command writing the same directory fails at once, naming the
// first.

// The entries each command's output directory holds: replacing a directory
// that holds anything else would delete it.
var (
	runOutputs    = names("summary.json", "liquidations.csv", "fills.csv", "equity.csv", reportDir)
	reportOutputs = names("index.html", "summary.md", "summary.json", "figures")
)

// demoOutputs is summary.json, the report and a directory per leverage.
func demoOutputs(name string) bool {
	for _, l := range demoLeverages {
		if name == rungDir(l) {
			return true
		}
	}
	return name == "summary.json" || name == reportDir
}

func names(list ...string) func(string) bool {
	return func(n string) bool { return slices.Contains(list, n) }
}

// replaceOut starts writing the output directory dir (given with flag, if
// any) as a whole. A directory holding files the command does not write is
// a usage error; one that another process is writing is an error naming
// it.
func replaceOut(flag, dir string, owned func(string) bool) (*publish.Dir, error) {
	d, err := publish.Replace(dir, owned)
	switch {
	case !errors.Is(err, publish.ErrForeign) && !errors.Is(err, publish.ErrBadTarget):
		return d, err
	case flag != "":
		return nil, usagef("%s %s: %v", flag, dir, err)
	}
	return nil, usagef("%v", err)
}
