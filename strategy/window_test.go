package strategy

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// randomWalk returns n prices around level with steps of relative size
// step, from a fixed seed.
func randomWalk(n int, level, step float64, seed uint64) []float64 {
	r := rand.New(rand.NewPCG(seed, 1))
	x := make([]float64, n)
	p := level
	for i := range x {
		p *= 1 + step*r.NormFloat64()
		x[i] = p
	}
	return x
}

func TestRollingMomentsAccuracy(t *testing.T) {
	// A high price level with small moves is the hard case for running
	// variance: 40,000 with 1e-4 steps, 200,000 values. The sliding update
	// loses digits in proportion to the price level, so the bound is
	// relative to the std plus a part relative to the level: a window of
	// two nearly equal prices (std 7e-5 at 40,000) has an error of 2e-7.
	x := randomWalk(200_000, 40_000, 1e-4, 1)
	for _, w := range []int{2, 3, 50, 1000} {
		var r rollingMoments
		r.reset(w)
		for i, v := range x {
			if !r.push(v) {
				if i >= w-1 {
					t.Fatalf("w %d: window not full at value %d", w, i)
				}
				continue
			}
			win := x[i-w+1 : i+1]
			m, sd := naiveMean(win), naiveStd(win)
			if !near(r.mean, m, 1e-13) {
				t.Fatalf("w %d, value %d: mean %.17g, naive %.17g", w, i, r.mean, m)
			}
			if e := math.Abs(r.std() - sd); e > 1e-6*sd+1e-10*m {
				t.Fatalf("w %d, value %d: std %.17g, naive %.17g", w, i, r.std(), sd)
			}
		}
	}
}

func TestRollingSumsAccuracy(t *testing.T) {
	x := randomWalk(100_000, 40_000, 1e-3, 2)
	for _, p := range [][2]int{{1, 2}, {5, 21}, {20, 50}, {300, 1000}} {
		var r rollingSums
		r.reset(p[0], p[1])
		for i, v := range x {
			if !r.push(v) {
				continue
			}
			f, s := r.means()
			if !near(f, naiveMean(x[i-p[0]+1:i+1]), 1e-13) || !near(s, naiveMean(x[i-p[1]+1:i+1]), 1e-13) {
				t.Fatalf("%v, value %d: means %.17g %.17g, naive %.17g %.17g", p, i, f, s,
					naiveMean(x[i-p[0]+1:i+1]), naiveMean(x[i-p[1]+1:i+1]))
			}
		}
	}
}

func TestRollingRecoversFromNaN(t *testing.T) {
	x := randomWalk(100, 100, 0.01, 3)
	x[10] = math.NaN()
	var r rollingMoments
	r.reset(5)
	var s rollingSums
	s.reset(2, 5)
	for i, v := range x {
		r.push(v)
		s.push(v)
		// The NaN leaves the window after value 14; the next recompute is
		// at most 5 values later.
		if i >= 20 {
			win := x[i-4 : i+1]
			if !near(r.mean, naiveMean(win), 1e-12) || !near(r.std(), naiveStd(win), 1e-9) {
				t.Fatalf("value %d: moments (%g, %g), want (%g, %g)", i, r.mean, r.std(), naiveMean(win), naiveStd(win))
			}
			if _, sl := s.means(); !near(sl, naiveMean(win), 1e-12) {
				t.Fatalf("value %d: slow mean %g, want %g", i, sl, naiveMean(win))
			}
		}
	}
}

func TestMaxDeque(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	x := make([]float64, 20_000)
	for i := range x {
		x[i] = float64(r.IntN(20)) // many ties
	}
	for _, w := range []int{1, 2, 7, 100} {
		var d maxDeque
		d.reset(w)
		for i, v := range x {
			d.expire(i - w + 1)
			d.push(i, v)
			if got, want := d.max(), slices.Max(x[max(0, i-w+1):i+1]); got != want {
				t.Fatalf("w %d, value %d: max %g, want %g", w, i, got, want)
			}
		}
	}
}
