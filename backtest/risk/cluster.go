package risk

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/stat/distuv"
)

// ClusterWeights fills dst with the multiplicities of one bootstrap resample
// of len(dst) independent clusters: len(dst) clusters are drawn uniformly
// with replacement and dst[i] is the number of times cluster i was drawn,
// so Σ dst = len(dst). Evaluating a statistic with cluster i's data counted
// dst[i] times is evaluating it on the resample. It returns dst and
// allocates nothing; each draw is one rng.IntN(len(dst)), so the resample is
// a function of the generator's state alone.
func ClusterWeights(dst []float64, rng *rand.Rand) []float64 {
	clear(dst)
	n := len(dst)
	for range n {
		dst[rng.IntN(n)]++
	}
	return dst
}

// MinClusters is the fewest clusters that must carry events (liquidations,
// a non-zero difference, values) before ClusterRate, ClusterShare and
// ClusterMedian trust a bootstrap. With fewer, the bootstrap distribution
// is a handful of atoms and its intervals are too narrow (a rate's upper
// limit especially), so they fall back to an interval that does not need
// the bootstrap, or to none.
const MinClusters = 5

// ClusterRate returns the rate Σ events / Σ exposure over independent
// clusters (Monte Carlo paths, blocks of time) with an interval at level
// conf that respects the clustering of events, and whether it was
// bootstrapped. When at least MinClusters clusters have events it is
// BootstrapRatio(events, exposure) with Lo clipped at 0 (a rate is not
// negative); otherwise it is EpisodeRate, which takes each cluster with
// events as one episode. Events are counts (whole numbers ≥ 0) and
// exposures positive; NaN entries drop their cluster. It panics on the
// conditions of BootstrapRatio and when an event count is negative.
func ClusterRate(events, exposure []float64, reps int, conf float64, rng *rand.Rand) (iv Interval, bootstrapped bool) {
	if len(events) != len(exposure) {
		panic(fmt.Sprintf("risk.ClusterRate: %d event counts but %d exposures", len(events), len(exposure)))
	}
	checkBootstrap("ClusterRate", reps, conf, rng)
	var e float64
	counts := make([]float64, 0, len(events))
	for i, x := range events {
		if math.IsNaN(x) || math.IsNaN(exposure[i]) {
			continue
		}
		if x < 0 {
			panic(fmt.Sprintf("risk.ClusterRate: %v events in cluster %d", x, i))
		}
		e += exposure[i]
		if x > 0 {
			counts = append(counts, x)
		}
	}
	if len(counts) < MinClusters {
		return EpisodeRate(counts, e, conf), false
	}
	iv = BootstrapRatio(events, exposure, reps, conf, rng)
	iv.Lo = math.Max(iv.Lo, 0)
	return iv, true
}

// ClusterShare returns the share Σ successes / Σ trials of trials that fall
// into independent clusters (the runs of a Monte Carlo path share its
// prices), with an interval at level conf and whether it was bootstrapped.
// When at least MinClusters clusters have a success and at least
// MinClusters have a failure it is BootstrapRatio(successes, trials)
// clipped to [0, 1]; otherwise it is WilsonClusters, which counts each
// cluster as one trial and is conservative whatever the dependence (a share
// near 0 or 1 has too few informative clusters for a bootstrap). Counts
// are whole numbers with 0 ≤ successes[i] ≤ trials[i]; it panics otherwise
// and on the conditions of BootstrapRatio. Clusters without trials are
// ignored; none left gives an all-NaN Interval.
func ClusterShare(successes, trials []float64, reps int, conf float64, rng *rand.Rand) (iv Interval, bootstrapped bool) {
	if len(successes) != len(trials) {
		panic(fmt.Sprintf("risk.ClusterShare: %d success counts but %d trial counts", len(successes), len(trials)))
	}
	checkBootstrap("ClusterShare", reps, conf, rng)
	var x, n float64
	clusters, withSuccess, withFailure := 0, 0, 0
	for i, s := range successes {
		if !(s >= 0 && s <= trials[i]) {
			panic(fmt.Sprintf("risk.ClusterShare: %v successes in %v trials in cluster %d", s, trials[i], i))
		}
		if trials[i] == 0 {
			continue
		}
		x, n = x+s, n+trials[i]
		clusters++
		if s > 0 {
			withSuccess++
		}
		if s < trials[i] {
			withFailure++
		}
	}
	if clusters == 0 {
		return nanInterval(), false
	}
	if min(withSuccess, withFailure) < MinClusters {
		return WilsonClusters(int(x), int(n), clusters, conf), false
	}
	iv = BootstrapRatio(successes, trials, reps, conf, rng)
	iv.Lo, iv.Hi = math.Max(iv.Lo, 0), math.Min(iv.Hi, 1)
	return iv, true
}

// BootstrapRatio returns the ratio estimator R̂ = Σ num[i] / Σ den[i] over G
// independent clusters i (Monte Carlo paths, blocks of time), with a
// studentised cluster bootstrap interval at level conf. Use it for rates
// whose events cluster: liquidations (num) per 1,000 positions opened (den =
// positions ÷ 1000) or per run-year (den = years), one entry per path or per
// block of time; for a share (runs with a liquidation over runs, per path);
// or for a mean difference over pairs grouped by path (Σ differences over
// the number of pairs).
//
// A resample draws G clusters with replacement (ClusterWeights: weights w)
// and keeps each cluster's numerator and denominator together, so whatever
// happens inside a cluster (one crash liquidating many positions, every
// cell run on one price path) travels together and only the clusters are
// assumed independent (Davison & Hinkley 1997, §3.8; Field & Welsh 2007).
// Each resample's ratio is studentised by its linearisation (delta-method)
// standard error (Cochran 1977, §6.3; Davison & Hinkley 1997, §2.7.2):
//
//	R*  = Σ w_i·num_i / Σ w_i·den_i
//	se* = √(Σ w_i·(num_i − R*·den_i)²) / Σ w_i·den_i
//	t*  = (R* − R̂) / se*
//	Lo  = R̂ − Q₇(t*; 1 − α/2)·ŝe,   Hi = R̂ − Q₇(t*; α/2)·ŝe
//
// with ŝe the same standard error at w = (1, …, 1) and Q₇ the type 7
// quantile (the bootstrap-t interval: Efron & Tibshirani 1993, §12.5;
// Davison & Hinkley 1997, §5.2). Unlike the percentile interval it
// corrects for the skewness of event counts: in this package's coverage
// tests (clustered liquidations, 50 clusters) it covers 94.8–96.6 % at
// 95 %, where the exact Poisson interval, which treats events as
// independent, covers 49–72 %; the percentile interval covered 89–93 % in
// such regimes at 30–50 clusters. The price is width when a few clusters
// carry most events (a handful of crashes): then the upper limit is far
// out, and moves with the seed, because the data hold only a handful of
// crashes.
//
// A resample whose denominator is 0 says nothing about the ratio and is
// discarded. One whose clusters all have the same ratio has se* = 0 and
// t* = ±Inf (0 when R* = R̂): when more than α/2 of the resamples are like
// that (for example resamples without any event), a bound is infinite,
// which is the honest answer. The interval is not clipped: a caller that
// knows the ratio's range (a rate is ≥ 0, a share in [0, 1]) clips it.
//
// Clusters with NaN in num or den are dropped (the package convention).
// With no cluster left or Σ den = 0 the result is all NaN; with one cluster
// the estimate has NaN bounds; when every cluster has the same ratio
// (ŝe = 0) the interval is [R̂, R̂]. With few clusters, or few that carry
// the events, no bootstrap is trustworthy: callers should require
// MinClusters clusters with events and fall back otherwise, as ClusterRate
// and ClusterShare do. The draws come from rng alone. It panics when
// len(num) != len(den), reps < 1, rng is nil or conf is outside (0, 1).
func BootstrapRatio(num, den []float64, reps int, conf float64, rng *rand.Rand) Interval {
	if len(num) != len(den) {
		panic(fmt.Sprintf("risk.BootstrapRatio: %d numerators but %d denominators", len(num), len(den)))
	}
	ha := checkBootstrap("BootstrapRatio", reps, conf, rng)
	n, d := make([]float64, 0, len(num)), make([]float64, 0, len(den))
	for i := range num {
		if !math.IsNaN(num[i]) && !math.IsNaN(den[i]) {
			n, d = append(n, num[i]), append(d, den[i])
		}
	}
	w := make([]float64, len(n))
	for i := range w {
		w[i] = 1
	}
	r, se := ratioSE(n, d, w)
	switch {
	case math.IsNaN(r):
		return nanInterval()
	case len(n) == 1:
		return Interval{Estimate: r, Lo: math.NaN(), Hi: math.NaN()}
	case se == 0:
		return Interval{Estimate: r, Lo: r, Hi: r}
	}
	t := make([]float64, 0, reps)
	for range reps {
		rs, ses := ratioSE(n, d, ClusterWeights(w, rng))
		switch {
		case math.IsNaN(rs):
			// no denominator in this resample
		case rs == r:
			t = append(t, 0)
		default:
			t = append(t, (rs-r)/ses) // ±Inf when ses = 0
		}
	}
	if len(t) == 0 {
		return Interval{Estimate: r, Lo: math.NaN(), Hi: math.NaN()}
	}
	slices.Sort(t)
	return Interval{Estimate: r, Lo: r - quantile7(t, 1-ha)*se, Hi: r - quantile7(t, ha)*se}
}

// ratioSE returns R = Σ w·num / Σ w·den and its linearisation standard
// error √(Σ w·(num − R·den)²) / Σ w·den; NaN for both when Σ w·den = 0.
// It allocates nothing.
func ratioSE(num, den, w []float64) (ratio, se float64) {
	var sn, sd float64
	for i, wi := range w {
		sn += wi * num[i]
		sd += wi * den[i]
	}
	if sd == 0 {
		return math.NaN(), math.NaN()
	}
	ratio = sn / sd
	var ss float64
	for i, wi := range w {
		e := num[i] - ratio*den[i]
		ss += wi * e * e
	}
	return ratio, math.Sqrt(ss) / sd
}

// ClusterMedian returns the median (type 7, see Quantile) of the pooled
// values, each belonging to one of clusters independent clusters (values[k]
// to cluster[k], 0 ≤ cluster[k] < clusters), with Woodruff's (1952)
// interval made cluster-aware: the share of values at or below the median,
//
//	F̂(m̂) = Σ_c #{k in c: values[k] ≤ m̂} / Σ_c #{k in c}
//
// is a ratio over clusters, so BootstrapRatio gives its interval
// [F_lo, F_hi]; inverting it through the pooled sample's quantiles gives
//
//	Lo = Q₇(½ − (F̂ − F_lo)),   Hi = Q₇(½ + (F_hi − F̂))
//
// (probabilities clipped to [0, 1]). Woodruff intervals are the survey
// statistician's quantile interval under cluster sampling (Francisco &
// Fuller 1991; Sitter & Wu 2001). Use it for loss per liquidation when the
// liquidations of one crash (one path, one block of time) are not
// independent of each other; the distribution-free MedianCI assumes they
// are. In this package's tests it covers 95.4 % at 95 % with 40 clusters
// (MedianCI: 53.6 %); a percentile bootstrap of the median covered 63–92 %
// at 10–50 clusters while the method was chosen.
//
// Clusters without values still count: they are part of the sampling
// design. With fewer than MinClusters clusters holding values there is no
// interval (NaN Lo and Hi): the losses of a few crashes say little about
// the next one. NaN values are dropped. No value gives an all-NaN
// Interval; when BootstrapRatio gives no interval for F̂, Lo and Hi are
// NaN. It panics when len(values) != len(cluster), when a cluster index is out of
// range and on the conditions of BootstrapRatio.
func ClusterMedian(values []float64, cluster []int, clusters int, reps int, conf float64, rng *rand.Rand) Interval {
	if len(values) != len(cluster) {
		panic(fmt.Sprintf("risk.ClusterMedian: %d values but %d cluster indices", len(values), len(cluster)))
	}
	checkBootstrap("ClusterMedian", reps, conf, rng)
	for k, c := range cluster {
		if c < 0 || c >= clusters {
			panic(fmt.Sprintf("risk.ClusterMedian: value %d in cluster %d of %d", k, c, clusters))
		}
	}
	sorted := dropNaN(values)
	if len(sorted) == 0 {
		return nanInterval()
	}
	slices.Sort(sorted)
	m := quantile7(sorted, 0.5)
	below, count := make([]float64, clusters), make([]float64, clusters)
	for k, x := range values {
		if math.IsNaN(x) {
			continue
		}
		count[cluster[k]]++
		if x <= m {
			below[cluster[k]]++
		}
	}
	withValues := 0
	for _, c := range count {
		if c > 0 {
			withValues++
		}
	}
	if withValues < MinClusters {
		return Interval{Estimate: m, Lo: math.NaN(), Hi: math.NaN()}
	}
	f := BootstrapRatio(below, count, reps, conf, rng)
	if math.IsNaN(f.Lo) || math.IsNaN(f.Hi) {
		return Interval{Estimate: m, Lo: math.NaN(), Hi: math.NaN()}
	}
	pLo := math.Max(0, 0.5-(f.Estimate-f.Lo))
	pHi := math.Min(1, 0.5+(f.Hi-f.Estimate))
	return Interval{Estimate: m, Lo: quantile7(sorted, pLo), Hi: quantile7(sorted, pHi)}
}

// EpisodeRate returns the rate y/E of events that arrive in episodes, with
// the gamma interval of Fay & Feuer (1997): events[i] is the number of
// events in cluster i (the liquidations of one block of time or one path;
// clusters without events may be listed, they change nothing), E the
// exposure. Each cluster with events is taken as one Poisson episode whose
// size is its count, so the total y = Σ x_i is a weighted sum of Poisson
// counts with the unbiased variance estimate V = Σ x_i², and with
// w = max x_i and χ²(p; ν) the chi-square p-quantile at (real) ν degrees of
// freedom,
//
//	Lo = V / (2·y·E) · χ²(α/2; 2y²/V)
//	Hi = (V + w²) / (2·(y + w)·E) · χ²(1 − α/2; 2(y + w)² / (V + w²))
//
// When every event is its own episode (all x_i = 1) this is the exact
// Garwood interval PoissonRate(y, E); when all episodes have size s it is s
// times the Garwood interval of the y/s episodes; unequal sizes widen it
// as their spread demands. It is the fallback of ClusterRate when too few
// clusters carry events for a bootstrap: much wider, and more honest, than
// PoissonRate(y, E), which treats every event as independent. It cannot
// see what the data do not hold: a history too short to contain a crash
// gives an interval for a world without crashes. With no event it is
// PoissonRate(0, E), whose upper limit assumes one event per episode.
//
// NaN counts are skipped. An exposure that is not positive and finite
// gives an all-NaN Interval. It panics when a count is negative and when
// conf is outside (0, 1).
func EpisodeRate(events []float64, exposure, conf float64) Interval {
	ha := checkConf("EpisodeRate", conf)
	var y, v, w float64
	for i, x := range events {
		if x < 0 {
			panic(fmt.Sprintf("risk.EpisodeRate: %v events in cluster %d", x, i))
		}
		if x > 0 { // false for NaN
			y, v, w = y+x, v+x*x, math.Max(w, x)
		}
	}
	if y == 0 || !(exposure > 0) || math.IsInf(exposure, 1) {
		return PoissonRate(0, exposure, conf)
	}
	lo := v / (2 * y * exposure) * distuv.ChiSquared{K: 2 * y * y / v}.Quantile(ha)
	hi := (v + w*w) / (2 * (y + w) * exposure) * distuv.ChiSquared{K: 2 * (y + w) * (y + w) / (v + w*w)}.Quantile(1-ha)
	return Interval{Estimate: y / exposure, Lo: lo, Hi: hi}
}
