package venue

import (
	"math"
	"sort"
	"time"
)

// Bracket is one maintenance-margin tier: positions whose notional lies in
// [Floor, Cap) need maintenance margin notional × MMR − Cum.
type Bracket struct {
	Floor       float64 `json:"floor" yaml:"floor"`               // notional floor, inclusive, quote units
	Cap         float64 `json:"cap" yaml:"cap"`                   // notional cap, exclusive; +Inf for the last tier
	MMR         float64 `json:"mmr" yaml:"mmr"`                   // maintenance margin rate, a fraction
	Cum         float64 `json:"cum" yaml:"cum"`                   // maintenance amount (Binance) = deduction (Bybit, Hyperliquid)
	MaxLeverage float64 `json:"max_leverage" yaml:"max_leverage"` // highest leverage allowed in the tier
}

// Brackets are a symbol's tiers, sorted by Floor and contiguous: each Cap is
// the next Floor.
type Brackets []Bracket

// Index returns the tier whose [Floor, Cap) holds notional; notional above
// the last cap uses the last tier, below the first floor the first.
func (b Brackets) Index(notional float64) int {
	i := sort.Search(len(b), func(i int) bool { return b[i].Cap > notional })
	return min(i, len(b)-1)
}

// Cumulate fills every Cum from the recursion cum_1 = 0,
// cum_k = cum_{k−1} + Floor_k × (MMR_k − MMR_{k−1}), which makes maintenance
// margin continuous across tiers (VENUES.md §2).
func (b Brackets) Cumulate() {
	for k := range b {
		if k == 0 {
			b[k].Cum = 0
			continue
		}
		b[k].Cum = b[k-1].Cum + b[k].Floor*(b[k].MMR-b[k-1].MMR)
	}
}

// Family names a venue's liquidation-formula family. Families differ only in
// the parameters of one maintenance rule (see Rule), so the engine never
// branches on them.
type Family string

// Families with presets.
const (
	Binance     Family = "binance"
	Bybit       Family = "bybit"
	OKX         Family = "okx"
	Gate        Family = "gate"
	Hyperliquid Family = "hyperliquid"
	DYDX        Family = "dydx_v4"
)

// Rule is the maintenance-margin rule of a family, in one linear form. For a
// position of size Q > 0, entry EP, at price P, in tier k:
//
//	MM(P) = Q × (rP × P + rE × EP) − Cum_k
//	rP = MMR_k + fee (when OnMark),  rE = MMR_k (when !OnMark)
//	fee = taker fee rate when FeeInRate, else 0
//
// Binance, Hyperliquid and dYdX: OnMark, no fee. Bybit (classic USDT): MM at
// the entry price, !OnMark. OKX and Gate: OnMark with the taker fee added to
// the rate (their liquidation condition counts the closing fee).
type Rule struct {
	OnMark    bool // rate applies to notional at the current price, else at entry
	FeeInRate bool // add the taker fee rate to the maintenance rate
}

// RuleOf returns the maintenance rule of a family.
func RuleOf(f Family) Rule {
	switch f {
	case Bybit:
		return Rule{OnMark: false}
	case OKX, Gate:
		return Rule{OnMark: true, FeeInRate: true}
	default:
		return Rule{OnMark: true}
	}
}

// Remainder says where a liquidated position's margin left above
// bankruptcy goes.
type Remainder string

// Remainder destinations.
const (
	ToInsurance Remainder = "insurance"
	ToTrader    Remainder = "trader"
)

// Partial configures stepwise liquidation: while the account stays
// liquidatable, close Step (a fraction of the size at the start of the
// liquidation) at a time. Venues reduce only large positions this way: a
// position whose notional at the settle price is below MinNotional is
// closed whole (0: every position is reduced in steps).
type Partial struct {
	Enabled     bool    `json:"enabled" yaml:"enabled"`
	Step        float64 `json:"step" yaml:"step"`                 // fraction of the position closed per step, in (0, 1]
	MinNotional float64 `json:"min_notional" yaml:"min_notional"` // quote units
}

// StepQty is how much of a position of size qty (size q0 when this
// liquidation began) one liquidation step closes at price.
func (p Partial) StepQty(qty, q0, price float64) float64 {
	if !p.Enabled || qty*price < p.MinNotional {
		return qty
	}
	return min(qty, p.Step*q0)
}

// Table is a bracket table valid from EffectiveFrom until the next table.
type Table struct {
	EffectiveFrom time.Time `json:"effective_from" yaml:"effective_from"`
	Brackets      Brackets  `json:"brackets" yaml:"brackets"`
}

// Source cites where a preset's figures come from.
type Source struct {
	What string `json:"what" yaml:"what"`
	URL  string `json:"url" yaml:"url"`
	Date string `json:"date" yaml:"date"` // when the figures were published or read
}

// Venue is an exchange's margin model for linear (USDT/USDC) perpetuals.
// Rates are fractions (0.0005 = 0.05 %).
type Venue struct {
	Name            string
	Family          Family
	MakerFee        float64
	TakerFee        float64
	LiquidationFee  float64 // charged on the liquidated notional
	Remainder       Remainder
	Partial         Partial
	FundingInterval time.Duration
	// Tables holds each listed symbol's bracket tables, sorted by
	// EffectiveFrom; Default serves every other symbol.
	Tables  map[string][]Table
	Default []Table
	// Orders are the venue's order filters (minimum notional and
	// quantity, quantity step); the zero value refuses nothing.
	Orders  Orders
	Sources []Source
}

// Rule returns the venue's maintenance rule.
func (v *Venue) Rule() Rule { return RuleOf(v.Family) }

// BracketsFor returns the tiers of symbol in force at time at: the latest
// table with EffectiveFrom ≤ at, or the earliest table when at precedes
// them all. The symbol is matched by SymbolKey, so BTC_USDT_USDT or
// BTC-USDT-SWAP find a BTCUSDT table; unlisted symbols use Default.
func (v *Venue) BracketsFor(symbol string, at time.Time) Brackets {
	if key, ok := v.SymbolKey(symbol); ok {
		symbol = key
	}
	t, _, _ := v.TableFor(symbol, at)
	return t.Brackets
}

// TablesOf returns the bracket tables that serve symbol (matched as
// BracketsFor matches it): its own, else Default. Callers that look up
// one symbol often keep the result: matching a symbol that is not a key
// reads every key.
func (v *Venue) TablesOf(symbol string) []Table {
	if key, ok := v.SymbolKey(symbol); ok && len(v.Tables[key]) > 0 {
		return v.Tables[key]
	}
	return v.Default
}

// InForce returns the brackets of the table in force at time at (Unix
// ns): the latest with EffectiveFrom ≤ at, or the earliest when at precedes
// them all; nil without tables.
func InForce(tables []Table, at int64) Brackets {
	if len(tables) == 0 {
		return nil
	}
	return tables[inForce(tables, at)].Brackets
}

// inForce is the index of the table in force at at (Unix ns, so between
// 1678 and 2262); tables is not empty.
func inForce(tables []Table, at int64) int {
	i := len(tables) - 1
	for i > 0 && tables[i].EffectiveFrom.UnixNano() > at {
		i--
	}
	return i
}

// rates returns (rP, rE) of tier k under rule r with taker fee rate fee.
func (r Rule) rates(b Bracket, fee float64) (rP, rE float64) {
	if !r.OnMark {
		return 0, b.MMR
	}
	if r.FeeInRate {
		return b.MMR + fee, 0
	}
	return b.MMR, 0
}

// tierNotional is the notional that picks the tier: at price P under OnMark
// rules, at entry otherwise.
func (r Rule) tierNotional(qty, entry, price float64) float64 {
	if r.OnMark {
		return qty * price
	}
	return qty * entry
}

// Maintenance returns MM for a position of size qty (> 0) and entry price at
// price, under rule r with taker fee rate fee.
func (r Rule) Maintenance(br Brackets, fee, qty, entry, price float64) float64 {
	b := br[br.Index(r.tierNotional(qty, entry, price))]
	rP, rE := r.rates(b, fee)
	return qty*(rP*price+rE*entry) - b.Cum
}

// LiquidationPrice solves collateral + side×qty×(P − entry) = MM(P) for P,
// holding everything else fixed. collateral is the isolated position's
// margin (initial + added ± funding and fees booked to it), or for a cross
// position W − ΣMM(others) + ΣuPnL(others). side is +1 long, −1 short.
//
// With tiers, P is solved in the tier of the current position, then again
// in the tier that the notional at that P falls in, until the two agree
// (VENUES.md §2: "pick tier → solve → check → switch"). ok is false when no
// positive price liquidates (e.g. a fully collateralised long).
func (r Rule) LiquidationPrice(br Brackets, fee float64, side int, qty, entry, collateral float64) (price float64, ok bool) {
	s := float64(side)
	k := br.Index(r.tierNotional(qty, entry, entry))
	for range len(br) + 1 {
		b := br[k]
		rP, rE := r.rates(b, fee)
		den := qty * (s - rP)
		if den == 0 {
			return 0, false
		}
		p := (rE*qty*entry - b.Cum - collateral + s*qty*entry) / den
		if math.IsNaN(p) {
			return 0, false
		}
		// Judge p only in its own tier: MM is the maximum of the tiers'
		// lines, so another tier's solution (even p ≤ 0, from a high tier
		// with a large Cum) only shows the direction of the true one, and
		// the re-solves move monotonically toward it.
		next := br.Index(r.tierNotional(qty, entry, p))
		if next == k {
			if !(p > 0) || math.IsInf(p, 0) || p > 1e15 {
				return 0, false
			}
			return p, true
		}
		k = next
	}
	// The tiers disagree in a cycle (impossible with continuous MM); take
	// the last solution's tier as the answer's.
	b := br[k]
	rP, rE := r.rates(b, fee)
	p := (rE*qty*entry - b.Cum - collateral + s*qty*entry) / (qty * (s - rP))
	if !(p > 0) || math.IsInf(p, 0) || p > 1e15 {
		return 0, false
	}
	return p, true
}

// BankruptcyPrice is where collateral + side×qty×(P − entry) = 0: the price
// at which the position's collateral is exactly used up. ok is false when
// that price is not positive (a long whose collateral covers its notional).
func BankruptcyPrice(side int, qty, entry, collateral float64) (price float64, ok bool) {
	p := entry - float64(side)*collateral/qty
	if !(p > 0) || math.IsInf(p, 0) {
		return 0, false
	}
	return p, true
}
