package backtest

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestIncrementalMetrics: drawdown and Sharpe folded bar by bar equal the
// direct two-pass computations over the whole equity series.
func TestIncrementalMetrics(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	for trial := range 50 {
		n := 2 + rng.IntN(3000)
		eq := make([]float64, n)
		e := 1000.0
		for k := range eq {
			e *= 1 + 0.01*rng.NormFloat64()
			if trial%10 == 0 && k == n/2 {
				e = -5 // ruin: returns stop, drawdown is total
			}
			eq[k] = e
		}
		var a accumulators
		a.start(&Config{Capital: 1000}, n)
		for _, x := range eq {
			a.addEquity(x)
		}
		// Direct: largest fall from a running peak, as a fraction of it.
		peak, dd := math.Inf(-1), 0.0
		for _, x := range eq {
			peak = max(peak, x)
			if peak > 0 {
				dd = max(dd, (peak-x)/peak)
			}
		}
		if got := 1 - a.lowRatio; math.Abs(got-dd) > 1e-12 {
			t.Fatalf("trial %d: drawdown %v, want %v", trial, got, dd)
		}
		// Direct Sharpe: returns until the first equity ≤ 0, two passes.
		var rs []float64
		for k := 1; k < n && eq[k-1] > 0; k++ {
			rs = append(rs, eq[k]/eq[k-1]-1)
		}
		want := 0.0
		if len(rs) >= 2 {
			mean := 0.0
			for _, r := range rs {
				mean += r
			}
			mean /= float64(len(rs))
			ss := 0.0
			for _, r := range rs {
				ss += (r - mean) * (r - mean)
			}
			want = mean / math.Sqrt(ss/float64(len(rs)-1)) * math.Sqrt(1000)
		}
		if got := a.sharpe(1000); math.Abs(got-want) > 1e-9*math.Max(1, math.Abs(want)) {
			t.Fatalf("trial %d (%d bars): Sharpe %v, want %v", trial, n, got, want)
		}
	}
}
