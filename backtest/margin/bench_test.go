package margin

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// crossAccount opens n cross positions S0..S(n-1) and returns one price
// per position.
func crossAccount(tb testing.TB, n int) (*Account, []float64) {
	a := NewAccount(testVenue())
	if err := a.Deposit(0, 1e9); err != nil {
		tb.Fatal(err)
	}
	prices := make([]float64, n)
	for i := range n {
		prices[i] = 100 + float64(i)
		if _, err := a.Fill(0, Order{Symbol: fmt.Sprintf("S%d", i), Mode: Cross, Qty: float64(1 - 2*(i%2)), Price: prices[i], Leverage: 10}); err != nil {
			tb.Fatal(err)
		}
	}
	return a, prices
}

// walk returns n bar lows of a random walk around 30000.
func walk(n int) []float64 {
	rng := rand.New(rand.NewPCG(1, 2))
	out := make([]float64, n)
	p := 30000.0
	for i := range out {
		p *= math.Exp(0.001 * rng.NormFloat64())
		out[i] = p
	}
	return out
}

// BenchmarkIsolatedCheck: per-bar liquidation check of one isolated
// position against the bar's adverse price. Target ≤ 10 ns, 0 allocations.
func BenchmarkIsolatedCheck(b *testing.B) {
	a := NewAccount(testVenue())
	_ = a.Deposit(0, 1e6)
	if _, err := a.Fill(0, Order{Symbol: "BTC", Mode: Isolated, Qty: 1, Price: 30000, Leverage: 2}); err != nil {
		b.Fatal(err)
	}
	p := a.Position("BTC", Isolated)
	lows := walk(1 << 16)
	b.ReportAllocs()
	b.ResetTimer()
	hits := 0
	for i := range b.N {
		if p.Breached(lows[i&(len(lows)-1)]) {
			hits++
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/position-bar")
	_ = hits
}

// BenchmarkCrossCheck10: per-bar mark and liquidation check of a cross
// account of 10 positions (equity and tiered maintenance at the bar's
// prices). Target ≤ 10 ns per position per bar, 0 allocations.
func BenchmarkCrossCheck10(b *testing.B) {
	const n = 10
	a, base := crossAccount(b, n)
	moves := walk(1 << 12)
	rows := make([][]float64, len(moves))
	for j := range rows {
		rows[j] = make([]float64, n)
		for i := range n {
			rows[j][i] = base[i] * moves[j] / 30000
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	liq := 0
	for i := range b.N {
		if eq, mm := a.CrossHealth(rows[i&(len(rows)-1)]); eq <= mm {
			liq++
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/position-bar")
	_ = liq
}

// BenchmarkFill: one fill through the ledger (alternately opening and
// closing an isolated position: margin, fee and PnL transfers). Target ≤ 3 µs.
func BenchmarkFill(b *testing.B) {
	a := NewAccount(testVenue())
	_ = a.Deposit(0, 1e6) // a realistic account: balances stay on decimal's fast float path
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		qty := 1.0
		if i%2 == 1 {
			qty = -1
		}
		if _, err := a.Fill(int64(i), Order{Symbol: "BTC", Mode: Isolated, Qty: qty, Price: 30000 + float64(i%100), Leverage: 10}); err != nil {
			b.Fatal(err)
		}
		if i%2 == 1 && a.Wallet() < 1e5 { // fees drain the account: refill, untimed
			b.StopTimer()
			_ = a.Deposit(int64(i), 1e6)
			b.StartTimer()
		}
	}
}
