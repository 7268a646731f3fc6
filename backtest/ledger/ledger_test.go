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
	if e := j.Entries(); len(e) != 3 || e[2].From != w || e[2].To != m || !e[2].Amount().Equal(d("40")) {
		t.Errorf("entries %+v", e)
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

func TestMoveSweepCover(t *testing.T) {
	var j Journal
	a, b, ins := j.Open("a"), j.Open("b"), j.Open("insurance")
	j.Move(1, a, b, 0.1+0.2, PnL) // 0.30000000000000004 → 0.3
	if got := j.Balance(b); !got.Equal(d("0.3")) || j.BalanceFloat(b) != 0.3 || j.Sign(a) != -1 {
		t.Errorf("move: b %s (%v), sign(a) %d", got, j.BalanceFloat(b), j.Sign(a))
	}
	j.Move(2, a, b, -1.5, PnL) // b pays a
	if got := j.Balance(b); !got.Equal(d("-1.2")) {
		t.Errorf("negative move: b %s", got)
	}
	if got := j.Cover(3, ins, b, Shortfall); got != 1.2 || j.Sign(b) != 0 || !j.Balance(ins).Equal(d("-1.2")) {
		t.Errorf("cover moved %v; b %s insurance %s", got, j.Balance(b), j.Balance(ins))
	}
	if j.Cover(4, ins, b, Shortfall) != 0 {
		t.Error("covered a zero balance")
	}
	j.Move(5, ins, b, 7, Deposit)
	j.Sweep(6, b, a, Margin)
	if j.Sign(b) != 0 || !j.Balance(a).Equal(d("8.2")) {
		t.Errorf("sweep: b %s a %s", j.Balance(b), j.Balance(a))
	}
	if err := j.Check(); err != nil {
		t.Error(err)
	}
}

// TestBeyondInt64: balances past int64 units (92 billion) move to decimals
// and stay exact.
func TestBeyondInt64(t *testing.T) {
	var j Journal
	a, b := j.Open("a"), j.Open("b")
	huge := d("60000000000.12345678") // 6e18 units
	j.Transfer(1, a, b, huge, Deposit)
	j.Transfer(2, a, b, huge, Deposit) // b passes 9.2e18 units
	j.Move(3, a, b, 1e12, Deposit)     // a float amount past the units range
	want := huge.Add(huge).Add(d("1000000000000"))
	if !j.Balance(b).Equal(want) || !j.Balance(a).Equal(want.Neg()) {
		t.Fatalf("b %s a %s, want ±%s", j.Balance(b), j.Balance(a), want)
	}
	if err := j.Check(); err != nil {
		t.Fatal(err)
	}
	j.Sweep(4, b, a, Margin)
	if j.Sign(b) != 0 || j.Sign(a) != 0 || !j.Sum().IsZero() {
		t.Fatalf("after sweep: a %s b %s", j.Balance(a), j.Balance(b))
	}
}

func TestCheckDetectsInconsistency(t *testing.T) {
	var j Journal
	a, b := j.Open("a"), j.Open("b")
	j.Transfer(1, a, b, d("5"), Deposit)
	j.balances[b].units++ // money from nowhere
	if err := j.Check(); err == nil {
		t.Fatal("Check missed a balance that entries do not explain")
	}
	j.balances[b].units--
	j.entries = append(j.entries, Entry{From: a, To: b, units: 100000000})
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
	j.balances[b].units++
	if j.Check() == nil {
		t.Fatal("Check missed balances that do not sum to zero")
	}
}
