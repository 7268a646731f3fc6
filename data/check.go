package data

import "fmt"

// Validate checks a series built in memory (by a downloader, say) with the
// rules Load applies to a file, strictly: times strictly increasing (no
// duplicates), prices finite and positive, OHLC consistent, volume finite
// and not negative, funding rates finite. On success it sets s.Timeframe
// and s.Gaps and appends the gap warning to s.Warnings, as Load does. A
// problem is an *InputError naming s.Path, the column ("time", "open",
// "high", "low", "close", "volume" or "funding_rate") and the row counted
// from 0 in s.
//
// s.Kind must be KindCandles, KindMark or KindFunding, and the columns of
// the kind must be of equal length (a programmer error otherwise: it
// panics, as Write does).
func Validate(s *Series) error {
	var opt LoadOptions
	a := &accum{file: s.Path, opt: &opt}
	for r := range a.p.index {
		a.p.index[r] = -1
		a.p.names[r] = roleNames[r]
	}
	a.p.kind = s.Kind
	a.p.index[roleTime] = 0
	switch s.Kind {
	case KindCandles, KindMark:
		s.Bars.checkLengths()
		a.time = s.Bars.Time
		cols := [...]struct {
			r role
			v []float64
		}{{roleOpen, s.Bars.Open}, {roleHigh, s.Bars.High}, {roleLow, s.Bars.Low}, {roleClose, s.Bars.Close}, {roleVolume, s.Bars.Volume}}
		for i, c := range cols {
			a.p.index[c.r] = i + 1
			a.vals[c.r] = c.v
		}
	case KindFunding:
		if len(s.Funding.Rate) != len(s.Funding.Time) {
			panic("data: Funding columns differ in length")
		}
		a.time = s.Funding.Time
		a.p.index[roleRate] = 1
		a.vals[roleRate] = s.Funding.Rate
	default:
		return fmt.Errorf("data: cannot validate a series of kind %s: want candles, mark or funding", s.Kind)
	}
	a.rows = len(a.time)
	return a.finish(s)
}
