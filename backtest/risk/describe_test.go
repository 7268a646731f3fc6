package risk

import (
	"math"
	"slices"
	"testing"
)

// TestQuantileType7 checks Quantile against the type 7 (linear
// interpolation) definition of Hyndman & Fan (1996) as computed by R's
// quantile(x, p) (default type = 7) and numpy.quantile (default method
// "linear"), using examples from their documentation and common usage:
//   - R: quantile(c(1, 2, 3, 4), 0.25) = 1.75
//   - R: quantile(1:10, c(0.1, 0.5, 0.9)) = 1.9, 5.5, 9.1
//   - numpy docs: a = [[10, 7, 4], [3, 2, 1]]; np.quantile(a, 0.5) = 3.5
//   - numpy: np.quantile([1, 2, 3, 4, 5], 0.95) = 4.8
func TestQuantileType7(t *testing.T) {
	oneToTen := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	tests := []struct {
		name   string
		sorted []float64
		p      float64
		want   float64
	}{
		{"R 1:4 at 0.25", []float64{1, 2, 3, 4}, 0.25, 1.75},
		{"R 1:10 at 0.1", oneToTen, 0.1, 1.9},
		{"R 1:10 at 0.5", oneToTen, 0.5, 5.5},
		{"R 1:10 at 0.9", oneToTen, 0.9, 9.1},
		{"numpy docs median", []float64{1, 2, 3, 4, 7, 10}, 0.5, 3.5},
		{"numpy 1..5 at 0.95", []float64{1, 2, 3, 4, 5}, 0.95, 4.8},
		{"median of 3", []float64{1, 2, 3}, 0.5, 2},
		{"min", []float64{1, 2, 3}, 0, 1},
		{"max", []float64{1, 2, 3}, 1, 3},
		{"single", []float64{7}, 0.3, 7},
		{"+Inf at max", []float64{1, math.Inf(1)}, 0, 1},
	}
	for _, tt := range tests {
		checkNear(t, tt.name, Quantile(tt.sorted, tt.p), tt.want, 1e-12)
	}
	// Infinite order statistics interpolate as R's quantile() does
	// ((1 − h)·x_j + h·x_(j+1)): quantile(c(-Inf, 1), 0.5) = -Inf,
	// quantile(c(1, Inf), 0.5) = Inf, quantile(c(Inf, Inf), 0.5) = Inf (the
	// plain formula would give NaN from Inf − Inf).
	inf := math.Inf(1)
	for _, tt := range []struct {
		sorted []float64
		want   float64
	}{{[]float64{-inf, 1}, -inf}, {[]float64{1, inf}, inf}, {[]float64{inf, inf}, inf}, {[]float64{-inf, -inf, 2}, -inf}} {
		if q := Quantile(tt.sorted, 0.5); q != tt.want {
			t.Errorf("Quantile(%v, 0.5) = %v, want %v", tt.sorted, q, tt.want)
		}
	}
	if q := Quantile(nil, 0.5); !math.IsNaN(q) {
		t.Errorf("Quantile(empty) = %v, want NaN", q)
	}
	mustPanic(t, "unsorted", "not sorted", func() { Quantile([]float64{2, 1}, 0.5) })
	mustPanic(t, "p > 1", "outside [0, 1]", func() { Quantile([]float64{1, 2}, 1.5) })
	mustPanic(t, "p NaN", "outside [0, 1]", func() { Quantile([]float64{1, 2}, math.NaN()) })
}

// TestDescribe: median of [3, 1, 2] is 2 (R median, numpy.median); the 95th
// percentile of 1..5 is 4.8 (type 7, as above); NaN values are ignored and
// the input is left alone.
func TestDescribe(t *testing.T) {
	if d := Describe([]float64{3, 1, 2}); d != (Dist{N: 3, Mean: 2, Median: 2, P95: 2.9, Worst: 3}) {
		t.Errorf("Describe([3 1 2]) = %+v", d)
	}
	x := []float64{5, math.NaN(), 1, 3, 2, 4}
	orig := slices.Clone(x)
	d := Describe(x)
	if d.N != 5 || d.Mean != 3 || d.Median != 3 || !near(d.P95, 4.8, 1e-12) || d.Worst != 5 {
		t.Errorf("Describe(%v) = %+v, want N 5 mean 3 median 3 p95 4.8 worst 5", x, d)
	}
	if !slices.EqualFunc(x, orig, func(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) }) {
		t.Errorf("Describe modified its input: %v", x)
	}
	for _, empty := range [][]float64{nil, {}, {math.NaN(), math.NaN()}} {
		d := Describe(empty)
		if d.N != 0 || !math.IsNaN(d.Mean) || !math.IsNaN(d.Median) || !math.IsNaN(d.P95) || !math.IsNaN(d.Worst) {
			t.Errorf("Describe(%v) = %+v, want N 0 and NaNs", empty, d)
		}
	}
}

// sleepDiff is Student's (1908) sleep data (Cushny & Peebles 1905), R's
// datasets::sleep: extra hours of sleep under drug 2 minus drug 1 for ten
// patients.
var sleepDiff = []float64{1.2, 2.4, 1.3, 1.3, 0.0, 1.0, 1.8, 0.8, 4.6, 1.4}

// TestMeanCIStudentSleep checks MeanCI against R's documented paired t-test
// on the sleep data (example(sleep), example(t.test)):
// t.test(extra[group == 2], extra[group == 1], paired = TRUE) gives mean
// difference 1.58 and 95 percent confidence interval [0.7001142, 2.4598858]
// (Student 1908, Biometrika 6:1–25, analysed these differences).
func TestMeanCIStudentSleep(t *testing.T) {
	iv := MeanCI(sleepDiff, 0.95)
	checkNear(t, "Estimate", iv.Estimate, 1.58, 1e-12)
	checkNear(t, "Lo", iv.Lo, 0.7001142, 0.5e-7)
	checkNear(t, "Hi", iv.Hi, 2.4598858, 0.5e-7)
	// NaN is ignored.
	if got := MeanCI(append(slices.Clone(sleepDiff), math.NaN()), 0.95); got != iv {
		t.Errorf("with a NaN: %+v, want %+v", got, iv)
	}
	if iv := MeanCI(nil, 0.95); !isNaNInterval(iv) {
		t.Errorf("MeanCI(empty) = %+v, want all NaN", iv)
	}
	if iv := MeanCI([]float64{4}, 0.95); iv.Estimate != 4 || !math.IsNaN(iv.Lo) || !math.IsNaN(iv.Hi) {
		t.Errorf("MeanCI([4]) = %+v, want 4 with NaN bounds", iv)
	}
	if iv := MeanCI([]float64{2, 2, 2}, 0.95); iv != (Interval{2, 2, 2}) {
		t.Errorf("MeanCI(constant) = %+v, want degenerate at 2", iv)
	}
	mustPanic(t, "conf", "confidence level", func() { MeanCI(sleepDiff, -0.5) })
}

// TestMedianCIRanks: the ranks of the distribution-free median interval
// given by the binomial (Conover 1999, §3.2) and tabulated for small n by
// Campbell & Gardner (1988, BMJ 296:1454): at 95 %, n = 6 → (1, 6),
// n = 20 → (6, 15); at 99 %, n = 20 → (4, 17); n = 5 is too small for
// 95 %. For n = 100 the same paper's normal approximation,
// n/2 ∓ 1.96·√n/2 (+1 for the upper rank), rounds to (40, 61), as the
// binomial gives. The sample 1…n (shuffled) makes x_(r) = r.
func TestMedianCIRanks(t *testing.T) {
	gen := newRand(5)
	for _, tc := range []struct {
		n      int
		conf   float64
		lo, hi float64
	}{{6, 0.95, 1, 6}, {20, 0.95, 6, 15}, {100, 0.95, 40, 61}, {20, 0.99, 4, 17}, {5, 0.95, math.NaN(), math.NaN()}} {
		x := make([]float64, tc.n)
		for i := range x {
			x[i] = float64(i + 1)
		}
		gen.Shuffle(len(x), func(i, j int) { x[i], x[j] = x[j], x[i] })
		iv := MedianCI(x, tc.conf)
		if iv.Estimate != float64(tc.n+1)/2 || !sameFloat(iv.Lo, tc.lo) || !sameFloat(iv.Hi, tc.hi) {
			t.Errorf("n=%d conf=%v: %+v, want median %v in [%v, %v]", tc.n, tc.conf, iv, float64(tc.n+1)/2, tc.lo, tc.hi)
		}
	}
	if iv := MedianCI([]float64{math.NaN()}, 0.95); !isNaNInterval(iv) {
		t.Errorf("all NaN: %+v", iv)
	}
	mustPanic(t, "conf", "confidence level", func() { MedianCI([]float64{1}, 1) })
}

// TestMedianCICoverage: over 4,000 samples of 30 exponential values the
// interval holds the true median ln 2 at least as often as promised
// (exact coverage 1 − 2·P(B ≤ 9) = 0.957 for n = 30; the simulation's
// standard error is about 0.003).
func TestMedianCICoverage(t *testing.T) {
	gen := newRand(9)
	hits := 0
	x := make([]float64, 30)
	for range 4000 {
		for i := range x {
			x[i] = gen.ExpFloat64()
		}
		if iv := MedianCI(x, 0.95); iv.Lo <= math.Ln2 && math.Ln2 <= iv.Hi {
			hits++
		}
	}
	if cov := float64(hits) / 4000; cov < 0.945 || cov > 0.97 {
		t.Errorf("coverage %.4f, want about 0.957", cov)
	}
}

func sameFloat(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) }
