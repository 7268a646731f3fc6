package strategy

import (
	"errors"
	"fmt"

	"github.com/marginlab/marginlab/backtest"
)

// HoldConfig configures Hold. Registry name "hold".
type HoldConfig struct {
	// Side is +1 (long, the default; parameter side: "long") or −1
	// (short; side: "short").
	Side int
	// Stop is the stop distance put on every intent, as a fraction of the
	// fill price (0.02 = 2 %); 0, the default, means no stop. Parameter
	// stop, in [0, 1).
	Stop float64
}

// DefaultHoldConfig returns the defaults: long, no stop.
func DefaultHoldConfig() HoldConfig { return HoldConfig{Side: 1} }

// Validate reports every bad field at once (errors.Join of *ParamError).
func (c HoldConfig) Validate() error {
	var errs []error
	if c.Side != 1 && c.Side != -1 {
		errs = append(errs, rangeError("hold", "side", c.Side, `"long" (+1) or "short" (−1)`))
	}
	if err := checkStop("hold", c.Stop); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Hold holds one side on every symbol from the first bar to the last: the
// buy-and-hold baseline (or sell-and-hold with side short). It reads no
// market data.
type Hold struct {
	cfg HoldConfig
}

// NewHold returns a Hold strategy, or the error of cfg.Validate.
func NewHold(cfg HoldConfig) (*Hold, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Hold{cfg: cfg}, nil
}

// Decide sets every symbol's intent to the configured side.
func (h *Hold) Decide(v *backtest.View, intents []backtest.Intent) {
	in := intent(h.cfg.Side, h.cfg.Stop)
	for s := range v.Symbols() {
		intents[s] = in
	}
}

// String returns the registry name with the parameters:
// "hold(side=long stop=0)".
func (h *Hold) String() string {
	side := "long"
	if h.cfg.Side < 0 {
		side = "short"
	}
	return fmt.Sprintf("hold(side=%s stop=%s)", side, formatValue(h.cfg.Stop))
}
