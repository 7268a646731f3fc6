package data

import "fmt"

// Bars is a column-oriented candle series: one slice per field, all of the
// same length. Time holds each candle's open time in Unix nanoseconds (UTC).
// Mark-price candles use the same type; their Volume may be all zero.
type Bars struct {
	Time   []int64
	Open   []float64
	High   []float64
	Low    []float64
	Close  []float64
	Volume []float64
}

// MakeBars returns Bars of length n with every column allocated.
func MakeBars(n int) Bars {
	return Bars{
		Time:   make([]int64, n),
		Open:   make([]float64, n),
		High:   make([]float64, n),
		Low:    make([]float64, n),
		Close:  make([]float64, n),
		Volume: make([]float64, n),
	}
}

// barsOn returns Bars on the timeline tl (shared as Time) with the value
// columns allocated.
func barsOn(tl []int64) Bars {
	n := len(tl)
	return Bars{Time: tl, Open: make([]float64, n), High: make([]float64, n), Low: make([]float64, n),
		Close: make([]float64, n), Volume: make([]float64, n)}
}

// Len returns the number of candles.
func (b *Bars) Len() int { return len(b.Time) }

// Slice returns the candles [i, j) as a view sharing b's memory.
func (b *Bars) Slice(i, j int) Bars {
	return Bars{
		Time:   b.Time[i:j],
		Open:   b.Open[i:j],
		High:   b.High[i:j],
		Low:    b.Low[i:j],
		Close:  b.Close[i:j],
		Volume: b.Volume[i:j],
	}
}

// appendRow appends one candle.
func (b *Bars) appendRow(t int64, open, high, low, close, volume float64) {
	b.Time = append(b.Time, t)
	b.Open = append(b.Open, open)
	b.High = append(b.High, high)
	b.Low = append(b.Low, low)
	b.Close = append(b.Close, close)
	b.Volume = append(b.Volume, volume)
}

// Clone returns a deep copy of b.
func (b *Bars) Clone() Bars {
	return Bars{
		Time:   append([]int64(nil), b.Time...),
		Open:   append([]float64(nil), b.Open...),
		High:   append([]float64(nil), b.High...),
		Low:    append([]float64(nil), b.Low...),
		Close:  append([]float64(nil), b.Close...),
		Volume: append([]float64(nil), b.Volume...),
	}
}

// checkLengths panics when the columns differ in length: that is a
// programmer error, never a data error (loaders always build equal columns).
func (b *Bars) checkLengths() {
	n := len(b.Time)
	if len(b.Open) != n || len(b.High) != n || len(b.Low) != n || len(b.Close) != n || len(b.Volume) != n {
		panic(fmt.Sprintf("data: Bars columns differ in length: time %d open %d high %d low %d close %d volume %d",
			n, len(b.Open), len(b.High), len(b.Low), len(b.Close), len(b.Volume)))
	}
}

// Funding is a funding-rate series: at Time[i] (Unix nanoseconds, UTC) a
// position pays notional × Rate[i] if long and receives it if short (a
// negative rate reverses the direction). Times need not lie on an exact grid
// as loaded (Binance's carry millisecond jitter); NewMarket puts those near a
// whole hour on it (MarketOptions.FundingSnap).
type Funding struct {
	Time []int64
	Rate []float64
	// Mark is the mark price at each funding time from a mark series
	// coarser than the market's candles (Symbol.CoarseMark), which values
	// funding but cannot drive liquidation checks: the open of the coarse
	// mark candle that opens at Time[i], NaN when there is none. It is nil
	// when no coarse mark series was used, and then, or where it is NaN,
	// funding is valued at the bar's own mark (else trade) open.
	Mark []float64
}

// Len returns the number of funding events.
func (f *Funding) Len() int { return len(f.Time) }

// Kind says what a series holds.
type Kind int

const (
	// KindAuto lets the loader decide from the file name and columns.
	KindAuto Kind = iota
	// KindCandles is trade (last-price) OHLCV candles.
	KindCandles
	// KindMark is mark-price OHLC candles; volume, when present, is ignored.
	KindMark
	// KindFunding is a funding-rate series.
	KindFunding
)

// String returns the name used on the command line and in JSON.
func (k Kind) String() string {
	switch k {
	case KindCandles:
		return "candles"
	case KindMark:
		return "mark"
	case KindFunding:
		return "funding"
	default:
		return "auto"
	}
}

// ParseKind parses "candles", "mark", "funding" or "auto" ("" is auto).
func ParseKind(s string) (Kind, error) {
	switch s {
	case "", "auto":
		return KindAuto, nil
	case "candles", "trades", "futures":
		return KindCandles, nil
	case "mark":
		return KindMark, nil
	case "funding", "funding_rate":
		return KindFunding, nil
	}
	return KindAuto, fmt.Errorf("data: unknown kind %q (want candles, mark, funding or auto)", s)
}
