package margin

import (
	"fmt"
	"math"

	"github.com/marginlab/marginlab/backtest/ledger"
)

// Order is a fill request in one-way mode: Qty > 0 buys, < 0 sells. An order
// against an open position reduces it, closes it, or flips it (closes, then
// opens the rest the other way).
type Order struct {
	Symbol   string
	Mode     Mode
	Qty      float64 // signed, base units
	Price    float64 // fill price, slippage included
	Leverage float64 // for a new position; an open position keeps its own
	Maker    bool    // maker fee instead of taker
}

// Fill is what an executed order did.
type Fill struct {
	Symbol      string
	Mode        Mode
	Qty         float64 // signed
	Price       float64
	Fee         float64
	RealizedPnL float64 // of the reduced part
}

// Fill executes an order at its price. It rejects, changing nothing, an
// order whose margin and fee the available balance cannot cover
// (ErrInsufficientMargin), a leverage above the tier's maximum
// (ErrLeverage), and a reduction past bankruptcy (ErrBankrupt: see
// bankrupt), which the caller settles as a liquidation instead.
func (a *Account) Fill(t int64, o Order) (Fill, error) {
	if !(o.Price > 0) || math.IsInf(o.Price, 0) || o.Qty == 0 || math.IsNaN(o.Qty) || math.IsInf(o.Qty, 0) {
		return Fill{}, fmt.Errorf("%w: %s qty %v at %v", ErrBadOrder, o.Symbol, o.Qty, o.Price)
	}
	p := a.slot(t, o.Symbol, o.Mode)
	side := 1
	if o.Qty < 0 {
		side = -1
	}
	q := math.Abs(o.Qty)
	rate := a.Venue.TakerFee
	if o.Maker {
		rate = a.Venue.MakerFee
	}
	f := Fill{Symbol: o.Symbol, Mode: o.Mode, Qty: o.Qty, Price: o.Price}

	reduce := 0.0
	if p.Open() && p.Side != side {
		reduce = min(q, p.Qty)
	}
	add := q - reduce
	if add > 0 {
		// Check the opening part before changing anything.
		lev := p.Leverage
		if !p.Open() || reduce == p.Qty {
			lev = o.Leverage
		}
		if !(lev >= 1) || math.IsInf(lev, 0) {
			return Fill{}, fmt.Errorf("%w: %s leverage %v must be at least 1", ErrLeverage, o.Symbol, lev)
		}
		newQty := add
		if p.Open() && p.Side == side {
			newQty += p.Qty
		}
		br := p.Brackets
		if !p.Open() || reduce == p.Qty {
			br = a.bracketsAt(o.Symbol, t) // the table a new position gets (increase)
		}
		if ml := maxLeverage(br, newQty*o.Price); lev > ml {
			return Fill{}, fmt.Errorf("%w: %s leverage %v above the tier maximum %v for notional %.2f", ErrLeverage, o.Symbol, lev, ml, newQty*o.Price)
		}
		need := add*o.Price/lev + add*o.Price*rate
		avail := a.Available()
		if reduce > 0 && p.Mode == Isolated {
			// A flip's close returns this position's margin first.
			avail += p.collateral + p.UPnL(o.Price) - reduce*o.Price*rate
		} else if reduce > 0 {
			avail += p.UPnL(o.Price)*reduce/p.Qty + reduce*o.Price/p.Leverage - reduce*o.Price*rate
		}
		if need > avail+1e-9 {
			return Fill{}, fmt.Errorf("%w: %s needs %.4f (margin + fee), %.4f available", ErrInsufficientMargin, o.Symbol, need, avail)
		}
	}
	if reduce > 0 && a.bankrupt(p, reduce, o.Price, rate) {
		return Fill{}, fmt.Errorf("%w: %s closing %v at %v would leave its collateral below zero", ErrBankrupt, o.Symbol, reduce, o.Price)
	}
	if reduce > 0 {
		pnl, fee := a.reduce(t, p, reduce, o.Price, rate)
		f.RealizedPnL += pnl
		f.Fee += fee
	}
	if add > 0 {
		f.Fee += a.increase(t, p, side, add, o.Price, o.Leverage, rate)
	}
	a.refresh(p)
	return f, nil
}

// increase opens or adds to a position; the caller checked the balance.
func (a *Account) increase(t int64, p *Position, side int, q, price, lev, rate float64) float64 {
	if !p.Open() {
		// A position's bracket table is the one in force when it opens.
		p.Side, p.Qty, p.Entry, p.Leverage = side, 0, price, lev
		p.Brackets, p.tier = a.bracketsAt(p.Symbol, t), 0
		p.Mark = 0 // no mark yet: the entry stands in (markOf), not the last position's
	}
	p.Entry = (p.Qty*p.Entry + q*price) / (p.Qty + q)
	p.Qty += q
	fee := q * price * rate
	if p.Mode == Isolated {
		a.J.Move(t, a.wallet, p.margin, q*price/p.Leverage, ledger.Margin)
	}
	a.J.Move(t, a.wallet, a.fees, fee, ledger.Fee)
	return fee
}

// reduce closes q of p at price: realised PnL and fee are booked to the
// isolated margin or the wallet. A full isolated close returns the margin.
// The caller has ruled out a close past bankruptcy (bankrupt), so the
// insurance fund takes no part.
func (a *Account) reduce(t int64, p *Position, q, price, rate float64) (pnl, fee float64) {
	pnl = float64(p.Side) * q * (price - p.Entry)
	fee = q * price * rate
	book := a.wallet
	if p.Mode == Isolated {
		book = p.margin
	}
	a.J.Move(t, a.market, book, pnl, ledger.PnL)
	a.J.Move(t, book, a.fees, fee, ledger.Fee)
	before := p.Qty
	p.Qty -= q
	if p.Qty <= before*1e-12 { // closed, up to float rounding of q
		p.Side, p.Qty, p.Entry = 0, 0, 0
		if p.Mode == Isolated {
			a.J.Sweep(t, p.margin, a.wallet, ledger.Margin)
		}
	}
	return pnl, fee
}

// bankrupt reports whether closing q of p at price would realise a loss
// its collateral cannot pay: an isolated margin below zero after the PnL
// and fee, or, closing the last cross position, a wallet below zero. The
// trader cannot owe more than that collateral, and a venue would have
// liquidated the position before such a close: the caller liquidates it at
// price instead (doc.go of package backtest, Orders), so the insurance fund
// moves only inside a liquidation.
func (a *Account) bankrupt(p *Position, q, price, rate float64) bool {
	left := float64(p.Side)*q*(price-p.Entry) - q*price*rate
	if p.Mode == Isolated {
		return p.collateral+left < 0
	}
	return len(a.cross) == 1 && q >= p.Qty && a.walletF+left < 0
}

// coverShortfall has the insurance fund bring a negative balance to zero
// inside a liquidation: the trader never owes more than the account it
// lost.
func (a *Account) coverShortfall(t int64, acct ledger.Account) float64 {
	return a.J.Cover(t, a.insurance, acct, ledger.Shortfall)
}

func (a *Account) isolated(symbol string) (*Position, error) {
	p := a.Position(symbol, Isolated)
	if p == nil || !p.Open() {
		return nil, fmt.Errorf("%w: no open isolated %s position", ErrNoPosition, symbol)
	}
	return p, nil
}

// AddMargin moves amount from the available balance into an isolated
// position's margin, moving its liquidation price away.
func (a *Account) AddMargin(t int64, symbol string, amount float64) error {
	p, err := a.isolated(symbol)
	if err != nil {
		return err
	}
	if !(amount > 0) || math.IsInf(amount, 0) {
		return fmt.Errorf("%w: margin amount %v must be positive", ErrBadOrder, amount)
	}
	if avail := a.Available(); amount > avail+1e-9 {
		return fmt.Errorf("%w: adding %.4f, %.4f available", ErrInsufficientMargin, amount, avail)
	}
	a.J.Move(t, a.wallet, p.margin, amount, ledger.Margin)
	a.refresh(p)
	return nil
}

// MaxRemovable is the most margin that can leave an isolated position while
// it still meets initial margin at its mark: margin + uPnL − Q·mark/L,
// between 0 and the margin itself.
func (a *Account) MaxRemovable(symbol string) (float64, error) {
	p, err := a.isolated(symbol)
	if err != nil {
		return 0, err
	}
	m := p.markOf()
	return max(0, min(p.collateral, p.collateral+p.UPnL(m)-p.Qty*m/p.Leverage)), nil
}

// RemoveMargin moves amount from an isolated position back to the wallet,
// up to MaxRemovable.
func (a *Account) RemoveMargin(t int64, symbol string, amount float64) error {
	maxR, err := a.MaxRemovable(symbol)
	if err != nil {
		return err
	}
	if !(amount > 0) || math.IsInf(amount, 0) {
		return fmt.Errorf("%w: margin amount %v must be positive", ErrBadOrder, amount)
	}
	if amount > maxR+1e-9 {
		return fmt.Errorf("%w: removing %.4f, at most %.4f can be removed", ErrRemoveTooMuch, amount, maxR)
	}
	p := a.Position(symbol, Isolated)
	a.J.Move(t, p.margin, a.wallet, amount, ledger.Margin)
	a.refresh(p)
	return nil
}

// SetLeverage changes a position's leverage. Raising it changes no margin
// (and so no liquidation price); the excess becomes removable. Lowering an
// isolated position's leverage tops its margin up to Q·Entry/L from the
// available balance, refused when that cannot pay. A cross position's new
// leverage must leave the available balance non-negative.
func (a *Account) SetLeverage(t int64, symbol string, mode Mode, lev float64) error {
	p := a.Position(symbol, mode)
	if p == nil || !p.Open() {
		return fmt.Errorf("%w: no open %s %s position", ErrNoPosition, mode, symbol)
	}
	if !(lev >= 1) || math.IsInf(lev, 0) {
		return fmt.Errorf("%w: leverage %v must be at least 1", ErrLeverage, lev)
	}
	if ml := maxLeverage(p.Brackets, p.Notional(p.markOf())); lev > ml {
		return fmt.Errorf("%w: %s leverage %v above the tier maximum %v", ErrLeverage, symbol, lev, ml)
	}
	old := p.Leverage
	if mode == Cross {
		p.Leverage = lev
		if a.Available() < -1e-9 {
			p.Leverage = old
			return fmt.Errorf("%w: leverage %v would need more margin than is available", ErrInsufficientMargin, lev)
		}
		return nil
	}
	if need := p.Qty*p.Entry/lev - p.collateral; lev < old && need > 0 {
		if avail := a.Available(); need > avail+1e-9 {
			return fmt.Errorf("%w: lowering %s leverage to %v needs %.4f more margin, %.4f available", ErrInsufficientMargin, symbol, lev, need, avail)
		}
		a.J.Move(t, a.wallet, p.margin, need, ledger.Margin)
	}
	p.Leverage = lev
	a.refresh(p)
	return nil
}

// ApplyFunding settles one funding event for symbol: each open position
// pays Side·Q·mark·rate (a negative amount is received); paid holds the
// isolated position's payment at [Isolated] and the cross one's at [Cross]
// (0 for a slot without an open position). Cross positions pay from the
// wallet; isolated ones from their own margin, which moves their
// liquidation price and may fall below maintenance or below zero: the
// position is then due for liquidation at the next test. The insurance
// fund never pays funding.
func (a *Account) ApplyFunding(t int64, symbol string, rate, mark float64) (paid [2]float64) {
	s := a.bySymbol[symbol]
	if s == nil {
		return paid
	}
	for mode, p := range s {
		if p == nil || !p.Open() {
			continue
		}
		pay := float64(p.Side) * p.Qty * mark * rate
		paid[mode] = pay
		book := a.wallet
		if p.Mode == Isolated {
			book = p.margin
		}
		a.J.Move(t, book, a.funding, pay, ledger.Funding)
		a.refresh(p)
	}
	return paid
}
