package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/marginlab/marginlab/data"
	"github.com/marginlab/marginlab/data/binance"
)

var dataFetchCmd = &command{
	name:    "data fetch",
	args:    "binance-usdm",
	summary: "download real history from Binance's public archive into Parquet",
	about: `
Fetch downloads Binance's public USDⓈ-M futures archive
(data.binance.vision) for each symbol: trade klines and mark-price klines at
--timeframe, and funding rates. Every zip is checked against the SHA-256
the archive publishes beside it, and kept in --cache, so fetching the same
range again downloads nothing and an interrupted fetch (Ctrl-C, a lost
connection) resumes where it stopped when run again. Whole months come as
monthly files, other days as daily files; funding comes in monthly files
only and is cut to the range.

--from and --to take a month (2023-01) or a day (2023-01-15), UTC, and are
both inclusive: --from 2023-01 --to 2024-06 is the 18 months from
2023-01-01 to 2024-06-30. --to defaults to yesterday, the last day the
archive can have.

For each symbol it writes to DIR, replacing files of those names:

  DIR/<SYMBOL>-<tf>-candles.parquet   trade candles
  DIR/<SYMBOL>-<tf>-mark.parquet      mark-price candles
  DIR/<SYMBOL>-funding.parquet        funding rates

each validated as 'data inspect' validates (sorted, no duplicates, OHLC
consistent), with the symbol, venue, source files, their checksums and the
fetch time in the file's key-value metadata. 'marginlab init --data DIR'
writes a run configuration that uses them. Periods the archive does not
have (before a symbol was listed, or missing) and gaps are reported; a
symbol with no data in the range is an error, and then nothing is written.

Downloads honour HTTPS_PROXY; a failed request (timeout, 5xx) is retried
with exponential backoff, a 404 means the archive has no such file.`,
	examples: []string{
		"marginlab data fetch binance-usdm --symbols BTCUSDT,ETHUSDT --timeframe 5m --from 2023-01 --to 2024-06 --out market",
		"marginlab data fetch binance-usdm --symbols SOLUSDT --timeframe 1m --from 2024-03-01 --out sol",
		"marginlab init --data market && marginlab run -c marginlab.yaml",
	},
	setup: setupDataFetch,
}

func setupDataFetch(fs *flag.FlagSet) runFunc {
	symbols := fs.String("symbols", "", "comma-separated `SYMBOLS` as Binance spells them, e.g. BTCUSDT,ETHUSDT (required)")
	tf := fs.String("timeframe", "1h", "kline `TIMEFRAME`: "+strings.Join(binance.Intervals, ", "))
	fromFlag := fs.String("from", "", "first `MONTH|DAY` fetched, 2023-01 or 2023-01-15 (UTC; required)")
	toFlag := fs.String("to", "", "last `MONTH|DAY` fetched, inclusive: 2024-06 ends on 2024-06-30;\nempty is yesterday (UTC)")
	out := fs.String("out", "", "`DIR` to write the Parquet files to (required; created if needed)")
	cache := fs.String("cache", "", "`DIR` keeping the downloaded zips; empty is marginlab/binance in\nthe user cache directory (e.g. ~/.cache/marginlab/binance)")
	base := fs.String("base-url", binance.DefaultBaseURL, "archive `URL`, for a mirror")
	jobs := fs.Int("jobs", 4, "`N` downloads at once")
	return func(ctx context.Context, sio *stdio, args []string) error {
		if len(args) != 1 || args[0] != binance.Venue {
			return usagef("want the source binance-usdm (Binance's USDⓈ-M archive, the only one supported), got %q", args)
		}
		req, err := fetchRequest(*symbols, *tf, *fromFlag, *toFlag)
		if err != nil {
			return err
		}
		if *out == "" {
			return usagef("--out DIR is required")
		}
		if *jobs < 1 || *jobs > 64 {
			return usagef("--jobs %d: want 1 to 64", *jobs)
		}
		if *cache == "" {
			dir, err := os.UserCacheDir()
			if err != nil {
				return usagef("no user cache directory (%v): give --cache DIR", err)
			}
			*cache = filepath.Join(dir, "marginlab", "binance")
		}
		prog := newFetchProgress(sio.errOut)
		opt := binance.Options{BaseURL: *base, CacheDir: *cache, OutDir: *out, Jobs: *jobs, Client: fetchClient, Now: fetchNow,
			Progress: prog.update}
		res, err := binance.Fetch(ctx, req, opt)
		prog.finish()
		if res != nil {
			for _, n := range res.Notes {
				fmt.Fprintf(sio.errOut, "%s: note: %s\n", programName, n)
			}
		}
		if errors.Is(err, context.Canceled) && res != nil {
			fmt.Fprintf(sio.errOut, "%s: %d of %d archive files are in the cache: run the same command again to resume\n",
				programName, res.Downloaded+res.Cached, res.Files)
		}
		if err != nil {
			return err
		}
		for _, o := range res.Outputs {
			fmt.Fprintf(sio.out, "wrote %s: %d rows of %s, %s to %s, from %d archive files\n", o.Path, o.Rows, o.Kind,
				shortTime(o.First), shortTime(o.Last), o.Files)
		}
		fmt.Fprintf(sio.out, "%d archive files: %d downloaded (%s), %d from the cache (%s), %d not in the archive\n",
			res.Files, res.Downloaded, fmtBytes(res.Bytes), res.Cached, *cache, res.Missing)
		fmt.Fprintf(sio.out, "Next: marginlab init --data %s\n", *out)
		return nil
	}
}

// fetchClient and fetchNow are the HTTP client and clock of data fetch;
// nil uses binance's defaults. Tests replace them.
var (
	fetchClient = binance.DefaultClient()
	fetchNow    func() time.Time
)

// fetchRequest checks the flags and builds the request.
func fetchRequest(symbols, tf, from, to string) (binance.Request, error) {
	var req binance.Request
	for _, s := range strings.Split(symbols, ",") {
		if s = strings.TrimSpace(s); s != "" {
			req.Symbols = append(req.Symbols, strings.ToUpper(s))
		}
	}
	if len(req.Symbols) == 0 {
		return req, usagef("--symbols is required, e.g. --symbols BTCUSDT,ETHUSDT")
	}
	d, err := data.ParseTimeframe(tf)
	if err != nil {
		return req, usagef("--timeframe %q: want one of %s", tf, strings.Join(binance.Intervals, ", "))
	}
	req.Interval = data.FormatTimeframe(d)
	if !slices.Contains(binance.Intervals, req.Interval) {
		return req, usagef("--timeframe %s: the archive has %s", tf, strings.Join(binance.Intervals, ", "))
	}
	if from == "" {
		return req, usagef("--from is required: a month (2023-01) or a day (2023-01-15)")
	}
	if req.From, err = parseRangeDay(from, false); err != nil {
		return req, usagef("--from %q: %v", from, err)
	}
	if to == "" {
		now := time.Now()
		if fetchNow != nil {
			now = fetchNow()
		}
		req.To = now.UTC().AddDate(0, 0, -1)
	} else if req.To, err = parseRangeDay(to, true); err != nil {
		return req, usagef("--to %q: %v", to, err)
	}
	if req.To.Before(req.From) {
		return req, usagef("--to %s is before --from %s", to, from)
	}
	return req, nil
}

// parseRangeDay reads a month (its first day, or with last its last day)
// or a day.
func parseRangeDay(s string, last bool) (time.Time, error) {
	if t, err := time.Parse("2006-01", s); err == nil {
		if last {
			return t.AddDate(0, 1, -1), nil
		}
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("want a month (2023-01) or a day (2023-01-15)")
}

func fmtBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// fetchProgress renders a fetch's progress: a live bar on a terminal, a
// plain line every progressEvery otherwise (logs, tests).
type fetchProgress struct {
	w        io.Writer
	terminal bool
	last     time.Time
	shown    bool
}

func newFetchProgress(w io.Writer) *fetchProgress {
	return &fetchProgress{w: w, terminal: isTerminal(w)}
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func (pr *fetchProgress) update(p binance.Progress) {
	now := time.Now()
	if pr.terminal {
		if now.Sub(pr.last) < 100*time.Millisecond && p.Done < p.Total {
			return
		}
		pr.last = now
		fmt.Fprintf(pr.w, "\r%s\x1b[K", fetchLine(p))
		pr.shown = true
		return
	}
	if pr.last.IsZero() {
		pr.last = now
	}
	if now.Sub(pr.last) >= progressEvery {
		pr.last = now
		fmt.Fprintf(pr.w, "%s: fetch: %s\n", programName, fetchLine(p))
	}
}

// fetchLine is one progress line: bar, files, bytes, ETA.
func fetchLine(p binance.Progress) string {
	const width = 24
	frac := 0.0
	if p.Total > 0 {
		frac = min(float64(p.Done)/float64(p.Total), 1)
	}
	n := int(frac * width)
	eta := "?"
	if p.Done > 0 {
		eta = (time.Duration(float64(p.Elapsed) / float64(p.Done) * float64(p.Total-p.Done))).Round(time.Second).String()
	}
	return fmt.Sprintf("[%s%s] %d/%d files  %s downloaded  %d cached  %d not in the archive  ETA %s",
		strings.Repeat("=", n), strings.Repeat(" ", width-n), p.Done, p.Total, fmtBytes(p.Bytes), p.Cached, p.Missing, eta)
}

func (pr *fetchProgress) finish() {
	if pr.terminal && pr.shown {
		fmt.Fprintln(pr.w)
	}
}
