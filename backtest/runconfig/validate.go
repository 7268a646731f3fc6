package runconfig

import (
	"errors"
	"fmt"
	"github.com/marginlab/marginlab/backtest"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/marginlab/marginlab/backtest/venue"
	"github.com/marginlab/marginlab/data"
)

// Limits of values Validate accepts.
const (
	maxSynthBars = 50_000_000
	maxAnnualVol = 5.0
)

// KnownModes are the modes a configuration may list.
var KnownModes = []string{"isolated", "cross", "hybrid"}

// Validate reports every bad value at once, then runs each check and adds
// what it reports. The error is an errors.Join of *Error values sorted by
// line, each naming the key path, the value and what is allowed, e.g.
//
//	config.yaml:9: leverage = 0.5: must be at least 1
//	config.yaml:14: modes[1] = "both": want isolated, cross or hybrid
//
// Validate reads the file system only to see whether a venue that is not a
// preset names an existing file; data files are read by Market.
func (f *File) Validate(checks ...Check) error {
	var errs []*Error
	bad := func(path string, value any, format string, args ...any) {
		e := f.ErrorAt(path, fmt.Errorf(format, args...))
		e.Value = formatValue(value)
		errs = append(errs, e)
	}
	missing := func(path, format string, args ...any) {
		errs = append(errs, f.ErrorAt(path, fmt.Errorf("missing; "+format, args...)))
	}
	finite := func(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

	// data
	d := &f.Data
	if len(d.Symbols) > 0 {
		for _, name := range f.SymbolNames() {
			p := "data.symbols." + name
			if strings.TrimSpace(name) == "" || strings.ContainsFunc(name, unicode.IsSpace) {
				bad(p, name, "a symbol name must be non-empty and without white space")
			}
			if d.Symbols[name].Candles == "" {
				missing(p+".candles", "want the path (or glob) of %s's trade candles", name)
			}
		}
	} else if f.idx.has("data.symbols") {
		bad("data.symbols", "{}", "empty: name at least one symbol and its files (data.symbols.BTCUSDT.candles: ...), or remove data.symbols to run on the synthetic market")
	} else {
		s := &d.Synthetic
		p := "data.synthetic"
		if len(s.Symbols) == 0 {
			missing(p+".symbols", "want a list of names such as [BTC, ETH]")
		}
		seen := map[string]bool{}
		for i, name := range s.Symbols {
			ip := fmt.Sprintf("%s.symbols[%d]", p, i)
			switch {
			case name == "" || strings.ContainsFunc(name, unicode.IsSpace) || strings.Contains(name, "/"):
				bad(ip, name, "want a name without white space or '/'")
			case seen[name]:
				bad(ip, name, "duplicate symbol")
			}
			seen[name] = true
		}
		tfOK := checkTimeframe(s.Timeframe, p+".timeframe", bad, time.Second)
		if s.Bars < 2 || s.Bars > maxSynthBars {
			bad(p+".bars", s.Bars, "must be in [2, %d]", maxSynthBars)
		}
		if !(s.AnnualVol > 0 && s.AnnualVol <= maxAnnualVol) {
			bad(p+".annual_vol", s.AnnualVol, "must be in (0, %g] (0.6 = 60 %% a year)", maxAnnualVol)
		}
		if len(errs) == 0 && tfOK {
			// What only the generator knows: the span's limits.
			if err := f.synthConfig().Validate(); err != nil {
				errs = append(errs, f.ErrorAt(p, errors.New(strings.ReplaceAll(err.Error(), "\n", "; "))))
			}
		}
	}
	start, startOK := checkTime(d.Start, "data.start", bad)
	end, endOK := checkTime(d.End, "data.end", bad)
	if startOK && endOK && d.Start != "" && d.End != "" && !end.After(start) {
		bad("data.end", d.End, "must be after data.start (%s); end is exclusive", d.Start)
	}
	if _, err := time.LoadLocation(d.TZ); err != nil || d.TZ == "" {
		bad("data.tz", d.TZ, "want an IANA zone name such as UTC, Europe/London or Asia/Tokyo")
	}
	if d.Timeframe != "" {
		checkTimeframe(d.Timeframe, "data.timeframe", bad, time.Second)
	}
	if _, err := data.ParseAlignment(d.Align); err != nil || d.Align == "" {
		bad("data.align", d.Align, "want intersect or union")
	}
	for _, c := range []struct{ key, value string }{{"funding", d.Coverage.Funding}, {"mark", d.Coverage.Mark}} {
		if _, err := data.ParseCoveragePolicy(c.value); err != nil || c.value == "" {
			bad("data.coverage."+c.key, c.value, "want strict (a file that does not cover the run is an error) or accept (a warning on every output)")
		}
	}

	// venue and money
	if f.VenueName == "" {
		missing("venue", "want a preset (%s) or the path of a venue file", strings.Join(venue.PresetNames(), ", "))
	} else if !slices.Contains(venue.PresetNames(), f.VenueName) {
		if _, err := os.Stat(f.path(f.VenueName)); err != nil {
			bad("venue", f.VenueName, "not a preset (%s) nor an existing venue file", strings.Join(venue.PresetNames(), ", "))
		}
	}
	if m := f.Fees.Maker; m != nil && !(*m >= -0.01 && *m < 0.1) {
		bad("fees.maker", *m, "must be in [-0.01, 0.1) (a fraction of notional; negative is a rebate)")
	}
	if t := f.Fees.Taker; t != nil && !(*t >= 0 && *t < 0.1) {
		bad("fees.taker", *t, "must be in [0, 0.1) (a fraction of notional)")
	}
	if !(f.Capital >= backtest.MinCapital && f.Capital <= backtest.MaxCapital) {
		bad("capital", f.Capital, "must be between %g and %g quote units (the range the money ledger keeps exactly)", backtest.MinCapital, backtest.MaxCapital)
	}
	if !(f.Leverage >= 1) || !finite(f.Leverage) {
		bad("leverage", f.Leverage, "must be at least 1")
	}

	// strategy and sizing (their names and parameters are the checks' job)
	if f.Strategy.Name == "" {
		missing("strategy.name", "want a strategy name such as sma_cross")
	}
	if f.Sizing.Kind == "" {
		missing("sizing.kind", "want fixed_notional, equity_fraction or risk")
	}

	// modes
	if len(f.ModeNames) == 0 {
		missing("modes", "want a list of %s", orList(KnownModes))
	}
	for i, m := range f.ModeNames {
		p := fmt.Sprintf("modes[%d]", i)
		switch {
		case !slices.Contains(KnownModes, m):
			bad(p, m, "want %s", orList(KnownModes))
		case slices.Index(f.ModeNames, m) < i:
			bad(p, m, "duplicate mode")
		}
	}
	if slices.Contains(f.ModeNames, "hybrid") {
		names := f.SymbolNames()
		if len(f.HybridIsolated) == 0 {
			missing("hybrid_isolated", "mode hybrid needs the symbols to margin isolated, e.g. [%s]", firstOr(names, "BTCUSDT"))
		}
		for i, s := range f.HybridIsolated {
			p := fmt.Sprintf("hybrid_isolated[%d]", i)
			switch {
			case !slices.Contains(names, s):
				bad(p, s, "not a symbol of the data (%s)", strings.Join(names, ", "))
			case slices.Index(f.HybridIsolated, s) < i:
				bad(p, s, "duplicate symbol")
			}
		}
	} else if len(f.HybridIsolated) > 0 {
		errs = append(errs, f.ErrorAt("hybrid_isolated", errors.New("only used by mode hybrid: add hybrid to modes or remove this key")))
	}

	// engine settings
	if f.Intrabar != "adverse" && f.Intrabar != "close" {
		bad("intrabar", f.Intrabar, "want adverse or close")
	}
	if !(f.Slippage >= 0 && f.Slippage < 0.5) {
		bad("slippage", f.Slippage, "must be in [0, 0.5) (a fraction of price)")
	}
	if f.Cooldown < 0 {
		bad("cooldown", f.Cooldown, "must not be negative (bars)")
	}
	if !(f.StopAtLiq >= 0 && f.StopAtLiq < 1) {
		bad("stop_at_liq", f.StopAtLiq, "must be in [0, 1) (0: off)")
	}
	mp := f.MarginPolicy
	if !(mp.TopUpAt >= 0 && mp.TopUpAt <= 1) {
		bad("margin_policy.top_up_at", mp.TopUpAt, "must be in [0, 1] (a margin ratio; 0: off)")
	}
	if !(mp.TopUpAmount >= 0) || !finite(mp.TopUpAmount) || mp.TopUpAt > 0 && mp.TopUpAmount == 0 {
		bad("margin_policy.top_up_amount", mp.TopUpAmount, "must be positive (a multiple of the position's initial margin)")
	}
	if !(mp.TopUpCap >= 0) || !finite(mp.TopUpCap) || mp.TopUpAt > 0 && mp.TopUpCap == 0 {
		bad("margin_policy.top_up_cap", mp.TopUpCap, "must be positive (a multiple of the position's initial margin)")
	}
	if !(mp.SweepBelow >= 0 && mp.SweepBelow <= 1) {
		bad("margin_policy.sweep_below", mp.SweepBelow, "must be in [0, 1] (a margin ratio; 0: off)")
	} else if mp.SweepBelow > 0 && mp.TopUpAt > 0 && mp.SweepBelow >= mp.TopUpAt {
		bad("margin_policy.sweep_below", mp.SweepBelow, "must be below top_up_at (%s), or the policies fight", formatValue(mp.TopUpAt))
	}
	if !(f.Ruin > 0 && f.Ruin < 1) {
		bad("ruin", f.Ruin, "must be in (0, 1) (a fraction of capital)")
	}
	if !(f.NearMiss > 0 && f.NearMiss <= 1) {
		bad("near_miss", f.NearMiss, "must be in (0, 1] (a margin ratio)")
	}
	if f.RecordEvery < 1 {
		bad("record_every", f.RecordEvery, "must be at least 1 (bars)")
	}

	for _, check := range checks {
		for _, err := range flatten(check(f)) {
			var e *Error
			if !errors.As(err, &e) {
				e = &Error{Source: f.Source, Err: err}
			}
			errs = append(errs, e)
		}
	}
	return joinSorted(errs)
}

// flatten returns the errors inside an errors.Join (recursively), or err
// itself; nil gives none.
func flatten(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}

// checkTimeframe reports a timeframe that does not parse or is below min.
func checkTimeframe(s, path string, bad func(string, any, string, ...any), min time.Duration) bool {
	d, err := data.ParseTimeframe(s)
	if err != nil || d < min {
		bad(path, s, "want a timeframe of at least %s such as 1m, 5m, 1h, 4h or 1d", data.FormatTimeframe(min))
		return false
	}
	return true
}

// checkTime parses an optional start or end.
func checkTime(s, path string, bad func(string, any, string, ...any)) (time.Time, bool) {
	if s == "" {
		return time.Time{}, true
	}
	t, err := parseTime(s)
	if err != nil {
		bad(path, s, "want a date YYYY-MM-DD (UTC) or an RFC 3339 time such as 2024-01-01T08:00:00Z")
		return time.Time{}, false
	}
	return t, true
}

// parseTime parses a date (midnight UTC), a UTC date and time without a
// zone, or an RFC 3339 time.
func parseTime(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02", "2006-01-02T15:04:05", time.RFC3339Nano} {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("runconfig: bad time %q", s)
}

// formatValue writes a value as the file would: strings quoted, numbers
// in the shortest form.
func formatValue(v any) string {
	switch x := v.(type) {
	case string:
		return strconv.Quote(x)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case nil:
		return "null"
	}
	return fmt.Sprint(v)
}

// orList joins names as "a, b or c".
func orList(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

func firstOr(names []string, def string) string {
	if len(names) > 0 {
		return names[0]
	}
	return def
}
