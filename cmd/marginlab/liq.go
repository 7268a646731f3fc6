package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/marginlab/marginlab/backtest/venue"
)

var liqCmd = &command{
	name:    "liq",
	summary: "compute a position's liquidation and bankruptcy prices on a venue",
	about: `
Liq computes where a linear perpetual position is liquidated and where it
goes bankrupt, with a venue's maintenance brackets and liquidation formula
(package backtest/venue; VENUES.md has the formulas and their sources). It
prints the liquidation price, the bankruptcy price, the bracket used
(floor–cap, MMR, cum), the collateral, and each price's distance from entry.

--venue is a family (binance, bybit, okx, gate, hyperliquid, dydx_v4: that
family's preset), a preset (binance-usdm, bybit-linear, okx-swap, gate-usdt,
hyperliquid, dydx-v4) or a venue file in YAML or JSON.

Collateral, the money that stands behind the position:
  isolated  --wallet (the position's margin), else amount × entry / leverage;
            plus --extra-margin, minus --funding-paid (positive = paid)
  cross     --wallet (the cross wallet balance), minus the other positions'
            maintenance margin, plus their unrealised PnL (both at their
            mark; --jsonl only), plus --extra-margin, minus --funding-paid

The liquidation price is where collateral + PnL equals the maintenance
margin under the venue family's rule; the bankruptcy price is where equity
is zero: collateral + PnL for isolated, and for cross the same collateral
without the others' maintenance margin. "none" (null in JSON)
means no positive price gets there, e.g. a long backed by its full notional.

Brackets: the venue's table for --symbol in force on --at (default: the
latest table), found by base asset (BTC, BTCUSDT and BTC-USDT-SWAP all find
BTC); unlisted symbols use the venue's default table. --mm-ratio R, with
--maintenance-amount C (default 0), sets one bracket instead; on hyperliquid
--max-leverage L alone sets MMR = 1/(2L). --taker-fee overrides the venue's
taker fee, which okx and gate count in the maintenance rate.

With --jsonl, liq reads JSON objects from standard input, one per line, and
writes each back with "liquidation_price" and "bankruptcy_price" added (null
when there is none); only --at applies. Every other field passes through
unchanged and in its input order; the two new fields are appended, or
replaced where the input has them. Fields (numbers as JSON numbers; absent
or null means not given): venue, margin_mode (isolated or cross, default
isolated), side (long or short), symbol, entry_price, amount (base units),
leverage, wallet_balance, mm_ratio, maintenance_amount, taker_fee_rate,
max_leverage, mark_price (passed through; the prices do not depend on it),
extra_margin, funding_paid, and for cross other_positions: a list of
objects with symbol, side, amount, entry_price, mark_price (required),
mm_ratio and maintenance_amount. A line that cannot be answered is reported
on standard error with its line number and field, and left out of the
output; the other lines are answered in order and the exit status is 1.
Blank lines are skipped.`,
	examples: []string{
		"marginlab liq --venue binance-usdm --symbol BTCUSDT --side long --entry 30000 --amount 0.5 --leverage 20",
		"marginlab liq --venue bybit --side short --entry 30000 --amount 2 --leverage 10 --extra-margin 1000",
		"marginlab liq --venue binance --symbol BTCUSDT --side long --entry 30000 --amount 10 --leverage 10 --at 2021-06-01",
		"marginlab liq --venue hyperliquid --side long --entry 60000 --amount 1 --wallet 6000 --max-leverage 40",
		"marginlab liq --venue binance --mode cross --side long --entry 30000 --amount 0.1 --wallet 1000",
		`echo '{"venue":"okx","side":"long","entry_price":30000,"amount":1,"leverage":20,"mm_ratio":0.004}' | marginlab liq --jsonl`,
	},
	setup: setupLiq,
}

// latest is the --at default: later than every table, so the latest one
// applies.
var latest = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// optFloat is a float64 flag that records whether it was given; its help
// shows no default.
type optFloat struct {
	v   float64
	set bool
}

func (o *optFloat) String() string {
	if o == nil || !o.set {
		return ""
	}
	return strconv.FormatFloat(o.v, 'g', -1, 64)
}

func (o *optFloat) Set(s string) error {
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
		return fmt.Errorf("%q is not a number", s)
	}
	o.v, o.set = x, true
	return nil
}

func (o *optFloat) ptr() *float64 {
	if !o.set {
		return nil
	}
	return &o.v
}

type dateValue struct{ p *time.Time }

func (d dateValue) String() string {
	if d.p == nil || d.p.Equal(latest) {
		return ""
	}
	return d.p.Format("2006-01-02")
}

func (d dateValue) Set(s string) error {
	for _, layout := range []string{"2006-01-02", time.RFC3339} {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			*d.p = t
			return nil
		}
	}
	return fmt.Errorf("%q: want a date YYYY-MM-DD or an RFC 3339 time", s)
}

// liqRecord is one position as --jsonl reads it; flag mode fills the same
// record. Pointers tell "not given" from zero.
type liqRecord struct {
	Venue          *string       `json:"venue"`
	MarginMode     *string       `json:"margin_mode"`
	Side           *string       `json:"side"`
	Symbol         *string       `json:"symbol"`
	EntryPrice     *float64      `json:"entry_price"`
	Amount         *float64      `json:"amount"`
	Leverage       *float64      `json:"leverage"`
	WalletBalance  *float64      `json:"wallet_balance"`
	MMRatio        *float64      `json:"mm_ratio"`
	MaintAmount    *float64      `json:"maintenance_amount"`
	TakerFeeRate   *float64      `json:"taker_fee_rate"`
	MaxLeverage    *float64      `json:"max_leverage"`
	MarkPrice      *float64      `json:"mark_price"`
	ExtraMargin    *float64      `json:"extra_margin"`
	FundingPaid    *float64      `json:"funding_paid"`
	OtherPositions []otherRecord `json:"other_positions"`
}

// otherRecord is another position of a cross account.
type otherRecord struct {
	Symbol      *string  `json:"symbol"`
	Side        *string  `json:"side"`
	Amount      *float64 `json:"amount"`
	EntryPrice  *float64 `json:"entry_price"`
	MarkPrice   *float64 `json:"mark_price"`
	MMRatio     *float64 `json:"mm_ratio"`
	MaintAmount *float64 `json:"maintenance_amount"`
}

// flagNames maps record fields to the flags that set them, so that flag
// mode's errors name flags.
var flagNames = map[string]string{
	"venue": "--venue", "margin_mode": "--mode", "side": "--side", "symbol": "--symbol",
	"entry_price": "--entry", "amount": "--amount", "leverage": "--leverage",
	"wallet_balance": "--wallet", "mm_ratio": "--mm-ratio", "maintenance_amount": "--maintenance-amount",
	"taker_fee_rate": "--taker-fee", "max_leverage": "--max-leverage", "extra_margin": "--extra-margin",
	"funding_paid": "--funding-paid",
}

// flagError renames the JSON fields in e to the flags that set them.
func flagError(e *fieldError) *fieldError {
	out := &fieldError{field: e.field, msg: e.msg}
	if name, ok := flagNames[e.field]; ok {
		out.field = name
	}
	for field, name := range flagNames {
		if strings.Contains(field, "_") {
			out.msg = strings.ReplaceAll(out.msg, field, name)
		}
	}
	return out
}

// fieldError is a problem with one input field.
type fieldError struct {
	field string
	msg   string
}

func (e *fieldError) Error() string { return e.field + ": " + e.msg }

func setupLiq(fs *flag.FlagSet) runFunc {
	venueName := fs.String("venue", "binance-usdm", "`VENUE`: a family, a preset or a venue file (see above)")
	symbol := fs.String("symbol", "", "`SYMBOL` whose brackets apply; empty uses the venue's default table")
	side := fs.String("side", "", "`SIDE` of the position: long or short (required)")
	var entry, amount, leverage, wallet, extra, funding, mmr, cum, taker, maxLev optFloat
	fs.Var(&entry, "entry", "entry `PRICE` (required)")
	fs.Var(&amount, "amount", "position size `QTY` in base units, e.g. BTC (required)")
	fs.Var(&leverage, "leverage", "leverage `L`; isolated margin is amount × entry / L unless --wallet")
	mode := fs.String("mode", "isolated", "margin `MODE`: isolated or cross")
	fs.Var(&wallet, "wallet", "`W`: isolated, the position's margin; cross, the wallet balance\n(required for cross)")
	fs.Var(&extra, "extra-margin", "`X` quote units of margin added to the position")
	fs.Var(&funding, "funding-paid", "`F` quote units of funding paid out of the collateral\n(negative: received)")
	fs.Var(&mmr, "mm-ratio", "maintenance margin `RATE` of a single bracket, e.g. 0.004,\ninstead of the venue's table")
	fs.Var(&cum, "maintenance-amount", "maintenance amount (cum) `C` of the --mm-ratio bracket (default 0)")
	fs.Var(&taker, "taker-fee", "taker fee `RATE`, instead of the venue's (used by okx and gate)")
	fs.Var(&maxLev, "max-leverage", "`L`: on hyperliquid without --mm-ratio, MMR = 1/(2L)")
	at := latest
	fs.Var(dateValue{&at}, "at", "`DATE` whose bracket tables apply, YYYY-MM-DD; default the latest")
	jsonl := fs.Bool("jsonl", false, "read positions as JSON objects from stdin, one per line, and\nwrite each back with liquidation_price and bankruptcy_price")
	return func(ctx context.Context, sio *stdio, args []string) error {
		if len(args) > 0 {
			return usagef("unexpected argument %q (liq takes only flags)", args[0])
		}
		r := &venueResolver{cache: map[string]*venue.Venue{}}
		if *jsonl {
			var extraFlags []string
			fs.Visit(func(f *flag.Flag) {
				if f.Name != "jsonl" && f.Name != "at" {
					extraFlags = append(extraFlags, "--"+f.Name)
				}
			})
			if len(extraFlags) > 0 {
				return usagef("--jsonl reads positions from stdin; %s cannot be combined with it", strings.Join(extraFlags, ", "))
			}
			return liqJSONL(ctx, sio, r, at)
		}
		rec := &liqRecord{
			Venue: venueName, MarginMode: mode, Symbol: symbol,
			EntryPrice: entry.ptr(), Amount: amount.ptr(), Leverage: leverage.ptr(),
			WalletBalance: wallet.ptr(), MMRatio: mmr.ptr(), MaintAmount: cum.ptr(),
			TakerFeeRate: taker.ptr(), MaxLeverage: maxLev.ptr(),
			ExtraMargin: extra.ptr(), FundingPaid: funding.ptr(),
		}
		if *side != "" {
			rec.Side = side
		}
		p, err := rec.position(r, at)
		if err != nil {
			var fe *fieldError
			if errors.As(err, &fe) {
				return usagef("%v", flagError(fe))
			}
			return err
		}
		a, err := p.solve()
		if err != nil {
			return err
		}
		return printLiq(sio.out, p, a)
	}
}

// venueResolver turns venue names into venues, parsing each once.
type venueResolver struct {
	cache map[string]*venue.Venue
}

// resolve accepts a family (its preset), a preset name or a venue file.
func (r *venueResolver) resolve(name string) (*venue.Venue, error) {
	if v, ok := r.cache[name]; ok {
		return v, nil
	}
	v, err := r.lookup(name)
	if err != nil {
		return nil, err
	}
	r.cache[name] = v
	return v, nil
}

func (r *venueResolver) lookup(name string) (*venue.Venue, error) {
	for _, f := range venue.Families() {
		if name != string(f) {
			continue
		}
		for _, n := range venue.PresetNames() {
			v, err := venue.Preset(n)
			if err != nil {
				return nil, err
			}
			if v.Family == f {
				return v, nil
			}
		}
	}
	v, err := venue.Lookup(name)
	if errors.Is(err, venue.ErrNotFound) {
		fams := make([]string, 0, 6)
		for _, f := range venue.Families() {
			fams = append(fams, string(f))
		}
		return nil, fmt.Errorf("unknown venue %q: want a family (%s), a preset (%s) or a venue file",
			name, strings.Join(fams, ", "), strings.Join(venue.PresetNames(), ", "))
	}
	return v, err
}

// liqPosition is a checked position, ready to solve.
type liqPosition struct {
	venue      *venue.Venue
	venueName  string
	cross      bool
	side       int
	symbol     string
	qty, entry float64
	leverage   float64 // 0 when not given
	brackets   venue.Brackets
	table      string // where the brackets came from, for people
	fee        float64
	collateral float64
	// bankrupt is the collateral at which equity is zero: for cross, the
	// wallet plus the others' uPnL, without their maintenance margin.
	bankrupt float64
}

// liqAnswer is what liq computes for a position.
type liqAnswer struct {
	lp, bp     float64
	lpOK, bpOK bool
	tier       int // index into brackets of the tier the liquidation price was solved in
}

func sideOf(s *string, field string) (int, error) {
	if s == nil {
		return 0, &fieldError{field, "missing: want long or short"}
	}
	switch strings.ToLower(*s) {
	case "long":
		return 1, nil
	case "short":
		return -1, nil
	}
	return 0, &fieldError{field, fmt.Sprintf("%q: want long or short", *s)}
}

func positive(x *float64, field string) (float64, error) {
	if x == nil {
		return 0, &fieldError{field, "missing"}
	}
	if !(*x > 0) || math.IsInf(*x, 0) {
		return 0, &fieldError{field, fmt.Sprintf("%v: must be a positive number", *x)}
	}
	return *x, nil
}

func orZero(x *float64) float64 {
	if x == nil {
		return 0
	}
	return *x
}

// position checks rec and computes its collateral and brackets. Errors
// about a field are *fieldError values naming the JSON field.
func (rec *liqRecord) position(r *venueResolver, at time.Time) (*liqPosition, error) {
	if rec.Venue == nil || *rec.Venue == "" {
		return nil, &fieldError{"venue", "missing"}
	}
	v, err := r.resolve(*rec.Venue)
	if err != nil {
		return nil, &fieldError{"venue", err.Error()}
	}
	p := &liqPosition{venue: v, venueName: *rec.Venue}
	if rec.MarginMode != nil {
		switch strings.ToLower(*rec.MarginMode) {
		case "isolated":
		case "cross":
			p.cross = true
		default:
			return nil, &fieldError{"margin_mode", fmt.Sprintf("%q: want isolated or cross", *rec.MarginMode)}
		}
	}
	if p.side, err = sideOf(rec.Side, "side"); err != nil {
		return nil, err
	}
	if p.entry, err = positive(rec.EntryPrice, "entry_price"); err != nil {
		return nil, err
	}
	if p.qty, err = positive(rec.Amount, "amount"); err != nil {
		return nil, err
	}
	if rec.Symbol != nil {
		p.symbol = *rec.Symbol
	}
	p.fee = v.TakerFee
	if rec.TakerFeeRate != nil {
		if f := *rec.TakerFeeRate; !(f >= 0 && f < 0.1) {
			return nil, &fieldError{"taker_fee_rate", fmt.Sprintf("%v: want a fraction in [0, 0.1), e.g. 0.0005", f)}
		}
		p.fee = *rec.TakerFeeRate
	}
	for _, f := range []struct {
		x    *float64
		name string
	}{{rec.ExtraMargin, "extra_margin"}, {rec.FundingPaid, "funding_paid"}, {rec.WalletBalance, "wallet_balance"}} {
		if f.x != nil && (math.IsNaN(*f.x) || math.IsInf(*f.x, 0)) {
			return nil, &fieldError{f.name, "must be a finite number"}
		}
	}
	if rec.Leverage != nil {
		if p.leverage, err = positive(rec.Leverage, "leverage"); err != nil {
			return nil, err
		}
	}
	p.brackets, p.table, err = bracketsOf(v, p.symbol, rec.MMRatio, rec.MaintAmount, rec.MaxLeverage, at, "")
	if err != nil {
		return nil, err
	}

	var base, othersMM float64
	switch {
	case !p.cross && len(rec.OtherPositions) > 0:
		return nil, &fieldError{"other_positions", "only for margin_mode cross"}
	case !p.cross && rec.WalletBalance != nil:
		base = *rec.WalletBalance
	case !p.cross && rec.Leverage != nil:
		base = p.qty * p.entry / p.leverage
	case !p.cross:
		return nil, &fieldError{"leverage", "missing: isolated margin needs wallet_balance (the position's margin) or leverage"}
	case rec.WalletBalance == nil:
		return nil, &fieldError{"wallet_balance", "missing: cross margin needs the wallet balance"}
	default:
		base = *rec.WalletBalance
		rule := v.Rule()
		for i, o := range rec.OtherPositions {
			field := fmt.Sprintf("other_positions[%d].", i)
			s, err := sideOf(o.Side, field+"side")
			if err != nil {
				return nil, err
			}
			q, err := positive(o.Amount, field+"amount")
			if err != nil {
				return nil, err
			}
			ep, err := positive(o.EntryPrice, field+"entry_price")
			if err != nil {
				return nil, err
			}
			mp, err := positive(o.MarkPrice, field+"mark_price")
			if err != nil {
				return nil, err
			}
			sym := ""
			if o.Symbol != nil {
				sym = *o.Symbol
			}
			br, _, err := bracketsOf(v, sym, o.MMRatio, o.MaintAmount, nil, at, field)
			if err != nil {
				return nil, err
			}
			mm := rule.Maintenance(br, p.fee, q, ep, mp)
			base += float64(s)*q*(mp-ep) - mm
			othersMM += mm
		}
	}
	p.collateral = base + orZero(rec.ExtraMargin) - orZero(rec.FundingPaid)
	p.bankrupt = p.collateral + othersMM
	return p, nil
}

// bracketsOf returns the brackets of a position: one tier from mmr (and
// cum) when given, one tier of MMR = 1/(2·maxLev) on hyperliquid, else the
// venue's table for symbol at time at. prefix starts the field names.
func bracketsOf(v *venue.Venue, symbol string, mmr, cum, maxLev *float64, at time.Time, prefix string) (venue.Brackets, string, error) {
	single := func(rate, c, lev float64, what string) (venue.Brackets, string, error) {
		b := venue.Brackets{{Floor: 0, Cap: math.Inf(1), MMR: rate, Cum: c, MaxLeverage: lev}}
		return b, what, nil
	}
	switch {
	case mmr != nil:
		if !(*mmr > 0 && *mmr < 1) {
			return nil, "", &fieldError{prefix + "mm_ratio", fmt.Sprintf("%v: want a fraction in (0, 1), e.g. 0.004", *mmr)}
		}
		c := orZero(cum)
		if math.IsNaN(c) || math.IsInf(c, 0) {
			return nil, "", &fieldError{prefix + "maintenance_amount", "must be a finite number"}
		}
		return single(*mmr, c, orZero(maxLev), "single bracket from the given maintenance rate")
	case cum != nil:
		return nil, "", &fieldError{prefix + "maintenance_amount", "given without mm_ratio"}
	case maxLev != nil && v.Family == venue.Hyperliquid:
		if !(*maxLev >= 1) || math.IsInf(*maxLev, 0) {
			return nil, "", &fieldError{prefix + "max_leverage", fmt.Sprintf("%v: must be at least 1", *maxLev)}
		}
		return single(1/(2**maxLev), 0, *maxLev, fmt.Sprintf("single bracket, MMR = 1/(2 × %v)", *maxLev))
	}
	key, found := v.SymbolKey(symbol)
	if !found {
		key = symbol
	}
	t, listed, ok := v.TableFor(key, at)
	if !ok {
		return nil, "", fmt.Errorf("venue %s has no bracket table for %q", v.Name, symbol)
	}
	where := key + " table"
	if !listed {
		where = "default table"
		if symbol != "" {
			where = fmt.Sprintf("default table (%s not listed)", symbol)
		}
	}
	return t.Brackets, fmt.Sprintf("%s from %s", where, t.EffectiveFrom.Format("2006-01-02")), nil
}

// solve computes the liquidation and bankruptcy prices.
func (p *liqPosition) solve() (*liqAnswer, error) {
	if len(p.brackets) == 0 {
		return nil, errors.New("no brackets")
	}
	rule := p.venue.Rule()
	a := &liqAnswer{}
	a.lp, a.lpOK = rule.LiquidationPrice(p.brackets, p.fee, p.side, p.qty, p.entry, p.collateral)
	a.bp, a.bpOK = venue.BankruptcyPrice(p.side, p.qty, p.entry, p.bankrupt)
	// The tier is picked by the notional at the liquidation price under
	// rules that mark to the current price, else at entry.
	price := p.entry
	if rule.OnMark && a.lpOK {
		price = a.lp
	}
	a.tier = p.brackets.Index(p.qty * price)
	return a, nil
}

func fmtNum(x float64) string {
	if math.IsInf(x, 1) {
		return "∞"
	}
	return strconv.FormatFloat(math.Round(x*1e8)/1e8, 'f', -1, 64)
}

func fmtPrice(x float64, ok bool, entry float64) string {
	if !ok {
		return "none (no positive price gets there)"
	}
	return fmt.Sprintf("%s  (%+.4f %% from entry)", fmtNum(x), (x/entry-1)*100)
}

func printLiq(w io.Writer, p *liqPosition, a *liqAnswer) error {
	side, mode := "long", "isolated"
	if p.side < 0 {
		side = "short"
	}
	if p.cross {
		mode = "cross"
	}
	name := p.venue.Name
	if p.venueName != name {
		name = fmt.Sprintf("%s (%s)", p.venueName, name)
	}
	b := p.brackets[a.tier]
	var sb strings.Builder
	fmt.Fprintf(&sb, "venue        %s, family %s\n", name, p.venue.Family)
	sym := p.symbol
	if sym != "" {
		sym += " "
	}
	fmt.Fprintf(&sb, "position     %s %s %s@ %s, notional %s at entry, %s", side, fmtNum(p.qty), sym, fmtNum(p.entry), fmtNum(p.qty*p.entry), mode)
	if p.leverage > 0 {
		fmt.Fprintf(&sb, ", leverage %s", fmtNum(p.leverage))
	}
	fmt.Fprintf(&sb, "\ncollateral   %s\n", fmtNum(p.collateral))
	fmt.Fprintf(&sb, "liquidation  %s\n", fmtPrice(a.lp, a.lpOK, p.entry))
	fmt.Fprintf(&sb, "bankruptcy   %s\n", fmtPrice(a.bp, a.bpOK, p.entry))
	fmt.Fprintf(&sb, "bracket      tier %d of %d: %s–%s, MMR %s %%, cum %s, max leverage %s\n",
		a.tier+1, len(p.brackets), fmtNum(b.Floor), fmtNum(b.Cap), fmtNum(b.MMR*100), fmtNum(b.Cum), fmtNum(b.MaxLeverage))
	fmt.Fprintf(&sb, "             %s", p.table)
	if p.venue.Rule().FeeInRate {
		fmt.Fprintf(&sb, "; taker fee %s %% counted in the rate", fmtNum(p.fee*100))
	}
	sb.WriteString("\n")
	if p.leverage > 0 && b.MaxLeverage > 0 && p.leverage > b.MaxLeverage {
		fmt.Fprintf(&sb, "note         leverage %s exceeds the bracket's maximum %s\n", fmtNum(p.leverage), fmtNum(b.MaxLeverage))
	}
	_, err := io.WriteString(w, sb.String())
	return err
}

// liqJSONL answers one JSON object per input line. See the command's help
// for the fields. Key order: each output line keeps the input's keys in
// their input order (values copied verbatim, minus insignificant space),
// with liquidation_price and bankruptcy_price appended, or replaced in
// place when the input already has them.
func liqJSONL(ctx context.Context, sio *stdio, r *venueResolver, at time.Time) error {
	sc := bufio.NewScanner(sio.in)
	sc.Buffer(make([]byte, 0, 64<<10), 64<<20)
	out := bufio.NewWriter(sio.out)
	var lines, failed int
	for n := 1; sc.Scan(); n++ {
		if err := ctx.Err(); err != nil {
			out.Flush()
			return err
		}
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		lines++
		answer, err := liqLine(line, r, at)
		if err != nil {
			failed++
			fmt.Fprintf(sio.errOut, "%s liq: line %d: %v\n", programName, n, err)
			continue
		}
		out.Write(answer)
		out.WriteByte('\n')
	}
	if err := out.Flush(); err != nil {
		return err
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("reading standard input: %w", err)
	}
	if failed > 0 {
		return fmt.Errorf("liq: %d of %d input lines could not be answered", failed, lines)
	}
	return nil
}

// liqLine answers one input line.
func liqLine(line []byte, r *venueResolver, at time.Time) ([]byte, error) {
	fields, err := objectFields(line)
	if err != nil {
		return nil, err
	}
	var rec liqRecord
	if err := json.Unmarshal(line, &rec); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return nil, &fieldError{te.Field, fmt.Sprintf("want %s, got %s", jsonKind(te.Type.Kind().String()), te.Value)}
		}
		return nil, err
	}
	p, err := rec.position(r, at)
	if err != nil {
		return nil, err
	}
	a, err := p.solve()
	if err != nil {
		return nil, err
	}
	num := func(x float64, ok bool) json.RawMessage {
		if !ok {
			return json.RawMessage("null")
		}
		b, _ := json.Marshal(x)
		return b
	}
	fields = setField(fields, "liquidation_price", num(a.lp, a.lpOK))
	fields = setField(fields, "bankruptcy_price", num(a.bp, a.bpOK))
	return encodeFields(fields)
}

func jsonKind(k string) string {
	switch k {
	case "float64":
		return "a number"
	case "string":
		return "a string"
	case "slice":
		return "a list"
	case "ptr", "struct":
		return "an object"
	}
	return k
}

// field is one key and its raw value, in input order.
type field struct {
	key string
	val json.RawMessage
}

// objectFields splits a JSON object into its keys and raw values, in
// order; anything but one object is an error.
func objectFields(line []byte) ([]field, error) {
	var v any
	if err := json.Unmarshal(line, &v); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, fmt.Errorf("bad JSON at byte %d: %v", se.Offset, err)
		}
		return nil, fmt.Errorf("bad JSON: %v", err)
	}
	if _, ok := v.(map[string]any); !ok {
		return nil, errors.New("want a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("bad JSON: %v", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, errors.New("want a JSON object")
	}
	var fields []field
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("bad JSON: %v", err)
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, fmt.Errorf("bad JSON: %v", err)
		}
		fields = append(fields, field{key: tok.(string), val: raw})
	}
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("bad JSON: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("bad JSON: text after the object")
	}
	return fields, nil
}

// setField replaces key's value wherever it occurs, or appends it.
func setField(fields []field, key string, val json.RawMessage) []field {
	found := false
	for i := range fields {
		if fields[i].key == key {
			fields[i].val, found = val, true
		}
	}
	if !found {
		fields = append(fields, field{key, val})
	}
	return fields
}

func encodeFields(fields []field) ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range fields {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(f.key)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		if err := json.Compact(&b, f.val); err != nil {
			return nil, err
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}
