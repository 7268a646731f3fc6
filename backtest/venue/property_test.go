package venue

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestLiquidationCondition is a property test of Rule.LiquidationPrice for
// every preset (so every family) and every table: for random positions
// that are healthy at entry, the liquidation condition
//
//	g(P) = collateral + s·Q·(P − EP) − MM(P)
//
// is ≈ 0 at P = LP, positive just inside (LP moved 1e-6 relative toward
// the entry) and negative just outside. A long without LP must be healthy
// at every positive price.
func TestLiquidationCondition(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const n = 2000
	for _, name := range PresetNames() {
		v := mustPreset(t, name)
		rule := v.Rule()
		var tables []Brackets
		for _, sym := range sortedKeys(v.Tables) {
			for _, tab := range v.Tables[sym] {
				tables = append(tables, tab.Brackets)
			}
		}
		for _, tab := range v.Default {
			tables = append(tables, tab.Brackets)
		}
		var tested, noLP int
		for range n {
			br := tables[rng.IntN(len(tables))]
			side := 1 - 2*rng.IntN(2)
			s := float64(side)
			entry := math.Exp(rng.Float64() * math.Log(1e5))                 // 1 … 100,000
			notional := math.Exp(math.Log(10) + rng.Float64()*math.Log(1e8)) // 10 … 1e9
			qty := notional / entry
			maxLev := br[br.Index(notional)].MaxLeverage
			lev := 1 + rng.Float64()*(maxLev-1)
			collateral := notional / lev
			g := func(p float64) float64 {
				return collateral + s*qty*(p-entry) - rule.Maintenance(br, v.TakerFee, qty, entry, p)
			}
			if !(g(entry) > 0) {
				continue // liquidatable at entry (fees on top of the tier's maximum leverage)
			}
			lp, ok := rule.LiquidationPrice(br, v.TakerFee, side, qty, entry, collateral)
			if !ok {
				if side < 0 {
					t.Fatalf("%s: short %v @ %v with %v has no LP", name, qty, entry, collateral)
				}
				noLP++
				for _, p := range []float64{entry * 1e-9, entry * 1e-3, entry / 2} {
					if !(g(p) > 0) {
						t.Fatalf("%s: long %v @ %v with %v has no LP but g(%v) = %v", name, qty, entry, collateral, p, g(p))
					}
				}
				continue
			}
			if lp < entry*1e-6 {
				continue // too close to zero for a relative step to show
			}
			tested++
			if at := g(lp); math.Abs(at) > 1e-9*notional {
				t.Fatalf("%s: side %d qty %v entry %v collateral %v: g(LP=%v) = %v, want ≈ 0", name, side, qty, entry, collateral, lp, at)
			}
			in, out := lp*(1+s*1e-6), lp*(1-s*1e-6)
			if !(g(in) > 0) || !(g(out) < 0) {
				t.Fatalf("%s: side %d qty %v entry %v collateral %v LP %v: g inside %v, outside %v",
					name, side, qty, entry, collateral, lp, g(in), g(out))
			}
		}
		if tested < n/2 {
			t.Errorf("%s: only %d of %d random positions tested (%d without LP)", name, tested, n, noLP)
		}
	}
}
