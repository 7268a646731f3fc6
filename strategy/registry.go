package strategy

import (
	"errors"
	"fmt"
	"strings"

	"github.com/marginlab/marginlab/backtest"
)

// stopSpec is the parameter every strategy takes.
var stopSpec = paramSpec{"stop", kindFloat, 0.0, "stop distance as a fraction of the fill price, in [0, 1); 0: no stop"}

// strategyEntry is one strategy in the registry.
type strategyEntry struct {
	name    string
	summary string
	params  []paramSpec
	build   func(p paramValues, seed uint64) (backtest.Strategy, error)
}

// strategies is the registry, in name order.
var strategies = []strategyEntry{
	{
		name:    "breakout",
		summary: "Donchian breakout: long when the close is above the highest high of the previous window bars, short when below the lowest low; exit to flat when the close breaks the exit_window channel the other way.",
		params: []paramSpec{
			{"window", kindInt, 20, "entry channel length in bars; an integer in [1, 1000000]"},
			{"exit_window", kindInt, 10, "exit channel length in bars; an integer in [1, 1000000]"},
			stopSpec,
		},
		build: func(p paramValues, _ uint64) (backtest.Strategy, error) {
			return NewBreakout(BreakoutConfig{Window: p.int("window"), ExitWindow: p.int("exit_window"), Stop: p.float("stop")})
		},
	},
	{
		name:    "funding_carry",
		summary: "funding carry: short while the latest known funding rate is above threshold, long while below −threshold, flat otherwise (and before the first funding event).",
		params: []paramSpec{
			{"threshold", kindFloat, 0.0, "funding rate per interval (0.0001 = 0.01 %) to beat; a number ≥ 0"},
			stopSpec,
		},
		build: func(p paramValues, _ uint64) (backtest.Strategy, error) {
			return NewFundingCarry(FundingCarryConfig{Threshold: p.float("threshold"), Stop: p.float("stop")})
		},
	},
	{
		name:    "hold",
		summary: "hold one side on every symbol from the first bar to the last (the buy-and-hold baseline).",
		params: []paramSpec{
			{"side", kindString, "long", `"long" or "short"`},
			stopSpec,
		},
		build: func(p paramValues, _ uint64) (backtest.Strategy, error) {
			cfg := HoldConfig{Side: 1, Stop: p.float("stop")}
			switch side := p.string("side"); side {
			case "long":
			case "short":
				cfg.Side = -1
			default:
				return nil, errors.Join(rangeError("hold", "side", side, `"long" or "short"`), checkStop("hold", cfg.Stop))
			}
			return NewHold(cfg)
		},
	},
	{
		name:    "mean_revert",
		summary: "mean reversion on the z-score of the close in a rolling window (sample std): short when z > entry_z, long when z < −entry_z, flat when |z| < exit_z.",
		params: []paramSpec{
			{"window", kindInt, 50, "rolling window in bars, the current bar included; an integer in [2, 1000000]"},
			{"entry_z", kindFloat, 2.0, "z-score to enter against the move; a number in (0, 1000]"},
			{"exit_z", kindFloat, 0.5, "z-score inside which to go flat; a number in [0, entry_z]"},
			stopSpec,
		},
		build: func(p paramValues, _ uint64) (backtest.Strategy, error) {
			return NewMeanRevert(MeanRevertConfig{Window: p.int("window"), EntryZ: p.float("entry_z"),
				ExitZ: p.float("exit_z"), Stop: p.float("stop")})
		},
	},
	{
		name:    "random",
		summary: "random entries (random side) and exits, seeded per symbol from the run seed: the neutral baseline for liquidation hazard.",
		params: []paramSpec{
			{"entry_prob", kindFloat, 0.01, "probability per bar that a flat symbol enters; in [0, 1]"},
			{"exit_prob", kindFloat, 0.01, "probability per bar that an open position exits; in [0, 1]"},
			stopSpec,
		},
		build: func(p paramValues, seed uint64) (backtest.Strategy, error) {
			return NewRandom(RandomConfig{EntryProb: p.float("entry_prob"), ExitProb: p.float("exit_prob"),
				Seed: seed, Stop: p.float("stop")})
		},
	},
	{
		name:    "sma_cross",
		summary: "moving-average crossover: long while the fast SMA of closes is above the slow SMA, short (or flat without allow_short) while below; flat before slow bars exist.",
		params: []paramSpec{
			{"fast", kindInt, 20, "fast SMA length in bars; an integer in [1, slow−1]"},
			{"slow", kindInt, 50, "slow SMA length in bars; an integer in [2, 1000000]"},
			{"allow_short", kindBool, true, "false: flat instead of short"},
			stopSpec,
		},
		build: func(p paramValues, _ uint64) (backtest.Strategy, error) {
			return NewSMACross(SMACrossConfig{Fast: p.int("fast"), Slow: p.int("slow"),
				AllowShort: p.bool("allow_short"), Stop: p.float("stop")})
		},
	},
}

// lookupStrategy returns the registry entry called name, or nil.
func lookupStrategy(name string) *strategyEntry {
	for i := range strategies {
		if strategies[i].name == name {
			return &strategies[i]
		}
	}
	return nil
}

// New returns a fresh instance of the built-in strategy called name,
// configured by params (keys as listed by Describe; missing keys take their
// defaults; nil means every default). Numbers may be any Go integer or
// float type (YAML decoding gives int, JSON float64); an integer parameter
// accepts a float64 only when it is whole. seed seeds the random strategy
// and is ignored by the others.
//
// Errors: an unknown name wraps ErrUnknownName and lists the names; every
// bad parameter is reported at once (errors.Join) as a *ParamError naming
// the key: an unknown key (ErrUnknownParam, listing the allowed keys), a
// value of the wrong type (ErrParamType), a value out of range
// (ErrParamRange, giving the range).
//
// A strategy serves one run: call New again for the next one.
func New(name string, params map[string]any, seed uint64) (backtest.Strategy, error) {
	e := lookupStrategy(name)
	if e == nil {
		return nil, &nameError{msg: fmt.Sprintf("strategy: unknown strategy %q (known: %s)", name, strings.Join(Names(), ", "))}
	}
	vals, perr := parseParams(name, e.params, params)
	s, berr := e.build(vals, seed)
	if err := joinParamErrors(perr, berr); err != nil {
		return nil, err
	}
	return s, nil
}

// joinParamErrors joins the parse errors with the validation errors,
// leaving out validation errors about keys whose value could not be parsed
// (their default stood in and any complaint about it would mislead).
func joinParamErrors(parseErr, validateErr error) error {
	if parseErr == nil || validateErr == nil {
		return errors.Join(parseErr, validateErr)
	}
	bad := map[string]bool{}
	for _, e := range flatten(parseErr) {
		var pe *ParamError
		if errors.As(e, &pe) {
			bad[pe.Key] = true
		}
	}
	errs := flatten(parseErr)
	for _, e := range flatten(validateErr) {
		var pe *ParamError
		if errors.As(e, &pe) && bad[pe.Key] {
			continue
		}
		errs = append(errs, e)
	}
	return errors.Join(errs...)
}

// flatten returns the errors inside an errors.Join, or err itself.
func flatten(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// nameError is an unknown strategy or sizer name; it matches
// ErrUnknownName.
type nameError struct{ msg string }

// Error returns the message, which lists the known names.
func (e *nameError) Error() string { return e.msg }

// Unwrap returns ErrUnknownName.
func (e *nameError) Unwrap() error { return ErrUnknownName }

// Names returns the names of the built-in strategies in alphabetical
// order.
func Names() []string {
	names := make([]string, len(strategies))
	for i := range strategies {
		names[i] = strategies[i].name
	}
	return names
}

// Describe returns a help text for the strategy called name: one summary
// line, then one line per parameter with its default and allowed range,
// written as YAML with comments so that it can be pasted into a config:
//
//	sma_cross: moving-average crossover: …
//	  fast: 20            # fast SMA length in bars; an integer in [1, slow−1]
//
// It returns "" for an unknown name.
func Describe(name string) string {
	e := lookupStrategy(name)
	if e == nil {
		return ""
	}
	return describe(e.name, e.summary, e.params)
}

// Params returns the parameters of the strategy called name, in the order
// Describe lists them, or nil for an unknown name.
func Params(name string) []Param {
	e := lookupStrategy(name)
	if e == nil {
		return nil
	}
	return exportParams(e.params)
}

// describe formats a summary and parameter table.
func describe(name, summary string, specs []paramSpec) string {
	var b strings.Builder
	b.WriteString(name + ": " + summary + "\n")
	width := 0
	for _, s := range specs {
		width = max(width, len(s.key)+2+len(formatValue(s.def)))
	}
	for _, s := range specs {
		kv := s.key + ": " + formatValue(s.def)
		fmt.Fprintf(&b, "  %-*s  # %s\n", width, kv, s.doc)
	}
	return b.String()
}

// exportParams converts specs to Params.
func exportParams(specs []paramSpec) []Param {
	out := make([]Param, len(specs))
	for i, s := range specs {
		out[i] = Param{Key: s.key, Default: s.def, Doc: s.doc}
	}
	return out
}
