package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/marginlab/marginlab/backtest/sweep"
	"github.com/marginlab/marginlab/reports"
)

var reportCmd = &command{
	name:    "report",
	args:    "RESULTS_DIR",
	summary: "liquidation statistics and capital-efficiency figures from a sweep's results, as HTML, Markdown and JSON",
	about: `
Report reads a sweep's result tables (runs.parquet, liquidations.parquet,
manifest.json) and writes into --out (default RESULTS_DIR/report):

  index.html   one self-contained page: tables, findings and figures as
               inline SVG, no scripts, nothing from the network
  summary.md   the headline table and findings, short enough for a CI job
               summary
  summary.json every number in the report
  figures/     the figures as PNG and SVG

The directory is written beside itself and replaced as a whole once
complete, so a failure leaves the previous report; it may hold only these.

Statistics: P(at least one liquidation) per mode, liquidations per 1,000
positions and per year, loss per liquidation (median, 95th percentile,
worst) and paired isolated − cross differences, with intervals that
resample the independent units: the Monte Carlo paths when a sweep has at
least 5, otherwise blocks of time of the history (∛span days each, or
--block-days), keeping a path's or a block's cells and modes together;
Kaplan–Meier survival to the first liquidation and to ruin with Greenwood
intervals; and capital-efficiency means. The report says what was
resampled and how many units there were.`,
	examples: []string{
		"marginlab report results",
		"marginlab report results --out public/nightly --conf 0.9",
		"marginlab report results --block-days 14",
	},
	setup: setupReport,
}

func setupReport(flags *flag.FlagSet) runFunc {
	out := flags.String("out", "", "output `DIR` (default RESULTS_DIR/report)")
	conf := flags.Float64("conf", 0.95, "interval `LEVEL`, in (0, 1)")
	seed := flags.Uint64("seed", defaultReportSeed, "bootstrap `SEED`")
	blockDays := flags.Float64("block-days", 0, "length in `DAYS` of the blocks of time the intervals resample when there are fewer\nthan 5 paths; 0 means the cube root of the span in days, at least 1")
	return func(ctx context.Context, sio *stdio, args []string) error {
		if len(args) != 1 {
			return usagef("want one RESULTS_DIR, got %d arguments", len(args))
		}
		if !(*conf > 0 && *conf < 1) {
			return usagef("--conf %v: must be in (0, 1)", *conf)
		}
		if !(*blockDays >= 0) || math.IsInf(*blockDays, 1) {
			return usagef("--block-days %v: must be a number of days ≥ 0", *blockDays)
		}
		dir := *out
		if dir == "" {
			dir = filepath.Join(args[0], "report")
		}
		res, err := readResults(args[0])
		if err != nil {
			return err
		}
		if err := publishReport(sio.errOut, "--out", dir, res, reports.DirEquity(args[0], res), reports.Options{Conf: *conf, Seed: *seed, BlockDays: *blockDays}); err != nil {
			return err
		}
		fmt.Fprintf(sio.out, "wrote %s: index.html, summary.md, summary.json, figures/\n", dir)
		return nil
	}
}

// readResults reads a sweep directory, turning a missing one into a usage
// error.
func readResults(dir string) (*sweep.Results, error) {
	if _, err := os.Stat(filepath.Join(dir, "manifest.json")); err != nil {
		return nil, usagef("%s holds no sweep results (no manifest.json): run 'marginlab sweep' first", dir)
	}
	return sweep.ReadResults(dir)
}

var compareCmd = &command{
	name:    "compare",
	args:    "BASE_DIR NEW_DIR",
	summary: "compare two sweeps' results metric by metric: the nightly regression gate",
	about: `
Compare matches the runs of two sweep result directories by cell (cells are
identified by their parameter values), mode and path, and prints each
mode's aggregate metrics in both and their change. Every --threshold
METRIC=VALUE fails the comparison when that metric changes by more than
VALUE in either direction.

Exit status: 0 when no threshold is crossed, 1 when one is, 2 on bad input
(a directory without results, an unknown metric, or two result sets with no
run in common).`,
	examples: []string{
		"marginlab compare nightly/2026-11-20 nightly/2026-11-21",
		"marginlab compare base new --threshold positions_liquidated_per_1000=5 --threshold total_return=0.02 --markdown",
	},
	setup: setupCompare,
}

// thresholds is a repeatable METRIC=VALUE flag.
type thresholds map[string]float64

func (t thresholds) String() string { return "" }

func (t thresholds) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	f, err := strconv.ParseFloat(v, 64)
	if !ok || k == "" || err != nil || f < 0 {
		return fmt.Errorf("want METRIC=VALUE with VALUE ≥ 0, e.g. positions_liquidated_per_1000=5 (metrics: %s)", strings.Join(reports.CompareMetricNames(), ", "))
	}
	t[k] = f
	return nil
}

func setupCompare(flags *flag.FlagSet) runFunc {
	th := thresholds{}
	flags.Var(th, "threshold", "`METRIC=VALUE`: fail when METRIC changes by more than VALUE (repeatable)")
	markdown := flags.Bool("markdown", false, "print a Markdown table")
	return func(ctx context.Context, sio *stdio, args []string) error {
		if len(args) != 2 {
			return usagef("want BASE_DIR and NEW_DIR, got %d arguments", len(args))
		}
		base, err := readResults(args[0])
		if err != nil {
			return usageWrap(err)
		}
		next, err := readResults(args[1])
		if err != nil {
			return usageWrap(err)
		}
		c, err := reports.Compare(base, next, th)
		if err != nil {
			return usagef("%v", err)
		}
		if err := reports.WriteComparison(sio.out, c, *markdown); err != nil {
			return err
		}
		if c.Crossed > 0 {
			return fmt.Errorf("%d %s", c.Crossed, map[bool]string{true: "threshold was crossed", false: "thresholds were crossed"}[c.Crossed == 1])
		}
		return nil
	}
}

// usageWrap makes any error a usage error (exit status 2).
func usageWrap(err error) error {
	var u *usageError
	if errors.As(err, &u) {
		return err
	}
	return usagef("%v", err)
}
