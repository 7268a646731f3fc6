package data

import (
	"math"
	"time"
)

const (
	// resampleWeek is the length of a weekly candle.
	resampleWeek = 7 * 24 * time.Hour
	// resampleMonday is the offset of the first Monday 00:00 UTC after the
	// Unix epoch (1970-01-01 was a Thursday, 1970-01-05 a Monday). Buckets
	// whose length is a multiple of a week are anchored there.
	resampleMonday = 4 * 24 * time.Hour
)

// Resample aggregates candles at timeframe from into the coarser timeframe
// to: each output candle has the first open, the highest high, the lowest
// low, the last close and the summed volume of the source candles in its
// bucket. Times are Unix nanoseconds (UTC) and are candle open times, both in
// b and in the result.
//
// Buckets start at multiples of to since the Unix epoch, so 5m buckets start
// at :00, :05, …, 1h buckets on the hour and 1d buckets at 00:00 UTC. A
// timeframe that is a multiple of a week (1w, 2w, …) is anchored on Monday
// 00:00 UTC instead (the first being 1970-01-05), as exchanges' weekly
// candles are. The output candle's time is its bucket's start, even when the
// first source candle in it comes later.
//
// A bucket is emitted when it holds at least one source candle and only
// then: partial buckets at the start and end of the data and around gaps are
// kept as they are (a 5m candle built from two 1m candles is still emitted),
// and a bucket that falls entirely in a gap produces no candle (no flat bar
// is invented). Callers that need complete buckets should trim the edges.
//
// to must be a positive multiple of from; otherwise the error wraps
// ErrTimeframe and names both timeframes ("cannot resample 3m candles to 5m:
// 5m is not a multiple of 3m"). to == from returns a deep copy of b. The
// times in b must be strictly increasing (ErrUnsorted or ErrDuplicate
// otherwise) but need not lie on the from grid. Prices are expected to be
// finite, as loaded series are; use Market.Resample for mark series with
// missing (NaN) rows.
//
// Resample runs in O(len) time: one pass counts the buckets, a second fills
// them, and only the six output columns are allocated.
func Resample(b Bars, from, to time.Duration) (Bars, error) {
	if err := checkResampleTimeframes(from, to, ""); err != nil {
		return Bars{}, err
	}
	if err := barsLengthError(&b); err != nil {
		return Bars{}, err
	}
	if to == from {
		if err := checkIncreasingTimes(b.Time); err != nil {
			return Bars{}, err
		}
		return b.Clone(), nil
	}
	return resampleBars(&b, to, false)
}

// Resample returns a new Market at the coarser timeframe to, which must be a
// positive multiple of m.Timeframe (error wrapping ErrTimeframe otherwise).
// Every symbol's candles and mark candles are aggregated as by the package
// function Resample, on the same epoch-anchored buckets, so all symbols keep
// sharing one timeline. Mark rows that are missing (NaN in any of open,
// high, low, close) are skipped when aggregating; a bucket with no mark
// candle at all is NaN in every mark column. Funding events are kept at
// their own times, clipped to the new span [Time[0], Time[last]+to) (which
// contains the old one, so no event is lost), with their coarse marks
// (Funding.Mark, CoarseMark). to == m.Timeframe returns a
// deep copy. m is not modified and the result shares no memory with it.
//
// Every symbol's Candles.Time (and Mark.Time) must equal m.Time; a market
// built by NewMarket always satisfies this (error wrapping ErrMisaligned
// otherwise).
func (m *Market) Resample(to time.Duration) (*Market, error) {
	if err := checkResampleTimeframes(m.Timeframe, to, ""); err != nil {
		return nil, err
	}
	for i := range m.Symbols {
		s := &m.Symbols[i]
		if err := checkOnTimeline(s, m.Time); err != nil {
			return nil, err
		}
	}
	var tl []int64
	if to == m.Timeframe {
		if err := checkIncreasingTimes(m.Time); err != nil {
			return nil, err
		}
		tl = append([]int64(nil), m.Time...)
	} else {
		n, err := countResampleBuckets(m.Time, to)
		if err != nil {
			return nil, err
		}
		tl = make([]int64, n)
		k := newResampleBucketer(to)
		fillResampleTimes(m.Time, k, tl)
	}
	out := &Market{Time: tl, Timeframe: to, Symbols: make([]Symbol, len(m.Symbols))}
	var spanFrom, spanTo int64
	if len(tl) > 0 {
		spanFrom, spanTo = tl[0], addSaturating(tl[len(tl)-1], int64(to))
	}
	for i := range m.Symbols {
		s := &m.Symbols[i]
		ns := &out.Symbols[i]
		ns.Name = s.Name
		ns.Candles = resampleOnto(&s.Candles, to, tl, to == m.Timeframe, false)
		if s.Mark != nil {
			mk := resampleOnto(s.Mark, to, tl, to == m.Timeframe, true)
			ns.Mark = &mk
		}
		ns.Funding = clipFunding(&s.Funding, spanFrom, spanTo, len(tl) > 0)
		ns.CoarseMark = s.CoarseMark
	}
	return out, nil
}

// resampleOnto aggregates b (whose times are already known to fall into the
// buckets tl) into new columns sharing tl as their Time. With same, to is
// b's own timeframe and the values are copied as they are.
func resampleOnto(b *Bars, to time.Duration, tl []int64, same, skipNaN bool) Bars {
	out := barsOn(tl)
	if same {
		copy(out.Open, b.Open)
		copy(out.High, b.High)
		copy(out.Low, b.Low)
		copy(out.Close, b.Close)
		copy(out.Volume, b.Volume)
		return out
	}
	fillResampleBuckets(b, newResampleBucketer(to), &out, skipNaN, false)
	return out
}

// checkOnTimeline reports a symbol whose candle or mark columns are not on
// the market's timeline.
func checkOnTimeline(s *Symbol, tl []int64) error {
	if err := barsLengthError(&s.Candles); err != nil {
		return symbolError(s.Name, err)
	}
	if !sameTimes(s.Candles.Time, tl) {
		return newMarketError(ErrMisaligned, "data: %s: candle times differ from the market's timeline; build markets with NewMarket", s.Name)
	}
	if s.Mark != nil {
		if err := barsLengthError(s.Mark); err != nil {
			return symbolError(s.Name, err)
		}
		if !sameTimes(s.Mark.Time, tl) {
			return newMarketError(ErrMisaligned, "data: %s: mark times differ from the market's timeline; build markets with NewMarket", s.Name)
		}
	}
	return nil
}

// sameTimes reports whether a and b hold the same times.
func sameTimes(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	if len(a) == 0 || &a[0] == &b[0] {
		return true
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// checkResampleTimeframes checks that to is a positive multiple of from.
// what ("" or "mark ") qualifies the candles in the message.
func checkResampleTimeframes(from, to time.Duration, what string) error {
	switch {
	case from <= 0:
		return newMarketError(ErrTimeframe, "data: cannot resample %scandles from timeframe %s: the source timeframe must be positive", what, from)
	case to <= 0:
		return newMarketError(ErrTimeframe, "data: cannot resample %scandles to timeframe %s: the target timeframe must be positive", what, to)
	case to < from || to%from != 0:
		f, t := FormatTimeframe(from), FormatTimeframe(to)
		return newMarketError(ErrTimeframe, "data: cannot resample %s %scandles to %s: %s is not a multiple of %s", f, what, t, t, f)
	}
	return nil
}

// resampleBars counts the buckets of b's times, allocates exactly the output
// and fills it. With skipNaN, rows with a NaN price are left out of their
// bucket and a bucket without any other row is NaN throughout.
func resampleBars(b *Bars, to time.Duration, skipNaN bool) (Bars, error) {
	n, err := countResampleBuckets(b.Time, to)
	if err != nil {
		return Bars{}, err
	}
	out := MakeBars(n)
	fillResampleBuckets(b, newResampleBucketer(to), &out, skipNaN, true)
	return out, nil
}

// resampleBucketer maps a time to the start of its bucket.
type resampleBucketer struct {
	step   int64 // bucket length, ns
	anchor int64 // anchor mod step: a bucket starts at anchor + k·step
}

func newResampleBucketer(to time.Duration) resampleBucketer {
	k := resampleBucketer{step: int64(to)}
	if to%resampleWeek == 0 {
		k.anchor = int64(resampleMonday) % k.step
	}
	return k
}

// start returns the start of t's bucket and false when it would fall below
// the smallest int64 (a time before 1678).
func (k resampleBucketer) start(t int64) (int64, bool) {
	r := t % k.step
	if r < 0 {
		r += k.step
	}
	r -= k.anchor
	if r < 0 {
		r += k.step
	}
	s := t - r
	return s, s <= t
}

// countResampleBuckets returns how many buckets of length to the strictly
// increasing times fall into. It checks the order as it goes.
func countResampleBuckets(times []int64, to time.Duration) (int, error) {
	if len(times) == 0 {
		return 0, nil
	}
	k := newResampleBucketer(to)
	step := uint64(k.step)
	start, ok := k.start(times[0])
	if !ok {
		return 0, resampleRangeError(times[0], to)
	}
	n := 1
	prev := times[0]
	for i := 1; i < len(times); i++ {
		t := times[i]
		if t <= prev {
			return 0, unorderedTimeError(times, i)
		}
		prev = t
		// t ≥ start here, so the unsigned difference is exact even when
		// the signed one would overflow.
		if uint64(t-start) >= step {
			start, _ = k.start(t) // cannot underflow: t > times[0]
			n++
		}
	}
	return n, nil
}

// fillResampleTimes writes the bucket starts of times into tl, whose length
// is countResampleBuckets' result.
func fillResampleTimes(times []int64, k resampleBucketer, tl []int64) {
	step := uint64(k.step)
	j := -1
	var start int64
	for _, t := range times {
		if j < 0 || uint64(t-start) >= step {
			j++
			start, _ = k.start(t)
			tl[j] = start
		}
	}
}

// fillResampleBuckets aggregates b into out, whose length is
// countResampleBuckets' result. It writes out.Time only when setTime.
func fillResampleBuckets(b *Bars, k resampleBucketer, out *Bars, skipNaN, setTime bool) {
	n := len(b.Time)
	if n == 0 {
		return
	}
	times := b.Time
	open, high, low, cls, vol := b.Open[:n], b.High[:n], b.Low[:n], b.Close[:n], b.Volume[:n]
	oT, oO, oH, oL, oC, oV := out.Time, out.Open, out.High, out.Low, out.Close, out.Volume
	step := uint64(k.step)
	nan := math.NaN()

	j := -1
	var start int64
	have := false
	var o, h, l, c, v float64
	for i, t := range times {
		if j < 0 || uint64(t-start) >= step {
			if j >= 0 {
				if !have {
					o, h, l, c, v = nan, nan, nan, nan, nan
				}
				oO[j], oH[j], oL[j], oC[j], oV[j] = o, h, l, c, v
			}
			j++
			start, _ = k.start(t)
			if setTime {
				oT[j] = start
			}
			have = false
		}
		if skipNaN && (open[i] != open[i] || high[i] != high[i] || low[i] != low[i] || cls[i] != cls[i]) {
			continue
		}
		if !have {
			o, h, l, c, v = open[i], high[i], low[i], cls[i], vol[i]
			have = true
			continue
		}
		if x := high[i]; x > h {
			h = x
		}
		if x := low[i]; x < l {
			l = x
		}
		c = cls[i]
		v += vol[i]
	}
	if !have {
		o, h, l, c, v = nan, nan, nan, nan, nan
	}
	oO[j], oH[j], oL[j], oC[j], oV[j] = o, h, l, c, v
}
