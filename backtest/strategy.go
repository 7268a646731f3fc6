package backtest

import (
	"sort"

	"github.com/marginlab/marginlab/data"
)

// Intent is what a strategy wants for one symbol from the next bar's open
// on: a direction, a relative size for the sizer, and an optional stop.
type Intent struct {
	Side   int     // +1 long, −1 short, 0 flat
	Weight float64 // relative size in (0, 1] that the sizer scales; 0 means 1
	Stop   float64 // stop distance as a fraction of the fill price (0.02 = 2 %); 0: none
}

// View is what a strategy may see at the close of bar I: every series up to
// and including bar I, and nothing later.
type View struct {
	m *data.Market
	i int
}

// NewView returns the view of m at the close of bar i.
func NewView(m *data.Market, i int) *View { return &View{m: m, i: i} }

// Bar returns I, the index of the bar that just closed.
func (v *View) Bar() int { return v.i }

// Time returns the open time (Unix ns) of bar I.
func (v *View) Time() int64 { return v.m.Time[v.i] }

// Symbols returns the number of symbols; symbol s is Market.Symbols[s].
func (v *View) Symbols() int { return len(v.m.Symbols) }

// Name returns symbol s's name.
func (v *View) Name(s int) string { return v.m.Symbols[s].Name }

// Candles returns symbol s's trade candles 0..I. Every column's capacity
// ends at I too, so reslicing cannot reach later bars.
func (v *View) Candles(s int) data.Bars {
	b := &v.m.Symbols[s].Candles
	n := v.i + 1
	return data.Bars{Time: b.Time[:n:n], Open: b.Open[:n:n], High: b.High[:n:n], Low: b.Low[:n:n], Close: b.Close[:n:n], Volume: b.Volume[:n:n]}
}

// Close returns symbol s's closes 0..I (capacity capped at I): cheaper than
// Candles for strategies that need one column.
func (v *View) Close(s int) []float64 {
	n := v.i + 1
	return v.m.Symbols[s].Candles.Close[:n:n]
}

// High returns symbol s's highs 0..I (capacity capped at I).
func (v *View) High(s int) []float64 {
	n := v.i + 1
	return v.m.Symbols[s].Candles.High[:n:n]
}

// Low returns symbol s's lows 0..I (capacity capped at I).
func (v *View) Low(s int) []float64 {
	n := v.i + 1
	return v.m.Symbols[s].Candles.Low[:n:n]
}

// Funding returns symbol s's funding events known at bar I's close: those
// at or before the bar's close time.
func (v *View) Funding(s int) data.Funding {
	f := v.m.Symbols[s].Funding
	closeTime := v.m.Time[v.i] + int64(v.m.Timeframe)
	n := sort.Search(len(f.Time), func(k int) bool { return f.Time[k] > closeTime })
	out := data.Funding{Time: f.Time[:n:n], Rate: f.Rate[:n:n]}
	if f.Mark != nil {
		out.Mark = f.Mark[:n:n]
	}
	return out
}

// Strategy decides intents from market data. Decide is called at the close
// of every bar in order, with intents holding the current intent of each
// symbol; it updates them in place. A strategy sees only its View and must
// be deterministic: the same bars (and seed) give the same intents.
type Strategy interface {
	Decide(v *View, intents []Intent)
}

// Sizer turns an intent into a position size.
type Sizer interface {
	// Size returns the position size in base units (> 0) for an intent
	// filled at price by an account whose equity is equity (quote units)
	// and whose leverage is leverage.
	Size(in Intent, price, equity, leverage float64) float64
}
