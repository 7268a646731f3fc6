package strategy

import (
	"math"
	"slices"
	"testing"
	"time"

	"github.com/marginlab/marginlab/backtest"
	"github.com/marginlab/marginlab/data"
)

func TestHold(t *testing.T) {
	m := closesMarket([]float64{1, 2, 3}, []float64{3, 2, 1})
	for _, tc := range []struct {
		name   string
		params map[string]any
		want   backtest.Intent
	}{
		{"default long", nil, backtest.Intent{Side: 1, Weight: 1}},
		{"short with stop", map[string]any{"side": "short", "stop": 0.05}, backtest.Intent{Side: -1, Weight: 1, Stop: 0.05}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := runAll(mustNew(t, "hold", tc.params, 0), m)
			for i := range rec {
				for s := range rec[i] {
					if rec[i][s] != tc.want {
						t.Errorf("bar %d symbol %d: %+v, want %+v", i, s, rec[i][s], tc.want)
					}
				}
			}
		})
	}
}

func TestSMACrossByHand(t *testing.T) {
	// fast = 2, slow = 3. Means (fast, slow) from bar 2 on:
	// bar 2: (2.5, 2) long     bar 3: (2.5, 7/3) long   bar 4: (1.5, 2) short
	// bar 5: (1, 4/3) short    bar 6: (1.5, 4/3) long   bar 7: (1.5, 4/3) long
	// bar 8: (2, 2) equal: flat
	closes := []float64{1, 2, 3, 2, 1, 1, 2, 1, 3}
	for _, tc := range []struct {
		name   string
		params map[string]any
		want   []int
	}{
		{"short allowed", map[string]any{"fast": 2, "slow": 3}, []int{0, 0, 1, 1, -1, -1, 1, 1, 0}},
		{"long only", map[string]any{"fast": 2, "slow": 3, "allow_short": false}, []int{0, 0, 1, 1, 0, 0, 1, 1, 0}},
		{"first five", map[string]any{"fast": 2, "slow": 3}, []int{0, 0, 1, 1, -1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := closesMarket(closes[:len(tc.want)])
			got := sidesOf(runAll(mustNew(t, "sma_cross", tc.params, 0), m), 0)
			if !slices.Equal(got, tc.want) {
				t.Errorf("sides %v, want %v", got, tc.want)
			}
		})
	}
}

func TestSMACrossStopAndWeight(t *testing.T) {
	m := closesMarket([]float64{1, 2, 3})
	rec := runAll(mustNew(t, "sma_cross", map[string]any{"fast": 1, "slow": 2, "stop": 0.03}, 0), m)
	if want := (backtest.Intent{}); rec[0][0] != want {
		t.Errorf("bar 0: %+v, want the zero intent", rec[0][0])
	}
	if want := (backtest.Intent{Side: 1, Weight: 1, Stop: 0.03}); rec[2][0] != want {
		t.Errorf("bar 2: %+v, want %+v", rec[2][0], want)
	}
}

func TestSMACrossConstantPriceIsFlat(t *testing.T) {
	// 0.1 is not exact in binary: the running sums round, but equal means
	// must never make a signal.
	closes := make([]float64, 500)
	for i := range closes {
		closes[i] = 0.1
	}
	got := sidesOf(runAll(mustNew(t, "sma_cross", map[string]any{"fast": 3, "slow": 7}, 0), closesMarket(closes)), 0)
	for i, s := range got {
		if s != 0 {
			t.Fatalf("bar %d: side %d on a constant price", i, s)
		}
	}
}

func TestBreakoutByHand(t *testing.T) {
	t.Run("turns round", func(t *testing.T) {
		// high = low = close; window 3, exit_window 2. Bar 3 breaks above
		// 12 (long); bar 5 closes 11 below the exit low 12 and below the
		// entry low 12: flat then short on one bar; bar 10 closes 10 above
		// the exit high 9 and the entry high 9: long.
		c := []float64{10, 11, 12, 13, 12, 11, 10, 9, 8, 9, 10, 11}
		want := []int{0, 0, 0, 1, 1, -1, -1, -1, -1, -1, 1, 1}
		got := sidesOf(runAll(mustNew(t, "breakout", map[string]any{"window": 3, "exit_window": 2}, 0), hlcMarket(c, c, c)), 0)
		if !slices.Equal(got, want) {
			t.Errorf("sides %v, want %v", got, want)
		}
	})
	t.Run("exits to flat", func(t *testing.T) {
		h := []float64{11, 11, 11, 13, 13, 12.5, 11, 10, 9, 10.5}
		l := []float64{9, 9, 9, 9, 11, 10.5, 9.5, 8, 8, 8.5}
		c := []float64{10, 10, 10, 12.5, 12, 11, 9.8, 8.5, 8.8, 10.2}
		// bar 3: 12.5 > 11 (highs of bars 0–2): long.
		// bar 6: 9.8 < 10.5 (lows of bars 4–5): flat; the entry channel of
		//        bars 3–5 is [9, 13]: stays flat.
		// bar 7: 8.5 < 9.5 (lows of bars 4–6): short.
		// bar 9: 10.2 > 10 (highs of bars 7–8): flat; entry [8, 11]: flat.
		want := []int{0, 0, 0, 1, 1, 1, 0, -1, -1, 0}
		got := sidesOf(runAll(mustNew(t, "breakout", map[string]any{"window": 3, "exit_window": 2}, 0), hlcMarket(h, l, c)), 0)
		if !slices.Equal(got, want) {
			t.Errorf("sides %v, want %v", got, want)
		}
	})
	t.Run("waits for the longer window", func(t *testing.T) {
		// exit_window 4 > window 2: no decision before bar 4, although bar
		// 2 already breaks out.
		c := []float64{1, 2, 3, 4, 5, 6}
		want := []int{0, 0, 0, 0, 1, 1}
		got := sidesOf(runAll(mustNew(t, "breakout", map[string]any{"window": 2, "exit_window": 4}, 0), hlcMarket(c, c, c)), 0)
		if !slices.Equal(got, want) {
			t.Errorf("sides %v, want %v", got, want)
		}
	})
}

func TestMeanRevertByHand(t *testing.T) {
	// window 3, entry_z 1, exit_z 0.5; z with the sample std:
	// bar 2 {1,2,3}:   z = 1      (not > 1): flat
	// bar 3 {2,3,10}:  z = 1.147  short
	// bar 4 {3,10,12}: z = 0.776  between exit and entry: keeps short
	// bar 5 {10,12,4}: z = −1.121 long
	// bar 6 {12,4,4}:  z = −0.577 keeps long
	// bar 7 {4,4,0}:   z = −1.155 long
	// bar 8 {4,0,3}:   z = 0.320  flat
	// bar 9 {0,3,3}:   z = 0.577  keeps flat
	c := []float64{1, 2, 3, 10, 12, 4, 4, 0, 3, 3}
	want := []int{0, 0, 0, -1, -1, 1, 1, 1, 0, 0}
	got := sidesOf(runAll(mustNew(t, "mean_revert", map[string]any{"window": 3, "entry_z": 1, "exit_z": 0.5}, 0), closesMarket(c)), 0)
	if !slices.Equal(got, want) {
		t.Errorf("sides %v, want %v", got, want)
	}

	// A flat window has z = 0: an open position exits, none opens.
	flat := []float64{5, 5, 5, 5, 5, 5}
	got = sidesOf(runAll(mustNew(t, "mean_revert", map[string]any{"window": 3}, 0), closesMarket(flat)), 0)
	if !slices.Equal(got, make([]int, len(flat))) {
		t.Errorf("flat prices: sides %v, want all 0", got)
	}
}

func TestFundingCarryByHand(t *testing.T) {
	h := int64(time.Hour)
	m := closesMarket([]float64{1, 1, 1, 1, 1, 1}, []float64{1, 1, 1, 1, 1, 1})
	// A: an event exactly at bar 0's close (known at bar 0), one inside
	// bar 2, one at bar 3's close. B: its first event inside bar 2.
	m.Symbols[0].Funding = data.Funding{Time: []int64{t0 + h, t0 + 5*h/2, t0 + 4*h}, Rate: []float64{0.0003, 0.00005, -0.0002}}
	m.Symbols[1].Funding = data.Funding{Time: []int64{t0 + 5*h/2}, Rate: []float64{-0.0005}}
	for _, tc := range []struct {
		threshold float64
		a, b      []int
	}{
		{0.0001, []int{-1, -1, 0, 1, 1, 1}, []int{0, 0, 1, 1, 1, 1}},
		{0, []int{-1, -1, -1, 1, 1, 1}, []int{0, 0, 1, 1, 1, 1}},
		{0.001, []int{0, 0, 0, 0, 0, 0}, []int{0, 0, 0, 0, 0, 0}},
	} {
		rec := runAll(mustNew(t, "funding_carry", map[string]any{"threshold": tc.threshold}, 0), m)
		if got := sidesOf(rec, 0); !slices.Equal(got, tc.a) {
			t.Errorf("threshold %g: A sides %v, want %v", tc.threshold, got, tc.a)
		}
		if got := sidesOf(rec, 1); !slices.Equal(got, tc.b) {
			t.Errorf("threshold %g: B sides %v, want %v", tc.threshold, got, tc.b)
		}
	}
}

func TestRandomDeterministic(t *testing.T) {
	m := synthMarket(t, symbolNames(3), 3000, 1)
	p := map[string]any{"entry_prob": 0.05, "exit_prob": 0.05}
	a := runAll(mustNew(t, "random", p, 42), m)
	b := runAll(mustNew(t, "random", p, 42), m)
	c := runAll(mustNew(t, "random", p, 43), m)
	if !slices.EqualFunc(a, b, slices.Equal) {
		t.Error("two runs with seed 42 differ")
	}
	if slices.EqualFunc(a, c, slices.Equal) {
		t.Error("seeds 42 and 43 give the same intents")
	}
	if slices.Equal(sidesOf(a, 0), sidesOf(a, 1)) {
		t.Error("symbols 0 and 1 have the same stream")
	}
}

func TestRandomIndependentOfSymbolsAndPrices(t *testing.T) {
	p := map[string]any{"entry_prob": 0.05, "exit_prob": 0.05}
	five := runAll(mustNew(t, "random", p, 9), synthMarket(t, symbolNames(5), 2000, 1))
	two := runAll(mustNew(t, "random", p, 9), synthMarket(t, symbolNames(2), 2000, 2)) // other prices too
	for s := range 2 {
		if !slices.Equal(sidesOf(five, s), sidesOf(two, s)) {
			t.Errorf("symbol %d: intents depend on the number of symbols or on prices", s)
		}
	}
}

func TestRandomRates(t *testing.T) {
	const bars = 200_000
	closes := make([]float64, bars)
	for i := range closes {
		closes[i] = 100
	}
	rec := runAll(mustNew(t, "random", map[string]any{"entry_prob": 0.05, "exit_prob": 0.02}, 3), closesMarket(closes))
	var open, long, entries int
	prev := 0
	for _, s := range sidesOf(rec, 0) {
		if s != 0 {
			open++
			if prev == 0 {
				entries++
			}
		}
		if s > 0 {
			long++
		}
		prev = s
	}
	// A two-state chain: P(open) = pe/(pe+px) = 0.714; mean holding 1/px
	// = 50 bars. Bounds are about ±5 standard errors.
	if f := float64(open) / bars; math.Abs(f-0.05/0.07) > 0.03 {
		t.Errorf("share of bars open %.3f, want ≈ 0.714", f)
	}
	if f := float64(long) / float64(open); math.Abs(f-0.5) > 0.05 {
		t.Errorf("long share of open bars %.3f, want ≈ 0.5", f)
	}
	if hold := float64(open) / float64(entries); math.Abs(hold-50) > 7 {
		t.Errorf("mean holding %.1f bars, want ≈ 50", hold)
	}

	always := sidesOf(runAll(mustNew(t, "random", map[string]any{"entry_prob": 1, "exit_prob": 0}, 3), closesMarket(closes[:100])), 0)
	never := sidesOf(runAll(mustNew(t, "random", map[string]any{"entry_prob": 0}, 3), closesMarket(closes[:100])), 0)
	for i := range always {
		if always[i] == 0 || always[i] != always[0] {
			t.Fatalf("entry_prob 1, exit_prob 0: bar %d side %d, want one side from bar 0 on", i, always[i])
		}
		if never[i] != 0 {
			t.Fatalf("entry_prob 0: bar %d side %d", i, never[i])
		}
	}
}

// TestCallPattern checks that the state follows the bars, not the calls:
// skipped bars are caught up, a repeated bar changes nothing, an earlier
// bar starts over.
func TestCallPattern(t *testing.T) {
	m := synthMarket(t, symbolNames(2), 600, 5)
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			want := runAll(mustNew(t, name, builtinParams[name], 1), m)
			st := mustNew(t, name, builtinParams[name], 1)
			intents := make([]backtest.Intent, 2)
			for _, bar := range []int{0, 1, 2, 57, 57, 58, 300, 12, 13, 14, 599, 599} {
				st.Decide(backtest.NewView(m, bar), intents)
				if !slices.Equal(intents, want[bar]) {
					t.Fatalf("bar %d: %+v, want %+v", bar, intents, want[bar])
				}
			}
			// Another number of symbols starts over too.
			m3 := synthMarket(t, symbolNames(3), 600, 5)
			want3 := runAll(mustNew(t, name, builtinParams[name], 1), m3)
			intents = make([]backtest.Intent, 3)
			st.Decide(backtest.NewView(m3, 400), intents)
			if !slices.Equal(intents, want3[400]) {
				t.Fatalf("3 symbols, bar 400: %+v, want %+v", intents, want3[400])
			}
		})
	}
}

// The tests below compare each windowed strategy with a naive version
// that recomputes everything at every bar.

func TestSMACrossMatchesNaive(t *testing.T) {
	m := synthMarket(t, symbolNames(3), 3000, 11)
	for _, p := range [][2]int{{5, 21}, {20, 50}, {1, 2}, {99, 100}} {
		rec := runAll(mustNew(t, "sma_cross", map[string]any{"fast": p[0], "slow": p[1]}, 0), m)
		for s := range m.Symbols {
			c := m.Symbols[s].Candles.Close
			for i := range c {
				want := 0
				if i >= p[1]-1 {
					f, sl := naiveMean(c[i-p[0]+1:i+1]), naiveMean(c[i-p[1]+1:i+1])
					if !near(f, sl, 1e-9) {
						want = 1
						if f < sl {
							want = -1
						}
					} else {
						continue // a near tie: rounding decides
					}
				}
				if got := rec[i][s].Side; got != want {
					t.Fatalf("fast %d slow %d, symbol %d bar %d: side %d, want %d", p[0], p[1], s, i, got, want)
				}
			}
		}
	}
}

func TestBreakoutMatchesNaive(t *testing.T) {
	m := synthMarket(t, symbolNames(3), 3000, 12)
	for _, p := range [][2]int{{20, 10}, {5, 15}, {1, 1}, {55, 20}} {
		rec := runAll(mustNew(t, "breakout", map[string]any{"window": p[0], "exit_window": p[1]}, 0), m)
		for s := range m.Symbols {
			b := m.Symbols[s].Candles
			side := 0
			for i := range b.Close {
				if i >= max(p[0], p[1]) {
					hi := func(n int) float64 { return slices.Max(b.High[i-n : i]) }
					lo := func(n int) float64 { return slices.Min(b.Low[i-n : i]) }
					c := b.Close[i]
					if (side > 0 && c < lo(p[1])) || (side < 0 && c > hi(p[1])) {
						side = 0
					}
					if side == 0 {
						if c > hi(p[0]) {
							side = 1
						} else if c < lo(p[0]) {
							side = -1
						}
					}
				}
				if got := rec[i][s].Side; got != side {
					t.Fatalf("window %d exit %d, symbol %d bar %d: side %d, want %d", p[0], p[1], s, i, got, side)
				}
			}
		}
	}
}

func TestMeanRevertMatchesNaive(t *testing.T) {
	m := synthMarket(t, symbolNames(3), 3000, 13)
	for _, p := range []struct {
		w           int
		entry, exit float64
	}{{50, 2, 0.5}, {30, 1.5, 0.3}, {2, 0.5, 0.1}, {200, 1, 0}} {
		rec := runAll(mustNew(t, "mean_revert", map[string]any{"window": p.w, "entry_z": p.entry, "exit_z": p.exit}, 0), m)
		trades := 0
		for s := range m.Symbols {
			c := m.Symbols[s].Candles.Close
			side := 0
			for i := range c {
				if i >= p.w-1 {
					win := c[i-p.w+1 : i+1]
					mean, sd := naiveMean(win), naiveStd(win)
					z := (c[i] - mean) / sd
					switch {
					case z > p.entry:
						side = -1
					case z < -p.entry:
						side = 1
					case math.Abs(z) < p.exit:
						side = 0
					}
				}
				if got := rec[i][s].Side; got != side {
					t.Fatalf("%+v, symbol %d bar %d: side %d, want %d", p, s, i, got, side)
				}
				if i > 0 && rec[i][s].Side != rec[i-1][s].Side {
					trades++
				}
			}
		}
		if trades == 0 {
			t.Errorf("%+v: no trades: the comparison tests nothing", p)
		}
	}
}

func naiveMean(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

func naiveStd(x []float64) float64 {
	m := naiveMean(x)
	q := 0.0
	for _, v := range x {
		q += (v - m) * (v - m)
	}
	return math.Sqrt(q / float64(len(x)-1))
}
