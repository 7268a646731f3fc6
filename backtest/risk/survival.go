package risk

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// SurvivalPoint is one step of a Kaplan–Meier curve: from Time on (until the
// next point) the estimated survival is Survival, with a pointwise
// confidence interval [Lo, Hi] and Greenwood standard error StdErr. AtRisk
// is the number still under observation just before Time (including those
// censored at Time) and Events the number of events at Time.
type SurvivalPoint struct {
	Time, Survival, Lo, Hi float64
	AtRisk, Events         int
	// StdErr is Greenwood's standard error √Var(Ŝ) (0 at the starting point,
	// NaN once Ŝ has reached 0, where Greenwood's sum diverges).
	StdErr float64
}

// KaplanMeier returns the Kaplan–Meier (1958) product-limit estimate of the
// survival function from right-censored durations: times[i] is the time to
// the event (observed[i] true) or to censoring (observed[i] false), for
// example the time to a run's first liquidation, censored at the run's end
// when it never liquidated.
//
// The result starts with the point (0, 1) — AtRisk the number of
// observations, Events 0, Lo = Hi = 1 — and then holds one point per distinct
// event time t_j, in increasing order:
//
//	Ŝ(t_j) = Π_{i≤j} (1 − d_i/n_i)
//	Var(Ŝ(t_j)) = Ŝ(t_j)² · Σ_{i≤j} d_i / (n_i (n_i − d_i))     (Greenwood 1926)
//
// with n_i at risk just before t_i and d_i events at t_i. Observations
// censored at an event time count as at risk at it (the usual convention).
//
// The interval is the log-log ("log(−log)") transform of Kalbfleisch &
// Prentice (2002, §1.4) and Collett (2015, §2.2.3), the default of Stata's
// sts list and of R survfit(conf.type = "log-log"): with
// σ = √(Σ d_i/(n_i(n_i − d_i))) / |ln Ŝ| and z = Φ⁻¹(1 − α/2),
//
//	Lo = Ŝ^exp(+z·σ),   Hi = Ŝ^exp(−z·σ)
//
// It always lies inside (0, 1), unlike the plain Greenwood interval
// Ŝ ± z·√Var, and covers better in small samples. Once Ŝ reaches 0 (every
// remaining subject failed at one time) Lo = Hi = 0 and StdErr is NaN.
//
// Observations with a NaN or negative time are skipped. With none left, or
// with every observation censored, the result is the starting point alone.
// Events at time 0 give a second point at time 0. It panics when the lengths
// of times and observed differ and when conf is outside (0, 1).
func KaplanMeier(times []float64, observed []bool, conf float64) []SurvivalPoint {
	z := normalCritical("KaplanMeier", conf)
	if len(times) != len(observed) {
		panic(fmt.Sprintf("risk.KaplanMeier: %d times but %d observed flags", len(times), len(observed)))
	}
	type obs struct {
		t     float64
		event bool
	}
	data := make([]obs, 0, len(times))
	events := 0
	for i, t := range times {
		if t >= 0 { // false for NaN
			data = append(data, obs{t, observed[i]})
			if observed[i] {
				events++
			}
		}
	}
	slices.SortFunc(data, func(a, b obs) int { return cmp.Compare(a.t, b.t) })

	out := make([]SurvivalPoint, 1, 1+events) // at most one point per event
	out[0] = SurvivalPoint{Time: 0, Survival: 1, Lo: 1, Hi: 1, AtRisk: len(data)}
	s, sum := 1.0, 0.0
	for i := 0; i < len(data); {
		t := data[i].t
		atRisk, d := len(data)-i, 0
		for ; i < len(data) && data[i].t == t; i++ {
			if data[i].event {
				d++
			}
		}
		if d == 0 {
			continue
		}
		p := SurvivalPoint{Time: t, AtRisk: atRisk, Events: d}
		if d == atRisk {
			s = 0
			p.StdErr = math.NaN()
		} else {
			n := float64(atRisk)
			s *= 1 - float64(d)/n
			sum += float64(d) / (n * (n - float64(d)))
			p.StdErr = s * math.Sqrt(sum)
			sigma := math.Sqrt(sum) / math.Abs(math.Log(s))
			p.Lo = math.Pow(s, math.Exp(z*sigma))
			p.Hi = math.Pow(s, math.Exp(-z*sigma))
		}
		p.Survival = s
		out = append(out, p)
	}
	return out
}
