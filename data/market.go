package data

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Symbol is one instrument's data on a Market's shared timeline.
type Symbol struct {
	Name string
	// Candles are the trade candles, aligned to the market: Candles.Time has
	// the same values as Market.Time.
	Candles Bars
	// Mark holds mark-price candles aligned to Market.Time, or is nil when no
	// mark series was given. A timeline row with no mark candle holds NaN in
	// every Mark column; consumers fall back to Candles there.
	Mark *Bars
	// Funding holds the funding events inside the market's span
	// [Time[0], Time[last]+Timeframe), at their own (unaligned) times,
	// those stamped near a whole hour put on it (MarketOptions.FundingSnap).
	Funding Funding
	// CoarseMark is the timeframe of a mark series coarser than the
	// candles (8h marks next to 5m candles), which cannot drive intrabar
	// liquidation checks and so is not Mark: it only values funding, in
	// Funding.Mark. 0 when there is none.
	CoarseMark time.Duration
}

// Market is several symbols aligned on one timeline.
type Market struct {
	Time      []int64       // candle open times, Unix ns, strictly increasing
	Timeframe time.Duration // spacing of the timeline
	Symbols   []Symbol      // in the order given
}

// SymbolInput is one symbol's series before alignment, as the loaders return
// them. Times are Unix nanoseconds (UTC), candle open times.
type SymbolInput struct {
	// Name identifies the symbol ("BTC/USDT:USDT", "BTC"); it must be
	// non-empty and unique within one market.
	Name string
	// Candles are the trade candles, times strictly increasing.
	Candles Bars
	// Mark holds optional mark-price candles, times strictly increasing.
	Mark *Bars
	// Funding holds optional funding events, times strictly increasing.
	// Its Mark is ignored: NewMarket fills it from a coarse mark series.
	Funding *Funding
}

// Alignment chooses how symbols whose candle times differ share one
// timeline.
type Alignment int

const (
	// AlignIntersect keeps only the times every symbol has a candle at. It
	// is the default.
	AlignIntersect Alignment = iota
	// AlignUnion keeps every time any symbol has a candle at, from the
	// latest first candle among the symbols to the latest last candle; a
	// symbol without a candle at a time gets a flat bar at its previous
	// close.
	AlignUnion
)

// String returns the name used on the command line and in JSON:
// "intersect" or "union".
func (a Alignment) String() string {
	switch a {
	case AlignIntersect:
		return "intersect"
	case AlignUnion:
		return "union"
	}
	return "Alignment(" + strconv.Itoa(int(a)) + ")"
}

// ParseAlignment parses "intersect" ("" is intersect too) or "union".
func ParseAlignment(s string) (Alignment, error) {
	switch s {
	case "", "intersect":
		return AlignIntersect, nil
	case "union":
		return AlignUnion, nil
	}
	return AlignIntersect, fmt.Errorf("data: unknown alignment %q (want intersect or union)", s)
}

// MarketOptions controls NewMarket. The zero value aligns by intersection at
// the candles' own timeframe, puts funding events stamped within 5 s of a
// whole hour on it, and refuses funding and mark series that do not cover
// the market's period.
type MarketOptions struct {
	// Align chooses the alignment; the zero value is AlignIntersect.
	Align Alignment
	// Timeframe is the market's candle spacing. 0 keeps the candles' own
	// timeframe (found by DetectTimeframe, and then every symbol must have
	// the same one). Otherwise every symbol whose timeframe is finer is
	// resampled to it (see Resample: buckets anchored at the epoch, 1w on
	// Monday); it must be a multiple of every symbol's timeframe.
	Timeframe time.Duration
	// FundingSnap is how far from a whole hour (UTC) a funding event may be
	// stamped and still be put on that hour, where every venue modelled
	// charges funding (exchanges stamp events a few milliseconds late). 0
	// means DefaultFundingSnap (5 s); a negative value (FundingSnapOff)
	// keeps every event at its own time. It must be below 30 minutes.
	FundingSnap time.Duration
	// FundingCoverage and MarkCoverage say what a funding or mark series
	// that does not cover the market's period is: an error (CoverageStrict,
	// the zero value) or a warning (CoverageAccept). See NewMarket.
	FundingCoverage CoveragePolicy
	MarkCoverage    CoveragePolicy
}

// NewMarket aligns the inputs' series on one timeline and returns the
// market, warnings, and an error. Warnings are non-fatal facts the user
// should see (rows dropped, bars filled, funding off the hour grid, a coarse
// mark series, accepted coverage gaps); each is an error whose message
// starts with the symbol name ("BTC: 12 of 1000 candles outside the common
// timeline were dropped"). The inputs are not modified; the market shares no
// memory with them.
//
// Errors (never panics): no inputs; an empty or duplicate name; a symbol
// without candles (ErrEmpty); columns of different lengths; times not
// strictly increasing (ErrUnsorted, ErrDuplicate) in candles, mark or
// funding; two funding events put on one hour (ErrDuplicate); symbols at
// different timeframes when opt.Timeframe is 0, or an opt.Timeframe that is
// not a multiple of a symbol's timeframe (ErrTimeframe); mark candles finer
// than the trade candles whose timeframe does not divide theirs
// (ErrTimeframe); no time common to all symbols under AlignIntersect
// (ErrNoCommonPeriod); a bad option; and, under CoverageStrict, funding or
// mark series that do not cover the period (every one of them, each a
// *CoverageError, joined with errors.Join).
//
// Steps, per symbol then for the market:
//
//  1. The timeframe of each symbol is DetectTimeframe of its candle times.
//     A symbol with a single candle takes the others' timeframe (and is
//     never resampled); if every symbol has a single candle, opt.Timeframe
//     must be set.
//  2. When opt.Timeframe is set and coarser than a symbol's, its candles are
//     resampled to it.
//  3. Funding events stamped within opt.FundingSnap of a whole hour UTC are
//     put on that hour (the charge belongs to the funding time, and the
//     engine applies an event at the first bar opening at or after it: a
//     stamp at 00:00:00.016 would otherwise be charged a bar late). Events
//     farther from every whole hour stay where they are, with one warning
//     per symbol.
//  4. A mark series at the candles' final timeframe (or a one-row mark) is
//     used as is; a finer one is resampled to it. It is aligned by exact
//     time: timeline rows with no mark candle hold NaN in every mark
//     column (Time still holds the timeline time). A coarser mark series
//     cannot drive intrabar liquidation checks: it is not attached as Mark
//     (liquidation checks use trade candles) but values funding: for each
//     funding event, Funding.Mark holds the open of the coarse candle that
//     opens at the event's time (NaN when none does), Symbol.CoarseMark its
//     timeframe, and a warning (matching ErrCoarseMark) says so.
//  5. The timeline is built (see Alignment); each symbol's candles are
//     copied onto it. Under AlignUnion a missing bar is flat at the previous
//     close (open = high = low = close, volume 0).
//  6. Funding events in [Time[0], Time[last]+Timeframe) are copied; a symbol
//     without funding gets an empty, non-nil Funding.
//  7. Coverage. With first and last bar open times T0 and TN: a funding
//     series, whose interval I is the median spacing of its events
//     (FundingInterval), must have an event at every funding time in
//     (T0, TN] (the first bar needs none: no position is open before it),
//     so its first event F0 must satisfy F0 − I ≤ T0, its last FL
//     FL + I > TN, and a spacing wider than 1.5·I inside the period is a
//     hole. A mark series must have a candle at every bar the symbol has a
//     candle at (bars filled under AlignUnion need none); a coarse one a
//     candle at every funding time in (T0, TN]. What is missing is a
//     *CoverageError per series listing its gaps: an error under
//     CoverageStrict, a warning under CoverageAccept.
//
// Market.Time is a fresh slice; every symbol's Candles.Time and Mark.Time
// share it, so treat them as read-only.
func NewMarket(inputs []SymbolInput, opt MarketOptions) (*Market, []error, error) {
	if len(inputs) == 0 {
		return nil, nil, errors.New("data: no symbols given: a market needs at least one symbol's candles")
	}
	if err := opt.check(); err != nil {
		return nil, nil, err
	}
	if err := validateSymbolInputs(inputs); err != nil {
		return nil, nil, err
	}

	tf, tfs, err := marketTimeframe(inputs, opt.Timeframe)
	if err != nil {
		return nil, nil, err
	}

	var warns []error
	snap := fundingSnapTolerance(opt.FundingSnap)
	candles := make([]Bars, len(inputs))
	marks := make([]*Bars, len(inputs))
	coarse := make([]time.Duration, len(inputs))
	fundings := make([]*Funding, len(inputs))
	for i := range inputs {
		in := &inputs[i]
		candles[i] = in.Candles
		if tfs[i] != 0 && tfs[i] < tf {
			c, err := resampleBars(&in.Candles, tf, false)
			if err != nil {
				return nil, nil, symbolError(in.Name, err)
			}
			candles[i] = c
		}
		if in.Mark != nil {
			mk, mtf, err := prepareMark(in.Name, in.Mark, tf)
			if err != nil {
				return nil, nil, err
			}
			marks[i], coarse[i] = mk, mtf
		}
		if in.Funding != nil {
			f, st, err := snapFunding(in.Name, in.Funding, snap)
			if err != nil {
				return nil, nil, err
			}
			fundings[i] = &f
			if w := offGridWarning(in.Name, st, snap); w != nil {
				warns = append(warns, w)
			}
		}
	}

	var tl []int64
	switch opt.Align {
	case AlignIntersect:
		tl = intersectTimes(candles)
		if len(tl) == 0 {
			return nil, nil, noCommonPeriodError(inputs, candles)
		}
	case AlignUnion:
		tl = unionTimes(candles)
	}

	mkt := &Market{Time: tl, Timeframe: tf, Symbols: make([]Symbol, len(inputs))}
	spanFrom, spanTo := tl[0], addSaturating(tl[len(tl)-1], int64(tf))
	var uncovered []error
	cover := func(e *CoverageError, policy CoveragePolicy) {
		if e == nil {
			return
		}
		e.MarketFirst, e.MarketLast, e.Timeframe = tl[0], tl[len(tl)-1], tf
		if policy == CoverageAccept {
			e.Accepted = true
			warns = append(warns, e)
			return
		}
		uncovered = append(uncovered, e)
	}
	for i := range inputs {
		in := &inputs[i]
		s := &mkt.Symbols[i]
		s.Name = in.Name
		src := &candles[i]
		var filled, filledAfter int
		s.Candles, filled, filledAfter = alignCandles(src, tl)
		switch opt.Align {
		case AlignIntersect:
			if d := src.Len() - len(tl); d > 0 {
				warns = append(warns, fmt.Errorf("%s: %d of %d candles outside the common timeline were dropped", in.Name, d, src.Len()))
			}
		case AlignUnion:
			if d := firstAtOrAfter(src.Time, tl[0]); d > 0 {
				warns = append(warns, fmt.Errorf("%s: %d of %d candles before the common start %s (the latest first candle among the symbols) were dropped",
					in.Name, d, src.Len(), FormatTime(tl[0])))
			}
			if filled > 0 {
				w := fmt.Sprintf("%s: %d of %d bars had no candle and were filled with flat bars at the previous close (volume 0)", in.Name, filled, len(tl))
				if filledAfter > 0 {
					w += fmt.Sprintf("; %d of them come after its last candle at %s", filledAfter, FormatTime(src.Time[src.Len()-1]))
				}
				warns = append(warns, errors.New(w))
			}
		}
		if marks[i] != nil && coarse[i] == 0 {
			mk, _ := alignMark(marks[i], tl)
			s.Mark = &mk
			cover(markCoverage(in.Name, &mk, tl, src.Time, marks[i], tf), opt.MarkCoverage)
		}
		if f := fundings[i]; f != nil {
			s.Funding = clipFunding(f, spanFrom, spanTo, true)
			s.Funding.Mark = nil
			cover(fundingCoverage(in.Name, f, tl), opt.FundingCoverage)
		} else {
			s.Funding = Funding{Time: []int64{}, Rate: []float64{}}
		}
		if coarse[i] != 0 {
			warns = append(warns, coarseMarkNote(s, coarse[i], tf))
			if s.Funding.Len() > 0 {
				cover(attachCoarseMark(s, marks[i], coarse[i], tl), opt.MarkCoverage)
			}
		}
	}
	if len(uncovered) > 0 {
		return nil, nil, errors.Join(uncovered...)
	}
	return mkt, warns, nil
}

// check reports a bad option.
func (opt *MarketOptions) check() error {
	if opt.Align != AlignIntersect && opt.Align != AlignUnion {
		return fmt.Errorf("data: unknown alignment %d (want AlignIntersect or AlignUnion)", int(opt.Align))
	}
	if opt.Timeframe < 0 {
		return newMarketError(ErrTimeframe, "data: timeframe option %s is negative; use 0 to keep the candles' own timeframe", opt.Timeframe)
	}
	if opt.FundingSnap > maxFundingSnap {
		return fmt.Errorf("data: FundingSnap %s: must be below 30m (0: the default %s; negative: off)", opt.FundingSnap, DefaultFundingSnap)
	}
	for _, p := range []CoveragePolicy{opt.FundingCoverage, opt.MarkCoverage} {
		if p != CoverageStrict && p != CoverageAccept {
			return fmt.Errorf("data: unknown coverage policy %d (want CoverageStrict or CoverageAccept)", int(p))
		}
	}
	return nil
}

// Symbol returns the symbol called name, or nil when the market has none.
// The pointer refers into m.Symbols.
func (m *Market) Symbol(name string) *Symbol {
	for i := range m.Symbols {
		if m.Symbols[i].Name == name {
			return &m.Symbols[i]
		}
	}
	return nil
}

// marketError is an error with a complete message of its own that still
// matches a sentinel (ErrTimeframe, …) with errors.Is.
type marketError struct {
	msg string
	err error
}

func (e *marketError) Error() string { return e.msg }
func (e *marketError) Unwrap() error { return e.err }

// newMarketError formats a message and ties it to the sentinel err.
func newMarketError(err error, format string, args ...any) error {
	return &marketError{msg: fmt.Sprintf(format, args...), err: err}
}

// symbolError prefixes err's message with the symbol name, keeping err
// reachable by errors.Is and errors.As.
func symbolError(name string, err error) error {
	return &marketError{msg: "data: " + name + ": " + strings.TrimPrefix(err.Error(), "data: "), err: err}
}

// barsLengthError reports columns of different lengths as an error (the
// loaders never build such Bars; a hand-built one may).
func barsLengthError(b *Bars) error {
	n := len(b.Time)
	if len(b.Open) != n || len(b.High) != n || len(b.Low) != n || len(b.Close) != n || len(b.Volume) != n {
		return fmt.Errorf("data: candle columns differ in length: time %d open %d high %d low %d close %d volume %d",
			n, len(b.Open), len(b.High), len(b.Low), len(b.Close), len(b.Volume))
	}
	return nil
}

// checkIncreasingTimes reports the first time that does not follow its
// predecessor.
func checkIncreasingTimes(times []int64) error {
	for i := 1; i < len(times); i++ {
		if times[i] <= times[i-1] {
			return unorderedTimeError(times, i)
		}
	}
	return nil
}

// unorderedTimeError describes times[i] ≤ times[i-1], wrapping ErrDuplicate
// or ErrUnsorted.
func unorderedTimeError(times []int64, i int) error {
	if times[i] == times[i-1] {
		return newMarketError(ErrDuplicate, "data: duplicate time: rows %d and %d are both at %s; drop duplicates when loading",
			i-1, i, FormatTime(times[i]))
	}
	return newMarketError(ErrUnsorted, "data: times not increasing: row %d at %s comes before row %d at %s; sort the series when loading",
		i, FormatTime(times[i]), i-1, FormatTime(times[i-1]))
}

// resampleRangeError reports a time whose bucket would start before the
// range of int64 nanoseconds.
func resampleRangeError(t int64, to time.Duration) error {
	return newMarketError(ErrTimeRange, "data: cannot resample to %s: the bucket of %s starts before 1678",
		FormatTimeframe(to), FormatTime(t))
}

// addSaturating returns a+b for b ≥ 0, capped at the largest int64.
func addSaturating(a, b int64) int64 {
	if s := a + b; s >= a {
		return s
	}
	return math.MaxInt64
}

// validateSymbolInputs checks names, column lengths and time order.
func validateSymbolInputs(inputs []SymbolInput) error {
	seen := make(map[string]int, len(inputs))
	for i := range inputs {
		in := &inputs[i]
		if in.Name == "" {
			return fmt.Errorf("data: symbol %d has an empty name; give every symbol a name", i)
		}
		if j, ok := seen[in.Name]; ok {
			return fmt.Errorf("data: symbol %q is given twice (inputs %d and %d); give each symbol once", in.Name, j, i)
		}
		seen[in.Name] = i
		if err := barsLengthError(&in.Candles); err != nil {
			return symbolError(in.Name, err)
		}
		if in.Candles.Len() == 0 {
			return newMarketError(ErrEmpty, "data: %s: no candles; every symbol needs trade candles", in.Name)
		}
		if err := checkIncreasingTimes(in.Candles.Time); err != nil {
			return symbolError(in.Name+" candles", err)
		}
		if in.Mark != nil {
			if err := barsLengthError(in.Mark); err != nil {
				return symbolError(in.Name+" mark", err)
			}
			if err := checkIncreasingTimes(in.Mark.Time); err != nil {
				return symbolError(in.Name+" mark", err)
			}
		}
		if f := in.Funding; f != nil {
			if len(f.Time) != len(f.Rate) {
				return fmt.Errorf("data: %s: funding columns differ in length: time %d rate %d", in.Name, len(f.Time), len(f.Rate))
			}
			if err := checkIncreasingTimes(f.Time); err != nil {
				return symbolError(in.Name+" funding", err)
			}
		}
	}
	return nil
}

// marketTimeframe returns the market's timeframe and each symbol's detected
// one (0 for a single candle).
func marketTimeframe(inputs []SymbolInput, want time.Duration) (time.Duration, []time.Duration, error) {
	tfs := make([]time.Duration, len(inputs))
	for i := range inputs {
		tfs[i] = DetectTimeframe(inputs[i].Candles.Time)
	}
	if want > 0 {
		for i, d := range tfs {
			if d != 0 && want%d != 0 {
				f, t := FormatTimeframe(d), FormatTimeframe(want)
				return 0, nil, newMarketError(ErrTimeframe, "data: %s: cannot resample %s candles to %s: %s is not a multiple of %s; choose a timeframe that is (e.g. %s)",
					inputs[i].Name, f, t, t, f, FormatTimeframe(lcmDuration(d, want)))
			}
		}
		return want, tfs, nil
	}
	base := -1
	for i, d := range tfs {
		if d == 0 {
			continue
		}
		if base < 0 {
			base = i
			continue
		}
		if d != tfs[base] {
			a, b := FormatTimeframe(tfs[base]), FormatTimeframe(d)
			return 0, nil, newMarketError(ErrTimeframe, "data: %s candles are %s but %s candles are %s: symbols must share one timeframe; resample them with the timeframe option (e.g. timeframe: %s)",
				inputs[base].Name, a, inputs[i].Name, b, FormatTimeframe(lcmDuration(tfs[base], d)))
		}
	}
	if base < 0 {
		return 0, nil, newMarketError(ErrTimeframe, "data: cannot detect the timeframe: every symbol has a single candle; set the timeframe option")
	}
	return tfs[base], tfs, nil
}

// lcmDuration returns the least common multiple of two positive durations.
func lcmDuration(a, b time.Duration) time.Duration {
	x, y := a, b
	for y != 0 {
		x, y = y, x%y
	}
	return a / x * b
}

// prepareMark checks the mark's timeframe against the candles' final
// timeframe tf and resamples a finer mark to it. A coarser mark is returned
// as is with its timeframe (coarse > 0): it values funding only.
func prepareMark(name string, mk *Bars, tf time.Duration) (out *Bars, coarse time.Duration, err error) {
	mtf := DetectTimeframe(mk.Time)
	switch {
	case mtf == 0 || mtf == tf:
		return mk, 0, nil
	case mtf > tf:
		return mk, mtf, nil
	case tf%mtf != 0:
		m, c := FormatTimeframe(mtf), FormatTimeframe(tf)
		return nil, 0, newMarketError(ErrTimeframe, "data: %s: cannot resample %s mark candles to the trade candles' %s: %s is not a multiple of %s; resample the candles to a common multiple (timeframe: %s) or leave the mark series out",
			name, m, c, c, m, FormatTimeframe(lcmDuration(mtf, tf)))
	}
	r, err := resampleBars(mk, tf, true)
	if err != nil {
		return nil, 0, symbolError(name+" mark", err)
	}
	return &r, 0, nil
}

// intersectTimes returns a fresh slice of the times present in every
// series, in O(total length).
func intersectTimes(series []Bars) []int64 {
	short := 0
	for i := range series {
		if series[i].Len() < series[short].Len() {
			short = i
		}
	}
	out := append([]int64(nil), series[short].Time...)
	for i := range series {
		if i == short {
			continue
		}
		b := series[i].Time
		n, j := 0, 0
		for _, t := range out {
			for j < len(b) && b[j] < t {
				j++
			}
			if j == len(b) {
				break
			}
			if b[j] == t {
				out[n] = t
				n++
				j++
			}
		}
		out = out[:n]
		if n == 0 {
			break
		}
	}
	return out[:len(out):len(out)]
}

// unionTimes returns a fresh slice of every series' times from the latest
// first time to the latest last time.
func unionTimes(series []Bars) []int64 {
	start := series[0].Time[0]
	for i := range series {
		start = max(start, series[i].Time[0])
	}
	pos := make([]int, len(series))
	for i := range series {
		pos[i] = firstAtOrAfter(series[i].Time, start)
	}
	// Two passes of a K-way merge: count, then fill.
	next := func(pos []int) (int64, bool) {
		var cur int64
		ok := false
		for i := range series {
			if t := series[i].Time; pos[i] < len(t) && (!ok || t[pos[i]] < cur) {
				cur, ok = t[pos[i]], true
			}
		}
		if ok {
			for i := range series {
				if t := series[i].Time; pos[i] < len(t) && t[pos[i]] == cur {
					pos[i]++
				}
			}
		}
		return cur, ok
	}
	p := append([]int(nil), pos...)
	n := 0
	for _, ok := next(p); ok; _, ok = next(p) {
		n++
	}
	out := make([]int64, 0, n)
	for t, ok := next(pos); ok; t, ok = next(pos) {
		out = append(out, t)
	}
	return out
}

// firstAtOrAfter returns the index of the first time ≥ t.
func firstAtOrAfter(times []int64, t int64) int {
	i, _ := slices.BinarySearch(times, t)
	return i
}

// alignCandles copies src onto the timeline tl (Time shares tl). A time src
// has no candle at gets a flat bar at the previous close with zero volume;
// filled counts them, filledAfter those after src's last candle.
func alignCandles(src *Bars, tl []int64) (out Bars, filled, filledAfter int) {
	n := len(tl)
	out = Bars{
		Time:   tl,
		Open:   make([]float64, n),
		High:   make([]float64, n),
		Low:    make([]float64, n),
		Close:  make([]float64, n),
		Volume: make([]float64, n),
	}
	if n == 0 {
		return out, 0, 0
	}
	st := src.Time
	last := st[len(st)-1]
	j := firstAtOrAfter(st, tl[0])
	prev := math.NaN()
	if j > 0 {
		prev = src.Close[j-1]
	}
	for i, t := range tl {
		for j < len(st) && st[j] < t {
			prev = src.Close[j]
			j++
		}
		if j < len(st) && st[j] == t {
			out.Open[i], out.High[i], out.Low[i], out.Close[i], out.Volume[i] =
				src.Open[j], src.High[j], src.Low[j], src.Close[j], src.Volume[j]
			prev = src.Close[j]
			j++
			continue
		}
		p := prev
		if p != p && j < len(st) {
			// No earlier candle (cannot happen for the timelines NewMarket
			// builds): use the next open rather than inventing NaN.
			p = src.Open[j]
		}
		out.Open[i], out.High[i], out.Low[i], out.Close[i] = p, p, p, p
		filled++
		if t > last {
			filledAfter++
		}
	}
	return out, filled, filledAfter
}

// alignMark copies the mark candles at exactly the timeline's times (Time
// shares tl); other rows are NaN in every price and volume column. It
// returns the number of such rows.
func alignMark(src *Bars, tl []int64) (Bars, int) {
	n := len(tl)
	out := barsOn(tl)
	nan := math.NaN()
	st := src.Time
	j, missing := 0, 0
	if n > 0 {
		j = firstAtOrAfter(st, tl[0])
	}
	for i, t := range tl {
		for j < len(st) && st[j] < t {
			j++
		}
		if j < len(st) && st[j] == t {
			out.Open[i], out.High[i], out.Low[i], out.Close[i], out.Volume[i] =
				src.Open[j], src.High[j], src.Low[j], src.Close[j], src.Volume[j]
			j++
			continue
		}
		out.Open[i], out.High[i], out.Low[i], out.Close[i], out.Volume[i] = nan, nan, nan, nan, nan
		missing++
	}
	return out, missing
}

// clipFunding copies the events of f in [from, to) (none when !span), with
// their coarse marks when f has them. Time and Rate are never nil.
func clipFunding(f *Funding, from, to int64, span bool) Funding {
	if !span {
		return Funding{Time: []int64{}, Rate: []float64{}}
	}
	i := firstAtOrAfter(f.Time, from)
	j := firstAtOrAfter(f.Time, to)
	if j < i {
		j = i
	}
	out := Funding{
		Time: append([]int64{}, f.Time[i:j]...),
		Rate: append([]float64{}, f.Rate[i:j]...),
	}
	if f.Mark != nil && len(f.Mark) == len(f.Time) {
		out.Mark = append([]float64{}, f.Mark[i:j]...)
	}
	return out
}

// noCommonPeriodError lists every symbol's span when the intersection is
// empty.
func noCommonPeriodError(inputs []SymbolInput, candles []Bars) error {
	var b strings.Builder
	latestFirst, earliestLast := candles[0].Time[0], candles[0].Time[candles[0].Len()-1]
	for i := range candles {
		t := candles[i].Time
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s %s to %s", inputs[i].Name, FormatTime(t[0]), FormatTime(t[len(t)-1]))
		latestFirst = max(latestFirst, t[0])
		earliestLast = min(earliestLast, t[len(t)-1])
	}
	hint := "use --align union or choose a time range every symbol covers"
	if latestFirst <= earliestLast {
		hint = "the ranges overlap but no candle time is shared by every symbol (are the candles on different grids?); " + hint
	}
	return newMarketError(ErrNoCommonPeriod, "data: no candle time is common to all symbols (%s): %s", b.String(), hint)
}
