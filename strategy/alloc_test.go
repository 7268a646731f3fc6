package strategy

import (
	"testing"

	"github.com/marginlab/marginlab/backtest"
	"github.com/marginlab/marginlab/data"
)

// views returns the View of every bar of m, made up front so that the
// engine's allocation of a View is not counted against the strategy.
func views(m *data.Market) []*backtest.View {
	vs := make([]*backtest.View, len(m.Time))
	for i := range vs {
		vs[i] = backtest.NewView(m, i)
	}
	return vs
}

// TestDecideAllocs: after the first call, Decide allocates nothing.
func TestDecideAllocs(t *testing.T) {
	m := synthMarket(t, symbolNames(4), 2000, 31)
	vs := views(m)
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			st := mustNew(t, name, builtinParams[name], 1)
			intents := make([]backtest.Intent, len(m.Symbols))
			const warm = 500
			for _, v := range vs[:warm] {
				st.Decide(v, intents)
			}
			k := warm
			allocs := testing.AllocsPerRun(1000, func() {
				st.Decide(vs[k], intents)
				k++
			})
			if allocs != 0 {
				t.Errorf("Decide allocates %.2f times per call after warm-up", allocs)
			}
		})
	}
}
