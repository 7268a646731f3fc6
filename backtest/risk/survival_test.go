package risk

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// sixMP is the 6-MP arm of Freireich, E. J. et al. (1963), "The effect of
// 6-mercaptopurine on the duration of steroid-induced remissions in acute
// leukemia", Blood 21:699–716: remission times in weeks, false = censored
// (the starred times 6*, 9*, 10*, 11*, 17*, 19*, 20*, 25*, 32*, 32*, 34*,
// 35*). The data are KMsurv::drug6mp (t2, relapse) and MASS::gehan
// (treat == "6-MP") in R.
var sixMP = struct {
	times    []float64
	observed []bool
}{
	times: []float64{6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35},
	observed: []bool{true, true, true, false, true, false, true, false, false, true, true, false,
		false, false, true, true, false, false, false, false, false},
}

// sixMPTable holds the published Kaplan–Meier analysis of sixMP at each
// event time:
//   - n, d and Ŝ(t) from Kleinbaum, D. G. & Klein, M. (2012), Survival
//     Analysis: A Self-Learning Text, 3rd ed., Springer, ch. 2 (the 6-MP
//     group's KM table), also Klein, J. P. & Moeschberger, M. L. (2003),
//     Survival Analysis, 2nd ed., Springer, Table 4.1A (with Greenwood SEs);
//   - Greenwood standard errors and the "log" interval S·exp(±z·SE/S) as
//     printed by R: summary(survfit(Surv(t2, relapse) ~ 1, data = drug6mp))
//     (survival package, default conf.type = "log"), reproduced verbatim in
//     many course notes (time 6: 0.857 0.0764 0.720 1.000 … time 23: 0.448
//     0.1346 0.249 0.807);
//   - the log-log interval, the method KaplanMeier implements, as printed by
//     R's survfit(..., conf.type = "log-log") and by Stata's sts list, whose
//     default it is (Kalbfleisch & Prentice 2002, §1.4; Collett 2015,
//     §2.2.3). These were also recomputed independently from the closed form.
var sixMPTable = []struct {
	time         float64
	n, d         int
	s, se        float64
	logLo, logHi float64 // conf.type = "log" (R default), upper clipped at 1
	llLo, llHi   float64 // conf.type = "log-log"
}{
	{6, 21, 3, 0.8571, 0.0764, 0.720, 1.000, 0.620, 0.952},
	{7, 17, 1, 0.8067, 0.0869, 0.653, 0.996, 0.563, 0.923},
	{10, 15, 1, 0.7529, 0.0963, 0.586, 0.968, 0.503, 0.889},
	{13, 12, 1, 0.6902, 0.1068, 0.510, 0.935, 0.432, 0.849},
	{16, 11, 1, 0.6275, 0.1141, 0.439, 0.896, 0.368, 0.805},
	{22, 7, 1, 0.5378, 0.1282, 0.337, 0.858, 0.268, 0.747},
	{23, 6, 1, 0.4482, 0.1346, 0.249, 0.807, 0.188, 0.680},
}

// TestKaplanMeierFreireich checks KaplanMeier on the 6-MP leukaemia data
// against the published estimates, Greenwood standard errors and intervals
// (sources at sixMPTable).
func TestKaplanMeierFreireich(t *testing.T) {
	got := KaplanMeier(sixMP.times, sixMP.observed, 0.95)
	if len(got) != 1+len(sixMPTable) {
		t.Fatalf("got %d points, want %d: %+v", len(got), 1+len(sixMPTable), got)
	}
	if start := got[0]; start != (SurvivalPoint{Time: 0, Survival: 1, Lo: 1, Hi: 1, AtRisk: 21}) {
		t.Errorf("start = %+v, want (0, 1) with 21 at risk", start)
	}
	z := 1.959963984540054
	for i, want := range sixMPTable {
		p := got[i+1]
		if p.Time != want.time || p.AtRisk != want.n || p.Events != want.d {
			t.Errorf("point %d: time %v n %d d %d, want %v %d %d", i+1, p.Time, p.AtRisk, p.Events, want.time, want.n, want.d)
		}
		checkNear(t, "Survival", p.Survival, want.s, 0.5e-4)
		checkNear(t, "StdErr (Greenwood)", p.StdErr, want.se, 0.5e-4)
		// The R default (log) interval, from the Greenwood SE returned.
		logLo := p.Survival * math.Exp(-z*p.StdErr/p.Survival)
		logHi := math.Min(1, p.Survival*math.Exp(z*p.StdErr/p.Survival))
		checkNear(t, "log-transform Lo", logLo, want.logLo, 0.5e-3)
		checkNear(t, "log-transform Hi", logHi, want.logHi, 0.5e-3)
		// The method implemented: log-log.
		checkNear(t, "Lo (log-log)", p.Lo, want.llLo, 0.5e-3)
		checkNear(t, "Hi (log-log)", p.Hi, want.llHi, 0.5e-3)
		if !(0 < p.Lo && p.Lo < p.Survival && p.Survival < p.Hi && p.Hi < 1) {
			t.Errorf("point %d: interval [%v, %v] does not bracket %v inside (0, 1)", i+1, p.Lo, p.Hi, p.Survival)
		}
	}
}

// TestKaplanMeierOrderInvariant: the input order does not matter and the
// inputs are not modified.
func TestKaplanMeierOrderInvariant(t *testing.T) {
	want := KaplanMeier(sixMP.times, sixMP.observed, 0.95)
	rng := rand.New(rand.NewPCG(1, 2))
	times, obs := slices.Clone(sixMP.times), slices.Clone(sixMP.observed)
	for range 10 {
		rng.Shuffle(len(times), func(i, j int) {
			times[i], times[j] = times[j], times[i]
			obs[i], obs[j] = obs[j], obs[i]
		})
		t0, o0 := slices.Clone(times), slices.Clone(obs)
		if got := KaplanMeier(times, obs, 0.95); !slices.Equal(got, want) {
			t.Fatalf("shuffled input gave %+v, want %+v", got, want)
		}
		if !slices.Equal(times, t0) || !slices.Equal(obs, o0) {
			t.Fatal("KaplanMeier modified its input")
		}
	}
}

// TestKaplanMeierEdges covers empty input, all censored, NaN and negative
// times, a curve that reaches zero and events at time zero.
func TestKaplanMeierEdges(t *testing.T) {
	start := func(n int) SurvivalPoint { return SurvivalPoint{Survival: 1, Lo: 1, Hi: 1, AtRisk: n} }

	if got := KaplanMeier(nil, nil, 0.95); !slices.Equal(got, []SurvivalPoint{start(0)}) {
		t.Errorf("empty: %+v", got)
	}
	if got := KaplanMeier([]float64{1, 2, 3}, []bool{false, false, false}, 0.95); !slices.Equal(got, []SurvivalPoint{start(3)}) {
		t.Errorf("all censored: %+v", got)
	}
	// NaN and negative times are skipped.
	got := KaplanMeier([]float64{math.NaN(), -1, 2, 4}, []bool{true, true, true, false}, 0.95)
	if len(got) != 2 || got[0].AtRisk != 2 || got[1].Time != 2 || got[1].Survival != 0.5 || got[1].AtRisk != 2 {
		t.Errorf("NaN/negative skipped: %+v", got)
	}
	// Everyone fails: S reaches 0, interval collapses, Greenwood undefined.
	got = KaplanMeier([]float64{1, 2}, []bool{true, true}, 0.95)
	if len(got) != 3 || got[1].Survival != 0.5 || got[2].Survival != 0 || got[2].Lo != 0 || got[2].Hi != 0 || !math.IsNaN(got[2].StdErr) {
		t.Errorf("curve to zero: %+v", got)
	}
	// Greenwood at one event out of two: Var = 0.5²·1/(2·1), SE = 0.5·√0.5.
	checkNear(t, "SE after 1 of 2", got[1].StdErr, 0.5*math.Sqrt(0.5), 1e-15)
	// Censored at an event time: still at risk at it.
	got = KaplanMeier([]float64{3, 3, 5}, []bool{true, false, true}, 0.95)
	if got[1].AtRisk != 3 || got[1].Events != 1 || !near(got[1].Survival, 2.0/3, 1e-15) || got[2].AtRisk != 1 || got[2].Survival != 0 {
		t.Errorf("tie of event and censoring: %+v", got)
	}
	// Events at time 0 give a second point at time 0.
	got = KaplanMeier([]float64{0, 1}, []bool{true, false}, 0.95)
	if len(got) != 2 || got[1].Time != 0 || got[1].Survival != 0.5 {
		t.Errorf("event at 0: %+v", got)
	}
	mustPanic(t, "length mismatch", "observed flags", func() { KaplanMeier([]float64{1}, nil, 0.95) })
	mustPanic(t, "conf", "confidence level", func() { KaplanMeier(nil, nil, 95) })
}
