package strategy

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/marginlab/marginlab/backtest"
)

// Sizers turn an intent into a position size in base units. Every sizer
// reads the intent's weight w = Intent.Weight, with 0 meaning 1 (a negative
// or non-finite weight gives size 0), ignores its side, and returns 0 (no
// position) when equity ≤ 0, when the price is not positive and finite, or
// when the formula gives no positive finite size (leverage ≤ 0, for
// example). For positive finite inputs the size is positive and finite.

// FixedNotional sizes every position to the same notional (registry name
// "fixed_notional"):
//
//	size = w × Notional / price
type FixedNotional struct {
	// Notional is the position notional at weight 1, in quote units.
	// Default 1000; parameter notional, a number > 0.
	Notional float64
}

// Size implements backtest.Sizer.
func (z FixedNotional) Size(in backtest.Intent, price, equity, leverage float64) float64 {
	w, ok := sizeInputs(in, price, equity)
	if !ok {
		return 0
	}
	return finiteSize(w * z.Notional / price)
}

// Validate reports a bad Notional as a *ParamError.
func (z FixedNotional) Validate() error {
	return checkFloat("fixed_notional", "notional", z.Notional, 0, maxFloat, true, false, "a number > 0 (quote units)")
}

// EquityFraction commits a fixed share of equity as each position's
// initial margin (registry name "equity_fraction"): the initial margin is
// w × Fraction × equity, so
//
//	size = w × Fraction × equity × leverage / price
type EquityFraction struct {
	// Fraction is the share of equity put up as initial margin at weight
	// 1. Default 0.1; parameter fraction, in (0, 1].
	Fraction float64
}

// Size implements backtest.Sizer.
func (z EquityFraction) Size(in backtest.Intent, price, equity, leverage float64) float64 {
	w, ok := sizeInputs(in, price, equity)
	if !ok {
		return 0
	}
	return finiteSize(w * z.Fraction * equity * leverage / price)
}

// Validate reports a bad Fraction as a *ParamError.
func (z EquityFraction) Validate() error {
	return checkFloat("equity_fraction", "fraction", z.Fraction, 0, 1, true, false, "a fraction in (0, 1]")
}

// StopRisk sizes each position so that being stopped out loses a fixed
// share of equity (registry name "risk"). With stop the intent's Stop, or
// DefaultStop when the intent has none,
//
//	size = min(w × Risk × equity / (price × stop), equity × leverage / price)
//
// The cap keeps the notional (size × price) within equity × leverage, what
// the equity can margin at that leverage.
type StopRisk struct {
	// Risk is the share of equity lost when the stop is hit, at weight 1.
	// Default 0.01; parameter risk, in (0, 1].
	Risk float64
	// DefaultStop is the stop distance (a fraction of the price) assumed
	// for intents without a stop. Default 0.02; parameter default_stop, in
	// (0, 1).
	DefaultStop float64
}

// Size implements backtest.Sizer.
func (z StopRisk) Size(in backtest.Intent, price, equity, leverage float64) float64 {
	w, ok := sizeInputs(in, price, equity)
	if !ok {
		return 0
	}
	stop := in.Stop
	if !(stop > 0) || math.IsInf(stop, 0) {
		stop = z.DefaultStop
	}
	size := w * z.Risk * equity / (price * stop)
	return finiteSize(min(size, equity*leverage/price))
}

// Validate reports every bad field at once (errors.Join of *ParamError).
func (z StopRisk) Validate() error {
	return errors.Join(
		checkFloat("risk", "risk", z.Risk, 0, 1, true, false, "a fraction in (0, 1]"),
		checkFloat("risk", "default_stop", z.DefaultStop, 0, 1, true, true, "a fraction in (0, 1)"),
	)
}

// sizeInputs returns the intent's weight and whether the inputs allow a
// position at all.
func sizeInputs(in backtest.Intent, price, equity float64) (float64, bool) {
	w := in.Weight
	if w == 0 {
		w = 1
	}
	ok := w > 0 && !math.IsInf(w, 0) && equity > 0 && !math.IsInf(equity, 0) && price > 0 && !math.IsInf(price, 0)
	return w, ok
}

// finiteSize returns q when it is positive and finite, else 0.
func finiteSize(q float64) float64 {
	if q > 0 && !math.IsInf(q, 0) {
		return q
	}
	return 0
}

// sizerEntry is one sizer in the registry.
type sizerEntry struct {
	name    string
	summary string
	params  []paramSpec
	build   func(p paramValues) (backtest.Sizer, error)
}

// sizers is the sizer registry, in name order.
var sizers = []sizerEntry{
	{
		name:    "equity_fraction",
		summary: "each position's initial margin is fraction × equity: size = weight × fraction × equity × leverage / price.",
		params:  []paramSpec{{"fraction", kindFloat, 0.1, "share of equity used as initial margin; in (0, 1]"}},
		build: func(p paramValues) (backtest.Sizer, error) {
			z := EquityFraction{Fraction: p.float("fraction")}
			return z, z.Validate()
		},
	},
	{
		name:    "fixed_notional",
		summary: "every position has the same notional: size = weight × notional / price.",
		params:  []paramSpec{{"notional", kindFloat, 1000.0, "position notional in quote units; a number > 0"}},
		build: func(p paramValues) (backtest.Sizer, error) {
			z := FixedNotional{Notional: p.float("notional")}
			return z, z.Validate()
		},
	},
	{
		name:    "risk",
		summary: "a stop-out loses risk × equity: size = weight × risk × equity / (price × stop), stop = the intent's stop or default_stop, notional capped at equity × leverage.",
		params: []paramSpec{
			{"risk", kindFloat, 0.01, "share of equity lost at the stop; in (0, 1]"},
			{"default_stop", kindFloat, 0.02, "stop distance for intents without one, a fraction of the price; in (0, 1)"},
		},
		build: func(p paramValues) (backtest.Sizer, error) {
			z := StopRisk{Risk: p.float("risk"), DefaultStop: p.float("default_stop")}
			return z, z.Validate()
		},
	},
}

// lookupSizer returns the sizer entry called kind, or nil.
func lookupSizer(kind string) *sizerEntry {
	for i := range sizers {
		if sizers[i].name == kind {
			return &sizers[i]
		}
	}
	return nil
}

// NewSizer returns the sizer of the given kind ("fixed_notional",
// "equity_fraction" or "risk") configured by params, with the same rules
// and errors as New: missing keys take their defaults, numbers may be any
// Go numeric type, and every bad parameter is reported at once.
func NewSizer(kind string, params map[string]any) (backtest.Sizer, error) {
	e := lookupSizer(kind)
	if e == nil {
		return nil, &nameError{msg: fmt.Sprintf("strategy: unknown sizer %q (known: %s)", kind, strings.Join(SizerNames(), ", "))}
	}
	vals, perr := parseParams(kind, e.params, params)
	z, verr := e.build(vals)
	if err := joinParamErrors(perr, verr); err != nil {
		return nil, err
	}
	return z, nil
}

// SizerNames returns the sizer kinds in alphabetical order.
func SizerNames() []string {
	names := make([]string, len(sizers))
	for i := range sizers {
		names[i] = sizers[i].name
	}
	return names
}

// DescribeSizer returns a help text for the sizer kind in the format of
// Describe, or "" for an unknown kind.
func DescribeSizer(kind string) string {
	e := lookupSizer(kind)
	if e == nil {
		return ""
	}
	return describe(e.name, e.summary, e.params)
}

// SizerParams returns the parameters of the sizer kind, or nil for an
// unknown kind.
func SizerParams(kind string) []Param {
	e := lookupSizer(kind)
	if e == nil {
		return nil
	}
	return exportParams(e.params)
}
