package venue

import (
	"strings"
	"testing"
)

func TestOrderRulesFor(t *testing.T) {
	v, err := Preset("binance-usdm")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		symbol string
		want   OrderRules
	}{
		{"BTCUSDT", OrderRules{MinNotional: 100, MinQty: 0.001, QtyStep: 0.001}},
		{"BTC_USDT_USDT", OrderRules{MinNotional: 100, MinQty: 0.001, QtyStep: 0.001}}, // freqtrade's spelling
		{"ETH", OrderRules{MinNotional: 20, MinQty: 0.001, QtyStep: 0.001}},
		{"SOLUSDT", OrderRules{MinNotional: 5}}, // unlisted: the default
	} {
		if got := v.OrderRulesFor(c.symbol); got != c.want {
			t.Errorf("OrderRulesFor(%q) = %+v, want %+v", c.symbol, got, c.want)
		}
	}
}

func TestRoundQtyAndAdmits(t *testing.T) {
	r := OrderRules{MinNotional: 100, MinQty: 0.001, QtyStep: 0.001}
	for _, c := range []struct{ in, want float64 }{
		{0.0123456, 0.012},
		{0.3, 0.3},     // 0.3/0.001 is 299.99999999999994 in float64
		{0.0009999, 0}, // below one step
		{12.3456789, 12.345},
	} {
		if got := r.RoundQty(c.in); got != c.want && !(abs(got-c.want) < 1e-15) {
			t.Errorf("RoundQty(%v) = %v, want %v", c.in, got, c.want)
		}
	}
	if got := (OrderRules{}).RoundQty(0.123456789); got != 0.123456789 {
		t.Errorf("no step changed the size: %v", got)
	}
	if r.Admits(0.001, 50000) { // 50 USDT < 100
		t.Error("admitted an order below the minimum notional")
	}
	if !r.Admits(0.002, 50000) {
		t.Error("refused 0.002 at 50,000 (100 USDT)")
	}
	if r.Admits(0, 50000) || r.Admits(0.0005, 1e6) {
		t.Error("admitted an order below the minimum quantity")
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

func TestOrderRulesValidate(t *testing.T) {
	v, err := Preset("binance-usdm")
	if err != nil {
		t.Fatal(err)
	}
	v.Orders.Default.MinNotional = -1
	v.Orders.Symbols["BTCUSDT"] = OrderRules{MinQty: 0.0001, QtyStep: 0.001}
	msg := v.Validate().Error()
	for _, want := range []string{"orders.default.min_notional", "orders.symbols.BTCUSDT.min_qty"} {
		if !strings.Contains(msg, want) {
			t.Errorf("Validate() = %q, want a problem at %s", msg, want)
		}
	}
}

func TestOrderRulesParse(t *testing.T) {
	src := `name: x
family: binance
maker_fee: 0
taker_fee: 0
liquidation_fee: 0
remainder: insurance
funding_interval: 8h
default: [{effective_from: 2024-01-01, brackets: [{floor: 0, mmr: 0.01, max_leverage: 50}]}]
orders:
  default: {min_notional: 5}
  symbols:
    BTCUSDT: {min_notional: 100, min_qty: 0.001, qty_step: 0.001, tick: 1}
`
	_, err := Parse([]byte(src), "x.yaml")
	if err == nil || !strings.Contains(err.Error(), `unknown key "tick"`) || !strings.Contains(err.Error(), "min_notional, min_qty, qty_step") {
		t.Fatalf("Parse with an unknown order key: %v", err)
	}
	v, err := Parse([]byte(strings.Replace(src, ", tick: 1", "", 1)), "x.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got := v.OrderRulesFor("BTCUSDT"); got.MinNotional != 100 || got.QtyStep != 0.001 {
		t.Errorf("parsed %+v", got)
	}
}
