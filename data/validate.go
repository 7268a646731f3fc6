package data

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"time"
)

// finish turns the collected columns into s: nulls per the policy, per-row
// value checks (in file order, so errors name the file's own rows), then time
// order, duplicates, gaps, and the optional gap fill.
// plausibleFrom is 2009-01-01 UTC, before any market data marginlab can
// meet (Bitcoin's first block): earlier times mean a misread time column.
const plausibleFrom = 1230768000 * int64(time.Second)

// earlyTimes is the warning for a series that starts before plausibleFrom,
// naming the epoch unit used for integer times and whether it was given.
func (a *accum) earlyTimes(first int64) error {
	msg := fmt.Sprintf("times start at %s, before any plausible market data (2009)", FormatTime(first))
	switch u := a.conv.epochUnit; {
	case u != 0 && a.opt.EpochUnit == 0:
		msg += fmt.Sprintf(": the integer times were read as %s since 1970, a unit inferred from their size; give the unit (--epoch-unit) if that is wrong", epochUnitName(u))
	case u != 0:
		msg += fmt.Sprintf(": the integer times were read as %s since 1970, as asked", epochUnitName(u))
	default:
		msg += ": check the time column"
	}
	return errors.New(msg)
}

// epochUnitName names an epoch unit in words.
func epochUnitName(u time.Duration) string {
	switch u {
	case time.Second:
		return "seconds"
	case time.Millisecond:
		return "milliseconds"
	case time.Microsecond:
		return "microseconds"
	case time.Nanosecond:
		return "nanoseconds"
	}
	return u.String() + " units"
}

func (a *accum) finish(s *Series) error {
	s.Kind, s.TimeColumn = a.p.kind, a.p.names[roleTime]
	if a.rows == 0 {
		return fileError(a.file, ErrEmpty, "the file has a header but no rows", "")
	}
	if err := a.applyNulls(s); err != nil {
		return err
	}
	if err := a.checkValues(); err != nil {
		return err
	}
	if err := a.order(s); err != nil {
		return err
	}
	n := len(a.time)
	if s.Kind == KindFunding {
		s.Funding = Funding{Time: a.time, Rate: a.vals[roleRate]}
	} else {
		vol := a.vals[roleVolume]
		if vol == nil {
			vol = make([]float64, n)
			if s.Kind == KindCandles {
				s.Warnings = append(s.Warnings, fmt.Errorf("no volume column: volume set to 0"))
			}
		}
		s.Bars = Bars{Time: a.time, Open: a.vals[roleOpen], High: a.vals[roleHigh], Low: a.vals[roleLow], Close: a.vals[roleClose], Volume: vol}
	}
	if n > 0 && a.time[0] < plausibleFrom {
		s.Warnings = append(s.Warnings, a.earlyTimes(a.time[0]))
	}
	s.Timeframe = DetectTimeframe(a.time)
	s.Gaps = findGaps(a.time, s.Timeframe)
	if s.Gaps.Count > 0 {
		if a.opt.FillGaps && s.Kind != KindFunding {
			s.Bars = fillGaps(s.Bars, s.Timeframe, s.Gaps.Missing)
			s.Warnings = append(s.Warnings, fmt.Errorf("filled %d gaps with %d flat %s bars", s.Gaps.Count, s.Gaps.Missing, FormatTimeframe(s.Timeframe)))
		} else {
			hint := ""
			if s.Kind != KindFunding {
				hint = "; --fill-gaps fills them with flat bars"
			}
			s.Warnings = append(s.Warnings, fmt.Errorf("%d gaps, %d missing %s rows, largest step %s before %s%s",
				s.Gaps.Count, s.Gaps.Missing, FormatTimeframe(s.Timeframe), FormatDuration(s.Gaps.Largest), FormatTime(s.Gaps.LargestAt), hint))
		}
	}
	if s.Kind == KindFunding {
		for i, r := range s.Funding.Rate {
			if math.Abs(r) > 0.1 {
				s.Warnings = append(s.Warnings, fmt.Errorf("funding rate %g at %s is over 10 %% per interval: rates must be fractions (0.0001 = 0.01 %%), not percentages", r, FormatTime(s.Funding.Time[i])))
				break
			}
		}
	}
	return nil
}

// rowErr builds an InputError for row i of role r, with its time if known.
func (a *accum) rowErr(r role, i int, err error, detail, hint string) *InputError {
	e := rowError(a.file, a.p.names[r], i, 0, false, err, detail, hint)
	if i >= 0 && i < len(a.time) && !slices.Contains(a.nulls[roleTime], i) {
		e.Time, e.HasTime = a.time[i], true
	}
	if a.line != nil && i >= 0 {
		e.Line = a.line(i)
	}
	return e
}

const nullHint = "fill or drop the nulls in the file, or choose a null policy (--nulls fill|drop)"

// applyNulls enforces the null policy. Nulls were recorded per role in
// increasing row order.
func (a *accum) applyNulls(s *Series) error {
	first, firstRole := -1, role(0)
	for r := range a.nulls {
		if len(a.nulls[r]) > 0 && (first < 0 || a.nulls[r][0] < first) {
			first, firstRole = a.nulls[r][0], role(r)
		}
	}
	if first < 0 {
		return nil
	}
	switch a.opt.Nulls {
	case NullsDrop:
		drop := make([]bool, a.rows)
		count := 0
		for r := range a.nulls {
			for _, i := range a.nulls[r] {
				if !drop[i] {
					drop[i] = true
					count++
				}
			}
		}
		a.compact(func(i int) bool { return !drop[i] })
		a.nulls = [nRoles][]int{}
		s.Warnings = append(s.Warnings, fmt.Errorf("dropped %d rows with nulls", count))
		if len(a.time) == 0 {
			return fileError(a.file, ErrEmpty, "every row has a null", nullHint)
		}
		return nil
	case NullsFill:
		if len(a.nulls[roleTime]) > 0 {
			return a.rowErr(roleTime, a.nulls[roleTime][0], ErrNull, "", "a null time cannot be filled; drop those rows (--nulls drop)")
		}
		if first == 0 {
			return a.rowErr(firstRole, 0, ErrNull, "", "a null in the first row has no previous value to fill from; drop it (--nulls drop)")
		}
		// Close first, in increasing row order, so that a price fill reads a
		// previous close that is itself already filled.
		filled := 0
		rows := map[int]bool{}
		for _, r := range []role{roleClose, roleOpen, roleHigh, roleLow, roleVolume, roleRate} {
			v := a.vals[r]
			for _, i := range a.nulls[r] {
				switch r {
				case roleVolume:
					v[i] = 0
				case roleRate:
					v[i] = v[i-1]
				default:
					v[i] = a.vals[roleClose][i-1]
				}
				filled++
				rows[i] = true
			}
		}
		a.nulls = [nRoles][]int{}
		s.Warnings = append(s.Warnings, fmt.Errorf("filled %d null values in %d rows", filled, len(rows)))
		return nil
	}
	return a.rowErr(firstRole, first, ErrNull, "", nullHint)
}

// compact keeps the rows for which keep is true, in order, in every column.
func (a *accum) compact(keep func(i int) bool) {
	j := 0
	for i := range a.time {
		if !keep(i) {
			continue
		}
		a.time[j] = a.time[i]
		for r := roleOpen; r < nRoles; r++ {
			if a.vals[r] != nil {
				a.vals[r][j] = a.vals[r][i]
			}
		}
		j++
	}
	a.time = a.time[:j]
	for r := roleOpen; r < nRoles; r++ {
		if a.vals[r] != nil {
			a.vals[r] = a.vals[r][:j]
		}
	}
	a.rows = j
}

// The range of prices marginlab accepts, in quote units: the money ledger
// keeps 8 decimal places, and outside this range a price is a unit mistake
// (cents for dollars, a per-token price of a token quoted per 1,000) or
// garbage, whose results would be numbers without meaning.
const (
	MinPrice = 1e-9
	MaxPrice = 1e9
)

// MaxFundingRate bounds a funding rate's size (a fraction per interval):
// venues cap rates at a few percent; 1 (100 %) is far outside.
const MaxFundingRate = 1.0

// checkValues checks every row's values: prices in [MinPrice, MaxPrice]
// and OHLC consistent for candles, volume finite and non-negative, funding
// rates within ±MaxFundingRate. One fused pass; the slow diagnosis runs
// only on a failing row.
func (a *accum) checkValues() error {
	inf := math.Inf(1)
	if a.p.kind == KindFunding {
		for i, v := range a.vals[roleRate] {
			if !(math.Abs(v) <= MaxFundingRate) {
				return a.rowErr(roleRate, i, ErrBadValue, fmt.Sprintf("rate %v", v),
					"funding rates are finite fractions per interval (0.0001 = 0.01 %) within ±1; was this column in percent or basis points?")
			}
		}
		return nil
	}
	o, h, l, c := a.vals[roleOpen], a.vals[roleHigh], a.vals[roleLow], a.vals[roleClose]
	n := len(o)
	h, l, c = h[:n], l[:n], c[:n]
	for i := range n {
		oi, hi, li, ci := o[i], h[i], l[i], c[i]
		// Implies every price is in range (NaN fails every comparison).
		if li >= MinPrice && hi <= MaxPrice && li <= oi && li <= ci && oi <= hi && ci <= hi {
			continue
		}
		return a.diagnoseRow(i)
	}
	if v := a.vals[roleVolume]; v != nil {
		for i, x := range v {
			if !(x >= 0 && x < inf) {
				return a.rowErr(roleVolume, i, ErrBadValue, fmt.Sprintf("volume %v", x), "volume must be finite and not negative")
			}
		}
	}
	return nil
}

func (a *accum) diagnoseRow(i int) error {
	for _, r := range []role{roleOpen, roleHigh, roleLow, roleClose} {
		v := a.vals[r][i]
		switch {
		case !(v > 0) || math.IsInf(v, 0):
			return a.rowErr(r, i, ErrBadPrice, fmt.Sprintf("%s %v", roleNames[r], v), "prices must be finite and greater than 0; fix or drop the row")
		case !(v >= MinPrice && v <= MaxPrice):
			return a.rowErr(r, i, ErrBadPrice, fmt.Sprintf("%s %v", roleNames[r], v),
				fmt.Sprintf("prices must lie in [%g, %g] quote units, where results keep their precision; check the column's unit, or quote the token per 1,000 (as 1000PEPE)", MinPrice, MaxPrice))
		}
	}
	o, h, l, c := a.vals[roleOpen][i], a.vals[roleHigh][i], a.vals[roleLow][i], a.vals[roleClose][i]
	hint := "need low ≤ min(open, close) and high ≥ max(open, close); fix the row or its source"
	switch {
	case l > o:
		return a.rowErr(roleLow, i, ErrOHLC, fmt.Sprintf("low %v > open %v", l, o), hint)
	case l > c:
		return a.rowErr(roleLow, i, ErrOHLC, fmt.Sprintf("low %v > close %v", l, c), hint)
	case h < o:
		return a.rowErr(roleHigh, i, ErrOHLC, fmt.Sprintf("high %v < open %v", h, o), hint)
	default:
		return a.rowErr(roleHigh, i, ErrOHLC, fmt.Sprintf("high %v < close %v", h, c), hint)
	}
}

// order makes times strictly increasing, sorting and dropping duplicates
// only when asked.
func (a *accum) order(s *Series) error {
	t := a.time
	inversions, dups := 0, 0
	firstInv, firstDup := -1, -1
	for i := 1; i < len(t); i++ {
		switch {
		case t[i] < t[i-1]:
			inversions++
			if firstInv < 0 {
				firstInv = i
			}
		case t[i] == t[i-1]:
			dups++
			if firstDup < 0 {
				firstDup = i
			}
		}
	}
	if inversions == 0 && dups == 0 {
		return nil
	}
	perm := []int(nil) // file row of each position, when sorted
	if inversions > 0 {
		if !a.opt.Sort {
			return a.rowErr(roleTime, firstInv, ErrUnsorted,
				fmt.Sprintf("%s comes after %s in row %d", FormatTime(t[firstInv]), FormatTime(t[firstInv-1]), firstInv-1),
				"sort the file by time, or pass --sort")
		}
		perm = make([]int, len(t))
		for i := range perm {
			perm[i] = i
		}
		sort.SliceStable(perm, func(x, y int) bool { return t[perm[x]] < t[perm[y]] })
		a.permute(perm)
		t = a.time
		s.Warnings = append(s.Warnings, fmt.Errorf("sorted %d out-of-order rows by time", inversions))
		dups, firstDup = 0, -1
		for i := 1; i < len(t); i++ {
			if t[i] == t[i-1] {
				dups++
				if firstDup < 0 {
					firstDup = i
				}
			}
		}
		if dups == 0 {
			return nil
		}
	}
	if !a.opt.Dedupe {
		row := firstDup
		if perm != nil {
			row = perm[firstDup]
		}
		return a.rowErr(roleTime, row, ErrDuplicate,
			fmt.Sprintf("%s appears more than once", FormatTime(t[firstDup])),
			"remove the duplicate rows, or pass --dedupe to keep the last of each")
	}
	// Keep the last row of each run of equal times.
	a.compact(func(i int) bool { return i == len(t)-1 || t[i+1] != t[i] })
	s.Warnings = append(s.Warnings, fmt.Errorf("dropped %d rows with duplicate times, keeping the last of each", dups))
	return nil
}

// permute reorders every column so that row i becomes old row perm[i].
func (a *accum) permute(perm []int) {
	tt := make([]int64, len(perm))
	for i, p := range perm {
		tt[i] = a.time[p]
	}
	a.time = tt
	for r := roleOpen; r < nRoles; r++ {
		if v := a.vals[r]; v != nil {
			nv := make([]float64, len(perm))
			for i, p := range perm {
				nv[i] = v[p]
			}
			a.vals[r] = nv
		}
	}
}

// findGaps counts steps longer than the timeframe. Steps of a second or more
// are rounded to the second first, as in DetectTimeframe.
func findGaps(t []int64, tf time.Duration) Gaps {
	var g Gaps
	if tf <= 0 {
		return g
	}
	step := int64(tf)
	for i := 1; i < len(t); i++ {
		d := roundStep(t[i] - t[i-1])
		if d <= step {
			continue
		}
		missing := int((d+step/2)/step) - 1
		if missing < 1 {
			continue
		}
		g.Count++
		g.Missing += missing
		if time.Duration(d) > g.Largest {
			g.Largest, g.LargestAt = time.Duration(d), t[i]
		}
	}
	return g
}

// fillGaps returns b with flat bars inserted where candles are missing: at
// every whole timeframe step inside a gap, priced at the previous close.
func fillGaps(b Bars, tf time.Duration, missing int) Bars {
	out := MakeBars(0)
	n := b.Len() + missing
	out.Time = make([]int64, 0, n)
	out.Open, out.High, out.Low = make([]float64, 0, n), make([]float64, 0, n), make([]float64, 0, n)
	out.Close, out.Volume = make([]float64, 0, n), make([]float64, 0, n)
	step := int64(tf)
	for i := range b.Time {
		if i > 0 {
			prevClose := b.Close[i-1]
			for t := b.Time[i-1] + step; t+step/2 < b.Time[i]; t += step {
				out.appendRow(t, prevClose, prevClose, prevClose, prevClose, 0)
			}
		}
		out.appendRow(b.Time[i], b.Open[i], b.High[i], b.Low[i], b.Close[i], b.Volume[i])
	}
	return out
}
