package reports

import (
	"fmt"
	"math"
	"strconv"

	"github.com/marginlab/marginlab/backtest/risk"
)

// num prints a number compactly: up to 3 significant decimals.
func num(x float64) string {
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
func pctText(x float64) string { return num(x) + " %" }

// pctOf prints a fraction as a percentage.
func pctOf(x float64) string { return pctText(100 * x) }

func rangeText(iv risk.Interval) string { return "[" + num(iv.Lo) + ", " + num(iv.Hi) + "]" }

func pctInterval(iv risk.Interval) string {
	return fmt.Sprintf("%s [%s, %s]", pctOf(iv.Estimate), num(100*iv.Lo), num(100*iv.Hi)+" %")
}

func confText(conf float64) string { return num(100*conf) + " %" }
