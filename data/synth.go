package data

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"
	"unicode"
)

// SynthConfig configures Synthesize.
//
// The zero value of every field means "use the default" (given per field and
// returned by DefaultSynthConfig), so SynthConfig{} is a valid configuration.
// One consequence: a field cannot be set to exactly 0 when 0 means default.
// Where that matters the field says how to get the effect of zero (a tiny
// positive value, or a negative value that switches the feature off).
type SynthConfig struct {
	// Symbols names the instruments, in the order Market.Symbols lists them.
	// Default ["BTC", "ETH"]. Names must be non-empty, unique, and contain
	// no '/' and no white space. The name picks the start price: BTC 40000,
	// ETH 2500, SOL 100, BNB 300, XRP 0.5 (also with a "USDT" suffix, any
	// case); every other name starts at 100.
	Symbols []string

	// Timeframe is the candle spacing. Default time.Minute; must be at
	// least one second.
	Timeframe time.Duration

	// Bars is the number of candles per symbol. Default 10_080 (one week of
	// 1m candles); must be in [2, 50_000_000].
	Bars int

	// Start is the open time of the first candle. Default
	// 2024-01-01T00:00:00Z. It is truncated down to a whole multiple of
	// Timeframe since the Unix epoch, and the whole span must lie between
	// 1678-01-01 and 2262-01-01 (the range of int64 Unix nanoseconds).
	Start time.Time

	// Seed selects the random stream. Every value is valid, 0 included:
	// the same configuration and Seed always give bit-identical data (for
	// one Go toolchain and GOARCH), different seeds give different data.
	Seed uint64

	// Correlation is the pairwise correlation of the standard-normal
	// return shocks of any two symbols (all off-diagonal entries of their
	// correlation matrix). Default 0.6; must be in [0, 0.99]. Because 0
	// means default, use a tiny value such as 1e-9 for independent symbols.
	// The realised correlation of returns is lower, since each symbol has
	// its own volatility path and its own jumps: about 0.57 for 0.6 with
	// jumps off, about 0.41 with the default jumps.
	Correlation float64

	// AnnualVol is the long-run annualised volatility of the diffusive
	// (GARCH) part of log returns, as a fraction: 0.6 means 60 % per
	// 365-day year. Default 0.6; must be in (0, 5]. Jumps add their own
	// variance on top (see Synthesize).
	AnnualVol float64

	// JumpsPerDay is the expected number of jumps per symbol per 24 h.
	// Default 0.5. A negative value (e.g. -1) switches jumps off, since 0
	// means default. The per-bar jump probability is
	// JumpsPerDay × Timeframe/24h, capped at 1.
	JumpsPerDay float64

	// JumpSize is the standard deviation of a jump's log return (0.03 means
	// about ±3 %). Default 0.03; must be in [0, 1].
	JumpSize float64

	// FundingInterval is the time between funding events. Default 8h.
	// Events fall on whole multiples of it since the Unix epoch (for 8h:
	// 00:00, 08:00 and 16:00 UTC), whatever Start is. Must be at least one
	// second, and the span may hold at most 50_000_000 events.
	FundingInterval time.Duration

	// FundingMean is the mean funding rate per interval, as a plain
	// fraction (0.0001 = 0.01 %; positive means longs pay shorts). Default
	// 0.0001; must be in [-0.0075, 0.0075]. Because 0 means default, use a
	// tiny value such as 1e-12 for funding that averages zero.
	FundingMean float64
}

// Defaults and limits of SynthConfig.
const (
	synthDefaultBars            = 10_080
	synthDefaultCorrelation     = 0.6
	synthDefaultAnnualVol       = 0.6
	synthDefaultJumpsPerDay     = 0.5
	synthDefaultJumpSize        = 0.03
	synthDefaultFundingInterval = 8 * time.Hour
	synthDefaultFundingMean     = 0.0001

	synthMaxBars          = 50_000_000
	synthMaxFundingEvents = 50_000_000
	synthMaxCorrelation   = 0.99
	synthMaxAnnualVol     = 5.0
	synthMaxJumpSize      = 1.0
	// synthMaxLogSpread bounds the standard deviation of the log price at
	// the end of the span. exp overflows at 709, so 50 keeps every price
	// finite and positive with overwhelming probability (> 13 standard
	// deviations of headroom).
	synthMaxLogSpread = 50.0
)

// Model constants (see Synthesize).
const (
	synthGarchAlpha = 0.08
	synthGarchBeta  = 0.90
	synthSigmaCap   = 10.0 // cap of sigma_t in units of its long-run value
	synthBasisPhi   = 0.95
	synthBasisSigma = 2e-4
	synthBasisLimit = 0.1 // |basis| never exceeds it, so marks stay positive
	synthFundingCap = 0.0075
	// synthNotionalPerMinute is the typical traded notional (quote units)
	// per minute, from which each symbol's base volume is derived.
	synthNotionalPerMinute = 250_000.0
	synthYear              = 365 * 24 * time.Hour
	synthStreamKey         = 0x6d617267696e6c61 // "marginla"
)

var (
	synthDefaultStart = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	synthMinTime      = time.Date(1678, 1, 1, 0, 0, 0, 0, time.UTC)
	synthLimitTime    = time.Date(2262, 1, 1, 0, 0, 0, 0, time.UTC)
)

// synthStartPrices are the start prices of well-known symbols (quote units).
var synthStartPrices = map[string]float64{
	"BTC": 40000,
	"ETH": 2500,
	"SOL": 100,
	"BNB": 300,
	"XRP": 0.5,
}

// DefaultSynthConfig returns a SynthConfig with every default filled in:
// symbols BTC and ETH, 10_080 one-minute bars from 2024-01-01T00:00:00Z,
// seed 0, correlation 0.6, annual volatility 0.6, 0.5 jumps per day of
// size 0.03, funding every 8h with mean rate 0.0001.
func DefaultSynthConfig() SynthConfig {
	return SynthConfig{
		Symbols:         []string{"BTC", "ETH"},
		Timeframe:       time.Minute,
		Bars:            synthDefaultBars,
		Start:           synthDefaultStart,
		Correlation:     synthDefaultCorrelation,
		AnnualVol:       synthDefaultAnnualVol,
		JumpsPerDay:     synthDefaultJumpsPerDay,
		JumpSize:        synthDefaultJumpSize,
		FundingInterval: synthDefaultFundingInterval,
		FundingMean:     synthDefaultFundingMean,
	}
}

// withDefaults returns c with every zero field replaced by its default.
func (c SynthConfig) withDefaults() SynthConfig {
	d := DefaultSynthConfig()
	if len(c.Symbols) == 0 {
		c.Symbols = d.Symbols
	}
	if c.Timeframe == 0 {
		c.Timeframe = d.Timeframe
	}
	if c.Bars == 0 {
		c.Bars = d.Bars
	}
	if c.Start.IsZero() {
		c.Start = d.Start
	}
	if c.Correlation == 0 {
		c.Correlation = d.Correlation
	}
	if c.AnnualVol == 0 {
		c.AnnualVol = d.AnnualVol
	}
	if c.JumpsPerDay == 0 {
		c.JumpsPerDay = d.JumpsPerDay
	}
	if c.JumpSize == 0 {
		c.JumpSize = d.JumpSize
	}
	if c.FundingInterval == 0 {
		c.FundingInterval = d.FundingInterval
	}
	if c.FundingMean == 0 {
		c.FundingMean = d.FundingMean
	}
	return c
}

// Validate reports whether Synthesize accepts c. Zero fields are valid: they
// are read as their defaults first. Every bad field is reported at once, in
// one error built with errors.Join; each message starts with "synth:" and
// names the field and its value, e.g.
// "synth: Correlation = 1.5: must be in [0, 0.99]".
func (c SynthConfig) Validate() error {
	_, err := c.withDefaults().plan()
	return err
}

// synthPlan holds the timeline Synthesize derives from a valid config.
type synthPlan struct {
	start, end   int64 // first open time; close time of the last bar (Unix ns)
	fundingFirst int64 // first funding time, valid when fundingCount > 0
	fundingCount int
}

// plan validates c (defaults already filled in) and derives its timeline.
func (c SynthConfig) plan() (synthPlan, error) {
	var p synthPlan
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("synth: "+format, args...))
	}
	finite := func(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

	seen := make(map[string]int, len(c.Symbols))
	for i, s := range c.Symbols {
		switch {
		case s == "":
			bad("Symbols[%d] = %q: name must not be empty", i, s)
		case strings.ContainsRune(s, '/'):
			bad("Symbols[%d] = %q: name must not contain '/'", i, s)
		case strings.IndexFunc(s, unicode.IsSpace) >= 0:
			bad("Symbols[%d] = %q: name must not contain white space", i, s)
		default:
			if j, dup := seen[s]; dup {
				bad("Symbols[%d] = %q: duplicate of Symbols[%d]", i, s, j)
			} else {
				seen[s] = i
			}
		}
	}
	tfOK := c.Timeframe >= time.Second
	if !tfOK {
		bad("Timeframe = %v: must be at least 1s", c.Timeframe)
	}
	barsOK := c.Bars >= 2 && c.Bars <= synthMaxBars
	if !barsOK {
		bad("Bars = %d: must be in [2, %d]", c.Bars, synthMaxBars)
	}
	startOK := !c.Start.Before(synthMinTime) && c.Start.Before(synthLimitTime)
	if !startOK {
		bad("Start = %s: must be in [%s, %s)", c.Start.UTC().Format(time.RFC3339Nano),
			synthMinTime.Format(time.RFC3339), synthLimitTime.Format(time.RFC3339))
	}
	if !(c.Correlation >= 0 && c.Correlation <= synthMaxCorrelation) {
		bad("Correlation = %v: must be in [0, %v]", c.Correlation, synthMaxCorrelation)
	}
	volOK := c.AnnualVol > 0 && c.AnnualVol <= synthMaxAnnualVol
	if !volOK {
		bad("AnnualVol = %v: must be in (0, %v]", c.AnnualVol, synthMaxAnnualVol)
	}
	jumpsOK := finite(c.JumpsPerDay)
	if !jumpsOK {
		bad("JumpsPerDay = %v: must be finite (negative switches jumps off)", c.JumpsPerDay)
	}
	sizeOK := c.JumpSize >= 0 && c.JumpSize <= synthMaxJumpSize
	if !sizeOK {
		bad("JumpSize = %v: must be in [0, %v]", c.JumpSize, synthMaxJumpSize)
	}
	fiOK := c.FundingInterval >= time.Second
	if !fiOK {
		bad("FundingInterval = %v: must be at least 1s", c.FundingInterval)
	}
	if !(c.FundingMean >= -synthFundingCap && c.FundingMean <= synthFundingCap) {
		bad("FundingMean = %v: must be in [%v, %v]", c.FundingMean, -synthFundingCap, synthFundingCap)
	}

	// The span: start truncated to the timeframe, end inside int64 ns.
	spanOK := tfOK && barsOK && startOK
	if spanOK {
		tf := int64(c.Timeframe)
		start := c.Start.UnixNano()
		m := start % tf
		if m < 0 {
			m += tf
		}
		minNs, limitNs := synthMinTime.UnixNano(), synthLimitTime.UnixNano()
		// start-m ≥ minNs is tested as start ≥ minNs+m, which cannot
		// overflow; limitNs-(start-m) can exceed MaxInt64, so it is a uint64.
		switch {
		case start < minNs+m:
			spanOK = false
			bad("Start = %s: truncated to a multiple of Timeframe = %s it falls before %s",
				c.Start.UTC().Format(time.RFC3339Nano), FormatTimeframe(c.Timeframe), synthMinTime.Format(time.RFC3339))
		case math.MaxInt64/int64(c.Bars) < tf || uint64(limitNs)-uint64(start-m) < uint64(tf)*uint64(c.Bars):
			spanOK = false
			bad("Bars × Timeframe = %d × %s: from Start = %s the span must end by %s and last at most 292 years (the int64 nanosecond range)",
				c.Bars, FormatTimeframe(c.Timeframe), c.Start.UTC().Format(time.RFC3339Nano), synthLimitTime.Format(time.RFC3339))
		default:
			p.start = start - m
			p.end = p.start + int64(c.Bars)*tf
		}
	}

	// Funding events: multiples of the interval in [start, end).
	if spanOK && fiOK {
		iv := int64(c.FundingInterval)
		var ahead int64 // distance from start to the first multiple
		if r := p.start % iv; r > 0 {
			ahead = iv - r
		} else if r < 0 {
			ahead = -r
		}
		if ahead < p.end-p.start {
			p.fundingFirst = p.start + ahead
			n := (p.end-1-p.fundingFirst)/iv + 1
			if n > synthMaxFundingEvents {
				bad("FundingInterval = %s: the span would hold %d funding events, more than %d",
					FormatTimeframe(c.FundingInterval), n, synthMaxFundingEvents)
			} else {
				p.fundingCount = int(n)
			}
		}
	}

	// Keep prices inside float64 range: bound the spread of the final log
	// price (diffusion plus jumps over the whole span).
	if spanOK && volOK && jumpsOK && sizeOK {
		years := float64(p.end-p.start) / float64(synthYear)
		variance := c.AnnualVol * c.AnnualVol * years
		variance += synthJumpProb(c) * float64(c.Bars) * c.JumpSize * c.JumpSize
		if s := math.Sqrt(variance); s > synthMaxLogSpread {
			bad("AnnualVol = %v, JumpsPerDay = %v, JumpSize = %v over Bars × Timeframe = %d × %s: "+
				"log-price standard deviation %.3g over the span, must be at most %v so prices stay finite",
				c.AnnualVol, c.JumpsPerDay, c.JumpSize, c.Bars, FormatTimeframe(c.Timeframe), s, synthMaxLogSpread)
		}
	}
	return p, errors.Join(errs...)
}

// synthJumpProb is the per-bar jump probability.
func synthJumpProb(c SynthConfig) float64 {
	if c.JumpsPerDay <= 0 {
		return 0
	}
	return min(1, c.JumpsPerDay*float64(c.Timeframe)/float64(24*time.Hour))
}

// synthStartPrice returns the start price for a symbol name.
func synthStartPrice(name string) float64 {
	u := strings.ToUpper(name)
	if p, ok := synthStartPrices[u]; ok {
		return p
	}
	if p, ok := synthStartPrices[strings.TrimSuffix(u, "USDT")]; ok {
		return p
	}
	return 100
}

// Synthesize generates a synthetic perpetual-futures market: trade candles,
// mark candles and funding for every symbol in cfg, on one timeline. Zero
// fields of cfg are read as their defaults; the result is then checked with
// Validate, whose error is returned unchanged when cfg is invalid.
//
// # Timeline
//
// Market.Time[i] = start + i×Timeframe in Unix nanoseconds, where start is
// cfg.Start truncated to a multiple of Timeframe. Market.Time and every
// symbol's Candles.Time and Mark.Time are the same slice (one backing
// array); clone a series before changing its times. Likewise all symbols'
// Funding.Time share one slice.
//
// # Returns
//
// Per bar t and symbol, the log return of the close is
//
//	r_t = d_t + J_t,  d_t = sigma_t·z_t
//
// The shocks z_t are standard normal and correlated across symbols with
// correlation cfg.Correlation between every pair: z = L·e, with e
// independent standard normals and L the Cholesky factor of the
// equicorrelation matrix. sigma_t follows a GARCH(1,1) on the per-bar scale,
// each symbol with its own state, driven by the diffusive part d:
//
//	sigma²_t = omega + 0.08·d²_{t-1} + 0.90·sigma²_{t-1}
//
// with omega = 0.02·v, where v = AnnualVol²·Timeframe/365 days is the
// long-run per-bar variance, sigma²_0 = v, and sigma_t capped at 10·sqrt(v).
// The jump J_t is N(0, JumpSize²) with probability
// p = JumpsPerDay·Timeframe/24h (capped at 1) and 0 otherwise, independently
// per symbol and bar. Jumps do not feed the GARCH recursion, so AnnualVol
// stays the long-run volatility of d, and the total annualised variance of
// r is AnnualVol² + p·JumpSize²·(bars per year): with the defaults
// sqrt(0.36 + 0.164) ≈ 0.72.
//
// # Candles
//
// open_0 is the symbol's start price (see SynthConfig.Symbols) and
// open_t = close_{t-1}; close_t = open_t·exp(r_t);
// high_t = max(open_t, close_t)·exp(sigma_t·|u1|/2) and
// low_t = min(open_t, close_t)·exp(−sigma_t·|u2|/2) with u1, u2 independent
// standard normals. So low ≤ min(open, close) ≤ max(open, close) ≤ high and
// every price is finite and positive. Volume (base units) is
// base·exp(N(0, 0.5²) − 0.125)·(1 + |r_t|/sqrt(v)), where base is
// 250,000 quote units per minute of Timeframe divided by the start price:
// always positive, higher on big moves.
//
// # Mark candles
//
// Symbol.Mark is never nil. A basis follows an AR(1),
// b_t = 0.95·b_{t-1} + N(0, (2e-4)²) with b_{-1} = 0 (clamped to ±0.1,
// which it never reaches in practice). The mark close is close_t·(1+b_t),
// the mark open the previous mark close (the first: open_0·(1+b_0)), and
// the mark wicks are half the trade wicks in log terms:
// high = max(mark open, mark close)·exp(sigma_t·|u1|/4), likewise for low.
// Mark volume is 0.
//
// # Funding
//
// Symbol.Funding has an event at every multiple of FundingInterval since
// the Unix epoch inside [Time[0], Time[last]+Timeframe). Its rate is
//
//	clamp(FundingMean + 0.5·mean(b) + |FundingMean|·N(0, 1), −0.0075, 0.0075)
//
// where mean(b) is the mean basis of the bars that closed since the previous
// event (or the last closed bar's basis when none did; 0 before the first
// bar). With the defaults (1m bars, 8h funding) about a quarter of the rates
// are negative; with coarser bars the mean basis is noisier and more are.
//
// # Randomness
//
// Symbol i draws from its own math/rand/v2 PCG stream, derived from Seed
// and i, in a fixed order; the global generator is never used. The
// correlated shocks of symbol i depend only on the streams of symbols
// 0..i, so appending a symbol leaves the earlier symbols' data unchanged.
// The same configuration gives bit-identical output on every run with the
// same Go toolchain and GOARCH.
func Synthesize(cfg SynthConfig) (*Market, error) {
	c := cfg.withDefaults()
	p, err := c.plan()
	if err != nil {
		return nil, err
	}
	n, bars, tf := len(c.Symbols), c.Bars, int64(c.Timeframe)

	times := make([]int64, bars)
	for i := range times {
		times[i] = p.start + int64(i)*tf
	}
	fundingTimes := make([]int64, p.fundingCount)
	for k := range fundingTimes {
		fundingTimes[k] = p.fundingFirst + int64(k)*int64(c.FundingInterval)
	}

	diag, below := synthEquicorrCholesky(n, c.Correlation)
	v := c.AnnualVol * c.AnnualVol * float64(tf) / float64(synthYear)
	g := synthGarch{
		omega:    v * (1 - synthGarchAlpha - synthGarchBeta),
		cap:      synthSigmaCap * synthSigmaCap * v,
		sigmaLR:  math.Sqrt(v),
		jumpP:    synthJumpProb(c),
		jumpSize: c.JumpSize,
	}

	m := &Market{Time: times, Timeframe: c.Timeframe, Symbols: make([]Symbol, n)}
	// common[t] accumulates Σ_{j<i} L[i][j]·e_j,t over the symbols so far;
	// L[i][j] is the same for every i > j (see synthEquicorrCholesky).
	common := make([]float64, bars)
	for i, name := range c.Symbols {
		rng := rand.New(synthSource(c.Seed, i))
		candles := synthAllocBars(times)
		mark := synthAllocBars(times)
		// Correlated shocks z_i,t, parked in the Close column until the path
		// pass overwrites each with the close of the same bar.
		z := candles.Close
		d, l := diag[i], below[i]
		for t := range z {
			e := rng.NormFloat64()
			z[t] = common[t] + d*e
			common[t] += l * e
		}
		price := synthStartPrice(name)
		base := synthNotionalPerMinute / price * float64(tf) / float64(time.Minute)
		rates := make([]float64, p.fundingCount)
		g.path(rng, &candles, &mark, price, base, fundingTimes, rates, tf, c.FundingMean)
		m.Symbols[i] = Symbol{
			Name:    name,
			Candles: candles,
			Mark:    &mark,
			Funding: Funding{Time: fundingTimes, Rate: rates},
		}
	}
	return m, nil
}

// synthAllocBars allocates the price and volume columns of a series of
// len(times) bars that shares times.
func synthAllocBars(times []int64) Bars {
	n := len(times)
	return Bars{
		Time:   times,
		Open:   make([]float64, n),
		High:   make([]float64, n),
		Low:    make([]float64, n),
		Close:  make([]float64, n),
		Volume: make([]float64, n),
	}
}

// synthGarch holds the per-bar model parameters shared by all symbols.
type synthGarch struct {
	omega, cap, sigmaLR float64
	jumpP, jumpSize     float64
}

// path fills one symbol's candles, mark candles and funding rates. On entry
// candles.Close holds the correlated standard-normal shocks z_t. The draw
// order per bar is fixed: the funding noise of each event that falls in the
// bar, then jump uniform, jump size, u1, u2, volume noise, basis noise (all
// drawn whether used or not, so jump settings do not shift the stream).
func (g *synthGarch) path(rng *rand.Rand, candles, mark *Bars, price, base float64,
	fundingTimes []int64, rates []float64, tf int64, fundingMean float64) {
	times := candles.Time
	open, high, low, closes, volume := candles.Open, candles.High, candles.Low, candles.Close, candles.Volume
	mOpen, mHigh, mLow, mClose := mark.Open, mark.High, mark.Low, mark.Close
	_, _, _, _ = open[len(times)-1], high[len(times)-1], low[len(times)-1], volume[len(times)-1]
	_, _, _, _ = mOpen[len(times)-1], mHigh[len(times)-1], mLow[len(times)-1], mClose[len(times)-1]

	fundingNoise := math.Abs(fundingMean)
	s2 := g.omega / (1 - synthGarchAlpha - synthGarchBeta) // long-run variance v
	prevClose, prevMark := price, 0.0
	basis, basisSum, basisN, lastBasis := 0.0, 0.0, 0, 0.0
	k := 0
	for t := range times {
		// Funding events during this bar see only bars closed before them.
		for barEnd := times[t] + tf; k < len(fundingTimes) && fundingTimes[k] < barEnd; k++ {
			mean := lastBasis
			if basisN > 0 {
				mean = basisSum / float64(basisN)
			}
			rate := fundingMean + 0.5*mean + fundingNoise*rng.NormFloat64()
			rates[k] = max(-synthFundingCap, min(synthFundingCap, rate))
			basisSum, basisN = 0, 0
		}

		sigma := math.Sqrt(s2)
		diffusive := sigma * closes[t]
		r := diffusive
		u, jump := rng.Float64(), rng.NormFloat64()
		if u < g.jumpP {
			r += g.jumpSize * jump
		}
		o := prevClose
		c := o * math.Exp(r)
		up := math.Exp(0.5 * sigma * math.Abs(rng.NormFloat64()))
		down := math.Exp(-0.5 * sigma * math.Abs(rng.NormFloat64()))
		if up < 1 { // guards the OHLC invariant against any rounding in Exp
			up = 1
		}
		if down > 1 {
			down = 1
		}
		open[t], closes[t] = o, c
		high[t] = max(o, c) * up
		low[t] = min(o, c) * down
		volume[t] = base * math.Exp(0.5*rng.NormFloat64()-0.125) * (1 + math.Abs(r)/g.sigmaLR)

		basis = synthBasisPhi*basis + synthBasisSigma*rng.NormFloat64()
		basis = max(-synthBasisLimit, min(synthBasisLimit, basis))
		mc := c * (1 + basis)
		mo := prevMark
		if t == 0 {
			mo = o * (1 + basis)
		}
		mOpen[t], mClose[t] = mo, mc
		mHigh[t] = max(mo, mc) * math.Sqrt(up)
		mLow[t] = min(mo, mc) * math.Sqrt(down)

		s2 = g.omega + synthGarchAlpha*diffusive*diffusive + synthGarchBeta*s2
		if s2 > g.cap {
			s2 = g.cap
		}
		basisSum += basis
		basisN++
		lastBasis = basis
		prevClose, prevMark = c, mc
	}
}

// synthEquicorrCholesky returns the Cholesky factor L of the n×n matrix with
// 1 on the diagonal and rho elsewhere (0 ≤ rho < 1), in compressed form:
// L[i][i] = diag[i] and L[i][j] = below[j] for every i > j. Each step of the
// factorisation leaves a Schur complement that is again "a on the diagonal,
// b elsewhere", so every column is constant below its diagonal.
func synthEquicorrCholesky(n int, rho float64) (diag, below []float64) {
	diag, below = make([]float64, n), make([]float64, n)
	a, b := 1.0, rho
	for k := range n {
		diag[k] = math.Sqrt(a)
		below[k] = b / diag[k]
		l2 := below[k] * below[k]
		a, b = a-l2, b-l2
	}
	return diag, below
}

// synthSource returns the PCG stream of symbol i for seed. Both PCG words go
// through the splitmix64 finaliser, a bijection, so distinct seeds (or
// symbol positions) give distinct states.
func synthSource(seed uint64, i int) *rand.PCG {
	k := synthMix(uint64(i) + 1)
	return rand.NewPCG(synthMix(seed^k), synthMix(seed+synthStreamKey+k))
}

// synthMix is the splitmix64 finaliser.
func synthMix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
