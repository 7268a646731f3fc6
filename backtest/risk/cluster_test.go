package risk

import (
	"math"
	"slices"
	"testing"
)

// TestClusterWeights: a resample draws len(dst) clusters, so the weights
// are whole numbers summing to len(dst); the same generator state gives
// the same weights; and drawing allocates nothing.
func TestClusterWeights(t *testing.T) {
	w := make([]float64, 40)
	first := slices.Clone(ClusterWeights(w, newRand(1)))
	var sum float64
	for _, v := range first {
		if v != math.Trunc(v) || v < 0 {
			t.Fatalf("weight %v is not a count", v)
		}
		sum += v
	}
	if sum != 40 {
		t.Errorf("weights sum to %v, want 40", sum)
	}
	if again := ClusterWeights(w, newRand(1)); !slices.Equal(again, first) {
		t.Errorf("same seed, different weights:\n%v\n%v", first, again)
	}
	rng := newRand(2)
	if a := testing.AllocsPerRun(100, func() { ClusterWeights(w, rng) }); a != 0 {
		t.Errorf("ClusterWeights allocates %v times per call", a)
	}
}

// TestBootstrapRatioMean: with one observation per cluster and unit
// denominators the ratio is a sample mean, and for 5,000 normal
// observations the bootstrap-t interval must agree with Student's t
// interval (MeanCI) to a few per cent of its width: the studentised
// statistic of a mean is nearly pivotal (Efron & Tibshirani 1993, §12.5).
func TestBootstrapRatioMean(t *testing.T) {
	gen := newRand(21)
	num, den := make([]float64, 5000), make([]float64, 5000)
	for i := range num {
		num[i], den[i] = 3+2*gen.NormFloat64(), 1
	}
	iv := BootstrapRatio(num, den, 2000, 0.95, newRand(22))
	tiv := MeanCI(num, 0.95)
	checkNear(t, "Estimate", iv.Estimate, tiv.Estimate, 1e-12)
	tol := 0.05 * (tiv.Hi - tiv.Lo)
	checkNear(t, "Lo vs t interval", iv.Lo, tiv.Lo, tol)
	checkNear(t, "Hi vs t interval", iv.Hi, tiv.Hi, tol)
}

// TestBootstrapRatioRatio: the estimate is Σnum/Σden, not the mean of the
// clusters' ratios; the interval brackets it; the same seed gives the same
// interval; the inputs are left alone.
func TestBootstrapRatioRatio(t *testing.T) {
	num := []float64{0, 3, 1, 0, 8, 2, 0, 1, 5, 0, 2, 1}
	den := []float64{10, 20, 15, 5, 40, 10, 12, 8, 30, 9, 11, 10}
	n0, d0 := slices.Clone(num), slices.Clone(den)
	iv := BootstrapRatio(num, den, 2000, 0.95, newRand(3))
	checkNear(t, "Estimate", iv.Estimate, 23.0/180, 1e-15)
	if !(iv.Lo < iv.Estimate && iv.Estimate < iv.Hi) {
		t.Errorf("interval %+v does not bracket its estimate", iv)
	}
	if again := BootstrapRatio(num, den, 2000, 0.95, newRand(3)); again != iv {
		t.Errorf("same seed: %+v then %+v", iv, again)
	}
	if !slices.Equal(num, n0) || !slices.Equal(den, d0) {
		t.Error("BootstrapRatio modified its input")
	}
}

// TestBootstrapRatioEdges: NaN clusters dropped, no denominator, one
// cluster, a constant ratio, resamples without events, and the panics.
func TestBootstrapRatioEdges(t *testing.T) {
	nan := math.NaN()
	// A cluster with NaN on either side is dropped: what is left has the
	// ratio 2 in every cluster, so the interval is [2, 2].
	if iv := BootstrapRatio([]float64{2, nan, 4, 9}, []float64{1, 1, 2, nan}, 100, 0.95, newRand(1)); iv != (Interval{2, 2, 2}) {
		t.Errorf("NaN clusters / constant ratio: %+v, want [2, 2] at 2", iv)
	}
	if iv := BootstrapRatio([]float64{1, 2}, []float64{0, 0}, 100, 0.95, newRand(1)); !isNaNInterval(iv) {
		t.Errorf("no denominator: %+v, want all NaN", iv)
	}
	if iv := BootstrapRatio(nil, nil, 100, 0.95, newRand(1)); !isNaNInterval(iv) {
		t.Errorf("no cluster: %+v, want all NaN", iv)
	}
	if iv := BootstrapRatio([]float64{3}, []float64{2}, 100, 0.95, newRand(1)); iv.Estimate != 1.5 || !math.IsNaN(iv.Lo) || !math.IsNaN(iv.Hi) {
		t.Errorf("one cluster: %+v, want 1.5 with NaN bounds", iv)
	}
	// Events in one cluster of 30: a resample misses it with probability
	// (29/30)^30 ≈ 36 %, its t* is −Inf, so the upper bound is infinite.
	num, den := make([]float64, 30), make([]float64, 30)
	for i := range den {
		den[i] = 1
	}
	num[7] = 12
	if iv := BootstrapRatio(num, den, 1000, 0.95, newRand(1)); !math.IsInf(iv.Hi, 1) || iv.Estimate != 0.4 {
		t.Errorf("one cluster with events: %+v, want 0.4 with Hi = +Inf", iv)
	}
	mustPanic(t, "lengths", "2 numerators but 1 denominators", func() { BootstrapRatio([]float64{1, 2}, []float64{1}, 10, 0.95, newRand(1)) })
	mustPanic(t, "reps", "replicates", func() { BootstrapRatio(nil, nil, 0, 0.95, newRand(1)) })
	mustPanic(t, "rng", "nil *rand.Rand", func() { BootstrapRatio(nil, nil, 10, 0.95, nil) })
	mustPanic(t, "conf", "confidence level", func() { BootstrapRatio(nil, nil, 10, 0, newRand(1)) })
}

// TestClusterRateFallback: with fewer than MinClusters clusters carrying
// events ClusterRate is EpisodeRate over those clusters, with MinClusters
// or more it is the bootstrap with Lo ≥ 0.
func TestClusterRateFallback(t *testing.T) {
	events := []float64{0, 12, 0, 0, 7, 0, 0, 3, 0, 0}
	exposure := []float64{1, 1, 1, 1, 1, 1, 1, 1, 1, 1}
	iv, boot := ClusterRate(events, exposure, 500, 0.95, newRand(1))
	if boot || iv != EpisodeRate([]float64{12, 7, 3}, 10, 0.95) {
		t.Errorf("3 clusters with events: %+v (bootstrapped %v), want EpisodeRate([12 7 3], 10)", iv, boot)
	}
	events = []float64{0, 12, 1, 0, 7, 2, 0, 3, 0, 1}
	iv, boot = ClusterRate(events, exposure, 500, 0.95, newRand(1))
	if !boot || iv.Estimate != 2.6 || iv.Lo < 0 || !(iv.Hi > iv.Estimate) {
		t.Errorf("6 clusters with events: %+v (bootstrapped %v), want a bootstrap around 2.6", iv, boot)
	}
	mustPanic(t, "negative", "-1 events", func() { ClusterRate([]float64{-1}, []float64{1}, 10, 0.95, newRand(1)) })
}

// TestClusterShareFallback: a share near 0 or 1 has too few informative
// clusters and gets WilsonClusters; otherwise the bootstrap, clipped to
// [0, 1].
func TestClusterShareFallback(t *testing.T) {
	trials := []float64{4, 4, 4, 4, 4, 4, 4, 4, 4, 4}
	all := slices.Clone(trials)
	iv, boot := ClusterShare(all, trials, 500, 0.95, newRand(1))
	if boot || iv != WilsonClusters(40, 40, 10, 0.95) || iv.Hi != 1 {
		t.Errorf("every trial a success: %+v (bootstrapped %v), want WilsonClusters(40, 40, 10)", iv, boot)
	}
	some := []float64{1, 2, 0, 4, 3, 1, 0, 2, 1, 3}
	iv, boot = ClusterShare(some, trials, 500, 0.95, newRand(1))
	if !boot || iv.Estimate != 17.0/40 || iv.Lo < 0 || iv.Hi > 1 || !(iv.Lo < iv.Estimate && iv.Estimate < iv.Hi) {
		t.Errorf("mixed clusters: %+v (bootstrapped %v)", iv, boot)
	}
	if iv, _ := ClusterShare([]float64{0}, []float64{0}, 10, 0.95, newRand(1)); !isNaNInterval(iv) {
		t.Errorf("no trials: %+v, want all NaN", iv)
	}
	mustPanic(t, "successes > trials", "5 successes in 4 trials", func() { ClusterShare([]float64{5}, []float64{4}, 10, 0.95, newRand(1)) })
}

// TestWilsonClusters: with one cluster per trial it is Wilson; with fewer
// clusters it is wider around the same estimate; with one cluster it is
// the Wilson interval of a single trial at the observed share.
func TestWilsonClusters(t *testing.T) {
	if got, want := WilsonClusters(15, 148, 148, 0.95), Wilson(15, 148, 0.95); got != want {
		t.Errorf("G = n: %+v, want Wilson %+v", got, want)
	}
	narrow, wide := WilsonClusters(30, 60, 60, 0.95), WilsonClusters(30, 60, 6, 0.95)
	if !(wide.Lo < narrow.Lo && wide.Hi > narrow.Hi) || wide.Estimate != 0.5 {
		t.Errorf("6 clusters %+v not wider than 60 %+v", wide, narrow)
	}
	// One cluster, nothing happened: Hi = z²/(1 + z²) (Wilson at n = 1,
	// p̂ = 0), Lo = 0.
	z := 1.959963984540054
	one := WilsonClusters(0, 50, 1, 0.95)
	checkNear(t, "one cluster Hi", one.Hi, z*z/(1+z*z), 1e-12)
	if one.Lo != 0 || one.Estimate != 0 {
		t.Errorf("one cluster: %+v", one)
	}
	if all := WilsonClusters(50, 50, 1, 0.95); all.Hi != 1 || !near(all.Lo, 1/(1+z*z), 1e-12) {
		t.Errorf("one cluster, all successes: %+v, want [1/(1+z²), 1]", all)
	}
	if iv := WilsonClusters(0, 0, 0, 0.95); !isNaNInterval(iv) {
		t.Errorf("no trials: %+v, want all NaN", iv)
	}
	mustPanic(t, "clusters > trials", "7 clusters for 5 trials", func() { WilsonClusters(1, 5, 7, 0.95) })
	mustPanic(t, "no cluster", "0 clusters", func() { WilsonClusters(1, 5, 0, 0.95) })
	mustPanic(t, "successes", "successes", func() { WilsonClusters(6, 5, 2, 0.95) })
}

// TestEpisodeRate checks the Fay & Feuer (1997) gamma interval against
// the two cases with a closed form: when every event is its own episode it
// is the exact Garwood interval (PoissonRate), and when all episodes have
// size s it is s times the Garwood interval of the y/s episodes (12 events
// in 3 episodes of 4: 4 × the k = 3 limits 0.619 and 8.767 of
// TestPoissonRateGarwood). Unequal sizes are wider than equal sizes with
// the same total and count of episodes; no event is the k = 0 interval.
func TestEpisodeRate(t *testing.T) {
	ones := EpisodeRate([]float64{1, 0, 1, 1, 1, 1}, 2, 0.95)
	garwood := PoissonRate(5, 2, 0.95)
	checkNear(t, "ones Estimate", ones.Estimate, garwood.Estimate, 0)
	checkNear(t, "ones Lo", ones.Lo, garwood.Lo, 1e-12)
	checkNear(t, "ones Hi", ones.Hi, garwood.Hi, 1e-12)

	fours := EpisodeRate([]float64{4, 4, 4}, 1, 0.95)
	three := PoissonRate(3, 1, 0.95)
	checkNear(t, "size 4 Estimate", fours.Estimate, 12, 0)
	checkNear(t, "size 4 Lo", fours.Lo, 4*three.Lo, 1e-12)
	checkNear(t, "size 4 Hi", fours.Hi, 4*three.Hi, 1e-12)
	checkNear(t, "size 4 Lo (published)", fours.Lo, 4*0.619, 4*0.5e-3)
	checkNear(t, "size 4 Hi (published)", fours.Hi, 4*8.767, 4*0.5e-3)

	if uneven := EpisodeRate([]float64{10, 1, 1}, 1, 0.95); !(uneven.Lo < fours.Lo && uneven.Hi > fours.Hi) {
		t.Errorf("sizes 10, 1, 1: %+v, want wider than sizes 4, 4, 4: %+v", uneven, fours)
	}
	if got, want := EpisodeRate([]float64{0, 0}, 3, 0.95), PoissonRate(0, 3, 0.95); got != want {
		t.Errorf("no events: %+v, want %+v", got, want)
	}
	if iv := EpisodeRate([]float64{3}, 0, 0.95); !isNaNInterval(iv) {
		t.Errorf("no exposure: %+v, want all NaN", iv)
	}
	mustPanic(t, "negative", "-2 events", func() { EpisodeRate([]float64{1, -2}, 1, 0.95) })
	mustPanic(t, "conf", "confidence level", func() { EpisodeRate(nil, 1, 2) })
}

// TestClusterMedian: the estimate is the pooled type 7 median; the
// interval brackets it, holds sample values, and widens when the clusters
// differ (a shared shock per cluster) compared with the same values spread
// evenly; fewer than MinClusters clusters with values give no interval.
func TestClusterMedian(t *testing.T) {
	gen := newRand(31)
	const clusters, per = 30, 20
	var values, shocked []float64
	var of []int
	for c := range clusters {
		shock := 2 * gen.NormFloat64()
		for range per {
			e := gen.NormFloat64()
			values, shocked = append(values, 10+e), append(shocked, 10+shock+e)
			of = append(of, c)
		}
	}
	even := ClusterMedian(values, of, clusters, 2000, 0.95, newRand(32))
	clustered := ClusterMedian(shocked, of, clusters, 2000, 0.95, newRand(32))
	sorted := slices.Sorted(slices.Values(shocked))
	checkNear(t, "Estimate", clustered.Estimate, Quantile(sorted, 0.5), 0)
	if !(clustered.Lo < clustered.Estimate && clustered.Estimate < clustered.Hi) {
		t.Errorf("interval %+v does not bracket its estimate", clustered)
	}
	if w, w0 := clustered.Hi-clustered.Lo, even.Hi-even.Lo; w < 2*w0 {
		t.Errorf("clustered width %.3g, want well above the unclustered %.3g", w, w0)
	}
	// Without cluster effects the interval is close to the distribution-free
	// one for independent values.
	free := MedianCI(values, 0.95)
	if w, wf := even.Hi-even.Lo, free.Hi-free.Lo; w < 0.6*wf || w > 1.6*wf {
		t.Errorf("unclustered width %.3g, MedianCI's %.3g", w, wf)
	}
	few := ClusterMedian([]float64{1, 2, 3, 4, 5, 6, 7, 8}, []int{0, 0, 1, 1, 2, 2, 3, 3}, 10, 500, 0.95, newRand(1))
	if few.Estimate != 4.5 || !math.IsNaN(few.Lo) || !math.IsNaN(few.Hi) {
		t.Errorf("4 clusters with values: %+v, want 4.5 with NaN bounds", few)
	}
	if iv := ClusterMedian([]float64{math.NaN()}, []int{0}, 1, 10, 0.95, newRand(1)); !isNaNInterval(iv) {
		t.Errorf("no value: %+v, want all NaN", iv)
	}
	mustPanic(t, "index", "cluster 3 of 3", func() { ClusterMedian([]float64{1}, []int{3}, 3, 10, 0.95, newRand(1)) })
	mustPanic(t, "lengths", "2 values but 1 cluster indices", func() { ClusterMedian([]float64{1, 2}, []int{0}, 3, 10, 0.95, newRand(1)) })
}
