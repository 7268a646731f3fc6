package venue

import (
	"strings"
	"time"
)

// TableFor returns the bracket table of symbol in force at time at, chosen
// as BracketsFor chooses it (the latest with EffectiveFrom ≤ at, else the
// earliest), and whether symbol has tables of its own (false: Default).
// ok is false when there is no table at all.
func (v *Venue) TableFor(symbol string, at time.Time) (t Table, listed, ok bool) {
	tables, listed := v.Tables[symbol]
	if !listed || len(tables) == 0 {
		tables, listed = v.Default, false
	}
	if len(tables) == 0 {
		return Table{}, listed, false
	}
	i := len(tables) - 1
	for i > 0 && tables[i].EffectiveFrom.After(at) {
		i--
	}
	return tables[i], listed, true
}

// SymbolKey returns the key of v.Tables that symbol names: symbol itself
// when listed, else the one listed key with the same base asset, so that
// BTC, BTCUSDT, BTC-USDT-SWAP, BTC_USDT_USDT and BTC/USDT:USDT all find a
// venue's BTC table. ok is false when no key, or more than one, matches;
// BracketsFor then serves Default.
func (v *Venue) SymbolKey(symbol string) (key string, ok bool) {
	if _, ok := v.Tables[symbol]; ok {
		return symbol, true
	}
	return matchBase(symbol, v.Tables)
}

// matchBase returns the one key of m with symbol's base asset; ok is false
// when none or more than one has it.
func matchBase[V any](symbol string, m map[string]V) (key string, ok bool) {
	base := BaseAsset(symbol)
	if base == "" {
		return "", false
	}
	for _, k := range sortedKeys(m) {
		if BaseAsset(k) == base {
			if ok {
				return "", false // ambiguous
			}
			key, ok = k, true
		}
	}
	return key, ok
}

// BaseAsset returns the base asset of a perpetual's symbol in the common
// spellings: upper case, the part before the first separator (- _ / :),
// or without a quote suffix (USDT, USDC, BUSD, USD) and contract suffix
// (PERP, SWAP) when there is no separator. BaseAsset("ETH-USDT-SWAP") and
// BaseAsset("ethusdt") are both "ETH".
func BaseAsset(symbol string) string {
	s := strings.ToUpper(strings.TrimSpace(symbol))
	if i := strings.IndexAny(s, "-_/:"); i >= 0 {
		return s[:i]
	}
	for _, suf := range []string{"PERP", "SWAP"} {
		s = strings.TrimSuffix(s, suf)
	}
	for _, q := range []string{"USDT", "USDC", "BUSD", "USD"} {
		if b, ok := strings.CutSuffix(s, q); ok && b != "" {
			return b
		}
	}
	return s
}
