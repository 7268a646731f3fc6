package data

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
)

// synthMust runs Synthesize and fails the test on error.
func synthMust(t testing.TB, cfg SynthConfig) *Market {
	t.Helper()
	m, err := Synthesize(cfg)
	if err != nil {
		t.Fatalf("Synthesize: %v", err)
	}
	return m
}

// synthNoJumps returns a config of n bars with jumps switched off.
func synthNoJumps(bars int, tf time.Duration, seed uint64) SynthConfig {
	c := DefaultSynthConfig()
	c.Bars, c.Timeframe, c.Seed, c.JumpsPerDay = bars, tf, seed, -1
	return c
}

// synthLogReturns returns the close-to-close log returns.
func synthLogReturns(closes []float64) []float64 {
	r := make([]float64, len(closes)-1)
	for i := range r {
		r[i] = math.Log(closes[i+1] / closes[i])
	}
	return r
}

func synthMean(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

func synthStd(x []float64) float64 {
	m, s := synthMean(x), 0.0
	for _, v := range x {
		s += (v - m) * (v - m)
	}
	return math.Sqrt(s / float64(len(x)-1))
}

// synthCorr is the Pearson correlation of x and y (equal lengths).
func synthCorr(x, y []float64) float64 {
	mx, my := synthMean(x), synthMean(y)
	var sxy, sxx, syy float64
	for i := range x {
		dx, dy := x[i]-mx, y[i]-my
		sxy += dx * dy
		sxx += dx * dx
		syy += dy * dy
	}
	return sxy / math.Sqrt(sxx*syy)
}

// synthAutocorr is the lag-k sample autocorrelation of x.
func synthAutocorr(x []float64, k int) float64 {
	return synthCorr(x[:len(x)-k], x[k:])
}

// synthFloatCols lists every float column of a symbol by name.
func synthFloatCols(s *Symbol) map[string][]float64 {
	return map[string][]float64{
		"Open": s.Candles.Open, "High": s.Candles.High, "Low": s.Candles.Low,
		"Close": s.Candles.Close, "Volume": s.Candles.Volume,
		"Mark.Open": s.Mark.Open, "Mark.High": s.Mark.High, "Mark.Low": s.Mark.Low,
		"Mark.Close": s.Mark.Close, "Mark.Volume": s.Mark.Volume,
		"Funding.Rate": s.Funding.Rate,
	}
}

// synthIntCols lists every time column of a symbol by name.
func synthIntCols(s *Symbol) map[string][]int64 {
	return map[string][]int64{
		"Time": s.Candles.Time, "Mark.Time": s.Mark.Time, "Funding.Time": s.Funding.Time,
	}
}

// synthDiff describes the first difference between two markets, bit for
// bit, or returns "" when they are identical.
func synthDiff(a, b *Market) string {
	if a.Timeframe != b.Timeframe {
		return fmt.Sprintf("Timeframe %v vs %v", a.Timeframe, b.Timeframe)
	}
	if d := synthDiffInts("Market.Time", a.Time, b.Time); d != "" {
		return d
	}
	if len(a.Symbols) != len(b.Symbols) {
		return fmt.Sprintf("%d vs %d symbols", len(a.Symbols), len(b.Symbols))
	}
	for i := range a.Symbols {
		sa, sb := &a.Symbols[i], &b.Symbols[i]
		if sa.Name != sb.Name {
			return fmt.Sprintf("symbol %d: name %q vs %q", i, sa.Name, sb.Name)
		}
		ib := synthIntCols(sb)
		for name, col := range synthIntCols(sa) {
			if d := synthDiffInts(sa.Name+" "+name, col, ib[name]); d != "" {
				return d
			}
		}
		fb := synthFloatCols(sb)
		for name, col := range synthFloatCols(sa) {
			other := fb[name]
			if len(col) != len(other) {
				return fmt.Sprintf("%s %s: length %d vs %d", sa.Name, name, len(col), len(other))
			}
			for j := range col {
				if math.Float64bits(col[j]) != math.Float64bits(other[j]) {
					return fmt.Sprintf("%s %s[%d]: %v vs %v", sa.Name, name, j, col[j], other[j])
				}
			}
		}
	}
	return ""
}

func synthDiffInts(name string, a, b []int64) string {
	if len(a) != len(b) {
		return fmt.Sprintf("%s: length %d vs %d", name, len(a), len(b))
	}
	for j := range a {
		if a[j] != b[j] {
			return fmt.Sprintf("%s[%d]: %d vs %d", name, j, a[j], b[j])
		}
	}
	return ""
}

func TestSynthDeterministic(t *testing.T) {
	hourly := DefaultSynthConfig()
	hourly.Symbols = []string{"BTC", "ETH", "SOL", "DOGE"}
	hourly.Timeframe, hourly.Bars, hourly.Seed = time.Hour, 3000, 7
	jumpy := DefaultSynthConfig()
	jumpy.Bars, jumpy.JumpsPerDay, jumpy.JumpSize, jumpy.Seed = 5000, 200, 0.1, math.MaxUint64
	tests := []struct {
		name string
		cfg  SynthConfig
	}{
		{"zero config (all defaults, seed 0)", SynthConfig{}},
		{"hourly four symbols", hourly},
		{"many jumps, max seed", jumpy},
		{"one symbol, 1s bars", SynthConfig{Symbols: []string{"X"}, Timeframe: time.Second, Bars: 20_000, Seed: 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := synthMust(t, tt.cfg), synthMust(t, tt.cfg)
			if d := synthDiff(a, b); d != "" {
				t.Fatalf("same seed, different data: %s", d)
			}
			other := tt.cfg
			other.Seed++
			c := synthMust(t, other)
			for i := range a.Symbols {
				ca, cc := a.Symbols[i].Candles.Close, c.Symbols[i].Candles.Close
				same := 0
				for j := range ca {
					if ca[j] == cc[j] {
						same++
					}
				}
				if same > len(ca)/100 {
					t.Errorf("%s: seeds %d and %d share %d of %d closes", a.Symbols[i].Name, tt.cfg.Seed, other.Seed, same, len(ca))
				}
			}
		})
	}
}

func TestSynthDefaults(t *testing.T) {
	d := DefaultSynthConfig()
	want := SynthConfig{
		Symbols: []string{"BTC", "ETH"}, Timeframe: time.Minute, Bars: 10_080,
		Start:       time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
		Correlation: 0.6, AnnualVol: 0.6, JumpsPerDay: 0.5, JumpSize: 0.03,
		FundingInterval: 8 * time.Hour, FundingMean: 0.0001,
	}
	if fmt.Sprint(d) != fmt.Sprint(want) {
		t.Errorf("DefaultSynthConfig() = %+v, want %+v", d, want)
	}
	if err := d.Validate(); err != nil {
		t.Errorf("DefaultSynthConfig().Validate() = %v", err)
	}
	a, b := synthMust(t, SynthConfig{}), synthMust(t, d)
	if diff := synthDiff(a, b); diff != "" {
		t.Errorf("SynthConfig{} and DefaultSynthConfig() differ: %s", diff)
	}
	if got := len(a.Time); got != 10_080 {
		t.Errorf("default bars = %d, want 10080", got)
	}
	for _, s := range a.Symbols {
		want := map[string]float64{"BTC": 40000, "ETH": 2500}[s.Name]
		if s.Candles.Open[0] != want {
			t.Errorf("%s opens at %v, want %v", s.Name, s.Candles.Open[0], want)
		}
	}
}

func TestSynthStartPrice(t *testing.T) {
	tests := []struct {
		name string
		want float64
	}{
		{"BTC", 40000}, {"eth", 2500}, {"SOL", 100}, {"BNB", 300}, {"XRP", 0.5},
		{"XRPUSDT", 0.5}, {"btcusdt", 40000}, {"DOGE", 100}, {"USDT", 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := synthStartPrice(tt.name); got != tt.want {
				t.Errorf("synthStartPrice(%q) = %v, want %v", tt.name, got, tt.want)
			}
		})
	}
}

func TestSynthPrefixStable(t *testing.T) {
	small := DefaultSynthConfig()
	small.Bars, small.Seed = 4000, 11
	big := small
	big.Symbols = []string{"BTC", "ETH", "SOL", "XRP"}
	a, b := synthMust(t, small), synthMust(t, big)
	b.Symbols = b.Symbols[:2]
	if d := synthDiff(a, b); d != "" {
		t.Errorf("appending symbols changed the earlier ones: %s", d)
	}
}

func TestSynthInvariants(t *testing.T) {
	tests := []struct {
		name      string
		cfg       SynthConfig
		wantStart time.Time // first open time after truncation
	}{
		{"defaults", SynthConfig{Seed: 1}, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"unaligned start, 5m, 7h funding", SynthConfig{
			Symbols: []string{"BTC", "ETH", "SOL"}, Timeframe: 5 * time.Minute, Bars: 6000,
			Start:           time.Date(2024, 3, 5, 10, 17, 31, 0, time.UTC),
			FundingInterval: 7 * time.Hour, Seed: 2,
		}, time.Date(2024, 3, 5, 10, 15, 0, 0, time.UTC)},
		{"daily bars, 8h funding (3 events per bar)", SynthConfig{
			Timeframe: 24 * time.Hour, Bars: 400, Seed: 3,
		}, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"pre-epoch start, 1h bars", SynthConfig{
			Timeframe: time.Hour, Bars: 3000, Start: time.Date(1965, 6, 1, 12, 30, 0, 0, time.UTC), Seed: 4,
		}, time.Date(1965, 6, 1, 12, 0, 0, 0, time.UTC)},
		{"1s bars, 1h funding, start off an hour", SynthConfig{
			Timeframe: time.Second, Bars: 20_000, Start: time.Date(2024, 5, 1, 0, 20, 0, 0, time.UTC),
			FundingInterval: time.Hour, Seed: 5,
		}, time.Date(2024, 5, 1, 0, 20, 0, 0, time.UTC)},
		{"violent: high vol, many big jumps", SynthConfig{
			Symbols: []string{"A", "B"}, Bars: 20_000, AnnualVol: 5, JumpsPerDay: 500, JumpSize: 0.3,
			Correlation: 0.99, Seed: 6,
		}, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"funding interval shorter than the timeframe", SynthConfig{
			Timeframe: 4 * time.Hour, Bars: 500, FundingInterval: time.Hour, Seed: 7,
		}, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.cfg.withDefaults()
			m := synthMust(t, tt.cfg)
			tf := int64(c.Timeframe)
			if m.Timeframe != c.Timeframe {
				t.Errorf("Timeframe = %v, want %v", m.Timeframe, c.Timeframe)
			}
			if len(m.Time) != c.Bars {
				t.Fatalf("%d bars, want %d", len(m.Time), c.Bars)
			}
			if m.Time[0] != tt.wantStart.UnixNano() {
				t.Errorf("first time %s, want %s", FormatTime(m.Time[0]), tt.wantStart.Format(time.RFC3339))
			}
			for i := 1; i < len(m.Time); i++ {
				if m.Time[i]-m.Time[i-1] != tf {
					t.Fatalf("Time[%d]-Time[%d] = %d, want %d", i, i-1, m.Time[i]-m.Time[i-1], tf)
				}
			}
			if len(m.Symbols) != len(c.Symbols) {
				t.Fatalf("%d symbols, want %d", len(m.Symbols), len(c.Symbols))
			}
			spanEnd := m.Time[len(m.Time)-1] + tf
			iv := int64(c.FundingInterval)
			floorDiv := func(a, b int64) int64 {
				q := a / b
				if a%b != 0 && a < 0 {
					q--
				}
				return q
			}
			wantEvents := floorDiv(spanEnd-1, iv) - floorDiv(m.Time[0]-1, iv)
			for i := range m.Symbols {
				s := &m.Symbols[i]
				if s.Name != c.Symbols[i] {
					t.Errorf("symbol %d is %q, want %q", i, s.Name, c.Symbols[i])
				}
				if s.Mark == nil {
					t.Fatalf("%s: Mark is nil", s.Name)
				}
				synthCheckBars(t, s.Name+" candles", &s.Candles, m.Time, false)
				synthCheckBars(t, s.Name+" mark", s.Mark, m.Time, true)

				f := &s.Funding
				if int64(f.Len()) != wantEvents || len(f.Rate) != f.Len() {
					t.Errorf("%s: %d funding times and %d rates, want %d", s.Name, f.Len(), len(f.Rate), wantEvents)
				}
				for k, ft := range f.Time {
					if ft%iv != 0 {
						t.Errorf("%s: funding time %s is not a multiple of %v", s.Name, FormatTime(ft), c.FundingInterval)
					}
					if ft < m.Time[0] || ft >= spanEnd {
						t.Errorf("%s: funding time %s outside [%s, %s)", s.Name, FormatTime(ft), FormatTime(m.Time[0]), FormatTime(spanEnd))
					}
					if k > 0 && ft-f.Time[k-1] != iv {
						t.Errorf("%s: funding times %d and %d are %d ns apart, want %d", s.Name, k-1, k, ft-f.Time[k-1], iv)
					}
				}
				for k, r := range f.Rate {
					if !(math.Abs(r) <= 0.0075) {
						t.Errorf("%s: funding rate %d = %v outside [-0.0075, 0.0075]", s.Name, k, r)
					}
				}
			}
		})
	}
}

// synthCheckBars checks one series row by row: shared times, finite
// positive prices, consistent OHLC, open = previous close, and volume
// positive (candles) or zero (mark).
func synthCheckBars(t *testing.T, what string, b *Bars, times []int64, mark bool) {
	t.Helper()
	n := len(times)
	if b.Len() != n || len(b.Open) != n || len(b.High) != n || len(b.Low) != n || len(b.Close) != n || len(b.Volume) != n {
		t.Fatalf("%s: column lengths %d/%d/%d/%d/%d/%d, want %d", what,
			b.Len(), len(b.Open), len(b.High), len(b.Low), len(b.Close), len(b.Volume), n)
	}
	bad := 0
	fail := func(format string, args ...any) {
		if bad++; bad <= 5 {
			t.Errorf(what+": "+format, args...)
		}
	}
	for i := range n {
		o, h, l, c, v := b.Open[i], b.High[i], b.Low[i], b.Close[i], b.Volume[i]
		if b.Time[i] != times[i] {
			fail("Time[%d] = %d, want %d", i, b.Time[i], times[i])
		}
		for _, p := range []float64{o, h, l, c} {
			if !(p > 0) || math.IsInf(p, 0) {
				fail("row %d: price %v not finite and positive", i, p)
			}
		}
		if !(l <= min(o, c) && max(o, c) <= h) {
			fail("row %d: inconsistent OHLC o=%v h=%v l=%v c=%v", i, o, h, l, c)
		}
		if i > 0 && o != b.Close[i-1] {
			fail("row %d: open %v != previous close %v", i, o, b.Close[i-1])
		}
		if mark && v != 0 {
			fail("row %d: mark volume %v, want 0", i, v)
		}
		if !mark && (!(v > 0) || math.IsInf(v, 0)) {
			fail("row %d: volume %v not finite and positive", i, v)
		}
	}
}

func TestSynthCorrelation(t *testing.T) {
	tests := []struct {
		name string
		rho  float64
		tf   time.Duration
		seed uint64
	}{
		{"rho 0.6, 1m", 0.6, time.Minute, 1},
		{"rho 0.2, 1m", 0.2, time.Minute, 2},
		{"rho 0.9, 1h", 0.9, time.Hour, 3},
		{"rho ~0, 5m", 1e-9, 5 * time.Minute, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := synthNoJumps(50_000, tt.tf, tt.seed)
			cfg.Symbols = []string{"BTC", "ETH", "SOL"}
			cfg.Correlation = tt.rho
			m := synthMust(t, cfg)
			rets := make([][]float64, len(m.Symbols))
			for i := range m.Symbols {
				rets[i] = synthLogReturns(m.Symbols[i].Candles.Close)
			}
			for i := range rets {
				for j := i + 1; j < len(rets); j++ {
					got := synthCorr(rets[i], rets[j])
					if math.Abs(got-tt.rho) > 0.05 {
						t.Errorf("corr(%s, %s) = %.4f, want %.2f ± 0.05", m.Symbols[i].Name, m.Symbols[j].Name, got, tt.rho)
					}
				}
			}
		})
	}
}

func TestSynthVolClustering(t *testing.T) {
	tests := []struct {
		name string
		tf   time.Duration
		seed uint64
	}{
		{"1m seed 1", time.Minute, 1},
		{"1m seed 2", time.Minute, 2},
		{"1h seed 3", time.Hour, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := synthMust(t, synthNoJumps(50_000, tt.tf, tt.seed))
			for _, s := range m.Symbols {
				r := synthLogReturns(s.Candles.Close)
				sq := make([]float64, len(r))
				for i, x := range r {
					sq[i] = x * x
				}
				if ac := synthAutocorr(sq, 1); ac <= 0.05 {
					t.Errorf("%s: lag-1 autocorrelation of squared returns %.4f, want > 0.05", s.Name, ac)
				}
				// The returns themselves should be (nearly) uncorrelated.
				if ac := synthAutocorr(r, 1); math.Abs(ac) > 0.03 {
					t.Errorf("%s: lag-1 autocorrelation of returns %.4f, want |ac| ≤ 0.03", s.Name, ac)
				}
			}
		})
	}
}

func TestSynthAnnualVol(t *testing.T) {
	tests := []struct {
		name   string
		vol    float64
		tf     time.Duration
		perDay float64 // jumps per day, negative for none
		want   float64 // expected annualised vol of all returns
	}{
		{"60% 1m", 0.6, time.Minute, -1, 0.6},
		{"30% 5m", 0.3, 5 * time.Minute, -1, 0.3},
		{"120% 1h", 1.2, time.Hour, -1, 1.2},
		{"400% 1m", 4, time.Minute, -1, 4},
		// Jumps add 365 × 0.5 × 0.03² = 0.164 of annual variance.
		{"60% 1h with default jumps", 0.6, time.Hour, 0.5, math.Sqrt(0.36 + 0.16425)},
		// 365 × 4 × 0.03² = 1.314.
		{"30% 15m with 4 jumps a day", 0.3, 15 * time.Minute, 4, math.Sqrt(0.09 + 1.314)},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := synthNoJumps(50_000, tt.tf, uint64(i))
			cfg.AnnualVol, cfg.JumpsPerDay = tt.vol, tt.perDay
			m := synthMust(t, cfg)
			perYear := float64(365*24*time.Hour) / float64(tt.tf)
			for _, s := range m.Symbols {
				got := synthStd(synthLogReturns(s.Candles.Close)) * math.Sqrt(perYear)
				if math.Abs(got/tt.want-1) > 0.25 {
					t.Errorf("%s: realised annual vol %.4f, want %.3f ± 25%%", s.Name, got, tt.want)
				}
			}
		})
	}
}

func TestSynthJumps(t *testing.T) {
	const bars = 50_000
	maxAbs := func(r []float64) float64 {
		m := 0.0
		for _, x := range r {
			m = max(m, math.Abs(x))
		}
		return m
	}
	tests := []struct {
		name       string
		perDay     float64
		size       float64
		wantRatio  float64 // max |r| with jumps ÷ without, at least
		wantBigMin int     // bars with |r| > 0.02, at least
		wantBigMax int     // … and at most
	}{
		// 20/day over 50,000 1m bars ≈ 694 jumps, 84 % of them beyond
		// ±0.02 for size 0.1: about 584.
		{"20 per day of size 0.1", 20, 0.1, 10, 400, 800},
		// p = 1: every bar jumps; |N(0, 0.1²)| > 0.02 on 84 % of bars.
		{"every bar (p capped at 1) of size 0.1", 5000, 0.1, 10, 40_000, 44_000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			off := synthNoJumps(bars, time.Minute, 9)
			on := off
			on.JumpsPerDay, on.JumpSize = tt.perDay, tt.size
			mOff, mOn := synthMust(t, off), synthMust(t, on)
			for i := range mOn.Symbols {
				rOff := synthLogReturns(mOff.Symbols[i].Candles.Close)
				rOn := synthLogReturns(mOn.Symbols[i].Candles.Close)
				a, b := maxAbs(rOff), maxAbs(rOn)
				if b < tt.wantRatio*a {
					t.Errorf("%s: max |return| %.4g with jumps, %.4g without: want at least %v×", mOn.Symbols[i].Name, b, a, tt.wantRatio)
				}
				big := 0
				for _, x := range rOn {
					if math.Abs(x) > 0.02 {
						big++
					}
				}
				if big < tt.wantBigMin || big > tt.wantBigMax {
					t.Errorf("%s: %d returns beyond ±0.02, want %d..%d", mOn.Symbols[i].Name, big, tt.wantBigMin, tt.wantBigMax)
				}
			}
		})
	}
}

func TestSynthFunding(t *testing.T) {
	// About 10,000 events per case, so the mean rate is within ±30 % of
	// FundingMean by several standard errors.
	tests := []struct {
		name       string
		mean       float64
		tf         time.Duration
		bars       int
		fundingIvl time.Duration
	}{
		{"default mean, 1h bars, 8h funding", 0, time.Hour, 80_000, 0},
		{"negative mean, 1h bars, 8h funding", -0.0005, time.Hour, 80_000, 0},
		{"default mean, 1m bars, 1h funding", 0, time.Minute, 600_000, time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := SynthConfig{
				Symbols: []string{"BTC", "ETH"}, Timeframe: tt.tf, Bars: tt.bars,
				FundingMean: tt.mean, FundingInterval: tt.fundingIvl, Seed: 12,
			}
			want := cfg.withDefaults().FundingMean
			m := synthMust(t, cfg)
			for _, s := range m.Symbols {
				r := s.Funding.Rate
				if len(r) < 9000 {
					t.Fatalf("%s: only %d funding events", s.Name, len(r))
				}
				if got := synthMean(r); math.Abs(got-want) > 0.3*math.Abs(want) {
					t.Errorf("%s: mean funding rate %.3g, want %.3g ± 30%%", s.Name, got, want)
				}
				neg := 0
				for _, x := range r {
					if x < 0 {
						neg++
					}
				}
				// The rate goes against its mean's sign some of the time.
				frac := float64(neg) / float64(len(r))
				if want < 0 {
					frac = 1 - frac
				}
				if frac < 0.02 || frac > 0.45 {
					t.Errorf("%s: %.1f%% of rates have the opposite sign of the mean, want 2%%..45%%", s.Name, 100*frac)
				}
			}
		})
	}
}

func TestSynthValidate(t *testing.T) {
	with := func(f func(*SynthConfig)) SynthConfig {
		var c SynthConfig
		f(&c)
		return c
	}
	tests := []struct {
		name       string
		cfg        SynthConfig
		wantFields []string // one error line per entry, naming that field
	}{
		{"zero config", SynthConfig{}, nil},
		{"defaults", DefaultSynthConfig(), nil},
		{"edges", SynthConfig{
			Symbols: []string{"a", "b-c", "Δ"}, Timeframe: time.Second, Bars: 2,
			Start: time.Date(1678, 1, 1, 0, 0, 0, 0, time.UTC), Correlation: 0.99, AnnualVol: 5,
			JumpsPerDay: -1, JumpSize: 1, FundingInterval: time.Second, FundingMean: -0.0075,
		}, nil},
		{"three bad fields", with(func(c *SynthConfig) {
			c.Correlation, c.AnnualVol, c.Bars = 1.5, -1, 1
		}), []string{"Bars", "Correlation", "AnnualVol"}},
		{"every field bad", SynthConfig{
			Symbols: []string{"A/B"}, Timeframe: time.Millisecond, Bars: -3,
			Start: time.Date(1500, 1, 1, 0, 0, 0, 0, time.UTC), Correlation: -0.5, AnnualVol: 9,
			JumpsPerDay: math.Inf(1), JumpSize: -1, FundingInterval: -time.Hour, FundingMean: 1,
		}, []string{"Symbols[0]", "Timeframe", "Bars", "Start", "Correlation", "AnnualVol", "JumpsPerDay", "JumpSize", "FundingInterval", "FundingMean"}},
		{"empty name", with(func(c *SynthConfig) { c.Symbols = []string{"BTC", ""} }), []string{"Symbols[1]"}},
		{"slash in name", with(func(c *SynthConfig) { c.Symbols = []string{"BTC/USDT"} }), []string{"Symbols[0]"}},
		{"space in name", with(func(c *SynthConfig) { c.Symbols = []string{"BTC", "E TH", "S\tOL"} }), []string{"Symbols[1]", "Symbols[2]"}},
		{"duplicate name", with(func(c *SynthConfig) { c.Symbols = []string{"BTC", "ETH", "BTC"} }), []string{"Symbols[2]"}},
		{"timeframe under 1s", with(func(c *SynthConfig) { c.Timeframe = 500 * time.Millisecond }), []string{"Timeframe"}},
		{"negative timeframe", with(func(c *SynthConfig) { c.Timeframe = -time.Minute }), []string{"Timeframe"}},
		{"too many bars", with(func(c *SynthConfig) { c.Bars = 50_000_001 }), []string{"Bars"}},
		{"start before 1678", with(func(c *SynthConfig) { c.Start = time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC) }), []string{"Start"}},
		{"span past 2262", with(func(c *SynthConfig) {
			c.Start, c.Timeframe, c.Bars = time.Date(2261, 1, 1, 0, 0, 0, 0, time.UTC), 24*time.Hour, 400
		}), []string{"Bars × Timeframe"}},
		{"span overflows int64", with(func(c *SynthConfig) {
			c.Timeframe, c.Bars = time.Duration(math.MaxInt64), 1000
		}), []string{"Bars × Timeframe"}},
		{"NaN correlation", with(func(c *SynthConfig) { c.Correlation = math.NaN() }), []string{"Correlation"}},
		{"correlation 1", with(func(c *SynthConfig) { c.Correlation = 1 }), []string{"Correlation"}},
		{"NaN vol", with(func(c *SynthConfig) { c.AnnualVol = math.NaN() }), []string{"AnnualVol"}},
		{"NaN jumps", with(func(c *SynthConfig) { c.JumpsPerDay = math.NaN() }), []string{"JumpsPerDay"}},
		{"huge jump size", with(func(c *SynthConfig) { c.JumpSize = 2 }), []string{"JumpSize"}},
		{"funding interval 1ms", with(func(c *SynthConfig) { c.FundingInterval = time.Millisecond }), []string{"FundingInterval"}},
		{"too many funding events", with(func(c *SynthConfig) {
			c.Bars, c.FundingInterval = 1_000_000, time.Second
		}), []string{"FundingInterval"}},
		{"funding mean too large", with(func(c *SynthConfig) { c.FundingMean = -0.01 }), []string{"FundingMean"}},
		{"prices would overflow", with(func(c *SynthConfig) {
			c.AnnualVol, c.Timeframe, c.Bars = 5, 24*time.Hour, 60_000
		}), []string{"AnnualVol = 5, JumpsPerDay"}},
		{"jumps would overflow prices", with(func(c *SynthConfig) {
			c.JumpsPerDay, c.JumpSize, c.Bars = 1e6, 1, 10_000
		}), []string{"AnnualVol = 0.6, JumpsPerDay"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			m, serr := Synthesize(tt.cfg)
			if len(tt.wantFields) == 0 {
				if err != nil || serr != nil {
					t.Fatalf("Validate() = %v, Synthesize error = %v; want both nil", err, serr)
				}
				if m == nil {
					t.Fatal("Synthesize returned a nil market")
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate() = nil, want errors naming %v", tt.wantFields)
			}
			lines := strings.Split(err.Error(), "\n")
			if len(lines) != len(tt.wantFields) {
				t.Errorf("Validate() gave %d messages, want %d:\n%v", len(lines), len(tt.wantFields), err)
			}
			for _, f := range tt.wantFields {
				found := false
				for _, l := range lines {
					found = found || strings.HasPrefix(l, "synth: "+f)
				}
				if !found {
					t.Errorf("no message starts with %q:\n%v", "synth: "+f, err)
				}
			}
			if serr == nil || serr.Error() != err.Error() || m != nil {
				t.Errorf("Synthesize = (%v, %v), want (nil, the Validate error)", m, serr)
			}
			var joined interface{ Unwrap() []error }
			if !errors.As(err, &joined) || len(joined.Unwrap()) != len(tt.wantFields) {
				t.Errorf("error is not an errors.Join of %d errors: %#v", len(tt.wantFields), err)
			}
		})
	}
}

func TestSynthValidateMessage(t *testing.T) {
	err := SynthConfig{Correlation: 1.5}.Validate()
	if want := "synth: Correlation = 1.5: must be in [0, 0.99]"; err == nil || err.Error() != want {
		t.Errorf("Validate() = %v, want %q", err, want)
	}
}

func TestSynthEquicorrCholesky(t *testing.T) {
	for _, n := range []int{1, 2, 3, 8, 40} {
		for _, rho := range []float64{0, 0.2, 0.6, 0.99} {
			t.Run(fmt.Sprintf("n=%d rho=%v", n, rho), func(t *testing.T) {
				diag, below := synthEquicorrCholesky(n, rho)
				L := func(i, j int) float64 {
					switch {
					case i == j:
						return diag[i]
					case i > j:
						return below[j]
					}
					return 0
				}
				for i := range n {
					for j := range n {
						got := 0.0
						for k := range n {
							got += L(i, k) * L(j, k)
						}
						want := rho
						if i == j {
							want = 1
						}
						if math.Abs(got-want) > 1e-12 {
							t.Fatalf("(L·Lᵀ)[%d][%d] = %v, want %v", i, j, got, want)
						}
					}
				}
			})
		}
	}
}

func BenchmarkSynthesize(b *testing.B) {
	cfg := DefaultSynthConfig()
	cfg.Symbols = []string{"BTC", "ETH", "SOL", "BNB", "XRP", "DOGE", "ADA", "AVAX"}
	cfg.Bars = 100_000
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Synthesize(cfg); err != nil {
			b.Fatal(err)
		}
	}
	bars := float64(b.N) * float64(len(cfg.Symbols)*cfg.Bars)
	b.ReportMetric(bars/b.Elapsed().Seconds(), "bars/s")
}
