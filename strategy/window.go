package strategy

import "math"

// Rolling-window kernels. Each owns its buffers, allocated by reset and
// reused afterwards: stepping allocates nothing.

// rollingSums keeps the sums of the last fast and the last slow values
// (fast < slow) of a series in O(1) per value. To keep rounding from
// accumulating, both sums are recomputed from the window every slow values
// (O(1) amortised); a non-finite value therefore spoils the sums only until
// the recompute after it has left the window.
type rollingSums struct {
	ring       []float64 // the last slow values; ring[pos] is the oldest once full
	pos        int
	n          int // values seen
	fast, slow int
	sumFast    float64
	sumSlow    float64
}

func (r *rollingSums) reset(fast, slow int) {
	r.ring = grow(r.ring, slow)
	clear(r.ring)
	r.pos, r.n, r.fast, r.slow, r.sumFast, r.sumSlow = 0, 0, fast, slow, 0, 0
}

// push adds x and reports whether slow values have been seen (both means
// are then defined).
func (r *rollingSums) push(x float64) bool {
	if r.n >= r.slow {
		r.sumSlow -= r.ring[r.pos]
	}
	if r.n >= r.fast {
		j := r.pos - r.fast
		if j < 0 {
			j += r.slow
		}
		r.sumFast -= r.ring[j]
	}
	r.ring[r.pos] = x
	r.sumSlow += x
	r.sumFast += x
	r.n++
	if r.pos++; r.pos == r.slow {
		r.pos = 0
		// The ring is full and in order, oldest first: recompute.
		s := 0.0
		for _, v := range r.ring[:r.slow-r.fast] {
			s += v
		}
		f := 0.0
		for _, v := range r.ring[r.slow-r.fast:] {
			f += v
		}
		r.sumFast, r.sumSlow = f, s+f
	}
	return r.n >= r.slow
}

// means returns the mean of the last fast and of the last slow values.
func (r *rollingSums) means() (fast, slow float64) {
	return r.sumFast / float64(r.fast), r.sumSlow / float64(r.slow)
}

// rollingMoments keeps the mean and the sum of squared deviations (M2) of
// the last w values. While the window fills, values are added with
// Welford's update; once it is full, each new value x replaces the oldest
// value o with
//
//	mean' = mean + (x − o)/w
//	M2'   = M2 + (x − o)·(x − mean' + o − mean)
//
// and every w values both are recomputed from the window with two passes,
// which bounds rounding error (and clears a non-finite value once it has
// left the window).
type rollingMoments struct {
	ring []float64
	pos  int
	n    int // values in the window, at most w
	mean float64
	m2   float64
}

func (r *rollingMoments) reset(w int) {
	r.ring = grow(r.ring, w)
	clear(r.ring)
	r.pos, r.n, r.mean, r.m2 = 0, 0, 0, 0
}

// push adds x and reports whether the window is full.
func (r *rollingMoments) push(x float64) bool {
	w := len(r.ring)
	if r.n < w {
		r.n++
		d := x - r.mean
		r.mean += d / float64(r.n)
		r.m2 += d * (x - r.mean)
	} else {
		o := r.ring[r.pos]
		m := r.mean + (x-o)/float64(w)
		r.m2 += (x - o) * (x - m + o - r.mean)
		r.mean = m
	}
	r.ring[r.pos] = x
	if r.pos++; r.pos == w {
		r.pos = 0
		s := 0.0
		for _, v := range r.ring {
			s += v
		}
		m := s / float64(w)
		q := 0.0
		for _, v := range r.ring {
			q += (v - m) * (v - m)
		}
		r.mean, r.m2 = m, q
	}
	return r.n == w
}

// std returns the sample standard deviation (divisor n−1) of the window;
// rounding can leave M2 slightly negative, which counts as 0.
func (r *rollingMoments) std() float64 {
	if r.n < 2 || !(r.m2 > 0) {
		if math.IsNaN(r.m2) {
			return math.NaN()
		}
		return 0
	}
	return math.Sqrt(r.m2 / float64(r.n-1))
}

// maxDeque is a monotonic deque: the maximum of a sliding window of
// (index, value) pairs in O(1) amortised per value. Values are kept in
// decreasing order; a new value removes every value at the back that is not
// greater. Store −x to get the minimum.
type maxDeque struct {
	idx  []int
	val  []float64
	head int
	n    int
}

// reset empties the deque for windows of at most w values.
func (d *maxDeque) reset(w int) {
	d.idx = grow(d.idx, w)
	d.val = grow(d.val, w)
	d.head, d.n = 0, 0
}

// expire removes the values whose index is below lo.
func (d *maxDeque) expire(lo int) {
	for d.n > 0 && d.idx[d.head] < lo {
		if d.head++; d.head == len(d.val) {
			d.head = 0
		}
		d.n--
	}
}

// push appends (i, x). The caller expires first so that at most w values
// remain before the push.
func (d *maxDeque) push(i int, x float64) {
	c := len(d.val)
	for d.n > 0 {
		b := d.head + d.n - 1
		if b >= c {
			b -= c
		}
		if d.val[b] > x {
			break
		}
		d.n--
	}
	b := d.head + d.n
	if b >= c {
		b -= c
	}
	d.idx[b], d.val[b] = i, x
	d.n++
}

// max returns the largest value in the window; NaN when it is empty.
func (d *maxDeque) max() float64 {
	if d.n == 0 {
		return math.NaN()
	}
	return d.val[d.head]
}
