package data

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
	"time"
)

// BootstrapConfig configures Bootstrap and BootstrapIndex.
//
// There is no useful zero value: Block must be set (a good mean block length
// depends on the timeframe and on how long the dependence in returns and
// volatility lasts, e.g. 288 bars = one day of 5m bars).
type BootstrapConfig struct {
	// Block is the mean block length in bars. Block lengths are geometric
	// on {1, 2, …} with this mean: after each bar a new block starts with
	// probability 1/Block. It must be at least 1; 1 resamples single bars
	// (no dependence kept), +Inf gives one block, i.e. the real history
	// rotated.
	Block float64
	// Seed selects the random stream. Every value is valid, 0 included.
	Seed uint64
}

// Validate reports whether Bootstrap accepts c: Block must be a number
// ≥ 1 (+Inf included).
func (c BootstrapConfig) Validate() error {
	if !(c.Block >= 1) {
		return fmt.Errorf("data: bootstrap: Block = %v: must be at least 1 (the mean block length in bars)", c.Block)
	}
	return nil
}

// bootstrapMinBars is the shortest market Bootstrap accepts: bar 0 is never
// drawn, so [1, n) must hold at least two bars for a path to differ from
// the history.
const bootstrapMinBars = 3

// bootstrapStreamKey separates the bootstrap's random streams from
// Synthesize's for the same seed.
const bootstrapStreamKey = 0x626f6f7473747270 // "bootstrp"

// Bootstrap returns Monte Carlo path number path of market m.
//
// Path 0 is m itself, returned as is (the same pointer, no copy). Path
// p ≥ 1 is a stationary block bootstrap (Politis & Romano 1994) of whole
// bars: a new *Market on m's timeline (Time and Timeframe; Time slices are
// shared with m, clone them before changing them) with m's symbols in m's
// order. Every call with the same m, path and cfg returns the same values.
//
// # Indices
//
// Bar i of the path takes source bar j = idx[i] of m, where idx is
// BootstrapIndex(len(m.Time), path, cfg) (see there), for every symbol:
// all symbols use the same indices, so their cross-asset correlation (and
// any co-movement within a bar) survives.
//
// # Prices
//
// Path bar 0 is m's bar 0, copied exactly. From bar 1 on, each bar is
// source bar j scaled so that it starts from the path's previous close:
//
//	k_i     = close'_{i-1} / close_{j-1}          (close' are path closes)
//	open'_i = open_j·k_i, high'_i = high_j·k_i, low'_i = low_j·k_i, close'_i = close_j·k_i
//
// so every price keeps its ratio to the previous close of the source
// (open_j/close_{j-1}, high_j/close_{j-1}, low_j/close_{j-1},
// close_j/close_{j-1}): returns are resampled, gaps (open ≠ previous close)
// are kept as in the source, and OHLC ordering is kept exactly (all four
// prices are multiplied by one positive factor, and rounding is monotone).
// Volume is copied from the source bar unscaled. Inside a block k_i is the
// same for every bar (up to rounding), so a block is a scaled copy of the
// source stretch it comes from. Prices are in the quote currency, as in m.
//
// # Mark candles
//
// When the symbol has mark candles, mark row i is source mark row j scaled
// by the same k_i (mark volume copied). A mark row that is NaN (missing) in
// the source is NaN in the path. Because trade and mark share the factor,
// the basis mark/trade of every path bar is that of its source bar: the
// basis never drifts away from the one observed, however many blocks the
// path joins. Inside a block the mark's own bar-to-bar ratios are the
// source's; only at a block join does the mark's ratio to its previous
// close differ from the source's, by the change in basis between the two
// joined bars.
//
// # Funding
//
// Each symbol's path has funding events at the same times as m's (the
// Funding.Time slice is shared); only the rates move with the resampled
// bars. For an event at time T, let b be the path bar containing T (the
// last bar with Time[b] ≤ T) and d = T − Time[b] its offset into the bar
// (capped at Timeframe − 1ns for an event in a gap of the timeline). The
// rate is that of the latest source funding event at or before
// Time[idx[b]] + d, the same moment inside the source bar, and 0 when no
// source event is that early. An event before Time[0] keeps its own rate
// (bar 0 is never resampled). With the identity index this reproduces m's
// rates exactly, whether bars are shorter than, equal to or longer than
// the funding interval.
//
// A coarse mark (Funding.Mark, Symbol.CoarseMark: mark prices at the
// funding times from a series coarser than the candles) is dropped: the
// path's Funding.Mark is nil and its CoarseMark 0. Those marks are prices of
// the real history at the real funding times; on a resampled path the
// prices there differ, and a copied mark would value funding at a price the
// path never had. Funding on a path is valued at the path's own prices (its
// mark open where it has mark candles, else its trade open).
//
// # Errors
//
// Bootstrap checks its arguments on every call, path 0 included, and
// reports every problem at once (errors.Join): path < 0; cfg.Block < 1 or
// NaN; a nil market or one with fewer than 3 bars; a symbol whose columns
// differ in length from the timeline; a close that is not finite and
// positive (wrapping ErrBadPrice). Opens, highs, lows and marks are taken
// as given: Load and NewMarket have validated them.
//
// # Cost
//
// O(bars × symbols) time, plus O(events × log events) per symbol for
// funding. Bootstrap allocates the output (one block of columns per
// symbol) and the n-int index, nothing else; about 0.2 s per path for 8
// symbols × 1M bars with mark candles, bound by memory bandwidth.
func Bootstrap(m *Market, path int, cfg BootstrapConfig) (*Market, error) {
	if err := checkBootstrap(m, path, cfg); err != nil {
		return nil, err
	}
	if path == 0 {
		return m, nil
	}
	idx := make([]int, len(m.Time))
	bootstrapIndexInto(idx, path, cfg)
	return bootstrapMarket(m, idx), nil
}

// BootstrapIndex returns, for every bar i in [0, n) of path path, the
// source bar idx[i] it is taken from. Path 0 is the identity. For path
// p ≥ 1 (the stationary bootstrap):
//
//	idx[0] = 0
//	idx[1] = U
//	idx[i] = U                    with probability 1/Block   (i ≥ 2: a new block)
//	         idx[i-1] + 1         otherwise, and 1 after n−1 (the block continues, wrapping)
//
// with U uniform on [1, n), drawn afresh each time. Bar 0 has no previous
// close, so it has no return to resample: it is never drawn, and path bar 0
// is always the real bar 0, which anchors every path at the real start
// price. Wrapping from n−1 to 1 (not 0) makes the bars 1..n−1 a circle, as
// in Politis & Romano, so every bar is equally likely to be drawn.
//
// The random numbers come from a math/rand/v2 PCG whose state is derived
// from (cfg.Seed, path) alone, and are turned into draws without
// math/rand/v2's Rand methods: U = 1 + Lemire's multiply-shift reduction
// (with rejection, so exactly uniform) of 64-bit outputs, and a new block
// starts when the top 53 bits of one output, read as a fraction in [0, 1),
// are below 1/Block. So the same (n, path, cfg) gives the same indices on
// every machine and Go release. Each bar from 2 on consumes one output for
// the block decision, and each new block at least one more.
//
// BootstrapIndex returns nil when Bootstrap would reject the arguments
// (path < 0, n < 3, or cfg.Validate fails).
func BootstrapIndex(n int, path int, cfg BootstrapConfig) []int {
	if path < 0 || n < bootstrapMinBars || cfg.Validate() != nil {
		return nil
	}
	idx := make([]int, n)
	bootstrapIndexInto(idx, path, cfg)
	return idx
}

// bootstrapIndexInto fills idx (len ≥ 3) with the indices of path (≥ 0)
// for a valid cfg.
func bootstrapIndexInto(idx []int, path int, cfg BootstrapConfig) {
	n := len(idx)
	if path == 0 {
		for i := range idx {
			idx[i] = i
		}
		return
	}
	pcg := bootstrapSource(cfg.Seed, path)
	src := &pcg
	span := uint64(n - 1)
	p := 1 / cfg.Block
	idx[0] = 0
	idx[1] = 1 + int(uniformBelow(src, span))
	for i := 2; i < n; i++ {
		if float64(src.Uint64()>>11)*0x1p-53 < p {
			idx[i] = 1 + int(uniformBelow(src, span))
		} else if j := idx[i-1] + 1; j < n {
			idx[i] = j
		} else {
			idx[i] = 1
		}
	}
}

// bootstrapSource returns the PCG stream of path for seed (a value, so it
// stays on the stack). Both PCG words go through the splitmix64 finaliser,
// as in synthSource, with a key of their own.
func bootstrapSource(seed uint64, path int) rand.PCG {
	k := synthMix(uint64(path) ^ bootstrapStreamKey)
	var src rand.PCG
	src.Seed(synthMix(seed^k), synthMix(seed+bootstrapStreamKey+k))
	return src
}

// uniformBelow returns a uniform integer in [0, m), m > 0, by Lemire's
// multiply-shift method with rejection ("Fast random integer generation in
// an interval", 2019).
func uniformBelow(src *rand.PCG, m uint64) uint64 {
	hi, lo := bits.Mul64(src.Uint64(), m)
	if lo < m {
		thresh := -m % m
		for lo < thresh {
			hi, lo = bits.Mul64(src.Uint64(), m)
		}
	}
	return hi
}

// checkBootstrap reports every problem with Bootstrap's arguments.
func checkBootstrap(m *Market, path int, cfg BootstrapConfig) error {
	var errs []error
	if path < 0 {
		errs = append(errs, fmt.Errorf("data: bootstrap: path = %d: must be at least 0 (0 is the real history)", path))
	}
	if err := cfg.Validate(); err != nil {
		errs = append(errs, err)
	}
	switch {
	case m == nil:
		errs = append(errs, errors.New("data: bootstrap: the market is nil"))
	case len(m.Time) < bootstrapMinBars:
		errs = append(errs, fmt.Errorf("data: bootstrap: the market has %d bars; it needs at least %d to resample", len(m.Time), bootstrapMinBars))
	default:
		for s := range m.Symbols {
			if err := checkBootstrapSymbol(&m.Symbols[s], len(m.Time)); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// checkBootstrapSymbol checks one symbol's column lengths against the
// timeline length n and its closes.
func checkBootstrapSymbol(s *Symbol, n int) error {
	c := &s.Candles
	if err := barsLengthError(c); err != nil {
		return symbolError(s.Name, err)
	}
	if c.Len() != n {
		return fmt.Errorf("data: bootstrap: %s: %d candles on a timeline of %d bars", s.Name, c.Len(), n)
	}
	if mk := s.Mark; mk != nil {
		if err := barsLengthError(mk); err != nil {
			return symbolError(s.Name+" mark", err)
		}
		if mk.Len() != n {
			return fmt.Errorf("data: bootstrap: %s: %d mark candles on a timeline of %d bars", s.Name, mk.Len(), n)
		}
	}
	if f := &s.Funding; len(f.Time) != len(f.Rate) || f.Mark != nil && len(f.Mark) != len(f.Time) {
		return fmt.Errorf("data: bootstrap: %s: funding columns differ in length: time %d rate %d mark %d", s.Name, len(f.Time), len(f.Rate), len(f.Mark))
	}
	for i, v := range c.Close {
		if !(v > 0 && v <= math.MaxFloat64) {
			return newMarketError(ErrBadPrice, "data: bootstrap: %s: close %v at row %d (%s) is not finite and positive; every close must be, since returns are ratios to it",
				s.Name, v, i, FormatTime(c.Time[i]))
		}
	}
	return nil
}

// bootstrapMarket builds the path of m for the index idx (len(m.Time),
// idx[0] = 0, every other entry in [1, n)).
func bootstrapMarket(m *Market, idx []int) *Market {
	n := len(m.Time)
	out := &Market{Time: m.Time, Timeframe: m.Timeframe, Symbols: make([]Symbol, len(m.Symbols))}
	for s := range m.Symbols {
		src, dst := &m.Symbols[s], &out.Symbols[s]
		cols := 5
		if src.Mark != nil {
			cols = 10
		}
		buf := make([]float64, cols*n)
		dst.Name = src.Name
		dst.Candles = bootstrapColumns(src.Candles.Time, buf[:5*n])
		bootstrapCandles(&dst.Candles, &src.Candles, idx)
		if src.Mark != nil {
			mk := bootstrapColumns(src.Mark.Time, buf[5*n:])
			bootstrapMark(&mk, src.Mark, &dst.Candles, &src.Candles, idx)
			dst.Mark = &mk
		}
		dst.Funding = bootstrapFunding(&src.Funding, m.Time, m.Timeframe, idx)
	}
	return out
}

// bootstrapColumns cuts five columns of len(times) out of buf.
func bootstrapColumns(times []int64, buf []float64) Bars {
	n := len(times)
	col := func(k int) []float64 { return buf[k*n : (k+1)*n : (k+1)*n] }
	return Bars{Time: times, Open: col(0), High: col(1), Low: col(2), Close: col(3), Volume: col(4)}
}

// bootstrapCandles fills dst's value columns: row 0 copied, row i ≥ 1 the
// source row idx[i] scaled by k_i = dst.Close[i-1]/src.Close[idx[i]-1].
func bootstrapCandles(dst, src *Bars, idx []int) {
	n := len(idx)
	so, sh, sl, sc, sv := src.Open, src.High, src.Low, src.Close, src.Volume
	do, dh, dl, dc, dv := dst.Open[:n], dst.High[:n], dst.Low[:n], dst.Close[:n], dst.Volume[:n]
	do[0], dh[0], dl[0], dc[0], dv[0] = so[0], sh[0], sl[0], sc[0], sv[0]
	prev := dc[0]
	for i := 1; i < n; i++ {
		j := idx[i]
		k := prev / sc[j-1]
		c := sc[j] * k
		do[i], dh[i], dl[i], dc[i], dv[i] = so[j]*k, sh[j]*k, sl[j]*k, c, sv[j]
		prev = c
	}
}

// bootstrapMark fills the path mark dst from the source mark src with the
// candles' factors k_i = path.Close[i-1]/trade.Close[idx[i]-1]; NaN rows
// stay NaN.
func bootstrapMark(dst, src, path, trade *Bars, idx []int) {
	n := len(idx)
	so, sh, sl, sc, sv := src.Open, src.High, src.Low, src.Close, src.Volume
	do, dh, dl, dc, dv := dst.Open[:n], dst.High[:n], dst.Low[:n], dst.Close[:n], dst.Volume[:n]
	pc, tc := path.Close[:n], trade.Close
	do[0], dh[0], dl[0], dc[0], dv[0] = so[0], sh[0], sl[0], sc[0], sv[0]
	for i := 1; i < n; i++ {
		j := idx[i]
		k := pc[i-1] / tc[j-1]
		do[i], dh[i], dl[i], dc[i], dv[i] = so[j]*k, sh[j]*k, sl[j]*k, sc[j]*k, sv[j]
	}
}

// bootstrapFunding returns f's events with the rates the path idx maps
// them to (see Bootstrap). Time is shared with f; Mark is dropped (nil).
func bootstrapFunding(f *Funding, times []int64, tf time.Duration, idx []int) Funding {
	rates := make([]float64, len(f.Time))
	b := 0
	for e, t := range f.Time {
		at := t // before the first bar: bar 0 is never resampled
		if t >= times[0] {
			for b+1 < len(times) && times[b+1] <= t {
				b++
			}
			d := t - times[b]
			if tf > 0 && d >= int64(tf) {
				d = int64(tf) - 1
			}
			at = times[idx[b]] + d
		}
		// The latest source event at or before at.
		k, found := slices.BinarySearch(f.Time, at)
		if !found {
			k--
		}
		if k >= 0 {
			rates[e] = f.Rate[k]
		}
	}
	return Funding{Time: f.Time, Rate: rates}
}
