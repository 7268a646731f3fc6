package risk

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// Interval is a point estimate with a two-sided confidence interval
// [Lo, Hi] at the level the producing function was given. All three fields
// are NaN when the data carry no information (see the producing function).
type Interval struct {
	Estimate, Lo, Hi float64
}

// nanInterval is the interval of an estimate without information.
func nanInterval() Interval {
	return Interval{Estimate: math.NaN(), Lo: math.NaN(), Hi: math.NaN()}
}

// checkConf panics unless conf is a two-sided level in (0, 1), and returns
// the tail probability α/2.
func checkConf(fn string, conf float64) (halfAlpha float64) {
	if !(conf > 0 && conf < 1) {
		panic(fmt.Sprintf("risk.%s: confidence level %v outside (0, 1)", fn, conf))
	}
	return (1 - conf) / 2
}

// normalCritical returns z = Φ⁻¹(1 − α/2) for a two-sided level conf.
func normalCritical(fn string, conf float64) float64 {
	return distuv.UnitNormal.Quantile(1 - checkConf(fn, conf))
}

// Wilson returns the sample proportion p̂ = x/n of successes = x in trials = n
// with the Wilson score interval at level conf (Wilson 1927; method 3 of
// Newcombe 1998, without continuity correction):
//
//	Lo, Hi = (p̂ + z²/(2n) ∓ z·√(p̂(1−p̂)/n + z²/(4n²))) / (1 + z²/n)
//
// with z = Φ⁻¹(1 − α/2). Unlike the Wald interval it stays inside [0, 1] and
// keeps a useful width at x = 0 and x = n, where Lo = 0 and Hi = 1 exactly.
// Estimate is p̂, not the interval's midpoint. Use it for P(at least one
// liquidation) across runs: x runs with a liquidation out of n runs.
//
// trials = 0 gives an all-NaN Interval (no information). It panics when
// trials < 0, successes < 0 or successes > trials (programmer errors) and
// when conf is outside (0, 1).
func Wilson(successes, trials int, conf float64) Interval {
	z := normalCritical("Wilson", conf)
	if trials < 0 || successes < 0 || successes > trials {
		panic(fmt.Sprintf("risk.Wilson: %d successes in %d trials", successes, trials))
	}
	if trials == 0 {
		return nanInterval()
	}
	return wilsonScore(successes, trials, float64(trials), z)
}

// WilsonClusters returns the share p̂ = x/n of successes = x in trials = n
// that fall into clusters = G independent clusters whose trials may depend
// on each other (the runs of every cell on one Monte Carlo path share its
// prices), with Wilson's score interval computed as if there were G trials:
// the Wilson formula with p̂ and n replaced by G. For G clusters of m trials
// with intra-cluster correlation ρ ∈ [0, 1], Var(p̂) = p(1 − p)/(Gm) ·
// (1 + (m − 1)ρ) ≤ p(1 − p)/G (the design effect, Kish 1965, §5.4), so
// G is a floor on the effective number of trials and the interval is
// conservative whatever the dependence within clusters; with G = n it is
// Wilson(x, n). With one cluster (one price history) it is as wide as one
// trial allows. Lo = 0 when x = 0 and Hi = 1 when x = n, as in Wilson.
//
// trials = 0 gives an all-NaN Interval. It panics when trials < 0,
// successes < 0, successes > trials, clusters < 1 or clusters > trials when
// trials > 0, and when conf is outside (0, 1).
func WilsonClusters(successes, trials, clusters int, conf float64) Interval {
	z := normalCritical("WilsonClusters", conf)
	if trials < 0 || successes < 0 || successes > trials {
		panic(fmt.Sprintf("risk.WilsonClusters: %d successes in %d trials", successes, trials))
	}
	if trials == 0 {
		return nanInterval()
	}
	if clusters < 1 || clusters > trials {
		panic(fmt.Sprintf("risk.WilsonClusters: %d clusters for %d trials", clusters, trials))
	}
	return wilsonScore(successes, trials, float64(clusters), z)
}

// wilsonScore is the Wilson interval around p̂ = successes/trials with n
// trials in the formula (n = trials for Wilson, the number of clusters for
// WilsonClusters) and critical value z.
func wilsonScore(successes, trials int, n, z float64) Interval {
	p := float64(successes) / float64(trials)
	z2 := z * z
	den := 1 + z2/n
	centre := (p + z2/(2*n)) / den
	half := z / den * math.Sqrt(p*(1-p)/n+z2/(4*n*n))
	iv := Interval{Estimate: p, Lo: centre - half, Hi: centre + half}
	if successes == 0 {
		iv.Lo = 0
	}
	if successes == trials {
		iv.Hi = 1
	}
	iv.Lo, iv.Hi = math.Max(iv.Lo, 0), math.Min(iv.Hi, 1)
	return iv
}

// PoissonRate returns the rate k/E of events = k in exposure = E with the
// exact (Garwood 1936) interval at level conf, from chi-square quantiles
// (Ulm 1990):
//
//	Lo = χ²(α/2; 2k) / (2E)        (Lo = 0 when k = 0)
//	Hi = χ²(1 − α/2; 2k + 2) / (2E)
//
// where χ²(p; ν) is the p-quantile of the chi-square distribution with ν
// degrees of freedom. Each tail holds at most α/2 (the interval is
// conservative). For liquidations per 1,000 positions pass E = positions ÷
// 1000; for liquidations per year pass E in years.
//
// An exposure that is not positive and finite (0, negative, NaN, +Inf) gives
// an all-NaN Interval. It panics when events < 0 and when conf is outside
// (0, 1).
func PoissonRate(events int, exposure float64, conf float64) Interval {
	ha := checkConf("PoissonRate", conf)
	if events < 0 {
		panic(fmt.Sprintf("risk.PoissonRate: %d events", events))
	}
	if !(exposure > 0) || math.IsInf(exposure, 1) {
		return nanInterval()
	}
	k := float64(events)
	iv := Interval{Estimate: k / exposure}
	if events > 0 {
		iv.Lo = distuv.ChiSquared{K: 2 * k}.Quantile(ha) / 2 / exposure
	}
	iv.Hi = distuv.ChiSquared{K: 2*k + 2}.Quantile(1-ha) / 2 / exposure
	return iv
}
