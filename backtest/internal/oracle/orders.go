package oracle

import (
	"fmt"
	"math"

	"github.com/marginlab/marginlab/backtest"
)

// R3. Fills, in symbol order, for symbols whose intent changed (R1) or
// whose cool-down ends now (R9).
func (s *sim) fills() {
	for k := range s.m.Symbols {
		coolEndsNow := s.coolEnd[k] > 0 && s.coolEnd[k] == s.bar
		if s.changed[k] || coolEndsNow {
			s.execute(k)
		}
	}
}

// execute brings symbol k's position to its effective intent (Orders).
func (s *sim) execute(k int) {
	in := s.wanted[k]
	if s.blocked[k] || s.bar < s.coolEnd[k] {
		in = backtest.Intent{} // R9: flat while blocked or cooling down
	}
	p := s.pos[k]
	s.tracef("%s: execute %+v (wanted %+v blocked %v coolEnd %d) position %v", s.m.Symbols[k].Name, in, s.wanted[k], s.blocked[k], s.coolEnd[k], p != nil)
	if p != nil && in == p.intent {
		return
	}
	if p == nil && in.Side == 0 {
		return
	}
	L := s.cfg.Leverage
	open := s.tradePrices(k).open
	rules := s.v.OrderRulesFor(s.m.Symbols[k].Name)

	// The target size, from the equity before any of this symbol's fills.
	target := 0.0
	if in.Side != 0 {
		ref := open * (1 + float64(in.Side)*s.cfg.Slippage)
		eq := s.equity()
		if eq < 1 {
			s.nearTie(fmt.Sprintf("sized from equity %v", eq))
		}
		size := s.cfg.Sizer.Size(in, ref, eq, L)
		if !(size > 0) || math.IsInf(size, 0) {
			size = 0
		}
		target = rules.RoundQty(size)
		if !(target > 0) {
			target = 0
		}
	}

	// A position on the wrong side (or a flat target) is closed first.
	if p != nil && (target == 0 || in.Side != p.side) {
		if !s.reduce(p, p.qty, s.fillPrice(-p.side, open), "signal") {
			return // the close was a liquidation (R8); the order is void
		}
		p = nil
	}
	if target == 0 {
		return
	}

	// The remaining difference is one order.
	q := target
	if p != nil {
		switch {
		case target < p.qty: // a reduction: never refused
			if s.reduce(p, p.qty-target, s.fillPrice(-p.side, open), "signal") {
				p.intent = in
				s.setStop(p)
			}
			return
		case target == p.qty:
			return
		}
		q = target - p.qty
	}

	// The part that opens or increases a position, tested in the order
	// of the rules: ruin, min_order, leverage, margin.
	side := in.Side
	price := s.fillPrice(side, open)
	held := 0.0
	brackets := s.v.BracketsFor(s.m.Symbols[k].Name, s.barTime())
	if p != nil {
		held, brackets = p.qty, p.brackets
	}
	cost := func(q float64) float64 { return q*price/L + q*price*s.v.TakerFee }
	if math.Abs(cost(q)-s.available()) <= 1e-6 {
		s.nearTie(fmt.Sprintf("margin test: cost %v, available %v", cost(q), s.available()))
	}
	reason := ""
	switch {
	case s.ruinBar >= 0 && !s.cfg.TradeAfterRuin && s.r.broken != "no-ruin-halt":
		reason = ReasonRuin
	case !rules.Admits(q, price):
		reason = ReasonMinOrder
	case L > brackets[tier(brackets, (held+q)*price)].MaxLeverage:
		reason = ReasonLeverage
	case cost(q) > s.available()+1e-9:
		reason = ReasonMargin
	}
	if reason != "" {
		s.tracef("%s: %s refused (q %v at %v, cost %v, available %v, equity %v)", s.m.Symbols[k].Name, reason, q, price, cost(q), s.available(), s.equity())
		s.res.Rejected[reason]++
		cut := 0.0
		if reason == ReasonMargin && s.cfg.ReduceToFit {
			cut = rules.RoundQty(s.available() / (price/L + price*s.v.TakerFee) * 0.999999)
		}
		if !(cut > 0) || !rules.Admits(cut, price) {
			s.blocked[k] = true // waits for the strategy's next decision
			return
		}
		q = cut
		if s.available() < 1 {
			s.nearTie(fmt.Sprintf("cut to fit an available balance of %v", s.available()))
		}
	}
	if q*price < 1 {
		s.nearTie(fmt.Sprintf("order notional %v", q*price))
	}
	s.increase(k, p, side, q, price, in)
}

// fillPrice is the price an order of direction dir (+1 buy, −1 sell)
// fills at from reference price ref: slippage always against the trader.
func (s *sim) fillPrice(dir int, ref float64) float64 {
	if s.r.broken == "no-slippage" {
		return ref
	}
	return ref * (1 + float64(dir)*s.cfg.Slippage)
}

// increase opens (p nil) or adds to a position: q·price/L moves from the
// wallet to an isolated position's margin, the taker fee is paid from the
// wallet, and the stop is set (R7).
func (s *sim) increase(k int, p *position, side int, q, price float64, in backtest.Intent) {
	if p == nil {
		s.opened++
		p = &position{
			sym:      k,
			isolated: s.isolatedSymbol(k),
			side:     side,
			brackets: s.v.BracketsFor(s.m.Symbols[k].Name, s.barTime()),
			number:   s.opened,
			mark:     price, // the entry, until the bar's close marks it
		}
		s.pos[k] = p
	}
	fee := q * price * s.v.TakerFee
	im := q * price / s.cfg.Leverage
	p.entry = (p.qty*p.entry + q*price) / (p.qty + q)
	p.qty += q
	s.wallet -= fee
	s.fees += fee
	s.recordFill(k, float64(side)*q, price, fee, "signal")
	if p.isolated {
		s.wallet -= im
		p.margin += im
	}
	s.turnover += fee + im + q*price
	p.intent = in
	s.setStop(p)
}

// reduce closes qty of position p at price. Its PnL and the taker fee are
// booked to its margin (isolated) or the wallet (cross); a full isolated
// close returns the margin to the wallet. A reduction that would leave an
// isolated margin below zero, or a close of the last cross leg that would
// leave the wallet below zero, is instead a liquidation at price (R8,
// note 5); reduce then returns false.
func (s *sim) reduce(p *position, qty, price float64, reason string) bool {
	full := qty >= p.qty
	pnl := float64(p.side) * qty * (price - p.entry)
	fee := qty * price * s.v.TakerFee
	if s.r.broken != "no-bankrupt-close" {
		if p.isolated && p.margin+pnl-fee < 0 {
			s.res.BankruptCloses++
			s.liquidateIsolated(p, price)
			return false
		}
		if !p.isolated && full && len(s.crossLegs()) == 1 && s.wallet+pnl-fee < 0 {
			s.res.BankruptCloses++
			s.liquidateCross([]*position{p}, []float64{price})
			return false
		}
	}
	p.qty -= qty
	s.realised += pnl
	s.fees += fee
	s.recordFill(p.sym, -float64(p.side)*qty, price, fee, reason)
	s.turnover += math.Abs(pnl) + fee + qty*price
	if p.isolated {
		p.margin += pnl - fee
	} else {
		s.wallet += pnl - fee
	}
	if full {
		if p.isolated {
			s.wallet += p.margin // ≥ 0: checked above
			p.margin = 0
		}
		s.pos[p.sym] = nil
	}
	return true
}

// R7. setStop sets the stop after a successful order: from the intent's
// distance d at entry·(1 − side·d); from StopAtLiq f a fraction f of the
// way from the entry to LP, entry + f·(LP − entry), LP right after the fill
// (note 7); the one nearer the entry wins.
func (s *sim) setStop(p *position) {
	p.stop = 0
	sd := float64(p.side)
	if d := p.intent.Stop; d > 0 {
		p.stop = p.entry * (1 - sd*d)
	}
	if f := s.cfg.StopAtLiq; f > 0 {
		var lp float64
		var kind lpKind
		if p.isolated {
			lp, kind = s.isolatedLP(p)
		} else {
			lp, kind = s.crossLP(p)
		}
		if kind == lpAt {
			st := p.entry + f*(lp-p.entry)
			if p.stop == 0 || math.Abs(st-p.entry) < math.Abs(p.stop-p.entry) {
				p.stop = st
			}
		}
	}
}

// fireStop closes position p by its stop at reference price ref (then
// slippage and the taker fee, as any fill). The symbol then waits for the
// strategy's next decision (R9).
func (s *sim) fireStop(p *position, ref float64) {
	if s.reduce(p, p.qty, s.fillPrice(-p.side, ref), "stop") {
		s.res.Stops++
		s.blocked[p.sym] = true
	}
}

func (s *sim) recordFill(k int, qty, price, fee float64, reason string) {
	s.res.Fills = append(s.res.Fills, Fill{Time: s.m.Time[s.bar], Bar: s.bar, Symbol: s.m.Symbols[k].Name,
		Qty: qty, Price: price, Fee: fee, Reason: reason})
}
