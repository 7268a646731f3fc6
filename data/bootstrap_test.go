package data

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

// bsMust returns path p of m or fails the test.
func bsMust(t testing.TB, m *Market, p int, cfg BootstrapConfig) *Market {
	t.Helper()
	out, err := Bootstrap(m, p, cfg)
	if err != nil {
		t.Fatalf("Bootstrap(path %d, %+v): %v", p, cfg, err)
	}
	return out
}

// bsRough returns a synthetic market with gaps (every 7th open is off the
// previous close by ±0.3 %) and missing mark rows (every 13th row NaN), so
// the rules for both are exercised.
func bsRough(t testing.TB, bars int, seed uint64) *Market {
	t.Helper()
	m := synthMust(t, SynthConfig{Symbols: []string{"BTC", "ETH", "SOL"}, Bars: bars, Seed: seed})
	nan := math.NaN()
	for s := range m.Symbols {
		c, mk := &m.Symbols[s].Candles, m.Symbols[s].Mark
		for i := 7 + s; i < bars; i += 7 {
			f := math.Exp(0.003)
			if i%2 == 0 {
				f = 1 / f
			}
			o := c.Open[i] * f
			c.Open[i], c.High[i], c.Low[i] = o, max(c.High[i], o), min(c.Low[i], o)
		}
		for i := 13 + 2*s; i < bars; i += 13 {
			mk.Open[i], mk.High[i], mk.Low[i], mk.Close[i], mk.Volume[i] = nan, nan, nan, nan, nan
		}
	}
	return m
}

// bsRel is the relative difference |a−b|/|b|.
func bsRel(a, b float64) float64 { return math.Abs(a-b) / math.Abs(b) }

func bsLogReturns(closes []float64) []float64 {
	r := make([]float64, len(closes)-1)
	for i := range r {
		r[i] = math.Log(closes[i+1] / closes[i])
	}
	return r
}

// bsCorr is the Pearson correlation of x and y.
func bsCorr(x, y []float64) float64 {
	var mx, my float64
	for i := range x {
		mx += x[i]
		my += y[i]
	}
	mx /= float64(len(x))
	my /= float64(len(y))
	var sxy, sxx, syy float64
	for i := range x {
		dx, dy := x[i]-mx, y[i]-my
		sxy += dx * dy
		sxx += dx * dx
		syy += dy * dy
	}
	return sxy / math.Sqrt(sxx*syy)
}

// bsContinues reports whether j follows i inside one block of n bars.
func bsContinues(i, j, n int) bool { return j == i+1 || (i == n-1 && j == 1) }

// bsSameFloats reports whether a and b are equal element by element, NaN
// equal to NaN.
func bsSameFloats(a, b []float64) bool {
	return slices.EqualFunc(a, b, func(x, y float64) bool { return x == y || (math.IsNaN(x) && math.IsNaN(y)) })
}

func TestBootstrapPathZero(t *testing.T) {
	m := bsRough(t, 500, 1)
	got := bsMust(t, m, 0, BootstrapConfig{Block: 10, Seed: 3})
	if got != m {
		t.Errorf("path 0 = %p, want m itself (%p)", got, m)
	}
	idx := BootstrapIndex(500, 0, BootstrapConfig{Block: 10, Seed: 3})
	for i, j := range idx {
		if i != j {
			t.Fatalf("path 0: idx[%d] = %d, want the identity", i, j)
		}
	}
	if len(idx) != 500 {
		t.Errorf("path 0: len(idx) = %d, want 500", len(idx))
	}
}

// TestBootstrapIndexGolden pins the index streams: a change of seeding,
// draw order or draw method changes every Monte Carlo result, so it must be
// deliberate (update these values and say so).
func TestBootstrapIndexGolden(t *testing.T) {
	for _, tc := range []struct {
		path int
		cfg  BootstrapConfig
		want []int
	}{
		{1, BootstrapConfig{Block: 3, Seed: 42}, []int{0, 508, 509, 510, 139, 140, 141, 142, 143, 144, 468, 469, 470, 305, 306, 307}},
		{7, BootstrapConfig{Block: 3, Seed: 0}, []int{0, 622, 623, 624, 625, 626, 994, 573, 532, 725, 762, 763, 764, 765, 766, 709}},
	} {
		got := BootstrapIndex(1000, tc.path, tc.cfg)[:len(tc.want)]
		if !slices.Equal(got, tc.want) {
			t.Errorf("BootstrapIndex(1000, %d, %+v)[:%d]\n got %v\nwant %v", tc.path, tc.cfg, len(tc.want), got, tc.want)
		}
	}
}

func TestBootstrapDeterministic(t *testing.T) {
	const n = 10_000
	cfg := BootstrapConfig{Block: 20, Seed: 9}
	a := BootstrapIndex(n, 3, cfg)
	if b := BootstrapIndex(n, 3, cfg); !slices.Equal(a, b) {
		t.Error("same (n, path, cfg) gave different indices")
	}
	if b := BootstrapIndex(n, 4, cfg); slices.Equal(a, b) {
		t.Error("paths 3 and 4 gave the same indices")
	}
	if b := BootstrapIndex(n, 3, BootstrapConfig{Block: 20, Seed: 10}); slices.Equal(a, b) {
		t.Error("seeds 9 and 10 gave the same indices")
	}
	// Paths of different seeds must not be shifted copies of each other
	// (a weak seed mix could make path p of seed s path p+1 of seed s−1).
	if b := BootstrapIndex(n, 4, BootstrapConfig{Block: 20, Seed: 8}); slices.Equal(a, b) {
		t.Error("(seed 9, path 3) and (seed 8, path 4) gave the same indices")
	}

	m := bsRough(t, 2000, 2)
	p1, p2 := bsMust(t, m, 5, cfg), bsMust(t, m, 5, cfg)
	for s := range m.Symbols {
		x, y := &p1.Symbols[s], &p2.Symbols[s]
		for _, c := range [][2][]float64{
			{x.Candles.Open, y.Candles.Open}, {x.Candles.High, y.Candles.High}, {x.Candles.Low, y.Candles.Low},
			{x.Candles.Close, y.Candles.Close}, {x.Candles.Volume, y.Candles.Volume},
			{x.Mark.Open, y.Mark.Open}, {x.Mark.Close, y.Mark.Close}, {x.Funding.Rate, y.Funding.Rate},
		} {
			if !bsSameFloats(c[0], c[1]) {
				t.Fatalf("%s: two calls with the same arguments differ", x.Name)
			}
		}
	}
}

// TestBootstrapIndexShape checks the stationary-bootstrap structure: bar 0
// fixed, never drawn again, every step a continuation (wrapping n−1 → 1) or
// a fresh uniform draw on [1, n).
func TestBootstrapIndexShape(t *testing.T) {
	t.Run("range", func(t *testing.T) {
		for _, n := range []int{3, 4, 10, 1000} {
			for path := 1; path <= 20; path++ {
				idx := BootstrapIndex(n, path, BootstrapConfig{Block: 2.5, Seed: 1})
				if len(idx) != n || idx[0] != 0 {
					t.Fatalf("n %d path %d: len %d, idx[0] = %d; want len n and idx[0] = 0", n, path, len(idx), idx[0])
				}
				for i := 1; i < n; i++ {
					if idx[i] < 1 || idx[i] >= n {
						t.Fatalf("n %d path %d: idx[%d] = %d, want in [1, %d)", n, path, i, idx[i], n)
					}
				}
			}
		}
	})
	t.Run("wrap", func(t *testing.T) {
		// One block over 4 drawable bars must wrap: 0, s, …, 4, 1, ….
		idx := BootstrapIndex(200, 1, BootstrapConfig{Block: math.Inf(1), Seed: 5})
		for i := 2; i < len(idx); i++ {
			if !bsContinues(idx[i-1], idx[i], len(idx)) {
				t.Fatalf("Block +Inf: idx[%d] = %d after %d is not a continuation", i, idx[i], idx[i-1])
			}
		}
		if !slices.Contains(idx[2:], 1) {
			t.Fatalf("a 200-bar block over 199 drawable bars never wrapped to 1: %v", idx[:10])
		}
	})
	t.Run("uniform", func(t *testing.T) {
		// Block 1: every bar is a fresh draw, uniform on [1, 11).
		const n = 11
		counts := make([]int, n)
		total := 0
		for path := 1; total < 200_000; path++ {
			for _, j := range BootstrapIndex(n, path, BootstrapConfig{Block: 1, Seed: 7})[1:] {
				counts[j]++
				total++
			}
		}
		if counts[0] != 0 {
			t.Fatalf("bar 0 was drawn %d times", counts[0])
		}
		want := float64(total) / (n - 1)
		for j := 1; j < n; j++ {
			if math.Abs(float64(counts[j])-want) > 0.03*want {
				t.Errorf("bar %d drawn %d times, want %.0f ± 3%%", j, counts[j], want)
			}
		}
	})
}

func TestBootstrapMeanBlock(t *testing.T) {
	const n = 1_000_000
	for _, block := range []float64{1, 1.5, 4, 30, 288} {
		idx := BootstrapIndex(n, 1, BootstrapConfig{Block: block, Seed: 11})
		blocks := 1 // bars 1..n-1; a block starts at bar 1
		for i := 2; i < n; i++ {
			if !bsContinues(idx[i-1], idx[i], n) {
				blocks++
			}
		}
		mean := float64(n-1) / float64(blocks)
		if math.Abs(mean-block) > 0.1*block {
			t.Errorf("Block %v: mean block length %.3f over %d blocks, want within ±10%%", block, mean, blocks)
		}
	}
}

// TestBootstrapOneBlock: with a huge Block the path is the real history
// rotated: bars 1..n−1 from a random start, wrapping once, as one block.
func TestBootstrapOneBlock(t *testing.T) {
	m := bsRough(t, 3000, 4)
	n := len(m.Time)
	for _, block := range []float64{1e9, math.Inf(1)} {
		cfg := BootstrapConfig{Block: block, Seed: 2}
		idx := BootstrapIndex(n, 1, cfg)
		s := idx[1]
		for i := 1; i < n; i++ {
			want := 1 + (s-1+i-1)%(n-1)
			if idx[i] != want {
				t.Fatalf("Block %v: idx[%d] = %d, want %d (rotation from %d)", block, i, idx[i], want, s)
			}
		}
		p := bsMust(t, m, 1, cfg)
		for k := range m.Symbols {
			src, got := m.Symbols[k].Candles.Close, p.Symbols[k].Candles.Close
			if got[0] != src[0] {
				t.Fatalf("Block %v %s: close_0 = %v, want the real %v", block, m.Symbols[k].Name, got[0], src[0])
			}
			for i := 1; i < n; i++ {
				j := 1 + (s-1+i-1)%(n-1)
				if r := bsRel(got[i]/got[i-1], src[j]/src[j-1]); r > 1e-12 {
					t.Fatalf("Block %v %s bar %d: return differs from the rotated history's by %.2g", block, m.Symbols[k].Name, i, r)
				}
			}
		}
	}
}

// TestBootstrapRatios checks every price of every path bar against the
// source bar idx[i] it is drawn from, for all symbols with the same idx:
// ratios to the previous close (open, high, low, close: so returns and
// gaps), volume, and the mark's basis and missing rows.
func TestBootstrapRatios(t *testing.T) {
	m := bsRough(t, 5000, 5)
	n := len(m.Time)
	for _, tc := range []struct {
		path int
		cfg  BootstrapConfig
	}{{1, BootstrapConfig{Block: 1, Seed: 1}}, {2, BootstrapConfig{Block: 8, Seed: 1}}, {3, BootstrapConfig{Block: 300, Seed: 4}}} {
		idx := BootstrapIndex(n, tc.path, tc.cfg)
		p := bsMust(t, m, tc.path, tc.cfg)
		if &p.Time[0] != &m.Time[0] || p.Timeframe != m.Timeframe {
			t.Fatalf("path %d: the timeline is not m's", tc.path)
		}
		for k := range m.Symbols {
			ss, ps := &m.Symbols[k], &p.Symbols[k]
			sc, pc := &ss.Candles, &ps.Candles
			if ps.Name != ss.Name || !slices.Equal(pc.Time, m.Time) || !slices.Equal(ps.Funding.Time, ss.Funding.Time) {
				t.Fatalf("path %d symbol %d: name %q or times differ from the source's", tc.path, k, ps.Name)
			}
			if pc.Open[0] != sc.Open[0] || pc.High[0] != sc.High[0] || pc.Low[0] != sc.Low[0] || pc.Close[0] != sc.Close[0] || pc.Volume[0] != sc.Volume[0] {
				t.Fatalf("path %d %s: bar 0 is not the real bar 0", tc.path, ss.Name)
			}
			for i := 1; i < n; i++ {
				j, prev := idx[i], pc.Close[i-1]
				sp := sc.Close[j-1]
				for _, f := range []struct {
					name      string
					got, want float64
				}{
					{"open", pc.Open[i] / prev, sc.Open[j] / sp},
					{"high", pc.High[i] / prev, sc.High[j] / sp},
					{"low", pc.Low[i] / prev, sc.Low[j] / sp},
					{"close", pc.Close[i] / prev, sc.Close[j] / sp},
				} {
					if r := bsRel(f.got, f.want); !(r <= 1e-12) {
						t.Fatalf("path %d %s bar %d (source %d): %s/previous close = %v, source %v (rel. diff %.2g)",
							tc.path, ss.Name, i, j, f.name, f.got, f.want, r)
					}
				}
				if pc.Volume[i] != sc.Volume[j] {
					t.Fatalf("path %d %s bar %d: volume %v, source bar %d has %v", tc.path, ss.Name, i, pc.Volume[i], j, sc.Volume[j])
				}
				sm, pm := ss.Mark, ps.Mark
				if math.IsNaN(sm.Close[j]) {
					if !math.IsNaN(pm.Open[i]) || !math.IsNaN(pm.High[i]) || !math.IsNaN(pm.Low[i]) || !math.IsNaN(pm.Close[i]) {
						t.Fatalf("path %d %s bar %d: source mark row %d is missing but the path's is not", tc.path, ss.Name, i, j)
					}
					continue
				}
				// The basis (mark/trade) of every mark price is the source bar's.
				for _, f := range [][2]float64{
					{pm.Open[i] / pc.Close[i], sm.Open[j] / sc.Close[j]},
					{pm.High[i] / pc.Close[i], sm.High[j] / sc.Close[j]},
					{pm.Low[i] / pc.Close[i], sm.Low[j] / sc.Close[j]},
					{pm.Close[i] / pc.Close[i], sm.Close[j] / sc.Close[j]},
				} {
					if r := bsRel(f[0], f[1]); !(r <= 1e-12) {
						t.Fatalf("path %d %s bar %d (source %d): mark basis %v, source %v", tc.path, ss.Name, i, j, f[0], f[1])
					}
				}
				// Inside a block the mark's own returns are the source's.
				if i >= 2 && idx[i-1] == j-1 && !math.IsNaN(sm.Close[j-1]) {
					if r := bsRel(pm.Close[i]/pm.Close[i-1], sm.Close[j]/sm.Close[j-1]); r > 1e-12 {
						t.Fatalf("path %d %s bar %d: mark return inside a block differs from the source's by %.2g", tc.path, ss.Name, i, r)
					}
				}
			}
		}
	}
}

// TestBootstrapValidBars: every path bar of every symbol, trade and mark,
// is finite, positive and OHLC-consistent (mark rows may be all NaN).
func TestBootstrapValidBars(t *testing.T) {
	m := bsRough(t, 20_000, 6)
	check := func(what string, b *Bars, mark bool) {
		for i := range b.Close {
			o, h, l, c := b.Open[i], b.High[i], b.Low[i], b.Close[i]
			if mark && math.IsNaN(c) {
				if !math.IsNaN(o) || !math.IsNaN(h) || !math.IsNaN(l) {
					t.Fatalf("%s row %d: partly NaN: %v %v %v %v", what, i, o, h, l, c)
				}
				continue
			}
			for _, v := range []float64{o, h, l, c} {
				if !(v > 0 && v <= math.MaxFloat64) {
					t.Fatalf("%s row %d: price %v not finite and positive", what, i, v)
				}
			}
			if !(l <= min(o, c) && h >= max(o, c)) {
				t.Fatalf("%s row %d: OHLC inconsistent: o %v h %v l %v c %v", what, i, o, h, l, c)
			}
		}
	}
	for path := 1; path <= 6; path++ {
		cfg := BootstrapConfig{Block: []float64{1, 3, 50, 500, 5000, math.Inf(1)}[path-1], Seed: 13}
		p := bsMust(t, m, path, cfg)
		for k := range p.Symbols {
			s := &p.Symbols[k]
			check(fmt.Sprintf("path %d %s candles", path, s.Name), &s.Candles, false)
			check(fmt.Sprintf("path %d %s mark", path, s.Name), s.Mark, true)
		}
	}
}

// TestBootstrapCorrelation: one index for all symbols keeps the
// cross-asset correlation of returns; separate indices would destroy it.
func TestBootstrapCorrelation(t *testing.T) {
	m := synthMust(t, SynthConfig{Symbols: []string{"BTC", "ETH"}, Bars: 400_000, Seed: 21, Correlation: 0.7})
	ret := func(m *Market, k int) []float64 { return bsLogReturns(m.Symbols[k].Candles.Close) }
	want := bsCorr(ret(m, 0), ret(m, 1))
	if want < 0.3 {
		t.Fatalf("source correlation %.3f: the synthetic market is not correlated enough to test anything", want)
	}
	cfg := BootstrapConfig{Block: 30, Seed: 1}
	for path := 1; path <= 3; path++ {
		p := bsMust(t, m, path, cfg)
		if got := bsCorr(ret(p, 0), ret(p, 1)); math.Abs(got-want) > 0.05 {
			t.Errorf("path %d: correlation %.3f, source %.3f; want within ±0.05", path, got, want)
		}
	}
	// The test can fail: BTC of path 1 against ETH of path 2 is uncorrelated.
	p1, p2 := bsMust(t, m, 1, cfg), bsMust(t, m, 2, cfg)
	if c := bsCorr(ret(p1, 0), ret(p2, 1)); math.Abs(c) > 0.05 {
		t.Errorf("symbols from different paths correlate %.3f; the check above has no power", c)
	}
}

// TestBootstrapIdentityIndex: building a path from the identity index
// reproduces the market exactly, funding included, whether bars are
// shorter than, equal to or longer than the funding interval.
func TestBootstrapIdentityIndex(t *testing.T) {
	for _, tf := range []time.Duration{time.Minute, time.Hour, 8 * time.Hour, 24 * time.Hour} {
		m := synthMust(t, SynthConfig{Symbols: []string{"BTC", "ETH"}, Timeframe: tf, Bars: 300, Seed: 3})
		idx := make([]int, len(m.Time))
		bootstrapIndexInto(idx, 0, BootstrapConfig{Block: 1})
		p := bootstrapMarket(m, idx)
		for k := range m.Symbols {
			ms, ps := &m.Symbols[k], &p.Symbols[k]
			for _, c := range []struct {
				name      string
				got, want []float64
			}{
				{"open", ps.Candles.Open, ms.Candles.Open}, {"high", ps.Candles.High, ms.Candles.High},
				{"low", ps.Candles.Low, ms.Candles.Low}, {"close", ps.Candles.Close, ms.Candles.Close},
				{"volume", ps.Candles.Volume, ms.Candles.Volume},
				{"mark open", ps.Mark.Open, ms.Mark.Open}, {"mark high", ps.Mark.High, ms.Mark.High},
				{"mark low", ps.Mark.Low, ms.Mark.Low}, {"mark close", ps.Mark.Close, ms.Mark.Close},
				{"funding rate", ps.Funding.Rate, ms.Funding.Rate},
			} {
				if !bsSameFloats(c.got, c.want) {
					t.Errorf("%s bars, %s: identity index changed the %s", FormatTimeframe(tf), ms.Name, c.name)
				}
			}
		}
	}
}

// TestBootstrapFunding maps funding on hand-built markets with a chosen
// index; times are offsets from t0.
func TestBootstrapFunding(t *testing.T) {
	h := int64(time.Hour)
	for _, tc := range []struct {
		name  string
		tf    time.Duration
		times []int64 // bar open times
		idx   []int
		fund  []int64
		rates []float64
		want  []float64
	}{
		{
			// E1 in bar 1 (+20m) -> bar 3 +20m: latest is E3. E2 at bar 2's
			// open -> bar 1's open, before any event: 0. E3 in bar 3 (+10m)
			// -> bar 2 +10m: E2.
			name:  "hourly",
			tf:    time.Hour,
			times: []int64{0, h, 2 * h, 3 * h},
			idx:   []int{0, 3, 1, 2},
			fund:  []int64{h + h/3, 2 * h, 3*h + h/6},
			rates: []float64{0.1, 0.2, 0.3},
			want:  []float64{0.3, 0, 0.2},
		},
		{
			// Bars at 0, 1h, 5h, 6h. An event at 3h lies in the gap after
			// bar 1: its offset is capped at 1h−1ns, so it maps to the end
			// of bar 2 (6h−1ns, latest 5h30: 0.6), not to 7h (6h30: 0.7).
			name:  "gap",
			tf:    time.Hour,
			times: []int64{0, h, 5 * h, 6 * h},
			idx:   []int{0, 2, 3, 1},
			fund:  []int64{3 * h, 5*h + h/2, 6*h + h/2},
			rates: []float64{0.5, 0.6, 0.7},
			want:  []float64{0.6, 0.7, 0},
		},
		{
			// An event before the first bar keeps its own rate; the one at
			// bar 1's open maps to bar 2's open, which is that event's
			// time plus 2h: the latest is the pre-start event.
			name:  "before start",
			tf:    time.Hour,
			times: []int64{0, h, 2 * h},
			idx:   []int{0, 2, 1},
			fund:  []int64{-h / 2, h},
			rates: []float64{0.9, 0.4},
			want:  []float64{0.9, 0.4},
		},
		{
			// One event per bar at its open (8h bars, 8h funding): each
			// event takes the rate of the event at its source bar's open,
			// not the next one at that bar's close.
			name:  "one per bar",
			tf:    8 * time.Hour,
			times: []int64{0, 8 * h, 16 * h, 24 * h},
			idx:   []int{0, 3, 3, 1},
			fund:  []int64{0, 8 * h, 16 * h, 24 * h},
			rates: []float64{0.01, 0.02, 0.03, 0.04},
			want:  []float64{0.01, 0.04, 0.04, 0.02},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := len(tc.times)
			m := &Market{Time: make([]int64, n), Timeframe: tc.tf, Symbols: []Symbol{{Name: "X", Candles: MakeBars(n)}}}
			for i, t := range tc.times {
				m.Time[i] = t0 + t
				c := &m.Symbols[0].Candles
				c.Time[i], c.Open[i], c.High[i], c.Low[i], c.Close[i] = t0+t, 100, 100, 100, 100
			}
			f := &m.Symbols[0].Funding
			for _, t := range tc.fund {
				f.Time = append(f.Time, t0+t)
			}
			f.Rate = tc.rates
			got := bootstrapMarket(m, tc.idx).Symbols[0].Funding
			if !slices.Equal(got.Rate, tc.want) {
				t.Errorf("rates %v, want %v", got.Rate, tc.want)
			}
			if &got.Time[0] != &f.Time[0] {
				t.Error("funding times are not the source's")
			}
		})
	}
}

// TestBootstrapFundingFollowsBars: on a synthetic market, each path event
// takes the rate in force at the same moment of its bar's source bar.
func TestBootstrapFundingFollowsBars(t *testing.T) {
	m := synthMust(t, SynthConfig{Symbols: []string{"BTC"}, Timeframe: 5 * time.Minute, Bars: 20_000, Seed: 8})
	cfg := BootstrapConfig{Block: 40, Seed: 8}
	idx := BootstrapIndex(len(m.Time), 1, cfg)
	p := bsMust(t, m, 1, cfg)
	src, got := m.Symbols[0].Funding, p.Symbols[0].Funding
	if len(got.Rate) < 50 {
		t.Fatalf("only %d funding events", len(got.Rate))
	}
	changed := 0
	for e, tm := range got.Time {
		b := int((tm - m.Time[0]) / int64(m.Timeframe))
		at := m.Time[idx[b]] + (tm - m.Time[b])
		want := 0.0
		for k := range src.Time { // naive scan: the latest event at or before at
			if src.Time[k] <= at {
				want = src.Rate[k]
			}
		}
		if got.Rate[e] != want {
			t.Fatalf("event %d at %s: rate %v, want %v", e, FormatTime(tm), got.Rate[e], want)
		}
		if got.Rate[e] != src.Rate[e] {
			changed++
		}
	}
	if changed < len(got.Rate)/2 {
		t.Errorf("only %d of %d rates moved with the bars", changed, len(got.Rate))
	}
}

// TestBootstrapDropsCoarseMark: path 0 keeps the coarse marks that value
// funding; a resampled path has none (nil Funding.Mark, CoarseMark 0), so
// its funding is valued at its own prices, not at the history's.
func TestBootstrapDropsCoarseMark(t *testing.T) {
	syn := synthMust(t, SynthConfig{Symbols: []string{"BTC"}, Timeframe: 5 * time.Minute, Bars: 2000, Seed: 4})
	s := syn.Symbols[0]
	var hours []int64
	for h := s.Candles.Time[0] / fuHour; h*fuHour <= s.Candles.Time[s.Candles.Len()-1]; h += 8 {
		hours = append(hours, h)
	}
	f := s.Funding
	m, _, err := NewMarket([]SymbolInput{{Name: "BTC", Candles: s.Candles, Mark: fuMark8h(hours...), Funding: &f}}, MarketOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if m.Symbols[0].Funding.Mark == nil || m.Symbols[0].CoarseMark != 8*time.Hour {
		t.Fatal("no coarse mark to drop")
	}
	cfg := BootstrapConfig{Block: 50, Seed: 2}
	if p0 := bsMust(t, m, 0, cfg); p0.Symbols[0].Funding.Mark == nil {
		t.Error("path 0 lost its coarse marks")
	}
	p := bsMust(t, m, 1, cfg)
	if got := p.Symbols[0]; got.Funding.Mark != nil || got.CoarseMark != 0 || got.Funding.Len() != m.Symbols[0].Funding.Len() {
		t.Errorf("path 1: funding marks %v, coarse %v", got.Funding.Mark, got.CoarseMark)
	}
	if m.Symbols[0].Funding.Mark == nil {
		t.Error("the source market lost its coarse marks")
	}
	bad := *m
	bad.Symbols = []Symbol{m.Symbols[0]}
	bad.Symbols[0].Funding.Mark = bad.Symbols[0].Funding.Mark[:1]
	if _, err := Bootstrap(&bad, 1, cfg); err == nil || !strings.Contains(err.Error(), "funding columns differ in length") {
		t.Errorf("short funding marks: %v", err)
	}
}

func TestBootstrapErrors(t *testing.T) {
	good := func() *Market { return synthMust(t, SynthConfig{Symbols: []string{"BTC", "ETH"}, Bars: 50, Seed: 1}) }
	ok := BootstrapConfig{Block: 5}
	for _, tc := range []struct {
		name  string
		m     func() *Market
		path  int
		cfg   BootstrapConfig
		want  []string // substrings of the message
		price bool     // wraps ErrBadPrice
	}{
		{"negative path", good, -1, ok, []string{"path = -1"}, false},
		{"zero block", good, 1, BootstrapConfig{}, []string{"Block = 0"}, false},
		{"block below 1", good, 0, BootstrapConfig{Block: 0.99}, []string{"Block = 0.99"}, false},
		{"negative block", good, 1, BootstrapConfig{Block: -3}, []string{"Block = -3"}, false},
		{"NaN block", good, 1, BootstrapConfig{Block: math.NaN()}, []string{"Block = NaN"}, false},
		{"all at once", good, -2, BootstrapConfig{Block: 0}, []string{"path = -2", "Block = 0"}, false},
		{"nil market", func() *Market { return nil }, 1, ok, []string{"nil"}, false},
		{"two bars", func() *Market {
			return synthMust(t, SynthConfig{Symbols: []string{"BTC"}, Bars: 2})
		}, 1, ok, []string{"2 bars", "at least 3"}, false},
		{"zero close", func() *Market { m := good(); m.Symbols[1].Candles.Close[7] = 0; return m }, 1, ok, []string{"ETH", "row 7"}, true},
		{"negative close", func() *Market { m := good(); m.Symbols[0].Candles.Close[0] = -1; return m }, 1, ok, []string{"BTC", "row 0"}, true},
		{"NaN close", func() *Market { m := good(); m.Symbols[0].Candles.Close[49] = math.NaN(); return m }, 0, ok, []string{"BTC", "row 49"}, true},
		{"Inf close", func() *Market { m := good(); m.Symbols[0].Candles.Close[3] = math.Inf(1); return m }, 2, ok, []string{"row 3"}, true},
		{"short column", func() *Market { m := good(); c := &m.Symbols[0].Candles; c.Low = c.Low[:10]; return m }, 1, ok, []string{"BTC", "differ in length"}, false},
		{"short symbol", func() *Market { m := good(); s := &m.Symbols[1]; s.Candles = s.Candles.Slice(0, 40); return m }, 1, ok, []string{"ETH", "40 candles"}, false},
		{"short mark", func() *Market { m := good(); mk := m.Symbols[1].Mark.Slice(0, 49); m.Symbols[1].Mark = &mk; return m }, 1, ok, []string{"ETH", "49 mark"}, false},
		{"funding lengths", func() *Market { m := good(); f := &m.Symbols[0].Funding; f.Rate = f.Rate[:0]; return m }, 1, ok, []string{"funding"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Bootstrap(tc.m(), tc.path, tc.cfg)
			if err == nil {
				t.Fatal("no error")
			}
			if got != nil {
				t.Error("a market came back with the error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if errors.Is(err, ErrBadPrice) != tc.price {
				t.Errorf("errors.Is(err, ErrBadPrice) = %v, want %v", !tc.price, tc.price)
			}
		})
	}
	// BootstrapIndex has no error: it returns nil for what Bootstrap rejects.
	for _, tc := range []struct {
		n, path int
		cfg     BootstrapConfig
	}{{2, 1, ok}, {100, -1, ok}, {100, 0, BootstrapConfig{Block: 0.5}}, {100, 1, BootstrapConfig{Block: math.NaN()}}} {
		if idx := BootstrapIndex(tc.n, tc.path, tc.cfg); idx != nil {
			t.Errorf("BootstrapIndex(%d, %d, %+v) = %d indices, want nil", tc.n, tc.path, tc.cfg, len(idx))
		}
	}
	if err := (BootstrapConfig{Block: 1}).Validate(); err != nil {
		t.Errorf("Block 1: %v", err)
	}
	if err := (BootstrapConfig{Block: math.Inf(1)}).Validate(); err != nil {
		t.Errorf("Block +Inf: %v", err)
	}
}

// TestBootstrapAllocs: only the output (and the index) is allocated: per
// call the index, the Market and its Symbols; per symbol one block of
// columns, the mark's Bars and the funding rates.
func TestBootstrapAllocs(t *testing.T) {
	m := synthMust(t, SynthConfig{Symbols: []string{"BTC", "ETH", "SOL"}, Bars: 5000, Seed: 1})
	cfg := BootstrapConfig{Block: 20, Seed: 1}
	want := 3 + 3*len(m.Symbols)
	if got := testing.AllocsPerRun(5, func() { _, _ = Bootstrap(m, 1, cfg) }); got != float64(want) {
		t.Errorf("Bootstrap: %v allocations, want %d", got, want)
	}
	if got := testing.AllocsPerRun(5, func() { _, _ = Bootstrap(m, 0, cfg) }); got != 0 {
		t.Errorf("Bootstrap path 0: %v allocations, want 0", got)
	}
}

// bsBenchMarkets caches the benchmark markets by bar count.
var bsBenchMarkets = map[int]*Market{}

// BenchmarkBootstrap builds one path of an 8-symbol market with mark
// candles and 8h funding. bars/s counts timeline bars (each holding all 8
// symbols' trade and mark candles).
func BenchmarkBootstrap(b *testing.B) {
	syms := []string{"BTC", "ETH", "SOL", "BNB", "XRP", "A", "B", "C"}
	for _, n := range []int{10_000, 100_000, 1_000_000} {
		b.Run(fmt.Sprintf("symbols=8/bars=%d", n), func(b *testing.B) {
			m := bsBenchMarkets[n]
			if m == nil {
				m = synthMust(b, SynthConfig{Symbols: syms, Bars: n, Seed: 1})
				bsBenchMarkets[n] = m
			}
			cfg := BootstrapConfig{Block: 288, Seed: 1}
			b.ReportAllocs()
			b.ResetTimer()
			path := 1
			for b.Loop() {
				if _, err := Bootstrap(m, path, cfg); err != nil {
					b.Fatal(err)
				}
				path++
			}
			b.ReportMetric(float64(n)*float64(path-1)/b.Elapsed().Seconds(), "bars/s")
		})
	}
}
