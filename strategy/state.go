package strategy

import "github.com/marginlab/marginlab/backtest"

// cursor tracks which bars a stateful strategy has consumed, so that its
// state is always a function of bars 0..I alone, however Decide is called:
// once per bar (the normal case, one step per symbol), with bars skipped
// (the missed bars are stepped through from the view), again at the same
// bar (nothing to step) or at an earlier bar or with another number of
// symbols (the state is reset and rebuilt from bar 0).
type cursor struct {
	next    int // the next bar to consume
	symbols int // the number of symbols the state was built for
	started bool
}

// advance returns the first bar to step through (the caller steps from
// there to v.Bar()) and whether the per-symbol state must be reset first.
func (c *cursor) advance(v *backtest.View) (from int, reset bool) {
	i, n := v.Bar(), v.Symbols()
	if !c.started || n != c.symbols || i < c.next-1 {
		c.started, c.symbols, c.next = true, n, i+1
		return 0, true
	}
	from, c.next = c.next, i+1
	return from, false
}

// intent returns the intent for side with weight 1 and the given stop; a
// flat side gives the zero Intent.
func intent(side int, stop float64) backtest.Intent {
	if side == 0 {
		return backtest.Intent{}
	}
	return backtest.Intent{Side: side, Weight: 1, Stop: stop}
}

// grow returns s with length n, reusing its memory when it is large
// enough; the contents are unspecified.
func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}
