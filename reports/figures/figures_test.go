package figures

import (
	"bytes"
	"errors"
	"flag"
	"html"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

var figDir = flag.String("figdir", "", "also write the test figures (PNG and SVG) to this directory")

// leverages is the leverage grid of the test inputs.
var leverages = []float64{1, 2, 3, 5, 10, 20, 50, 100}

// rateSeries is a liquidation rate per 1,000 positions against leverage
// with a ±30 % (widening) band.
func rateSeries(label string, base, growth float64) Series {
	s := Series{Label: label}
	for _, l := range leverages {
		y := base * math.Pow(l, growth)
		w := 0.15 + 0.15*math.Log10(l)
		s.X = append(s.X, l)
		s.Y = append(s.Y, y)
		s.Lo = append(s.Lo, y*(1-w))
		s.Hi = append(s.Hi, y*(1+w))
	}
	return s
}

func liquidationInput() []Series {
	return []Series{rateSeries("isolated", 2, 1.1), rateSeries("cross", 0.8, 1.25)}
}

func rocarInput() []Series {
	iso := Series{Label: "isolated"}
	cross := Series{Label: "cross"}
	for _, l := range leverages {
		iso.X, cross.X = append(iso.X, l), append(cross.X, l)
		iso.Y = append(iso.Y, 0.04*math.Log(l+1)-0.0015*l)
		cross.Y = append(cross.Y, 0.03*math.Log(l+1)-0.004*l)
	}
	return []Series{iso, cross}
}

func frontierInput() map[string][]Point {
	m := map[string][]Point{}
	for _, l := range leverages {
		lab := strconv.FormatFloat(l, 'g', -1, 64) + "×"
		m["isolated"] = append(m["isolated"], Point{X: 2 + 0.9*l, Y: 3 * math.Log(l+1), Label: lab})
		m["cross"] = append(m["cross"], Point{X: 1 + 1.4*l, Y: 3.4*math.Log(l+1) - 0.03*l, Label: lab})
	}
	return m
}

// timeInput is a year of hourly bars with random-walk equity for both
// modes, margin utilisation and a few liquidations.
func timeInput(n int, seed uint64) TimeSeries {
	rng := rand.New(rand.NewPCG(seed, 1))
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	ts := TimeSeries{
		Times:        make([]int64, n),
		Equity:       map[string][]float64{"isolated": make([]float64, n), "cross": make([]float64, n)},
		MarginUtil:   map[string][]float64{"isolated": make([]float64, n), "cross": make([]float64, n)},
		Liquidations: map[string][]int64{},
	}
	step := int64(365*24*time.Hour) / int64(n)
	ei, ec := 10000.0, 10000.0
	for i := range n {
		ts.Times[i] = start + int64(i)*step
		r := rng.NormFloat64() * 0.004 * math.Sqrt(8760/float64(n))
		ei *= 1 + r*0.8
		ec *= 1 + r*1.1
		ts.Equity["isolated"][i] = ei
		ts.Equity["cross"][i] = ec
		ts.MarginUtil["isolated"][i] = 0.25 + 0.1*math.Sin(float64(i)/float64(n)*20)
		ts.MarginUtil["cross"][i] = 0.35 + 0.15*math.Sin(float64(i)/float64(n)*20+1)
	}
	for _, f := range []float64{0.21, 0.47, 0.83} {
		ts.Liquidations["isolated"] = append(ts.Liquidations["isolated"], ts.Times[int(f*float64(n))]+1)
	}
	ts.Liquidations["cross"] = []int64{ts.Times[int(0.62*float64(n))]}
	return ts
}

// kmSeries is a Kaplan–Meier-like step curve with a Greenwood-like band.
func kmSeries(label string, hazard float64, seed uint64) Series {
	rng := rand.New(rand.NewPCG(seed, 2))
	s := Series{Label: label, X: []float64{0}, Y: []float64{1}, Lo: []float64{1}, Hi: []float64{1}}
	surv, t := 1.0, 0.0
	for range 40 {
		t += rng.ExpFloat64() / hazard / 10
		if t > 3 {
			break
		}
		surv *= 0.97
		se := 0.04 * math.Sqrt(1-surv+0.01)
		s.X = append(s.X, t)
		s.Y = append(s.Y, surv)
		s.Lo = append(s.Lo, surv-1.96*se)
		s.Hi = append(s.Hi, surv+1.96*se)
	}
	return s
}

func survivalInput() []Series {
	return []Series{kmSeries("isolated", 0.5, 1), kmSeries("cross", 0.9, 2)}
}

func lossInput() map[string][]float64 {
	rng := rand.New(rand.NewPCG(7, 3))
	m := map[string][]float64{}
	for i := range 300 {
		m["isolated"] = append(m["isolated"], 100*math.Min(1, 0.02*math.Exp(rng.NormFloat64()*0.6)))
		if i < 180 {
			m["cross"] = append(m["cross"], 100*math.Min(1, 0.08*math.Exp(rng.NormFloat64()*0.8)))
		}
	}
	return m
}

func heatmapInput() Grid {
	g := Grid{
		XLabel: "Leverage (×)",
		YLabel: "Stop distance (% of price)",
		X:      leverages,
		Y:      []float64{0.5, 1, 2, 5, 10},
	}
	for i, y := range g.Y {
		row := make([]float64, len(g.X))
		for j, x := range g.X {
			row[j] = math.Pow(2, 0.5*math.Log2(x)-0.6*math.Log2(y)+0.3)
			if (i == 4 && j < 2) || (i == 0 && j == 7) {
				row[j] = math.NaN()
			}
		}
		g.Z = append(g.Z, row)
	}
	return g
}

// figureCase is one figure of the test set, with the texts it must show.
type figureCase struct {
	name   string
	render func() (*Figure, error)
	texts  []string // besides the title
}

func figureCases() []figureCase {
	return []figureCase{
		{"liquidation-frequency", func() (*Figure, error) { return LiquidationFrequency(liquidationInput(), "") },
			[]string{"Leverage (×, log scale)", "Liquidations per 1,000 positions", "isolated", "cross", "interval (shaded)"}},
		{"return-on-capital-at-risk", func() (*Figure, error) { return ReturnOnCapitalAtRisk(rocarInput()) },
			[]string{"Leverage (×, log scale)", "Return on capital at risk (%)", "isolated", "cross"}},
		{"frontier", func() (*Figure, error) {
			return Frontier(frontierInput(), "Worst loss per liquidation (% of equity)", "Mean return (%)")
		}, []string{"Worst loss per liquidation (% of equity)", "Mean return (%)", "isolated", "cross", "10×"}},
		{"cell-over-time", func() (*Figure, error) {
			return CellOverTime(timeInput(8760, 1), "BTC-PERP, 10×: equity and margin over 2024")
		},
			[]string{"Equity (quote currency)", "Margin utilisation (%)", "Date (UTC)", "liquidation", "Jan 2024"}},
		{"survival", func() (*Figure, error) { return Survival(survivalInput(), "Years to first liquidation") },
			[]string{"Years to first liquidation", "Survival probability", "isolated", "cross"}},
		{"loss-distribution", func() (*Figure, error) { return LossDistribution(lossInput(), "") },
			[]string{"Loss per liquidation (% of equity)", "Margin mode", "n = 300", "n = 180"}},
		{"ratio-heatmap", func() (*Figure, error) { return RatioHeatmap(heatmapInput(), "") },
			[]string{"Leverage (×)", "Stop distance (% of price)", "Ratio, log scale (blank: no data)", "100"}},
	}
}

var pngMagic = []byte("\x89PNG\r\n\x1a\n")

// TestFigures renders each figure from a realistic input, checks the SVG
// and PNG, the title and axis labels, and that a second render is
// byte-identical.
func TestFigures(t *testing.T) {
	dir := *figDir
	if dir == "" {
		dir = t.TempDir()
	}
	for _, tc := range figureCases() {
		t.Run(tc.name, func(t *testing.T) {
			f, err := tc.render()
			if err != nil {
				t.Fatal(err)
			}
			if f.Name != tc.name {
				t.Errorf("Name = %q, want %q", f.Name, tc.name)
			}
			if !bytes.HasPrefix(f.SVG, []byte("<?xml")) && !bytes.HasPrefix(f.SVG, []byte("<svg")) {
				t.Errorf("SVG starts %q", f.SVG[:min(len(f.SVG), 20)])
			}
			if !bytes.HasSuffix(bytes.TrimSpace(f.SVG), []byte("</svg>")) {
				t.Error("SVG does not end with </svg>")
			}
			if !bytes.HasPrefix(f.PNG, pngMagic) {
				t.Errorf("PNG starts %q", f.PNG[:min(len(f.PNG), 8)])
			}
			svg := string(f.SVG)
			for _, want := range append([]string{f.Title}, tc.texts...) {
				if !strings.Contains(svg, ">"+html.EscapeString(want)) {
					t.Errorf("SVG has no text %q", want)
				}
			}
			if strings.Contains(svg, "font-family:Liberation Sans;") {
				t.Error("SVG font-family has no fallback")
			}

			g, err := tc.render()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(f.SVG, g.SVG) {
				t.Error("two renders give different SVG")
			}
			if !bytes.Equal(f.PNG, g.PNG) {
				t.Error("two renders give different PNG")
			}

			for ext, b := range map[string][]byte{".png": f.PNG, ".svg": f.SVG} {
				if err := os.WriteFile(filepath.Join(dir, f.Name+ext), b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// TestNaN: NaN and Inf values are skipped; inputs left with nothing to
// draw give ErrNoData.
func TestNaN(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)

	withNaN := liquidationInput()
	withNaN[0].Y[2], withNaN[0].Lo[4], withNaN[1].X[1], withNaN[1].Hi[6] = nan, nan, inf, nan
	allNaN := func() []Series {
		s := liquidationInput()
		for i := range s {
			for j := range s[i].Y {
				s[i].Y[j], s[i].Lo[j] = nan, nan
			}
		}
		return s
	}
	ts := timeInput(500, 3)
	ts.Equity["cross"][10], ts.MarginUtil["isolated"][0], ts.Equity["isolated"][105] = nan, inf, nan
	tsNaN := timeInput(50, 3)
	for _, m := range []map[string][]float64{tsNaN.Equity, tsNaN.MarginUtil} {
		for _, v := range m {
			for i := range v {
				v[i] = nan
			}
		}
	}
	km := survivalInput()
	km[1].Y[3], km[1].Hi[5] = nan, inf
	loss := lossInput()
	loss["cross"] = append(loss["cross"], nan, -inf)
	lossNaN := map[string][]float64{"isolated": {nan, inf}, "cross": {nan}}
	front := frontierInput()
	front["isolated"][0].X = nan
	frontNaN := map[string][]Point{"isolated": {{X: nan, Y: 1}}, "cross": {{X: 1, Y: inf}}}
	grid := heatmapInput()
	grid.Z[2][3] = inf
	gridNaN := heatmapInput()
	for _, row := range gridNaN.Z {
		for j := range row {
			row[j] = nan
		}
	}

	ok := map[string]func() (*Figure, error){
		"liquidation-frequency": func() (*Figure, error) { return LiquidationFrequency(withNaN, "") },
		"rocar":                 func() (*Figure, error) { return ReturnOnCapitalAtRisk(withNaN) },
		"frontier":              func() (*Figure, error) { return Frontier(front, "x (1)", "y (1)") },
		"cell-over-time":        func() (*Figure, error) { return CellOverTime(ts, "") },
		"survival":              func() (*Figure, error) { return Survival(km, "") },
		"loss":                  func() (*Figure, error) { return LossDistribution(loss, "") },
		"heatmap":               func() (*Figure, error) { return RatioHeatmap(grid, "") },
		// One series all NaN is dropped; the other draws.
		"one-series-dropped": func() (*Figure, error) {
			s := allNaN()
			return LiquidationFrequency(append(s, rateSeries("other", 1, 1)), "")
		},
	}
	for _, name := range sortedKeys(ok) {
		if _, err := ok[name](); err != nil {
			t.Errorf("%s with NaNs: %v", name, err)
		}
	}

	bad := map[string]func() (*Figure, error){
		"liquidation-frequency": func() (*Figure, error) { return LiquidationFrequency(allNaN(), "") },
		"liquidation-empty":     func() (*Figure, error) { return LiquidationFrequency(nil, "") },
		"rocar":                 func() (*Figure, error) { return ReturnOnCapitalAtRisk(allNaN()) },
		"frontier":              func() (*Figure, error) { return Frontier(frontNaN, "", "") },
		"frontier-empty":        func() (*Figure, error) { return Frontier(nil, "", "") },
		"cell-over-time":        func() (*Figure, error) { return CellOverTime(tsNaN, "") },
		"cell-over-time-empty":  func() (*Figure, error) { return CellOverTime(TimeSeries{}, "") },
		"survival":              func() (*Figure, error) { return Survival(allNaN(), "") },
		"loss":                  func() (*Figure, error) { return LossDistribution(lossNaN, "") },
		"heatmap":               func() (*Figure, error) { return RatioHeatmap(gridNaN, "") },
		"heatmap-empty":         func() (*Figure, error) { return RatioHeatmap(Grid{}, "") },
	}
	for _, name := range sortedKeys(bad) {
		f, err := bad[name]()
		if !errors.Is(err, ErrNoData) {
			t.Errorf("%s all NaN: got (%v, %v), want ErrNoData", name, f != nil, err)
		}
	}
}

// TestInvalidInput: inconsistent shapes give ErrInput, never a panic.
func TestInvalidInput(t *testing.T) {
	ts := timeInput(100, 1)
	ts.Times[50], ts.Times[51] = ts.Times[51], ts.Times[50]
	short := timeInput(100, 1)
	short.Equity["cross"] = short.Equity["cross"][:99]
	cases := map[string]func() (*Figure, error){
		"y-length": func() (*Figure, error) {
			return LiquidationFrequency([]Series{{X: []float64{1, 2}, Y: []float64{1}}}, "")
		},
		"band-length": func() (*Figure, error) {
			return Survival([]Series{{X: []float64{1, 2}, Y: []float64{1, 1}, Lo: []float64{1}, Hi: []float64{1}}}, "")
		},
		"band-half": func() (*Figure, error) {
			return ReturnOnCapitalAtRisk([]Series{{X: []float64{1}, Y: []float64{1}, Lo: []float64{1}}})
		},
		"unsorted":      func() (*Figure, error) { return CellOverTime(ts, "") },
		"equity-length": func() (*Figure, error) { return CellOverTime(short, "") },
		"grid-rows": func() (*Figure, error) {
			return RatioHeatmap(Grid{X: []float64{1}, Y: []float64{1, 2}, Z: [][]float64{{1}}}, "")
		},
		"grid-cols": func() (*Figure, error) {
			return RatioHeatmap(Grid{X: []float64{1}, Y: []float64{1}, Z: [][]float64{{1, 2}}}, "")
		},
		"size": func() (*Figure, error) {
			return Renderer{Size: Size{W: -1, H: 1}}.LossDistribution(lossInput(), "")
		},
		"dpi": func() (*Figure, error) { return Renderer{DPI: -3}.Frontier(frontierInput(), "", "") },
	}
	for _, name := range sortedKeys(cases) {
		if _, err := cases[name](); !errors.Is(err, ErrInput) {
			t.Errorf("%s: err = %v, want ErrInput", name, err)
		}
	}
}

// TestEdgeInputs: single points, constant values and zero ratios render.
func TestEdgeInputs(t *testing.T) {
	cases := map[string]func() (*Figure, error){
		"one-point": func() (*Figure, error) {
			return LiquidationFrequency([]Series{{Label: "isolated", X: []float64{5}, Y: []float64{3}}}, "")
		},
		"constant": func() (*Figure, error) {
			return ReturnOnCapitalAtRisk([]Series{{X: []float64{1, 2, 3}, Y: []float64{0, 0, 0}}})
		},
		"one-time": func() (*Figure, error) {
			return CellOverTime(TimeSeries{Times: []int64{0}, Equity: map[string][]float64{"cross": {1}}}, "")
		},
		"util-only": func() (*Figure, error) {
			return CellOverTime(TimeSeries{Times: []int64{0, 1e9}, MarginUtil: map[string][]float64{"cross": {0.1, 0.2}}}, "")
		},
		"one-value": func() (*Figure, error) { return LossDistribution(map[string][]float64{"cross": {4}}, "") },
		"one-cell-zero": func() (*Figure, error) {
			return RatioHeatmap(Grid{X: []float64{1}, Y: []float64{1}, Z: [][]float64{{0}}}, "")
		},
		"huge-ratios": func() (*Figure, error) {
			return RatioHeatmap(Grid{X: []float64{1, 2}, Y: []float64{1}, Z: [][]float64{{1e-6, 1e6}}}, "")
		},
		"negative-x-log": func() (*Figure, error) {
			return LiquidationFrequency([]Series{{X: []float64{-1, 0, 100}, Y: []float64{1, 2, 3}}}, "")
		},
		"renderer-size": func() (*Figure, error) {
			return Renderer{Size: Size{W: 300, H: 200}, DPI: 72}.Survival(survivalInput(), "")
		},
		"frontier-single": func() (*Figure, error) { return Frontier(map[string][]Point{"isolated": {{X: 1, Y: 1}}}, "", "") },
	}
	for _, name := range sortedKeys(cases) {
		if _, err := cases[name](); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestLogAxis: the leverage axis is logarithmic only when it spans 10×.
func TestLogAxis(t *testing.T) {
	wide, err := LiquidationFrequency(liquidationInput(), "")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(wide.SVG, []byte("log scale")) {
		t.Error("1…100× leverage: no log scale")
	}
	narrow := liquidationInput()
	for i := range narrow {
		narrow[i].X, narrow[i].Y, narrow[i].Lo, narrow[i].Hi = narrow[i].X[:4], narrow[i].Y[:4], narrow[i].Lo[:4], narrow[i].Hi[:4]
	}
	f, err := LiquidationFrequency(narrow, "")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(f.SVG, []byte("log scale")) {
		t.Error("1…5× leverage: log scale")
	}
}
