package data

import (
	"slices"
	"time"
)

// DetectTimeframe returns the dominant spacing of strictly increasing times:
// the most common difference between neighbours, ties going to the smaller.
// Differences of a second or more are first rounded to the nearest second,
// so millisecond jitter (Binance funding times) does not split the count.
// It returns 0 for fewer than two times.
func DetectTimeframe(times []int64) time.Duration {
	if len(times) < 2 {
		return 0
	}
	// Fast path: a step held by more than half the neighbours (every real
	// candle file) is found by a Boyer–Moore majority vote without
	// allocating. Otherwise count every step.
	cand, votes := int64(0), 0
	for i := 1; i < len(times); i++ {
		d := roundStep(times[i] - times[i-1])
		switch {
		case votes == 0:
			cand, votes = d, 1
		case d == cand:
			votes++
		default:
			votes--
		}
	}
	n := 0
	for i := 1; i < len(times); i++ {
		if roundStep(times[i]-times[i-1]) == cand {
			n++
		}
	}
	if 2*n > len(times)-1 {
		return time.Duration(cand)
	}
	diffs := make([]int64, 0, len(times)-1)
	for i := 1; i < len(times); i++ {
		diffs = append(diffs, roundStep(times[i]-times[i-1]))
	}
	slices.Sort(diffs)
	best, bestN := diffs[0], 0
	for i := 0; i < len(diffs); {
		j := i
		for j < len(diffs) && diffs[j] == diffs[i] {
			j++
		}
		if j-i > bestN {
			best, bestN = diffs[i], j-i
		}
		i = j
	}
	return time.Duration(best)
}

// roundStep rounds a step of a second or more to the nearest second.
func roundStep(d int64) int64 {
	const s = int64(time.Second)
	if d < s {
		return d
	}
	return (d + s/2) / s * s
}
