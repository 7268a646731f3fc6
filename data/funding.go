package data

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// Funding times. Every venue marginlab models charges funding on a grid of
// whole hours UTC (every 8 h on Binance, OKX, Bybit and Gate, every hour on
// Hyperliquid and dYdX), but exchanges stamp the event a few milliseconds
// after the funding time (Binance: 00:00:00.016). The engine applies an
// event at the first bar whose open is at or after its time, so a late stamp
// would charge it one bar late: NewMarket puts such events on their hour.

// DefaultFundingSnap is the tolerance NewMarket uses when
// MarketOptions.FundingSnap is 0: an event stamped within 5 s of a whole hour
// is put on that hour. The real Binance files are at most 29 ms off.
const DefaultFundingSnap = 5 * time.Second

// FundingSnapOff, as MarketOptions.FundingSnap, keeps every funding event at
// the time it is stamped with (any negative value does the same).
const FundingSnapOff time.Duration = -1

// maxFundingSnap is the largest tolerance accepted: at 30 minutes every time
// would be within it of some whole hour, and snapping would stop meaning
// "a late stamp of this hour".
const maxFundingSnap = 30*time.Minute - time.Nanosecond

// FundingStamps says how a funding series' times sit on the grid of whole
// hours (UTC), for a snap tolerance.
type FundingStamps struct {
	Events  int // events looked at
	OnHour  int // exactly on a whole hour
	Snapped int // within the tolerance of a whole hour but not on it: put on the hour
	OffGrid int // farther than the tolerance from every whole hour: kept at their time
	// MaxOffset is the largest distance from its hour among the snapped
	// events (0 when none was).
	MaxOffset time.Duration
	// FirstSnapped and FirstOff are the original times of the first
	// snapped and the first off-grid event; valid when the count is > 0.
	FirstSnapped, FirstOff int64
}

// ClassifyFundingStamps counts, for tolerance tol (0 means
// DefaultFundingSnap; negative: nothing is snapped), how many of times are on
// a whole hour, within tol of one, or off the grid.
func ClassifyFundingStamps(times []int64, tol time.Duration) FundingStamps {
	tol = fundingSnapTolerance(tol)
	st := FundingStamps{Events: len(times)}
	for _, t := range times {
		_, off, ok := nearestHour(t)
		switch {
		case ok && off == 0:
			st.OnHour++
		case ok && tol >= 0 && abs64(off) <= int64(tol):
			if st.Snapped == 0 {
				st.FirstSnapped = t
			}
			st.Snapped++
			st.MaxOffset = max(st.MaxOffset, time.Duration(abs64(off)))
		default:
			if st.OffGrid == 0 {
				st.FirstOff = t
			}
			st.OffGrid++
		}
	}
	return st
}

// fundingSnapTolerance resolves the option: 0 is the default, negative is
// off (returned as -1).
func fundingSnapTolerance(tol time.Duration) time.Duration {
	switch {
	case tol == 0:
		return DefaultFundingSnap
	case tol < 0:
		return FundingSnapOff
	}
	return tol
}

// nearestHour returns the whole hour (UTC) nearest t and t's offset from it
// (positive: t is after the hour). ok is false when that hour is outside the
// int64 range.
func nearestHour(t int64) (hour, offset int64, ok bool) {
	const h = int64(time.Hour)
	r := t % h
	if r < 0 {
		r += h
	}
	if r <= h/2 {
		return t - r, r, true
	}
	if t > math.MaxInt64-(h-r) {
		return 0, 0, false
	}
	return t + (h - r), r - h, true
}

func abs64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// snapFunding returns a copy of f's times and rates (strictly increasing
// times; f.Mark is not copied: NewMarket fills it itself) with every
// event stamped within tol of a whole hour put on that hour, the stamps'
// classification, and an error when two events land on one time. tol must be
// resolved (fundingSnapTolerance); FundingSnapOff copies f unchanged.
func snapFunding(name string, f *Funding, tol time.Duration) (Funding, FundingStamps, error) {
	out := Funding{Time: slices.Clone(f.Time), Rate: slices.Clone(f.Rate)}
	if out.Time == nil {
		out.Time, out.Rate = []int64{}, []float64{}
	}
	if tol < 0 {
		return out, FundingStamps{Events: len(f.Time)}, nil
	}
	st := ClassifyFundingStamps(f.Time, tol)
	if st.Snapped == 0 {
		return out, st, nil
	}
	for i, t := range out.Time {
		if hour, off, ok := nearestHour(t); ok && off != 0 && abs64(off) <= int64(tol) {
			out.Time[i] = hour
		}
	}
	// Snapping is monotone, so a collision is between neighbours.
	for i := 1; i < len(out.Time); i++ {
		if out.Time[i] == out.Time[i-1] {
			return Funding{}, st, newMarketError(ErrDuplicate,
				"data: %s funding: the events stamped %s and %s both belong to the funding time %s (each is within %s of it): a funding time has one event; remove the duplicate from the file",
				name, FormatTime(f.Time[i-1]), FormatTime(f.Time[i]), FormatTime(out.Time[i]), FormatDuration(tol))
		}
	}
	return out, st, nil
}

// offGridWarning is the one warning per symbol about events that stay off
// the grid, or nil.
func offGridWarning(name string, st FundingStamps, tol time.Duration) error {
	if st.OffGrid == 0 || tol < 0 {
		return nil
	}
	return fmt.Errorf("%s: %d of %d funding events are more than %s from a whole hour (the first at %s): they stay at their own times, each charged at the first bar opening at or after it",
		name, st.OffGrid, st.Events, FormatDuration(tol), FormatTime(st.FirstOff))
}

// fundingIntervalGuess is the interval assumed for a funding series of a
// single event: the longest any modelled venue uses, so the assumption
// errs towards accepting the series.
const fundingIntervalGuess = 8 * time.Hour

// FundingInterval estimates a funding series' interval: the median spacing
// of its events (the lower of the two middle spacings for an even count, so
// the result is a spacing that occurs). Jitter and the odd missing event do
// not move it. A series of one event gives 8h (the longest interval of the
// venues modelled), an empty one 0.
func FundingInterval(times []int64) time.Duration {
	switch len(times) {
	case 0:
		return 0
	case 1:
		return fundingIntervalGuess
	}
	d := make([]int64, len(times)-1)
	for i := range d {
		d[i] = times[i+1] - times[i]
	}
	slices.Sort(d)
	return time.Duration(d[(len(d)-1)/2])
}

// coarseMarkOpens returns, for each time of times (increasing), the open of
// the mark candle that opens exactly then, NaN when there is none.
func coarseMarkOpens(mk *Bars, times []int64) []float64 {
	out := make([]float64, len(times))
	j := 0
	for i, t := range times {
		for j < len(mk.Time) && mk.Time[j] < t {
			j++
		}
		if j < len(mk.Time) && mk.Time[j] == t {
			out[i] = mk.Open[j]
		} else {
			out[i] = math.NaN()
		}
	}
	return out
}

// coarseMarkNote says what a coarse mark series (timeframe mtf, coarser
// than the market's tf) is used for; it matches ErrCoarseMark. Without
// funding events it is not used at all.
func coarseMarkNote(s *Symbol, mtf, tf time.Duration) error {
	m, c := FormatTimeframe(mtf), FormatTimeframe(tf)
	if s.Funding.Len() == 0 {
		return newMarketError(ErrCoarseMark, "%s: %s mark candles are coarser than the %s trade candles and there is no funding to value: the mark series is not used; liquidation checks use trade candles",
			s.Name, m, c)
	}
	return newMarketError(ErrCoarseMark, "%s: %s mark candles are coarser than the %s trade candles: used to value funding only; liquidation checks use trade candles",
		s.Name, m, c)
}

// attachCoarseMark values s's funding events (at least one) at the coarse
// mark series mk of timeframe mtf: Funding.Mark and CoarseMark. It returns
// what mk misses of the funding times in (tl[0], tl[last]], or nil.
func attachCoarseMark(s *Symbol, mk *Bars, mtf time.Duration, tl []int64) *CoverageError {
	s.Funding.Mark = coarseMarkOpens(mk, s.Funding.Time)
	s.CoarseMark = mtf
	gaps := coarseMarkGaps(&s.Funding, mk.Time, tl[0], tl[len(tl)-1])
	if len(gaps) == 0 {
		return nil
	}
	return &CoverageError{Symbol: s.Name, Kind: KindMark, Coarse: true, Interval: mtf,
		SeriesFirst: mk.Time[0], SeriesLast: mk.Time[mk.Len()-1], Gaps: gaps}
}
