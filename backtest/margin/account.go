package margin

import (
	"errors"
	"fmt"
	"math"

	"github.com/marginlab/marginlab/backtest/ledger"
	"github.com/marginlab/marginlab/backtest/venue"
	"github.com/shopspring/decimal"
)

// Mode is a position's margin mode.
type Mode uint8

// Margin modes.
const (
	Isolated Mode = iota
	Cross
)

func (m Mode) String() string {
	if m == Cross {
		return "cross"
	}
	return "isolated"
}

// Errors that callers branch on. Rejections are part of a backtest's result,
// not failures of the run.
var (
	ErrInsufficientMargin = errors.New("margin: insufficient available balance")
	ErrLeverage           = errors.New("margin: leverage not allowed")
	ErrBadOrder           = errors.New("margin: bad order")
	ErrNoPosition         = errors.New("margin: no such position")
	ErrRemoveTooMuch      = errors.New("margin: more than the removable margin")
	ErrBankrupt           = errors.New("margin: close past bankruptcy")
)

// Position is one symbol's position in one mode. Flat positions keep their
// slot (and, if isolated, their empty margin account) for reuse.
type Position struct {
	Symbol   string
	Mode     Mode
	Side     int     // +1 long, −1 short, 0 flat
	Qty      float64 // > 0 when open
	Entry    float64 // average entry price
	Leverage float64
	Mark     float64 // last mark price seen (Account.SetMark)
	Brackets venue.Brackets

	margin ledger.Account // isolated: the position's margin account
	// Float mirrors of ledger state, refreshed after every operation.
	collateral float64 // isolated margin balance
	liq        float64 // isolated liquidation price, valid when hasLiq
	hasLiq     bool
	tier       int // cached bracket index for the cross hot path
}

// Open reports whether the position holds a size.
func (p *Position) Open() bool { return p.Side != 0 }

// Margin returns an isolated position's margin balance (0 for cross).
func (p *Position) Margin() float64 { return p.collateral }

// UPnL returns the unrealised PnL at price.
func (p *Position) UPnL(price float64) float64 {
	return float64(p.Side) * p.Qty * (price - p.Entry)
}

// Notional returns Qty × price.
func (p *Position) Notional(price float64) float64 { return p.Qty * price }

// Account is a trader's account on one venue.
type Account struct {
	Venue *venue.Venue
	rule  venue.Rule
	J     ledger.Journal

	wallet, deposits, market, fees, insurance, funding ledger.Account
	walletF                                            float64

	positions []*Position // in creation order: iteration is deterministic
	bySymbol  map[string]*[2]*Position
	tables    map[string][]venue.Table // each symbol's bracket tables (Venue.TablesOf), looked up once
	// cross lists the open cross positions for the hot path.
	cross []*Position
}

// NewAccount opens an empty account on venue v.
func NewAccount(v *venue.Venue) *Account {
	a := &Account{Venue: v, rule: v.Rule(), bySymbol: map[string]*[2]*Position{}, tables: map[string][]venue.Table{}}
	a.wallet = a.J.Open("wallet")
	a.deposits = a.J.Open("deposits")
	a.market = a.J.Open("market")
	a.fees = a.J.Open("venue_fees")
	a.insurance = a.J.Open("insurance_fund")
	a.funding = a.J.Open("funding")
	return a
}

// Wallet returns the cross wallet balance (realised, without uPnL).
func (a *Account) Wallet() float64 { return a.walletF }

// Positions returns every position slot in creation order.
func (a *Account) Positions() []*Position { return a.positions }

// Position returns the position of symbol in mode, or nil.
func (a *Account) Position(symbol string, mode Mode) *Position {
	if s := a.bySymbol[symbol]; s != nil {
		return s[mode]
	}
	return nil
}

// Insurance returns the insurance fund's net intake (positive: it gained).
func (a *Account) Insurance() decimal.Decimal { return a.J.Balance(a.insurance) }

// Fees returns the venue fees paid.
func (a *Account) Fees() decimal.Decimal { return a.J.Balance(a.fees) }

// FundingPaid returns the net funding paid by the trader (negative:
// received).
func (a *Account) FundingPaid() decimal.Decimal { return a.J.Balance(a.funding) }

// refreshWallet re-reads the wallet mirror from the ledger.
func (a *Account) refreshWallet() { a.walletF = a.J.BalanceFloat(a.wallet) }

// Deposit credits the cross wallet.
func (a *Account) Deposit(t int64, amount float64) error {
	if !(amount > 0) || math.IsInf(amount, 0) {
		return fmt.Errorf("%w: deposit %v must be positive", ErrBadOrder, amount)
	}
	a.J.Move(t, a.deposits, a.wallet, amount, ledger.Deposit)
	a.refreshWallet()
	return nil
}

// slot returns (creating if needed) the position of symbol in mode.
func (a *Account) slot(t int64, symbol string, mode Mode) *Position {
	s := a.bySymbol[symbol]
	if s == nil {
		s = &[2]*Position{}
		a.bySymbol[symbol] = s
	}
	if s[mode] == nil {
		p := &Position{Symbol: symbol, Mode: mode, Brackets: a.bracketsAt(symbol, t)}
		if mode == Isolated {
			p.margin = a.J.Open("isolated:" + symbol)
		}
		s[mode] = p
		a.positions = append(a.positions, p)
	}
	return s[mode]
}

// bracketsAt returns symbol's brackets in force at time t (Unix ns).
func (a *Account) bracketsAt(symbol string, t int64) venue.Brackets {
	tables, ok := a.tables[symbol]
	if !ok {
		tables = a.Venue.TablesOf(symbol)
		a.tables[symbol] = tables
	}
	return venue.InForce(tables, t)
}

// SetMark records the mark price of symbol for both modes' positions.
func (a *Account) SetMark(symbol string, price float64) {
	if s := a.bySymbol[symbol]; s != nil {
		for _, p := range s {
			if p != nil {
				p.Mark = price
			}
		}
	}
}

// markOf returns the position's mark, or its entry before any mark.
func (p *Position) markOf() float64 {
	if p.Mark > 0 {
		return p.Mark
	}
	return p.Entry
}

// Available returns the balance new orders and added margin may use:
// wallet − Σ cross IM at mark + min(0, Σ cross uPnL at mark).
func (a *Account) Available() float64 {
	im, upnl := 0.0, 0.0
	for _, p := range a.cross {
		m := p.markOf()
		im += p.Qty * m / p.Leverage
		upnl += p.UPnL(m)
	}
	return a.walletF - im + min(0, upnl)
}

// Equity returns wallet + Σ isolated margins + Σ uPnL at the positions' marks.
func (a *Account) Equity() float64 {
	e := a.walletF
	for _, p := range a.positions {
		if p.Mode == Isolated {
			e += p.collateral
		}
		if p.Open() {
			e += p.UPnL(p.markOf())
		}
	}
	return e
}

// refresh recomputes a position's float mirrors after any change.
func (a *Account) refresh(p *Position) {
	if p.Mode == Isolated {
		p.collateral = a.J.BalanceFloat(p.margin)
		p.hasLiq = false
		if p.Open() {
			p.liq, p.hasLiq = a.rule.LiquidationPrice(p.Brackets, a.Venue.TakerFee, p.Side, p.Qty, p.Entry, p.collateral)
			if !p.hasLiq && a.IsolatedLiquidatable(p, p.Entry) {
				// No positive price solves the condition, yet it holds: it
				// holds at every price (a short, or a long whose margin
				// funding drained). A trigger every price reaches says so.
				p.liq, p.hasLiq = math.Inf(1), true
				if p.Side < 0 {
					p.liq = 0
				}
			}
		}
	}
	a.refreshWallet()
	if p.Mode != Cross {
		return
	}
	a.cross = a.cross[:0]
	for _, q := range a.positions {
		if q.Mode == Cross && q.Open() {
			a.cross = append(a.cross, q)
		}
	}
}

// maxLeverage returns the highest leverage the position's tier allows for
// notional.
func maxLeverage(br venue.Brackets, notional float64) float64 {
	if len(br) == 0 {
		return math.Inf(1)
	}
	return br[br.Index(notional)].MaxLeverage
}
