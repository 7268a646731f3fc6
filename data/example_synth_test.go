package data_test

import (
	"fmt"
	"log"
	"time"

	"github.com/marginlab/marginlab/data"
)

// Synthesize a month of hourly candles for three symbols. The same
// configuration and seed always give the same market.
func ExampleSynthesize() {
	cfg := data.DefaultSynthConfig()
	cfg.Symbols = []string{"BTC", "ETH", "SOL"}
	cfg.Timeframe = time.Hour
	cfg.Bars = 30 * 24
	cfg.Seed = 42
	m, err := data.Synthesize(cfg)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(m.Symbols), "symbols,", len(m.Time), "bars of", data.FormatTimeframe(m.Timeframe))
	fmt.Println("from", data.FormatTime(m.Time[0]), "to", data.FormatTime(m.Time[len(m.Time)-1]))
	for _, s := range m.Symbols {
		fmt.Println(s.Name, "opens at", s.Candles.Open[0], "with", s.Funding.Len(), "funding events")
	}
	// Output:
	// 3 symbols, 720 bars of 1h
	// from 2024-01-01T00:00:00Z to 2024-01-30T23:00:00Z
	// BTC opens at 40000 with 90 funding events
	// ETH opens at 2500 with 90 funding events
	// SOL opens at 100 with 90 funding events
}

// Validate reports every bad field at once.
func ExampleSynthConfig_Validate() {
	cfg := data.SynthConfig{Bars: 1, Correlation: 1.5, Symbols: []string{"BTC", "BTC"}}
	fmt.Println(cfg.Validate())
	// Output:
	// synth: Symbols[1] = "BTC": duplicate of Symbols[0]
	// synth: Bars = 1: must be in [2, 50000000]
	// synth: Correlation = 1.5: must be in [0, 0.99]
}
