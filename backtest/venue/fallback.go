package venue

import (
	"fmt"
	"time"
)

// Fallbacks returns a warning for each of symbols whose brackets are a
// stand-in, for callers to show with a run's results:
//
//   - a symbol the venue has no table for (SymbolKey finds none) gets the
//     default table; the warning names the symbol and that table;
//   - a symbol whose earliest table took effect after from (the data's
//     first time) is margined by that later table before its date too.
//
// A zero from skips the second check. Warnings come in the order of
// symbols, each at most once.
func (v *Venue) Fallbacks(symbols []string, from time.Time) []string {
	var out []string
	seen := map[string]bool{}
	for _, sym := range symbols {
		if seen[sym] {
			continue
		}
		seen[sym] = true
		key, ok := v.SymbolKey(sym)
		if !ok {
			t, _, found := v.TableFor("", from)
			if !found {
				out = append(out, fmt.Sprintf("%s: venue %s has no bracket table for this symbol and no default table", sym, v.Name))
				continue
			}
			out = append(out, fmt.Sprintf("%s: venue %s has no bracket table for this symbol; it uses the venue's default table instead (%s)",
				sym, v.Name, describeTable(t)))
			continue
		}
		tables := v.Tables[key]
		if first := tables[0].EffectiveFrom; !from.IsZero() && first.After(from) {
			name := sym
			if key != sym {
				name = sym + " (" + key + ")"
			}
			out = append(out, fmt.Sprintf("%s: the earliest bracket table of venue %s for it took effect %s, after the data starts (%s); it stands in for the earlier dates",
				name, v.Name, first.Format(dateLayout), from.UTC().Format(dateLayout)))
		}
	}
	return out
}

// describeTable summarises a table in a few words: its date, first
// bracket and size.
func describeTable(t Table) string {
	b := t.Brackets[0]
	capText := "without a cap"
	if len(t.Brackets) > 1 || b.Cap < 1e300 {
		capText = fmt.Sprintf("up to %s notional", fnum(b.Cap))
	}
	return fmt.Sprintf("effective %s: maintenance %.4g %% %s at up to %s×, %d brackets",
		t.EffectiveFrom.Format(dateLayout), b.MMR*100, capText, fnum(b.MaxLeverage), len(t.Brackets))
}
