package binance

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

// fakeArchive serves zips in the archive's layout, counting requests, with
// ways to misbehave: 500s before success, a body cut short, a stall.
type fakeArchive struct {
	mu       sync.Mutex
	files    map[string][]byte // path without the leading slash → body
	requests map[string]int
	fail     map[string]int  // path → 500 answers still to give
	cut      map[string]int  // path → answers still to cut short
	stall    map[string]bool // path → send half, then wait for the client to go
	srv      *httptest.Server
}

func newFakeArchive(t *testing.T) *fakeArchive {
	a := &fakeArchive{files: map[string][]byte{}, requests: map[string]int{}, fail: map[string]int{}, cut: map[string]int{}, stall: map[string]bool{}}
	a.srv = httptest.NewServer(http.HandlerFunc(a.serve))
	t.Cleanup(a.srv.Close)
	return a
}

func (a *fakeArchive) serve(w http.ResponseWriter, r *http.Request) {
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
	stall := a.stall[p]
	a.mu.Unlock()
	switch {
	case fail:
		http.Error(w, "busy", http.StatusServiceUnavailable)
	case !ok:
		http.NotFound(w, r)
	case cut || stall:
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Write(body[:len(body)/2])
		w.(http.Flusher).Flush()
		if stall {
			<-r.Context().Done()
			return
		}
		// Returning with the body short makes the server drop the
		// connection: the client sees an unexpected EOF.
	default:
		w.Write(body)
	}
}

// total returns the number of requests served.
func (a *fakeArchive) total() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	n := 0
	for _, c := range a.requests {
		n += c
	}
	return n
}

// put adds a zip holding one CSV, with its .CHECKSUM.
func (a *fakeArchive) put(f archiveFile, csvText string) {
	z := zipOf(strings.TrimSuffix(path.Base(f.path()), ".zip")+".csv", csvText)
	a.putRaw(f, z, z)
}

// putRaw adds body as f's zip with the checksum of sumOf.
func (a *fakeArchive) putRaw(f archiveFile, body, sumOf []byte) {
	sum := sha256.Sum256(sumOf)
	a.mu.Lock()
	defer a.mu.Unlock()
	a.files[f.path()] = body
	a.files[f.path()+".CHECKSUM"] = []byte(hex.EncodeToString(sum[:]) + "  " + path.Base(f.path()) + "\n")
}

func zipOf(name, text string) []byte {
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

// klineRow is one generated kline, as the archive would print it.
type klineRow struct {
	t                      int64 // Unix ns
	open, high, low, close float64
	volume                 float64
}

// genKlines makes the klines of [start, end) at step, a seeded walk from p0.
func genKlines(start, end time.Time, step time.Duration, seed uint64, p0 float64) []klineRow {
	rng := rand.New(rand.NewPCG(seed, 99))
	var out []klineRow
	p := p0
	for t := start; t.Before(end); t = t.Add(step) {
		o := round(p, 2)
		c := round(o*math.Exp(0.003*rng.NormFloat64()), 2)
		h := round(math.Max(o, c)*(1+0.002*rng.Float64()), 2) + 0.01
		l := round(math.Min(o, c)*(1-0.002*rng.Float64()), 2) - 0.01
		out = append(out, klineRow{t: t.UnixNano(), open: o, high: h, low: l, close: c, volume: round(100*rng.Float64(), 3)})
		p = c
	}
	return out
}

func round(x float64, places int) float64 {
	s := math.Pow(10, float64(places))
	return math.Round(x*s) / s
}

func num(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// klineCSV prints rows in the archive's kline format: with or without the
// header, times in ms or µs, volume empty when noVolume (mark klines).
func klineCSV(rows []klineRow, step time.Duration, header, micro, noVolume bool) string {
	var b strings.Builder
	if header {
		b.WriteString("open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore\n")
	}
	unit := int64(time.Millisecond)
	if micro {
		unit = int64(time.Microsecond)
	}
	for _, r := range rows {
		vol := num(r.volume)
		if noVolume {
			vol = ""
		}
		fmt.Fprintf(&b, "%d,%s,%s,%s,%s,%s,%d,%s,%d,0,0,0\n", r.t/unit, num(r.open), num(r.high), num(r.low), num(r.close), vol,
			(r.t+int64(step))/unit-1, num(r.volume*r.close), 10)
	}
	return b.String()
}

// fundingRow is one generated funding rate.
type fundingRow struct {
	t    int64
	rate float64
}

// genFunding makes 8-hourly rates in [start, end), stamped a few
// milliseconds late as Binance stamps them.
func genFunding(start, end time.Time, seed uint64) []fundingRow {
	rng := rand.New(rand.NewPCG(seed, 7))
	var out []fundingRow
	for t := start; t.Before(end); t = t.Add(8 * time.Hour) {
		jitter := time.Duration(rng.IntN(20)) * time.Millisecond
		out = append(out, fundingRow{t: t.Add(jitter).UnixNano(), rate: round(0.0002*rng.NormFloat64(), 8)})
	}
	return out
}

// fundingCSV prints rates in the archive's funding format, times in ms or µs.
func fundingCSV(rows []fundingRow, micro bool) string {
	unit := int64(time.Millisecond)
	if micro {
		unit = int64(time.Microsecond)
	}
	var b strings.Builder
	b.WriteString("calc_time,funding_interval_hours,last_funding_rate\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "%d,8,%s\n", r.t/unit, num(r.rate))
	}
	return b.String()
}

// listed is one symbol's generated history, as the fake archive serves it.
type listed struct {
	klines, marks []klineRow
	funding       []fundingRow
}

// addSymbol serves sym's klines, mark klines and funding for [from, end):
// a monthly file for every month that holds data and a daily file for
// every day, as the archive does. Files of periods from 2022 on have a
// header line; from 2025 on, times are in microseconds.
func (a *fakeArchive) addSymbol(sym, interval string, from, end time.Time, seed uint64) listed {
	step := intervalDuration(interval)
	l := listed{
		klines:  genKlines(from, end, step, seed, 100+float64(seed)),
		marks:   genKlines(from, end, step, seed+1000, 100+float64(seed)),
		funding: genFunding(from, end, seed),
	}
	for m := monthOf(from); m.start().Before(end); m = monthOf(m.end()) {
		a.putKlines(archiveFile{Klines, sym, interval, m}, l.klines, step)
		a.putKlines(archiveFile{MarkPriceKlines, sym, interval, m}, l.marks, step)
		var fr []fundingRow
		for _, r := range l.funding {
			if r.t >= m.start().UnixNano() && r.t < m.end().UnixNano() {
				fr = append(fr, r)
			}
		}
		a.put(archiveFile{FundingRate, sym, "", m}, fundingCSV(fr, m.year >= 2025))
		for d := m.start(); d.Before(m.end()) && d.Before(end); d = d.AddDate(0, 0, 1) {
			if !d.Before(dayStart(from)) {
				a.putKlines(archiveFile{Klines, sym, interval, dayOf(d)}, l.klines, step)
				a.putKlines(archiveFile{MarkPriceKlines, sym, interval, dayOf(d)}, l.marks, step)
			}
		}
	}
	return l
}

func (a *fakeArchive) putKlines(f archiveFile, all []klineRow, step time.Duration) {
	var rows []klineRow
	for _, r := range all {
		if r.t >= f.period.start().UnixNano() && r.t < f.period.end().UnixNano() {
			rows = append(rows, r)
		}
	}
	y := f.period.year
	a.put(f, klineCSV(rows, step, y >= 2022, y >= 2025, f.dataset == MarkPriceKlines))
}

// remove takes f (and its checksum) out of the archive.
func (a *fakeArchive) remove(f archiveFile) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.files, f.path())
	delete(a.files, f.path()+".CHECKSUM")
}

func intervalDuration(iv string) time.Duration {
	d, err := time.ParseDuration(strings.Replace(iv, "d", "h", 1))
	if err != nil {
		panic(err)
	}
	if strings.HasSuffix(iv, "d") {
		d *= 24
	}
	return d
}
