package figures

import (
	"math"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/plot"
)

// logTicks marks a log axis at 1, 2 and 5 × 10ᵏ (labelled) and the other
// integers × 10ᵏ (unlabelled), which reads better than plot.LogTicks'
// powers of ten alone on a leverage axis.
type logTicks struct{}

// Ticks implements plot.Ticker.
func (logTicks) Ticks(min, max float64) []plot.Tick {
	if !(min > 0) || !(max >= min) || !finite(min) || !finite(max) {
		return nil
	}
	var ticks []plot.Tick
	const eps = 1e-9
	for k := math.Floor(math.Log10(min)) - 1; k <= math.Ceil(math.Log10(max)); k++ {
		base := math.Pow(10, k)
		for m := 1; m <= 9; m++ {
			v := float64(m) * base
			if v < min*(1-eps) || v > max*(1+eps) {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 || m == 2 || m == 5 {
				t.Label = strconv.FormatFloat(v, 'g', 6, 64)
			}
			ticks = append(ticks, t)
		}
	}
	return ticks
}

// calendarStep is a spacing of date ticks: a fixed number of seconds or a
// number of calendar months.
type calendarStep struct {
	seconds int64
	months  int
	format  string // time layout of the labels
}

// calendarSteps are the candidate spacings, finest first.
var calendarSteps = []calendarStep{
	{seconds: 60, format: "15:04"},
	{seconds: 5 * 60, format: "15:04"},
	{seconds: 15 * 60, format: "15:04"},
	{seconds: 30 * 60, format: "15:04"},
	{seconds: 3600, format: "Jan 2 15:04"},
	{seconds: 3 * 3600, format: "Jan 2 15:04"},
	{seconds: 6 * 3600, format: "Jan 2 15:04"},
	{seconds: 12 * 3600, format: "Jan 2 15:04"},
	{seconds: 86400, format: "2006-01-02"},
	{seconds: 2 * 86400, format: "2006-01-02"},
	{seconds: 7 * 86400, format: "2006-01-02"},
	{seconds: 14 * 86400, format: "2006-01-02"},
	{months: 1, format: "Jan 2006"},
	{months: 2, format: "Jan 2006"},
	{months: 3, format: "Jan 2006"},
	{months: 6, format: "Jan 2006"},
	{months: 12, format: "2006"},
	{months: 24, format: "2006"},
	{months: 60, format: "2006"},
	{months: 120, format: "2006"},
	{months: 240, format: "2006"},
}

// maxDateTicks is the most labelled date ticks on an axis.
const maxDateTicks = 6

// calendarTicks places ticks on calendar boundaries (midnights, Mondays,
// first days of months and years, UTC) for an axis in Unix seconds. Its
// labels are set by plot.TimeTicks, with the layout from dateFormat.
type calendarTicks struct{}

// Ticks implements plot.Ticker.
func (calendarTicks) Ticks(min, max float64) []plot.Tick {
	if !finite(min) || !finite(max) || max <= min {
		return nil
	}
	step := chooseStep(min, max)
	vs := stepValues(step, min, max)
	if len(vs) < 2 {
		// Shorter than a minute or one boundary only: fall back to
		// plain nice numbers.
		return plot.DefaultTicks{}.Ticks(min, max)
	}
	ticks := make([]plot.Tick, len(vs))
	for i, v := range vs {
		ticks[i] = plot.Tick{Value: v, Label: "x"} // TimeTicks replaces the label
	}
	return ticks
}

// dateFormat returns the label layout calendarTicks uses for [min, max].
func dateFormat(min, max float64) string {
	if !finite(min) || !finite(max) || max <= min {
		return "2006-01-02"
	}
	s := chooseStep(min, max)
	if len(stepValues(s, min, max)) < 2 {
		return "15:04:05"
	}
	return s.format
}

// chooseStep returns the finest step giving at most maxDateTicks ticks.
func chooseStep(min, max float64) calendarStep {
	for _, s := range calendarSteps {
		if n := countSteps(s, min, max); n <= maxDateTicks {
			return s
		}
	}
	return calendarSteps[len(calendarSteps)-1]
}

// countSteps estimates the number of ticks step s puts in [min, max].
func countSteps(s calendarStep, min, max float64) int {
	span := max - min
	if s.seconds > 0 {
		return int(span / float64(s.seconds))
	}
	return int(span / (float64(s.months) * 30.44 * 86400))
}

// stepValues returns the tick values (Unix seconds) of step s in [min, max].
func stepValues(s calendarStep, min, max float64) []float64 {
	var vs []float64
	if s.seconds > 0 {
		st := float64(s.seconds)
		off := 0.0
		if s.seconds == 7*86400 || s.seconds == 14*86400 {
			off = 4 * 86400 // the Unix epoch is a Thursday: align to Mondays
		}
		for v := math.Ceil((min-off)/st)*st + off; v <= max; v += st {
			vs = append(vs, v)
		}
		return vs
	}
	t := time.Unix(int64(math.Floor(min)), 0).UTC()
	// First day of the first month at or after min whose index is a
	// multiple of s.months.
	m := t.Year()*12 + int(t.Month()) - 1
	if t.Day() != 1 || t.Hour() != 0 || t.Minute() != 0 || t.Second() != 0 || float64(t.Unix()) < min {
		m++
	}
	if r := m % s.months; r != 0 {
		m += s.months - r
	}
	for ; ; m += s.months {
		v := float64(time.Date(m/12, time.Month(m%12+1), 1, 0, 0, 0, 0, time.UTC).Unix())
		if v > max {
			break
		}
		vs = append(vs, v)
	}
	return vs
}

// dateAxis turns a's ticks into UTC dates on calendar boundaries for data
// in Unix seconds from min to max.
func dateAxis(a *plot.Axis, min, max float64) {
	a.Tick.Marker = plot.TimeTicks{
		Ticker: calendarTicks{},
		Format: dateFormat(min, max),
		Time:   plot.UTCUnixTime,
	}
}

// niceTicks marks a linear axis with about six labelled ticks (gonum's
// default aims at three) at a 1, 2, 2.5 or 5 × 10ᵏ step, labels grouped in
// thousands from 10,000 on.
type niceTicks struct{}

// targetTicks is the number of labelled ticks niceTicks aims at.
const targetTicks = 6

// Ticks implements plot.Ticker.
func (niceTicks) Ticks(min, max float64) []plot.Tick {
	if !finite(min) || !finite(max) || max <= min {
		return nil
	}
	// The 1, 2, 2.5 or 5 × 10ᵏ step whose tick count is nearest the
	// target, the larger step on a tie.
	raw := (max - min) / (targetTicks - 1)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step, best := 0.0, math.MaxInt
	for _, mm := range []float64{mag / 10, mag, mag * 10} {
		for _, m := range []float64{1, 2, 2.5, 5} {
			st := m * mm
			n := int(math.Floor(max/st+1e-9) - math.Ceil(min/st-1e-9) + 1)
			if d := abs(n - targetTicks); d < best || d == best && st > step {
				step, best = st, d
			}
		}
	}
	// Decimals: none from 10ᵉ on, −e below; a 2.5 × 10ᵉ step needs one more.
	e := int(math.Floor(math.Log10(step) + 1e-9))
	prec := max0(-e)
	if m := step / math.Pow(10, float64(e)); math.Abs(m-2.5) < 1e-9 {
		prec = max0(1 - e)
	}
	var ticks []plot.Tick
	for k := math.Ceil(min/step - 1e-9); k*step <= max+step*1e-9; k++ {
		v := k * step
		if math.Abs(v) < step*1e-9 {
			v = 0
		}
		ticks = append(ticks, plot.Tick{Value: v})
	}
	// Group thousands on the whole axis when a label reaches 10,000, so
	// one axis never mixes "7500" and "10,000".
	group := false
	for _, t := range ticks {
		group = group || math.Abs(t.Value) >= 1e4
	}
	for k := range ticks {
		ticks[k].Label = formatTick(ticks[k].Value, prec, group)
	}
	return ticks
}

// formatTick formats v with prec decimals, grouping thousands with commas
// when group is set.
func formatTick(v float64, prec int, group bool) string {
	if math.Abs(v) >= 1e15 {
		return strconv.FormatFloat(v, 'g', 4, 64)
	}
	s := strconv.FormatFloat(v, 'f', prec, 64)
	if !group {
		return s
	}
	sign := ""
	if s[0] == '-' {
		sign, s = "-", s[1:]
	}
	frac := ""
	if i := strings.IndexByte(s, '.'); i >= 0 {
		s, frac = s[:i], s[i:]
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return sign + s + frac
}

// abs returns |n|.
func abs(n int) int { return max(n, -n) }

// max0 returns n, or 0 if n is negative.
func max0(n int) int { return max(n, 0) }
