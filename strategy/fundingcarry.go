package strategy

import (
	"errors"
	"fmt"

	"github.com/marginlab/marginlab/backtest"
)

// FundingCarryConfig configures FundingCarry. Registry name
// "funding_carry".
type FundingCarryConfig struct {
	// Threshold is the funding rate per funding interval (a plain
	// fraction: 0.0001 = 0.01 %) that the latest rate must exceed in
	// absolute value. Default 0; parameter threshold, a number ≥ 0.
	Threshold float64
	// Stop is the stop distance put on every intent, as a fraction of the
	// fill price; 0 (the default) means none. Parameter stop, in [0, 1).
	Stop float64
}

// DefaultFundingCarryConfig returns the defaults: threshold 0, no stop.
func DefaultFundingCarryConfig() FundingCarryConfig { return FundingCarryConfig{} }

// Validate reports every bad field at once (errors.Join of *ParamError).
func (c FundingCarryConfig) Validate() error {
	var errs []error
	if err := checkFloat("funding_carry", "threshold", c.Threshold, 0, maxFloat, false, false, "a number ≥ 0"); err != nil {
		errs = append(errs, err)
	}
	if err := checkStop("funding_carry", c.Stop); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// FundingCarry collects funding: with r the rate of the latest funding
// event known at the close of bar i (View.Funding: events at or before the
// bar's close time), each symbol is
//
//	short  when r > Threshold (longs pay shorts),
//	long   when r < −Threshold (shorts pay longs),
//	flat   otherwise, and before the symbol's first funding event.
//
// It reads no prices and keeps no state.
type FundingCarry struct {
	cfg FundingCarryConfig
}

// NewFundingCarry returns a FundingCarry strategy, or the error of
// cfg.Validate.
func NewFundingCarry(cfg FundingCarryConfig) (*FundingCarry, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &FundingCarry{cfg: cfg}, nil
}

// Decide sets each symbol's intent from its latest known funding rate.
func (x *FundingCarry) Decide(v *backtest.View, intents []backtest.Intent) {
	for s := range v.Symbols() {
		side := 0
		if f := v.Funding(s); len(f.Rate) > 0 {
			switch r := f.Rate[len(f.Rate)-1]; {
			case r > x.cfg.Threshold:
				side = -1
			case r < -x.cfg.Threshold:
				side = 1
			}
		}
		intents[s] = intent(side, x.cfg.Stop)
	}
}

// String returns the registry name with the parameters:
// "funding_carry(threshold=0 stop=0)".
func (x *FundingCarry) String() string {
	return fmt.Sprintf("funding_carry(threshold=%s stop=%s)", formatValue(x.cfg.Threshold), formatValue(x.cfg.Stop))
}
