package backtest

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/marginlab/marginlab/data"
)

// TestIncrementalMetrics: drawdown, Sharpe and the capital-use sums folded
// by recordBars, in chunks of any size, equal the direct two-pass
// computations over the whole series, and chunking does not change a bit.
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
		car, gross := make([]float64, n), make([]float64, n)
		for k := range car {
			car[k], gross[k] = 100*rng.Float64(), 5000*rng.Float64()
		}
		fold := func(chunked bool) accumulators {
			s := &sim{m: &data.Market{Time: make([]int64, n)}, cfg: &Config{Capital: 1000, Leverage: 5, NoSeries: true}}
			s.acc.start(s.cfg, n)
			for k0 := 0; k0 < n; {
				k1 := k0 + 1
				if chunked {
					k1 = min(n, k0+1+rng.IntN(200))
				}
				s.recordBars(k0, eq[k0:k1], car[k0:k1], gross[k0:k1])
				k0 = k1
			}
			return s.acc
		}
		a := fold(false)
		if b := fold(true); a != b {
			t.Fatalf("trial %d: chunked recording differs:\n%+v\n%+v", trial, a, b)
		}
		// Direct capital use: means over the bars with positive equity.
		levSum, carEqSum, pos := 0.0, 0.0, 0
		for k, x := range eq {
			if x > 0 {
				levSum += gross[k] / x
				carEqSum += car[k] / x
				pos++
			}
		}
		if a.barsPositive != pos || math.Abs(a.levSum-levSum) > 1e-9*levSum || math.Abs(a.carEqSum-carEqSum) > 1e-9*carEqSum {
			t.Fatalf("trial %d: leverage sum %v / %v, capital-at-risk sum %v / %v over %d / %d bars", trial, a.levSum, levSum, a.carEqSum, carEqSum, a.barsPositive, pos)
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
