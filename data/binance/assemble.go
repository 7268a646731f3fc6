package binance

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/marginlab/marginlab/data"
)

// outSeries is one symbol's data set, joined from its archive files and
// validated, ready to write.
type outSeries struct {
	symbol, interval string
	dataset          Dataset
	from, to         time.Time // the range, days inclusive
	chunks           []*chunk
	s                data.Series
}

// assemble joins each symbol's files per data set, in time order, and
// validates the result. Periods the archive lacks become notes; a symbol
// without klines is an ErrNoData error.
func assemble(got []fileResult, req Request, from, to time.Time) ([]*outSeries, []string, error) {
	type key struct {
		symbol string
		ds     Dataset
	}
	groups := map[key][]fileResult{}
	for _, g := range got {
		if !g.replaced {
			k := key{g.file.symbol, g.file.dataset}
			groups[k] = append(groups[k], g)
		}
	}
	var (
		out   []*outSeries
		notes []string
		errs  []error
	)
	span := from.Format(time.DateOnly) + " to " + to.Format(time.DateOnly)
	for _, sym := range req.Symbols {
		for _, ds := range datasets {
			list := groups[key{sym, ds}]
			files := make([]archiveFile, len(list))
			for i, g := range list {
				files[i] = g.file
			}
			sortFiles(files)
			byFile := make(map[archiveFile]fileResult, len(list))
			for _, g := range list {
				byFile[g.file] = g
			}
			label := sym + " " + ds.String()
			if ds != FundingRate {
				label += " " + req.Interval
			}
			o := &outSeries{symbol: sym, interval: req.Interval, dataset: ds, from: from, to: to}
			var missing []period
			first, last := -1, -1
			for i, f := range files {
				g := byFile[f]
				if g.missing {
					missing = append(missing, f.period)
					continue
				}
				if first < 0 {
					first = i
				}
				last = i
				if g.chunk.rows() > 0 {
					o.chunks = append(o.chunks, g.chunk)
				}
			}
			if len(o.chunks) == 0 {
				msg := fmt.Sprintf("%s: the archive has no data for %s (%s asked for", label, span, plural(len(files), "file"))
				if len(missing) > 0 {
					msg += ", none there"
				}
				msg += ")"
				switch ds {
				case Klines:
					errs = append(errs, fmt.Errorf("%w: %s; check the symbol (USDⓈ-M perpetuals are spelled like BTCUSDT) and the range", ErrNoData, msg))
				case MarkPriceKlines:
					notes = append(notes, msg+"; no mark file is written, so liquidation checks will use trade prices")
				default:
					notes = append(notes, msg+"; no funding file is written")
				}
				continue
			}
			notes = append(notes, missingNotes(label, files, byFile, first, last)...)
			if err := o.build(label); err != nil {
				errs = append(errs, err)
				continue
			}
			for _, w := range o.s.Warnings {
				notes = append(notes, label+": "+w.Error())
			}
			out = append(out, o)
		}
	}
	if len(errs) > 0 {
		return nil, notes, errors.Join(errs...)
	}
	return out, notes, nil
}

// missingNotes describes the periods the archive lacks: before the first
// file it has (not listed yet), after the last (delisted, or not
// published), and in between (a gap in the data).
func missingNotes(label string, files []archiveFile, byFile map[archiveFile]fileResult, first, last int) []string {
	var lead, mid, trail []period
	for i, f := range files {
		if !byFile[f].missing {
			continue
		}
		switch {
		case i < first:
			lead = append(lead, f.period)
		case i > last:
			trail = append(trail, f.period)
		default:
			mid = append(mid, f.period)
		}
	}
	var notes []string
	if len(lead) > 0 {
		notes = append(notes, fmt.Sprintf("%s: not in the archive before %s (%s: listed later?)", label, files[first].period, spans(lead)))
	}
	if len(mid) > 0 {
		notes = append(notes, fmt.Sprintf("%s: missing from the archive: %s (the data has a gap there)", label, spans(mid)))
	}
	if len(trail) > 0 {
		notes = append(notes, fmt.Sprintf("%s: not in the archive after %s (%s: delisted, or not published yet?)", label, files[last].period, spans(trail)))
	}
	return notes
}

// spans lists periods, joining runs of adjacent ones: "2023-01 to
// 2023-03, 2023-05-02".
func spans(ps []period) string {
	var parts []string
	for i := 0; i < len(ps); {
		j := i
		for j+1 < len(ps) && ps[j+1].start().Equal(ps[j].end()) {
			j++
		}
		if j == i {
			parts = append(parts, ps[i].String())
		} else {
			parts = append(parts, ps[i].String()+" to "+ps[j].String())
		}
		i = j + 1
	}
	return strings.Join(parts, ", ")
}

// build joins the chunks into o.s and validates it. A problem in a row is
// reported against the archive file and CSV line it came from.
func (o *outSeries) build(label string) error {
	n := 0
	for _, c := range o.chunks {
		n += c.rows()
	}
	o.s = data.Series{Path: label, Kind: o.dataset.Kind()}
	t := make([]int64, 0, n)
	var cols [5][]float64
	width := 5
	if o.dataset == FundingRate {
		width = 1
	}
	for k := range width {
		cols[k] = make([]float64, 0, n)
	}
	for _, c := range o.chunks {
		t = append(t, c.time...)
		for k := range width {
			cols[k] = append(cols[k], c.vals[k]...)
		}
	}
	if o.dataset == FundingRate {
		o.s.Funding = data.Funding{Time: t, Rate: cols[0]}
	} else {
		o.s.Bars = data.Bars{Time: t, Open: cols[0], High: cols[1], Low: cols[2], Close: cols[3], Volume: cols[4]}
	}
	err := data.Validate(&o.s)
	var ie *data.InputError
	if errors.As(err, &ie) && ie.Row >= 0 {
		row := ie.Row
		for _, c := range o.chunks {
			if row < c.rows() {
				ie.File, ie.Line = c.zip, c.line(row)
				ie.Row = ie.Line - 1
				if c.header {
					ie.Row--
				}
				break
			}
			row -= c.rows()
		}
		ie.Hint = "the archive's file has this problem; please report it (fetch cannot repair it)"
	}
	return err
}

// OutputName is the file Fetch writes for a symbol and kind:
// SYMBOL-<interval>-candles.parquet, SYMBOL-<interval>-mark.parquet or
// SYMBOL-funding.parquet, the names 'marginlab data synth' uses, which
// 'marginlab init --data' recognises.
func OutputName(symbol, interval string, kind data.Kind) string {
	if kind == data.KindFunding {
		return symbol + "-funding.parquet"
	}
	return symbol + "-" + interval + "-" + kind.String() + ".parquet"
}

// sourceFile is one entry of the marginlab.sources metadata.
type sourceFile struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
}

// Metadata keys of the files Fetch writes, beside the data package's
// marginlab.kind.
const (
	MetaSymbol    = "marginlab.symbol"
	MetaVenue     = "marginlab.venue"
	MetaTimeframe = "marginlab.timeframe" // absent for funding
	MetaRange     = "marginlab.range"     // "2023-01-01/2024-06-30", days inclusive
	MetaSource    = "marginlab.source"    // the archive's base URL
	MetaSources   = "marginlab.sources"   // JSON [{"path", "sha256"}] in time order
	MetaFetchedAt = "marginlab.fetched_at"
)

// write writes o to dir and describes the file.
func (o *outSeries) write(dir, base string, now time.Time) (Output, error) {
	srcs := make([]sourceFile, len(o.chunks))
	for i, c := range o.chunks {
		srcs[i] = sourceFile{Path: c.file.path(), SHA256: c.sha256}
	}
	js, err := json.Marshal(srcs)
	if err != nil {
		return Output{}, err
	}
	md := map[string]string{
		MetaSymbol:    o.symbol,
		MetaVenue:     Venue,
		MetaRange:     o.from.Format(time.DateOnly) + "/" + o.to.Format(time.DateOnly),
		MetaSource:    strings.TrimSuffix(base, "/"),
		MetaSources:   string(js),
		MetaFetchedAt: now.UTC().Format(time.RFC3339),
	}
	if o.dataset != FundingRate {
		md[MetaTimeframe] = o.interval
	}
	path := filepath.Join(dir, OutputName(o.symbol, o.interval, o.s.Kind))
	if err := data.WriteFile(path, &o.s, data.WriteOptions{Metadata: md}); err != nil {
		return Output{}, err
	}
	t := o.s.Bars.Time
	if o.dataset == FundingRate {
		t = o.s.Funding.Time
	}
	return Output{Path: path, Symbol: o.symbol, Kind: o.s.Kind, Rows: len(t), First: t[0], Last: t[len(t)-1], Files: len(o.chunks)}, nil
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
