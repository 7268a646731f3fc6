package binance

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Errors callers may branch on with errors.Is.
var (
	// ErrChecksum: a downloaded zip does not match its .CHECKSUM.
	ErrChecksum = errors.New("binance: checksum mismatch")
	// ErrNoData: the archive has no klines for a symbol in the range.
	ErrNoData = errors.New("binance: no data")
)

// errNotFound is an archive answer of 404: the file does not exist.
var errNotFound = errors.New("not in the archive")

// DefaultBaseURL is the public archive.
const DefaultBaseURL = "https://data.binance.vision"

// downloader gets archive files into the cache.
type downloader struct {
	base     string
	cache    string
	client   *http.Client
	attempts int
	backoff  time.Duration
	today    time.Time

	bytes      atomic.Int64 // bytes of zips downloaded
	downloaded atomic.Int64 // zips downloaded
	requests   atomic.Int64

	cleaned sync.Map // directories whose stale temporary files were removed
}

// cached is one verified zip in the cache.
type cached struct {
	zip    string // path in the cache
	sha256 string
	fresh  bool // downloaded by this fetch
}

// staleTemp is how old a temporary download must be before another fetch
// removes it: older than any download in progress could be.
const staleTemp = time.Hour

// tempPattern names temporary downloads: hidden, beside the final name.
func tempPattern(final string) string { return "." + filepath.Base(final) + ".part-*" }

// get returns f from the cache, downloading and verifying it when absent
// (or damaged). It returns errNotFound when the archive has no such file.
func (d *downloader) get(ctx context.Context, f archiveFile) (cached, error) {
	zipPath := filepath.Join(d.cache, filepath.FromSlash(f.path()))
	sumPath := zipPath + ".CHECKSUM"
	missPath := zipPath + ".missing"
	if want, err := readChecksum(sumPath, filepath.Base(zipPath)); err == nil {
		if got, err := fileSHA256(zipPath); err == nil && got == want {
			return cached{zip: zipPath, sha256: want}, nil
		}
		// A damaged or partial cache entry: fetch it again.
		os.Remove(zipPath)
		os.Remove(sumPath)
	}
	if _, err := os.Stat(missPath); err == nil {
		return cached{}, errNotFound
	}
	dir := filepath.Dir(zipPath)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return cached{}, err
	}
	d.removeStale(dir)

	url := strings.TrimSuffix(d.base, "/") + "/" + f.path()
	var sumText bytes.Buffer
	if _, _, err := d.fetch(ctx, url+".CHECKSUM", &sumText, nil); err != nil {
		if errors.Is(err, errNotFound) && d.today.Sub(f.period.end()) > RecentMonthDays*24*time.Hour {
			// Old periods never appear later: remember the answer.
			writeAtomic(missPath, nil)
		}
		return cached{}, err
	}
	want, err := parseChecksum(sumText.Bytes(), filepath.Base(zipPath))
	if err != nil {
		return cached{}, fmt.Errorf("binance: %s.CHECKSUM: %w", url, err)
	}
	tmp, err := os.CreateTemp(dir, tempPattern(zipPath))
	if err != nil {
		return cached{}, err
	}
	defer os.Remove(tmp.Name()) // no-op once renamed
	h := sha256.New()
	n, _, err := d.fetch(ctx, url, tmp, h)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		if errors.Is(err, errNotFound) {
			return cached{}, fmt.Errorf("binance: %s: the archive has its .CHECKSUM but not the zip (404); try again later or another --base-url", url)
		}
		return cached{}, err
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != want {
		return cached{}, fmt.Errorf("%w: %s: the %d bytes downloaded have sha256 %s, its .CHECKSUM says %s; the download was removed: fetch again, or use another --base-url if it persists",
			ErrChecksum, url, n, got, want)
	}
	if err := writeAtomic(sumPath, sumText.Bytes()); err != nil {
		return cached{}, err
	}
	if err := os.Rename(tmp.Name(), zipPath); err != nil {
		return cached{}, err
	}
	d.bytes.Add(n)
	d.downloaded.Add(1)
	return cached{zip: zipPath, sha256: want, fresh: true}, nil
}

// fetch GETs url into w (and h), retrying timeouts, dropped connections,
// 429 and 5xx answers with exponential backoff. w must be a *os.File or a
// *bytes.Buffer, so a retry can start it over.
func (d *downloader) fetch(ctx context.Context, url string, w io.Writer, h hash.Hash) (int64, int, error) {
	var last error
	for attempt := range d.attempts {
		if attempt > 0 {
			wait := min(d.backoff<<(attempt-1), 30*time.Second)
			select {
			case <-ctx.Done():
				return 0, 0, ctx.Err()
			case <-time.After(wait):
			}
			if err := rewind(w); err != nil {
				return 0, 0, err
			}
			if h != nil {
				h.Reset()
			}
		}
		n, status, err := d.once(ctx, url, w, h)
		if err == nil || !retryable(err) || ctx.Err() != nil {
			if ctx.Err() != nil {
				return n, status, ctx.Err()
			}
			return n, status, err
		}
		last = err
	}
	return 0, 0, fmt.Errorf("binance: GET %s: gave up after %d attempts: %w", url, d.attempts, last)
}

// statusError is an HTTP answer other than 200 and 404.
type statusError struct {
	url    string
	status int
}

func (e *statusError) Error() string {
	return fmt.Sprintf("binance: GET %s: %d %s", e.url, e.status, http.StatusText(e.status))
}

func retryable(err error) bool {
	var se *statusError
	if errors.As(err, &se) {
		return se.status >= 500 || se.status == http.StatusTooManyRequests
	}
	return !errors.Is(err, errNotFound)
}

// once makes one request.
func (d *downloader) once(ctx context.Context, url string, w io.Writer, h hash.Hash) (int64, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, 0, err
	}
	d.requests.Add(1)
	resp, err := d.client.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound:
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return 0, resp.StatusCode, errNotFound
	case resp.StatusCode != http.StatusOK:
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return 0, resp.StatusCode, &statusError{url: url, status: resp.StatusCode}
	}
	dst := w
	if h != nil {
		dst = io.MultiWriter(w, h)
	}
	n, err := io.Copy(dst, resp.Body)
	if err != nil {
		return n, resp.StatusCode, fmt.Errorf("binance: GET %s: reading the body after %d bytes: %w", url, n, err)
	}
	return n, resp.StatusCode, nil
}

// rewind empties a retry's destination.
func rewind(w io.Writer) error {
	switch w := w.(type) {
	case *bytes.Buffer:
		w.Reset()
	case *os.File:
		if _, err := w.Seek(0, io.SeekStart); err != nil {
			return err
		}
		return w.Truncate(0)
	default:
		return fmt.Errorf("binance: cannot restart a download into %T", w)
	}
	return nil
}

// removeStale deletes temporary downloads that an earlier, killed fetch
// left in dir, once per directory.
func (d *downloader) removeStale(dir string) {
	if _, done := d.cleaned.LoadOrStore(dir, true); done {
		return
	}
	matches, _ := filepath.Glob(filepath.Join(dir, ".*.part-*"))
	for _, m := range matches {
		if st, err := os.Stat(m); err == nil && time.Since(st.ModTime()) > staleTemp {
			os.Remove(m)
		}
	}
}

// parseChecksum reads "<64 hex digits>  <name>"; the name, when given,
// must be the zip's.
func parseChecksum(b []byte, name string) (string, error) {
	fields := strings.Fields(string(b))
	if len(fields) == 0 || len(fields[0]) != 64 {
		return "", fmt.Errorf("want \"<sha256 hex>  %s\", got %q", name, clip(string(b)))
	}
	if _, err := hex.DecodeString(fields[0]); err != nil {
		return "", fmt.Errorf("want \"<sha256 hex>  %s\", got %q", name, clip(string(b)))
	}
	if len(fields) > 1 && strings.TrimPrefix(fields[1], "*") != name {
		return "", fmt.Errorf("names %q, want %q", fields[1], name)
	}
	return strings.ToLower(fields[0]), nil
}

func readChecksum(path, name string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	return parseChecksum(b, name)
}

func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// writeAtomic writes body to path by way of a temporary file and a rename.
func writeAtomic(path string, body []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), tempPattern(path))
	if err != nil {
		return err
	}
	_, werr := tmp.Write(body)
	if err := errors.Join(werr, tmp.Close()); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}
