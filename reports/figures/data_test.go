package figures

import (
	"go/parser"
	"go/token"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
)

// spiky is an n-point noisy series with isolated spikes up and down and a
// few NaNs.
func spiky(n int) (x, y []float64, spikes map[int]float64) {
	rng := rand.New(rand.NewPCG(42, 0))
	x, y = make([]float64, n), make([]float64, n)
	for i := range x {
		x[i], y[i] = float64(i), 100+rng.NormFloat64()
	}
	for range 20 {
		y[rng.IntN(n)] = math.NaN()
	}
	spikes = map[int]float64{}
	for k := range 20 { // one spike in each twentieth: never two in a bucket
		i := k*(n/20) + rng.IntN(n/40)
		v := 200.0 + float64(k)
		if k%2 == 1 {
			v = -v
		}
		y[i] = v
		spikes[i] = v
	}
	return x, y, spikes
}

// TestDownsampleKeepsExtremes: min–max bucketing of a spiky 1M-point
// series keeps the global min and max and every spike, in x order, within
// MaxPoints.
func TestDownsampleKeepsExtremes(t *testing.T) {
	x, y, spikes := spiky(1_000_000)
	ds := points(x, y, 1, MaxPoints)
	if len(ds) > MaxPoints {
		t.Fatalf("downsampled to %d points, want ≤ %d", len(ds), MaxPoints)
	}
	if len(ds) < MaxPoints*9/10 {
		t.Errorf("downsampled to only %d points", len(ds))
	}
	yMin, yMax := math.Inf(1), math.Inf(-1)
	for _, v := range y {
		if !math.IsNaN(v) {
			yMin, yMax = min(yMin, v), max(yMax, v)
		}
	}
	_, _, dMin, dMax := plotter.XYRange(ds)
	if dMin != yMin || dMax != yMax {
		t.Errorf("range [%v, %v], want [%v, %v]", dMin, dMax, yMin, yMax)
	}
	kept := map[float64]bool{}
	for i, p := range ds {
		kept[p.X] = true
		if i > 0 && !(p.X > ds[i-1].X) {
			t.Fatalf("point %d: x %v not after %v", i, p.X, ds[i-1].X)
		}
	}
	for i, v := range spikes {
		if !kept[float64(i)] {
			t.Errorf("spike %v at %d dropped", v, i)
		}
	}
	x, y, _ = spiky(MaxPoints)
	for i := range y {
		y[i] = float64(i) // no NaN
	}
	if got := points(x, y, 1, MaxPoints); len(got) != MaxPoints {
		t.Errorf("a series of MaxPoints points gave %d points", len(got))
	}
}

// TestBandSegments: bands break at invalid points, drop one-point runs and
// keep their envelope when bucketed.
func TestBandSegments(t *testing.T) {
	nan := math.NaN()
	x := []float64{1, 2, 3, 4, 5, 6, 7}
	lo := []float64{0, 0, nan, 0, 0, 0, 0}
	hi := []float64{1, 1, 1, 1, math.Inf(1), 1, 1}
	segs := bandSegments(x, lo, hi, 1, MaxPoints)
	var got [][]float64
	for _, s := range segs {
		var xs []float64
		for _, p := range s {
			xs = append(xs, p.x)
		}
		got = append(got, xs)
	}
	want := [][]float64{{1, 2}, {6, 7}} // {4} alone is dropped
	if len(got) != len(want) || !slices.Equal(got[0], want[0]) || !slices.Equal(got[1], want[1]) {
		t.Errorf("segments %v, want %v", got, want)
	}

	n := 100_000
	x, lo, hi = make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range x {
		x[i], lo[i], hi[i] = float64(i), -1, 1
	}
	lo[777], hi[50_000] = -9, 9
	segs = bandSegments(x, lo, hi, 1, MaxPoints)
	if len(segs) != 1 || len(segs[0]) > MaxPoints {
		t.Fatalf("%d segments, first of %d points", len(segs), len(segs[0]))
	}
	l, h := 0.0, 0.0
	for _, p := range segs[0] {
		l, h = min(l, p.lo), max(h, p.hi)
	}
	if l != -9 || h != 9 {
		t.Errorf("bucketed band envelope [%v, %v], want [-9, 9]", l, h)
	}
}

// TestCellOverTimeMillion: a 1,000,000-bar cell renders (the time is
// measured by BenchmarkCellOverTime, not here).
func TestCellOverTimeMillion(t *testing.T) {
	if testing.Short() {
		t.Skip("1M-point render")
	}
	f, err := CellOverTime(timeInput(1_000_000, 5), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(f.SVG) > 2_000_000 {
		t.Errorf("SVG of %d bytes: downsampling did not bound it", len(f.SVG))
	}
}

// BenchmarkCellOverTime renders CellOverTime (SVG and PNG) from a
// 1,000,000-bar series per mode and per panel.
func BenchmarkCellOverTime(b *testing.B) {
	ts := timeInput(1_000_000, 5)
	b.ResetTimer()
	for b.Loop() {
		if _, err := CellOverTime(ts, ""); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDownsample is cleaning and min–max bucketing alone, at several
// sizes.
func BenchmarkDownsample(b *testing.B) {
	for _, n := range []int{10_000, 100_000, 1_000_000} {
		x, y, _ := spiky(n)
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			for b.Loop() {
				points(x, y, 1, MaxPoints)
			}
		})
	}
}

func TestLogTicks(t *testing.T) {
	var labels []string
	for _, tk := range (logTicks{}).Ticks(1, 100) {
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		}
	}
	if want := []string{"1", "2", "5", "10", "20", "50", "100"}; !slices.Equal(labels, want) {
		t.Errorf("labels %v, want %v", labels, want)
	}
}

func TestNiceTicks(t *testing.T) {
	for _, tc := range []struct {
		min, max float64
		want     []string
	}{
		{0, 1, []string{"0.0", "0.2", "0.4", "0.6", "0.8", "1.0"}},
		{2, 140, []string{"25", "50", "75", "100", "125"}},
		{2, 13.9, []string{"2", "4", "6", "8", "10", "12"}},
		{0.5, 15, []string{"2.5", "5.0", "7.5", "10.0", "12.5", "15.0"}},
		{6900, 11500, []string{"7,000", "8,000", "9,000", "10,000", "11,000"}}, // one axis, one style
		{6000, 9900, []string{"6000", "7000", "8000", "9000"}},
		{-26, 9, []string{"-25", "-20", "-15", "-10", "-5", "0", "5"}},
	} {
		var got []string
		for _, tk := range (niceTicks{}).Ticks(tc.min, tc.max) {
			got = append(got, tk.Label)
		}
		if len(got) < len(tc.want) || !slices.Equal(got[:len(tc.want)], tc.want) {
			t.Errorf("[%v, %v]: labels %v, want prefix %v", tc.min, tc.max, got, tc.want)
		}
	}
}

func TestCalendarTicks(t *testing.T) {
	day := func(y int, m time.Month, d int) float64 {
		return float64(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix())
	}
	for _, tc := range []struct {
		name     string
		min, max float64
		want     []string
	}{
		{"year", day(2024, 1, 1), day(2024, 12, 31), []string{"Jan 2024", "Mar 2024", "May 2024", "Jul 2024", "Sep 2024", "Nov 2024"}},
		{"decade", day(2015, 6, 1), day(2025, 6, 1), []string{"2016", "2018", "2020", "2022", "2024"}},
		{"week", day(2024, 3, 4) + 3600, day(2024, 3, 9), []string{"2024-03-05", "2024-03-06", "2024-03-07", "2024-03-08", "2024-03-09"}},
		{"day", day(2024, 3, 4), day(2024, 3, 5), []string{"Mar 4 00:00", "Mar 4 06:00", "Mar 4 12:00", "Mar 4 18:00", "Mar 5 00:00"}},
	} {
		a := plot.New().X
		dateAxis(&a, tc.min, tc.max)
		var got []string
		for _, tk := range a.Tick.Marker.Ticks(tc.min, tc.max) {
			if tk.Label != "" {
				got = append(got, tk.Label)
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: labels %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestTitleWords(t *testing.T) {
	for in, want := range map[string]string{
		"Worst loss per liquidation (% of equity)": "worst loss per liquidation",
		"VaR (%)":  "VaR",
		"PnL":      "PnL",
		"x":        "x",
		"(weird)":  "(weird)",
		"A":        "A",
		"Mean (a)": "mean",
	} {
		if got := lowerWord(stripUnit(in)); got != want {
			t.Errorf("%q → %q, want %q", in, got, want)
		}
	}
}

func TestGroupThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -4321: "-4,321"} {
		if got := groupThousands(n); got != want {
			t.Errorf("%d → %q, want %q", n, got, want)
		}
	}
}

// TestImports: the package stays independent of marginlab: it imports
// only the standard library and gonum.org/v1/plot.
func TestImports(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, src, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			std := !strings.Contains(strings.Split(path, "/")[0], ".")
			if !std && path != "gonum.org/v1/plot" && !strings.HasPrefix(path, "gonum.org/v1/plot/") {
				t.Errorf("%s imports %s: only the standard library and gonum.org/v1/plot are allowed", name, path)
			}
		}
	}
}
