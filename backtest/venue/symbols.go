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
// venue's BTC table. When several keys share the base (BTCUSDT and
// BTCUSDC), the one with the symbol's quote asset wins, USDT when the
// symbol names none (BTC). ok is false when no key, or more than one,
// matches; BracketsFor then serves Default.
func (v *Venue) SymbolKey(symbol string) (key string, ok bool) {
	if _, ok := v.Tables[symbol]; ok {
		return symbol, true
	}
	return matchBase(symbol, v.Tables)
}

// matchBase returns the key of m with symbol's base asset: the only one,
// or among several the one with the symbol's quote asset (USDT when it
// names none); ok is false when there is no such key, or no single one.
func matchBase[V any](symbol string, m map[string]V) (key string, ok bool) {
	base := BaseAsset(symbol)
	if base == "" {
		return "", false
	}
	var cands []string
	for k := range m {
		// BaseAsset(k) is a prefix of k in upper case: test that first,
		// without allocating, since venues list hundreds of symbols.
		if len(k) >= len(base) && strings.EqualFold(k[:len(base)], base) && BaseAsset(k) == base {
			cands = append(cands, k)
		}
	}
	if len(cands) == 1 {
		return cands[0], true
	}
	quote := QuoteAsset(symbol)
	if quote == "" {
		quote = "USDT"
	}
	key, n := "", 0
	for _, k := range cands {
		if QuoteAsset(k) == quote {
			key, n = k, n+1
		}
	}
	return key, n == 1
}

// quoteAssets are the quote (or settle) currencies QuoteAsset knows in
// unseparated symbols, longest first.
var quoteAssets = []string{"USDT", "USDC", "BUSD", "FDUSD", "USD", "BTC"}

// QuoteAsset returns the quote asset of a perpetual's symbol in the
// common spellings, upper case: the part after the first separator
// (BTC-USDT-SWAP, BTC_USDT, BTC/USDT:USDT), or a known quote suffix
// (BTCUSDT, 1000PEPEUSDC); "" when the symbol names none (BTC). Binance's
// dated futures (BTCUSDT_241227) quote in USDT.
func QuoteAsset(symbol string) string {
	s := strings.ToUpper(strings.TrimSpace(symbol))
	if i := strings.IndexAny(s, "-_/:"); i >= 0 {
		rest := s[i+1:]
		if j := strings.IndexAny(rest, "-_/:"); j >= 0 {
			rest = rest[:j]
		}
		if rest != "" && strings.Trim(rest, "0123456789") != "" {
			return rest
		}
		s = s[:i] // BTCUSDT_241227: the quote is in the first part
	}
	for _, suf := range []string{"PERP", "SWAP"} {
		s = strings.TrimSuffix(s, suf)
	}
	for _, q := range quoteAssets {
		if b, ok := strings.CutSuffix(s, q); ok && b != "" {
			return q
		}
	}
	return ""
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
