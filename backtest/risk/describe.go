package risk

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/stat/distuv"
)

// Quantile returns the p-quantile of the ascending sample sorted by
// definition 7 of Hyndman & Fan (1996), the default of R's quantile() and of
// numpy.quantile: with n = len(sorted), h = (n − 1)·p, j = ⌊h⌋,
//
//	Q₇(p) = x_(j) + (h − j)·(x_(j+1) − x_(j))
//
// (0-based order statistics), so Q₇(0) is the minimum, Q₇(1) the maximum and
// Q₇(0.5) the usual median. This differs from gonum's stat.Quantile
// (Empirical is type 1, LinInterp type 4). An empty sample gives NaN; NaN values in sorted give
// meaningless results (drop them first, as Describe does). It panics when p
// is outside [0, 1] or NaN and when sorted is not in ascending order
// (programmer errors, as in gonum's stat.Quantile).
func Quantile(sorted []float64, p float64) float64 {
	if !(p >= 0 && p <= 1) {
		panic(fmt.Sprintf("risk.Quantile: probability %v outside [0, 1]", p))
	}
	if !slices.IsSorted(sorted) {
		panic("risk.Quantile: data not sorted in ascending order")
	}
	return quantile7(sorted, p)
}

// quantile7 is Quantile without the checks.
func quantile7(sorted []float64, p float64) float64 {
	n := len(sorted)
	if n == 0 {
		return math.NaN()
	}
	h := float64(n-1) * p
	j := int(h)
	frac := h - float64(j)
	if j >= n-1 || frac == 0 || sorted[j] == sorted[j+1] {
		return sorted[min(j, n-1)]
	}
	// Between an infinite order statistic and another value the line is
	// infinite (the formula would give Inf − Inf = NaN).
	if math.IsInf(sorted[j], -1) {
		return sorted[j]
	}
	if math.IsInf(sorted[j+1], 1) {
		return sorted[j+1]
	}
	return sorted[j] + frac*(sorted[j+1]-sorted[j])
}

// Dist summarises a loss distribution, losses counted positive (larger is
// worse): N values used, their Mean (Σx/N), Median and P95 (type 7
// quantiles at 0.5 and 0.95, see Quantile) and Worst (the maximum). With
// N = 0 every other field is NaN.
type Dist struct {
	N                        int
	Mean, Median, P95, Worst float64
}

// Describe summarises the sample x (for example loss per liquidation as a
// share of equity) into a Dist. NaN values are ignored (N counts the rest;
// len(x) − N were NaN); ±Inf values are kept. x is not modified: Describe
// sorts a copy. An empty or all-NaN x gives N = 0 and NaN statistics.
func Describe(x []float64) Dist {
	data := dropNaN(x)
	if len(data) == 0 {
		nan := math.NaN()
		return Dist{Mean: nan, Median: nan, P95: nan, Worst: nan}
	}
	slices.Sort(data)
	return Dist{
		N:      len(data),
		Mean:   mean(data),
		Median: quantile7(data, 0.5),
		P95:    quantile7(data, 0.95),
		Worst:  data[len(data)-1],
	}
}

// MeanCI returns the sample mean x̄ of x with Student's (1908) t interval at
// level conf:
//
//	x̄ ± t(1 − α/2; n − 1) · s/√n,   s² = Σ (x_i − x̄)² / (n − 1)
//
// where t(p; ν) is the p-quantile of Student's t with ν degrees of freedom.
// It assumes independent observations and is adequate for means of
// capital-efficiency metrics over many runs (the central limit theorem);
// for skewed metrics over few runs prefer Bootstrap. NaN values are ignored.
// An empty sample gives an all-NaN Interval; a single value gives that value
// with NaN bounds (no variance estimate). It panics when conf is outside
// (0, 1).
func MeanCI(x []float64, conf float64) Interval {
	ha := checkConf("MeanCI", conf)
	data := dropNaN(x)
	n := len(data)
	if n == 0 {
		return nanInterval()
	}
	m := mean(data)
	if n == 1 {
		return Interval{Estimate: m, Lo: math.NaN(), Hi: math.NaN()}
	}
	var ss float64
	for _, v := range data {
		ss += (v - m) * (v - m)
	}
	se := math.Sqrt(ss/float64(n-1)) / math.Sqrt(float64(n))
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(n - 1)}.Quantile(1 - ha)
	return Interval{Estimate: m, Lo: m - t*se, Hi: m + t*se}
}

// MedianCI returns the sample median (type 7, see Quantile) with the
// distribution-free interval from order statistics: for the ascending
// sample x_(1) ≤ … ≤ x_(n) and B ~ Binomial(n, ½),
//
//	Lo = x_(r),  Hi = x_(n−r+1),  r the largest integer with P(B ≤ r − 1) ≤ α/2
//
// whose coverage, 1 − 2·P(B ≤ r − 1), is at least conf for any continuous
// distribution (Conover 1999, §3.2; Campbell & Gardner 1988 tabulate r). It
// suits skewed samples such as loss per liquidation, and costs one sort. NaN
// values are ignored. An empty sample gives an all-NaN Interval; a sample
// too small for the level (n ≤ 5 at 95 %: even [min, max] covers less) gives
// the median with NaN bounds. It panics when conf is outside (0, 1).
func MedianCI(x []float64, conf float64) Interval {
	ha := checkConf("MedianCI", conf)
	data := dropNaN(x)
	n := len(data)
	if n == 0 {
		return nanInterval()
	}
	slices.Sort(data)
	iv := Interval{Estimate: quantile7(data, 0.5), Lo: math.NaN(), Hi: math.NaN()}
	b := distuv.Binomial{N: float64(n), P: 0.5}
	if b.CDF(0) > ha {
		return iv
	}
	// The largest k = r − 1 in [0, ⌊(n−1)/2⌋] with P(B ≤ k) ≤ α/2; the CDF
	// grows with k.
	lo, hi := 0, (n-1)/2
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if b.CDF(float64(mid)) <= ha {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	iv.Lo, iv.Hi = data[lo], data[n-1-lo]
	return iv
}
