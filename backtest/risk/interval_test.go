package risk

import (
	"math"
	"testing"
)

// TestWilsonNewcombe checks the Wilson score interval (method 3, no continuity
// correction) against the worked examples of Newcombe, R. G. (1998),
// "Two-sided confidence intervals for the single proportion: comparison of
// seven methods", Statistics in Medicine 17:857–872, Table I, given there to
// four decimals. The values were also recomputed independently from the
// closed form before being written here.
func TestWilsonNewcombe(t *testing.T) {
	tests := []struct {
		name      string
		x, n      int
		est       float64
		lo, hi    float64
		exactEdge bool // Lo == 0 exactly
	}{
		{"81/263", 81, 263, 81.0 / 263, 0.2553, 0.3662, false},
		{"15/148", 15, 148, 15.0 / 148, 0.0624, 0.1605, false},
		{"0/20", 0, 20, 0, 0.0000, 0.1611, true},
		{"1/29", 1, 29, 1.0 / 29, 0.0061, 0.1718, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			iv := Wilson(tt.x, tt.n, 0.95)
			checkNear(t, "Estimate", iv.Estimate, tt.est, 1e-15)
			checkNear(t, "Lo", iv.Lo, tt.lo, 0.5e-4)
			checkNear(t, "Hi", iv.Hi, tt.hi, 0.5e-4)
			if tt.exactEdge && iv.Lo != 0 {
				t.Errorf("Lo = %v, want exactly 0", iv.Lo)
			}
		})
	}
}

// TestWilsonEdges: no trials carry no information; all successes mirror no
// successes (the interval is symmetric under x → n − x, p → 1 − p).
func TestWilsonEdges(t *testing.T) {
	if iv := Wilson(0, 0, 0.95); !isNaNInterval(iv) {
		t.Errorf("Wilson(0, 0) = %+v, want all NaN", iv)
	}
	all, none := Wilson(20, 20, 0.95), Wilson(0, 20, 0.95)
	if all.Hi != 1 || all.Estimate != 1 {
		t.Errorf("Wilson(20, 20) = %+v, want Estimate = Hi = 1 exactly", all)
	}
	checkNear(t, "Wilson(20,20).Lo", all.Lo, 1-none.Hi, 1e-15)
	checkNear(t, "Wilson(20,20).Lo (Newcombe 1998, Table I mirror of 0/20)", all.Lo, 1-0.1611, 0.5e-4)
	// A wider level gives a wider interval.
	w90, w99 := Wilson(15, 148, 0.90), Wilson(15, 148, 0.99)
	if !(w99.Lo < w90.Lo && w99.Hi > w90.Hi) {
		t.Errorf("99%% interval %+v not wider than 90%% %+v", w99, w90)
	}
	mustPanic(t, "successes > trials", "successes", func() { Wilson(3, 2, 0.95) })
	mustPanic(t, "negative successes", "successes", func() { Wilson(-1, 2, 0.95) })
	mustPanic(t, "conf 1", "confidence level", func() { Wilson(1, 2, 1) })
	mustPanic(t, "conf NaN", "confidence level", func() { Wilson(1, 2, math.NaN()) })
}

// TestPoissonRateGarwood checks the exact (Garwood 1936) interval for a
// Poisson count against the usual published 95% limits for an observed count
// k, computed with the chi-square formula of Ulm, K. (1990), "A simple method
// to calculate the confidence interval of a standardized mortality ratio
// (SMR)", Am. J. Epidemiol. 131:373–375, and listed in common tables of exact
// Poisson limits: k=0 → [0, 3.689], k=1 → [0.0253, 5.572], k=3 → [0.619,
// 8.767], k=5 → [1.6235, 11.668], k=10 → [4.7954, 18.390]. Each value was
// also recomputed by bisection on the Poisson CDF before being written here.
func TestPoissonRateGarwood(t *testing.T) {
	tests := []struct {
		k            int
		lo, hi       float64
		loTol, hiTol float64
	}{
		{0, 0, 3.689, 0, 0.5e-3},
		{1, 0.0253, 5.572, 0.5e-4, 0.5e-3},
		{3, 0.619, 8.767, 0.5e-3, 0.5e-3},
		{5, 1.6235, 11.668, 0.5e-4, 0.5e-3},
		{10, 4.7954, 18.390, 0.5e-4, 0.5e-3},
	}
	for _, tt := range tests {
		iv := PoissonRate(tt.k, 1, 0.95)
		checkNear(t, "Estimate", iv.Estimate, float64(tt.k), 0)
		checkNear(t, "Lo", iv.Lo, tt.lo, tt.loTol)
		checkNear(t, "Hi", iv.Hi, tt.hi, tt.hiTol)
	}
	// k = 0: the upper limit is −ln(α/2) in closed form.
	checkNear(t, "Hi(k=0)", PoissonRate(0, 1, 0.95).Hi, -math.Log(0.025), 1e-9)
	if lo := PoissonRate(0, 1, 0.95).Lo; lo != 0 {
		t.Errorf("Lo(k=0) = %v, want exactly 0", lo)
	}
}

// TestPoissonRateExposure: rates scale with exposure. 3 liquidations in 2,000
// positions is 1.5 per 1,000 positions (exposure 2), with the k=3 limits of
// the tables above halved; 3 in half a year is 6 per year.
func TestPoissonRateExposure(t *testing.T) {
	per1000 := PoissonRate(3, 2000.0/1000, 0.95)
	checkNear(t, "per 1,000 Estimate", per1000.Estimate, 1.5, 1e-15)
	checkNear(t, "per 1,000 Lo", per1000.Lo, 0.619/2, 0.5e-3)
	checkNear(t, "per 1,000 Hi", per1000.Hi, 8.767/2, 0.5e-3)
	perYear := PoissonRate(3, 0.5, 0.95)
	checkNear(t, "per year Estimate", perYear.Estimate, 6, 1e-15)
	checkNear(t, "per year Hi", perYear.Hi, 2*8.767, 1e-3)

	for _, e := range []float64{0, -1, math.NaN(), math.Inf(1)} {
		if iv := PoissonRate(1, e, 0.95); !isNaNInterval(iv) {
			t.Errorf("PoissonRate(1, %v) = %+v, want all NaN", e, iv)
		}
	}
	if iv := PoissonRate(0, 0, 0.95); !isNaNInterval(iv) {
		t.Errorf("PoissonRate(0, 0) = %+v, want all NaN", iv)
	}
	mustPanic(t, "negative events", "events", func() { PoissonRate(-1, 1, 0.95) })
	mustPanic(t, "conf 0", "confidence level", func() { PoissonRate(1, 1, 0) })
}
