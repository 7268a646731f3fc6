package ledger

import (
	"testing"

	"github.com/shopspring/decimal"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func TestTransfers(t *testing.T) {
	var j Journal
	w, m, f := j.Open("wallet"), j.Open("market"), j.Open("fees")
	j.Transfer(1, m, w, d("100"), Deposit)
	j.Transfer(2, w, f, d("0.123456789012345"), Fee) // rounded to Places (8)
	j.Transfer(3, m, w, d("-40"), PnL)               // a loss: moves wallet → market
	j.Transfer(4, w, f, decimal.Zero, Fee)           // nothing recorded
	if got := j.Balance(w); !got.Equal(d("59.87654321")) {
		t.Errorf("wallet %s", got)
	}
	if got := j.Balance(m); !got.Equal(d("-60")) {
		t.Errorf("market %s", got)
	}
	if len(j.Entries()) != 3 || j.Entries()[2].From != w || j.Entries()[2].To != m || !j.Entries()[2].Amount.Equal(d("40")) {
		t.Errorf("entries %+v", j.Entries())
	}
	if !j.Sum().IsZero() {
		t.Errorf("sum %s", j.Sum())
	}
	if err := j.Check(); err != nil {
		t.Error(err)
	}
	if j.Name(f) != "fees" || j.Accounts() != 3 || Fee.String() != "fee" {
		t.Error("names")
	}
}

func TestCheckDetectsInconsistency(t *testing.T) {
	var j Journal
	a, b := j.Open("a"), j.Open("b")
	j.Transfer(1, a, b, d("5"), Deposit)
	j.balances[b] = j.balances[b].Add(d("0.00000001")) // money from nowhere
	if err := j.Check(); err == nil {
		t.Fatal("Check missed a balance that entries do not explain")
	}
	j.balances[b] = j.balances[b].Sub(d("0.00000001"))
	j.entries = append(j.entries, Entry{From: a, To: b, Amount: d("1")})
	if err := j.Check(); err == nil {
		t.Fatal("Check missed an entry not applied to balances")
	}
}

func TestBalancesOnly(t *testing.T) {
	j := Journal{BalancesOnly: true}
	a, b := j.Open("a"), j.Open("b")
	j.Transfer(1, a, b, d("5"), Deposit)
	if len(j.Entries()) != 0 || !j.Balance(b).Equal(d("5")) || j.Check() != nil {
		t.Fatalf("entries %d balance %s check %v", len(j.Entries()), j.Balance(b), j.Check())
	}
	j.balances[b] = j.balances[b].Add(d("1"))
	if j.Check() == nil {
		t.Fatal("Check missed balances that do not sum to zero")
	}
}
