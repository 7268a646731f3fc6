package strategy

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/marginlab/marginlab/backtest"
)

func TestSizers(t *testing.T) {
	long := backtest.Intent{Side: 1, Weight: 1}
	half := backtest.Intent{Side: -1, Weight: 0.5}
	noWeight := backtest.Intent{Side: 1} // weight 0 means 1
	stop1pct := backtest.Intent{Side: 1, Weight: 1, Stop: 0.01}
	tight := backtest.Intent{Side: 1, Weight: 1, Stop: 0.001}
	for _, tc := range []struct {
		name                    string
		z                       backtest.Sizer
		in                      backtest.Intent
		price, equity, leverage float64
		want                    float64
	}{
		// fixed_notional: w × notional / price.
		{"fixed", FixedNotional{1000}, long, 200, 5000, 3, 5},           // 1000/200
		{"fixed half", FixedNotional{1000}, half, 200, 5000, 3, 2.5},    // 0.5×1000/200
		{"fixed weight 0", FixedNotional{1000}, noWeight, 250, 1, 1, 4}, // 1000/250
		{"fixed no equity", FixedNotional{1000}, long, 200, 0, 3, 0},
		// equity_fraction: w × fraction × equity × leverage / price.
		{"fraction", EquityFraction{0.1}, long, 100, 10_000, 5, 50},           // 0.1×10000×5/100
		{"fraction half", EquityFraction{0.1}, half, 100, 10_000, 5, 25},      // 0.5×0.1×10000×5/100
		{"fraction lev 1", EquityFraction{0.25}, long, 40_000, 8000, 1, 0.05}, // 0.25×8000/40000
		{"fraction negative equity", EquityFraction{0.1}, long, 100, -5, 5, 0},
		// risk: min(w × risk × equity / (price × stop), equity × leverage / price).
		{"risk default stop", StopRisk{0.01, 0.02}, long, 100, 10_000, 5, 50},     // 0.01×10000/(100×0.02) = 50 < 500
		{"risk intent stop", StopRisk{0.01, 0.02}, stop1pct, 100, 10_000, 5, 100}, // 100/(100×0.01)
		{"risk half", StopRisk{0.01, 0.02}, half, 100, 10_000, 5, 25},             // 0.5×100/(100×0.02)
		{"risk capped", StopRisk{0.01, 0.02}, tight, 100, 10_000, 5, 500},         // 1000 capped at 10000×5/100
		{"risk no equity", StopRisk{0.01, 0.02}, long, 100, 0, 5, 0},
		{"risk no leverage", StopRisk{0.01, 0.02}, long, 100, 10_000, 0, 0},
		// Bad inputs give 0, never NaN, Inf or a negative size.
		{"zero price", FixedNotional{1000}, long, 0, 1000, 1, 0},
		{"NaN price", EquityFraction{0.1}, long, math.NaN(), 1000, 1, 0},
		{"Inf price", StopRisk{0.01, 0.02}, long, math.Inf(1), 1000, 1, 0},
		{"NaN equity", EquityFraction{0.1}, long, 100, math.NaN(), 1, 0},
		{"negative weight", FixedNotional{1000}, backtest.Intent{Side: 1, Weight: -1}, 100, 1000, 1, 0},
		{"NaN leverage", EquityFraction{0.1}, long, 100, 1000, math.NaN(), 0},
	} {
		got := tc.z.Size(tc.in, tc.price, tc.equity, tc.leverage)
		if !near(got, tc.want, 1e-12) {
			t.Errorf("%s: size %g, want %g", tc.name, got, tc.want)
		}
	}
}

func TestSizerPositiveFinite(t *testing.T) {
	zs := []backtest.Sizer{FixedNotional{1000}, EquityFraction{0.1}, StopRisk{0.01, 0.02}}
	for _, z := range zs {
		for _, price := range []float64{1e-8, 0.5, 40_000, 1e12} {
			for _, equity := range []float64{1e-6, 1, 1e9} {
				for _, lev := range []float64{1, 20, 125} {
					for _, w := range []float64{0, 1e-3, 1} {
						q := z.Size(backtest.Intent{Side: 1, Weight: w, Stop: 0.003}, price, equity, lev)
						if !(q > 0) || math.IsInf(q, 0) {
							t.Errorf("%T: Size(w %g, price %g, equity %g, leverage %g) = %g", z, w, price, equity, lev, q)
						}
					}
				}
			}
		}
	}
}

func TestNewSizer(t *testing.T) {
	z, err := NewSizer("risk", map[string]any{"risk": 0.02})
	if err != nil {
		t.Fatal(err)
	}
	if got := z.(StopRisk); got != (StopRisk{Risk: 0.02, DefaultStop: 0.02}) {
		t.Errorf("risk sizer %+v", got)
	}
	for kind, want := range map[string]backtest.Sizer{
		"fixed_notional":  FixedNotional{1000},
		"equity_fraction": EquityFraction{0.1},
		"risk":            StopRisk{0.01, 0.02},
	} {
		z, err := NewSizer(kind, nil)
		if err != nil || z != want {
			t.Errorf("NewSizer(%q, nil) = %v, %v; want %v", kind, z, err, want)
		}
	}
	z, err = NewSizer("fixed_notional", map[string]any{"notional": 250})
	if err != nil || z.(FixedNotional).Notional != 250 {
		t.Errorf("int notional: %v, %v", z, err)
	}

	for _, tc := range []struct {
		kind   string
		params map[string]any
		is     error
		want   string
	}{
		{"kelly", nil, ErrUnknownName, `unknown sizer "kelly" (known: equity_fraction, fixed_notional, risk)`},
		{"risk", map[string]any{"stop": 0.01}, ErrUnknownParam, `risk: unknown parameter "stop" (allowed: default_stop, risk)`},
		{"fixed_notional", map[string]any{"notional": "1k"}, ErrParamType, `parameter "notional": got string "1k", want a number`},
		{"fixed_notional", map[string]any{"notional": 0}, ErrParamRange, `"notional" = 0: must be a number > 0`},
		{"equity_fraction", map[string]any{"fraction": 1.5}, ErrParamRange, `"fraction" = 1.5: must be a fraction in (0, 1]`},
		{"risk", map[string]any{"default_stop": 1}, ErrParamRange, `"default_stop" = 1: must be a fraction in (0, 1)`},
	} {
		_, err := NewSizer(tc.kind, tc.params)
		if !errors.Is(err, tc.is) || err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("NewSizer(%q, %v) = %v; want %v containing %q", tc.kind, tc.params, err, tc.is, tc.want)
		}
	}
}
