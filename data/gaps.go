package data

import (
	"math"
	"slices"
	"time"
)

// fundingGaps returns the funding times in (t0, tl] for which the events ev
// (strictly increasing, interval iv > 0) have no event: before the first
// event (ev[0] − k·iv), after the last (ev[n−1] + k·iv), and in every hole
// wider than 1.5 intervals (its round(width/iv) − 1 missing times). The
// first bar t0 needs no funding: an event due then finds no position.
func fundingGaps(ev []int64, iv time.Duration, t0, tl int64) []Gap {
	step := int64(iv)
	if len(ev) == 0 || step <= 0 || tl <= t0 {
		return nil
	}
	var out []Gap
	add := func(base, kmin, kmax int64, prev, next int, hasPrev, hasNext bool) {
		first, last, n, ok := seqIn(base, step, kmin, kmax, t0, tl)
		if !ok {
			return
		}
		g := Gap{First: first, Last: last, Count: n, End: first, Start: last}
		if hasPrev {
			g.Prev, g.HasPrev = ev[prev], true
		}
		if hasNext {
			g.Next, g.HasNext = ev[next], true
		}
		fromStart, toEnd := first-step <= t0, last+step > tl
		switch {
		case fromStart && toEnd:
			g.Place = GapAll
		case fromStart:
			g.Place = GapStart
		case toEnd:
			g.Place = GapEnd
		default:
			g.Place = GapHole
		}
		out = append(out, g)
	}
	add(ev[0], math.MinInt64, -1, 0, 0, false, true)
	for k := 0; k+1 < len(ev); k++ {
		d := ev[k+1] - ev[k]
		if d <= step+step/2 {
			continue
		}
		n := (d + step/2) / step // the number of intervals the hole spans
		add(ev[k], 1, n-1, k, k+1, true, true)
	}
	last := len(ev) - 1
	add(ev[last], 1, math.MaxInt64, last, 0, true, false)
	return out
}

// seqIn returns the first and last of the times base + k·step, kmin ≤ k ≤
// kmax, that lie in (lo, hi], and how many there are (step > 0).
func seqIn(base, step, kmin, kmax, lo, hi int64) (first, last int64, n int, ok bool) {
	// k > (lo − base)/step and k ≤ (hi − base)/step.
	k1 := max(kmin, floorDiv(lo-base, step)+1)
	k2 := min(kmax, floorDiv(hi-base, step))
	if k1 > k2 {
		return 0, 0, 0, false
	}
	return base + k1*step, base + k2*step, int(k2 - k1 + 1), true
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// runGaps groups the entries of needed (increasing times) that are missing
// into gaps of consecutive entries. series holds the times the series has
// (increasing), for each gap's neighbours; startOf gives the period start
// that leaves a gap ending at last out.
func runGaps(needed []int64, missing func(i int) bool, series []int64, startOf func(last int64) int64) []Gap {
	var out []Gap
	for i := 0; i < len(needed); {
		if !missing(i) {
			i++
			continue
		}
		j := i
		for j+1 < len(needed) && missing(j+1) {
			j++
		}
		g := Gap{First: needed[i], Last: needed[j], Count: j - i + 1, End: needed[i], Start: startOf(needed[j])}
		switch {
		case i == 0 && j == len(needed)-1:
			g.Place = GapAll
		case i == 0:
			g.Place = GapStart
		case j == len(needed)-1:
			g.Place = GapEnd
		default:
			g.Place = GapHole
		}
		if k, _ := slices.BinarySearch(series, g.First); k > 0 {
			g.Prev, g.HasPrev = series[k-1], true
		}
		if k, found := slices.BinarySearch(series, g.Last); found && k+1 < len(series) {
			g.Next, g.HasNext = series[k+1], true
		} else if !found && k < len(series) {
			g.Next, g.HasNext = series[k], true
		}
		out = append(out, g)
		i = j + 1
	}
	return out
}

// markGaps returns the bars of the timeline tl whose aligned mark mk is
// missing (NaN open), among the bars the symbol has a candle at (own: its
// candle times; bars filled under AlignUnion need no mark). series is the
// mark's own times.
func markGaps(mk *Bars, tl, own, series []int64, tf time.Duration) []Gap {
	needed := make([]int64, 0, len(tl))
	rows := make([]int, 0, len(tl))
	j := 0
	for i, t := range tl {
		for j < len(own) && own[j] < t {
			j++
		}
		if j < len(own) && own[j] == t {
			needed = append(needed, t)
			rows = append(rows, i)
		}
	}
	return runGaps(needed, func(k int) bool { return math.IsNaN(mk.Open[rows[k]]) }, series,
		func(last int64) int64 { return addSaturating(last, int64(tf)) })
}

// coarseMarkGaps returns the funding times in (t0, tl] whose coarse mark
// (f.Mark) is NaN. series is the coarse mark's times.
func coarseMarkGaps(f *Funding, series []int64, t0, tl int64) []Gap {
	i := firstAtOrAfter(f.Time, t0)
	if i < len(f.Time) && f.Time[i] == t0 {
		i++
	}
	j := firstAtOrAfter(f.Time, tl)
	if j < len(f.Time) && f.Time[j] == tl {
		j++
	}
	if j <= i {
		return nil
	}
	mk := f.Mark[i:j]
	return runGaps(f.Time[i:j], func(k int) bool { return math.IsNaN(mk[k]) }, series, func(last int64) int64 { return last })
}

// fundingCoverage measures what the (snapped, whole) funding series f leaves
// uncovered of the timeline tl; nil when nothing, or when f is empty.
func fundingCoverage(name string, f *Funding, tl []int64) *CoverageError {
	if len(f.Time) == 0 {
		return nil
	}
	iv := FundingInterval(f.Time)
	gaps := fundingGaps(f.Time, iv, tl[0], tl[len(tl)-1])
	if len(gaps) == 0 {
		return nil
	}
	return &CoverageError{Symbol: name, Kind: KindFunding, Interval: iv,
		SeriesFirst: f.Time[0], SeriesLast: f.Time[len(f.Time)-1], Gaps: gaps}
}

// markCoverage measures which bars of tl that the symbol has a candle at
// (own) the aligned mark mk misses; series is the prepared mark (at the
// market's timeframe tf).
func markCoverage(name string, mk *Bars, tl, own []int64, series *Bars, tf time.Duration) *CoverageError {
	gaps := markGaps(mk, tl, own, series.Time, tf)
	if len(gaps) == 0 {
		return nil
	}
	e := &CoverageError{Symbol: name, Kind: KindMark, Interval: tf, Gaps: gaps, Empty: series.Len() == 0}
	if !e.Empty {
		e.SeriesFirst, e.SeriesLast = series.Time[0], series.Time[series.Len()-1]
	}
	return e
}
