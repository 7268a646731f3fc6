package backtest

import (
	"math"

	"github.com/marginlab/marginlab/backtest/margin"
	"github.com/marginlab/marginlab/backtest/venue"
)

// Quiet bars. After its open (fills and funding, run by atOpen), a bar
// whose prices reach no position's liquidation price, stop or near-miss
// threshold only marks positions and records equity. skipQuiet records
// quiet bars in bulk up to the next bar that is not quiet or has something
// at its open. Mostly scanRecord does it, one pass per position that
// watches a price bound and sums PnL; where a bound cannot clear a bar,
// scanQuiet finds the first trigger exactly and recordQuiet records the
// bars before it. Every decision and sum is afterOpen's, in the same
// order, so results are bit-identical to stepping every bar; the per-bar
// afterOpen is the reference.

// quietChunk is the number of bars scanned and recorded at a time: the
// scratch columns stay in cache.
const quietChunk = 2048

// quietOK reports whether the run may skip quiet bars: the adverse policy
// without margin policies (which act at closes on ratios the scan does not
// track).
func (s *sim) quietOK() bool {
	return !s.noSkip && s.cfg.Policy == Adverse && s.cfg.Margin.TopUpAt == 0 && s.cfg.Margin.SweepBelow == 0
}

// skipQuiet records the quiet bars from i on (bar i's open has run) and
// returns the first bar that is not quiet or has something at its open
// (len(Time) when none does).
func (s *sim) skipQuiet(i int) int {
	limit := len(s.m.Time)
	if ch := s.in.Changes; s.nextChange < len(ch) {
		limit = min(limit, ch[s.nextChange].Bar+1)
	}
	for _, k := range s.cooling {
		limit = min(limit, s.syms[k].coolTill)
	}
	limit = min(limit, s.fundingBar)
	if s.crossNear || s.anyIsolatedNear() {
		return i // an open near-miss episode ends on the way back: step it
	}
	for k0 := i; k0 < limit; {
		k1 := min(k0+quietChunk, limit)
		j := s.scanRecord(k0, k1)
		if j == k0 {
			// A hybrid, or a bound already reached at k0: decide bar by bar.
			j = s.scanQuiet(k0, k1)
			s.recordQuiet(k0, j)
			if j < k1 {
				return j
			}
		}
		k0 = j
	}
	return max(limit, i)
}

func (s *sim) anyIsolatedNear() bool {
	for _, k := range s.openSyms() {
		if st := &s.syms[k]; st.mode == margin.Isolated && st.near {
			return true
		}
	}
	return false
}

// scanQuiet returns the first bar in [k0, k1) where some trigger is
// reached, or k1.
func (s *sim) scanQuiet(k0, k1 int) int {
	end := k1
	for _, k := range s.openSyms() {
		st := &s.syms[k]
		side := st.pos.Side
		if st.mode == margin.Isolated {
			if trig, ok := s.isolatedTrigger(st); ok {
				end = min(end, firstReach(st, k0, end, side, trig, true))
			}
		}
		if st.stop > 0 {
			end = min(end, firstReach(st, k0, end, side, st.stop, false))
		}
	}
	s.syncLegs() // a liquidation in the last step may have closed legs
	if len(s.legs) > 0 {
		end = min(end, s.scanCross(k0, end))
	}
	return end
}

// isolatedTrigger returns the mark price at which isolated position st
// needs a full step: its liquidation price or the near-miss threshold,
// whichever is nearer; ok is false when there is neither.
func (s *sim) isolatedTrigger(st *symState) (trig float64, ok bool) {
	p := st.pos
	if lp, has := s.a.LiquidationPrice(p); has {
		trig, ok = lp, true
	}
	if thr := s.cfg.NearMiss; thr > 0 {
		key := [3]float64{p.Margin(), p.Qty, p.Entry}
		if key != st.nearKey {
			st.nearKey = key
			st.nearPx, st.nearOK = s.ratioPrice(p, thr)
			st.resetPx, st.resetOK = s.ratioPrice(p, 0.9*thr)
		}
		if st.nearOK && (!ok || p.Side > 0 && st.nearPx > trig || p.Side < 0 && st.nearPx < trig) {
			trig, ok = st.nearPx, true
		}
	}
	return trig, ok
}

// firstReach returns the first bar in [k0, k1) whose adverse extreme (mark
// when onMark, else trades) reaches x for side, or k1.
func firstReach(st *symState, k0, k1, side int, x float64, onMark bool) int {
	lo, hi := x, math.Inf(1)
	if side < 0 {
		lo, hi = math.Inf(-1), x
	}
	return firstOutside(st, k0, k1, side, lo, hi, onMark)
}

// scanCross returns the first bar in [k0, k1) where the cross account's
// health at the adverse prices fails or reaches the near-miss ratio, as
// crossPath would find, or k1. A cheap bound (crossSafeUntil) clears most
// bars; the rest get the exact per-bar sums, so every decision is the same.
func (s *sim) scanCross(k0, k1 int) int {
	for k0 < k1 {
		j := s.crossSafeUntil(k0, k1)
		if j > k0 {
			k0 = j
			continue
		}
		// Too close to call from the bound: exact sums over a short block,
		// then the bound again.
		b1 := min(k1, k0+64)
		if e := s.scanCrossExact(k0, b1); e < b1 {
			return e
		}
		k0 = b1
	}
	return k1
}

// scanCrossExact is scanCross bar by bar: each bar's sums run over the
// legs in CrossHealth's order.
func (s *sim) scanCrossExact(k0, k1 int) int {
	n := k1 - k0
	if n <= 0 {
		return k1
	}
	s.qEq = grow(s.qEq, n)
	s.qMM = grow(s.qMM, n)
	eq, mm := s.qEq[:n], s.qMM[:n]
	w := s.a.Wallet()
	for b := range eq {
		eq[b], mm[b] = w, 0
	}
	fee := s.cfg.Venue.TakerFee
	for _, sk := range s.legs {
		st := &s.syms[sk]
		p := st.pos
		side := p.Side
		adv, trades := st.adverseCols(k0, k1, side, true)
		fs, qty, entry := float64(side), p.Qty, p.Entry
		for b, price := range adv {
			if price != price { // NaN: no mark candle, as markAdverse
				price = trades[b]
			}
			eq[b] += fs * qty * (price - entry)
			mm[b] += s.a.MaintenanceCached(p, fee, price)
		}
	}
	thr := s.cfg.NearMiss
	for b := range eq {
		if eq[b] <= mm[b] || (thr > 0 && ratio(eq[b], mm[b]) >= thr) {
			return k0 + b
		}
	}
	return k1
}

// crossSafeUntil returns the first bar of [k0, k1) at which the cross
// account is not certainly healthy and below the near-miss ratio, from
// one floor-style pass over each leg's adverse prices. While a leg's
// notional stays in one tier, its share of equity − maintenance (and of
// NearMiss·equity − maintenance) is linear and monotone in its price: it
// rises with the price for a long and falls for a short, because the
// maintenance rate is below 1 (and below NearMiss). So the account's slack
// at bar k0, shared equally between the legs, gives each leg a price it
// may fall to (a long) or rise to (a short) before the sums could reach
// the thresholds; the first bar where some leg passes that price or leaves
// its tier ends the safe stretch. A margin of 10⁻⁹ of the figures' size
// absorbs rounding: anything closer is left to scanCross's exact sums.
func (s *sim) crossSafeUntil(k0, k1 int) int {
	if !s.crossBounds(k0) {
		return k0
	}
	end := k1
	for _, sk := range s.legs {
		st := &s.syms[sk]
		end = firstOutside(st, k0, end, st.pos.Side, st.lo, st.hi, true)
	}
	return end
}

// crossBounds sets every cross leg's price bounds (symState lo, hi) as
// crossSafeUntil describes, from the account at bar k0's adverse prices;
// false when the slack there is too small to give any.
func (s *sim) crossBounds(k0 int) bool {
	fee, thr := s.cfg.Venue.TakerFee, s.cfg.NearMiss
	rule := s.cfg.Venue.Rule()
	n := len(s.legs)
	s.qSlope = grow(s.qSlope, 2*n)
	slopeH, slopeG := s.qSlope[:n], s.qSlope[n:2*n]
	eq, mm := s.a.Wallet(), 0.0
	size := math.Abs(eq)
	for j, sk := range s.legs {
		st := &s.syms[sk]
		p := st.pos
		price := st.markAdverse(k0, p.Side)
		r := 0.0 // maintenance rate on the price, as MaintenanceCached
		if rule.OnMark {
			r = p.Brackets[st.tierOf(p.Qty*price)].MMR
			if rule.FeeInRate {
				r += fee
			}
			if r >= 1 || (thr > 0 && r >= thr) {
				return false
			}
		}
		// |d(share)/d(price)|: q(1 ± r) for equity − maintenance, q(thr ± r)
		// for thr·equity − maintenance (the sign is + for a short).
		sr := -float64(p.Side) * r
		slopeH[j], slopeG[j] = p.Qty*(1+sr), p.Qty*(thr+sr)
		u := float64(p.Side) * p.Qty * (price - p.Entry)
		m := s.a.MaintenanceCached(p, fee, price)
		eq += u
		mm += m
		size += p.Qty*(price+p.Entry) + math.Abs(m)
	}
	tol := 1e-9 * size
	slackH, slackG := (eq-mm-tol)/float64(n), (thr*eq-mm-tol)/float64(n)
	if !(slackH > 0) || (thr > 0 && !(slackG > 0)) {
		return false
	}
	for j, sk := range s.legs {
		st := &s.syms[sk]
		p := st.pos
		move := slackH / slopeH[j]
		if thr > 0 {
			move = min(move, slackG/slopeG[j])
		}
		// The tier's price span, shrunk a little for rounding.
		lo, hi := math.Inf(-1), math.Inf(1)
		if rule.OnMark {
			br, k := p.Brackets, st.tier
			if k > 0 {
				lo = br[k-1].Cap / p.Qty * (1 + 1e-12)
			}
			if k < len(br)-1 {
				hi = br[k].Cap / p.Qty * (1 - 1e-12)
			}
		}
		price := st.markAdverse(k0, p.Side)
		if p.Side > 0 {
			lo = max(lo, price-move)
		} else {
			hi = min(hi, price+move)
		}
		st.lo, st.hi = lo, hi
	}
	return true
}

// firstOutside returns the first bar in [k0, k1) whose adverse price for
// side (the mark when onMark, falling back to trades where the mark is
// NaN, as markAdverse; else trades) is at or outside (lo, hi), or k1.
func firstOutside(st *symState, k0, k1, side int, lo, hi float64, onMark bool) int {
	adv, trades := st.adverseCols(k0, k1, side, onMark)
	for b, v := range adv {
		// One test catches a price outside and a NaN mark alike (every
		// comparison with NaN is false); a NaN falls back to trades.
		if !(v > lo && v < hi) {
			if v == v {
				return k0 + b
			}
			if t := trades[b]; !(t > lo && t < hi) {
				return k0 + b
			}
		}
	}
	return k1
}

// tierOf returns the tier of notional n in the symbol's position brackets,
// starting from the last tier found (positions rarely change tier).
func (st *symState) tierOf(n float64) int {
	br := st.pos.Brackets
	if k := st.tier; k < len(br) && inTier(br, k, n) {
		return k
	}
	st.tier = br.Index(n)
	return st.tier
}

// inTier reports whether Brackets.Index(n) would return k.
func inTier(br venue.Brackets, k int, n float64) bool {
	return (k == 0 || n >= br[k-1].Cap) && (k == len(br)-1 || n < br[k].Cap)
}

// recordQuiet records bars [k0, k1) as close would, column by column:
// each position adds its unrealised PnL and notional at every bar's mark
// close, then the bars go to recordBars. The per-bar sums run over the
// positions in close's order, so every figure has close's bits.
func (s *sim) recordQuiet(k0, k1 int) {
	n := k1 - k0
	if n <= 0 {
		return
	}
	s.qUPnL = grow(s.qUPnL, n)
	s.qGross = grow(s.qGross, n)
	s.qCar = grow(s.qCar, n)
	upnl, gross, car := s.qUPnL[:n], s.qGross[:n], s.qCar[:n]
	clear(upnl)
	clear(gross)
	carIso, nIso, nCross := 0.0, 0, 0
	for _, k := range s.openSyms() {
		if s.syms[k].mode == margin.Isolated {
			nIso++
		} else {
			nCross++
		}
	}
	// Only a hybrid needs the cross positions' PnL apart from the total.
	hybrid := nIso > 0 && nCross > 0
	if hybrid {
		clear(car)
	}
	for _, k := range s.openSyms() {
		st := &s.syms[k]
		p := st.pos
		isolated := st.mode == margin.Isolated
		if isolated {
			carIso += p.Margin()
		}
		if hybrid && !isolated {
			marks, trades := st.closeCols(k0, k1)
			upnl, gross, car := upnl[:len(marks)], gross[:len(marks)], car[:len(marks)]
			sq, qty, entry := float64(p.Side)*p.Qty, p.Qty, p.Entry
			for b, mc := range marks {
				if mc != mc { // NaN: no mark candle, as markClose
					mc = trades[b]
				}
				u := sq * (mc - entry)
				upnl[b] += u
				gross[b] += qty * mc
				car[b] += u
			}
		} else {
			sumUntil(st, k0, math.Inf(-1), math.Inf(1), upnl, gross)
		}
		p.Mark = st.markClose(k1 - 1)
	}
	s.recordSums(k0, n, carIso, nIso, nCross)
}

// recordSums records bars [k0, k0+n) from the scratch sums (s.qUPnL,
// s.qGross, and for a hybrid s.qCar) with equity and capital at risk
// formed as close forms them: with no isolated position carIso is 0 and
// capital at risk is the equity; with no cross position it is carIso.
func (s *sim) recordSums(k0, n int, carIso float64, nIso, nCross int) {
	upnl, gross, car := s.qUPnL[:n], s.qGross[:n], s.qCar[:n]
	w := s.a.Wallet()
	eq := upnl // in place: upnl is not needed after this
	switch {
	case nIso > 0 && nCross > 0:
		for b, u := range upnl {
			car[b] = carIso + (w + car[b])
			eq[b] = w + carIso + u
		}
	case nCross > 0:
		for b, u := range upnl {
			eq[b] = w + carIso + u
			car[b] = carIso + (w + u)
		}
	default:
		for b, u := range upnl {
			eq[b] = w + carIso + u
			car[b] = carIso
		}
	}
	s.recordBars(k0, eq, car, gross)
}

// scanRecord is scanQuiet and recordQuiet in one pass over each position's
// columns, reading its adverse and close prices together: it records bars
// from k0 until some position's adverse mark leaves its bounds (the
// isolated trigger, the cross account's bound from crossBounds) or a stop
// is reached, and returns that bar (k1 when none). A bound is not always
// an event, so the caller goes on from there. It returns k0, recording
// nothing, for a hybrid account (recordQuiet keeps its cross sums apart)
// or when no bar can be cleared this way.
func (s *sim) scanRecord(k0, k1 int) int {
	end := k1
	carIso, nIso, nCross := 0.0, 0, 0
	for _, k := range s.openSyms() {
		st := &s.syms[k]
		p := st.pos
		st.lo, st.hi = math.Inf(-1), math.Inf(1)
		if st.mode == margin.Isolated {
			nIso++
			carIso += p.Margin()
			if trig, ok := s.isolatedTrigger(st); ok {
				if p.Side > 0 {
					st.lo = trig
				} else {
					st.hi = trig
				}
			}
		} else {
			nCross++
		}
		if st.stop > 0 {
			end = min(end, firstReach(st, k0, end, p.Side, st.stop, false))
		}
	}
	if nIso > 0 && nCross > 0 {
		return k0
	}
	s.syncLegs()
	if len(s.legs) > 0 && !s.crossBounds(k0) {
		return k0
	}
	if end <= k0 {
		return k0
	}
	s.qUPnL = grow(s.qUPnL, end-k0)
	s.qGross = grow(s.qGross, end-k0)
	s.qCar = grow(s.qCar, end-k0)
	clear(s.qUPnL[:end-k0])
	clear(s.qGross[:end-k0])
	for _, k := range s.openSyms() {
		st := &s.syms[k]
		end = sumUntil(st, k0, st.lo, st.hi, s.qUPnL[:end-k0], s.qGross[:end-k0])
	}
	if end > k0 {
		for _, k := range s.openSyms() {
			st := &s.syms[k]
			st.pos.Mark = st.markClose(end - 1)
		}
		s.recordSums(k0, end-k0, carIso, nIso, nCross)
	}
	return end
}

// sumUntil adds position st's unrealised PnL and notional at each bar's
// mark close (trades where the mark is NaN, as markClose) to upnl and
// gross, which start at bar k0, until the first bar whose adverse price
// (as markAdverse) is at or outside (lo, hi). It returns that bar, or
// k0+len(upnl); the bar itself is not added.
func sumUntil(st *symState, k0 int, lo, hi float64, upnl, gross []float64) int {
	p := st.pos
	k1 := k0 + len(upnl)
	mc, tc := st.closeCols(k0, k1)
	// (side × size) × (mark − entry), as close computes it.
	sq, qty, entry := float64(p.Side)*p.Qty, p.Qty, p.Entry
	upnl, gross = upnl[:len(mc)], gross[:len(mc)]
	if math.IsInf(lo, -1) && math.IsInf(hi, 1) { // nothing to watch
		for b, c := range mc {
			if c != c {
				c = tc[b]
			}
			upnl[b] += sq * (c - entry)
			gross[b] += qty * c
		}
		return k1
	}
	adv, tadv := st.adverseCols(k0, k1, p.Side, true)
	adv, tadv = adv[:len(mc)], tadv[:len(mc)]
	for b, c := range mc {
		// As firstOutside: one test for a price outside or a NaN mark.
		if v := adv[b]; !(v > lo && v < hi) {
			if v == v {
				return k0 + b
			}
			if t := tadv[b]; !(t > lo && t < hi) {
				return k0 + b
			}
		}
		if c != c {
			c = tc[b]
		}
		upnl[b] += sq * (c - entry)
		gross[b] += qty * c
	}
	return k1
}

// adverseCols returns the prices that test a position of side over
// [k0, k1): the adverse extreme (low for a long, high for a short) of the
// marks when onMark and the symbol has them, else of the trades; and the
// trades' extreme, which stands in where a mark is NaN (as markAdverse).
func (st *symState) adverseCols(k0, k1, side int, onMark bool) (adv, trades []float64) {
	trades = st.c.Low[k0:k1]
	if side < 0 {
		trades = st.c.High[k0:k1]
	}
	adv = trades
	if onMark && st.mark != nil {
		adv = st.mark.Low[k0:k1]
		if side < 0 {
			adv = st.mark.High[k0:k1]
		}
	}
	return adv, trades[:len(adv)]
}

// closeCols returns the mark closes over [k0, k1) (the trades' when the
// symbol has no marks) and the trade closes, which stand in where a mark
// is NaN (as markClose).
func (st *symState) closeCols(k0, k1 int) (marks, trades []float64) {
	trades = st.c.Close[k0:k1]
	marks = trades
	if st.mark != nil {
		marks = st.mark.Close[k0:k1]
	}
	return marks, trades[:len(marks)]
}

func grow(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}
