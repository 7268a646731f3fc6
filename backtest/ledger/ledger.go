// Package ledger is marginlab's money ledger: a double-entry journal kept
// exactly. Every cash movement (deposit, fee, margin transfer, realised
// PnL, funding, liquidation settlement, insurance-fund flow) is one
// transfer that debits one account and credits another by the same
// amount, so the balances of all accounts always sum to exactly zero.
//
// Amounts are in the quote currency (USDT), exact to Places decimal places:
// an amount given as a decimal is rounded half away from zero to Places,
// one given as a float64 (Move) is rounded to the nearest unit. Internally
// a balance is an integer count of units of 10^-Places while it fits in an
// int64 (up to about 92 billion USDT) and a shopspring decimal beyond, so
// the common case costs no allocation and large balances lose nothing.
// Outside accounts (the market, the venue's fee and insurance accounts,
// the funding counterparty, deposits) hold the mirror image of the
// trader's accounts, so their balances read as what they paid out
// (negative) or took in (positive).
package ledger

import (
	"fmt"
	"math"

	"github.com/shopspring/decimal"
)

// Places is the number of decimal places amounts are rounded to: 8, as
// venues book USDT balances.
const Places = 8

// unitsPerQuote is 10^Places.
const unitsPerQuote = 1e8

// Account identifies an account in one Journal.
type Account int

// Kind says what a transfer was for.
type Kind uint8

// Transfer kinds.
const (
	Deposit Kind = iota
	Margin       // initial or added margin, margin returned
	Fee          // trading fee
	PnL          // realised profit or loss
	Funding      // funding payment
	LiquidationFee
	Remainder // margin left after a liquidation, per venue rule
	Shortfall // loss past bankruptcy, covered by the insurance fund
)

var kindNames = [...]string{"deposit", "margin", "fee", "pnl", "funding", "liquidation_fee", "remainder", "shortfall"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", k)
}

// Entry is one journal line: an amount moved from From to To at Time (Unix
// ns).
type Entry struct {
	Time  int64
	From  Account
	To    Account
	Kind  Kind
	units int64            // the amount in units, when big is nil
	big   *decimal.Decimal // the amount when it does not fit in units
}

// Amount returns the amount moved (> 0).
func (e Entry) Amount() decimal.Decimal {
	if e.big != nil {
		return *e.big
	}
	return decimal.New(e.units, -Places)
}

// balance is an account's balance: units, or a decimal once it outgrew
// them.
type balance struct {
	units int64
	big   *decimal.Decimal
}

func (b balance) decimal() decimal.Decimal {
	if b.big != nil {
		return *b.big
	}
	return decimal.New(b.units, -Places)
}

// Journal holds accounts, their balances and every entry.
type Journal struct {
	// BalancesOnly keeps balances but not entries: long simulations that
	// never replay the journal save the memory and the garbage. Check then
	// verifies only that the balances sum to zero.
	BalancesOnly bool

	names    []string
	balances []balance
	entries  []Entry
}

// Open adds an account and returns its id. Names are for display and need
// not be unique, though callers keep them so.
func (j *Journal) Open(name string) Account {
	j.names = append(j.names, name)
	j.balances = append(j.balances, balance{})
	return Account(len(j.names) - 1)
}

// Name returns an account's name.
func (j *Journal) Name(a Account) string { return j.names[a] }

// Balance returns an account's balance.
func (j *Journal) Balance(a Account) decimal.Decimal { return j.balances[a].decimal() }

// BalanceFloat returns an account's balance as the nearest float64.
func (j *Journal) BalanceFloat(a Account) float64 {
	b := j.balances[a]
	if b.big != nil {
		return b.big.InexactFloat64()
	}
	return float64(b.units) / unitsPerQuote
}

// Sign returns −1, 0 or +1 as an account's balance is negative, zero or
// positive.
func (j *Journal) Sign(a Account) int {
	b := j.balances[a]
	switch {
	case b.big != nil:
		return b.big.Sign()
	case b.units < 0:
		return -1
	case b.units > 0:
		return 1
	}
	return 0
}

// Entries returns the journal in order. The slice must not be modified.
func (j *Journal) Entries() []Entry { return j.entries }

// Accounts returns the number of accounts.
func (j *Journal) Accounts() int { return len(j.names) }

// Transfer moves amount (rounded to Places) from one account to another.
// A negative amount moves the other way; zero records nothing. It returns
// the rounded amount, with its sign as given.
func (j *Journal) Transfer(t int64, from, to Account, amount decimal.Decimal, kind Kind) decimal.Decimal {
	amount = amount.Round(Places)
	if u, ok := unitsOf(amount); ok {
		j.moveUnits(t, from, to, u, kind)
		return amount
	}
	j.moveBig(t, from, to, amount, kind)
	return amount
}

// Move moves x quote units, rounded to the nearest unit of 10^-Places,
// from one account to another (a negative x moves the other way). It is
// Transfer for amounts computed in float64, without the decimal detour.
func (j *Journal) Move(t int64, from, to Account, x float64, kind Kind) {
	if u := math.Round(x * unitsPerQuote); math.Abs(u) < 1<<62 {
		j.moveUnits(t, from, to, int64(u), kind)
		return
	}
	j.moveBig(t, from, to, decimal.NewFromFloat(x).Round(Places), kind)
}

// Sweep moves an account's whole balance to another (nothing when it is
// zero; a negative balance is made good by the other account).
func (j *Journal) Sweep(t int64, from, to Account, kind Kind) {
	b := j.balances[from]
	if b.big != nil {
		j.moveBig(t, from, to, *b.big, kind)
		return
	}
	j.moveUnits(t, from, to, b.units, kind)
}

// Cover brings a negative balance of to back to zero with money from
// from, and returns the amount moved (0 when to was not negative).
func (j *Journal) Cover(t int64, from, to Account, kind Kind) float64 {
	if j.Sign(to) >= 0 {
		return 0
	}
	owed := j.BalanceFloat(to)
	j.Sweep(t, to, from, kind) // moving a negative balance back pays it
	return -owed
}

// unitsOf returns a Places-rounded decimal as units when it fits.
func unitsOf(d decimal.Decimal) (int64, bool) {
	s := d.Shift(Places)
	if !s.IsInteger() {
		return 0, false
	}
	bi := s.BigInt()
	if !bi.IsInt64() || bi.Int64() > 1<<62 || bi.Int64() < -(1<<62) {
		return 0, false
	}
	return bi.Int64(), true
}

func (j *Journal) moveUnits(t int64, from, to Account, u int64, kind Kind) {
	switch {
	case u == 0:
		return
	case u < 0:
		from, to, u = to, from, -u
	}
	fb, tb := &j.balances[from], &j.balances[to]
	if fb.big != nil || tb.big != nil || fb.units < math.MinInt64+u || tb.units > math.MaxInt64-u {
		j.moveBig(t, from, to, decimal.New(u, -Places), kind)
		return
	}
	fb.units -= u
	tb.units += u
	if !j.BalancesOnly {
		j.entries = append(j.entries, Entry{Time: t, From: from, To: to, Kind: kind, units: u})
	}
}

// moveBig is the decimal path: amounts or balances beyond int64 units.
func (j *Journal) moveBig(t int64, from, to Account, amount decimal.Decimal, kind Kind) {
	switch amount.Sign() {
	case 0:
		return
	case -1:
		from, to, amount = to, from, amount.Neg()
	}
	for _, a := range []Account{from, to} {
		if b := &j.balances[a]; b.big == nil {
			d := decimal.New(b.units, -Places)
			b.big = &d
		}
	}
	f := j.balances[from].big.Sub(amount)
	tt := j.balances[to].big.Add(amount)
	j.balances[from].big, j.balances[to].big = &f, &tt
	if !j.BalancesOnly {
		e := Entry{Time: t, From: from, To: to, Kind: kind}
		if u, ok := unitsOf(amount); ok {
			e.units = u
		} else {
			a := amount
			e.big = &a
		}
		j.entries = append(j.entries, e)
	}
}

// Sum returns the sum of all balances: exactly zero in a consistent journal.
func (j *Journal) Sum() decimal.Decimal {
	var units int64
	big := decimal.Zero
	for _, b := range j.balances {
		if b.big != nil {
			big = big.Add(*b.big)
			continue
		}
		if (b.units > 0 && units > math.MaxInt64-b.units) || (b.units < 0 && units < math.MinInt64-b.units) {
			big = big.Add(decimal.New(units, -Places))
			units = 0
		}
		units += b.units
	}
	return big.Add(decimal.New(units, -Places))
}

// Check verifies the double-entry invariant by replaying every entry from
// zero: the replayed balances must equal the running ones and sum to zero.
// With BalancesOnly it checks the sum alone.
func (j *Journal) Check() error {
	if j.BalancesOnly {
		if s := j.Sum(); !s.IsZero() {
			return fmt.Errorf("ledger: balances sum to %s, not zero", s)
		}
		return nil
	}
	replay := make([]decimal.Decimal, len(j.balances))
	for i := range replay {
		replay[i] = decimal.Zero
	}
	for i, e := range j.entries {
		amt := e.Amount()
		if amt.Sign() <= 0 {
			return fmt.Errorf("ledger: entry %d moves a non-positive amount %s", i, amt)
		}
		replay[e.From] = replay[e.From].Sub(amt)
		replay[e.To] = replay[e.To].Add(amt)
	}
	for a := range replay {
		if !replay[a].Equal(j.Balance(Account(a))) {
			return fmt.Errorf("ledger: account %s balance %s, entries give %s", j.names[a], j.Balance(Account(a)), replay[a])
		}
	}
	if s := j.Sum(); !s.IsZero() {
		return fmt.Errorf("ledger: balances sum to %s, not zero", s)
	}
	return nil
}
