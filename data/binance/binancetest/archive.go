package binancetest

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Archive is a running fake archive. URL is its base URL.
type Archive struct {
	URL string

	mu       sync.Mutex
	files    map[string][]byte // path without the leading slash → body
	requests map[string]int
	fail     map[string]int // path → 500 answers still to give
	cut      map[string]int // path → answers still to cut short
	stall    map[string]int // path → answers still to stall: send half, then wait for the client to go
}

// NewArchive starts an empty archive, closed when the test ends.
func NewArchive(t testing.TB) *Archive {
	a := &Archive{files: map[string][]byte{}, requests: map[string]int{}, fail: map[string]int{}, cut: map[string]int{}, stall: map[string]int{}}
	srv := httptest.NewServer(http.HandlerFunc(a.serve))
	t.Cleanup(srv.Close)
	a.URL = srv.URL
	return a
}

func (a *Archive) serve(w http.ResponseWriter, r *http.Request) {
	p := strings.TrimPrefix(r.URL.Path, "/")
	a.mu.Lock()
	a.requests[p]++
	body, ok := a.files[p]
	fail := a.fail[p] > 0
	if fail {
		a.fail[p]--
	}
	cut := a.cut[p] > 0
	if cut {
		a.cut[p]--
	}
	stall := a.stall[p] > 0
	if stall {
		a.stall[p]--
	}
	a.mu.Unlock()
	switch {
	case fail:
		http.Error(w, "internal error", http.StatusInternalServerError)
	case !ok:
		http.NotFound(w, r)
	case cut || stall:
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Write(body[:len(body)/2])
		w.(http.Flusher).Flush()
		if stall {
			<-r.Context().Done()
		}
		// Returning with the body short of its Content-Length makes the
		// server drop the connection: the client reads an unexpected EOF.
	default:
		w.Write(body)
	}
}

// Requests returns the number of requests served so far.
func (a *Archive) Requests() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	n := 0
	for _, c := range a.requests {
		n += c
	}
	return n
}

// RequestsFor returns the requests for one path (no leading slash).
func (a *Archive) RequestsFor(path string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.requests[path]
}

// Fail makes the next n requests for path answer 500.
func (a *Archive) Fail(path string, n int) { a.set(func() { a.fail[path] = n }) }

// Cut makes the next n answers for path stop halfway through the body.
func (a *Archive) Cut(path string, n int) { a.set(func() { a.cut[path] = n }) }

// Stall makes the next n answers for path send half the body, then wait
// until the client gives up (a timeout, a cancelled fetch).
func (a *Archive) Stall(path string, n int) { a.set(func() { a.stall[path] = n }) }

func (a *Archive) set(f func()) {
	a.mu.Lock()
	defer a.mu.Unlock()
	f()
}

// Body returns the zip served at path, nil if none.
func (a *Archive) Body(path string) []byte {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.files[path]
}

// Put serves a zip holding one CSV, named after the zip, with its
// .CHECKSUM.
func (a *Archive) Put(zipPath, csvText string) {
	z := Zip(strings.TrimSuffix(path.Base(zipPath), ".zip")+".csv", csvText)
	a.PutRaw(zipPath, z, z)
}

// PutRaw serves body at zipPath and, at zipPath.CHECKSUM, the sha256 of
// sumOf: pass other bytes for a wrong checksum.
func (a *Archive) PutRaw(zipPath string, body, sumOf []byte) {
	sum := sha256.Sum256(sumOf)
	a.mu.Lock()
	defer a.mu.Unlock()
	a.files[zipPath] = body
	a.files[zipPath+".CHECKSUM"] = []byte(hex.EncodeToString(sum[:]) + "  " + path.Base(zipPath) + "\n")
}

// Remove stops serving zipPath and its checksum.
func (a *Archive) Remove(zipPath string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.files, zipPath)
	delete(a.files, zipPath+".CHECKSUM")
}

// Zip returns a zip holding one file (stored, not compressed: tests need
// speed, not size).
func Zip(name, text string) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store, Modified: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		panic(err)
	}
	w.Write([]byte(text))
	if err := zw.Close(); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// Archive data set names.
const (
	Klines          = "klines"
	MarkPriceKlines = "markPriceKlines"
	FundingRate     = "fundingRate"
)

// MonthlyPath is the archive path of a monthly file; interval is ignored
// for FundingRate.
func MonthlyPath(dataset, symbol, interval string, year int, month time.Month) string {
	return archivePath("monthly", dataset, symbol, interval, fmt.Sprintf("%04d-%02d", year, int(month)))
}

// DailyPath is the archive path of a daily file.
func DailyPath(dataset, symbol, interval string, day time.Time) string {
	return archivePath("daily", dataset, symbol, interval, day.UTC().Format(time.DateOnly))
}

func archivePath(freq, dataset, symbol, interval, when string) string {
	if dataset == FundingRate {
		return fmt.Sprintf("data/futures/um/%s/%s/%s/%s-%s.zip", freq, dataset, symbol, symbol, when)
	}
	return fmt.Sprintf("data/futures/um/%s/%s/%s/%s/%s-%s-%s.zip", freq, dataset, symbol, interval, symbol, interval, when)
}

// Kline is one generated kline; Time is its open time in Unix ns.
type Kline struct {
	Time                   int64
	Open, High, Low, Close float64
	Volume                 float64
}

// Rate is one generated funding rate at Time (Unix ns).
type Rate struct {
	Time int64
	Rate float64
}

// History is what AddSymbol serves.
type History struct {
	Klines, Marks []Kline
	Funding       []Rate
}

// AddSymbol serves symbol's klines, mark-price klines and funding for
// [from, end), generated from seed: a monthly file for every month that
// holds data and a daily file for every day (funding monthly only), as
// the archive does. Like the real archive, files of periods before 2022
// have no header line and files from 2025 on stamp microseconds; mark
// klines have an empty volume field. Funding is 8-hourly, stamped a few
// milliseconds late.
func (a *Archive) AddSymbol(symbol, interval string, from, end time.Time, seed uint64) History {
	step := Step(interval)
	h := History{
		Klines:  genKlines(from, end, step, seed, 100+float64(seed)),
		Marks:   genKlines(from, end, step, seed+1000, 100+float64(seed)),
		Funding: genFunding(from, end, seed),
	}
	for m := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC); m.Before(end); m = m.AddDate(0, 1, 0) {
		next := m.AddDate(0, 1, 0)
		micro := m.Year() >= 2025
		a.Put(MonthlyPath(Klines, symbol, interval, m.Year(), m.Month()), KlineCSV(slice(h.Klines, m, next), step, m.Year() >= 2022, micro, false))
		a.Put(MonthlyPath(MarkPriceKlines, symbol, interval, m.Year(), m.Month()), KlineCSV(slice(h.Marks, m, next), step, m.Year() >= 2022, micro, true))
		var fr []Rate
		for _, r := range h.Funding {
			if r.Time >= m.UnixNano() && r.Time < next.UnixNano() {
				fr = append(fr, r)
			}
		}
		a.Put(MonthlyPath(FundingRate, symbol, "", m.Year(), m.Month()), FundingCSV(fr, micro))
		for d := m; d.Before(next) && d.Before(end); d = d.AddDate(0, 0, 1) {
			if d.AddDate(0, 0, 1).After(from) {
				a.Put(DailyPath(Klines, symbol, interval, d), KlineCSV(slice(h.Klines, d, d.AddDate(0, 0, 1)), step, d.Year() >= 2022, micro, false))
				a.Put(DailyPath(MarkPriceKlines, symbol, interval, d), KlineCSV(slice(h.Marks, d, d.AddDate(0, 0, 1)), step, d.Year() >= 2022, micro, true))
			}
		}
	}
	return h
}

func slice(all []Kline, from, to time.Time) []Kline {
	var out []Kline
	for _, k := range all {
		if k.Time >= from.UnixNano() && k.Time < to.UnixNano() {
			out = append(out, k)
		}
	}
	return out
}

// Step returns an archive interval as a duration: 1m, 5m, 1h, 1d, ...
func Step(interval string) time.Duration {
	if d, ok := strings.CutSuffix(interval, "d"); ok {
		n, err := strconv.Atoi(d)
		if err != nil {
			panic(err)
		}
		return time.Duration(n) * 24 * time.Hour
	}
	d, err := time.ParseDuration(interval)
	if err != nil {
		panic(err)
	}
	return d
}

// genKlines makes the klines of [start, end) at step: a seeded walk from
// p0, prices with two decimals and consistent OHLC.
func genKlines(start, end time.Time, step time.Duration, seed uint64, p0 float64) []Kline {
	rng := rand.New(rand.NewPCG(seed, 99))
	var out []Kline
	p := p0
	for t := start; t.Before(end); t = t.Add(step) {
		o := round(p, 2)
		c := round(o*math.Exp(0.003*rng.NormFloat64()), 2)
		hi := round(math.Max(o, c)*(1+0.002*rng.Float64())+0.01, 2)
		lo := round(math.Min(o, c)*(1-0.002*rng.Float64())-0.01, 2)
		out = append(out, Kline{Time: t.UnixNano(), Open: o, High: hi, Low: lo, Close: c, Volume: round(100*rng.Float64(), 3)})
		p = c
	}
	return out
}

func genFunding(start, end time.Time, seed uint64) []Rate {
	rng := rand.New(rand.NewPCG(seed, 7))
	var out []Rate
	first := start.Truncate(8 * time.Hour)
	if first.Before(start) {
		first = first.Add(8 * time.Hour)
	}
	for t := first; t.Before(end); t = t.Add(8 * time.Hour) {
		jitter := time.Duration(rng.IntN(20)) * time.Millisecond
		out = append(out, Rate{Time: t.Add(jitter).UnixNano(), Rate: round(0.0002*rng.NormFloat64(), 8)})
	}
	return out
}

func round(x float64, places int) float64 {
	s := math.Pow(10, float64(places))
	return math.Round(x*s) / s
}

func num(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// KlineCSV prints klines in the archive's format: with or without the
// header line, times in ms or µs, the volume field empty when noVolume.
func KlineCSV(rows []Kline, step time.Duration, header, micro, noVolume bool) string {
	var b strings.Builder
	if header {
		b.WriteString("open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore\n")
	}
	unit := int64(time.Millisecond)
	if micro {
		unit = int64(time.Microsecond)
	}
	for _, r := range rows {
		vol := num(r.Volume)
		if noVolume {
			vol = ""
		}
		fmt.Fprintf(&b, "%d,%s,%s,%s,%s,%s,%d,%s,%d,0,0,0\n", r.Time/unit, num(r.Open), num(r.High), num(r.Low), num(r.Close), vol,
			(r.Time+int64(step))/unit-1, num(r.Volume*r.Close), 10)
	}
	return b.String()
}

// FundingCSV prints funding rates in the archive's format, times in ms or
// µs.
func FundingCSV(rows []Rate, micro bool) string {
	unit := int64(time.Millisecond)
	if micro {
		unit = int64(time.Microsecond)
	}
	var b strings.Builder
	b.WriteString("calc_time,funding_interval_hours,last_funding_rate\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "%d,8,%s\n", r.Time/unit, num(r.Rate))
	}
	return b.String()
}
