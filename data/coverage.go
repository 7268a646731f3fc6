package data

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Coverage. A funding or mark series that stops short of the market's
// period, or has a hole in it, does not fail on its own: the bars it misses
// get no funding charge, or a NaN mark that falls back to trade prices. So
// the numbers of a run would change silently. NewMarket measures what each
// series leaves uncovered and, by default, refuses it.

// ErrCoverage is matched (errors.Is) by every *CoverageError: a funding or
// mark series does not cover the market's period.
var ErrCoverage = errors.New("data: series does not cover the market's period")

// ErrCoarseMark is matched by NewMarket's note that a mark series coarser
// than the candles values funding only.
var ErrCoarseMark = errors.New("data: mark series coarser than the candles")

// CoveragePolicy says what NewMarket does when a series does not cover the
// market's period.
type CoveragePolicy int

const (
	// CoverageStrict makes it an error (a *CoverageError). The default.
	CoverageStrict CoveragePolicy = iota
	// CoverageAccept makes it a warning (the same *CoverageError with
	// Accepted set); the market is built as the series allow.
	CoverageAccept
)

// String returns "strict" or "accept", the names used in run configs.
func (p CoveragePolicy) String() string {
	switch p {
	case CoverageStrict:
		return "strict"
	case CoverageAccept:
		return "accept"
	}
	return "CoveragePolicy(" + strconv.Itoa(int(p)) + ")"
}

// ParseCoveragePolicy parses "strict" ("" is strict too) or "accept".
func ParseCoveragePolicy(s string) (CoveragePolicy, error) {
	switch s {
	case "", "strict":
		return CoverageStrict, nil
	case "accept":
		return CoverageAccept, nil
	}
	return CoverageStrict, fmt.Errorf("data: unknown coverage policy %q (want strict or accept)", s)
}

// GapPlace says where a Gap lies in the market's period.
type GapPlace int

const (
	GapStart GapPlace = iota // from the market's start: a later start leaves it out
	GapEnd                   // to the market's end: an earlier end leaves it out
	GapHole                  // inside: leaving it out gives up one side
	GapAll                   // the whole period
)

// A Gap is one stretch of the market's period that a series leaves
// uncovered. Times are Unix ns (UTC).
type Gap struct {
	Place GapPlace
	// First and Last are the first and last uncovered time, Count how many
	// there are: funding times that are due but have no event (a funding
	// series); funding times with no candle of a coarse mark series; bars
	// with no mark candle (a mark series). The market's first bar needs no
	// funding (no position is open before it), so it is never counted.
	First, Last int64
	Count       int
	// Prev and Next are the series' times on either side of the gap, when
	// it has one there (HasPrev, HasNext).
	Prev, Next       int64
	HasPrev, HasNext bool
	// End and Start say how to leave the gap out of the period: a market
	// whose last bar is before End, or whose first bar is at or after
	// Start, does not need what is missing (data.end is exclusive, so
	// "end: End" and "start: Start" in a run config do that).
	End, Start int64
}

// CoverageError reports what one series of one symbol leaves uncovered. It
// matches ErrCoverage with errors.Is.
type CoverageError struct {
	Symbol string
	Kind   Kind // KindFunding or KindMark
	// Coarse marks a mark series coarser than the candles, which only
	// values funding: its gaps are funding times without a mark candle.
	Coarse bool
	// Interval is the series' spacing: a funding series' estimated
	// interval (FundingInterval), a mark series' timeframe.
	Interval time.Duration
	// SeriesFirst and SeriesLast are the series' first and last time; both
	// are meaningless when Empty.
	SeriesFirst, SeriesLast int64
	Empty                   bool
	// MarketFirst and MarketLast are the open times of the market's first
	// and last bar; Timeframe its bar spacing.
	MarketFirst, MarketLast int64
	Timeframe               time.Duration
	Gaps                    []Gap // in time order, at least one
	// Accepted is set when the policy was CoverageAccept: the error is then
	// one of NewMarket's warnings.
	Accepted bool
}

func (e *CoverageError) Unwrap() error { return ErrCoverage }

// Series names the series: "BTC funding", "BTC mark", "BTC 8h mark".
func (e *CoverageError) Series() string {
	if e.Coarse {
		return e.Symbol + " " + FormatTimeframe(e.Interval) + " mark"
	}
	return e.Symbol + " " + e.Kind.String()
}

// Error reads "data: BTC funding does not cover the market: … ; trim the
// period … or accept the gaps"; an accepted one reads "BTC funding does not
// cover the market: …; accepted: …" (a warning).
func (e *CoverageError) Error() string {
	if e.Accepted {
		return e.Series() + " does not cover the market: " + e.Detail() + "; accepted: " + e.Consequence()
	}
	return "data: " + e.Series() + " does not cover the market: " + e.Detail() + "; " + e.trimHint() +
		", or accept the gaps (MarketOptions " + e.policyField() + " = CoverageAccept)"
}

func (e *CoverageError) policyField() string {
	if e.Kind == KindFunding {
		return "FundingCoverage"
	}
	return "MarkCoverage"
}

// Consequence says what the market does where the series is missing.
func (e *CoverageError) Consequence() string {
	switch {
	case e.Kind == KindFunding:
		return "no funding is charged at those times"
	case e.Coarse:
		return "funding at those times is valued at the bar's trade open"
	}
	return "those bars have NaN marks and trade prices stand in for them"
}

// maxGapsShown bounds the gaps an error message lists.
const maxGapsShown = 3

// Detail describes the gaps, without the symbol or a hint, e.g. "the last
// event is at 2024-05-14T00:00:00Z and events come every 8h, but the last
// bar opens at 2024-05-14T15:35:00Z: 1 funding time has no rate
// (2024-05-14T08:00:00Z)".
func (e *CoverageError) Detail() string {
	var parts []string
	for k, g := range e.Gaps {
		if k == maxGapsShown {
			parts = append(parts, fmt.Sprintf("and %d more gaps", len(e.Gaps)-k))
			break
		}
		parts = append(parts, e.gapText(g))
	}
	return strings.Join(parts, "; ")
}

func (e *CoverageError) gapText(g Gap) string {
	var where string
	switch {
	case e.Empty:
		where = "the series is empty"
	case g.HasPrev && g.HasNext:
		where = fmt.Sprintf("no %s between %s and %s%s", e.unit(), FormatTime(g.Prev), FormatTime(g.Next), e.every())
	case g.HasNext:
		where = fmt.Sprintf("the first %s is at %s%s, but the first bar opens at %s",
			e.unit(), FormatTime(g.Next), e.every(), FormatTime(e.MarketFirst))
	case g.HasPrev:
		where = fmt.Sprintf("the last %s is at %s%s, but the last bar opens at %s",
			e.unit(), FormatTime(g.Prev), e.every(), FormatTime(e.MarketLast))
	default:
		where = fmt.Sprintf("the series (%s to %s) has no %s at the market's times", FormatTime(e.SeriesFirst), FormatTime(e.SeriesLast), e.unit())
	}
	return where + ": " + countText(g, e.missingText(g.Count))
}

func (e *CoverageError) unit() string {
	switch {
	case e.Kind == KindFunding:
		return "event"
	case e.Coarse:
		return FormatTimeframe(e.Interval) + " mark candle"
	}
	return "mark candle"
}

func (e *CoverageError) every() string {
	if e.Kind == KindFunding {
		return " and events come every " + FormatDuration(e.Interval)
	}
	return ""
}

// missingText is "N funding times have no rate" and its kin.
func (e *CoverageError) missingText(n int) string {
	verb := "have"
	if n == 1 {
		verb = "has"
	}
	switch {
	case e.Kind == KindFunding:
		return fmt.Sprintf("%s %s no rate", plural(n, "funding time"), verb)
	case e.Coarse:
		return fmt.Sprintf("%s %s no mark candle", plural(n, "funding time"), verb)
	}
	return fmt.Sprintf("%s %s no mark candle", plural(n, "bar"), verb)
}

func countText(g Gap, s string) string {
	if g.Count == 1 {
		return s + " (" + FormatTime(g.First) + ")"
	}
	return s + " (" + FormatTime(g.First) + " to " + FormatTime(g.Last) + ")"
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// trimHint suggests the period that leaves every gap out, or the two ways
// around a hole.
func (e *CoverageError) trimHint() string {
	start, end, holes, ok := TrimSuggestion([]*CoverageError{e})
	if !ok {
		return "no part of the market's period is covered: choose a period the series covers"
	}
	var parts []string
	if start != e.MarketFirst {
		parts = append(parts, "start at or after "+FormatTime(start))
	}
	if end != addSaturating(e.MarketLast, int64(e.Timeframe)) {
		parts = append(parts, "end before "+FormatTime(end))
	}
	var s []string
	if len(parts) > 0 {
		s = append(s, "trim the period ("+strings.Join(parts, " and ")+")")
	}
	for _, h := range holes {
		s = append(s, fmt.Sprintf("leave out the hole at %s (end before %s, or start at or after %s)", FormatTime(h.First), FormatTime(h.End), FormatTime(h.Start)))
	}
	return strings.Join(s, "; ")
}

// TrimSuggestion returns the longest period [start, end) within the
// market's that leaves out every start and end gap of errs (which describe
// one market), and the holes, which no single period inside can leave out
// without giving up one side. ok is false when a series misses the whole
// period or the start and end gaps leave nothing.
func TrimSuggestion(errs []*CoverageError) (start, end int64, holes []Gap, ok bool) {
	if len(errs) == 0 {
		return 0, 0, nil, false
	}
	start, end = errs[0].MarketFirst, addSaturating(errs[0].MarketLast, int64(errs[0].Timeframe))
	for _, e := range errs {
		for _, g := range e.Gaps {
			switch g.Place {
			case GapAll:
				return 0, 0, nil, false
			case GapStart:
				start = max(start, g.Start)
			case GapEnd:
				end = min(end, g.End)
			case GapHole:
				holes = append(holes, g)
			}
		}
	}
	return start, end, holes, start < end
}
