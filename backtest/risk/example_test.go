package risk_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/marginlab/marginlab/backtest/risk"
)

// Seven of 40 Monte Carlo paths liquidated at least once.
func ExampleWilson() {
	iv := risk.Wilson(7, 40, 0.95)
	fmt.Printf("P(≥1 liquidation) = %.3f [%.3f, %.3f]\n", iv.Estimate, iv.Lo, iv.Hi)
	// Output:
	// P(≥1 liquidation) = 0.175 [0.087, 0.319]
}

// Twelve liquidations in 4,800 positions over 2.5 years.
func ExamplePoissonRate() {
	per1000 := risk.PoissonRate(12, 4800.0/1000, 0.95)
	perYear := risk.PoissonRate(12, 2.5, 0.95)
	fmt.Printf("per 1,000 positions: %.2f [%.2f, %.2f]\n", per1000.Estimate, per1000.Lo, per1000.Hi)
	fmt.Printf("per year:            %.2f [%.2f, %.2f]\n", perYear.Estimate, perYear.Lo, perYear.Hi)
	// Output:
	// per 1,000 positions: 2.50 [1.29, 4.37]
	// per year:            4.80 [2.48, 8.38]
}

// Years to the first liquidation of six runs; runs that never liquidated are
// censored at their end.
func ExampleKaplanMeier() {
	years := []float64{0.5, 1.5, 2, 2, 3, 3}
	liquidated := []bool{true, false, true, true, false, false}
	for _, p := range risk.KaplanMeier(years, liquidated, 0.95) {
		fmt.Printf("t=%.1f at risk %d events %d S=%.3f [%.3f, %.3f]\n", p.Time, p.AtRisk, p.Events, p.Survival, p.Lo, p.Hi)
	}
	// Output:
	// t=0.0 at risk 6 events 0 S=1.000 [1.000, 1.000]
	// t=0.5 at risk 6 events 1 S=0.833 [0.273, 0.975]
	// t=2.0 at risk 4 events 2 S=0.417 [0.056, 0.767]
}

func ExampleDescribe() {
	lossShare := []float64{0.12, 0.40, 0.08, 0.95, 0.31}
	d := risk.Describe(lossShare)
	fmt.Printf("n=%d mean=%.3f median=%.2f p95=%.3f worst=%.2f\n", d.N, d.Mean, d.Median, d.P95, d.Worst)
	// Output:
	// n=5 mean=0.372 median=0.31 p95=0.840 worst=0.95
}

// Liquidations in 26 fortnightly blocks of one year of history, most of them
// in three crashes, per 1,000 positions. The exact Poisson interval treats
// the 61 liquidations as independent; ClusterRate resamples the blocks, and
// its upper limit is far out because the rate rests on three crashes.
func ExampleClusterRate() {
	liquidations := []float64{0, 1, 0, 14, 0, 2, 1, 0, 0, 0, 1, 0, 0, 2, 0, 0, 21, 3, 0, 1, 0, 0, 0, 12, 2, 1}
	exposure := make([]float64, len(liquidations))
	for i := range exposure {
		exposure[i] = 40.0 / 1000 // 40 positions opened per block
	}
	iv, bootstrapped := risk.ClusterRate(liquidations, exposure, 2000, 0.95, rand.New(rand.NewPCG(1, 2)))
	naive := risk.PoissonRate(61, 26*40.0/1000, 0.95)
	fmt.Printf("blocks resampled: %.1f [%.1f, %.1f] per 1,000 positions (bootstrapped: %v)\n", iv.Estimate, iv.Lo, iv.Hi, bootstrapped)
	fmt.Printf("naive Poisson:    %.1f [%.1f, %.1f]\n", naive.Estimate, naive.Lo, naive.Hi)
	// Output:
	// blocks resampled: 58.7 [21.2, 280.1] per 1,000 positions (bootstrapped: true)
	// naive Poisson:    58.7 [44.9, 75.3]
}
