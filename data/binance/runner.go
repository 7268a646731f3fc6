package binance

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/marginlab/marginlab/data"
)

// fileResult is one archive file's outcome.
type fileResult struct {
	file     archiveFile
	missing  bool // not in the archive
	replaced bool // a missing monthly file whose daily files were fetched
	chunk    *chunk
}

// runner downloads and parses files on a pool of goroutines.
type runner struct {
	d        *downloader
	jobs     int
	progress func(Progress)
	start    time.Time
	from, to int64 // rows kept: [from, to), Unix ns

	mu                           sync.Mutex
	total, done, cached, missing int
}

// run handles files, returning their results in the same order. A data
// problem (checksum, corrupt zip, bad CSV) is collected and the others go
// on, so one run reports them all and caches the good files; any other
// error (the network, the disk, a cancelled ctx) stops everything.
func (r *runner) run(parent context.Context, files []archiveFile) ([]fileResult, error) {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	out := make([]fileResult, len(files))
	next := make(chan int)
	var (
		wg       sync.WaitGroup
		errMu    sync.Mutex
		dataErrs []error
		fatal    error
	)
	for range min(r.jobs, len(files)) {
		wg.Go(func() {
			for i := range next {
				res, err := r.one(ctx, files[i])
				if err != nil {
					errMu.Lock()
					if isDataError(err) {
						dataErrs = append(dataErrs, err)
					} else if fatal == nil {
						fatal = err
						cancel()
					}
					errMu.Unlock()
					continue
				}
				out[i] = res
				r.report(res)
			}
		})
	}
feed:
	for i := range files {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	switch {
	case fatal != nil && !errors.Is(fatal, context.Canceled):
		return nil, fatal
	case parent.Err() != nil:
		return nil, parent.Err()
	case fatal != nil:
		return nil, fatal
	case len(dataErrs) > 0:
		sortErrors(dataErrs)
		return nil, errors.Join(dataErrs...)
	}
	return out, nil
}

func isDataError(err error) bool {
	var ie *data.InputError
	return errors.Is(err, ErrChecksum) || errors.As(err, &ie)
}

// sortErrors orders errors by message, so their report does not depend on
// which download finished first.
func sortErrors(errs []error) {
	slices.SortFunc(errs, func(a, b error) int { return strings.Compare(a.Error(), b.Error()) })
}

// one gets and parses one file.
func (r *runner) one(ctx context.Context, f archiveFile) (fileResult, error) {
	c, err := r.d.get(ctx, f)
	if errors.Is(err, errNotFound) {
		return fileResult{file: f, missing: true}, nil
	}
	if err != nil {
		return fileResult{}, err
	}
	ch := &chunk{file: f, zip: c.zip, sha256: c.sha256, fresh: c.fresh}
	if err := parseZip(ch, r.from, r.to); err != nil {
		var cz *corruptZip
		if errors.As(err, &cz) {
			// Verified against its checksum yet unreadable: the archive
			// itself is bad. Do not keep it.
			os.Remove(c.zip)
			os.Remove(c.zip + ".CHECKSUM")
			return fileResult{}, cz.err
		}
		return fileResult{}, err
	}
	return fileResult{file: f, chunk: ch}, ctx.Err()
}

func (r *runner) report(res fileResult) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.done++
	switch {
	case res.missing:
		r.missing++
	case !res.chunk.fresh:
		r.cached++
	}
	if r.progress != nil {
		r.progress(Progress{Done: r.done, Total: r.total, Cached: r.cached, Missing: r.missing,
			Bytes: r.d.bytes.Load(), Elapsed: time.Since(r.start)})
	}
}
