package backtest

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/marginlab/marginlab/backtest/margin"
	"github.com/marginlab/marginlab/backtest/venue"
	"github.com/marginlab/marginlab/data"
)

// Run replays the intent stream over market m once per mode and returns one
// Result per mode, in the order given.
func Run(m *data.Market, in *Intents, cfg Config, modes ...ModeSpec) ([]Result, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if in.Bars != len(m.Time) || in.Symbols != len(m.Symbols) {
		return nil, fmt.Errorf("backtest: intents for %d bars × %d symbols, market has %d × %d", in.Bars, in.Symbols, len(m.Time), len(m.Symbols))
	}
	if len(modes) == 0 {
		modes = []ModeSpec{IsolatedMode, CrossMode}
	}
	rows := execRows(m, in)
	sims := make([]*sim, len(modes))
	for k, mode := range modes {
		sims[k] = newSim(m, in, &cfg, mode)
		sims[k].rows = rows
		sims[k].start()
	}
	// The modes are independent; they take turns over windows of bars so
	// that each window's prices, read from memory by the first mode, are
	// still in cache for the others.
	for end := 0; end < len(m.Time); {
		end = min(end+runWindow, len(m.Time))
		for _, s := range sims {
			s.runUntil(end)
		}
	}
	out := make([]Result, len(modes))
	for k, s := range sims {
		out[k] = s.result()
	}
	return out, nil
}

// runWindow is the number of bars each mode runs before the next takes its
// turn: the window's price columns (64 KiB each) stay in cache between
// turns.
const runWindow = 1 << 13

// execRow is the time and a symbol's open of the bar an intent change
// executes in.
type execRow struct {
	time int64
	open float64
}

// execRows returns each intent change's execRow (the next bar's; zero past
// the last bar). The changes are sparse and far apart, so reading these
// when each fill comes would wait on a cache miss every time; gathered
// here in one loop, for every mode, the reads overlap.
func execRows(m *data.Market, in *Intents) []execRow {
	rows := make([]execRow, len(in.Changes))
	for j, c := range in.Changes {
		if b := c.Bar + 1; b > 0 && b < len(m.Time) {
			rows[j] = execRow{m.Time[b], m.Symbols[c.Symbol].Candles.Open[b]}
		}
	}
	return rows
}

// symState is the simulation's per-symbol state in one mode.
type symState struct {
	name     string
	mode     margin.Mode
	pos      *margin.Position // nil until the first fill
	want     Intent           // the strategy's current intent
	held     Intent           // the intent the position was opened for
	blocked  bool             // liquidated: flat until the intent changes
	coolTill int              // first bar it may trade again after a liquidation
	stop     float64          // stop price, 0: none
	posID    int              // the open position's number (Metrics.Positions when it opened)
	rules    venue.OrderRules // the venue's order filters for the symbol
	toppedUp float64
	near     bool // margin ratio above NearMiss since the last reset
	// Prices at which the margin ratio reaches NearMiss and 90 % of it,
	// valid for nearKey (margin, size, entry): the ratio test per bar is
	// then one comparison.
	nearPx, resetPx float64
	nearOK, resetOK bool
	nearKey         [3]float64
	fundK           int     // next funding event
	tier            int     // tier of the last notional tested (tierOf)
	exec            execRow // the bar the pending intent executes in
	// Bounds on the adverse mark for a stretch of quiet bars: at or
	// outside (lo, hi) the bar needs a closer look (scanRecord).
	lo, hi float64
	// Price columns: liquidation checks use mark (when present and not
	// NaN), stops and fills use trades.
	c    *data.Bars
	mark *data.Bars
}

// hasMark reports whether the symbol has a mark candle at row i.
func (s *symState) hasMark(i int) bool {
	return s.mark != nil && s.mark.Open[i] == s.mark.Open[i]
}

// markClose returns the mark close at row i (falling back to trades).
func (s *symState) markClose(i int) float64 {
	if s.mark != nil {
		if c := s.mark.Close[i]; c == c { // not NaN
			return c
		}
	}
	return s.c.Close[i]
}

// markAdverse returns the mark's adverse extreme for side at row i: the
// low for a long, the high for a short (falling back to trades).
func (s *symState) markAdverse(i, side int) float64 {
	fall := s.c.Low
	if side < 0 {
		fall = s.c.High
	}
	if s.mark != nil {
		mcol := s.mark.Low
		if side < 0 {
			mcol = s.mark.High
		}
		if v := mcol[i]; v == v {
			return v
		}
	}
	return fall[i]
}

// markOpen returns the mark open at row i (falling back to trades).
func (s *symState) markOpen(i int) float64 {
	if s.mark != nil {
		if o := s.mark.Open[i]; o == o { // not NaN
			return o
		}
	}
	return s.c.Open[i]
}

// markAt returns the mark price columns at row i, each falling back to
// the trade candle's where the mark is NaN (doc.go, Prices).
func (s *symState) markAt(i int) (o, h, l, c float64) {
	o, h, l, c = s.c.Open[i], s.c.High[i], s.c.Low[i], s.c.Close[i]
	if mk := s.mark; mk != nil {
		o, h, l, c = orTrade(mk.Open[i], o), orTrade(mk.High[i], h), orTrade(mk.Low[i], l), orTrade(mk.Close[i], c)
	}
	return o, h, l, c
}

// orTrade is the mark price m, or the trade price t where m is NaN.
func orTrade(m, t float64) float64 {
	if m == m {
		return m
	}
	return t
}

type sim struct {
	m     *data.Market
	in    *Intents
	cfg   *Config
	mode  ModeSpec
	a     *margin.Account
	syms  []symState
	index map[string]int // symbol name → index
	res   Result
	acc   accumulators

	// The cross account's legs (symbol indices, in CrossPositions order)
	// and scratch prices for the λ-sweep.
	legs                    []int
	legOpen, legAdv, pathAt []float64
	crossNear               bool

	open       []int // symbols with an open position, valid while !dirty
	dirty      bool  // a fill or liquidation may have changed open
	nextChange int   // next intent change to apply
	noSkip     bool  // step every bar (tests compare with the quiet-bar path)
	fast       bool  // quiet bars are recorded in bulk (quietOK)
	next       int   // the next bar to run
	pending    []int // symbols to execute at this bar's open
	cooling    []int // symbols in a cool-down
	fundingBar int   // first bar at which a funding event is due (len(Time): none)
	// stopsPossible: some intent has a stop, or StopAtLiq is set.
	stopsPossible bool
	recordIn      int // bars until the next recorded bar
	// Scratch columns for recording quiet bars.
	qUPnL, qGross, qCar []float64
	qEq, qMM, qSlope    []float64
	qInv                []float64 // recordBars' reciprocals of equity
	fundOpen            []float64 // funding: each symbol's mark open
	rows                []execRow // execRows, shared by the modes
	scaled              []venue.Bracket
}

func newSim(m *data.Market, in *Intents, cfg *Config, mode ModeSpec) *sim {
	s := &sim{m: m, in: in, cfg: cfg, mode: mode, a: margin.NewAccount(cfg.Venue), noSkip: cfg.stepEveryBar}
	// Without a replay at the end, the journal's entries would only cost
	// memory: keep balances (which still must sum to zero).
	s.a.J.BalancesOnly = !cfg.VerifyLedger
	s.acc.ruinBar = -1
	s.syms = make([]symState, len(m.Symbols))
	s.index = make(map[string]int, len(m.Symbols))
	marks := 0
	for k := range m.Symbols {
		sym := &m.Symbols[k]
		st := &s.syms[k]
		st.name, st.c, st.mark = sym.Name, &sym.Candles, sym.Mark
		st.rules = cfg.Venue.OrderRulesFor(sym.Name)
		s.index[sym.Name] = k
		st.mode = margin.Cross
		if mode.isolated(sym.Name) {
			st.mode = margin.Isolated
		}
		if sym.Mark != nil {
			marks++
		}
	}
	s.stopsPossible = cfg.StopAtLiq > 0
	for _, c := range in.Changes {
		s.stopsPossible = s.stopsPossible || c.Intent.Stop > 0
	}
	s.res.Mode = mode.Name
	switch marks {
	case 0:
		s.res.MarkSource = "trades"
	case len(m.Symbols):
		s.res.MarkSource = "mark"
	default:
		s.res.MarkSource = "mixed"
	}
	if err := s.a.Deposit(m.Time[0], cfg.Capital); err != nil {
		panic(err) // Validate checked Capital
	}
	return s
}

// start prepares the run: accumulators, result storage, first funding.
func (s *sim) start() {
	s.acc.start(s.cfg, len(s.m.Time))
	if !s.cfg.NoFills {
		// Fills come from intent changes (a flip is two) and stops.
		s.res.Fills = make([]FillRecord, 0, len(s.in.Changes)+len(s.in.Changes)/4+8)
		// A funding record per event of a symbol with a position at most.
		events := 0
		for k := range s.m.Symbols {
			events += len(s.m.Symbols[k].Funding.Time)
		}
		s.res.Funding = make([]FundingRecord, 0, events)
	}
	if !s.cfg.NoSeries {
		// The series' final length is known: allocate it once.
		c := len(s.m.Time)/s.cfg.Every + 2
		sr := &s.res.Series
		sr.Time, sr.Equity, sr.CapitalAtRisk = make([]int64, 0, c), make([]float64, 0, c), make([]float64, 0, c)
		sr.MarginUsed, sr.Leverage = make([]float64, 0, c), make([]float64, 0, c)
	}
	s.setNextFunding(0)
	s.fast = s.quietOK()
}

// runUntil runs bars from the next one not yet run until bar end (it may
// go past end while recording quiet bars). After the open, a bar whose
// intrabar path reaches no position's trigger only marks and records: such
// quiet bars are recorded in bulk when the run allows it, up to the next
// bar with something at its open or a trigger. The result is bit-identical
// to stepping every bar (TestQuietMatchesStep). Intents decided at the
// last close have no bar left to execute in.
func (s *sim) runUntil(end int) {
	i := s.next
	for i < end {
		s.atOpen(i)
		if s.fast {
			if j := s.skipQuiet(i); j > i {
				i = j
				continue
			}
		}
		s.afterOpen(i)
		i++
	}
	s.next = i
}

// atOpen runs bar i's open (doc.go R1–R4): intent changes, liquidations
// of positions already past their trigger at the open, fills, funding.
func (s *sim) atOpen(i int) {
	ch := s.in.Changes
	if i == 0 {
		for s.nextChange < len(ch) && ch[s.nextChange].Bar < 0 {
			s.nextChange++
		}
	}
	// R1. Intents decided at the previous close, and symbols whose
	// cool-down ends now. Symbols go in index order: a fill's size depends
	// on the equity after earlier fills.
	pending := s.pending[:0]
	for i > 0 && s.nextChange < len(ch) && ch[s.nextChange].Bar == i-1 {
		k := ch[s.nextChange].Symbol
		st := &s.syms[k]
		st.want = ch[s.nextChange].Intent
		st.exec = s.rows[s.nextChange]
		st.blocked = false // a new decision ends the wait after a liquidation
		pending = append(pending, k)
		s.nextChange++
	}
	for j := 0; j < len(s.cooling); j++ {
		if k := s.cooling[j]; s.syms[k].coolTill <= i {
			s.syms[k].exec = execRow{s.m.Time[i], s.syms[k].c.Open[i]}
			pending = append(pending, k)
			s.cooling = append(s.cooling[:j], s.cooling[j+1:]...)
			j--
		}
	}
	if len(pending) > 1 {
		slices.Sort(pending)
		pending = slices.Compact(pending)
	}
	// R2. Positions past their trigger at the open, before any order. Under
	// the adverse policy, when the open brings no order, no funding and no
	// stop that could fire at it, R5 finds the same liquidations at λ = 0,
	// at the same prices: the test is left to it.
	if len(s.openSyms()) > 0 && (s.cfg.Policy != Adverse || len(pending) > 0 || i >= s.fundingBar || s.stopGapped(i)) {
		s.gaps(i)
	}
	// R3. Fills. Margin committed at the open counts toward the peak of
	// capital at risk (doc.go, Metrics) before funding or the path take any.
	for _, k := range pending {
		s.execute(i, k)
	}
	s.pending = pending
	if len(pending) > 0 {
		s.acc.carPeak = max(s.acc.carPeak, s.capitalAtRisk())
	}
	// R4. Funding due at or before the open (the bar's time is read only
	// then: the row is usually not in cache).
	if i >= s.fundingBar {
		s.funding(i, s.m.Time[i])
		s.setNextFunding(i)
	}
}

// afterOpen runs bar i after the open: the intrabar path, then the close.
func (s *sim) afterOpen(i int) {
	t := s.m.Time[i]
	// 3. The intrabar path: stops and liquidations.
	if s.cfg.Policy == Adverse {
		s.adverse(i, t)
	} else {
		s.atClose(i, t)
	}
	// 4. Mark at close, margin policies, record.
	s.close(i)
}

// stopGapped reports whether some open position's stop is past bar i's
// trade open: R5 would fire it at λ = 0, where R2 liquidates first.
func (s *sim) stopGapped(i int) bool {
	if !s.stopsPossible {
		return false
	}
	for _, k := range s.openSyms() {
		if st := &s.syms[k]; st.stop > 0 && reached(st.pos.Side, st.c.Open[i], st.stop) {
			return true
		}
	}
	return false
}

// capitalAtRisk is the capital at risk now (doc.go, Metrics), open
// positions at their last marks (entry for one opened this bar).
func (s *sim) capitalAtRisk() float64 {
	car, crossU, cross := 0.0, 0.0, false
	for _, k := range s.openSyms() {
		st := &s.syms[k]
		p := st.pos
		if st.mode == margin.Isolated {
			car += p.Margin()
			continue
		}
		mark := p.Mark
		if mark == 0 {
			mark = p.Entry
		}
		cross, crossU = true, crossU+p.UPnL(mark)
	}
	if cross {
		car += s.a.Wallet() + crossU
	}
	return car
}

// openSyms returns the symbols with an open position, rebuilding the list
// after fills and liquidations. Positions never open between those.
func (s *sim) openSyms() []int {
	if s.dirty {
		s.open = s.open[:0]
		for k := range s.syms {
			if p := s.syms[k].pos; p != nil && p.Open() {
				s.open = append(s.open, k)
			}
		}
		s.dirty = false
	}
	return s.open
}

// setNextFunding finds the first bar from i on at which the earliest
// funding event not yet applied is due.
func (s *sim) setNextFunding(i int) {
	next, tm := s.firstFunding(), s.m.Time
	// Without gaps the bar follows from the timeframe (a search would
	// touch ~20 far-apart rows); the guess is checked, and a gap falls
	// back to the search.
	if tf := int64(s.m.Timeframe); tf > 0 && next != math.MaxInt64 && next > tm[i] {
		k := i + int((next-tm[i]+tf-1)/tf)
		if k < len(tm) && tm[k] >= next && tm[k-1] < next {
			s.fundingBar = k
			return
		}
	}
	s.fundingBar = i + sort.Search(len(tm)-i, func(k int) bool { return tm[i+k] >= next })
}

// firstFunding returns the earliest funding event not yet applied.
func (s *sim) firstFunding() int64 {
	next := int64(math.MaxInt64)
	for k := range s.syms {
		f := &s.m.Symbols[k].Funding
		if j := s.syms[k].fundK; j < len(f.Time) {
			next = min(next, f.Time[j])
		}
	}
	return next
}

// execute brings symbol k's position in line with its intent at bar i's
// open, when the intent differs from what the position was opened for.
func (s *sim) execute(i, k int) {
	st := &s.syms[k]
	want := st.want
	if st.blocked || i < st.coolTill {
		want = Intent{}
	}
	open := st.pos != nil && st.pos.Open()
	if open && want == st.held {
		return
	}
	if !open && want.Side == 0 {
		return
	}
	price, t := st.exec.open, st.exec.time
	target := 0.0
	if want.Side != 0 {
		eq := s.a.Equity()
		fill := price * (1 + float64(want.Side)*s.cfg.Slippage)
		size := st.rules.RoundQty(s.cfg.Sizer.Size(want, fill, eq, s.cfg.Leverage))
		if !(size > 0) || math.IsInf(size, 0) {
			size = 0
		}
		target = float64(want.Side) * size
	}
	cur := 0.0
	if open {
		cur = float64(st.pos.Side) * st.pos.Qty
	}
	delta := target - cur
	if delta == 0 {
		st.held = want
		return
	}
	// A flip or a reduction closes first; the close always succeeds.
	if open && (target == 0 || math.Signbit(target) != math.Signbit(cur)) {
		if s.fill(i, t, k, -cur, price, "signal") == liquidated {
			return
		}
		delta = target
	}
	if delta != 0 {
		opened := !(st.pos != nil && st.pos.Open())
		switch s.fill(i, t, k, delta, price, "signal") {
		case refused:
			// Wait for the strategy's next decision rather than retrying
			// (and counting) the same order every bar.
			st.blocked = true
			return
		case liquidated:
			return
		}
		if opened {
			s.acc.positions++
			st.posID = s.acc.positions
			st.toppedUp = 0
			st.near = false
		}
	}
	st.held = want
	s.setStop(st, want)
}

// fill executes qty of symbol k at reference price (slippage applied). The
// part that opens or adds to a position may be refused (doc.go, Orders;
// counted by reason); a reduction past bankruptcy is settled as a
// liquidation instead (the symbol is then blocked).
func (s *sim) fill(i int, t int64, k int, qty, ref float64, reason string) fillOutcome {
	st := &s.syms[k]
	side := 1.0
	if qty < 0 {
		side = -1
	}
	price := ref * (1 + side*s.cfg.Slippage)
	adds := st.pos == nil || !st.pos.Open() || float64(st.pos.Side) == side
	if adds {
		switch {
		case s.acc.ruinBar >= 0 && !s.cfg.TradeAfterRuin:
			s.acc.rejected[rejectRuin]++
			return refused
		case !st.rules.Admits(math.Abs(qty), price):
			s.acc.rejected[rejectMinOrder]++
			return refused
		}
	}
	o := margin.Order{Symbol: st.name, Mode: st.mode, Qty: qty, Price: price, Leverage: s.cfg.Leverage}
	f, err := s.a.Fill(t, o)
	switch {
	case errors.Is(err, margin.ErrBankrupt):
		s.bankrupt(i, t, k, price)
		return liquidated
	case errors.Is(err, margin.ErrLeverage):
		s.acc.rejected[rejectLeverage]++
		return refused
	case errors.Is(err, margin.ErrInsufficientMargin):
		s.acc.rejected[rejectMargin]++
		if !s.cfg.ReduceToFit {
			return refused
		}
		fee := s.cfg.Venue.TakerFee
		maxQty := st.rules.RoundQty(s.a.Available() / (price/s.cfg.Leverage + price*fee) * 0.999999)
		if !(maxQty > 0) || !st.rules.Admits(min(math.Abs(qty), maxQty), price) {
			return refused
		}
		o.Qty = side * math.Min(math.Abs(qty), maxQty)
		if f, err = s.a.Fill(t, o); err != nil {
			return refused
		}
	case err != nil:
		panic(fmt.Sprintf("backtest: fill %s: %v", st.name, err)) // bad order: a bug here
	}
	if st.pos == nil {
		st.pos = s.a.Position(st.name, st.mode)
	}
	s.dirty = true
	if !s.cfg.NoFills {
		s.res.Fills = append(s.res.Fills, FillRecord{Time: t, Bar: i, Symbol: st.name, Qty: f.Qty, Price: f.Price, Fee: f.Fee, PnL: f.RealizedPnL, Reason: reason})
	}
	if !st.pos.Open() {
		st.stop = 0
	}
	return filled
}

// fillOutcome is what became of an order.
type fillOutcome int

const (
	filled     fillOutcome = iota
	refused                // refused, counted by reason
	liquidated             // a close past bankruptcy, liquidated instead
)

// Reasons an order is refused (doc.go, Orders), in the order they are
// tested.
const (
	rejectRuin = iota
	rejectMinOrder
	rejectLeverage
	rejectMargin
	rejectReasons
)

// bankrupt liquidates symbol k's position (or, for the last cross leg, the
// cross account) at price: a close there would have left its collateral
// below zero (margin.ErrBankrupt).
func (s *sim) bankrupt(i int, t int64, k int, price float64) {
	st := &s.syms[k]
	if st.mode == margin.Isolated {
		s.liquidateIsolated(i, t, k, price, st.pos.Breached(st.markClose(i)))
		return
	}
	s.syncLegs()
	s.liquidateCross(i, t, []float64{price}, s.crossBreachedAtClose(i))
}

// setStop places the position's stop from the intent's distance and the
// StopAtLiq fraction, whichever is nearer the entry.
func (s *sim) setStop(st *symState, in Intent) {
	st.stop = 0
	p := st.pos
	if p == nil || !p.Open() {
		return
	}
	if in.Stop > 0 {
		st.stop = p.Entry * (1 - float64(p.Side)*in.Stop)
	}
	if f := s.cfg.StopAtLiq; f > 0 {
		if lp, ok := s.a.LiquidationPrice(p); ok && lp > 0 && !math.IsInf(lp, 0) {
			// f of the way from the entry toward LP (below the entry for a
			// long, above for a short); the stop nearer the entry wins.
			sp := p.Entry + f*(lp-p.Entry)
			if st.stop == 0 || math.Abs(sp-p.Entry) < math.Abs(st.stop-p.Entry) {
				st.stop = sp
			}
		}
	}
}

// funding applies every event due at or before bar i's open.
func (s *sim) funding(i int, t int64) {
	// Every open position's mark open first, in one loop: the row is far
	// from anything read lately, and loads issued together overlap their
	// cache misses instead of waiting for each in turn.
	s.fundOpen = grow(s.fundOpen, len(s.syms))
	for k := range s.syms {
		if st := &s.syms[k]; st.pos != nil && st.pos.Open() {
			s.fundOpen[k] = st.markOpen(i)
		}
	}
	for k := range s.syms {
		st := &s.syms[k]
		f := &s.m.Symbols[k].Funding
		for st.fundK < len(f.Time) && f.Time[st.fundK] <= t {
			if i > 0 && st.pos != nil && st.pos.Open() {
				rate, price := f.Rate[st.fundK], s.fundOpen[k]
				if f.Mark != nil && !st.hasMark(i) {
					// A mark series coarser than the candles values funding.
					if fm := f.Mark[st.fundK]; fm == fm {
						price = fm
					}
				}
				paid := s.a.ApplyFunding(t, st.name, rate, price)
				if !s.cfg.NoFills {
					s.res.Funding = append(s.res.Funding, FundingRecord{Time: t, Bar: i, Symbol: st.name, Mode: st.mode.String(), Rate: rate, Price: price, Amount: paid[st.mode]})
				}
			}
			st.fundK++
		}
	}
}
