package risk

import (
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

// The coverage tests simulate the situation the cluster-aware intervals are
// for, with a known truth, many times over, and count how often a 95 %
// interval covers the truth.
//
// A replicate is one market of G independent clusters (Monte Carlo paths,
// or blocks of time of one history). Cluster g opens n_g positions, n_g
// uniform on [n/2, 3n/2), and draws its own per-position liquidation
// probability p_g; its liquidations are Binomial(n_g, p_g). A crash that
// raises every position's risk at once is a high p_g, so liquidations
// within a cluster are correlated and the count is over-dispersed; the
// truth, liquidations per 1,000 positions, is 1000·E[p_g]. Two laws of
// p_g:
//   - beta: p_g ~ Beta with mean p and intra-cluster correlation ρ
//     (Beta(p·(1/ρ − 1), (1 − p)·(1/ρ − 1))), a beta-binomial count with
//     design effect 1 + (n − 1)ρ;
//   - crash: p_g = pCrash with probability q, else pCalm (a few crash
//     clusters carry most liquidations, as a real history does).
//
// With R replicates the coverage estimate has a Monte Carlo standard error
// √(0.95·0.05/R): 0.49 % at R = 2,000, so two standard errors are ±1 %
// and the asserted band 93–97 % sits at least two standard errors away
// from every coverage it is asserted on (94.8–95.6 %, below). The seed is fixed, so
// the test is deterministic; the band is there so that a change of seed,
// or a harmless change of the code, does not fail it.

// rateRegime is one law of the clustered liquidation process.
type rateRegime struct {
	name      string
	clusters  int
	positions int     // mean positions per cluster, n
	p, rho    float64 // beta law: mean and intra-cluster correlation
	q         float64 // crash law (q > 0): probability that a cluster crashes
	pCrash    float64 // … its per-position liquidation probability
	pCalm     float64 // … otherwise
}

// truth is the rate per 1,000 positions.
func (r rateRegime) truth() float64 {
	if r.q > 0 {
		return 1000 * (r.q*r.pCrash + (1-r.q)*r.pCalm)
	}
	return 1000 * r.p
}

// simulate fills events and exposure (positions ÷ 1000) with one replicate.
func (r rateRegime) simulate(events, exposure []float64, gen *rand.Rand) {
	for g := range events {
		n := r.positions/2 + gen.IntN(r.positions)
		var p float64
		switch {
		case r.q > 0 && gen.Float64() < r.q:
			p = r.pCrash
		case r.q > 0:
			p = r.pCalm
		default:
			s := 1/r.rho - 1
			p = distuv.Beta{Alpha: r.p * s, Beta: (1 - r.p) * s, Src: gen}.Rand()
		}
		k := 0
		for range n {
			if gen.Float64() < p {
				k++
			}
		}
		events[g], exposure[g] = float64(k), float64(n)/1000
	}
}

// rateCoverage returns the share of replicates whose naive (PoissonRate
// over the pooled count) and cluster-aware (ClusterRate) 95 % intervals
// cover the truth, and the share where ClusterRate fell back.
func rateCoverage(r rateRegime, replicates, reps int, seed uint64) (naive, cluster, fellBack float64) {
	gen, boot := newRand(seed), newRand(seed+1)
	events, exposure := make([]float64, r.clusters), make([]float64, r.clusters)
	truth := r.truth()
	covers := func(iv Interval) float64 {
		if iv.Lo <= truth && truth <= iv.Hi {
			return 1
		}
		return 0
	}
	for range replicates {
		r.simulate(events, exposure, gen)
		var k, e float64
		for g := range events {
			k, e = k+events[g], e+exposure[g]
		}
		naive += covers(PoissonRate(int(k), e, 0.95))
		iv, bootstrapped := ClusterRate(events, exposure, reps, 0.95, boot)
		cluster += covers(iv)
		if !bootstrapped {
			fellBack++
		}
	}
	n := float64(replicates)
	return naive / n, cluster / n, fellBack / n
}

// TestClusterRateCoverage is issue 12's "done when" for rates: on
// clustered liquidations with a known rate, the 95 % interval of
// ClusterRate covers the truth 93–97 % of the time, and the exact Poisson
// interval that treats liquidations as independent does not (< 90 %).
//
// 2,000 replicates per regime, 2,000 bootstrap resamples each (the
// report's default), 50 clusters (a year of history in the report's
// blocks of ⌈365^(1/3)⌉ ≈ 7 days, or 50 Monte Carlo paths). Measured with
// this seed (coverage naive → cluster):
//
//	beta, ~1 liquidation per cluster, ρ = 0.05:   72.1 % → 94.8 %
//	beta, ~5 liquidations per cluster, ρ = 0.05:  56.9 % → 95.6 %
//	crash, 10 % of clusters crash:                48.8 % → 96.6 % (one-sided)
//
// The crash regime is held to ≥ 93 % only: there the bootstrap-t errs
// on the wide side (96.6–96.8 % at 50 and 100 clusters), too close to 97 %
// for a two-sided band. Known weaker
// regimes, measured while choosing the method and documented rather than
// asserted: 30 clusters of which ~3 crash (92.8 %), and ~0.2 liquidations
// per cluster (89–92 %: most replicates fall back to EpisodeRate,
// and a replicate without any liquidation gets an upper limit that cannot
// know the clustering). The percentile bootstrap covered 89–93 % in the
// regimes asserted here, which is why BootstrapRatio studentises.
//
// Under -short a quarter of the replicates run (MC error ±2 % at 2σ) and
// the band widens to 91–98.5 %.
func TestClusterRateCoverage(t *testing.T) {
	replicates, lo, hi := 2000, 0.93, 0.97
	if testing.Short() {
		replicates, lo, hi = 500, 0.91, 0.985
	}
	regimes := []struct {
		rateRegime
		oneSided bool
	}{
		{rateRegime{name: "beta, 1 per cluster", clusters: 50, positions: 50, p: 0.02, rho: 0.05}, false},
		{rateRegime{name: "beta, 5 per cluster", clusters: 50, positions: 100, p: 0.05, rho: 0.05}, false},
		{rateRegime{name: "crash", clusters: 50, positions: 50, q: 0.1, pCrash: 0.2, pCalm: 0.005}, true},
	}
	for k, r := range regimes {
		t.Run(r.name, func(t *testing.T) {
			naive, cluster, fellBack := rateCoverage(r.rateRegime, replicates, 2000, uint64(100+k))
			t.Logf("%s (truth %.4g per 1,000): naive %.3f, cluster %.3f (%.1f %% fell back), %d replicates",
				r.name, r.truth(), naive, cluster, 100*fellBack, replicates)
			if naive >= 0.90 {
				t.Errorf("the naive Poisson interval covers %.3f: the regime is not clustered enough to test anything", naive)
			}
			if cluster < lo || !r.oneSided && cluster > hi {
				t.Errorf("ClusterRate covers %.3f, want %.3f–%.3f", cluster, lo, hi)
			}
		})
	}
}

// TestClusterShareCoverage: P(≥1 liquidation) over runs that share paths.
// Each of G paths runs m = 12 cells; a path's cells liquidate with a
// probability drawn per path from Beta(0.6, 1.4) (mean 0.3, intra-path
// correlation 1/3: one path's crash liquidates many cells). The naive
// Wilson interval over runs covers 61.6 %; ClusterShare 95.2 %.
// 1,000 replicates (MC error ±1.4 % at 2σ), band 93–98.5 %.
func TestClusterShareCoverage(t *testing.T) {
	replicates := 1000
	if testing.Short() {
		replicates = 300
	}
	const G, m, p = 40, 12, 0.3
	gen, boot := newRand(7), newRand(8)
	succ, trials := make([]float64, G), make([]float64, G)
	var naive, cluster float64
	for range replicates {
		var x int
		for g := range succ {
			pg := distuv.Beta{Alpha: 2 * p, Beta: 2 * (1 - p), Src: gen}.Rand()
			k := 0
			for range m {
				if gen.Float64() < pg {
					k++
				}
			}
			succ[g], trials[g], x = float64(k), m, x+k
		}
		if iv := Wilson(x, G*m, 0.95); iv.Lo <= p && p <= iv.Hi {
			naive++
		}
		if iv, _ := ClusterShare(succ, trials, 2000, 0.95, boot); iv.Lo <= p && p <= iv.Hi {
			cluster++
		}
	}
	naive, cluster = naive/float64(replicates), cluster/float64(replicates)
	t.Logf("P(≥1 liquidation), %d paths × %d cells: naive Wilson %.3f, ClusterShare %.3f, %d replicates", G, m, naive, cluster, replicates)
	if naive >= 0.90 {
		t.Errorf("naive Wilson covers %.3f: not clustered enough to test anything", naive)
	}
	if cluster < 0.93 || cluster > 0.985 {
		t.Errorf("ClusterShare covers %.3f, want 0.93–0.985", cluster)
	}
}

// TestClusterMedianCoverage: loss per liquidation when each cluster (a
// crash) shifts its liquidations' losses by a common shock. Cluster g has,
// with probability ½, 1–20 liquidations whose losses are 10 + u_g + e
// (u_g ~ N(0, τ²) per cluster, e ~ N(0, 1) per liquidation), so the true
// median is 10. With τ = 1.5 the distribution-free MedianCI, which assumes
// independent losses, covers 53.6 %, ClusterMedian 95.4 %. 1,000 replicates of 40 clusters
// (MC error ±1.4 % at 2σ), band 92–98.5 %.
func TestClusterMedianCoverage(t *testing.T) {
	replicates := 1000
	if testing.Short() {
		replicates = 300
	}
	const G, tau = 40, 1.5
	gen, boot := newRand(9), newRand(10)
	var naive, cluster float64
	for range replicates {
		var values []float64
		var of []int
		for g := range G {
			if gen.IntN(2) == 0 {
				continue
			}
			shock := tau * gen.NormFloat64()
			for range 1 + gen.IntN(20) {
				values, of = append(values, 10+shock+gen.NormFloat64()), append(of, g)
			}
		}
		if iv := MedianCI(values, 0.95); iv.Lo <= 10 && 10 <= iv.Hi {
			naive++
		}
		if iv := ClusterMedian(values, of, G, 2000, 0.95, boot); iv.Lo <= 10 && 10 <= iv.Hi {
			cluster++
		}
	}
	naive, cluster = naive/float64(replicates), cluster/float64(replicates)
	t.Logf("median loss, %d clusters: naive MedianCI %.3f, ClusterMedian %.3f, %d replicates", G, naive, cluster, replicates)
	if naive >= 0.90 {
		t.Errorf("naive MedianCI covers %.3f: not clustered enough to test anything", naive)
	}
	if cluster < 0.92 || cluster > 0.985 {
		t.Errorf("ClusterMedian covers %.3f, want 0.92–0.985", cluster)
	}
}
