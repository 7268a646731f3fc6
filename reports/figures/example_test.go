package figures_test

import (
	"bytes"
	"fmt"

	"github.com/marginlab/marginlab/reports/figures"
)

// Liquidation rates per 1,000 positions at four leverages, with their
// intervals, become a figure; a Renderer chooses another size or DPI.
func ExampleLiquidationFrequency() {
	lev := []float64{1, 3, 10, 30}
	modes := []figures.Series{
		{Label: "isolated", X: lev, Y: []float64{1, 4, 20, 90}, Lo: []float64{0.5, 3, 17, 80}, Hi: []float64{2, 5, 24, 101}},
		{Label: "cross", X: lev, Y: []float64{0.5, 2, 15, 120}, Lo: []float64{0.2, 1.4, 12, 105}, Hi: []float64{0.9, 2.8, 18, 136}},
	}
	f, err := figures.LiquidationFrequency(modes, "")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(f.Name+".svg:", bytes.HasPrefix(f.SVG, []byte("<?xml")))
	fmt.Println(f.Name+".png:", bytes.HasPrefix(f.PNG, []byte("\x89PNG")))
	fmt.Println(f.Title)

	_, err = figures.LiquidationFrequency([]figures.Series{{X: lev, Y: make([]float64, 3)}}, "")
	fmt.Println(err)
	// Output:
	// liquidation-frequency.svg: true
	// liquidation-frequency.png: true
	// Liquidation frequency vs leverage
	// figures: invalid input: liquidation-frequency: series 0 (""): len(Y) = 3, len(X) = 4
}
