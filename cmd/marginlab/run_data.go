package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/marginlab/marginlab/data"
)

// What a run's data says about the numbers: which prices drive liquidation
// checks and value funding per symbol, and the warnings every output of the
// run carries (run's table and summary.json, a sweep's manifest, the
// report).

// markSummary says which prices a symbol's liquidation checks and funding
// use.
type markSummary struct {
	Symbol string `json:"symbol"`
	// LiquidationChecks is "mark" (mark candles at the bars' timeframe) or
	// "trades".
	LiquidationChecks string `json:"liquidation_checks"`
	// FundingValuedAt is "mark" (the bar's mark open), "8h mark" (a coarser
	// mark series at the funding time), "trades" (the bar's trade open), or
	// "none" when the symbol has no funding.
	FundingValuedAt string `json:"funding_valued_at"`
}

func marketMarks(m *data.Market) []markSummary {
	out := make([]markSummary, len(m.Symbols))
	for i := range m.Symbols {
		s := &m.Symbols[i]
		ms := markSummary{Symbol: s.Name, LiquidationChecks: "trades", FundingValuedAt: "trades"}
		if s.Mark != nil {
			ms.LiquidationChecks, ms.FundingValuedAt = "mark", "mark"
		}
		switch {
		case s.Funding.Len() == 0:
			ms.FundingValuedAt = "none"
		case s.CoarseMark > 0:
			ms.FundingValuedAt = data.FormatTimeframe(s.CoarseMark) + " mark"
		}
		out[i] = ms
	}
	return out
}

// printCoarseMarks says, under the run's header, which symbols' funding is
// valued at a mark series coarser than the bars, when any is.
func printCoarseMarks(w io.Writer, m *data.Market) {
	var parts []string
	for i := range m.Symbols {
		if s := &m.Symbols[i]; s.CoarseMark > 0 {
			parts = append(parts, fmt.Sprintf("%s at its %s mark", s.Name, data.FormatTimeframe(s.CoarseMark)))
		}
	}
	if len(parts) > 0 {
		fmt.Fprintf(w, "funding valued %s (coarser than the %s bars: liquidation checks use trade candles)\n",
			strings.Join(parts, ", "), data.FormatTimeframe(m.Timeframe))
	}
}

// warningTexts returns the warnings' messages, never nil.
func warningTexts(warns []error) []string {
	out := make([]string, 0, len(warns))
	for _, w := range warns {
		out = append(out, w.Error())
	}
	return out
}

// printCaveats repeats, below the results, the warnings that qualify the
// numbers themselves: gaps in funding or mark files the configuration
// accepted (data.coverage: accept).
func printCaveats(w io.Writer, warns []error) {
	var list []string
	for _, wn := range warns {
		if errors.Is(wn, data.ErrCoverage) {
			list = append(list, wn.Error())
		}
	}
	if len(list) == 0 {
		return
	}
	fmt.Fprintf(w, "\nThe numbers above are on incomplete data (accepted by data.coverage):\n")
	for _, s := range list {
		fmt.Fprintf(w, "  - %s\n", s)
	}
}
