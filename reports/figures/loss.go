package figures

import (
	"fmt"
	"math"
	"sort"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// LossDistribution draws one Tukey box plot per mode (modes in sorted
// order): the box spans the quartiles (Tukey's hinges, the medians of the
// lower and upper halves, as gonum/plot computes them), the thick line is
// the median, the
// whiskers reach the furthest values within 1.5 × IQR and the points
// beyond are drawn one by one (at most MaxPoints of them, evenly spread,
// the extremes kept). Each box is labelled on the x axis with its mode and
// its count of finite values. The y axis starts at 0 unless a value is
// negative. yLabel names the value with its unit; empty
// means "Loss per liquidation (% of equity)".
func LossDistribution(byMode map[string][]float64, yLabel string) (*Figure, error) {
	return Renderer{}.LossDistribution(byMode, yLabel)
}

// LossDistribution is the package-level LossDistribution drawn with r's
// size and resolution.
func (r Renderer) LossDistribution(byMode map[string][]float64, yLabel string) (*Figure, error) {
	const name = "loss-distribution"
	if yLabel == "" {
		yLabel = "Loss per liquidation (% of equity)"
	}
	title := stripUnit(yLabel) + " by margin mode"
	if err := r.Validate(); err != nil {
		return nil, err
	}

	type drawn struct {
		mode   string
		values plotter.Values
		style  seriesStyle
	}
	var (
		kept []drawn
		st   styler
	)
	for _, m := range sortedKeys(byMode) {
		d := drawn{mode: m, style: st.next(m)}
		for _, v := range byMode[m] {
			if finite(v) {
				d.values = append(d.values, v)
			}
		}
		if len(d.values) > 0 {
			sort.Float64s(d.values)
			kept = append(kept, d)
		}
	}
	if len(kept) == 0 {
		return nil, fmt.Errorf("%w: %s", ErrNoData, name)
	}

	p := newPlot(title, "Margin mode", yLabel, gridY)
	sz := r.size(defaultSize)
	width := min(vg.Points(60), sz.W*0.5/vg.Length(len(kept)))
	ticks := make([]plot.Tick, len(kept))
	for i, d := range kept {
		b, err := plotter.NewBoxPlot(width, float64(i), d.values)
		if err != nil {
			return nil, fmt.Errorf("figures: %s: %q: %w", name, d.mode, err)
		}
		fill := d.style.band()
		fill.A = 0x55
		b.FillColor = fill
		b.BoxStyle = draw.LineStyle{Color: d.style.color, Width: vg.Points(1.25)}
		b.MedianStyle = draw.LineStyle{Color: ink, Width: vg.Points(2)}
		b.WhiskerStyle = draw.LineStyle{Color: d.style.color, Width: vg.Points(1)}
		b.GlyphStyle = draw.GlyphStyle{Color: d.style.color, Radius: vg.Points(2.5), Shape: draw.RingGlyph{}}
		b.Outside = thinOutside(b.Outside, MaxPoints)
		p.Add(b)
		ticks[i] = plot.Tick{Value: float64(i), Label: d.mode + "\nn = " + groupThousands(len(d.values))}
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	p.X.Min, p.X.Max = -0.5, float64(len(kept))-0.5
	if p.Y.Min > 0 {
		p.Y.Min = 0 // losses are compared against none
	}

	l := layout{plots: []*plot.Plot{p}}
	return r.render(name, title, defaultSize, l.draw)
}

// thinOutside returns at most limit of the outside-point indices idx,
// evenly spread in value order and always keeping the lowest and the
// highest.
func thinOutside(idx []int, limit int) []int {
	if len(idx) <= limit || limit < 2 {
		return idx
	}
	// idx is in increasing value order: the values were sorted before
	// NewBoxPlot, which lists outside points in input order.
	out := make([]int, 0, limit)
	for k := range limit {
		out = append(out, idx[int(math.Round(float64(k)*float64(len(idx)-1)/float64(limit-1)))])
	}
	return out
}

// groupThousands formats n with commas between groups of three digits.
func groupThousands(n int) string {
	s := strconv.Itoa(n)
	neg := n < 0
	if neg {
		s = s[1:]
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}
