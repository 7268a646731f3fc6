package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/marginlab/marginlab/backtest"
	"github.com/marginlab/marginlab/backtest/runconfig"
	"github.com/marginlab/marginlab/backtest/sweep"
	"github.com/marginlab/marginlab/reports"
	"github.com/marginlab/marginlab/strategy"
)

var sweepCmd = &command{
	name:    "sweep",
	args:    "",
	summary: "run a grid of parameters × Monte Carlo paths, in parallel and in shards, into Parquet tables",
	about: `
Sweep runs a run configuration in which any parameter outside data may be a
list: the lists expand to the cartesian grid of cells, each with an id
derived from its parameter values. An optional section

  sweep: {sample: N, paths: N, block: B, seed: S}

draws N cells at random instead of the full grid, and runs every cell on N
Monte Carlo paths (path 0 is the real history; the others resample whole
bars in blocks of mean length B bars, the same blocks for every symbol).

The market is loaded once. Jobs (cell × path) run on --workers goroutines;
each finished job is saved in DIR/jobs, so a sweep that was interrupted
(Ctrl-C, a killed CI runner) resumes when the same command runs again.
When all are done, DIR holds runs.parquet (one row per cell × mode × path:
every swept parameter and every metric), liquidations.parquet, with
--trades trades.parquet, with --equity equity.parquet, and manifest.json,
and DIR/report holds the report 'marginlab report DIR' writes (unless
--no-report; its cell-over-time figure needs --equity). Each table is
written under a temporary name and they are renamed into place together,
so a failure (a full disk) leaves the previous ones. A sweep holds a lock
on DIR: a second sweep into DIR fails at once, naming the first.

Sharding: --shard K/N (0 ≤ K < N) runs cells K, K+N, K+2N, … in id order,
in its own DIR. Without --shard, --shards N with the environment variable
JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) picks K. 'marginlab merge'
joins the shards' directories into the tables one unsharded run writes.`,
	examples: []string{
		"marginlab sweep -c sweep.yaml --out results",
		"marginlab sweep -c sweep.yaml --out shard-3 --shard 3/8   # one of 8 CI jobs",
		"marginlab sweep -c sweep.yaml --out /results/shard --shards 8   # in a Kubernetes Indexed Job",
		"marginlab merge --out results shard-*",
	},
	setup: setupSweep,
}

// getenv is os.Getenv; tests replace it.
var getenv = os.Getenv

func setupSweep(flags *flag.FlagSet) runFunc {
	cfg := flags.String("c", "", "sweep configuration `FILE` (required)")
	flags.StringVar(cfg, "config", "", "same as -c")
	out := flags.String("out", "", "output `DIR` (required): tables, manifest, saved jobs")
	workers := flags.Int("workers", 0, "parallel jobs (default: all cores)")
	shardFlag := flags.String("shard", "", "run shard `K/N` of the cells (0 ≤ K < N)")
	shards := flags.Int("shards", 0, "number of shards `N`, with K from $JOB_COMPLETION_INDEX")
	trades := flags.Bool("trades", false, "also write trades.parquet (every fill)")
	equity := flags.Bool("equity", false, "also write equity.parquet (the series, every record_every bars)")
	noReport := flags.Bool("no-report", false, "do not write the report into OUT/report")
	return func(ctx context.Context, sio *stdio, args []string) error {
		if len(args) > 0 {
			return usagef("unexpected arguments %q", args)
		}
		if *cfg == "" || *out == "" {
			return usagef("-c FILE and --out DIR are required")
		}
		if *workers < 0 {
			return usagef("--workers %d: must not be negative", *workers)
		}
		shard, err := pickShard(*shardFlag, *shards)
		if err != nil {
			return err
		}
		src, err := os.ReadFile(*cfg)
		if errors.Is(err, fs.ErrNotExist) {
			return usagef("%v", err)
		}
		if err != nil {
			return err
		}
		plan, err := sweep.Expand(src, *cfg, checkStrategy)
		if err != nil {
			return configError(*cfg, err)
		}
		m, warns, err := plan.Cells[0].Config.Market(ctx)
		if err != nil {
			return err
		}
		for _, w := range warns {
			fmt.Fprintf(sio.errOut, "marginlab: warning: %v\n", w)
		}
		venueWarns, err := plan.VenueWarnings(m)
		if err != nil {
			return configError(*cfg, err)
		}
		for _, w := range venueWarns {
			fmt.Fprintf(sio.errOut, "marginlab: warning: %s\n", w)
		}
		owned := 0
		for k := range plan.Cells {
			if shard.Owns(k) {
				owned++
			}
		}
		if *equity {
			warnEquitySize(sio.errOut, plan, shard, len(m.Time))
		}
		fmt.Fprintf(sio.out, "sweep %.12s: %d of %d cells (shard %s) × %d paths × %d modes over %d bars × %d symbols\n",
			plan.Hash, owned, len(plan.Cells), shard, plan.Settings.Paths, len(plan.Cells[0].Config.Modes()), len(m.Time), len(m.Symbols))
		prog := newProgress(sio.errOut)
		opt := sweep.Options{Out: *out, Workers: *workers, Shard: shard, Trades: *trades, Equity: *equity, Version: version,
			Warnings: warningTexts(warns),
			NewStrategy: func(s runconfig.StrategySpec, seed uint64) (backtest.Strategy, error) {
				return strategy.New(s.Name, s.Params, seed)
			},
			NewSizer: func(s runconfig.SizingSpec) (backtest.Sizer, error) { return strategy.NewSizer(s.Kind, s.Params) },
			Progress: prog.update,
		}
		err = sweep.Run(ctx, plan, m, opt)
		prog.finish()
		if err != nil {
			return err
		}
		fmt.Fprintf(sio.out, "wrote %s: runs.parquet, liquidations.parquet%s%s, manifest.json\n", strings.TrimSuffix(*out, "/"),
			map[bool]string{true: ", trades.parquet"}[*trades], map[bool]string{true: ", equity.parquet"}[*equity])
		switch {
		case *noReport:
		case shard.N > 1:
			fmt.Fprintf(sio.out, "This is one shard: 'marginlab merge' writes the report of the whole sweep.\n")
		default:
			return sweepReport(sio, *out)
		}
		return nil
	}
}

// equityWarnRows is the size of equity table past which sweep warns:
// about 270 MB at the 27 bytes a row real sweeps compress to.
const equityWarnRows = 10_000_000

// warnEquitySize warns when --equity would write a very large table: one
// row per recorded bar of every run, record_every thinning the bars.
func warnEquitySize(w io.Writer, plan *sweep.Plan, shard sweep.Shard, bars int) {
	rows, every := 0, map[int]bool{}
	for k, c := range plan.Cells {
		if shard.Owns(k) {
			e := max(c.Config.RecordEvery, 1)
			every[e] = true
			rows += plan.Settings.Paths * len(c.Config.Modes()) * ((bars + e - 1) / e)
		}
	}
	if rows <= equityWarnRows {
		return
	}
	var list []string
	for e := range every {
		list = append(list, strconv.Itoa(e))
	}
	slices.Sort(list)
	fmt.Fprintf(w, "%s: warning: --equity will write about %d million rows (roughly %d MB) to equity.parquet; "+
		"record_every (%s) keeps every n-th bar: raise it to thin the series\n",
		programName, rows/1_000_000, rows*27/1_000_000, strings.Join(list, ", "))
}

// pickShard reads --shard, or --shards with $JOB_COMPLETION_INDEX.
func pickShard(flagValue string, shards int) (sweep.Shard, error) {
	switch {
	case flagValue != "":
		s, err := sweep.ParseShard(flagValue)
		if err != nil {
			return s, usagef("--shard: %v", err)
		}
		if shards != 0 && shards != s.N {
			return s, usagef("--shard %s and --shards %d disagree", flagValue, shards)
		}
		return s, nil
	case shards > 0:
		idx := getenv("JOB_COMPLETION_INDEX")
		if idx == "" {
			return sweep.Shard{}, usagef("--shards %d needs --shard K/N or the environment variable JOB_COMPLETION_INDEX", shards)
		}
		k, err := strconv.Atoi(idx)
		if err != nil || k < 0 || k >= shards {
			return sweep.Shard{}, usagef("JOB_COMPLETION_INDEX=%q: want an integer in [0, %d)", idx, shards)
		}
		return sweep.Shard{K: k, N: shards}, nil
	case shards < 0:
		return sweep.Shard{}, usagef("--shards %d: must be positive", shards)
	}
	return sweep.Shard{N: 1}, nil
}

var mergeCmd = &command{
	name:    "merge",
	args:    "SHARD_DIR...",
	summary: "join the output directories of a sweep's shards into one set of tables",
	about: `
Merge checks that the shard directories hold one sweep (the same
configuration hash and table options, every shard complete) and that
together they hold every cell exactly once, then writes into --out the
tables an unsharded run writes, byte for byte, and a manifest, and the
whole sweep's report into DIR/report (unless --no-report). A missing,
duplicated or foreign shard is an error naming the directories and cells.

DIR is written beside itself and replaced as a whole once complete: a
failed merge leaves it as it was, and DIR may hold only what merge
writes. A second merge into DIR while one runs fails at once, naming it.`,
	examples: []string{
		"marginlab merge --out results shard-0 shard-1 shard-2",
		"marginlab merge --out results shards/*",
	},
	setup: setupMerge,
}

func setupMerge(fs *flag.FlagSet) runFunc {
	out := fs.String("out", "", "output `DIR` (required)")
	noReport := fs.Bool("no-report", false, "do not write the report into DIR/report")
	return func(ctx context.Context, sio *stdio, args []string) error {
		if *out == "" || len(args) == 0 {
			return usagef("--out DIR and at least one SHARD_DIR are required")
		}
		d, err := replaceOut("--out", *out, sweep.MergedEntry)
		if err != nil {
			return err
		}
		defer d.Abort()
		err = sweep.MergeInto(d.Path(), args)
		if err == nil && !*noReport {
			var res *sweep.Results
			if res, err = sweep.ReadResults(d.Path()); err == nil {
				err = stageReport(sio.errOut, d.Path(), res, reports.DirEquity(d.Path(), res))
			}
		}
		if err != nil {
			return d.Fail(err)
		}
		if err := d.Commit(); err != nil {
			return err
		}
		fmt.Fprintf(sio.out, "merged %d shards into %s\n", len(args), *out)
		if !*noReport {
			reportNote(sio.out, *out)
		}
		return nil
	}
}

// progress renders sweep progress: a live line on a terminal, a plain
// line every few seconds otherwise (CI logs).
type progress struct {
	w        io.Writer
	terminal bool
	last     time.Time
	shown    bool
	p        sweep.Progress
}

// progressEvery is the interval of plain progress lines.
var progressEvery = 5 * time.Second

func newProgress(w io.Writer) *progress {
	return &progress{w: w, terminal: isTerminal(w)}
}

func (pr *progress) update(p sweep.Progress) {
	pr.p = p
	now := time.Now()
	if pr.terminal {
		if now.Sub(pr.last) < 100*time.Millisecond && p.Done < p.Total {
			return
		}
		pr.last = now
		fmt.Fprintf(pr.w, "\r%s", pr.line())
		pr.shown = true
		return
	}
	if pr.last.IsZero() {
		pr.last = now
	}
	if now.Sub(pr.last) >= progressEvery {
		pr.last = now
		fmt.Fprintln(pr.w, pr.line())
	}
}

func (pr *progress) line() string {
	p := pr.p
	const width = 24
	frac := 0.0
	if p.Total > 0 {
		frac = float64(p.Done) / float64(p.Total)
	}
	bar := strings.Repeat("=", int(frac*width)) + strings.Repeat(" ", width-int(frac*width))
	eta := "?"
	if run := p.Done - p.Resumed; run > 0 {
		left := time.Duration(float64(p.Elapsed) / float64(run) * float64(p.Total-p.Done))
		eta = left.Round(time.Second).String()
	}
	rate := 0.0
	if s := p.Elapsed.Seconds(); s > 0 {
		rate = float64(p.BarSteps) / s
	}
	return fmt.Sprintf("[%s] %d/%d jobs  elapsed %s  ETA %s  %.1fM bar-steps/s", bar, p.Done, p.Total,
		p.Elapsed.Round(time.Second), eta, rate/1e6)
}

func (pr *progress) finish() {
	if pr.terminal && pr.shown {
		fmt.Fprintln(pr.w)
	}
}

// version names the build in manifests: the module version, or "devel"
// with the VCS revision when built from a checkout.
var version = func() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "marginlab (unknown build)"
	}
	v := bi.Main.Version
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += " " + s.Value[:12]
		}
	}
	return "marginlab " + v
}()
