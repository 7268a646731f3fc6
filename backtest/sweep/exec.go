package sweep

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/marginlab/marginlab/backtest"
	"github.com/marginlab/marginlab/backtest/runconfig"
	"github.com/marginlab/marginlab/data"
	"github.com/marginlab/marginlab/data/publish"
)

// Shard selects a deterministic subset of a plan's cells: cell i (in ID
// order) belongs to shard i mod N. K counts from 0, as Kubernetes'
// JOB_COMPLETION_INDEX does.
type Shard struct{ K, N int }

// ParseShard parses "K/N" with 0 ≤ K < N.
func ParseShard(s string) (Shard, error) {
	ks, ns, ok := strings.Cut(s, "/")
	k, err1 := strconv.Atoi(ks)
	n, err2 := strconv.Atoi(ns)
	if !ok || err1 != nil || err2 != nil || n < 1 || k < 0 || k >= n {
		return Shard{}, fmt.Errorf("sweep: bad shard %q: want K/N with 0 ≤ K < N, e.g. 0/4", s)
	}
	return Shard{K: k, N: n}, nil
}

func (s Shard) String() string {
	if s.N <= 1 {
		return "0/1"
	}
	return fmt.Sprintf("%d/%d", s.K, s.N)
}

// Owns says whether cell i (in id order) belongs to the shard.
func (s Shard) Owns(i int) bool { return s.N <= 1 || i%s.N == s.K }

// Options configure Run.
type Options struct {
	Out     string // output directory, created if needed
	Workers int    // parallel jobs; 0 means GOMAXPROCS
	Shard   Shard
	Trades  bool // also write trades.parquet (every fill)
	Equity  bool // also write equity.parquet (the downsampled series)
	Version string
	// Warnings are the market's warnings (runconfig's File.Market returns
	// them), recorded in the manifest so that the report shows them.
	Warnings []string
	// NewStrategy and NewSizer build a cell's strategy and sizer (package
	// strategy provides them; backtest packages cannot import it).
	NewStrategy func(spec runconfig.StrategySpec, seed uint64) (backtest.Strategy, error)
	NewSizer    func(spec runconfig.SizingSpec) (backtest.Sizer, error)
	// Progress, if set, is called after every finished job (from one
	// goroutine at a time).
	Progress func(Progress)
}

// Progress reports a sweep's advance.
type Progress struct {
	Done, Total int // jobs (cell × path) finished, including resumed ones
	Resumed     int // jobs found finished by an earlier run
	BarSteps    int64
	Elapsed     time.Duration
}

// job is one cell on one Monte Carlo path.
type job struct {
	cell int // index into Plan.Cells
	path int
}

// jobResult is what a job persists: every mode's run.
type jobResult struct {
	Cell   string
	Params []Param
	Path   int
	Runs   []modeRun
}

type modeRun struct {
	Mode         string
	MarkSource   string
	Metrics      backtest.Metrics
	Liquidations []backtest.LiquidationRecord
	Fills        []backtest.FillRecord // with Options.Trades
	Series       backtest.Series       // with Options.Equity
}

// ErrInterrupted is returned when the context is cancelled: finished jobs
// are kept, and running the same sweep again resumes.
var ErrInterrupted = errors.New("sweep: interrupted; run the same command again to resume")

// Run executes the shard's jobs of plan over market m (loaded once, shared
// read-only), persisting each finished job, then writes the tables and the
// manifest. Jobs finished by an earlier run of the same plan in opt.Out are
// not run again.
//
// Run holds opt.Out's lock (publish.LockDir) throughout: a second sweep
// into the same directory fails at once with an error naming the process
// that holds it. Holding it, Run removes the temporary tables and manifest
// a killed run left.
func Run(ctx context.Context, plan *Plan, m *data.Market, opt Options) error {
	if opt.NewStrategy == nil || opt.NewSizer == nil {
		return errors.New("sweep: Options.NewStrategy and NewSizer are required")
	}
	lock, err := publish.LockDir(opt.Out)
	if err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	defer lock.Unlock()
	for _, name := range append(slices.Clone(tableNames), manifestName) {
		if err := publish.CleanTemps(filepath.Join(opt.Out, name)); err != nil {
			return fmt.Errorf("sweep: %w", err)
		}
	}
	if err := os.MkdirAll(filepath.Join(opt.Out, "jobs"), 0o755); err != nil {
		return err
	}
	// The manifest keeps the market's warnings and the venue's (symbols on
	// stand-in bracket tables): both qualify every result.
	vw, err := plan.VenueWarnings(m)
	if err != nil {
		return err
	}
	opt.Warnings = append(slices.Clone(opt.Warnings), vw...)
	man, err := openManifest(opt.Out, plan, opt)
	if err != nil {
		return err
	}
	var jobs []job
	for p := range plan.Settings.Paths {
		for c := range plan.Cells {
			if opt.Shard.Owns(c) {
				jobs = append(jobs, job{cell: c, path: p})
			}
		}
	}
	done0, err := scanJobs(opt.Out)
	if err != nil {
		return err
	}
	todo := jobs[:0:0]
	resumed := 0
	for _, j := range jobs {
		if _, ok := done0[jobKey{plan.Cells[j.cell].ID, j.path}]; ok {
			resumed++
			continue
		}
		todo = append(todo, j)
	}
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	start := time.Now()
	var (
		mu       sync.Mutex // guards progress reporting and firstErr
		firstErr error
		done     = resumed
		barSteps atomic.Int64
	)
	paths := newPathCache(m, plan.Settings, todo)
	next := atomic.Int64{}
	var wg sync.WaitGroup
	for w := range min(workers, max(len(todo), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var log *jobWriter           // opened with the first job, so idle workers leave no file
			var intents backtest.Intents // reused from job to job
			var err error                // this worker's: Run's own err is shared by every worker
			defer func() {
				if log != nil {
					log.close()
				}
			}()
			for {
				if ctx.Err() != nil {
					return
				}
				k := int(next.Add(1) - 1)
				if k >= len(todo) {
					return
				}
				j := todo[k]
				var steps int64
				if log == nil {
					log, err = newJobWriter(opt.Out, w)
				}
				if err == nil {
					steps, err = runJob(plan, j, paths, opt, log, &intents)
				}
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				barSteps.Add(steps)
				done++
				if opt.Progress != nil {
					opt.Progress(Progress{Done: done, Total: len(jobs), Resumed: resumed, BarSteps: barSteps.Load(), Elapsed: time.Since(start)})
				}
				mu.Unlock()
				if err != nil {
					return
				}
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	man.JobsDone = done
	if ctx.Err() != nil {
		if err := man.write(opt.Out); err != nil {
			return err
		}
		return ErrInterrupted
	}
	index, err := scanJobs(opt.Out)
	if err != nil {
		return err
	}
	refs := make([]jobRef, 0, len(jobs))
	for _, j := range jobs {
		ref, ok := index[jobKey{plan.Cells[j.cell].ID, j.path}]
		if !ok {
			return fmt.Errorf("sweep: job cell %s path %d finished but its record is missing from %s", plan.Cells[j.cell].ID, j.path, opt.Out)
		}
		refs = append(refs, ref)
	}
	if err := writeTables(opt.Out, plan.Axes, refs, opt.Trades, opt.Equity); err != nil {
		return err
	}
	man.Complete = true
	return man.write(opt.Out)
}

// runJob runs one cell on one path and persists the result atomically.
func runJob(plan *Plan, j job, paths *pathCache, opt Options, log *jobWriter, intents *backtest.Intents) (int64, error) {
	cell := plan.Cells[j.cell]
	m, err := paths.get(j.path)
	defer paths.release(j.path)
	if err != nil {
		return 0, err
	}
	f := cell.Config
	strat, err := opt.NewStrategy(f.Strategy, f.Seed)
	if err != nil {
		return 0, fmt.Errorf("sweep: cell %s (%s): %w", cell.ID, describe(cell.Params), err)
	}
	sizer, err := opt.NewSizer(f.Sizing)
	if err != nil {
		return 0, fmt.Errorf("sweep: cell %s (%s): %w", cell.ID, describe(cell.Params), err)
	}
	v, err := f.Venue()
	if err != nil {
		return 0, fmt.Errorf("sweep: cell %s: %w", cell.ID, err)
	}
	modes := f.Modes()
	cfg := f.Engine(v, sizer)
	cfg.NoFills, cfg.NoSeries = !opt.Trades, !opt.Equity
	res, err := backtest.Run(m, backtest.DecideInto(intents, m, strat), cfg, modes...)
	if err != nil {
		return 0, fmt.Errorf("sweep: cell %s (%s): %w", cell.ID, describe(cell.Params), err)
	}
	out := jobResult{Cell: cell.ID, Params: cell.Params, Path: j.path}
	for _, r := range res {
		if r.JournalError != "" {
			return 0, fmt.Errorf("sweep: cell %s path %d %s: %s", cell.ID, j.path, r.Mode, r.JournalError)
		}
		mr := modeRun{Mode: r.Mode, MarkSource: r.MarkSource, Metrics: r.Metrics, Liquidations: r.Liquidations}
		if opt.Trades {
			mr.Fills = r.Fills
		}
		if opt.Equity {
			mr.Series = r.Series
		}
		out.Runs = append(out.Runs, mr)
	}
	if err := log.append(&out); err != nil {
		msg := ""
		if publish.DiskFull(err) {
			msg = " (the disk is full: free some space, then run the same command again to resume)"
		}
		return 0, fmt.Errorf("sweep: saving the result of cell %s path %d: %w%s", cell.ID, j.path, err, msg)
	}
	return int64(len(m.Time) * len(m.Symbols) * len(modes)), nil
}

// pathCache builds each Monte Carlo path's market once and drops it when
// its last job is done. Jobs run path by path, so few are alive at once.
type pathCache struct {
	base     *data.Market
	settings Settings
	mu       sync.Mutex
	entries  map[int]*pathEntry
	left     map[int]int // jobs not yet released, per path
}

type pathEntry struct {
	once sync.Once
	m    *data.Market
	err  error
}

func newPathCache(m *data.Market, s Settings, jobs []job) *pathCache {
	c := &pathCache{base: m, settings: s, entries: map[int]*pathEntry{}, left: map[int]int{}}
	for _, j := range jobs {
		c.left[j.path]++
	}
	return c
}

func (c *pathCache) get(path int) (*data.Market, error) {
	c.mu.Lock()
	e := c.entries[path]
	if e == nil {
		e = &pathEntry{}
		c.entries[path] = e
	}
	c.mu.Unlock()
	e.once.Do(func() {
		e.m, e.err = data.Bootstrap(c.base, path, data.BootstrapConfig{Block: c.settings.Block, Seed: c.settings.Seed})
	})
	return e.m, e.err
}

func (c *pathCache) release(path int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.left[path]--; c.left[path] <= 0 {
		delete(c.entries, path)
	}
}
