package margin

import (
	"math"

	"github.com/marginlab/marginlab/backtest/ledger"
	"github.com/marginlab/marginlab/backtest/venue"
)

// Liquidation records one position's liquidation.
type Liquidation struct {
	Time     int64
	Symbol   string
	Mode     Mode
	Side     int
	Qty      float64 // size closed
	Entry    float64
	LiqPrice float64 // the position's liquidation price before settlement (NaN when it had none)
	Settle   float64 // settlement price
	// Lost is what the trader lost through this position: an isolated
	// position's margin not returned to the wallet (0 when funding had
	// already driven it below zero), or a cross position's share of the
	// account's drop in equity.
	Lost      float64
	Fee       float64 // liquidation fee
	Insurance float64 // net flow into the insurance fund (fee + remainder − shortfall)
	// EquityBefore and EquityAfter are the account's equity at the
	// settlement prices just before and after the liquidation.
	EquityBefore, EquityAfter float64
	Partial                   bool // the position was only reduced
}

// LiquidationPrice returns an isolated position's cached liquidation price,
// or solves a cross position's holding the other cross positions at their
// marks. ok is false when no positive price liquidates. An isolated
// position past its trigger at every price (margin drained by funding) has
// the trigger +Inf (a long) or 0 (a short), which every price reaches.
func (a *Account) LiquidationPrice(p *Position) (float64, bool) {
	if !p.Open() {
		return 0, false
	}
	if p.Mode == Isolated {
		return p.liq, p.hasLiq
	}
	return a.rule.LiquidationPrice(p.Brackets, a.Venue.TakerFee, p.Side, p.Qty, p.Entry, a.crossCollateral(p))
}

// BankruptcyPrice returns where the position's collateral is used up.
func (a *Account) BankruptcyPrice(p *Position) (float64, bool) {
	if !p.Open() {
		return 0, false
	}
	c := p.collateral
	if p.Mode == Cross {
		c = a.crossBankruptCollateral(p)
	}
	return venue.BankruptcyPrice(p.Side, p.Qty, p.Entry, c)
}

// crossCollateral is W − ΣMM(others) + ΣuPnL(others), others at their marks.
func (a *Account) crossCollateral(p *Position) float64 {
	c := a.walletF
	for _, q := range a.cross {
		if q != p {
			m := q.markOf()
			c += q.UPnL(m) - a.rule.Maintenance(q.Brackets, a.Venue.TakerFee, q.Qty, q.Entry, m)
		}
	}
	return c
}

// crossBankruptCollateral is W + ΣuPnL(others): equity zero at bankruptcy.
func (a *Account) crossBankruptCollateral(p *Position) float64 {
	c := a.walletF
	for _, q := range a.cross {
		if q != p {
			c += q.UPnL(q.markOf())
		}
	}
	return c
}

// Breached reports whether price reaches an isolated position's liquidation
// price (low ≤ LP for a long, high ≥ LP for a short). It is the per-bar hot
// path: one comparison against the cached price.
func (p *Position) Breached(price float64) bool {
	if !p.hasLiq {
		return false
	}
	if p.Side > 0 {
		return price <= p.liq
	}
	return price >= p.liq
}

// Isolated returns whether isolated position p is liquidatable at price by
// the definition margin + uPnL ≤ MM (Breached is its fast equivalent).
func (a *Account) IsolatedLiquidatable(p *Position, price float64) bool {
	return p.Open() && p.collateral+p.UPnL(price) <= a.rule.Maintenance(p.Brackets, a.Venue.TakerFee, p.Qty, p.Entry, price)
}

// CrossPositions returns the open cross positions, in a fixed order that
// CrossHealth's prices follow. The slice changes with every operation.
func (a *Account) CrossPositions() []*Position { return a.cross }

// CrossHealth returns the cross account's equity (wallet + Σ uPnL) and
// maintenance margin (Σ MM) with position i of CrossPositions at prices[i].
// It allocates nothing and caches each position's tier.
func (a *Account) CrossHealth(prices []float64) (equity, mm float64) {
	equity = a.walletF
	fee := a.Venue.TakerFee
	for i, p := range a.cross {
		price := prices[i]
		equity += float64(p.Side) * p.Qty * (price - p.Entry)
		mm += a.MaintenanceCached(p, fee, price)
	}
	return equity, mm
}

// MaintenanceCached is CrossHealth's per-position term: Rule.Maintenance
// with the tier index cached on the position (the notional moves between
// tiers rarely). fee is the venue's taker fee rate.
func (a *Account) MaintenanceCached(p *Position, fee, price float64) float64 {
	n := p.Qty * price
	if !a.rule.OnMark {
		n = p.Qty * p.Entry
	}
	br := p.Brackets
	k := p.tier
	if k >= len(br) || n < br[k].Floor || (n >= br[k].Cap && k < len(br)-1) {
		k = br.Index(n)
		p.tier = k
	}
	b := br[k]
	if !a.rule.OnMark {
		return p.Qty*b.MMR*p.Entry - b.Cum
	}
	r := b.MMR
	if a.rule.FeeInRate {
		r += fee
	}
	return p.Qty*r*price - b.Cum
}

// settleEquity is the account equity with the given positions at settle.
func (a *Account) settleEquity(settle map[*Position]float64) float64 {
	e := a.walletF
	for _, p := range a.positions {
		if p.Mode == Isolated {
			e += p.collateral
		}
		if p.Open() {
			price, ok := settle[p]
			if !ok {
				price = p.markOf()
			}
			e += p.UPnL(price)
		}
	}
	return e
}

// LiquidateIsolated liquidates an isolated position at settle (its
// liquidation price, or the bar's open when the price gapped past it). The
// wallet and every other position are untouched.
func (a *Account) LiquidateIsolated(t int64, symbol string, settle float64) (Liquidation, error) {
	p, err := a.isolated(symbol)
	if err != nil {
		return Liquidation{}, err
	}
	ev := Liquidation{Time: t, Symbol: symbol, Mode: Isolated, Side: p.Side, Entry: p.Entry, Settle: settle, LiqPrice: math.NaN()}
	if lp, ok := a.LiquidationPrice(p); ok && lp > 0 && !math.IsInf(lp, 0) { // not the "any price" trigger (refresh)
		ev.LiqPrice = lp
	}
	ev.EquityBefore = a.settleEquity(map[*Position]float64{p: settle})
	marginBefore := p.collateral
	insBefore := a.J.BalanceFloat(a.insurance)
	walletBefore := a.walletF
	q0 := p.Qty
	for p.Open() {
		q := a.Venue.Partial.StepQty(p.Qty, q0, settle)
		a.closeStep(t, p, q, settle)
		ev.Fee += a.liquidationFee(t, p.margin, q, settle)
		ev.Qty += q
		a.refresh(p)
		if p.Open() && !a.IsolatedLiquidatable(p, settle) {
			ev.Partial = true
			break
		}
	}
	if !p.Open() {
		a.coverShortfall(t, p.margin)
		a.remainder(t, p.margin, math.Inf(1))
		a.refresh(p)
	}
	ev.Lost = max(0, marginBefore-p.collateral-(a.walletF-walletBefore))
	ev.Insurance = a.J.BalanceFloat(a.insurance) - insBefore
	ev.EquityAfter = a.settleEquity(map[*Position]float64{p: settle})
	return ev, nil
}

// closeStep closes q of p at settle, booking the PnL to the position's
// account (isolated margin or wallet).
func (a *Account) closeStep(t int64, p *Position, q, settle float64) {
	book := a.wallet
	if p.Mode == Isolated {
		book = p.margin
	}
	a.J.Move(t, a.market, book, float64(p.Side)*q*(settle-p.Entry), ledger.PnL)
	before := p.Qty
	p.Qty -= q
	if p.Qty <= before*1e-12 {
		p.Side, p.Qty, p.Entry = 0, 0, 0
	}
}

// liquidationFee charges the venue's liquidation fee on q closed at settle
// from book to the insurance fund, taking only what is left there; it
// returns the fee charged.
func (a *Account) liquidationFee(t int64, book ledger.Account, q, settle float64) float64 {
	fee := q * settle * a.Venue.LiquidationFee
	if left := a.J.BalanceFloat(book); fee > left {
		fee = max(0, left)
	}
	a.J.Move(t, book, a.insurance, fee, ledger.LiquidationFee)
	return fee
}

// remainder sends up to limit of what is left in acct after a liquidation
// to the insurance fund (venue rule) or, for an isolated margin, back to
// the wallet.
func (a *Account) remainder(t int64, acct ledger.Account, limit float64) {
	if a.J.Sign(acct) <= 0 {
		return
	}
	switch {
	case a.Venue.Remainder == venue.ToInsurance:
		if left := a.J.BalanceFloat(acct); !math.IsInf(limit, 1) && left > limit {
			a.J.Move(t, acct, a.insurance, limit, ledger.Remainder)
		} else {
			a.J.Sweep(t, acct, a.insurance, ledger.Remainder)
		}
	case acct != a.wallet:
		a.J.Sweep(t, acct, a.wallet, ledger.Margin)
	}
}

// LiquidateCross liquidates the cross account: every cross position closes
// at settle[i] (prices in CrossPositions order), or with partial
// liquidation enabled, all are reduced in steps until the account is
// healthy. Isolated positions are untouched. When the venue keeps the
// remainder, the insurance fund takes up to the liquidated positions'
// maintenance margin from what is left of the wallet.
func (a *Account) LiquidateCross(t int64, settle []float64) []Liquidation {
	ps := append([]*Position(nil), a.cross...)
	prices := make(map[*Position]float64, len(ps))
	evs := make([]Liquidation, len(ps))
	mm := make([]float64, len(ps))
	totalMM := 0.0
	for i, p := range ps {
		prices[p] = settle[i]
		mm[i] = a.rule.Maintenance(p.Brackets, a.Venue.TakerFee, p.Qty, p.Entry, settle[i])
		totalMM += mm[i]
		evs[i] = Liquidation{Time: t, Symbol: p.Symbol, Mode: Cross, Side: p.Side, Entry: p.Entry, Settle: settle[i], LiqPrice: math.NaN()}
		if lp, ok := a.LiquidationPrice(p); ok {
			evs[i].LiqPrice = lp
		}
	}
	before := a.settleEquity(prices)
	insBefore := a.J.BalanceFloat(a.insurance)
	q0 := make([]float64, len(ps))
	for i, p := range ps {
		q0[i] = p.Qty
	}
	step := make([]float64, len(ps))
	for {
		// Every leg's PnL first, then the fees from what is left: the legs
		// settle together, so one leg's loss is not covered by the fund
		// before another leg's profit is booked.
		for i, p := range ps {
			step[i] = 0
			if p.Open() {
				step[i] = a.Venue.Partial.StepQty(p.Qty, q0[i], settle[i])
				a.closeStep(t, p, step[i], settle[i])
				evs[i].Qty += step[i]
			}
		}
		// The legs' fees come from what is left of the wallet; when it
		// cannot pay them all, each leg pays the same share of its fee.
		total := 0.0
		for i := range ps {
			total += step[i] * settle[i] * a.Venue.LiquidationFee
		}
		scale := 1.0
		if left := a.J.BalanceFloat(a.wallet); total > left {
			scale = max(0, left) / total
		}
		for i := range ps {
			if fee := step[i] * settle[i] * a.Venue.LiquidationFee * scale; fee > 0 {
				a.J.Move(t, a.wallet, a.insurance, fee, ledger.LiquidationFee)
				evs[i].Fee += fee
			}
		}
		a.refreshAll()
		if len(a.cross) == 0 {
			break
		}
		cur := make([]float64, len(a.cross))
		for i, p := range a.cross {
			cur[i] = prices[p]
		}
		if eq, m := a.CrossHealth(cur); eq > m {
			for i := range evs {
				evs[i].Partial = ps[i].Open()
			}
			break
		}
	}
	if len(a.cross) == 0 {
		a.coverShortfall(t, a.wallet)
		a.remainder(t, a.wallet, totalMM)
		a.refreshAll()
	}
	after := a.settleEquity(prices)
	ins := a.J.BalanceFloat(a.insurance) - insBefore
	for i := range evs {
		share := 1 / float64(len(evs))
		if totalMM > 0 {
			share = mm[i] / totalMM
		}
		evs[i].Lost = (before - after) * share
		evs[i].Insurance = ins * share
		evs[i].EquityBefore, evs[i].EquityAfter = before, after
	}
	return evs
}

// refreshAll refreshes every position's mirrors.
func (a *Account) refreshAll() {
	for _, p := range a.positions {
		a.refresh(p)
	}
}

// SettlePrice is where a liquidation triggered in a bar settles: at the
// liquidation price lp, or at the bar's open when the bar opened already
// past it (a gap), which is worse for the trader.
func SettlePrice(side int, lp, open float64) float64 {
	if side > 0 {
		return min(lp, open)
	}
	return max(lp, open)
}

// Maintenance returns p's maintenance margin at price under the venue rule.
func (a *Account) Maintenance(p *Position, price float64) float64 {
	if !p.Open() {
		return 0
	}
	return a.rule.Maintenance(p.Brackets, a.Venue.TakerFee, p.Qty, p.Entry, price)
}

// MarginRatio is maintenance margin over margin balance (isolated: margin +
// uPnL at price): 1 (100 %) at liquidation, +Inf when the balance is gone.
func (a *Account) MarginRatio(p *Position, price float64) float64 {
	bal := p.collateral + p.UPnL(price)
	if bal <= 0 {
		return math.Inf(1)
	}
	return a.Maintenance(p, price) / bal
}
