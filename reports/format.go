package reports

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/marginlab/marginlab/backtest/risk"
)

// num prints a number compactly: integers without decimals, otherwise
// two decimals below 10, one below 100, none above. A value that rounds
// to zero prints without a minus sign.
func num(x float64) string {
	s := numRaw(x)
	if strings.HasPrefix(s, "-") && strings.Trim(s, "-0.") == "" {
		return s[1:]
	}
	return s
}

func numRaw(x float64) string {
	switch {
	case math.IsNaN(x):
		return "–"
	case math.IsInf(x, 0):
		return "∞"
	case x == math.Trunc(x) && math.Abs(x) < 1e9:
		return strconv.FormatFloat(x, 'f', 0, 64)
	case math.Abs(x) >= 100:
		return strconv.FormatFloat(x, 'f', 0, 64)
	case math.Abs(x) >= 10:
		return strconv.FormatFloat(x, 'f', 1, 64)
	}
	return strconv.FormatFloat(x, 'f', 2, 64)
}

// pctText prints a percentage already in percent.
func pctText(x float64) string {
	if math.IsNaN(x) {
		return num(x)
	}
	return num(x) + " %"
}

// pctOf prints a fraction as a percentage.
func pctOf(x float64) string { return pctText(100 * x) }

func rangeText(iv risk.Interval) string { return "[" + num(iv.Lo) + ", " + num(iv.Hi) + "]" }

func pctInterval(iv risk.Interval) string {
	if math.IsNaN(iv.Lo) && math.IsNaN(iv.Hi) {
		return pctOf(iv.Estimate)
	}
	return fmt.Sprintf("%s [%s, %s]", pctOf(iv.Estimate), num(100*iv.Lo), num(100*iv.Hi)+" %")
}

func confText(conf float64) string { return num(100*conf) + " %" }

// plural prints a count with its noun: "1 cell", "3 cells".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// diffUnit is how a paired difference prints: counts as they are,
// fractions in percentage points.
func diffUnit(p PairedDiff) (scale float64, unit string) {
	if p.Unit == UnitFraction {
		return 100, " pp"
	}
	return 1, ""
}

// diffText prints a paired difference's estimate.
func diffText(p PairedDiff) string {
	scale, unit := diffUnit(p)
	return num(scale*p.Diff.Estimate) + unit
}

// diffInterval prints a paired difference's interval in diffText's unit.
func diffInterval(p PairedDiff) string {
	if math.IsNaN(p.Diff.Lo) && math.IsNaN(p.Diff.Hi) {
		return "–" // why: the resampling notes
	}
	scale, unit := diffUnit(p)
	return "[" + num(scale*p.Diff.Lo) + ", " + num(scale*p.Diff.Hi) + "]" + unit
}

// header says what the report covers.
func header(r *Report) string {
	return fmt.Sprintf("Results `%.12s`: %s × %s, %s; modes %s; intervals %s.", r.Sweep.Hash, plural(r.Sweep.Cells, "cell"),
		plural(r.Sweep.Paths, "path"), plural(r.Sweep.Runs, "run"), strings.Join(r.Sweep.Modes, ", "), confText(r.Conf))
}

// lossText prints a median loss in percent with its interval when it has
// one: "23.8 % [22.9, 24.6 %]".
func lossText(iv risk.Interval) string {
	if math.IsNaN(iv.Lo) {
		return pctText(iv.Estimate)
	}
	return fmt.Sprintf("%s [%s, %s]", pctText(iv.Estimate), num(iv.Lo), pctText(iv.Hi))
}
