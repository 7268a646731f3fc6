package oracle

import (
	"fmt"
	"math"

	"github.com/marginlab/marginlab/backtest/venue"
)

// R2. Gaps: a position already past its trigger at the mark open is
// liquidated at the mark open before any fill: each isolated position in
// symbol order, then the cross account with every leg at its mark open.
func (s *sim) gaps() {
	if s.r.broken == "no-gaps" {
		return
	}
	for k, p := range s.pos {
		if p == nil || !p.isolated {
			continue
		}
		mo := s.markPrices(k).open
		if s.health(p, p.margin, mo) <= 0 {
			s.res.Gaps++
			s.liquidateIsolated(p, mo)
		}
	}
	legs := s.crossLegs()
	if len(legs) == 0 {
		return
	}
	prices := make([]float64, len(legs))
	for j, p := range legs {
		prices[j] = s.markPrices(p.sym).open
	}
	if s.crossHealth(legs, prices) <= 0 {
		s.res.Gaps++
		s.liquidateCross(legs, prices)
	}
}

// R5, Adverse. Each isolated position in symbol order: its stop (on the
// trade path) and its liquidation (on the mark path), whichever the path
// from the open toward the adverse extreme reaches first; then the cross
// account's λ-sweep.
func (s *sim) intrabarAdverse() {
	for k := range s.pos {
		// After a partial liquidation the path goes on from its λ, testing
		// what is left against its new LP (and its stop).
		for lo := 0.0; s.pos[k] != nil && s.pos[k].isolated; {
			p := s.pos[k]
			tr, mk := s.tradePrices(k), s.markPrices(k)
			stopHit, lStop := s.stopOnPath(p)
			liqHit, lLiq, settle := false, 0.0, mk.open
			switch lp, kind := s.isolatedLP(p); kind {
			case lpAlways:
				liqHit, lLiq = true, lo // settles at the mark open
			case lpAt:
				if ma := mk.adverse(p.side); reached(p.side, ma, lp) {
					liqHit, lLiq = true, max(lo, lambda(mk.open, lp, ma))
					settle = worse(p.side, lp, mk.open)
				}
			}
			switch {
			case stopHit && (!liqHit || lStop <= lLiq):
				s.fireStop(p, worse(p.side, p.stop, tr.open))
				lo = 2
			case liqHit:
				if !s.liquidateIsolated(p, settle) {
					lo = 2
				}
				lo = max(lo, lLiq)
			default:
				lo = 2
			}
			if lo > 1 {
				break
			}
		}
	}
	s.crossSweep()
}

// crossSweep moves every cross leg from its mark open toward its mark
// adverse extreme by a common λ ∈ [0, 1]. λ* is the first λ ≥ λ0 where
// wallet + Σ uPnL ≤ Σ MM. A leg's stop reached on the trade path at
// λ_stop ≤ λ* fires first (the earliest; on a tie, the leg opened first),
// λ0 moves to it and the search repeats; otherwise, if λ* ≤ 1, every leg is
// liquidated at its price at λ*.
func (s *sim) crossSweep() {
	lambda0 := 0.0
	fired := map[*position]bool{} // a leg's stop fires at most once a bar (note 12)
	for {
		legs := s.crossLegs()
		if len(legs) == 0 {
			return
		}
		at := func(l float64) []float64 {
			prices := make([]float64, len(legs))
			for j, p := range legs {
				mk := s.markPrices(p.sym)
				mo, ma := mk.open, mk.adverse(p.side)
				prices[j] = mo + l*(ma-mo)
			}
			return prices
		}
		lstar, found := firstAtOrBelowZero(func(l float64) float64 { return s.crossHealth(legs, at(l)) }, lambda0)

		var first *position
		lFirst := 0.0
		for _, p := range legs {
			if fired[p] {
				continue
			}
			if hit, l := s.stopOnPath(p); hit && (first == nil || l < lFirst || (l == lFirst && p.number < first.number)) {
				first, lFirst = p, l
			}
		}
		if first != nil && (!found || lFirst <= lstar) {
			fired[first] = true
			s.fireStop(first, worse(first.side, first.stop, s.tradePrices(first.sym).open))
			lambda0 = max(lambda0, lFirst)
			continue
		}
		if !found || !s.liquidateCross(legs, at(lstar)) {
			return
		}
		lambda0 = lstar // a partial liquidation: the path goes on
	}
}

// firstAtOrBelowZero returns the first λ in [lo, 1] with f(λ) ≤ 0 for a
// falling f, by bisection to adjacent floats; found is false when f(1) > 0.
func firstAtOrBelowZero(f func(float64) float64, lo float64) (lambda float64, found bool) {
	if f(lo) <= 0 {
		return lo, true
	}
	hi := 1.0
	if lo >= hi || f(hi) > 0 {
		return 0, false
	}
	for {
		mid := lo + (hi-lo)/2
		if mid <= lo || mid >= hi {
			return hi, true
		}
		if f(mid) <= 0 {
			hi = mid
		} else {
			lo = mid
		}
	}
}

// R5, AtClose. Each open position in symbol order: its stop, if the trade
// close reaches it, fires at the trade close; else an isolated position
// whose mark close reaches its LP is liquidated there. Then the cross
// account, tested and liquidated at the mark closes.
func (s *sim) intrabarAtClose() {
	for k := range s.pos {
		p := s.pos[k]
		if p == nil {
			continue
		}
		tr, mk := s.tradePrices(k), s.markPrices(k)
		if p.stop > 0 && reached(p.side, tr.close, p.stop) {
			s.fireStop(p, tr.close)
			continue
		}
		if !p.isolated {
			continue
		}
		switch lp, kind := s.isolatedLP(p); kind {
		case lpAlways:
			s.liquidateIsolated(p, mk.close)
		case lpAt:
			if reached(p.side, mk.close, lp) {
				s.liquidateIsolated(p, worse(p.side, lp, mk.close))
			}
		}
	}
	legs := s.crossLegs()
	if len(legs) == 0 {
		return
	}
	prices := make([]float64, len(legs))
	for j, p := range legs {
		prices[j] = s.markPrices(p.sym).close
	}
	if s.crossHealth(legs, prices) <= 0 {
		s.liquidateCross(legs, prices)
	}
}

// stopOnPath says whether p's stop is reached on the trade path from the
// open to the adverse extreme, and at which λ = (open − S)/(open − extreme)
// clamped to [0, 1].
func (s *sim) stopOnPath(p *position) (bool, float64) {
	if p.stop <= 0 {
		return false, 0
	}
	tr := s.tradePrices(p.sym)
	ta := tr.adverse(p.side)
	if !reached(p.side, ta, p.stop) {
		return false, 0
	}
	return true, lambda(tr.open, p.stop, ta)
}

// reached says whether price x has reached level for a position of side:
// x ≤ level for a long, x ≥ level for a short.
func reached(side int, x, level float64) bool {
	if side > 0 {
		return x <= level
	}
	return x >= level
}

// worse is the price worse for a position of side: the lower for a long,
// the higher for a short.
func worse(side int, a, b float64) float64 {
	if side > 0 {
		return min(a, b)
	}
	return max(a, b)
}

// lambda is where level lies on the path from open to extreme, clamped to
// [0, 1]; 0 when the path has no length.
func lambda(open, level, extreme float64) float64 {
	if open == extreme {
		return 0
	}
	return min(1, max(0, (open-level)/(open-extreme)))
}

// R8. Settlement of an isolated position at price: PnL to its margin, the
// liquidation fee from what is left to the insurance fund; with partial
// liquidation, in steps of Step × its size until it is healthy at price.
// A full liquidation has the fund cover a negative margin, sends what is
// left to the fund or the wallet (Remainder) and blocks the symbol (R9).
// Notes 8 and 9.
func (s *sim) liquidateIsolated(p *position, price float64) (partial bool) {
	q0, steps := p.qty, s.liquidationSteps()
	closed, fees := 0.0, 0.0
	for j := 1; ; j++ {
		q := s.stepQty(p.qty, q0, price)
		if j >= steps {
			q = p.qty
		}
		pnl := float64(p.side) * q * (price - p.entry)
		p.margin += pnl
		p.qty -= q
		closed += q
		s.realised += pnl
		fee := min(q*price*s.v.LiquidationFee, max(0, p.margin))
		if s.r.broken == "fee-uncapped" {
			fee = q * price * s.v.LiquidationFee
		}
		p.margin -= fee
		fees += fee
		s.insurance += fee
		s.liqFees += fee
		s.turnover += math.Abs(pnl) + fee + q*price
		if j >= steps || p.qty <= 0 {
			break
		}
		h := s.health(p, p.margin, price)
		if math.Abs(h) < 1e-8*(1+p.qty*price) {
			// After a step that the fee cap left at zero margin, the rest
			// sits exactly at its trigger: float rounding decides.
			s.nearTie(fmt.Sprintf("partial step leaves health %v", h))
		}
		if h > 0 {
			partial = true
			break
		}
	}
	if !partial {
		s.insurance += min(0, p.margin) // the fund covers a shortfall
		p.margin = max(0, p.margin)
		if s.v.Remainder == venue.ToTrader && s.r.broken != "remainder-ignored" {
			s.wallet += p.margin
		} else {
			s.insurance += p.margin
		}
		s.turnover += p.margin
		p.margin = 0
		s.flat(p)
	}
	s.record(p, closed, price, fees, partial)
	return partial
}

// R8. Settlement of the cross account: every leg closes at its price, PnL
// to the wallet, the liquidation fees from what is left of the wallet to
// the insurance fund; with partial liquidation every leg is reduced by
// Step × its size per step until the account is healthy at the prices. A
// full liquidation has the fund cover a negative wallet and, when the venue
// keeps the remainder, take up to the legs' Σ MM (at the prices, before the
// first step) from the wallet. Notes 8 and 9.
func (s *sim) liquidateCross(legs []*position, prices []float64) (partial bool) {
	q0 := make([]float64, len(legs))
	closed := make([]float64, len(legs))
	fees := make([]float64, len(legs))
	mm := 0.0
	for j, p := range legs {
		q0[j] = p.qty
		mm += s.maintenance(p, p.qty, prices[j])
	}
	steps := s.liquidationSteps()
	for n := 1; ; n++ {
		qs := make([]float64, len(legs))
		for j, p := range legs {
			q := s.stepQty(p.qty, q0[j], prices[j])
			if n >= steps {
				q = p.qty
			}
			pnl := float64(p.side) * q * (prices[j] - p.entry)
			s.wallet += pnl
			s.realised += pnl
			p.qty -= q
			closed[j] += q
			qs[j] = q
			s.turnover += math.Abs(pnl) + q*prices[j]
		}
		// The legs' fees from what is left of the wallet, each the same
		// share of its fee when the wallet cannot pay them all.
		total := 0.0
		for j := range legs {
			total += qs[j] * prices[j] * s.v.LiquidationFee
		}
		share := 1.0
		if total > 0 && total > s.wallet && s.r.broken != "fee-uncapped" {
			share = max(0, s.wallet) / total
		}
		for j := range legs {
			fee := qs[j] * prices[j] * s.v.LiquidationFee * share
			fees[j] += fee
			s.wallet -= fee
			s.insurance += fee
			s.liqFees += fee
		}
		if n >= steps || allClosed(legs) {
			break
		}
		h := s.crossHealth(legs, prices)
		if math.Abs(h) < 1e-8*(1+s.grossNotional(legs, prices)) {
			s.nearTie(fmt.Sprintf("partial cross step leaves health %v", h))
		}
		if h > 0 {
			partial = true
			break
		}
	}
	if !partial {
		s.insurance += min(0, s.wallet)
		s.wallet = max(0, s.wallet)
		if s.v.Remainder != venue.ToTrader {
			take := min(mm, s.wallet)
			s.wallet -= take
			s.insurance += take
		}
	}
	// A leg closed whole is liquidated in full, even when the others are
	// only reduced (below Partial.MinNotional a leg closes in one step).
	for j, p := range legs {
		legPartial := partial && p.qty > 0
		s.record(p, closed[j], prices[j], fees[j], legPartial)
		if !legPartial {
			s.flat(p)
		}
	}
	return partial
}

// grossNotional is Σ Q·price over the legs.
func (s *sim) grossNotional(legs []*position, prices []float64) float64 {
	n := 0.0
	for j, p := range legs {
		n += p.qty * prices[j]
	}
	return n
}

// allClosed reports whether every leg has been closed.
func allClosed(legs []*position) bool {
	for _, p := range legs {
		if p.qty > 0 {
			return false
		}
	}
	return true
}

// stepQty is what one liquidation step closes of a position of size qty
// (size q0 when the liquidation began) at price: Step × q0, or all of it
// when the venue liquidates whole, or when its notional is below the size
// the venue reduces in steps (Partial.MinNotional).
func (s *sim) stepQty(qty, q0, price float64) float64 {
	if !s.v.Partial.Enabled || s.r.broken == "no-partial" || qty*price < s.v.Partial.MinNotional {
		return qty
	}
	return min(qty, s.v.Partial.Step*q0)
}

// liquidationSteps is how many steps close a position: 1 without partial
// liquidation, else ⌈1/Step⌉.
func (s *sim) liquidationSteps() int {
	if !s.v.Partial.Enabled || !(s.v.Partial.Step > 0) || s.v.Partial.Step >= 1 || s.r.broken == "no-partial" {
		return 1
	}
	return int(math.Ceil(1/s.v.Partial.Step - 1e-9))
}

// flat removes a fully liquidated position. R9: the symbol stays flat
// until the strategy decides a new intent at or after this bar, and for
// at least Cooldown bars.
func (s *sim) flat(p *position) {
	s.pos[p.sym] = nil
	s.blocked[p.sym] = true
	s.coolEnd[p.sym] = s.bar + 1 + s.cfg.Cooldown
	if s.r.broken == "cooldown-short" {
		s.coolEnd[p.sym] = s.bar + s.cfg.Cooldown
	}
}

func (s *sim) record(p *position, qty, price, fee float64, partial bool) {
	s.tracef("%s: liquidated %v at %v partial %v", s.m.Symbols[p.sym].Name, qty, price, partial)
	s.res.Liquidations = append(s.res.Liquidations, Liq{
		Time: s.m.Time[s.bar], Bar: s.bar, Symbol: s.m.Symbols[p.sym].Name, Mode: s.modeName(p),
		Side: p.side, Qty: qty, Price: price, Fee: fee, Partial: partial, Position: p.number,
		AfterRuin: !s.cfg.TradeAfterRuin && s.ruinBar >= 0 && s.bar > s.ruinBar,
	})
}
