package backtest

import (
	"math"
	"sort"

	"github.com/marginlab/marginlab/backtest/margin"
)

// Quiet bars. Between events a bar only marks positions and records
// equity: nothing executes, no funding is due, and no price reaches a
// position's liquidation price, stop or near-miss threshold. skipQuiet
// finds the next bar that is not quiet by scanning each trigger over the
// price columns, and records the quiet bars in between column by column.
// Every sum runs in the same order as in step, so results are bit-identical
// to stepping every bar; the per-bar step is the reference.

// quietChunk is the number of bars scanned and recorded at a time: the
// scratch columns stay in cache.
const quietChunk = 2048

// quietOK reports whether the run may skip quiet bars: the adverse policy
// without margin policies (which act at closes on ratios the scan does not
// track).
func (s *sim) quietOK() bool {
	return !s.noSkip && s.cfg.Policy == Adverse && s.cfg.Margin.TopUpAt == 0 && s.cfg.Margin.SweepBelow == 0
}

// skipQuiet records the quiet bars from i on and returns the first bar that
// needs a full step (len(Time) when none does).
func (s *sim) skipQuiet(i int) int {
	limit := len(s.m.Time)
	if ch := s.in.Changes; s.nextChange < len(ch) {
		limit = min(limit, ch[s.nextChange].Bar+1)
	}
	for _, k := range s.cooling {
		limit = min(limit, s.syms[k].coolTill)
	}
	if s.nextFunding != math.MaxInt64 {
		tm := s.m.Time
		limit = min(limit, sort.Search(len(tm), func(k int) bool { return tm[k] >= s.nextFunding }))
	}
	if s.crossNear || s.anyIsolatedNear() {
		return i // an open near-miss episode ends on the way back: step it
	}
	for k0 := i; k0 < limit; k0 += quietChunk {
		k1 := min(k0+quietChunk, limit)
		j := s.scanQuiet(k0, k1)
		s.recordQuiet(k0, j)
		if j < k1 {
			return j
		}
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
	thr := s.cfg.NearMiss
	for _, k := range s.openSyms() {
		st := &s.syms[k]
		p := st.pos
		side := p.Side
		if st.mode == margin.Isolated {
			// The mark's adverse extreme reaching the liquidation price or
			// the near-miss threshold, whichever is nearer.
			trig, ok := 0.0, false
			if lp, has := s.a.LiquidationPrice(p); has {
				trig, ok = lp, true
			}
			if thr > 0 {
				key := [3]float64{p.Margin(), p.Qty, p.Entry}
				if key != st.nearKey {
					st.nearKey = key
					st.nearPx, st.nearOK = s.ratioPrice(p, thr)
					st.resetPx, st.resetOK = s.ratioPrice(p, 0.9*thr)
				}
				if st.nearOK && (!ok || side*1 > 0 && st.nearPx > trig || side < 0 && st.nearPx < trig) {
					trig, ok = st.nearPx, true
				}
			}
			if ok {
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

// firstReach returns the first bar in [k0, k1) whose adverse extreme (mark
// when onMark, else trades) reaches x for side, or k1.
func firstReach(st *symState, k0, k1, side int, x float64, onMark bool) int {
	col := st.c.Low
	if side < 0 {
		col = st.c.High
	}
	col = col[k0:k1]
	if onMark && st.mark != nil {
		mcol := st.mark.Low[k0:k1]
		if side < 0 {
			mcol = st.mark.High[k0:k1]
		}
		for k, v := range mcol {
			if v != v { // NaN: no mark candle, as markAdverse
				v = col[k]
			}
			if reached(side, v, x) {
				return k0 + k
			}
		}
		return k1
	}
	if side > 0 {
		for k, v := range col {
			if v <= x {
				return k0 + k
			}
		}
	} else {
		for k, v := range col {
			if v >= x {
				return k0 + k
			}
		}
	}
	return k1
}

// scanCross returns the first bar in [k0, k1) where the cross account's
// health at the adverse prices fails or reaches the near-miss ratio, as
// crossPath would find, or k1. Column by column, but each bar's sums run
// over the legs in CrossHealth's order, so every decision is the same.
func (s *sim) scanCross(k0, k1 int) int {
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
		trades := st.c.Low[k0:k1]
		if side < 0 {
			trades = st.c.High[k0:k1]
		}
		adv := trades
		if st.mark != nil {
			adv = st.mark.Low[k0:k1]
			if side < 0 {
				adv = st.mark.High[k0:k1]
			}
		}
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

// recordQuiet records bars [k0, k1) as close would, column by column.
func (s *sim) recordQuiet(k0, k1 int) {
	n := k1 - k0
	if n <= 0 {
		return
	}
	s.qUPnL = grow(s.qUPnL, n)
	s.qGross = grow(s.qGross, n)
	s.qCross = grow(s.qCross, n)
	upnl, gross, crossU := s.qUPnL[:n], s.qGross[:n], s.qCross[:n]
	clear(upnl)
	clear(gross)
	clear(crossU)
	carIso, cross := 0.0, false
	for _, k := range s.openSyms() {
		st := &s.syms[k]
		p := st.pos
		if st.mode == margin.Isolated {
			carIso += p.Margin()
		} else {
			cross = true
		}
		side, qty, entry := float64(p.Side), p.Qty, p.Entry
		trades := st.c.Close[k0:k1]
		marks := trades
		if st.mark != nil {
			marks = st.mark.Close[k0:k1]
		}
		if st.mode == margin.Cross {
			for b, mc := range marks {
				if mc != mc { // NaN: no mark candle, as markClose
					mc = trades[b]
				}
				u := side * qty * (mc - entry)
				upnl[b] += u
				gross[b] += qty * mc
				crossU[b] += u
			}
		} else {
			for b, mc := range marks {
				if mc != mc {
					mc = trades[b]
				}
				upnl[b] += side * qty * (mc - entry)
				gross[b] += qty * mc
			}
		}
		p.Mark = st.markClose(k1 - 1)
	}
	w := s.a.Wallet()
	for b := range n {
		eq := w + carIso + upnl[b]
		im := gross[b] / s.cfg.Leverage
		car := carIso
		if cross {
			car += w + crossU[b]
		}
		s.record(k0+b, eq, car, im, gross[b])
	}
}

func grow(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}
