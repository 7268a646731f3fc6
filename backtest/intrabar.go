package backtest

import (
	"slices"

	"github.com/marginlab/marginlab/backtest/margin"
)

// pathFraction returns λ in [0, 1] at which a price moving from open to
// adverse reaches x; 0 when it is already there at the open (a gap).
func pathFraction(open, adverse, x float64) float64 {
	if open == adverse {
		return 0
	}
	l := (open - x) / (open - adverse)
	return min(max(l, 0), 1)
}

// reached reports whether a side's adverse price reaches level x.
func reached(side int, adverse, x float64) bool {
	if side > 0 {
		return adverse <= x
	}
	return adverse >= x
}

// adverseOf returns the adverse extreme for a side from high and low.
func adverseOf(side int, high, low float64) float64 {
	if side > 0 {
		return low
	}
	return high
}

// adverse runs bar i's intrabar path under the adverse policy.
func (s *sim) adverse(i int, t int64) {
	for _, k := range s.openSyms() {
		if st := &s.syms[k]; st.mode == margin.Isolated && st.pos.Open() {
			s.isolatedPath(i, t, k)
		}
	}
	s.crossPath(i, t)
}

// isolatedPath runs symbol k's isolated position along bar i's path (R5).
// After a partial liquidation the rest of the path goes on testing what is
// left against its new liquidation price, so one bar may hold several
// events.
func (s *sim) isolatedPath(i int, t int64, k int) {
	st := &s.syms[k]
	p := st.pos
	lo := 0.0
	for range maxPathEvents {
		if !p.Open() {
			return
		}
		ma := st.markAdverse(i, p.Side)
		lamLiq := 2.0
		if p.Breached(ma) {
			mo, _, _, _ := st.markAt(i)
			lp, _ := s.a.LiquidationPrice(p)
			lamLiq = max(pathFraction(mo, ma, lp), lo)
		} else if s.cfg.NearMiss > 0 && lo == 0 {
			s.isolatedNearMiss(st, ma)
		}
		if st.stop > 0 {
			to, ta := st.c.Open[i], adverseOf(p.Side, st.c.High[i], st.c.Low[i])
			if reached(p.Side, ta, st.stop) && pathFraction(to, ta, st.stop) <= lamLiq {
				s.stopOut(i, t, k, margin.SettlePrice(p.Side, st.stop, to))
				return
			}
		}
		if lamLiq > 1 {
			return
		}
		mo, _, _, mc := st.markAt(i)
		lp, _ := s.a.LiquidationPrice(p)
		s.liquidateIsolated(i, t, k, margin.SettlePrice(p.Side, lp, mo), p.Breached(mc))
		lo = lamLiq
	}
}

// gaps liquidates, at the mark open of bar i, every isolated position and
// the cross account already past its trigger there (doc.go R2): before the
// bar's fills and funding.
func (s *sim) gaps(i int) {
	t := s.m.Time[i]
	for _, k := range s.openSyms() {
		st := &s.syms[k]
		p := st.pos
		if st.mode != margin.Isolated || !p.Open() {
			continue
		}
		if mo := st.markOpen(i); p.Breached(mo) {
			lp, _ := s.a.LiquidationPrice(p)
			s.liquidateIsolated(i, t, k, margin.SettlePrice(p.Side, lp, mo), p.Breached(st.markClose(i)))
		}
	}
	s.syncLegs()
	n := len(s.legs)
	if n == 0 {
		return
	}
	for j, k := range s.legs {
		s.pathAt[j] = s.syms[k].markOpen(i)
	}
	if eq, mm := s.a.CrossHealth(s.pathAt[:n]); eq <= mm {
		s.liquidateCross(i, t, s.pathAt[:n], s.crossBreachedAtClose(i))
	}
}

// liquidateIsolated liquidates symbol k's isolated position at settle and
// records it; a full liquidation blocks the symbol (R9).
func (s *sim) liquidateIsolated(i int, t int64, k int, settle float64, closeAlso bool) {
	st := &s.syms[k]
	ev, err := s.a.LiquidateIsolated(t, st.name, settle)
	if err != nil {
		panic(err) // the position is open: cannot happen
	}
	s.recordLiq(i, ev, closeAlso, &st.near)
	if !ev.Partial {
		s.block(i, k)
	}
}

// crossBreachedAtClose reports whether the cross account is past its
// trigger with every leg at its mark close of bar i (CloseAlso).
func (s *sim) crossBreachedAtClose(i int) bool {
	closeAt := s.legAdv[:len(s.legs)] // scratch: callers are done with it
	for j, k := range s.legs {
		closeAt[j] = s.syms[k].markClose(i)
	}
	eq, mm := s.a.CrossHealth(closeAt)
	return eq <= mm
}

// atClose runs bar i's checks under the close policy: stops and
// liquidations are tested at the close only and settle there.
func (s *sim) atClose(i int, t int64) {
	for k := range s.syms {
		st := &s.syms[k]
		p := st.pos
		if p == nil || !p.Open() {
			continue
		}
		tc := st.c.Close[i]
		if st.stop > 0 && reached(p.Side, tc, st.stop) {
			s.stopOut(i, t, k, tc)
			continue
		}
		if st.mode != margin.Isolated {
			continue
		}
		_, _, _, mc := st.markAt(i)
		if p.Breached(mc) {
			lp, _ := s.a.LiquidationPrice(p)
			s.liquidateIsolated(i, t, k, margin.SettlePrice(p.Side, lp, mc), true)
		} else if s.cfg.NearMiss > 0 {
			s.isolatedNearMiss(st, mc)
		}
	}
	s.syncLegs()
	if len(s.legs) == 0 {
		return
	}
	for j, k := range s.legs {
		_, _, _, s.pathAt[j] = s.syms[k].markAt(i)
	}
	eq, mm := s.a.CrossHealth(s.pathAt[:len(s.legs)])
	if eq > mm {
		s.crossNearMiss(eq, mm)
		return
	}
	s.liquidateCross(i, t, s.pathAt[:len(s.legs)], true)
}

func ratio(eq, mm float64) float64 {
	if eq <= 0 {
		return 2
	}
	return mm / eq
}

// syncLegs keeps s.legs (symbol indices) in the order of the account's
// CrossPositions, rebuilding it only when that changed.
func (s *sim) syncLegs() {
	cp := s.a.CrossPositions()
	same := len(cp) == len(s.legs)
	for j := 0; same && j < len(cp); j++ {
		same = s.syms[s.legs[j]].pos == cp[j]
	}
	if same {
		return
	}
	s.legs = s.legs[:0]
	for _, p := range cp {
		s.legs = append(s.legs, s.index[p.Symbol])
	}
	if cap(s.legOpen) < len(cp) {
		s.legOpen = make([]float64, len(cp))
		s.legAdv = make([]float64, len(cp))
		s.pathAt = make([]float64, len(cp))
	}
}

// crossPath runs the λ-sweep for the cross account in bar i: every leg
// moves from its open toward its adverse extreme by the same fraction λ.
// Equity minus maintenance, f(λ), is concave (equity is linear in λ and
// maintenance convex, piecewise linear across tiers), so f ≥ 0 at both
// ends means no liquidation inside; otherwise the first root λ* is found
// and every leg settles at its price at λ*. A stop reached at a smaller λ
// fires first and the sweep continues from there.
func (s *sim) crossPath(i int, t int64) {
	s.syncLegs()
	if len(s.legs) == 0 {
		return
	}
	n := len(s.legs)
	for j, k := range s.legs {
		s.legAdv[j] = s.syms[k].markAdverse(i, s.syms[k].pos.Side)
	}
	eq1, mm1 := s.a.CrossHealth(s.legAdv[:n])
	if eq1 > mm1 && !s.anyCrossStop(i) {
		s.crossNearMiss(eq1, mm1)
		return
	}
	// Each turn fires a stop (a leg fewer), a full liquidation (the end) or
	// a partial one (the search goes on from its λ, which only grows); the
	// bound only guards against a venue whose steps never end.
	lo := 0.0
	for range maxPathEvents {
		s.syncLegs()
		n = len(s.legs)
		if n == 0 {
			return
		}
		for j, k := range s.legs {
			o, h, l, _ := s.syms[k].markAt(i)
			s.legOpen[j], s.legAdv[j] = o, adverseOf(s.syms[k].pos.Side, h, l)
		}
		lamLiq := 2.0
		if eq, mm := s.a.CrossHealth(s.legAdv[:n]); eq <= mm {
			lamLiq = s.rootLambda(lo, n)
		}
		lamStop, kStop := 2.0, -1
		for _, k := range s.legs {
			st := &s.syms[k]
			if st.stop == 0 {
				continue
			}
			to, ta := st.c.Open[i], adverseOf(st.pos.Side, st.c.High[i], st.c.Low[i])
			if reached(st.pos.Side, ta, st.stop) {
				if l := max(pathFraction(to, ta, st.stop), lo); l < lamStop {
					lamStop, kStop = l, k
				}
			}
		}
		if kStop >= 0 && lamStop <= lamLiq {
			st := &s.syms[kStop]
			s.stopOut(i, t, kStop, margin.SettlePrice(st.pos.Side, st.stop, st.c.Open[i]))
			lo = lamStop
			continue
		}
		if lamLiq > 1 {
			return
		}
		s.pricesAt(lamLiq, n)
		s.liquidateCross(i, t, s.pathAt[:n], s.crossBreachedAtClose(i))
		lo = lamLiq
	}
}

// maxPathEvents bounds the events of one bar's path for one account.
const maxPathEvents = 1 << 12

// anyCrossStop reports whether some cross leg's stop is reached in bar i.
func (s *sim) anyCrossStop(i int) bool {
	if !s.stopsPossible {
		return false
	}
	for _, k := range s.legs {
		st := &s.syms[k]
		if st.stop > 0 && reached(st.pos.Side, adverseOf(st.pos.Side, st.c.High[i], st.c.Low[i]), st.stop) {
			return true
		}
	}
	return false
}

// pricesAt fills s.pathAt with every leg's price at λ.
func (s *sim) pricesAt(lam float64, n int) {
	for j := range n {
		s.pathAt[j] = s.legOpen[j] + lam*(s.legAdv[j]-s.legOpen[j])
	}
}

// rootLambda returns the first λ in [lo, 1] where equity ≤ maintenance,
// given that it is so at λ = 1: bisection to a bracket of 1e-15, then the
// exact root of the (linear) segment inside it.
func (s *sim) rootLambda(lo float64, n int) float64 {
	f := func(l float64) float64 {
		s.pricesAt(l, n)
		eq, mm := s.a.CrossHealth(s.pathAt[:n])
		return eq - mm
	}
	flo := f(lo)
	if flo <= 0 {
		return lo
	}
	hi, fhi := 1.0, f(1)
	for range 60 {
		if hi-lo < 1e-15 {
			break
		}
		mid := (lo + hi) / 2
		if fm := f(mid); fm > 0 {
			lo, flo = mid, fm
		} else {
			hi, fhi = mid, fm
		}
	}
	l := lo + (hi-lo)*flo/(flo-fhi)
	return min(max(l, lo), hi)
}

// liquidateCross liquidates the cross account at prices (in legs order).
func (s *sim) liquidateCross(i int, t int64, prices []float64, closeAlso bool) {
	legs := append([]int(nil), s.legs...)
	evs := s.a.LiquidateCross(t, append([]float64(nil), prices...))
	for _, ev := range evs {
		s.recordLiq(i, ev, closeAlso, &s.crossNear)
	}
	for _, k := range legs {
		if p := s.syms[k].pos; p == nil || !p.Open() {
			s.block(i, k)
		}
	}
}

// stopOut closes symbol k's position at ref (a stop fill) and keeps the
// symbol flat until the strategy's intent changes.
func (s *sim) stopOut(i int, t int64, k int, ref float64) {
	st := &s.syms[k]
	if s.fill(i, t, k, -float64(st.pos.Side)*st.pos.Qty, ref, "stop") == filled {
		s.acc.stops++
	}
	st.blocked = true
}

// block keeps a liquidated symbol flat until its intent changes and for at
// least Cooldown bars.
func (s *sim) block(i, k int) {
	st := &s.syms[k]
	st.blocked = true
	st.coolTill = i + 1 + s.cfg.Cooldown
	st.stop = 0
	if s.cfg.Cooldown > 0 && !slices.Contains(s.cooling, k) {
		s.cooling = append(s.cooling, k) // an intent change meanwhile executes when it ends
	}
}

// Near misses are episodes of a margin ratio at or above NearMiss: an
// episode starts when the ratio reaches it and ends when it falls below 90 %
// of it; one that ends in a liquidation is not a near miss (recordLiq
// takes it back).
func (s *sim) nearMiss(near *bool, reachedNear, belowReset bool) {
	switch {
	case reachedNear && !*near:
		*near = true
		s.acc.nearMisses++
	case belowReset:
		*near = false
	}
}

func (s *sim) crossNearMiss(eq, mm float64) {
	if thr := s.cfg.NearMiss; thr > 0 {
		r := ratio(eq, mm)
		s.nearMiss(&s.crossNear, r >= thr, r < 0.9*thr)
	}
}

// isolatedNearMiss tests an isolated position's margin ratio at price by
// comparing price with the cached prices where the ratio reaches NearMiss
// and 90 % of it.
func (s *sim) isolatedNearMiss(st *symState, price float64) {
	p := st.pos
	key := [3]float64{p.Margin(), p.Qty, p.Entry}
	if key != st.nearKey {
		st.nearKey = key
		st.nearPx, st.nearOK = s.ratioPrice(p, s.cfg.NearMiss)
		st.resetPx, st.resetOK = s.ratioPrice(p, 0.9*s.cfg.NearMiss)
	}
	s.nearMiss(&st.near, st.nearOK && reached(p.Side, price, st.nearPx), !st.resetOK || !reached(p.Side, price, st.resetPx))
}

// ratioPrice solves margin + uPnL(P) = MM(P)/r for P: the liquidation
// price of the position with every maintenance rate and amount divided by
// r (the margin ratio is MM/(margin + uPnL)).
func (s *sim) ratioPrice(p *margin.Position, r float64) (float64, bool) {
	s.scaled = append(s.scaled[:0], p.Brackets...)
	for k := range s.scaled {
		s.scaled[k].MMR /= r
		s.scaled[k].Cum /= r
	}
	v := s.cfg.Venue
	return v.Rule().LiquidationPrice(s.scaled, v.TakerFee/r, p.Side, p.Qty, p.Entry, p.Margin())
}

// recordLiq records a liquidation event.
func (s *sim) recordLiq(i int, ev margin.Liquidation, closeAlso bool, near *bool) {
	s.dirty = true
	if *near {
		s.acc.nearMisses--
		*near = false
	}
	s.res.Liquidations = append(s.res.Liquidations, LiquidationRecord{
		Time: ev.Time, Bar: i, Symbol: ev.Symbol, Mode: ev.Mode.String(), Side: ev.Side, Qty: ev.Qty, Entry: ev.Entry,
		LiqPrice: ev.LiqPrice, Settle: ev.Settle, MarginLost: ev.Lost, Fee: ev.Fee, Insurance: ev.Insurance,
		EquityBefore: ev.EquityBefore, EquityAfter: ev.EquityAfter, CloseAlso: closeAlso, Partial: ev.Partial,
		Position:  s.syms[s.index[ev.Symbol]].posID,
		AfterRuin: s.acc.ruinBar >= 0 && i > s.acc.ruinBar && !s.cfg.TradeAfterRuin,
	})
}
