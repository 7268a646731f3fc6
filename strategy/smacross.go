package strategy

import (
	"errors"
	"fmt"
	"math"

	"github.com/marginlab/marginlab/backtest"
)

// SMACrossConfig configures SMACross. Registry name "sma_cross".
type SMACrossConfig struct {
	// Fast is the length of the fast simple moving average of closes, in
	// bars. Default 20; parameter fast, an integer in [1, Slow−1].
	Fast int
	// Slow is the length of the slow moving average, in bars. Default 50;
	// parameter slow, an integer in [2, 1000000].
	Slow int
	// AllowShort lets the strategy go short when the fast average is below
	// the slow one; when false it is flat instead. Default true; parameter
	// allow_short.
	AllowShort bool
	// Stop is the stop distance put on every intent, as a fraction of the
	// fill price; 0 (the default) means none. Parameter stop, in [0, 1).
	Stop float64
}

// DefaultSMACrossConfig returns the defaults: fast 20, slow 50, shorts
// allowed, no stop.
func DefaultSMACrossConfig() SMACrossConfig {
	return SMACrossConfig{Fast: 20, Slow: 50, AllowShort: true}
}

// Validate reports every bad field at once (errors.Join of *ParamError).
func (c SMACrossConfig) Validate() error {
	var errs []error
	hi, want := c.Slow-1, fmt.Sprintf("an integer in [1, slow−1] = [1, %d]", c.Slow-1)
	if err := checkInt("sma_cross", "slow", c.Slow, 2, maxWindow, fmt.Sprintf("an integer in [2, %d]", maxWindow)); err != nil {
		errs = append(errs, err)
		// Without a valid slow, check fast on its own.
		hi, want = maxWindow-1, fmt.Sprintf("an integer in [1, slow−1] (slow ≤ %d)", maxWindow)
	}
	if err := checkInt("sma_cross", "fast", c.Fast, 1, hi, want); err != nil {
		errs = append(errs, err)
	}
	if err := checkStop("sma_cross", c.Stop); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// smaEqualTol is the relative difference below which the two means count
// as equal, so that rounding in the running sums never makes a signal.
const smaEqualTol = 1e-10

// SMACross is the moving-average crossover: at the close of bar i, with
// fast = SMA(Fast) and slow = SMA(Slow) of the closes of bars i−n+1..i,
// each symbol is
//
//	long   when fast > slow,
//	short  when fast < slow (flat when AllowShort is false),
//	flat   when they are equal (within a relative 1e-10) or undefined.
//
// There is no intent (flat) before Slow bars exist: the first signal comes
// at bar Slow−1. The averages are running sums, O(1) per bar and symbol,
// recomputed from the window every Slow bars.
type SMACross struct {
	cfg SMACrossConfig
	cur cursor
	sym []smaState
}

type smaState struct {
	sums rollingSums
	side int
}

// NewSMACross returns an SMACross strategy, or the error of cfg.Validate.
func NewSMACross(cfg SMACrossConfig) (*SMACross, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &SMACross{cfg: cfg}, nil
}

// Decide steps each symbol's averages through the closes up to the view's
// bar and sets its intent.
func (x *SMACross) Decide(v *backtest.View, intents []backtest.Intent) {
	from, reset := x.cur.advance(v)
	if reset {
		x.sym = grow(x.sym, v.Symbols())
		for s := range x.sym {
			x.sym[s].sums.reset(x.cfg.Fast, x.cfg.Slow)
			x.sym[s].side = 0
		}
	}
	i := v.Bar()
	for s := range x.sym {
		st := &x.sym[s]
		if from <= i {
			closes := v.Close(s)
			for b := from; b <= i; b++ {
				if st.sums.push(closes[b]) {
					st.side = x.signal(st.sums.sumFast, st.sums.sumSlow)
				}
			}
		}
		intents[s] = intent(st.side, x.cfg.Stop)
	}
}

// signal returns the side from the running sums: fast/Fast against
// slow/Slow, compared as fast·Slow against slow·Fast (no division).
func (x *SMACross) signal(fast, slow float64) int {
	a, b := fast*float64(x.cfg.Slow), slow*float64(x.cfg.Fast)
	if math.Abs(a-b) <= smaEqualTol*math.Abs(b) {
		return 0
	}
	switch {
	case a > b:
		return 1
	case a < b && x.cfg.AllowShort:
		return -1
	}
	return 0
}

// String returns the registry name with the parameters:
// "sma_cross(fast=20 slow=50 allow_short=true stop=0)".
func (x *SMACross) String() string {
	c := x.cfg
	return fmt.Sprintf("sma_cross(fast=%d slow=%d allow_short=%t stop=%s)", c.Fast, c.Slow, c.AllowShort, formatValue(c.Stop))
}
