package strategy

import (
	"errors"
	"math"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/marginlab/marginlab/backtest"
	"github.com/marginlab/marginlab/data"
)

// conformanceCuts are 20 cuts spread over 3,000 bars, early bars included.
var conformanceCuts = []int{0, 1, 49, 50, 51, 150, 299, 450, 600, 777, 900, 1100, 1313, 1500, 1750, 2000, 2222, 2500, 2800, 2999}

func TestConformanceBuiltins(t *testing.T) {
	m := synthMarket(t, symbolNames(3), 3000, 21)
	for _, name := range Names() {
		for _, params := range []map[string]any{nil, builtinParams[name]} {
			newStrategy := func() backtest.Strategy { return mustNew(t, name, params, 77) }
			if err := CheckConformance(newStrategy, m, conformanceCuts); err != nil {
				t.Errorf("%s %v: %v", name, params, err)
			}
			// The check must not be vacuous: every strategy but hold
			// changes its mind on this market.
			rec := runAll(newStrategy(), m)
			changes := 0
			for i := 1; i < len(rec); i++ {
				for s := range rec[i] {
					if rec[i][s] != rec[i-1][s] {
						changes++
					}
				}
			}
			if changes == 0 && name != "hold" {
				t.Errorf("%s %v: no intent ever changes", name, params)
			}
		}
	}
	// nil cuts: the default cuts.
	if err := CheckConformance(func() backtest.Strategy { return mustNew(t, "sma_cross", nil, 0) }, m, nil); err != nil {
		t.Error(err)
	}
}

// closurePeek cheats through the market it captured: it goes long when
// the next bar closes higher, short when lower.
type closurePeek struct{ m *data.Market }

func (p *closurePeek) Decide(v *backtest.View, intents []backtest.Intent) {
	i := v.Bar()
	for s := range v.Symbols() {
		c := p.m.Symbols[s].Candles.Close
		side := 0
		if i+1 < len(c) {
			side = sign(c[i+1] - c[i])
		}
		intents[s] = intent(side, 0)
	}
}

// viewPeek cheats by reslicing the View's closes past their length.
type viewPeek struct{}

func (viewPeek) Decide(v *backtest.View, intents []backtest.Intent) {
	i := v.Bar()
	for s := range v.Symbols() {
		c := v.Candles(s).Close
		side := 0
		if full := c[:cap(c)]; i+1 < len(full) {
			side = sign(full[i+1] - full[i])
		}
		intents[s] = intent(side, 0)
	}
}

// fundingPeek cheats by reading the next funding rate past the View's
// funding series.
type fundingPeek struct{}

func (fundingPeek) Decide(v *backtest.View, intents []backtest.Intent) {
	for s := range v.Symbols() {
		r := v.Funding(s).Rate
		side := 0
		if full := r[:cap(r)]; len(full) > len(r) {
			side = -sign(full[len(r)])
		}
		intents[s] = intent(side, 0)
	}
}

// unguardedPeek knows the market's length from elsewhere and reads bar
// I+1 through the View without checking: it panics on a cut market.
type unguardedPeek struct{ bars int }

func (p unguardedPeek) Decide(v *backtest.View, intents []backtest.Intent) {
	i := v.Bar()
	for s := range v.Symbols() {
		c := v.Candles(s).Close
		side := 0
		if i+1 < p.bars {
			side = sign(c[:i+2][i+1] - c[i])
		}
		intents[s] = intent(side, 0)
	}
}

// decideCalls is the hidden global state of counterStrategy.
var decideCalls atomic.Int64

// counterStrategy is long for the first 1,000 Decide calls of the process
// and short afterwards: its second run differs from its first.
type counterStrategy struct{}

func (counterStrategy) Decide(v *backtest.View, intents []backtest.Intent) {
	side := 1
	if decideCalls.Add(1) > 1000 {
		side = -1
	}
	for s := range v.Symbols() {
		intents[s] = intent(side, 0)
	}
}

// badIntent emits a weight of 2 from bar 100 on.
type badIntent struct{}

func (badIntent) Decide(v *backtest.View, intents []backtest.Intent) {
	for s := range v.Symbols() {
		intents[s] = backtest.Intent{Side: 1, Weight: 1}
		if v.Bar() >= 100 && s == 1 {
			intents[s].Weight = 2
		}
	}
}

func sign(x float64) int {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return 0
}

func TestConformanceCatchesCheats(t *testing.T) {
	m := synthMarket(t, symbolNames(3), 3000, 22)
	for _, tc := range []struct {
		name        string
		newStrategy func() backtest.Strategy
		is          error
		want        []string
	}{
		{"closure", func() backtest.Strategy { return &closurePeek{m: m} }, ErrLookAhead,
			[]string{"*strategy.closurePeek", "with the market cut after bar 0", "its intent at bar 0", "for symbol BTC"}},
		// View caps every slice's capacity at the current bar, so reading
		// past it panics on the first bar instead of peeking.
		{"unguarded reslice", func() backtest.Strategy { return unguardedPeek{bars: len(m.Time)} }, ErrPanic,
			[]string{"strategy.unguardedPeek at bar 0", "slice bounds out of range"}},
		{"global counter", func() backtest.Strategy { return counterStrategy{} }, ErrNondeterministic,
			[]string{"strategy.counterStrategy: two runs over the same market differ at bar 0 (2024-01-01", "symbol BTC: long then short"}},
		{"bad weight", func() backtest.Strategy { return badIntent{} }, ErrInvalidIntent,
			[]string{"bar 100", "symbol ETH: long, weight 2 (want side"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			decideCalls.Store(0)
			err := CheckConformance(tc.newStrategy, m, conformanceCuts)
			if !errors.Is(err, tc.is) {
				t.Fatalf("got %v, want %v", err, tc.is)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%q does not contain %q", err, w)
				}
			}
		})
	}
}

// TestViewBlocksReslicing: strategies that reslice a View's slices to
// their capacity find nothing beyond the current bar (View caps capacity),
// so they cannot look ahead and conform.
func TestViewBlocksReslicing(t *testing.T) {
	m := synthMarket(t, symbolNames(2), 500, 23)
	for _, i := range []int{0, 10, 499} {
		v := backtest.NewView(m, i)
		if c := v.Candles(0).Close; cap(c) != i+1 {
			t.Errorf("bar %d: Candles capacity %d", i, cap(c))
		}
		if f := v.Funding(0).Rate; cap(f) != len(f) {
			t.Errorf("bar %d: Funding capacity %d, length %d", i, cap(f), len(f))
		}
	}
	for name, ns := range map[string]func() backtest.Strategy{
		"view reslice":    func() backtest.Strategy { return viewPeek{} },
		"funding reslice": func() backtest.Strategy { return fundingPeek{} },
	} {
		if err := CheckConformance(ns, m, nil); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestConformanceCatchesLateCheat: a cheat that peeks only late in the
// market is caught at a later cut, and the message names that bar.
func TestConformanceCatchesLateCheat(t *testing.T) {
	m := synthMarket(t, symbolNames(2), 3000, 23)
	late := func() backtest.Strategy { return lateCheat{&closurePeek{m: m}} }
	err := CheckConformance(late, m, conformanceCuts)
	if !errors.Is(err, ErrLookAhead) {
		t.Fatalf("got %v, want a look-ahead", err)
	}
	if !strings.Contains(err.Error(), "bar 2000 (") && !strings.Contains(err.Error(), "bar 2222 (") {
		t.Errorf("%q names no bar after 2000 that a cut ends on", err)
	}
}

// lateCheat behaves from bar 2,000 on only.
type lateCheat struct{ p *closurePeek }

func (c lateCheat) Decide(v *backtest.View, intents []backtest.Intent) {
	if v.Bar() < 2000 {
		for s := range v.Symbols() {
			intents[s] = backtest.Intent{}
		}
		return
	}
	c.p.Decide(v, intents)
}

func TestConformanceRestoresMarket(t *testing.T) {
	m0 := synthMarket(t, symbolNames(2), 800, 24)
	m := cloneMarket(m0) // the cached market must stay pristine for other tests
	before := cloneMarket(m)
	_ = CheckConformance(func() backtest.Strategy { return &closurePeek{m: m} }, m, []int{10, 400})
	_ = CheckConformance(func() backtest.Strategy { return mustNew(t, "breakout", nil, 0) }, m, nil)
	_ = CheckConformance(func() backtest.Strategy { return unguardedPeek{bars: len(m.Time)} }, m, nil)
	for s := range m.Symbols {
		a, b := &m.Symbols[s], &before.Symbols[s]
		for _, col := range [][2][]float64{
			{a.Candles.Open, b.Candles.Open}, {a.Candles.High, b.Candles.High}, {a.Candles.Low, b.Candles.Low},
			{a.Candles.Close, b.Candles.Close}, {a.Candles.Volume, b.Candles.Volume},
			{a.Mark.Open, b.Mark.Open}, {a.Mark.Close, b.Mark.Close}, {a.Funding.Rate, b.Funding.Rate},
		} {
			if !slices.EqualFunc(col[0], col[1], func(x, y float64) bool { return math.Float64bits(x) == math.Float64bits(y) }) {
				t.Fatalf("symbol %s: a column changed", a.Name)
			}
		}
	}
}

func TestConformanceBadInput(t *testing.T) {
	m := closesMarket([]float64{1, 2, 3})
	hold := func() backtest.Strategy { return mustNew(t, "hold", nil, 0) }
	for _, cuts := range [][]int{{-1}, {3}, {0, 7}} {
		if err := CheckConformance(hold, m, cuts); err == nil || !strings.Contains(err.Error(), "outside the market's bars [0, 2]") {
			t.Errorf("cuts %v: %v", cuts, err)
		}
	}
	if err := CheckConformance(hold, &data.Market{}, nil); err == nil {
		t.Error("empty market: no error")
	}
	if err := CheckConformance(hold, m, []int{2, 0, 0, 1}); err != nil {
		t.Errorf("unsorted, repeated cuts: %v", err)
	}
	// A hand-built market with nil funding and no mark series.
	bare := closesMarket([]float64{1, 2, 3, 4, 5})
	bare.Symbols[0].Funding = data.Funding{}
	if err := CheckConformance(func() backtest.Strategy { return &closurePeek{m: bare} }, bare, nil); !errors.Is(err, ErrLookAhead) {
		t.Errorf("bare market: %v, want a look-ahead", err)
	}
	for _, name := range Names() {
		if err := CheckConformance(func() backtest.Strategy { return mustNew(t, name, nil, 0) }, bare, nil); err != nil {
			t.Errorf("bare market, %s: %v", name, err)
		}
	}
}

func TestEvenCuts(t *testing.T) {
	for _, tc := range []struct {
		n, count int
		want     []int
	}{
		{1, 20, []int{0}},
		{3, 20, []int{0, 1, 2}},
		{101, 4, []int{0, 1, 2, 25, 50, 75, 100}},
	} {
		if got := evenCuts(tc.n, tc.count); !slices.Equal(got, tc.want) {
			t.Errorf("evenCuts(%d, %d) = %v, want %v", tc.n, tc.count, got, tc.want)
		}
	}
}
