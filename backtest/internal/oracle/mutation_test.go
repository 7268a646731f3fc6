package oracle

import (
	"fmt"
	"testing"
)

// TestDifferentialDetectsBrokenRules is the differential test's own test:
// it breaks one rule of the oracle at a time and runs the cases through
// the correct and the broken oracle with the same comparison as against
// the engine. Every break must make some case disagree, or the cases do
// not exercise that rule (or the comparison does not look at it).
func TestDifferentialDetectsBrokenRules(t *testing.T) {
	n := 150
	if testing.Short() || raceEnabled {
		n = 100
	}
	breaks := []string{
		"decision-does-not-unblock", // R1/R9: a new decision does not end the wait
		"no-gaps",                   // R2 skipped
		"no-slippage",               // fills at the reference price
		"no-ruin-halt",              // orders after ruin are not refused
		"funding-sign",              // R4: shorts pay a positive rate
		"ignore-mark",               // mark candles ignored
		"tier-by-entry",             // maintenance tier by the entry notional for every family
		"no-bankrupt-close",         // a close that leaves a negative margin is an ordinary close
		"no-partial",                // R8: partial liquidation off
		"fee-uncapped",              // R8: the liquidation fee is not limited to what is left
		"remainder-ignored",         // R8: the remainder always goes to the fund
		"cooldown-short",            // R9: the cool-down ends a bar early
	}
	realOK := realDataPresent()
	seeds := make([]uint64, n)
	for i := range seeds {
		seeds[i] = baseSeed + uint64(i)
	}
	for _, b := range breaks {
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
			if caught == 0 {
				t.Errorf("breaking %q changed nothing the comparison sees in %d cases", b, n)
			}
			t.Logf("%q: %d of %d cases disagree", b, caught, n)
		})
	}
}
