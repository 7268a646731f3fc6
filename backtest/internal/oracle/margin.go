package oracle

import (
	"math"

	"github.com/marginlab/marginlab/backtest/venue"
)

// Maintenance margin, written from VENUES.md §0–§3 and the family table of
// the README ("Margin engine"):
//
//	MM(P) = Q·(rP·P + rE·EP) − cum_k
//
// in the tier k holding the notional (Q·P, or Q·EP for Bybit, which rates
// the entry), with
//
//	binance, hyperliquid, dydx_v4:  rP = MMR_k,         rE = 0
//	bybit:                          rP = 0,             rE = MMR_k
//	okx, gate:                      rP = MMR_k + taker, rE = 0

// rates returns (rP, rE) of tier b under the venue's family.
func (s *sim) rates(b venue.Bracket) (rP, rE float64) {
	switch s.v.Family {
	case venue.Bybit:
		return 0, b.MMR
	case venue.OKX, venue.Gate:
		return b.MMR + s.v.TakerFee, 0
	default: // binance, hyperliquid, dydx_v4
		return b.MMR, 0
	}
}

// tier returns the index of the tier holding notional: tier k holds
// [Floor_k, Floor_{k+1}); below the first floor is the first tier, above the
// last floor the last.
func tier(br venue.Brackets, notional float64) int {
	k := 0
	for j := range br {
		if notional >= br[j].Floor {
			k = j
		}
	}
	return k
}

// tierNotional is the notional that picks a position's tier at price.
func (s *sim) tierNotional(p *position, qty, price float64) float64 {
	if s.v.Family == venue.Bybit {
		return qty * p.entry
	}
	return qty * price
}

// maintenance is MM of qty of position p at price.
func (s *sim) maintenance(p *position, qty, price float64) float64 {
	br := p.brackets
	n := s.tierNotional(p, qty, price)
	if s.r.broken == "tier-by-entry" {
		n = qty * p.entry
	}
	b := br[tier(br, n)]
	rP, rE := s.rates(b)
	return qty*(rP*price+rE*p.entry) - b.Cum
}

// health is collateral + uPnL(price) − MM(price): the position is past its
// trigger when it is ≤ 0. For an isolated position the collateral is its
// margin; for a cross leg, the wallet plus the other legs' uPnL − MM.
func (s *sim) health(p *position, collateral, price float64) float64 {
	return collateral + upnl(p, price) - s.maintenance(p, p.qty, price)
}

// Liquidation price kinds.
type lpKind int

const (
	lpAt     lpKind = iota // liquidated when the mark reaches the price
	lpNever                // a long whose collateral covers a fall to zero
	lpAlways               // a short without a positive LP, or a long whose LP exceeds 1e15: past its trigger at any price
)

// liqPrice solves health(p, collateral, P) = 0 for P. Health is monotone in
// P (rising for a long, falling for a short, since every rate is below 1)
// and continuous across tiers (the cum recursion), so there is one root.
// Each tier's line gives a closed form,
//
//	P_k = (Q·EP·(s + rE) − cum_k − collateral) / (Q·(s − rP)),
//
// and the root is the P_k whose notional lies in tier k. Bisection on the
// health function stands in if rounding puts every P_k just outside its
// tier.
func (s *sim) liqPrice(p *position, collateral float64) (float64, lpKind) {
	root, found := s.closedFormLP(p, collateral)
	if !found {
		root = s.bisectLP(p, collateral)
	}
	switch {
	case p.side > 0 && !(root > 0):
		return 0, lpNever
	case p.side > 0 && root > 1e15, p.side < 0 && !(root > 0):
		return 0, lpAlways
	}
	return root, lpAt
}

// closedFormLP is the root of the health function from the tier whose
// closed form lies in that tier; found is false when rounding puts every
// solution just outside its tier.
func (s *sim) closedFormLP(p *position, collateral float64) (root float64, found bool) {
	sd := float64(p.side)
	for k, b := range p.brackets {
		rP, rE := s.rates(b)
		pk := (p.qty*p.entry*(sd+rE) - b.Cum - collateral) / (p.qty * (sd - rP))
		if tier(p.brackets, s.tierNotional(p, p.qty, pk)) == k {
			return pk, true
		}
	}
	return 0, false
}

// bisectLP finds the root of the health function by bisection, to
// adjacent floats, over prices from −1e18 to 1e18.
func (s *sim) bisectLP(p *position, collateral float64) float64 {
	lo, hi := -1e18, 1e18
	sign := func(x float64) bool { return s.health(p, collateral, x) > 0 }
	slo := sign(lo)
	if slo == sign(hi) {
		return math.NaN()
	}
	for range 400 {
		mid := lo + (hi-lo)/2
		if mid == lo || mid == hi {
			break
		}
		if sign(mid) == slo {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo + (hi-lo)/2
}

// isolatedLP is an isolated position's liquidation price.
func (s *sim) isolatedLP(p *position) (float64, lpKind) { return s.liqPrice(p, p.margin) }

// crossLegs returns the open cross positions in symbol order.
func (s *sim) crossLegs() []*position {
	var legs []*position
	for _, p := range s.pos {
		if p != nil && !p.isolated {
			legs = append(legs, p)
		}
	}
	return legs
}

// crossHealth is wallet + Σ uPnL − Σ MM of legs at prices[j]: the account
// is past its trigger when it is ≤ 0.
func (s *sim) crossHealth(legs []*position, prices []float64) float64 {
	h := s.wallet
	for j, p := range legs {
		h += upnl(p, prices[j]) - s.maintenance(p, p.qty, prices[j])
	}
	return h
}

// crossLP is cross leg p's liquidation price holding the wallet and every
// other leg at its last mark (note 6).
func (s *sim) crossLP(p *position) (float64, lpKind) {
	collateral := s.wallet
	for _, o := range s.crossLegs() {
		if o != p {
			collateral += upnl(o, o.mark) - s.maintenance(o, o.qty, o.mark)
		}
	}
	return s.liqPrice(p, collateral)
}
