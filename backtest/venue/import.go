package venue

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// TiersImport is what ImportTiers read: bracket tables keyed as the venue
// spells its symbols.
type TiersImport struct {
	Format string              // "ccxt" or "binance"
	Tables map[string]Brackets // venue symbol key → tiers, sorted by floor
	// From maps each venue key to the symbol as the file spells it.
	From map[string]string
	// Skipped lists the file's symbols left out, each with the reason
	// (spot markets, options, dated futures a family has no spelling for).
	Skipped []string
}

// ImportTiers reads maintenance-margin tiers in either of two shapes and
// keys each symbol as a venue of the given family spells it:
//
//   - ccxt's fetch_leverage_tiers() output, for any exchange ccxt supports:
//     {"BTC/USDT:USDT": [{tier, currency, minNotional, maxNotional,
//     maintenanceMarginRate, maxLeverage, info}, ...], ...}. Floor, cap,
//     rate and leverage come from the unified fields; the maintenance
//     amount from info.cum (Binance) or info.mmDeduction (Bybit) when
//     present, else from the recursion of Brackets.Cumulate.
//   - Binance's GET /fapi/v1/leverageBracket answer: [{"symbol",
//     "brackets": [{bracket, initialLeverage, notionalCap, notionalFloor,
//     maintMarginRatio, cum}]}] (or one such object), for the binance
//     family only.
//
// Numbers may be JSON numbers or decimal strings; a last cap that is null
// means no cap. Every table is checked as Validate checks a venue's (floors
// from 0 and contiguous, rates rising, leverage falling, a given cum
// agreeing with the recursion): all problems are reported at once as
// *Error values whose Path starts with the symbol as the file spells it.
// source names the input in messages.
//
// Keys: binance and bybit BTCUSDT (Binance's dated futures BTCUSDT_241227),
// okx BTC-USDT-SWAP (dated BTC-USDT-241227), gate BTC_USDT, hyperliquid
// BTC, dydx_v4 BTC-USD.
func ImportTiers(data []byte, source string, family Family) (*TiersImport, error) {
	if !knownFamily(family) {
		return nil, fmt.Errorf("venue: unknown family %q: want one of %s", family, familyList())
	}
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, joinErrors([]*Error{{Source: source, Err: errors.New("empty: want ccxt's fetch_leverage_tiers() JSON or Binance's /fapi/v1/leverageBracket answer")}})
	}
	var (
		imp  *TiersImport
		errs []*Error
	)
	switch {
	case trimmed[0] == '[':
		imp, errs = importBinance(trimmed, family)
	case trimmed[0] == '{':
		var probe map[string]json.RawMessage
		if err := json.Unmarshal(trimmed, &probe); err != nil {
			errs = []*Error{{Err: jsonProblem(err)}}
			break
		}
		if _, ok := probe["brackets"]; ok {
			imp, errs = importBinance(append(append([]byte{'['}, trimmed...), ']'), family)
		} else {
			imp, errs = importCCXT(probe, family)
		}
	default:
		errs = []*Error{{Err: errors.New("not JSON: want ccxt's fetch_leverage_tiers() output or Binance's /fapi/v1/leverageBracket answer")}}
	}
	if len(errs) > 0 {
		for _, e := range errs {
			e.Source = source
		}
		slices.SortStableFunc(errs, func(a, b *Error) int { return strings.Compare(a.Path, b.Path) })
		return nil, joinErrors(errs)
	}
	if len(imp.Tables) == 0 {
		return nil, joinErrors([]*Error{{Source: source, Err: errors.New("no symbol with tiers found")}})
	}
	return imp, nil
}

func jsonProblem(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("bad JSON at byte %d: %v", se.Offset, err)
	}
	return fmt.Errorf("bad JSON: %v", err)
}

// num is a number given as a JSON number or a decimal string.
type num float64

func (n *num) UnmarshalJSON(b []byte) error {
	s := string(bytes.Trim(b, `"`))
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("%s is not a finite number", b)
	}
	*n = num(v)
	return nil
}

type ccxtTier struct {
	MinNotional           *num                       `json:"minNotional"`
	MaxNotional           *num                       `json:"maxNotional"`
	MaintenanceMarginRate *num                       `json:"maintenanceMarginRate"`
	MaxLeverage           *num                       `json:"maxLeverage"`
	Info                  map[string]json.RawMessage `json:"info"`
}

func importCCXT(raw map[string]json.RawMessage, family Family) (*TiersImport, []*Error) {
	imp := &TiersImport{Format: "ccxt", Tables: map[string]Brackets{}, From: map[string]string{}}
	var errs []*Error
	for _, sym := range sortedKeys(raw) {
		var tiers []ccxtTier
		if err := json.Unmarshal(raw[sym], &tiers); err != nil {
			errs = append(errs, &Error{Path: sym, Err: fmt.Errorf("want a list of tiers: %v", err)})
			continue
		}
		key, why := unifiedKey(family, sym)
		if key == "" {
			imp.Skipped = append(imp.Skipped, sym+": "+why)
			continue
		}
		slices.SortStableFunc(tiers, func(a, b ccxtTier) int { return cmpNum(a.MinNotional, b.MinNotional) })
		br := make(Brackets, len(tiers))
		cums := make([]*num, len(tiers))
		for i, t := range tiers {
			p := fmt.Sprintf("%s[%d]", sym, i)
			br[i], errs = bracketOf(p, t.MinNotional, t.MaxNotional, t.MaintenanceMarginRate, t.MaxLeverage, i == len(tiers)-1, errs,
				"minNotional", "maxNotional", "maintenanceMarginRate", "maxLeverage")
			for _, name := range []string{"cum", "mmDeduction"} {
				if v, ok := t.Info[name]; ok {
					var c num
					if err := json.Unmarshal(v, &c); err != nil {
						errs = append(errs, &Error{Path: p + ".info." + name, Err: err})
					}
					cums[i] = &c
					break
				}
			}
		}
		errs = imp.add(key, sym, br, cums, errs)
	}
	return imp, errs
}

type binanceBracket struct {
	NotionalFloor    *num `json:"notionalFloor"`
	NotionalCap      *num `json:"notionalCap"`
	MaintMarginRatio *num `json:"maintMarginRatio"`
	InitialLeverage  *num `json:"initialLeverage"`
	Cum              *num `json:"cum"`
}

type binanceSymbol struct {
	Symbol   string           `json:"symbol"`
	Brackets []binanceBracket `json:"brackets"`
}

func importBinance(data []byte, family Family) (*TiersImport, []*Error) {
	if family != Binance {
		return nil, []*Error{{Err: fmt.Errorf("this is Binance's /fapi/v1/leverageBracket answer, for a binance-family venue, not %s: export the venue's tiers with ccxt's fetch_leverage_tiers()", family)}}
	}
	var list []binanceSymbol
	if err := json.Unmarshal(data, &list); err != nil {
		return nil, []*Error{{Err: jsonProblem(err)}}
	}
	imp := &TiersImport{Format: "binance", Tables: map[string]Brackets{}, From: map[string]string{}}
	var errs []*Error
	slices.SortStableFunc(list, func(a, b binanceSymbol) int { return strings.Compare(a.Symbol, b.Symbol) })
	for i, s := range list {
		if s.Symbol == "" {
			errs = append(errs, &Error{Path: fmt.Sprintf("[%d].symbol", i), Err: errors.New("missing")})
			continue
		}
		bs := slices.Clone(s.Brackets)
		slices.SortStableFunc(bs, func(a, b binanceBracket) int { return cmpNum(a.NotionalFloor, b.NotionalFloor) })
		br := make(Brackets, len(bs))
		cums := make([]*num, len(bs))
		for k, b := range bs {
			br[k], errs = bracketOf(fmt.Sprintf("%s.brackets[%d]", s.Symbol, k), b.NotionalFloor, b.NotionalCap, b.MaintMarginRatio, b.InitialLeverage,
				k == len(bs)-1, errs, "notionalFloor", "notionalCap", "maintMarginRatio", "initialLeverage")
			cums[k] = b.Cum
		}
		errs = imp.add(s.Symbol, s.Symbol, br, cums, errs)
	}
	return imp, errs
}

// bracketOf builds one bracket from the file's fields, named for messages.
func bracketOf(path string, floor, capN, mmr, lev *num, last bool, errs []*Error, names ...string) (Bracket, []*Error) {
	var b Bracket
	need := func(n *num, name string) float64 {
		if n == nil {
			errs = append(errs, &Error{Path: path + "." + name, Err: errors.New("missing")})
			return 0
		}
		return float64(*n)
	}
	b.Floor = need(floor, names[0])
	if capN == nil && last {
		b.Cap = math.Inf(1)
	} else {
		b.Cap = need(capN, names[1])
	}
	b.MMR = need(mmr, names[2])
	b.MaxLeverage = need(lev, names[3])
	return b, errs
}

// add checks one symbol's tiers and keeps them under key.
func (imp *TiersImport) add(key, from string, br Brackets, cums []*num, errs []*Error) []*Error {
	if len(br) == 0 {
		return append(errs, &Error{Path: from, Err: errors.New("no tiers")})
	}
	if prev, dup := imp.From[key]; dup {
		return append(errs, &Error{Path: from, Err: fmt.Errorf("maps to the venue's symbol %s, as %s does", key, prev)})
	}
	rec := slices.Clone(br)
	rec.Cumulate()
	for i := range br {
		br[i].Cum = rec[i].Cum
		if cums[i] != nil {
			br[i].Cum = float64(*cums[i])
		}
	}
	for _, e := range validateTables(from, []Table{{Brackets: br}}) {
		e.Path = strings.Replace(e.Path, from+"[0].brackets", from+".tiers", 1)
		errs = append(errs, e)
	}
	imp.Tables[key], imp.From[key] = br, from
	return errs
}

func cmpNum(a, b *num) int {
	switch {
	case a == nil || b == nil:
		return 0
	case *a < *b:
		return -1
	case *a > *b:
		return 1
	}
	return 0
}

// unifiedKey spells ccxt's unified symbol (BASE/QUOTE:SETTLE, with
// -YYMMDD for dated futures) as a venue of the family does; "" and the
// reason when the symbol is not a contract the family's venues list.
func unifiedKey(family Family, unified string) (key, why string) {
	pair, settle, ok := strings.Cut(unified, ":")
	if !ok {
		return "", "a spot market, not a perpetual or future"
	}
	base, quote, ok := strings.Cut(pair, "/")
	if !ok || base == "" || quote == "" {
		return "", "not a ccxt symbol BASE/QUOTE:SETTLE"
	}
	parts := strings.Split(settle, "-")
	var expiry string
	switch len(parts) {
	case 1:
	case 2:
		expiry = parts[1]
	default:
		return "", "an option"
	}
	dated := func(k string) (string, string) {
		if expiry == "" {
			return k, ""
		}
		return "", fmt.Sprintf("a dated future; %s venues have no spelling for it here", family)
	}
	switch family {
	case Binance:
		if expiry != "" {
			return base + quote + "_" + expiry, ""
		}
		return base + quote, ""
	case OKX:
		if expiry != "" {
			return base + "-" + quote + "-" + expiry, ""
		}
		return base + "-" + quote + "-SWAP", ""
	case Bybit:
		return dated(base + quote)
	case Gate:
		return dated(base + "_" + quote)
	case Hyperliquid:
		return dated(base)
	case DYDX:
		return dated(base + "-" + quote)
	}
	return "", "unknown family"
}
