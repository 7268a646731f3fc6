package oracle

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/marginlab/marginlab/backtest"
	"github.com/marginlab/marginlab/backtest/venue"
	"github.com/marginlab/marginlab/data"
)

// Liq is one liquidation event of one position.
type Liq struct {
	Time      int64 // open time of the bar
	Bar       int
	Symbol    string
	Mode      string // "isolated" or "cross"
	Side      int
	Qty       float64 // size closed by this event
	Price     float64 // settle price
	Fee       float64 // liquidation fee taken (to the insurance fund)
	Partial   bool    // the position stays open
	Position  int     // the n-th position opened from flat in this run (from 1)
	AfterRuin bool    // after the ruin bar of a run that halts at ruin
}

// Pay is one funding payment of one position.
type Pay struct {
	Time   int64 // open time of the bar it was applied at
	Bar    int
	Symbol string
	Mode   string  // "isolated" or "cross"
	Amount float64 // paid by the trader; negative: received
}

// Fill is one executed order (not a liquidation).
type Fill struct {
	Time   int64
	Bar    int
	Symbol string
	Qty    float64 // signed: + buys, − sells
	Price  float64 // slippage included
	Fee    float64
	Reason string // "signal" or "stop"
}

// Result is one mode's run.
type Result struct {
	Mode         string
	Liquidations []Liq
	Funding      []Pay
	Fills        []Fill
	FinalEquity  float64 // equity at the last bar's close
	Positions    int     // positions opened from flat
	// Rejected counts refused orders by reason: "ruin", "min_order",
	// "leverage", "margin" (a ReduceToFit cut counts as "margin").
	Rejected map[string]int
	Stops    int // stop fills
	// BankruptCloses counts orders (signal or stop) that became
	// liquidations because they would have left an isolated margin, or
	// the wallet after the last cross leg, below zero.
	BankruptCloses int
	// Gaps counts liquidations at a bar's open before its orders (R2).
	Gaps    int
	RuinBar int // the first bar whose close equity ≤ RuinFraction × Capital; −1 when none
	// TieBar is the first bar at which an order was decided on money too
	// small to tell apart from rounding (note 13): sized from an equity
	// below 1 quote unit, of a notional below 1, or refused or filled by a
	// margin test within 1e-6 of the available balance. −1 when none.
	TieBar int

	// Balances at the end, quote units.
	Wallet          float64
	Insurance       float64 // the insurance fund's net intake (liquidation fees and remainders − shortfalls covered)
	Fees            float64 // trading fees
	LiquidationFees float64 // liquidation fees actually taken
	FundingPaid     float64 // net; negative: received
	Realised        float64 // realised PnL of every close and liquidation
}

// Rejection reasons, in the order they are tested (doc.go of backtest, Orders).
const (
	ReasonRuin     = "ruin"
	ReasonMinOrder = "min_order"
	ReasonLeverage = "leverage"
	ReasonMargin   = "margin"
)

// Run replays the intent stream in over market m once per mode, by the rules
// of package backtest's doc comment, and returns one Result per mode in the
// order given. cfg takes the defaults Config documents.
func Run(m *data.Market, in *backtest.Intents, cfg backtest.Config, modes ...backtest.ModeSpec) ([]Result, error) {
	return run(m, in, cfg, rules{}, modes...)
}

// rules are the test hooks of a run; the zero value is the rules as
// written, and Run uses nothing else.
type rules struct {
	// broken names one rule broken on purpose, for the test that the
	// differential comparison notices it (mutation_test.go).
	broken string
	trace  func(bar int, msg string) // receives a line per decision, for triage
}

// tracef reports a decision to r.trace, when set.
func (s *sim) tracef(format string, args ...any) {
	if s.r.trace != nil {
		s.r.trace(s.bar, fmt.Sprintf("%s: ", s.mode.Name)+fmt.Sprintf(format, args...))
	}
}

func run(m *data.Market, in *backtest.Intents, cfg backtest.Config, r rules, modes ...backtest.ModeSpec) ([]Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.WithDefaults() // configuration, not simulation: shared
	if m == nil || len(m.Time) == 0 || len(m.Symbols) == 0 {
		return nil, errors.New("oracle: empty market")
	}
	if in == nil || in.Symbols != len(m.Symbols) {
		return nil, errors.New("oracle: the intents were not decided on this market")
	}
	switch cfg.Venue.Family {
	case venue.Binance, venue.Bybit, venue.OKX, venue.Gate, venue.Hyperliquid, venue.DYDX:
	default:
		return nil, fmt.Errorf("oracle: unknown venue family %q", cfg.Venue.Family)
	}
	out := make([]Result, len(modes))
	for i, mode := range modes {
		s := newSim(m, in, cfg, mode, r)
		if err := s.run(); err != nil {
			return nil, fmt.Errorf("oracle: mode %s: %w", mode.Name, err)
		}
		out[i] = s.res
	}
	return out, nil
}

// position is one open position. A mode margins each symbol either
// isolated or cross, so a symbol has at most one.
type position struct {
	sym      int
	isolated bool
	side     int     // +1 long, −1 short
	qty      float64 // base units, > 0
	entry    float64 // average entry price
	margin   float64 // isolated only: the position's own balance
	brackets venue.Brackets
	stop     float64 // stop price; 0: none
	intent   backtest.Intent
	number   int     // n-th position opened from flat
	mark     float64 // last close mark; the entry until the first close
	toppedUp float64 // margin added by the top-up policy
}

// sim is one mode's run.
type sim struct {
	m    *data.Market
	in   *backtest.Intents
	cfg  backtest.Config
	v    *venue.Venue
	mode backtest.ModeSpec
	r    rules

	bar int // the bar being simulated

	// Money, quote units. wallet + Σ isolated margins
	// = Capital + realised − fees − funding − insurance at all times.
	wallet, insurance, fees, liqFees, funding, realised float64
	turnover                                            float64 // Σ |flows|, the scale of the bookkeeping check

	pos      []*position       // per symbol; nil when flat
	wanted   []backtest.Intent // R1: each symbol's latest decided intent
	changed  []bool            // R1: the wanted intent changed at this bar
	blocked  []bool            // R9: waiting for the strategy's next decision
	coolEnd  []int             // R9: first bar a liquidated symbol may trade again
	nextFund []int             // R4: index of each symbol's next funding event
	nextChg  int               // R1: index of the next intent change
	opened   int
	ruinBar  int

	res Result
}

func newSim(m *data.Market, in *backtest.Intents, cfg backtest.Config, mode backtest.ModeSpec, r rules) *sim {
	n := len(m.Symbols)
	return &sim{
		m: m, in: in, cfg: cfg, v: cfg.Venue, mode: mode, r: r,
		wallet:   cfg.Capital,
		turnover: cfg.Capital,
		pos:      make([]*position, n),
		wanted:   make([]backtest.Intent, n),
		changed:  make([]bool, n),
		blocked:  make([]bool, n),
		coolEnd:  make([]int, n),
		nextFund: make([]int, n),
		ruinBar:  -1,
		res:      Result{Mode: mode.Name, Rejected: map[string]int{}, RuinBar: -1, TieBar: -1},
	}
}

func (s *sim) isolatedSymbol(k int) bool {
	return s.mode.AllIsolated || s.mode.Isolated[s.m.Symbols[k].Name]
}

func (s *sim) modeName(p *position) string {
	if p.isolated {
		return "isolated"
	}
	return "cross"
}

// run simulates every bar, R1 to R6 in order.
func (s *sim) run() error {
	for s.bar = range s.m.Time {
		s.intentChanges() // R1
		s.gaps()          // R2
		s.fills()         // R3
		s.applyFunding()  // R4
		if s.cfg.Policy == backtest.AtClose {
			s.intrabarAtClose() // R5, AtClose
		} else {
			s.intrabarAdverse() // R5, Adverse
		}
		s.close() // R6
		if err := s.checkBooks(); err != nil {
			return fmt.Errorf("bar %d: %w", s.bar, err)
		}
	}
	s.res.Positions = s.opened
	s.res.RuinBar = s.ruinBar
	s.res.FinalEquity = s.equity()
	s.res.Wallet, s.res.Insurance, s.res.Fees = s.wallet, s.insurance, s.fees
	s.res.LiquidationFees, s.res.FundingPaid, s.res.Realised = s.liqFees, s.funding, s.realised
	return nil
}

// R1. Intent changes decided at bar i−1 become the wanted intents; a
// change ends the wait after a liquidation, stop or refusal (R9).
func (s *sim) intentChanges() {
	clear(s.changed)
	for s.nextChg < len(s.in.Changes) && s.in.Changes[s.nextChg].Bar < s.bar {
		c := s.in.Changes[s.nextChg]
		s.nextChg++
		if c.Bar != s.bar-1 {
			continue // never happens: changes are visited bar by bar
		}
		s.wanted[c.Symbol] = c.Intent
		s.changed[c.Symbol] = true
		if !(s.r.broken == "decision-does-not-unblock") {
			s.blocked[c.Symbol] = false
		}
	}
}

// R4. Funding events due at or before the bar's open, not yet applied:
// each open position pays side·Q·markOpen·rate (a coarse mark of the
// event's time where the bar has no mark candle), an isolated one from its
// margin, a cross one from the wallet. The insurance fund never pays.
func (s *sim) applyFunding() {
	t := s.m.Time[s.bar]
	for k := range s.m.Symbols {
		f := &s.m.Symbols[k].Funding
		for s.nextFund[k] < len(f.Time) && f.Time[s.nextFund[k]] <= t {
			rate := f.Rate[s.nextFund[k]]
			s.nextFund[k]++
			p := s.pos[k]
			if p == nil {
				continue
			}
			// At the mark open; where the bar has no mark candle, at the
			// coarse mark of the event's time when the data has one.
			price := s.markPrices(k).open
			if mk := s.m.Symbols[k].Mark; (mk == nil || math.IsNaN(mk.Open[s.bar])) && f.Mark != nil && !math.IsNaN(f.Mark[s.nextFund[k]-1]) {
				price = f.Mark[s.nextFund[k]-1]
			}
			amount := float64(p.side) * p.qty * price * rate
			if s.r.broken == "funding-sign" {
				amount = -amount
			}
			if p.isolated {
				p.margin -= amount
			} else {
				s.wallet -= amount
			}
			s.funding += amount
			s.turnover += math.Abs(amount)
			s.res.Funding = append(s.res.Funding, Pay{Time: t, Bar: s.bar, Symbol: s.m.Symbols[k].Name,
				Mode: s.modeName(p), Amount: amount})
		}
	}
}

// R6. Close: every open position is marked at its mark close; then each
// isolated position's margin policy runs, in symbol order; then the bar's
// equity decides ruin.
func (s *sim) close() {
	for k, p := range s.pos {
		if p != nil {
			p.mark = s.markPrices(k).close
		}
	}
	for _, p := range s.pos {
		if p != nil && p.isolated {
			s.marginPolicy(p)
		}
	}
	if s.ruinBar < 0 && s.equity() <= s.cfg.RuinFraction*s.cfg.Capital {
		s.ruinBar = s.bar
	}
}

// marginPolicy tops an isolated position up when its margin ratio
// (MM ÷ (margin + uPnL), at the close mark) is at least TopUpAt, and sweeps
// its removable margin back to the wallet when the ratio is at most
// SweepBelow (note 10).
func (s *sim) marginPolicy(p *position) {
	pol := s.cfg.Margin
	if pol.TopUpAt <= 0 && pol.SweepBelow <= 0 {
		return
	}
	balance := p.margin + upnl(p, p.mark)
	ratio := math.Inf(1)
	if balance > 0 {
		ratio = s.maintenance(p, p.qty, p.mark) / balance
	}
	im := p.qty * p.entry / s.cfg.Leverage
	switch {
	case pol.TopUpAt > 0 && ratio >= pol.TopUpAt:
		amount := min(pol.TopUpAmount*im, pol.TopUpCap*im-p.toppedUp, s.available())
		if amount > 0 {
			s.wallet -= amount
			p.margin += amount
			p.toppedUp += amount
			s.turnover += amount
		}
	case pol.SweepBelow > 0 && ratio <= pol.SweepBelow:
		removable := min(p.margin, max(0, balance-p.qty*p.mark/s.cfg.Leverage))
		if removable > 1e-9 {
			p.margin -= removable
			s.wallet += removable
			s.turnover += removable
		}
	}
}

// equity is wallet + Σ isolated margins + Σ uPnL at each position's last
// mark (its last close mark, or its entry in the bar it opened).
func (s *sim) equity() float64 {
	e := s.wallet
	for _, p := range s.pos {
		if p == nil {
			continue
		}
		if p.isolated {
			e += p.margin
		}
		e += upnl(p, p.mark)
	}
	return e
}

// available is what new orders and added margin may use: wallet − Σ cross
// initial margin (Q·mark/L) + min(0, Σ cross uPnL), at the legs' last marks.
// Isolated margins are never available.
func (s *sim) available() float64 {
	a, u := s.wallet, 0.0
	for _, p := range s.pos {
		if p != nil && !p.isolated {
			a -= p.qty * p.mark / s.cfg.Leverage
			u += upnl(p, p.mark)
		}
	}
	return a + min(0, u)
}

// checkBooks asserts that no money was created or lost: the trader's
// balances equal the capital plus realised PnL less fees, funding and the
// insurance fund's intake.
func (s *sim) checkBooks() error {
	held := s.wallet
	for _, p := range s.pos {
		if p != nil && p.isolated {
			held += p.margin
		}
	}
	want := s.cfg.Capital + s.realised - s.fees - s.funding - s.insurance
	if math.Abs(held-want) > 1e-9*s.turnover {
		return fmt.Errorf("books do not balance: wallet + isolated margins %v, capital + realised − fees − funding − insurance %v", held, want)
	}
	return nil
}

// ohlc is one bar of one price series.
type ohlc struct{ open, high, low, close float64 }

// adverse is the extreme that hurts a position of side: the low for a long,
// the high for a short.
func (b ohlc) adverse(side int) float64 {
	if side > 0 {
		return b.low
	}
	return b.high
}

// tradePrices is symbol k's trade candle at the current bar.
func (s *sim) tradePrices(k int) ohlc {
	c := &s.m.Symbols[k].Candles
	i := s.bar
	return ohlc{c.Open[i], c.High[i], c.Low[i], c.Close[i]}
}

// markPrices is symbol k's mark at the current bar: its mark candle where
// it has one and the value is not NaN, else the trade candle, column by
// column.
func (s *sim) markPrices(k int) ohlc {
	t := s.tradePrices(k)
	mk := s.m.Symbols[k].Mark
	if mk == nil || s.r.broken == "ignore-mark" {
		return t
	}
	i := s.bar
	pick := func(mark, trade float64) float64 {
		if math.IsNaN(mark) {
			return trade
		}
		return mark
	}
	return ohlc{pick(mk.Open[i], t.open), pick(mk.High[i], t.high), pick(mk.Low[i], t.low), pick(mk.Close[i], t.close)}
}

// nearTie records that a decision of this bar rests on money below the
// resolution the comparison can rely on (Result.TieBar).
func (s *sim) nearTie(why string) {
	if s.res.TieBar < 0 {
		s.res.TieBar = s.bar
		s.tracef("near tie: %s", why)
	}
}

// barTime is the current bar's open time.
func (s *sim) barTime() time.Time { return time.Unix(0, s.m.Time[s.bar]).UTC() }

// upnl is side·Q·(price − entry).
func upnl(p *position, price float64) float64 {
	return float64(p.side) * p.qty * (price - p.entry)
}
