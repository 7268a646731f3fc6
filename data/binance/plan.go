package binance

import (
	"fmt"
	"path"
	"slices"
	"time"

	"github.com/marginlab/marginlab/data"
)

// Dataset is one of the archive's data sets.
type Dataset int

// The data sets Fetch downloads, in the order it writes them.
const (
	Klines          Dataset = iota // trade candles
	MarkPriceKlines                // mark-price candles
	FundingRate                    // funding rates, monthly files only
)

var datasets = []Dataset{Klines, MarkPriceKlines, FundingRate}

// String returns the archive's directory name: klines, markPriceKlines or
// fundingRate.
func (d Dataset) String() string {
	switch d {
	case Klines:
		return "klines"
	case MarkPriceKlines:
		return "markPriceKlines"
	case FundingRate:
		return "fundingRate"
	}
	return fmt.Sprintf("Dataset(%d)", int(d))
}

// Kind returns the data kind the data set is written as.
func (d Dataset) Kind() data.Kind {
	switch d {
	case Klines:
		return data.KindCandles
	case MarkPriceKlines:
		return data.KindMark
	}
	return data.KindFunding
}

// Intervals are the kline intervals the archive has and Fetch accepts.
var Intervals = []string{"1m", "3m", "5m", "15m", "30m", "1h", "2h", "4h", "6h", "8h", "12h", "1d"}

// period is a calendar month (day 0) or one day, UTC.
type period struct {
	year  int
	month time.Month
	day   int
}

func (p period) monthly() bool { return p.day == 0 }

func (p period) String() string {
	if p.monthly() {
		return fmt.Sprintf("%04d-%02d", p.year, int(p.month))
	}
	return fmt.Sprintf("%04d-%02d-%02d", p.year, int(p.month), p.day)
}

// start and end bound the period: [start, end).
func (p period) start() time.Time {
	return time.Date(p.year, p.month, max(p.day, 1), 0, 0, 0, 0, time.UTC)
}

func (p period) end() time.Time {
	if p.monthly() {
		return p.start().AddDate(0, 1, 0)
	}
	return p.start().AddDate(0, 0, 1)
}

func monthOf(t time.Time) period { return period{year: t.Year(), month: t.Month()} }
func dayOf(t time.Time) period   { return period{year: t.Year(), month: t.Month(), day: t.Day()} }

// archiveFile is one zip of the archive.
type archiveFile struct {
	dataset  Dataset
	symbol   string
	interval string // "" for funding
	period   period
}

// path returns the file's path below the archive's base URL.
func (f archiveFile) path() string {
	freq := "daily"
	if f.period.monthly() {
		freq = "monthly"
	}
	dir := path.Join("data/futures/um", freq, f.dataset.String(), f.symbol)
	name := f.symbol + "-" + f.period.String() + ".zip"
	if f.interval != "" {
		dir = path.Join(dir, f.interval)
		name = f.symbol + "-" + f.interval + "-" + f.period.String() + ".zip"
	}
	return dir + "/" + name
}

// RecentMonthDays is how long after a month ends its monthly file may
// still be missing from the archive; within it, the month's daily files
// are fetched instead.
const RecentMonthDays = 14

// dayStart truncates t to its UTC day.
func dayStart(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// plan lists the files covering the UTC days [from, to] (inclusive, already
// clipped to before today) for one symbol and data set, in time order.
// Kline data sets: monthly files for the whole months that have ended,
// daily files for the other days. Funding: the monthly file of every
// month that the range touches and that has ended; the others are
// returned in unpublished.
func plan(ds Dataset, symbol, interval string, from, to, today time.Time) (files []archiveFile, unpublished []period) {
	if ds == FundingRate {
		interval = ""
	}
	for m := monthOf(from); !m.start().After(to); m = monthOf(m.end()) {
		ended := !m.end().After(today)
		whole := !m.start().Before(from) && !m.end().After(to.AddDate(0, 0, 1))
		switch {
		case ds == FundingRate && ended:
			files = append(files, archiveFile{ds, symbol, interval, m})
		case ds == FundingRate:
			unpublished = append(unpublished, m)
		case whole && ended:
			files = append(files, archiveFile{ds, symbol, interval, m})
		default:
			files = append(files, dailies(ds, symbol, interval, m, from, to)...)
		}
	}
	return files, unpublished
}

// dailies returns the daily files of month m that lie in [from, to].
func dailies(ds Dataset, symbol, interval string, m period, from, to time.Time) []archiveFile {
	var out []archiveFile
	for d := m.start(); d.Before(m.end()); d = d.AddDate(0, 0, 1) {
		if !d.Before(from) && !d.After(to) {
			out = append(out, archiveFile{ds, symbol, interval, dayOf(d)})
		}
	}
	return out
}

// recentMonth reports whether a missing monthly file may just not be
// published yet, so that its daily files are worth asking for.
func recentMonth(p period, today time.Time) bool {
	return p.monthly() && today.Sub(p.end()) < RecentMonthDays*24*time.Hour
}

// sortFiles orders files by data set, symbol, then time.
func sortFiles(files []archiveFile) {
	slices.SortStableFunc(files, func(a, b archiveFile) int {
		switch {
		case a.symbol != b.symbol:
			if a.symbol < b.symbol {
				return -1
			}
			return 1
		case a.dataset != b.dataset:
			return int(a.dataset) - int(b.dataset)
		}
		return a.period.start().Compare(b.period.start())
	})
}
