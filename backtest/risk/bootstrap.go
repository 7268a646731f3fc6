package risk

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// Bootstrap returns stat(x) with a percentile bootstrap interval at level
// conf (Efron & Tibshirani 1993, ch. 13): it draws reps resamples of x with
// replacement (each of len(x) indices uniform from rng), evaluates
// θ*_r = stat(resample_r), and returns
//
//	Estimate = stat(x),  Lo = Q₇(θ*; α/2),  Hi = Q₇(θ*; 1 − α/2)
//
// where Q₇ is the type 7 quantile of the reps replicates (see Quantile).
// NaN values of x are dropped first (the package convention), so stat never
// sees NaN from x. stat receives a scratch slice that is overwritten for the
// next resample: it must not keep or modify it, and it should be a pure
// function of the values (not of their order, unless that is intended). If
// any replicate is NaN, Lo and Hi are NaN.
//
// The draws come from rng alone, so the same generator state gives the same
// interval. An x with no non-NaN values gives an all-NaN Interval; one
// value gives its estimate with NaN Lo and Hi, since a single observation
// says nothing about sampling variation. It panics
// when reps < 1, rng or stat is nil, or conf is outside (0, 1).
func Bootstrap(x []float64, stat func([]float64) float64, reps int, conf float64, rng *rand.Rand) Interval {
	ha := checkBootstrap("Bootstrap", reps, conf, rng)
	if stat == nil {
		panic("risk.Bootstrap: nil stat")
	}
	data := dropNaN(x)
	if len(data) == 0 {
		return nanInterval()
	}
	estimate := stat(slices.Clone(data))
	if len(data) == 1 {
		return Interval{Estimate: estimate, Lo: math.NaN(), Hi: math.NaN()}
	}
	buf := make([]float64, len(data))
	theta := make([]float64, reps)
	n := len(data)
	for r := range theta {
		for j := range buf {
			buf[j] = data[rng.IntN(n)]
		}
		theta[r] = stat(buf)
	}
	return percentileInterval(estimate, theta, ha)
}

// BootstrapMeanDiff returns the mean paired difference d̄ = (1/n) Σ (a[i] − b[i])
// with a percentile bootstrap interval at level conf: pairs are resampled
// together (so the dependence between a[i] and b[i], which ran on the same
// path or cell, is kept), reps times, and
//
//	Estimate = d̄,  Lo = Q₇(d̄*; α/2),  Hi = Q₇(d̄*; 1 − α/2)
//
// where d̄*_r is the mean of the r-th resample of the differences and Q₇ the
// type 7 quantile (Efron & Tibshirani 1993, ch. 13). Use it for isolated −
// cross differences of a metric over Monte Carlo paths or sweep cells: pass
// isolated as a, cross as b.
//
// A pair with NaN on either side is dropped; with no pair left the result is
// an all-NaN Interval, and with one pair Lo and Hi are NaN (one pair says
// nothing about sampling variation). Constant differences give the degenerate interval
// [d, d]. The draws come from rng alone. It panics when len(a) != len(b)
// (a programmer error: the samples are not paired), reps < 1, rng is nil or
// conf is outside (0, 1).
func BootstrapMeanDiff(a, b []float64, reps int, conf float64, rng *rand.Rand) Interval {
	if len(a) != len(b) {
		panic(fmt.Sprintf("risk.BootstrapMeanDiff: paired samples of lengths %d and %d", len(a), len(b)))
	}
	ha := checkBootstrap("BootstrapMeanDiff", reps, conf, rng)
	d := make([]float64, 0, len(a))
	for i := range a {
		if v := a[i] - b[i]; !math.IsNaN(a[i]) && !math.IsNaN(b[i]) {
			d = append(d, v)
		}
	}
	if len(d) == 0 {
		return nanInterval()
	}
	n := len(d)
	if n == 1 {
		return Interval{Estimate: d[0], Lo: math.NaN(), Hi: math.NaN()}
	}
	theta := make([]float64, reps)
	for r := range theta {
		var sum float64
		for range n {
			sum += d[rng.IntN(n)]
		}
		theta[r] = sum / float64(n)
	}
	return percentileInterval(mean(d), theta, ha)
}

func checkBootstrap(fn string, reps int, conf float64, rng *rand.Rand) (halfAlpha float64) {
	ha := checkConf(fn, conf)
	if reps < 1 {
		panic(fmt.Sprintf("risk.%s: %d bootstrap replicates", fn, reps))
	}
	if rng == nil {
		panic(fmt.Sprintf("risk.%s: nil *rand.Rand", fn))
	}
	return ha
}

// percentileInterval sorts theta in place and returns its α/2 and 1 − α/2
// type 7 quantiles around estimate (NaN bounds if any replicate is NaN).
func percentileInterval(estimate float64, theta []float64, halfAlpha float64) Interval {
	for _, v := range theta {
		if math.IsNaN(v) {
			return Interval{Estimate: estimate, Lo: math.NaN(), Hi: math.NaN()}
		}
	}
	slices.Sort(theta)
	return Interval{Estimate: estimate, Lo: quantile7(theta, halfAlpha), Hi: quantile7(theta, 1-halfAlpha)}
}

// dropNaN returns a new slice holding the non-NaN values of x in order.
func dropNaN(x []float64) []float64 {
	out := make([]float64, 0, len(x))
	for _, v := range x {
		if !math.IsNaN(v) {
			out = append(out, v)
		}
	}
	return out
}

// mean returns (1/n) Σ x_i, NaN for an empty x.
func mean(x []float64) float64 {
	if len(x) == 0 {
		return math.NaN()
	}
	var sum float64
	for _, v := range x {
		sum += v
	}
	return sum / float64(len(x))
}
