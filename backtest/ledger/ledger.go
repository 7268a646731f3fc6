// Package ledger is marginlab's money ledger: a double-entry journal in
// decimal arithmetic. Every cash movement (deposit, fee, margin transfer,
// realised PnL, funding, liquidation settlement, insurance-fund flow) is one
// Transfer that debits one account and credits another by the same amount,
// so the balances of all accounts always sum to exactly zero.
//
// Amounts are in the quote currency (USDT), rounded half away from zero to
// Places decimal places when they enter the journal. Outside accounts (the
// market, the venue's fee and insurance accounts, the funding counterparty,
// deposits) hold the mirror image of the trader's accounts, so their
// balances read as what they paid out (negative) or took in (positive).
package ledger

import (
	"fmt"

	"github.com/shopspring/decimal"
)

// Places is the number of decimal places amounts are rounded to: 8, as
// venues book USDT balances, which also keeps balances below ~90M exact
// and fast to convert to float64 (coefficients under 2^53).
const Places = 8

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

// Entry is one journal line: Amount moved from From to To at Time (Unix ns).
type Entry struct {
	Time   int64
	From   Account
	To     Account
	Amount decimal.Decimal // > 0
	Kind   Kind
}

// Journal holds accounts, their balances and every entry.
type Journal struct {
	// BalancesOnly keeps balances but not entries: long simulations that
	// never replay the journal save the memory and the garbage. Check then
	// verifies only that the balances sum to zero.
	BalancesOnly bool

	names    []string
	balances []decimal.Decimal
	entries  []Entry
}

// Open adds an account and returns its id. Names are for display and need
// not be unique, though callers keep them so.
func (j *Journal) Open(name string) Account {
	j.names = append(j.names, name)
	j.balances = append(j.balances, decimal.Zero)
	return Account(len(j.names) - 1)
}

// Name returns an account's name.
func (j *Journal) Name(a Account) string { return j.names[a] }

// Balance returns an account's balance.
func (j *Journal) Balance(a Account) decimal.Decimal { return j.balances[a] }

// Entries returns the journal in order. The slice must not be modified.
func (j *Journal) Entries() []Entry { return j.entries }

// Accounts returns the number of accounts.
func (j *Journal) Accounts() int { return len(j.names) }

// Transfer moves amount from one account to another. A negative amount
// moves the other way; zero records nothing. It returns the amount moved
// (rounded, with sign as given).
func (j *Journal) Transfer(t int64, from, to Account, amount decimal.Decimal, kind Kind) decimal.Decimal {
	if amount.Exponent() < -Places { // Round allocates: skip it when there is nothing to round
		amount = amount.Round(Places)
	}
	switch amount.Sign() {
	case 0:
		return amount
	case -1:
		j.Transfer(t, to, from, amount.Neg(), kind)
		return amount
	}
	j.balances[from] = j.balances[from].Sub(amount)
	j.balances[to] = j.balances[to].Add(amount)
	if !j.BalancesOnly {
		j.entries = append(j.entries, Entry{Time: t, From: from, To: to, Amount: amount, Kind: kind})
	}
	return amount
}

// Sum returns the sum of all balances: exactly zero in a consistent journal.
func (j *Journal) Sum() decimal.Decimal {
	s := decimal.Zero
	for _, b := range j.balances {
		s = s.Add(b)
	}
	return s
}

// Check verifies the double-entry invariant by replaying every entry from
// zero: the replayed balances must equal the running ones and sum to zero.
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
		if e.Amount.Sign() <= 0 {
			return fmt.Errorf("ledger: entry %d moves a non-positive amount %s", i, e.Amount)
		}
		replay[e.From] = replay[e.From].Sub(e.Amount)
		replay[e.To] = replay[e.To].Add(e.Amount)
	}
	for a := range replay {
		if !replay[a].Equal(j.balances[a]) {
			return fmt.Errorf("ledger: account %s balance %s, entries give %s", j.names[a], j.balances[a], replay[a])
		}
	}
	if s := j.Sum(); !s.IsZero() {
		return fmt.Errorf("ledger: balances sum to %s, not zero", s)
	}
	return nil
}
