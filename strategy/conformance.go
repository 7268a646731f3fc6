package strategy

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/marginlab/marginlab/backtest"
	"github.com/marginlab/marginlab/data"
)

// Errors CheckConformance wraps, for callers that branch on the kind of
// failure.
var (
	// ErrLookAhead: an intent changed when the bars after it were removed.
	ErrLookAhead = errors.New("strategy: looks ahead")
	// ErrNondeterministic: two runs over the same market differ.
	ErrNondeterministic = errors.New("strategy: not deterministic")
	// ErrInvalidIntent: an intent with a side other than −1, 0, +1, a
	// weight outside [0, 1] or a stop outside [0, 1).
	ErrInvalidIntent = errors.New("strategy: invalid intent")
	// ErrPanic: the strategy panicked.
	ErrPanic = errors.New("strategy: panicked")
)

// defaultCuts is the number of evenly spaced cuts CheckConformance makes
// when given none (plus the first three bars).
const defaultCuts = 20

// CheckConformance checks that a strategy uses only what its View shows
// and is deterministic. newStrategy must return a fresh strategy on every
// call. The check
//
//  1. runs a fresh strategy over every bar of m, recording the intents
//     after each bar, and a second fresh one, failing (ErrNondeterministic)
//     if the two records differ anywhere;
//  2. for each cut k, runs a fresh strategy over m truncated to bars 0..k
//     (Time, every symbol's Candles and Mark, and the funding events at or
//     before bar k's close time) and fails (ErrLookAhead) if the intents of
//     any bar up to k differ from the full run's;
//  3. fails (ErrInvalidIntent) on an intent with a side other than −1, 0,
//     +1, a weight outside [0, 1] or a stop outside [0, 1), and (ErrPanic)
//     when the strategy panics.
//
// The first failure is returned; its message names the strategy (its
// String method, else its type), the bar, its time and the symbol.
//
// The truncated markets are capped copies: a strategy that reslices a
// View's series past its length panics there instead of reading the
// future. To catch a strategy that reads a market it captured itself (in a
// closure) rather than its View, CheckConformance overwrites m's prices,
// volumes and funding rates after the cut while it runs the truncated
// market, and restores them before it returns: m must not be read by
// anything else during the check. Times are never changed. All the runs
// read a private copy of m.
//
// cuts are bar indices in [0, len(m.Time)); nil means the first three bars
// and 20 more spread evenly over the market.
func CheckConformance(newStrategy func() backtest.Strategy, m *data.Market, cuts []int) error {
	n := len(m.Time)
	if n == 0 || len(m.Symbols) == 0 {
		return errors.New("strategy: conformance: the market has no bars or no symbols")
	}
	if cuts == nil {
		cuts = evenCuts(n, defaultCuts)
	}
	cuts = slices.Clone(cuts)
	slices.Sort(cuts)
	cuts = slices.Compact(cuts)
	for _, k := range cuts {
		if k < 0 || k >= n {
			return fmt.Errorf("strategy: conformance: cut %d outside the market's bars [0, %d]", k, n-1)
		}
	}

	ref := cloneMarket(m)
	first, name, err := record(newStrategy, ref, "")
	if err != nil {
		return err
	}
	if err := checkIntents(name, ref, first); err != nil {
		return err
	}
	second, _, err := record(newStrategy, ref, "")
	if err != nil {
		return err
	}
	if b, s, ok := firstDiff(first, second, len(m.Symbols)); ok {
		S := len(m.Symbols)
		return fmt.Errorf("%w: %s: two runs over the same market differ at bar %d (%s), symbol %s: %s then %s",
			ErrNondeterministic, name, b, data.FormatTime(ref.Time[b]), ref.Symbols[s].Name,
			formatIntent(first[b*S+s]), formatIntent(second[b*S+s]))
	}

	defer restoreMarket(m, ref, 0)
	S := len(m.Symbols)
	for _, k := range cuts {
		poisonMarket(m, ref, k)
		cut := truncateMarket(ref, k)
		got, _, err := record(newStrategy, cut, fmt.Sprintf(" with the market cut after bar %d", k))
		restoreMarket(m, ref, k)
		if err != nil {
			return err
		}
		if b, s, ok := firstDiff(got, first[:len(got)], S); ok {
			return fmt.Errorf("%w: %s: with the market cut after bar %d (%s), its intent at bar %d (%s) for symbol %s is %s; with the full market %s",
				ErrLookAhead, name, k, data.FormatTime(ref.Time[k]), b, data.FormatTime(ref.Time[b]), ref.Symbols[s].Name,
				formatIntent(got[b*S+s]), formatIntent(first[b*S+s]))
		}
	}
	return nil
}

// evenCuts returns bars 0, 1, 2 and count bars spread evenly over
// [0, n−1], the last bar included, sorted and without duplicates.
func evenCuts(n, count int) []int {
	cuts := []int{0, 1, 2}
	for j := 1; j <= count; j++ {
		cuts = append(cuts, int(int64(n-1)*int64(j)/int64(count)))
	}
	for i := range cuts {
		cuts[i] = min(cuts[i], n-1)
	}
	slices.Sort(cuts)
	return slices.Compact(cuts)
}

// strategyName returns s's String(), or its type.
func strategyName(s backtest.Strategy) string {
	if st, ok := s.(fmt.Stringer); ok {
		return st.String()
	}
	return fmt.Sprintf("%T", s)
}

// record runs a fresh strategy over every bar of m and returns the intents
// after each bar (bar-major: bar b, symbol s at b×S+s) and the strategy's
// name. A panic becomes an error naming the bar; where says which run it
// was.
func record(newStrategy func() backtest.Strategy, m *data.Market, where string) (out []backtest.Intent, name string, err error) {
	st := newStrategy()
	if st == nil {
		return nil, "", errors.New("strategy: conformance: newStrategy returned nil")
	}
	name = strategyName(st)
	S, n := len(m.Symbols), len(m.Time)
	out = make([]backtest.Intent, 0, n*S)
	intents := make([]backtest.Intent, S)
	bar := 0
	defer func() {
		if r := recover(); r != nil {
			out = nil
			err = fmt.Errorf("%w: %s at bar %d (%s)%s: %v", ErrPanic, name, bar, data.FormatTime(m.Time[bar]), where, r)
		}
	}()
	for ; bar < n; bar++ {
		st.Decide(backtest.NewView(m, bar), intents)
		out = append(out, intents...)
	}
	return out, name, nil
}

// checkIntents reports the first invalid intent of a record.
func checkIntents(name string, m *data.Market, rec []backtest.Intent) error {
	S := len(m.Symbols)
	for j, in := range rec {
		ok := (in.Side == -1 || in.Side == 0 || in.Side == 1) &&
			in.Weight >= 0 && in.Weight <= 1 && in.Stop >= 0 && in.Stop < 1
		if !ok {
			b, s := j/S, j%S
			return fmt.Errorf("%w: %s: bar %d (%s), symbol %s: %s (want side −1, 0 or +1, weight in [0, 1], stop in [0, 1))",
				ErrInvalidIntent, name, b, data.FormatTime(m.Time[b]), m.Symbols[s].Name, formatIntent(in))
		}
	}
	return nil
}

// firstDiff returns the bar and symbol of the first intent that differs
// between a and b (compared bit for bit, so NaN equals NaN).
func firstDiff(a, b []backtest.Intent, symbols int) (bar, sym int, found bool) {
	for j := range a {
		x, y := a[j], b[j]
		if x.Side != y.Side || math.Float64bits(x.Weight) != math.Float64bits(y.Weight) ||
			math.Float64bits(x.Stop) != math.Float64bits(y.Stop) {
			return j / symbols, j % symbols, true
		}
	}
	return 0, 0, false
}

// formatIntent shows an intent as "flat", "long", "short, stop 0.02" or
// "long, weight 0.5"; weight 1 and stop 0 are left out (weight and stop
// too for the zero intent).
func formatIntent(in backtest.Intent) string {
	var b strings.Builder
	switch in.Side {
	case 1:
		b.WriteString("long")
	case -1:
		b.WriteString("short")
	case 0:
		b.WriteString("flat")
	default:
		fmt.Fprintf(&b, "side %d", in.Side)
	}
	if in.Weight != 1 && (in.Side != 0 || in.Weight != 0) {
		b.WriteString(", weight " + formatValue(in.Weight))
	}
	if in.Stop != 0 {
		b.WriteString(", stop " + formatValue(in.Stop))
	}
	return b.String()
}

// cloneMarket returns a deep copy of m's value columns; times are shared
// (read-only everywhere).
func cloneMarket(m *data.Market) *data.Market {
	c := &data.Market{Time: m.Time, Timeframe: m.Timeframe, Symbols: make([]data.Symbol, len(m.Symbols))}
	for i := range m.Symbols {
		s := &m.Symbols[i]
		cs := &c.Symbols[i]
		cs.Name = s.Name
		cs.Candles = cloneValues(s.Candles)
		if s.Mark != nil {
			mk := cloneValues(*s.Mark)
			cs.Mark = &mk
		}
		cs.Funding = data.Funding{Time: s.Funding.Time, Rate: slices.Clone(s.Funding.Rate)}
	}
	return c
}

// cloneValues copies b's value columns and shares its times.
func cloneValues(b data.Bars) data.Bars {
	return data.Bars{Time: b.Time, Open: slices.Clone(b.Open), High: slices.Clone(b.High),
		Low: slices.Clone(b.Low), Close: slices.Clone(b.Close), Volume: slices.Clone(b.Volume)}
}

// truncateMarket returns m cut to bars 0..k, sharing m's memory, with
// every slice's capacity capped at its length.
func truncateMarket(m *data.Market, k int) *data.Market {
	n := k + 1
	closeTime := m.Time[k] + int64(m.Timeframe)
	c := &data.Market{Time: m.Time[:n:n], Timeframe: m.Timeframe, Symbols: make([]data.Symbol, len(m.Symbols))}
	for i := range m.Symbols {
		s := &m.Symbols[i]
		cs := &c.Symbols[i]
		cs.Name = s.Name
		cs.Candles = capBars(s.Candles, n)
		if s.Mark != nil {
			mk := capBars(*s.Mark, n)
			cs.Mark = &mk
		}
		f := s.Funding
		j, _ := slices.BinarySearch(f.Time, closeTime+1) // events at or before closeTime
		cs.Funding = data.Funding{Time: f.Time[:j:j], Rate: f.Rate[:j:j]}
	}
	return c
}

// capBars returns the first n bars of b with capacity n.
func capBars(b data.Bars, n int) data.Bars {
	return data.Bars{Time: b.Time[:n:n], Open: b.Open[:n:n], High: b.High[:n:n],
		Low: b.Low[:n:n], Close: b.Close[:n:n], Volume: b.Volume[:n:n]}
}

// poisonMarket overwrites m's values after bar k (and its funding rates
// after bar k's close) with values computed from the pristine copy ref:
// each price or volume x becomes 2·x_k − x (reflected about the column's
// value at bar k, so a rise becomes a fall) and each rate r becomes −r.
// Values are computed from ref, never from m, so series that share memory
// are poisoned consistently.
func poisonMarket(m, ref *data.Market, k int) {
	for i := range m.Symbols {
		s, r := &m.Symbols[i], &ref.Symbols[i]
		poisonBars(&s.Candles, &r.Candles, k)
		if s.Mark != nil && r.Mark != nil {
			poisonBars(s.Mark, r.Mark, k)
		}
		from := fundingAfter(r.Funding, ref, k)
		for j := from; j < len(r.Funding.Rate); j++ {
			s.Funding.Rate[j] = -r.Funding.Rate[j]
		}
	}
}

func poisonBars(dst, src *data.Bars, k int) {
	for _, c := range [...][2][]float64{{dst.Open, src.Open}, {dst.High, src.High}, {dst.Low, src.Low},
		{dst.Close, src.Close}, {dst.Volume, src.Volume}} {
		d, s := c[0], c[1]
		for j := k + 1; j < len(s); j++ {
			d[j] = 2*s[k] - s[j]
		}
	}
}

// restoreMarket copies ref's values after bar k back into m.
func restoreMarket(m, ref *data.Market, k int) {
	for i := range m.Symbols {
		s, r := &m.Symbols[i], &ref.Symbols[i]
		restoreBars(&s.Candles, &r.Candles, k)
		if s.Mark != nil && r.Mark != nil {
			restoreBars(s.Mark, r.Mark, k)
		}
		from := fundingAfter(r.Funding, ref, k)
		copy(s.Funding.Rate[from:], r.Funding.Rate[from:])
	}
}

func restoreBars(dst, src *data.Bars, k int) {
	copy(dst.Open[k+1:], src.Open[k+1:])
	copy(dst.High[k+1:], src.High[k+1:])
	copy(dst.Low[k+1:], src.Low[k+1:])
	copy(dst.Close[k+1:], src.Close[k+1:])
	copy(dst.Volume[k+1:], src.Volume[k+1:])
}

// fundingAfter returns the index of f's first event after bar k's close.
func fundingAfter(f data.Funding, m *data.Market, k int) int {
	j, _ := slices.BinarySearch(f.Time, m.Time[k]+int64(m.Timeframe)+1)
	return j
}
