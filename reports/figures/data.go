package figures

import (
	"fmt"

	"gonum.org/v1/plot/plotter"
)

// points returns the points of x, y (y scaled by scale) where both are
// finite, in input order. When there are more than limit indices they are
// min–max bucketed in the same pass: the indices are cut into limit/2
// consecutive buckets of (nearly) equal count and each bucket keeps its
// lowest and highest finite point, in their original order, so that
// spikes survive. x and y must have the same length.
func points(x, y []float64, scale float64, limit int) plotter.XYs {
	n := len(x)
	if n <= limit || limit < 2 {
		xy := make(plotter.XYs, 0, n)
		for i, xv := range x {
			if yv := y[i] * scale; finite(xv) && finite(yv) {
				xy = append(xy, plotter.XY{X: xv, Y: yv})
			}
		}
		return xy
	}
	buckets := limit / 2
	xy := make(plotter.XYs, 0, 2*buckets)
	for b := range buckets {
		iMin, iMax := -1, -1
		var vMin, vMax float64
		for i := b * n / buckets; i < (b+1)*n/buckets; i++ {
			v := y[i] * scale
			if !finite(x[i]) || !finite(v) {
				continue
			}
			if iMin < 0 || v < vMin {
				iMin, vMin = i, v
			}
			if iMax < 0 || v > vMax {
				iMax, vMax = i, v
			}
		}
		switch {
		case iMin < 0:
		case iMin == iMax:
			xy = append(xy, plotter.XY{X: x[iMin], Y: vMin})
		case iMin < iMax:
			xy = append(xy, plotter.XY{X: x[iMin], Y: vMin}, plotter.XY{X: x[iMax], Y: vMax})
		default:
			xy = append(xy, plotter.XY{X: x[iMax], Y: vMax}, plotter.XY{X: x[iMin], Y: vMin})
		}
	}
	return xy
}

// bandPoint is one vertex pair of an interval band.
type bandPoint struct{ x, lo, hi float64 }

// bandSegments returns the runs of consecutive indices where x, lo and hi
// (scaled by scale) are finite; a run of fewer than two
// points is dropped (it has no area). When there are more than limit
// indices they are first grouped into limit/2 buckets, each bucket with a
// valid point giving two points (its first and last valid x) at the
// bucket's envelope (lowest lo, highest hi); an empty bucket breaks the
// run.
func bandSegments(x, lo, hi []float64, scale float64, limit int) [][]bandPoint {
	n := len(x)
	valid := func(i int) bool {
		l, h := lo[i]*scale, hi[i]*scale
		return finite(x[i]) && finite(l) && finite(h)
	}
	var segs [][]bandPoint
	var cur []bandPoint
	flush := func() {
		if len(cur) >= 2 {
			segs = append(segs, cur)
		}
		cur = nil
	}
	if n <= limit || limit < 2 {
		for i := range n {
			if !valid(i) {
				flush()
				continue
			}
			cur = append(cur, bandPoint{x[i], lo[i] * scale, hi[i] * scale})
		}
		flush()
		return segs
	}
	buckets := limit / 2
	for b := range buckets {
		first, last := -1, -1
		var l, h float64
		for i := b * n / buckets; i < (b+1)*n/buckets; i++ {
			if !valid(i) {
				continue
			}
			li, hv := lo[i]*scale, hi[i]*scale
			if first < 0 {
				first, l, h = i, li, hv
			}
			last = i
			l, h = min(l, li), max(h, hv)
		}
		if first < 0 {
			flush()
			continue
		}
		cur = append(cur, bandPoint{x[first], l, h})
		if last != first {
			cur = append(cur, bandPoint{x[last], l, h})
		}
	}
	flush()
	return segs
}

// bandRing returns the polygon ring of a band segment: along hi, then back
// along lo. With step set, the band follows a post-step curve (each value
// holds until the next x).
func bandRing(seg []bandPoint, step bool) plotter.XYs {
	ring := make(plotter.XYs, 0, 4*len(seg))
	for i, p := range seg {
		ring = append(ring, plotter.XY{X: p.x, Y: p.hi})
		if step && i+1 < len(seg) {
			ring = append(ring, plotter.XY{X: seg[i+1].x, Y: p.hi})
		}
	}
	for i := len(seg) - 1; i >= 0; i-- {
		p := seg[i]
		if step && i+1 < len(seg) {
			ring = append(ring, plotter.XY{X: seg[i+1].x, Y: p.lo})
		}
		ring = append(ring, plotter.XY{X: p.x, Y: p.lo})
	}
	return ring
}

// checkSeries reports an input error in series i of figure name: Y, Lo
// or Hi of a length other than X's, or only one of Lo and Hi.
func checkSeries(name string, i int, s Series) error {
	switch {
	case len(s.Y) != len(s.X):
		return fmt.Errorf("%w: %s: series %d (%q): len(Y) = %d, len(X) = %d", ErrInput, name, i, s.Label, len(s.Y), len(s.X))
	case (s.Lo == nil) != (s.Hi == nil):
		return fmt.Errorf("%w: %s: series %d (%q): Lo and Hi must both be set or both be nil", ErrInput, name, i, s.Label)
	case s.Lo != nil && (len(s.Lo) != len(s.X) || len(s.Hi) != len(s.X)):
		return fmt.Errorf("%w: %s: series %d (%q): len(Lo) = %d, len(Hi) = %d, len(X) = %d", ErrInput, name, i, s.Label, len(s.Lo), len(s.Hi), len(s.X))
	}
	return nil
}
