package backtest

import "github.com/marginlab/marginlab/data"

// IntentChange is one change of one symbol's intent, decided at the close
// of Bar and executed at the next bar's open.
type IntentChange struct {
	Bar    int
	Symbol int
	Intent Intent
}

// Intents is a strategy's whole decision stream over a market: the changes
// only, in bar order. It is computed once and replayed under every margin
// mode, so the modes differ in margin alone.
type Intents struct {
	Changes []IntentChange
	Symbols int
	Bars    int
}

// Decide runs strategy s over every bar of m and records its intents.
func Decide(m *data.Market, s Strategy) *Intents {
	return DecideInto(&Intents{}, m, s)
}

// DecideInto is Decide reusing out's storage (its earlier contents are
// discarded), for callers that decide many streams in turn, such as sweeps.
func DecideInto(out *Intents, m *data.Market, s Strategy) *Intents {
	n := len(m.Symbols)
	cur := make([]Intent, n)
	prev := make([]Intent, n)
	*out = Intents{Changes: out.Changes[:0], Symbols: n, Bars: len(m.Time)}
	v := &View{m: m}
	for i := range m.Time {
		v.i = i
		s.Decide(v, cur)
		for k := range cur {
			if cur[k] != prev[k] {
				out.Changes = append(out.Changes, IntentChange{Bar: i, Symbol: k, Intent: cur[k]})
				prev[k] = cur[k]
			}
		}
	}
	return out
}
