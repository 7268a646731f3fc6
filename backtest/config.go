package backtest

import (
	"errors"
	"fmt"
	"math"

	"github.com/marginlab/marginlab/backtest/venue"
)

// Policy says where inside a bar liquidations are tested.
type Policy int

const (
	// Adverse (default, conservative) tests each position at its bar's
	// adverse extreme; a cross account's legs move together from the open
	// toward their extremes (the λ-sweep, see doc.go).
	Adverse Policy = iota
	// AtClose tests at the close only (optimistic).
	AtClose
)

func (p Policy) String() string {
	if p == AtClose {
		return "close"
	}
	return "adverse"
}

// ParsePolicy parses "adverse" or "close".
func ParsePolicy(s string) (Policy, error) {
	switch s {
	case "", "adverse":
		return Adverse, nil
	case "close":
		return AtClose, nil
	}
	return Adverse, fmt.Errorf("backtest: unknown intrabar policy %q (want adverse or close)", s)
}

// ModeSpec is one way to margin the intent stream: every symbol isolated,
// every symbol cross, or a hybrid with chosen symbols isolated.
type ModeSpec struct {
	Name string
	// Isolated lists the isolated symbols by name; for "isolated" every
	// symbol, for "cross" none.
	Isolated map[string]bool
	// AllIsolated margins every symbol isolated (the "isolated" mode).
	AllIsolated bool
}

// Isolated and Cross are the two plain modes.
var (
	IsolatedMode = ModeSpec{Name: "isolated", AllIsolated: true}
	CrossMode    = ModeSpec{Name: "cross"}
)

// HybridMode margins the named symbols isolated and the rest cross.
func HybridMode(isolated ...string) ModeSpec {
	m := ModeSpec{Name: "hybrid", Isolated: map[string]bool{}}
	for _, s := range isolated {
		m.Isolated[s] = true
	}
	return m
}

func (m ModeSpec) isolated(symbol string) bool { return m.AllIsolated || m.Isolated[symbol] }

// MarginPolicy holds the automatic isolated-margin policies. Zero disables.
type MarginPolicy struct {
	// TopUpAt adds margin to an isolated position at a bar's close when its
	// margin ratio (MM / (margin + uPnL)) is at least this (e.g. 0.8).
	TopUpAt float64
	// TopUpAmount is each top-up as a fraction of the position's initial
	// margin at its current size, Q·entry/L (default 0.5 when TopUpAt is
	// set).
	TopUpAmount float64
	// TopUpCap bounds a position's top-ups in total, as a multiple of its
	// initial margin at its current size (default 1).
	TopUpCap float64
	// SweepBelow returns an isolated position's removable margin to the
	// wallet at a bar's close when its margin ratio is at most this.
	SweepBelow float64
}

// The capital a run may start with, in quote units (doc.go, Numbers).
const (
	MinCapital float64 = 1
	MaxCapital float64 = 1e12
)

// Config configures a simulation. Zero values mean the documented default.
type Config struct {
	Venue    *venue.Venue
	Capital  float64 // starting wallet, quote units (required)
	Leverage float64 // leverage of every position (default 10)
	Sizer    Sizer   // required
	Policy   Policy
	// Slippage is the fraction of price every fill loses to the trader
	// (buys fill above, sells below the reference price).
	Slippage float64
	// Cooldown is how many bars a liquidated symbol stays flat at least;
	// it stays flat in any case until the strategy's next entry.
	Cooldown int
	// StopAtLiq, when in (0, 1), gives every position a stop this fraction
	// of the way from its entry to its liquidation price.
	StopAtLiq float64
	// ReduceToFit fills what can be margined of an order the available
	// balance cannot cover, instead of rejecting it. Either way it counts.
	ReduceToFit bool
	Margin      MarginPolicy
	// RuinFraction: equity at or below Capital × RuinFraction is ruin
	// (default 0.1).
	RuinFraction float64
	// TradeAfterRuin keeps opening positions after ruin and counts every
	// event in the rates. By default a ruined run opens no position from
	// the next bar on and its later events enter no rate (doc.go, Ruin).
	TradeAfterRuin bool
	// NearMiss is the margin ratio above which a position that is then not
	// liquidated counts as a near miss (default 0.8).
	NearMiss float64
	// Every records the series at every Every-th bar (default 1). Metrics
	// always use every bar.
	Every int

	// NoFills and NoSeries leave Result.Fills and Result.Series empty, for
	// callers that need only the metrics and liquidations (sweeps without
	// trade or equity tables): less memory and garbage. Metrics are the same.
	NoFills, NoSeries bool

	// VerifyLedger replays the whole ledger journal at the end of each run
	// (Journal.Check) instead of only checking that balances sum to zero.
	// It costs about as much as the run's fills; tests turn it on.
	VerifyLedger bool

	// stepEveryBar disables skipping quiet bars (tests compare the paths).
	stepEveryBar bool
}

// WithDefaults returns c with the documented defaults filled in.
func (c Config) WithDefaults() Config {
	if c.Leverage == 0 {
		c.Leverage = 10
	}
	if c.RuinFraction == 0 {
		c.RuinFraction = 0.1
	}
	if c.NearMiss == 0 {
		c.NearMiss = 0.8
	}
	if c.Every == 0 {
		c.Every = 1
	}
	if c.Margin.TopUpAt > 0 {
		if c.Margin.TopUpAmount == 0 {
			c.Margin.TopUpAmount = 0.5
		}
		if c.Margin.TopUpCap == 0 {
			c.Margin.TopUpCap = 1
		}
	}
	return c
}

// Validate reports every problem with c at once.
func (c Config) Validate() error {
	var errs []error
	bad := func(field string, v any, why string) {
		errs = append(errs, fmt.Errorf("backtest: %s = %v: %s", field, v, why))
	}
	finite := func(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
	if c.Venue == nil {
		errs = append(errs, errors.New("backtest: Venue is required"))
	}
	if c.Sizer == nil {
		errs = append(errs, errors.New("backtest: Sizer is required"))
	}
	if !(c.Capital >= MinCapital && c.Capital <= MaxCapital) {
		bad("Capital", c.Capital, fmt.Sprintf("must be in [%g, %g] quote units", MinCapital, MaxCapital))
	}
	if c.Leverage != 0 && (!(c.Leverage >= 1) || !finite(c.Leverage)) {
		bad("Leverage", c.Leverage, "must be at least 1")
	}
	if !(c.Slippage >= 0 && c.Slippage < 0.5) {
		bad("Slippage", c.Slippage, "must be in [0, 0.5)")
	}
	if c.Cooldown < 0 {
		bad("Cooldown", c.Cooldown, "must not be negative")
	}
	if !(c.StopAtLiq >= 0 && c.StopAtLiq < 1) {
		bad("StopAtLiq", c.StopAtLiq, "must be in [0, 1)")
	}
	if !(c.RuinFraction >= 0 && c.RuinFraction < 1) {
		bad("RuinFraction", c.RuinFraction, "must be in [0, 1)")
	}
	if !(c.NearMiss >= 0 && c.NearMiss <= 1) {
		bad("NearMiss", c.NearMiss, "must be in [0, 1]")
	}
	if c.Every < 0 {
		bad("Every", c.Every, "must not be negative")
	}
	m := c.Margin
	if !(m.TopUpAt >= 0 && m.TopUpAt <= 1) || !(m.SweepBelow >= 0 && m.SweepBelow <= 1) || m.TopUpAmount < 0 || m.TopUpCap < 0 {
		bad("Margin", fmt.Sprintf("%+v", m), "ratios must be in [0, 1] and amounts not negative")
	}
	if m.SweepBelow > 0 && m.TopUpAt > 0 && m.SweepBelow >= m.TopUpAt {
		bad("Margin.SweepBelow", m.SweepBelow, "must be below TopUpAt, or the policies fight")
	}
	return errors.Join(errs...)
}
