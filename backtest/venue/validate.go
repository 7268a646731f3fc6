package venue

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// Limits that Validate enforces.
const (
	MinFee            = -0.001 // lowest maker or taker fee rate (a 0.1 % rebate)
	MaxFee            = 0.01   // highest maker or taker fee rate (1 %)
	MaxLiquidationFee = 0.1    // highest liquidation fee rate (10 % of notional)
	cumTolerance      = 1e-6   // relative; absolute below 1 quote unit
)

var families = []Family{Binance, Bybit, OKX, Gate, Hyperliquid, DYDX}

// Families returns every known Family, in a fixed order.
func Families() []Family { return slices.Clone(families) }

func familyList() string {
	s := make([]string, len(families))
	for i, f := range families {
		s[i] = string(f)
	}
	return strings.Join(s, ", ")
}

// Validate checks v and reports every problem at once, as an errors.Join
// of *Error values whose Path uses the keys of the venue file format
// (e.g. symbols.BTCUSDT[1].brackets[2].mmr). It checks:
//
//   - name is set, family and remainder are known values;
//   - maker and taker fees lie in [MinFee, MaxFee], the liquidation fee in
//     [0, MaxLiquidationFee];
//   - partial.step lies in (0, 1] and partial.min_notional is positive when
//     partial liquidation is enabled;
//   - funding_interval is positive;
//   - default has at least one table, every listed symbol too, and each
//     symbol's tables are sorted strictly by effective_from;
//   - every table has brackets; floors start at 0, each cap is above its
//     floor and equals the next floor (the last cap may be +Inf);
//   - mmr lies in (0, 1) and never decreases; max_leverage is ≥ 1 and never
//     increases; mmr × max_leverage < 1 (a position opened at the tier's
//     highest leverage must not start liquidatable);
//   - each cum agrees with the recursion of Brackets.Cumulate within 1e-6
//     relative (absolute below 1 quote unit);
//   - order rules are finite and ≥ 0, and min_qty is at least one qty_step.
func (v *Venue) Validate() error {
	return joinErrors(v.validate())
}

func (v *Venue) validate() []*Error {
	var errs []*Error
	fail := func(path, format string, args ...any) {
		errs = append(errs, &Error{Path: path, Err: fmt.Errorf(format, args...)})
	}
	if v.Name == "" {
		fail("name", "missing")
	}
	if !knownFamily(v.Family) {
		fail("family", "unknown family %q: want one of %s", v.Family, familyList())
	}
	for _, f := range []struct {
		path   string
		x      float64
		lo, hi float64
	}{
		{"maker_fee", v.MakerFee, MinFee, MaxFee},
		{"taker_fee", v.TakerFee, MinFee, MaxFee},
		{"liquidation_fee", v.LiquidationFee, 0, MaxLiquidationFee},
	} {
		if !(f.x >= f.lo && f.x <= f.hi) {
			fail(f.path, "%v out of range: must be in [%v, %v] (a fraction: 0.0005 = 0.05 %%)", f.x, f.lo, f.hi)
		}
	}
	if v.Remainder != ToInsurance && v.Remainder != ToTrader {
		fail("remainder", "unknown value %q: want %s or %s", v.Remainder, ToInsurance, ToTrader)
	}
	if v.Partial.Enabled && !(v.Partial.Step > 0 && v.Partial.Step <= 1) {
		fail("partial.step", "%v out of range: must be in (0, 1] when partial liquidation is enabled", v.Partial.Step)
	}
	if v.Partial.Enabled && (!(v.Partial.MinNotional > 0) || math.IsInf(v.Partial.MinNotional, 0)) {
		fail("partial.min_notional", "%v: must be a positive notional (quote units) when partial liquidation is enabled: venues reduce only large positions in steps and liquidate smaller ones whole (Hyperliquid: 100000)", v.Partial.MinNotional)
	}
	if v.FundingInterval <= 0 {
		fail("funding_interval", "must be positive, got %v", v.FundingInterval)
	}
	if len(v.Default) == 0 {
		fail("default", "no bracket table: want at least one, for symbols not listed")
	}
	errs = append(errs, validateTables("default", v.Default)...)
	for _, sym := range sortedKeys(v.Tables) {
		path := "symbols." + sym
		if sym == "" {
			fail(path, "empty symbol name")
		}
		if len(v.Tables[sym]) == 0 {
			fail(path, "no bracket table: want at least one")
		}
		errs = append(errs, validateTables(path, v.Tables[sym])...)
	}
	v.validateOrders(fail)
	return errs
}

func knownFamily(f Family) bool {
	return slices.Contains(families, f)
}

func validateTables(path string, tables []Table) []*Error {
	var errs []*Error
	fail := func(path, format string, args ...any) {
		errs = append(errs, &Error{Path: path, Err: fmt.Errorf(format, args...)})
	}
	for i, t := range tables {
		tp := fmt.Sprintf("%s[%d]", path, i)
		if i > 0 && !t.EffectiveFrom.After(tables[i-1].EffectiveFrom) {
			fail(tp+".effective_from", "%s is not after the previous table's %s: tables must be sorted by date, without repeats",
				t.EffectiveFrom.Format(dateLayout), tables[i-1].EffectiveFrom.Format(dateLayout))
		}
		br := t.Brackets
		if len(br) == 0 {
			fail(tp+".brackets", "empty: want at least one bracket")
			continue
		}
		rec := make(Brackets, len(br))
		copy(rec, br)
		rec.Cumulate()
		for k, b := range br {
			bp := fmt.Sprintf("%s.brackets[%d]", tp, k)
			if k == 0 && b.Floor != 0 {
				fail(bp+".floor", "%v: the first bracket must start at 0", b.Floor)
			}
			if !(b.Floor >= 0) {
				fail(bp+".floor", "%v: must be ≥ 0", b.Floor)
			}
			switch {
			case !(b.Cap > b.Floor):
				fail(bp+".cap", "%v: must be above the floor %v", b.Cap, b.Floor)
			case k+1 < len(br) && b.Cap != br[k+1].Floor:
				fail(bp+".cap", "%v: must equal the next bracket's floor %v", b.Cap, br[k+1].Floor)
			}
			mmrOK := b.MMR > 0 && b.MMR < 1
			if !mmrOK {
				fail(bp+".mmr", "%v: must be in (0, 1)", b.MMR)
			} else if k > 0 && b.MMR < br[k-1].MMR {
				fail(bp+".mmr", "%v: below the previous bracket's %v; rates must not decrease", b.MMR, br[k-1].MMR)
			}
			if !(b.MaxLeverage >= 1) || math.IsInf(b.MaxLeverage, 0) {
				fail(bp+".max_leverage", "%v: must be ≥ 1", b.MaxLeverage)
			} else if k > 0 && b.MaxLeverage > br[k-1].MaxLeverage {
				fail(bp+".max_leverage", "%v: above the previous bracket's %v; leverage must not increase", b.MaxLeverage, br[k-1].MaxLeverage)
			} else if mmrOK && b.MMR*b.MaxLeverage >= 1 {
				fail(bp+".max_leverage", "%v with mmr %v: maintenance at that leverage would exceed the initial margin (mmr × max_leverage must be < 1)", b.MaxLeverage, b.MMR)
			}
			// The recursion needs this rate and the previous one; a bad rate
			// is reported once, above.
			ratesOK := mmrOK && (k == 0 || br[k-1].MMR > 0 && br[k-1].MMR < 1)
			if want := rec[k].Cum; ratesOK && !(math.Abs(b.Cum-want) <= cumTolerance*math.Max(math.Abs(want), 1)) {
				fail(bp+".cum", "%v disagrees with the recursion cum_k = cum_{k-1} + floor_k × (mmr_k − mmr_{k-1}), which gives %v (omit cum to use it)", b.Cum, want)
			}
		}
	}
	return errs
}
