package oracle

import (
	"fmt"
	"testing"

	"github.com/marginlab/marginlab/backtest"
)

// TestDebugCase prints the engine's fills, liquidations and equity in a
// window of bars of one case (a triage aid): -case=SEED -trace=LO-HI.
func TestDebugCase(t *testing.T) {
	if *flagCase == "" || *flagTrace == "" {
		t.Skip("needs -case and -trace")
	}
	var seed uint64
	fmt.Sscan(*flagCase, &seed)
	var lo, hi int
	fmt.Sscanf(*flagTrace, "%d-%d", &lo, &hi)
	c := genSpec(seed, realDataPresent())
	m, in, cfg, modes, err := c.build()
	if err != nil {
		t.Fatal(err)
	}
	cfg.Sizer = probe{cfg.Sizer, t}
	res, err := backtest.Run(m, in, cfg, modes...)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		for i, tm := range r.Series.Time {
			bar := int((tm - m.Time[0]) / int64(m.Timeframe))
			if bar >= lo && bar <= hi {
				t.Logf("engine %s bar %d: equity %.10g at risk %.10g", r.Mode, bar, r.Series.Equity[i], r.Series.CapitalAtRisk[i])
			}
		}
		for _, f := range r.Fills {
			if f.Bar >= lo && f.Bar <= hi {
				t.Logf("engine %s fill %+v", r.Mode, f)
			}
		}
		for _, l := range r.Liquidations {
			if l.Bar >= lo && l.Bar <= hi {
				t.Logf("engine %s liquidation %+v", r.Mode, l)
			}
		}
	}
	for _, ch := range in.Changes {
		if ch.Bar >= lo-1 && ch.Bar <= hi {
			t.Logf("intent change decided at bar %d: %s %+v", ch.Bar, m.Symbols[ch.Symbol].Name, ch.Intent)
		}
	}
}

// probe logs every sizing call.
type probe struct {
	backtest.Sizer
	t *testing.T
}

func (p probe) Size(in backtest.Intent, price, equity, leverage float64) float64 {
	q := p.Sizer.Size(in, price, equity, leverage)
	p.t.Logf("engine sizer: %+v price %.10g equity %.10g leverage %.6g → %.10g", in, price, equity, leverage, q)
	return q
}

// TestDebugSizer finds the first sizing call whose inputs differ between
// the engine and the oracle in one case (a triage aid): -case=SEED.
func TestDebugSizer(t *testing.T) {
	if *flagCase == "" {
		t.Skip("needs -case")
	}
	var seed uint64
	fmt.Sscan(*flagCase, &seed)
	c := genSpec(seed, realDataPresent())
	m, in, cfg, modes, err := c.build()
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range modes {
		var a, b [][4]float64
		base := cfg.Sizer
		cfg.Sizer = rec{base, func(bar int, price, eq float64) { a = append(a, [4]float64{price, eq}) }}
		backtest.Run(m, in, cfg, mode)
		cfg.Sizer = rec{base, func(bar int, price, eq float64) { b = append(b, [4]float64{price, eq}) }}
		run(m, in, cfg, rules{}, mode)
		cfg.Sizer = base
		for i := range min(len(a), len(b)) {
			if !closeRel(a[i][0], b[i][0], 1e-9) || !closeRel(a[i][1], b[i][1], 1e-9) {
				t.Logf("%s: sizing call %d: engine price %.10g equity %.15g, oracle price %.10g equity %.15g", mode.Name, i, a[i][0], a[i][1], b[i][0], b[i][1])
				break
			}
		}
	}
}

type rec struct {
	backtest.Sizer
	f func(bar int, price, eq float64)
}

func (r rec) Size(in backtest.Intent, price, equity, leverage float64) float64 {
	r.f(0, price, equity)
	return r.Sizer.Size(in, price, equity, leverage)
}
