package risk

import (
	"fmt"
	"testing"
)

// survivalData returns n exponential times, about a third censored.
func survivalData(n int) ([]float64, []bool) {
	gen := newRand(uint64(n))
	times, observed := make([]float64, n), make([]bool, n)
	for i := range times {
		times[i] = gen.ExpFloat64()
		observed[i] = gen.IntN(3) != 0
	}
	return times, observed
}

func BenchmarkKaplanMeier(b *testing.B) {
	for _, n := range []int{100, 1000, 10000} {
		times, observed := survivalData(n)
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				KaplanMeier(times, observed, 0.95)
			}
		})
	}
}

func BenchmarkBootstrapMeanDiff(b *testing.B) {
	for _, size := range []struct{ pairs, reps int }{{100, 2000}, {1000, 2000}} {
		gen := newRand(1)
		x, y := make([]float64, size.pairs), make([]float64, size.pairs)
		for i := range x {
			x[i], y[i] = gen.NormFloat64()+1, gen.NormFloat64()
		}
		b.Run(fmt.Sprintf("pairs=%d/reps=%d", size.pairs, size.reps), func(b *testing.B) {
			b.ReportAllocs()
			rng := newRand(2)
			for b.Loop() {
				BootstrapMeanDiff(x, y, size.reps, 0.95, rng)
			}
		})
	}
}

func BenchmarkBootstrapMean(b *testing.B) {
	gen := newRand(1)
	x := make([]float64, 1000)
	for i := range x {
		x[i] = gen.NormFloat64()
	}
	b.ReportAllocs()
	rng := newRand(2)
	for b.Loop() {
		Bootstrap(x, mean, 2000, 0.95, rng)
	}
}

func BenchmarkDescribe(b *testing.B) {
	for _, n := range []int{1000, 100000} {
		x, _ := survivalData(n)
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Describe(x)
			}
		})
	}
}

func BenchmarkBootstrapRatio(b *testing.B) {
	for _, clusters := range []int{50, 1000} {
		gen := newRand(3)
		num, den := make([]float64, clusters), make([]float64, clusters)
		for i := range num {
			num[i], den[i] = float64(gen.IntN(5)), 50+float64(gen.IntN(50))
		}
		b.Run(fmt.Sprintf("clusters=%d/reps=2000", clusters), func(b *testing.B) {
			b.ReportAllocs()
			rng := newRand(4)
			for b.Loop() {
				BootstrapRatio(num, den, 2000, 0.95, rng)
			}
		})
	}
}

func BenchmarkClusterMedian(b *testing.B) {
	gen := newRand(5)
	const clusters = 50
	values, of := make([]float64, 5000), make([]int, 5000)
	for i := range values {
		values[i], of[i] = gen.NormFloat64(), gen.IntN(clusters)
	}
	b.ReportAllocs()
	rng := newRand(6)
	for b.Loop() {
		ClusterMedian(values, of, clusters, 2000, 0.95, rng)
	}
}
