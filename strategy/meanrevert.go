package strategy

import (
	"errors"
	"fmt"
	"math"

	"github.com/marginlab/marginlab/backtest"
)

// MeanRevertConfig configures MeanRevert. Registry name "mean_revert".
type MeanRevertConfig struct {
	// Window is the length of the rolling window, in bars. Default 50;
	// parameter window, an integer in [2, 1000000].
	Window int
	// EntryZ is the z-score beyond which a position opens against the
	// move. Default 2; parameter entry_z, a number in (0, 1000].
	EntryZ float64
	// ExitZ is the z-score inside which an open position goes flat.
	// Default 0.5; parameter exit_z, a number in [0, entry_z] (0: never
	// exit to flat, only turn round).
	ExitZ float64
	// Stop is the stop distance put on every intent, as a fraction of the
	// fill price; 0 (the default) means none. Parameter stop, in [0, 1).
	Stop float64
}

// DefaultMeanRevertConfig returns the defaults: window 50, entry_z 2,
// exit_z 0.5, no stop.
func DefaultMeanRevertConfig() MeanRevertConfig {
	return MeanRevertConfig{Window: 50, EntryZ: 2, ExitZ: 0.5}
}

// maxZ bounds entry_z: a z-score beyond 1000 never occurs in a window of
// real prices.
const maxZ = 1000

// Validate reports every bad field at once (errors.Join of *ParamError).
func (c MeanRevertConfig) Validate() error {
	var errs []error
	if err := checkInt("mean_revert", "window", c.Window, 2, maxWindow, fmt.Sprintf("an integer in [2, %d]", maxWindow)); err != nil {
		errs = append(errs, err)
	}
	entryOK := true
	if err := checkFloat("mean_revert", "entry_z", c.EntryZ, 0, maxZ, true, false, fmt.Sprintf("a number in (0, %d]", maxZ)); err != nil {
		errs = append(errs, err)
		entryOK = false
	}
	hi := maxZ * 1.0
	want := "a number in [0, entry_z]"
	if entryOK {
		hi = c.EntryZ
		want = fmt.Sprintf("a number in [0, entry_z] = [0, %s]", formatValue(c.EntryZ))
	}
	if err := checkFloat("mean_revert", "exit_z", c.ExitZ, 0, hi, false, false, want); err != nil {
		errs = append(errs, err)
	}
	if err := checkStop("mean_revert", c.Stop); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// zFlatTol is the standard deviation, relative to the mean, below which a
// window counts as flat (z = 0): rounding in the incremental update must
// not turn a constant price into a signal.
const zFlatTol = 1e-9

// MeanRevert trades against stretched prices. At the close of bar i, with
// mean and sd the mean and sample standard deviation (divisor n−1) of the
// closes of bars i−Window+1..i (bar i included) and z = (close_i − mean)/sd
// (0 when sd ≤ 1e-9·|mean|), each symbol is
//
//	short  when z > EntryZ,
//	long   when z < −EntryZ,
//	flat   when |z| < ExitZ,
//
// in that order, and otherwise keeps its side. There is no intent (flat)
// before Window bars exist: the first signal comes at bar Window−1. Mean
// and variance are updated incrementally (see rollingMoments), O(1)
// amortised per bar and symbol.
type MeanRevert struct {
	cfg MeanRevertConfig
	cur cursor
	sym []zState
}

type zState struct {
	mom  rollingMoments
	side int
}

// NewMeanRevert returns a MeanRevert strategy, or the error of
// cfg.Validate.
func NewMeanRevert(cfg MeanRevertConfig) (*MeanRevert, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &MeanRevert{cfg: cfg}, nil
}

// Decide steps each symbol's window through the closes up to the view's
// bar and sets its intent.
func (x *MeanRevert) Decide(v *backtest.View, intents []backtest.Intent) {
	from, reset := x.cur.advance(v)
	if reset {
		x.sym = grow(x.sym, v.Symbols())
		for s := range x.sym {
			x.sym[s].mom.reset(x.cfg.Window)
			x.sym[s].side = 0
		}
	}
	i := v.Bar()
	for s := range x.sym {
		st := &x.sym[s]
		if from <= i {
			closes := v.Close(s)
			for b := from; b <= i; b++ {
				if st.mom.push(closes[b]) {
					st.side = x.next(st.side, zScore(closes[b], st.mom.mean, st.mom.std()))
				}
			}
		}
		intents[s] = intent(st.side, x.cfg.Stop)
	}
}

// zScore returns (c − mean)/sd, or 0 for a flat window.
func zScore(c, mean, sd float64) float64 {
	if sd <= zFlatTol*math.Abs(mean) {
		return 0
	}
	return (c - mean) / sd
}

// next applies the rules to z; a NaN z keeps the side.
func (x *MeanRevert) next(side int, z float64) int {
	switch {
	case z > x.cfg.EntryZ:
		return -1
	case z < -x.cfg.EntryZ:
		return 1
	case math.Abs(z) < x.cfg.ExitZ:
		return 0
	}
	return side
}

// String returns the registry name with the parameters:
// "mean_revert(window=50 entry_z=2 exit_z=0.5 stop=0)".
func (x *MeanRevert) String() string {
	c := x.cfg
	return fmt.Sprintf("mean_revert(window=%d entry_z=%s exit_z=%s stop=%s)",
		c.Window, formatValue(c.EntryZ), formatValue(c.ExitZ), formatValue(c.Stop))
}
