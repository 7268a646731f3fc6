package binance

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/marginlab/marginlab/data"
)

// Venue is the venue preset the fetched data belongs to.
const Venue = "binance-usdm"

// Request says what to fetch.
type Request struct {
	// Symbols as Binance spells them: BTCUSDT, 1000PEPEUSDT.
	Symbols []string
	// Interval of the klines and mark-price klines, one of Intervals.
	Interval string
	// From and To are the first and last UTC days fetched, both included;
	// only their dates count.
	From, To time.Time
}

// Options configure Fetch. CacheDir and OutDir are required; every other
// zero value means the default.
type Options struct {
	BaseURL  string // archive root; "" is DefaultBaseURL
	CacheDir string // where zips are kept between fetches
	OutDir   string // where the Parquet files go (created if needed)
	Jobs     int    // downloads at once; 0 is 4
	Attempts int    // tries per request, the first included; 0 is 5
	// Backoff is the wait before the first retry, doubled before each
	// next one (at most 30 s); 0 is 1 s.
	Backoff time.Duration
	// Client makes the requests; nil is a client with a 5-minute timeout
	// per request whose transport honours the proxy environment variables.
	Client *http.Client
	// Now is the clock: it decides which periods the archive can have
	// published and stamps the output files' fetched_at. nil is time.Now.
	Now func() time.Time
	// Progress, when set, is called after each archive file is done, from
	// one goroutine at a time.
	Progress func(Progress)
}

// Progress reports a fetch's advance.
type Progress struct {
	Done, Total int // archive files handled and planned (Total grows when a recent month falls back to daily files)
	Cached      int // of Done: found in the cache
	Missing     int // of Done: not in the archive
	Bytes       int64
	Elapsed     time.Duration
}

// Output is one file Fetch wrote.
type Output struct {
	Path        string
	Symbol      string
	Kind        data.Kind
	Rows        int
	First, Last int64 // times of the first and last row, Unix ns
	Files       int   // archive files it was built from
}

// Result is what Fetch did.
type Result struct {
	Outputs []Output
	// Notes are facts the user should see: periods the archive does not
	// have, gaps, a range clipped to the published days.
	Notes []string
	// Archive files: planned in all, downloaded now, found in the cache,
	// not in the archive; bytes downloaded; HTTP requests made.
	Files, Downloaded, Cached, Missing int
	Bytes                              int64
	Requests                           int
}

var symbolRE = regexp.MustCompile(`^[A-Z0-9]{2,30}(_[0-9]{6})?$`)

// DefaultClient returns the client Fetch uses when Options.Client is nil:
// Go's default transport (which reads HTTPS_PROXY, HTTP_PROXY and
// NO_PROXY) with a 5-minute limit per request.
func DefaultClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = http.ProxyFromEnvironment
	tr.ResponseHeaderTimeout = 30 * time.Second
	return &http.Client{Transport: tr, Timeout: 5 * time.Minute}
}

func (o Options) withDefaults() Options {
	if o.BaseURL == "" {
		o.BaseURL = DefaultBaseURL
	}
	if o.Jobs <= 0 {
		o.Jobs = 4
	}
	if o.Attempts <= 0 {
		o.Attempts = 5
	}
	if o.Backoff <= 0 {
		o.Backoff = time.Second
	}
	if o.Client == nil {
		o.Client = DefaultClient()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Fetch downloads (or finds in the cache) every archive file the request
// needs, checks them, and writes per symbol SYMBOL-<interval>-candles,
// SYMBOL-<interval>-mark and SYMBOL-funding .parquet files into
// opt.OutDir (see OutputName), replacing files of those names. It writes
// nothing unless every symbol has klines in the range and every file
// checks out; the downloads are cached either way, so a rerun resumes.
func Fetch(ctx context.Context, req Request, opt Options) (*Result, error) {
	opt = opt.withDefaults()
	if err := checkRequest(req, opt); err != nil {
		return nil, err
	}
	now := opt.Now()
	today := dayStart(now)
	from, to := dayStart(req.From), dayStart(req.To)
	res := &Result{}
	if !to.Before(today) {
		to = today.AddDate(0, 0, -1)
		res.Notes = append(res.Notes, fmt.Sprintf("the range ends %s: the archive publishes a day after it ends", to.Format(time.DateOnly)))
	}
	if from.After(to) {
		return nil, fmt.Errorf("binance: nothing to fetch from %s: the archive has days up to %s (yesterday, UTC)", from.Format(time.DateOnly), to.Format(time.DateOnly))
	}
	var files []archiveFile
	for _, sym := range req.Symbols {
		for _, ds := range datasets {
			f, unpub := plan(ds, sym, req.Interval, from, to, today)
			files = append(files, f...)
			for _, m := range unpub {
				res.Notes = append(res.Notes, fmt.Sprintf("%s fundingRate: %s is not published yet (funding comes in monthly files, after the month ends)", sym, m))
			}
		}
	}
	d := &downloader{base: opt.BaseURL, cache: opt.CacheDir, client: opt.Client, attempts: opt.Attempts, backoff: opt.Backoff, today: today}
	r := &runner{d: d, jobs: opt.Jobs, progress: opt.Progress, start: time.Now(), total: len(files),
		from: from.UnixNano(), to: to.AddDate(0, 0, 1).UnixNano()}
	got, err := r.run(ctx, files)
	if err == nil {
		// Monthly files of recent months may not be published yet: their
		// daily files stand in.
		var extra []archiveFile
		for i := range got {
			if g := &got[i]; g.missing && g.file.dataset != FundingRate && recentMonth(g.file.period, today) {
				days := dailies(g.file.dataset, g.file.symbol, g.file.interval, g.file.period, from, to)
				extra = append(extra, days...)
				g.replaced = true
				res.Notes = append(res.Notes, fmt.Sprintf("%s %s: the monthly file of %s is not published yet; its daily files are used", g.file.symbol, g.file.dataset, g.file.period))
			}
		}
		if len(extra) > 0 {
			r.total += len(extra)
			more, err2 := r.run(ctx, extra)
			got, err = append(got, more...), err2
		}
	}
	res.Files, res.Downloaded, res.Cached, res.Missing = r.total, int(d.downloaded.Load()), r.cached, r.missing
	res.Bytes, res.Requests = d.bytes.Load(), int(d.requests.Load())
	if err != nil {
		return res, err
	}
	series, notes, err := assemble(got, req, from, to)
	res.Notes = append(res.Notes, notes...)
	if err != nil {
		return res, err
	}
	if err := os.MkdirAll(opt.OutDir, 0o755); err != nil {
		return res, err
	}
	written := map[string]bool{}
	for _, s := range series {
		out, err := s.write(opt.OutDir, opt.BaseURL, now)
		if err != nil {
			return res, err
		}
		res.Outputs = append(res.Outputs, out)
		written[out.Path] = true
	}
	// A file of a kind this fetch had no data for may be left from an
	// earlier fetch of another range: say so, rather than delete it.
	for _, sym := range req.Symbols {
		for _, ds := range datasets {
			p := filepath.Join(opt.OutDir, OutputName(sym, req.Interval, ds.Kind()))
			if _, err := os.Stat(p); err == nil && !written[p] {
				res.Notes = append(res.Notes, fmt.Sprintf("%s is left from an earlier fetch: this one has no %s data for %s; remove it if it should not be used", p, ds, sym))
			}
		}
	}
	return res, nil
}

func checkRequest(req Request, opt Options) error {
	var errs []error
	if len(req.Symbols) == 0 {
		errs = append(errs, errors.New("no symbols: want at least one, e.g. BTCUSDT"))
	}
	seen := map[string]bool{}
	for _, s := range req.Symbols {
		switch {
		case !symbolRE.MatchString(s):
			errs = append(errs, fmt.Errorf("symbol %q: want Binance's spelling, upper case without separators, e.g. BTCUSDT or 1000PEPEUSDT", s))
		case seen[s]:
			errs = append(errs, fmt.Errorf("symbol %s given twice", s))
		}
		seen[s] = true
	}
	if !slices.Contains(Intervals, req.Interval) {
		errs = append(errs, fmt.Errorf("interval %q: want one of %s", req.Interval, strings.Join(Intervals, ", ")))
	}
	if req.From.IsZero() || req.To.IsZero() {
		errs = append(errs, errors.New("the range needs both From and To"))
	} else if dayStart(req.From).After(dayStart(req.To)) {
		errs = append(errs, fmt.Errorf("the range starts %s, after its end %s", req.From.Format(time.DateOnly), req.To.Format(time.DateOnly)))
	}
	if opt.CacheDir == "" || opt.OutDir == "" {
		errs = append(errs, errors.New("Options.CacheDir and Options.OutDir are required"))
	}
	if len(errs) > 0 {
		return fmt.Errorf("binance: %w", errors.Join(errs...))
	}
	return nil
}
