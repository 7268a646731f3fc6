package strategy

import (
	"errors"
	"fmt"

	"github.com/marginlab/marginlab/backtest"
)

// BreakoutConfig configures Breakout. Registry name "breakout".
type BreakoutConfig struct {
	// Window is the entry channel's length in bars. Default 20; parameter
	// window, an integer in [1, 1000000].
	Window int
	// ExitWindow is the exit channel's length in bars. Default 10;
	// parameter exit_window, an integer in [1, 1000000].
	ExitWindow int
	// Stop is the stop distance put on every intent, as a fraction of the
	// fill price; 0 (the default) means none. Parameter stop, in [0, 1).
	Stop float64
}

// DefaultBreakoutConfig returns the defaults: window 20, exit_window 10,
// no stop.
func DefaultBreakoutConfig() BreakoutConfig { return BreakoutConfig{Window: 20, ExitWindow: 10} }

// Validate reports every bad field at once (errors.Join of *ParamError).
func (c BreakoutConfig) Validate() error {
	var errs []error
	want := fmt.Sprintf("an integer in [1, %d]", maxWindow)
	if err := checkInt("breakout", "window", c.Window, 1, maxWindow, want); err != nil {
		errs = append(errs, err)
	}
	if err := checkInt("breakout", "exit_window", c.ExitWindow, 1, maxWindow, want); err != nil {
		errs = append(errs, err)
	}
	if err := checkStop("breakout", c.Stop); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Breakout is the Donchian channel breakout. At the close of bar i, with
// H_n and L_n the highest high and lowest low of the n bars before i
// (i−n..i−1, bar i excluded) and c the close of bar i, each symbol
//
//  1. exits: a long goes flat when c < L_ExitWindow, a short when
//     c > H_ExitWindow;
//  2. enters, if flat (also just after an exit, so a break of the far
//     side of the entry channel turns a position round on one bar): long
//     when c > H_Window, short when c < L_Window.
//
// Otherwise it keeps its side. There is no intent (flat) before
// max(Window, ExitWindow) earlier bars exist: the first signal comes at bar
// max(Window, ExitWindow). The channels are monotonic deques, O(1)
// amortised per bar and symbol.
type Breakout struct {
	cfg  BreakoutConfig
	cur  cursor
	sym  []breakoutState
	warm int // first bar with a decision
}

type breakoutState struct {
	entryHigh, entryLow maxDeque // lows are stored negated
	exitHigh, exitLow   maxDeque
	side                int
}

// NewBreakout returns a Breakout strategy, or the error of cfg.Validate.
func NewBreakout(cfg BreakoutConfig) (*Breakout, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Breakout{cfg: cfg, warm: max(cfg.Window, cfg.ExitWindow)}, nil
}

// Decide steps each symbol's channels through the bars up to the view's
// bar and sets its intent.
func (x *Breakout) Decide(v *backtest.View, intents []backtest.Intent) {
	from, reset := x.cur.advance(v)
	w, xw := x.cfg.Window, x.cfg.ExitWindow
	if reset {
		x.sym = grow(x.sym, v.Symbols())
		for s := range x.sym {
			st := &x.sym[s]
			st.entryHigh.reset(w)
			st.entryLow.reset(w)
			st.exitHigh.reset(xw)
			st.exitLow.reset(xw)
			st.side = 0
		}
	}
	i := v.Bar()
	for s := range x.sym {
		st := &x.sym[s]
		if from <= i {
			closes, highs, lows := v.Close(s), v.High(s), v.Low(s)
			for b := from; b <= i; b++ {
				if b >= x.warm {
					st.side = breakoutSide(st, closes[b])
				}
				st.entryHigh.expire(b - w + 1)
				st.entryLow.expire(b - w + 1)
				st.exitHigh.expire(b - xw + 1)
				st.exitLow.expire(b - xw + 1)
				st.entryHigh.push(b, highs[b])
				st.entryLow.push(b, -lows[b])
				st.exitHigh.push(b, highs[b])
				st.exitLow.push(b, -lows[b])
			}
		}
		intents[s] = intent(st.side, x.cfg.Stop)
	}
}

// breakoutSide applies the exit then the entry rule to the close c.
func breakoutSide(st *breakoutState, c float64) int {
	side := st.side
	switch {
	case side > 0 && c < -st.exitLow.max():
		side = 0
	case side < 0 && c > st.exitHigh.max():
		side = 0
	}
	if side == 0 {
		switch {
		case c > st.entryHigh.max():
			side = 1
		case c < -st.entryLow.max():
			side = -1
		}
	}
	return side
}

// String returns the registry name with the parameters:
// "breakout(window=20 exit_window=10 stop=0)".
func (x *Breakout) String() string {
	c := x.cfg
	return fmt.Sprintf("breakout(window=%d exit_window=%d stop=%s)", c.Window, c.ExitWindow, formatValue(c.Stop))
}
