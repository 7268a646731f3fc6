package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/marginlab/marginlab/data"
)

var dataInspectCmd = &command{
	name:    "data inspect",
	args:    "FILE...",
	summary: "load data files and report their shape, time range and problems",
	about: `
Inspect loads each FILE (Parquet, Arrow IPC file or stream, or CSV) as
marginlab would for a backtest, with the same checks, and reports its
format, compression, kind (candles, mark or funding), columns, rows, first
and last time (RFC 3339, UTC), timeframe, gaps and warnings, or why it
failed to load. For funding files it also reports the mean, minimum and
maximum rate per interval, the interval (the median spacing of events), and
how the times sit on the grid of whole hours: exchanges stamp funding a few
milliseconds late, and a run puts a stamp within 5 s of a whole hour on that
hour. For mark files it says what a run uses them for: liquidation checks
at the trade candles' timeframe, funding only when coarser.

Every file is reported, even after one fails; the exit status is then 1.
The load flags apply to every file; they opt in to repairs, each of which is
reported as a warning.`,
	examples: []string{
		"marginlab data inspect BTC_USDT_USDT-5m-futures.feather",
		"marginlab data inspect data/*.parquet --json | jq .rows",
		"marginlab data inspect prices.csv --tz America/New_York --sort --dedupe --nulls drop",
	},
	setup: setupDataInspect,
}

func setupDataInspect(fs *flag.FlagSet) runFunc {
	var opt data.LoadOptions
	jsonOut := fs.Bool("json", false, "print one JSON object per file, one per line (JSON Lines)")
	addLoadFlags(fs, &opt)
	return func(ctx context.Context, sio *stdio, files []string) error {
		if len(files) == 0 {
			return usagef("no files given")
		}
		failed := 0
		for _, path := range files {
			if err := ctx.Err(); err != nil {
				return err
			}
			s, err := data.Load(ctx, path, opt)
			if err != nil && ctx.Err() != nil {
				return ctx.Err()
			}
			if err != nil {
				failed++
			}
			r := newInspectReport(path, s, err)
			if *jsonOut {
				err = writeJSONLine(sio.out, r)
			} else {
				err = r.writeText(sio.out)
			}
			if err != nil {
				return err
			}
		}
		if failed > 0 {
			return fmt.Errorf("%d of %d files failed to load", failed, len(files))
		}
		return nil
	}
}

// inspectReport is what inspect says about one file. It is also the JSON
// form, so the keys keep this order; a failed file has null start, end,
// gaps and funding and a non-null error.
type inspectReport struct {
	Path       string        `json:"path"`
	Format     string        `json:"format"`
	Codec      string        `json:"codec"`
	CreatedBy  string        `json:"created_by"`
	Kind       string        `json:"kind"`
	Rows       int           `json:"rows"`
	Start      *string       `json:"start"`
	End        *string       `json:"end"`
	Timeframe  string        `json:"timeframe"`
	Columns    []data.Column `json:"columns"`
	TimeColumn string        `json:"time_column"`
	Gaps       *gapsReport   `json:"gaps"`
	Funding    *fundingStats `json:"funding,omitempty"`
	Note       string        `json:"note,omitempty"` // for mark files: what a run uses them for
	Warnings   []string      `json:"warnings"`
	Error      *string       `json:"error"`
}

type gapsReport struct {
	Count   int    `json:"count"`
	Missing int    `json:"missing"`
	Largest string `json:"largest"` // timeframe form, "" without gaps
	// LargestAt is the time of the row after the largest gap, null without gaps.
	LargestAt *string `json:"largest_at"`
}

// fundingStats summarises the rates of a funding series, as fractions per
// funding interval.
type fundingStats struct {
	Mean float64 `json:"mean"`
	Min  float64 `json:"min"`
	Max  float64 `json:"max"`
	// Interval is the median spacing of the events (data.FundingInterval).
	Interval string `json:"interval"`
	// OnHour events are stamped on a whole hour UTC, NearHour within 5 s
	// of one (a run puts them on it; MaxOffset is the farthest), OffGrid
	// farther (a run keeps their time).
	OnHour    int    `json:"on_hour"`
	NearHour  int    `json:"near_hour"`
	MaxOffset string `json:"max_offset"`
	OffGrid   int    `json:"off_grid"`
}

// markNote says what a run uses mark candles for.
const markNote = "a run uses mark candles for liquidation checks when they match the trade candles' timeframe (finer ones are resampled); coarser ones (e.g. 8h next to 5m) only value funding"

func newInspectReport(path string, s *data.Series, err error) *inspectReport {
	r := &inspectReport{Path: path, Columns: []data.Column{}, Warnings: []string{}}
	if err != nil {
		msg := err.Error()
		r.Error = &msg
		return r
	}
	r.Format, r.Codec, r.CreatedBy = string(s.Format), s.Codec, s.CreatedBy
	r.Kind, r.Rows, r.TimeColumn = s.Kind.String(), s.Rows(), s.TimeColumn
	r.Timeframe = data.FormatTimeframe(s.Timeframe)
	if s.Columns != nil {
		r.Columns = s.Columns
	}
	times := s.Bars.Time
	switch s.Kind {
	case data.KindFunding:
		times = s.Funding.Time
		r.Funding = summariseFunding(s.Funding)
	case data.KindMark:
		r.Note = markNote
	}
	if n := len(times); n > 0 {
		r.Start, r.End = timePtr(times[0]), timePtr(times[n-1])
	}
	r.Gaps = &gapsReport{Count: s.Gaps.Count, Missing: s.Gaps.Missing}
	if s.Gaps.Count > 0 {
		r.Gaps.Largest = data.FormatDuration(s.Gaps.Largest)
		r.Gaps.LargestAt = timePtr(s.Gaps.LargestAt)
	}
	for _, w := range s.Warnings {
		r.Warnings = append(r.Warnings, w.Error())
	}
	return r
}

func summariseFunding(f data.Funding) *fundingStats {
	rates := f.Rate
	if len(rates) == 0 {
		return nil
	}
	stamps := data.ClassifyFundingStamps(f.Time, data.DefaultFundingSnap)
	st := &fundingStats{Min: rates[0], Max: rates[0], Interval: data.FormatTimeframe(data.FundingInterval(f.Time)),
		OnHour: stamps.OnHour, NearHour: stamps.Snapped, MaxOffset: data.FormatDuration(stamps.MaxOffset), OffGrid: stamps.OffGrid}
	sum := 0.0
	for _, r := range rates {
		sum += r
		st.Min, st.Max = min(st.Min, r), max(st.Max, r)
	}
	st.Mean = sum / float64(len(rates))
	return st
}

func timePtr(ns int64) *string {
	s := data.FormatTime(ns)
	return &s
}

func writeJSONLine(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// writeText prints the report as an indented block followed by a blank line.
func (r *inspectReport) writeText(w io.Writer) error {
	var b strings.Builder
	line := func(label, format string, args ...any) {
		fmt.Fprintf(&b, "  %-12s %s\n", label+":", fmt.Sprintf(format, args...))
	}
	b.WriteString(r.Path + "\n")
	if r.Error != nil {
		line("error", "%s", *r.Error)
		b.WriteString("\n")
		_, err := io.WriteString(w, b.String())
		return err
	}
	if r.Codec != "" {
		line("format", "%s (%s)", r.Format, r.Codec)
	} else {
		line("format", "%s", r.Format)
	}
	if r.CreatedBy != "" {
		line("created by", "%s", r.CreatedBy)
	}
	line("kind", "%s", r.Kind)
	cols := make([]string, len(r.Columns))
	for i, c := range r.Columns {
		cols[i] = c.Name + ": " + c.Type
	}
	line("columns", "%s", strings.Join(cols, ", "))
	line("time column", "%s", r.TimeColumn)
	line("rows", "%d", r.Rows)
	line("first", "%s", *r.Start)
	line("last", "%s", *r.End)
	line("timeframe", "%s", r.Timeframe)
	if r.Gaps.Count == 0 {
		line("gaps", "none")
	} else {
		line("gaps", "%d, %d missing rows, largest step %s before %s",
			r.Gaps.Count, r.Gaps.Missing, r.Gaps.Largest, *r.Gaps.LargestAt)
	}
	if f := r.Funding; f != nil {
		line("funding", "mean %s, min %s, max %s per interval of %s", percent(f.Mean), percent(f.Min), percent(f.Max), f.Interval)
		stamps := fmt.Sprintf("%d on a whole hour, %d within %s of one (a run puts them on it; the farthest %s off)",
			f.OnHour, f.NearHour, data.FormatDuration(data.DefaultFundingSnap), f.MaxOffset)
		if f.NearHour == 0 {
			stamps = fmt.Sprintf("%d on a whole hour", f.OnHour)
		}
		if f.OffGrid > 0 {
			stamps += fmt.Sprintf(", %d off the grid (a run keeps their times)", f.OffGrid)
		}
		line("stamps", "%s", stamps)
	}
	if r.Note != "" {
		line("use", "%s", r.Note)
	}
	for _, wn := range r.Warnings {
		line("warning", "%s", wn)
	}
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// percent prints a funding rate fraction as a percentage: funding rates are
// quoted that way (0.0001 is "0.0100 %").
func percent(x float64) string {
	return fmt.Sprintf("%.4f %%", 100*x)
}
