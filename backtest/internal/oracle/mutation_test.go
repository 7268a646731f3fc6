package oracle

import (
	"fmt"
	"github.com/marginlab/marginlab/backtest"
	"testing"
)

// TestDifferentialDetectsBrokenRules is the differential test's own test:
// it breaks one rule of the oracle at a time and runs the cases through
// the correct and the broken oracle with the same comparison as against
// the engine. Every break must make some case disagree, or the cases do
// not exercise that rule (or the comparison does not look at it).
func TestDifferentialDetectsBrokenRules(t *testing.T) {
	n := 80 // cases per break, among those that exercise it
	switch {
	case raceEnabled:
		n = 12
	case testing.Short():
		n = 30
	}
	// liquidates and bankruptCloses run the oracle to find the cases.
	oracleRun := func(c spec) []Result {
		m, in, cfg, modes, err := c.build()
		if err != nil {
			t.Fatal(err)
		}
		rs, err := Run(m, in, cfg, modes...)
		if err != nil {
			t.Fatal(err)
		}
		return rs
	}
	liquidates := func(c spec) bool { return statsOf(oracleRun(c)).liq }
	bankruptCloses := func(c spec) bool { return c.Leverage > 10 && statsOf(oracleRun(c)).bankrupt }
	partialVenue := func(c spec) bool {
		return c.PartialStep > 0 || (c.PartialStep < 0 && (c.Venue == "okx-swap" || c.Venue == "hyperliquid"))
	}
	gaps := func(c spec) bool {
		for _, r := range oracleRun(c) {
			if r.Gaps > 0 {
				return true
			}
		}
		return false
	}
	any := func(spec) bool { return true }
	breaks := []struct {
		name, what string
		relevant   func(spec) bool // the cases that exercise it
	}{
		{"decision-does-not-unblock", "R1/R9: a new decision does not end the wait", any},
		// Under the adverse policy R5 finds a gap at λ = 0 just as R2 does,
		// unless the open brings orders or funding first: R2 shows under
		// the close policy, or where it meets funding.
		{"no-gaps", "R2 skipped", func(c spec) bool {
			return c.GapOpens > 0 && (c.Policy == backtest.AtClose || !c.NoFunding) && gaps(c)
		}},
		{"no-slippage", "fills at the reference price", func(c spec) bool { return c.Slippage > 0 }},
		{"no-ruin-halt", "Ruin: orders after ruin are not refused", func(c spec) bool { return !c.TradeAfterRuin }},
		{"funding-sign", "R4: shorts pay a positive rate", func(c spec) bool { return !c.NoFunding }},
		{"ignore-mark", "Prices: mark candles ignored", func(c spec) bool { return c.Marks != "none" }},
		{"tier-by-entry", "Margin: the tier of the entry notional for every family", func(c spec) bool { return c.FineTiers && liquidates(c) }},
		{"no-bankrupt-close", "Orders: a close that leaves a negative margin is an ordinary close", bankruptCloses},
		{"no-partial", "R8: partial liquidation off", partialVenue},
		{"fee-uncapped", "R8: the liquidation fee is not limited to what is left",
			func(c spec) bool { return c.Venue != "hyperliquid" && c.Venue != "bybit-linear" }},
		{"remainder-ignored", "R8: the remainder always goes to the fund", func(c spec) bool { return c.ToTrader }},
		{"cooldown-short", "R9: the cool-down ends a bar early", func(c spec) bool { return c.Cooldown > 0 && liquidates(c) }},
	}
	realOK := realDataPresent()
	for _, br := range breaks {
		b := br.name
		var seeds []uint64
		for seed := uint64(baseSeed); len(seeds) < n && seed < baseSeed+20*uint64(n)+2000; seed++ {
			if br.relevant(genSpec(seed, realOK)) {
				seeds = append(seeds, seed)
			}
		}
		t.Run(b, func(t *testing.T) {
			outs := runCases(seeds, realOK, func(c spec) (compared, error) {
				m, in, cfg, modes, err := c.build()
				if err != nil {
					return compared{}, err
				}
				broken, err := run(m, in, cfg, rules{broken: b}, modes...)
				if err != nil {
					return compared{}, fmt.Errorf("broken oracle: %w", err)
				}
				good, err := Run(m, in, cfg, modes...)
				if err != nil {
					return compared{}, err
				}
				cmp := compared{a: broken, b: good, capital: cfg.Capital, symbolsIdx: map[string]int{}}
				for k, s := range m.Symbols {
					cmp.symbolsIdx[s.Name] = k
				}
				return cmp, nil
			})
			caught := 0
			for _, o := range outs {
				if o.err != nil {
					t.Fatalf("case %d: %v", o.spec.Seed, o.err)
				}
				if len(o.diffs) > 0 {
					caught++
				}
			}
			if len(seeds) < n/2 {
				t.Errorf("only %d cases exercise %q (%s): the case generator has drifted", len(seeds), b, br.what)
			}
			if caught == 0 {
				t.Errorf("breaking %q (%s) changed nothing the comparison sees in %d cases", b, br.what, n)
			}
			t.Logf("%q (%s): %d of %d cases disagree", b, br.what, caught, n)
		})
	}
}
