package risk

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x6d617267696e6c61)) }

// TestBootstrapMeanDiffDeterministic: the same seed gives the same interval,
// another seed a different one, and the inputs are left alone.
func TestBootstrapMeanDiffDeterministic(t *testing.T) {
	gen := newRand(7)
	a, b := make([]float64, 200), make([]float64, 200)
	for i := range a {
		b[i] = gen.NormFloat64()
		a[i] = b[i] + 0.5 + gen.NormFloat64()
	}
	a0, b0 := slices.Clone(a), slices.Clone(b)
	first := BootstrapMeanDiff(a, b, 500, 0.95, newRand(1))
	again := BootstrapMeanDiff(a, b, 500, 0.95, newRand(1))
	other := BootstrapMeanDiff(a, b, 500, 0.95, newRand(2))
	if first != again {
		t.Errorf("same seed: %+v then %+v", first, again)
	}
	if first == other {
		t.Errorf("different seeds gave the same interval %+v", first)
	}
	if first.Estimate != other.Estimate {
		t.Errorf("Estimate depends on the seed: %v vs %v", first.Estimate, other.Estimate)
	}
	if !slices.Equal(a, a0) || !slices.Equal(b, b0) {
		t.Error("BootstrapMeanDiff modified its input")
	}
}

// TestBootstrapMeanDiffConstant: constant differences have a degenerate
// bootstrap distribution, so the interval is [c, c] (Efron & Tibshirani
// 1993, ch. 13: every resample has the same mean).
func TestBootstrapMeanDiffConstant(t *testing.T) {
	a := []float64{1.25, 2.25, 3.25, 4.25, 5.25}
	b := []float64{1, 2, 3, 4, 5}
	iv := BootstrapMeanDiff(a, b, 1000, 0.95, newRand(3))
	if iv.Estimate != 0.25 || iv.Lo != 0.25 || iv.Hi != 0.25 {
		t.Errorf("constant differences: %+v, want [0.25, 0.25] at 0.25", iv)
	}
}

// TestBootstrapMeanDiffNormal: 20,000 differences drawn from N(1, 1). The
// percentile interval must cover 1, be narrow (width ≈ 2·1.96/√n ≈ 0.028) and
// agree with the t interval x̄ ± t·s/√n to within a few per cent of its
// width, as the bootstrap distribution of a mean is close to normal for
// large n (Efron & Tibshirani 1993, §13.3).
func TestBootstrapMeanDiffNormal(t *testing.T) {
	const n = 20000
	gen := newRand(11)
	a, b, d := make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range a {
		b[i] = 100 * gen.Float64()
		a[i] = b[i] + 1 + gen.NormFloat64()
		d[i] = a[i] - b[i]
	}
	iv := BootstrapMeanDiff(a, b, 2000, 0.95, newRand(12))
	if !(iv.Lo < 1 && 1 < iv.Hi) {
		t.Errorf("interval %+v does not cover 1", iv)
	}
	if w := iv.Hi - iv.Lo; w > 0.04 {
		t.Errorf("width %v, want about 0.028", w)
	}
	tiv := MeanCI(d, 0.95)
	checkNear(t, "Estimate vs mean of differences", iv.Estimate, tiv.Estimate, 1e-9)
	tol := 0.1 * (tiv.Hi - tiv.Lo)
	checkNear(t, "Lo vs t interval", iv.Lo, tiv.Lo, tol)
	checkNear(t, "Hi vs t interval", iv.Hi, tiv.Hi, tol)
}

// TestBootstrapTwoPoint has an exact bootstrap distribution: resampling
// {0, 1} twice, the mean is 0, ½ or 1 with probabilities ¼, ½, ¼, so with
// many replicates the 2.5% and 97.5% percentiles are 0 and 1.
func TestBootstrapTwoPoint(t *testing.T) {
	iv := Bootstrap([]float64{0, 1}, mean, 10000, 0.95, newRand(5))
	if iv != (Interval{0.5, 0, 1}) {
		t.Errorf("two-point bootstrap = %+v, want 0.5 in [0, 1]", iv)
	}
	// At 40% only the middle of the distribution is left: both bounds ½.
	if iv := Bootstrap([]float64{0, 1}, mean, 10000, 0.40, newRand(5)); iv != (Interval{0.5, 0.5, 0.5}) {
		t.Errorf("two-point bootstrap at 40%% = %+v, want [0.5, 0.5]", iv)
	}
}

// TestBootstrapMatchesMeanDiff: the generic Bootstrap of the mean of the
// differences draws the same indices as BootstrapMeanDiff and gives the same
// interval bit for bit.
func TestBootstrapMatchesMeanDiff(t *testing.T) {
	gen := newRand(9)
	a, b, d := make([]float64, 300), make([]float64, 300), make([]float64, 300)
	for i := range a {
		a[i], b[i] = gen.ExpFloat64(), gen.ExpFloat64()
		d[i] = a[i] - b[i]
	}
	want := BootstrapMeanDiff(a, b, 400, 0.9, newRand(4))
	if got := Bootstrap(d, mean, 400, 0.9, newRand(4)); got != want {
		t.Errorf("Bootstrap(mean) = %+v, BootstrapMeanDiff = %+v", got, want)
	}
}

// TestBootstrapEdges: NaN handling, empty input, NaN statistics and the
// documented panics.
func TestBootstrapEdges(t *testing.T) {
	// A pair with NaN on either side is dropped.
	a := []float64{1, math.NaN(), 3, 4}
	b := []float64{0, 0, math.NaN(), 3}
	if iv := BootstrapMeanDiff(a, b, 100, 0.95, newRand(1)); iv != (Interval{1, 1, 1}) {
		t.Errorf("NaN pairs: %+v, want [1, 1] at 1", iv)
	}
	if iv := BootstrapMeanDiff(nil, nil, 100, 0.95, newRand(1)); !isNaNInterval(iv) {
		t.Errorf("empty: %+v, want all NaN", iv)
	}
	if iv := Bootstrap([]float64{math.NaN()}, mean, 100, 0.95, newRand(1)); !isNaNInterval(iv) {
		t.Errorf("all NaN: %+v, want all NaN", iv)
	}
	// NaN values never reach stat.
	sawNaN := false
	Bootstrap([]float64{1, math.NaN(), 2}, func(x []float64) float64 {
		sawNaN = sawNaN || slices.ContainsFunc(x, math.IsNaN)
		return mean(x)
	}, 50, 0.95, newRand(1))
	if sawNaN {
		t.Error("stat saw a NaN")
	}
	// A statistic that is NaN on some resamples gives NaN bounds.
	nanOnZero := func(x []float64) float64 {
		if m := mean(x); m != 0 {
			return m
		}
		return math.NaN()
	}
	if iv := Bootstrap([]float64{0, 1}, nanOnZero, 100, 0.95, newRand(1)); iv.Estimate != 0.5 || !math.IsNaN(iv.Lo) || !math.IsNaN(iv.Hi) {
		t.Errorf("NaN replicates: %+v, want 0.5 with NaN bounds", iv)
	}
	mustPanic(t, "length mismatch", "lengths 2 and 1", func() { BootstrapMeanDiff([]float64{1, 2}, []float64{1}, 10, 0.95, newRand(1)) })
	mustPanic(t, "reps 0", "replicates", func() { BootstrapMeanDiff(nil, nil, 0, 0.95, newRand(1)) })
	mustPanic(t, "nil rng", "nil *rand.Rand", func() { Bootstrap([]float64{1}, mean, 10, 0.95, nil) })
	mustPanic(t, "nil stat", "nil stat", func() { Bootstrap([]float64{1}, nil, 10, 0.95, newRand(1)) })
	mustPanic(t, "conf", "confidence level", func() { Bootstrap([]float64{1}, mean, 10, 1.5, newRand(1)) })
}

// TestBootstrapSingleObservation: one value (or one pair) gives its
// estimate and no interval; resampling it would claim a zero-width one.
func TestBootstrapSingleObservation(t *testing.T) {
	iv := BootstrapMeanDiff([]float64{3, math.NaN()}, []float64{1, 2}, 100, 0.95, newRand(1))
	if iv.Estimate != 2 || !math.IsNaN(iv.Lo) || !math.IsNaN(iv.Hi) {
		t.Errorf("one pair: %+v, want 2 with NaN bounds", iv)
	}
	mean := func(x []float64) float64 { return x[0] }
	iv = Bootstrap([]float64{math.NaN(), 5}, mean, 100, 0.95, newRand(1))
	if iv.Estimate != 5 || !math.IsNaN(iv.Lo) || !math.IsNaN(iv.Hi) {
		t.Errorf("one value: %+v, want 5 with NaN bounds", iv)
	}
}
