package venue

import (
	"fmt"
	"math"
)

// OrderRules are a symbol's order filters: what the venue's matching engine
// refuses. An order's quantity is rounded down to a multiple of QtyStep; an
// order that opens or adds to a position is refused when its quantity is
// below MinQty or its notional (quantity × price) below MinNotional. Closes
// and reductions are never refused. Zero disables a rule.
type OrderRules struct {
	MinNotional float64 `json:"min_notional" yaml:"min_notional"` // quote units
	MinQty      float64 `json:"min_qty" yaml:"min_qty"`           // base units
	QtyStep     float64 `json:"qty_step" yaml:"qty_step"`         // base units
}

// Orders holds a venue's order rules: per symbol, with Default for every
// other symbol.
type Orders struct {
	Default OrderRules            `json:"default" yaml:"default"`
	Symbols map[string]OrderRules `json:"symbols" yaml:"symbols"`
}

// OrderRulesFor returns symbol's order rules: its own when listed (matched
// like bracket tables, by SymbolKey's base-asset rule), else Default.
func (v *Venue) OrderRulesFor(symbol string) OrderRules {
	if r, ok := v.Orders.Symbols[symbol]; ok {
		return r
	}
	if key, ok := matchBase(symbol, v.Orders.Symbols); ok {
		return v.Orders.Symbols[key]
	}
	return v.Orders.Default
}

// RoundQty rounds a size down to a multiple of the step (unchanged when the
// step is 0). The 1e-9 step absorbs float error, so that 0.3 with a step of
// 0.1 stays 0.3 rather than becoming 0.2.
func (r OrderRules) RoundQty(q float64) float64 {
	if r.QtyStep <= 0 {
		return q
	}
	n := math.Floor(q/r.QtyStep + 1e-9)
	// Steps are usually 10^-d: n / 10^d is the float nearest the decimal
	// (12 / 10 = 1.2, where 12 × 0.1 = 1.2000000000000002).
	if inv := math.Round(1 / r.QtyStep); math.Abs(inv*r.QtyStep-1) < 1e-12 {
		return n / inv
	}
	return n * r.QtyStep
}

// Admits reports whether an order adding q (> 0) at price passes the
// minimum quantity and notional.
func (r OrderRules) Admits(q, price float64) bool {
	return q > 0 && q >= r.MinQty && q*price >= r.MinNotional
}

func validateOrderRules(path string, r OrderRules, fail func(path, format string, args ...any)) {
	for _, f := range []struct {
		key string
		x   float64
	}{{"min_notional", r.MinNotional}, {"min_qty", r.MinQty}, {"qty_step", r.QtyStep}} {
		if !(f.x >= 0) || math.IsInf(f.x, 0) {
			fail(path+"."+f.key, "%v: must be a finite number ≥ 0 (0: no limit)", f.x)
		}
	}
	if r.QtyStep > 0 && r.MinQty > 0 && r.MinQty < r.QtyStep*(1-1e-9) {
		fail(path+".min_qty", "%v is below qty_step %v: an order is at least one step", r.MinQty, r.QtyStep)
	}
}

// validateOrders reports bad order rules under the key "orders".
func (v *Venue) validateOrders(fail func(path, format string, args ...any)) {
	validateOrderRules("orders.default", v.Orders.Default, fail)
	for _, sym := range sortedKeys(v.Orders.Symbols) {
		if sym == "" {
			fail("orders.symbols", "empty symbol name")
		}
		validateOrderRules(fmt.Sprintf("orders.symbols.%s", sym), v.Orders.Symbols[sym], fail)
	}
}
