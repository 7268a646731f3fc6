package backtest

import (
	"math"
	"time"

	"github.com/marginlab/marginlab/backtest/margin"
	"github.com/marginlab/marginlab/backtest/risk"
)

// accumulators collect per-bar figures for the metrics.
type accumulators struct {
	positions, stops, nearMisses, topUps, sweeps int
	rejected                                     [rejectReasons]int

	bars             int     // bars recorded
	lastEq           float64 // the last close equity
	carSum, carEqSum float64 // Σ capital at risk; Σ capital at risk / equity
	carPeak          float64 // the largest capital at risk
	levSum           float64 // Σ gross notional / equity
	maxLev           float64
	barsPositive     int // bars with equity > 0
	ruinBar          int
	ruinAt           float64
	capital0         float64

	// Drawdown: the running peak, its reciprocal, and the lowest
	// equity/peak seen (MaxDrawdown = 1 − that).
	peak, invPeak, lowRatio float64
	// Sharpe: per-bar simple returns up to the first bar with equity ≤ 0,
	// summed shifted by the first return (stable for the variance). A
	// return is eq·invLast − 1, invLast the reciprocal of the last equity
	// (one division a bar serves the return and the ratios).
	retN                 int
	retShift, retS, retQ float64
	retStopped           bool
	invLast              float64
}

func (a *accumulators) start(cfg *Config, bars int) {
	a.ruinBar = -1
	a.ruinAt = cfg.Capital * cfg.RuinFraction
	a.capital0 = cfg.Capital
	a.peak, a.lowRatio = math.Inf(-1), 1
}

// sharpe annualises the mean over the sample standard deviation (n − 1)
// of the per-bar returns.
func (a *accumulators) sharpe(barsPerYear float64) float64 {
	n := float64(a.retN)
	if a.retN < 2 {
		return 0
	}
	mean := a.retShift + a.retS/n
	variance := (a.retQ - a.retS*a.retS/n) / (n - 1)
	if !(variance > 0) {
		return 0
	}
	return mean / math.Sqrt(variance) * math.Sqrt(barsPerYear)
}

// close marks every position at bar i's close, applies the isolated margin
// policies, and records the bar.
func (s *sim) close(i int) {
	open := s.openSyms()
	// R6: every position is marked first, so that the policies (and the
	// available balance they check) see this close's marks.
	for _, k := range open {
		st := &s.syms[k]
		st.pos.Mark = st.markClose(i)
	}
	if s.cfg.Margin.TopUpAt > 0 || s.cfg.Margin.SweepBelow > 0 {
		for _, k := range open {
			if st := &s.syms[k]; st.mode == margin.Isolated {
				s.marginPolicy(i, st, st.pos.Mark)
			}
		}
	}
	carIso, cross, gross, upnl := 0.0, false, 0.0, 0.0
	crossUPnL := 0.0
	for _, k := range open {
		st := &s.syms[k]
		p := st.pos
		mc := p.Mark
		if st.mode == margin.Isolated {
			carIso += p.Margin()
		}
		u := float64(p.Side) * p.Qty * (mc - p.Entry)
		upnl += u
		gross += p.Qty * mc
		if st.mode == margin.Cross {
			cross = true
			crossUPnL += u
		}
	}
	// Flat isolated positions hold no margin (a close or a liquidation
	// empties it), so this is the account's whole equity. Every position
	// has the configured leverage, so Σ IM = gross notional / leverage.
	w := s.a.Wallet()
	eq := w + carIso + upnl
	car := carIso
	if cross {
		car += w + crossUPnL
	}
	s.recordBars(i, []float64{eq}, []float64{car}, []float64{gross})
}

// recordBars adds the close figures of bars i0, i0+1, … (equity, capital
// at risk, gross notional) to the metric accumulators and, every Every-th
// bar, to the series. It is the one place bars are recorded, whether
// stepped one at a time or quiet bars in bulk, so both give the same bits.
// Each accumulator is folded in its own loop over the bars, in bar order:
// a loop with few running figures keeps them in registers.
func (s *sim) recordBars(i0 int, eqs, cars, grosses []float64) {
	n := len(eqs)
	if n == 0 {
		return
	}
	cars, grosses = cars[:n], grosses[:n]
	s.qInv = grow(s.qInv, n)
	inv := s.qInv[:n]
	ac := &s.acc
	ac.foldCapital(eqs, cars, grosses, inv)
	ac.foldReturns(eqs, inv)
	ac.foldDrawdown(eqs, inv)
	if ac.ruinBar < 0 {
		ruinAt := ac.ruinAt
		for b, eq := range eqs {
			if eq <= ruinAt {
				ac.ruinBar = i0 + b
				break
			}
		}
	}
	ac.bars += n
	ac.lastEq, ac.invLast = eqs[n-1], inv[n-1]
	if s.cfg.NoSeries {
		return
	}
	// The series: every Every-th bar, and the run's last bar.
	next, recorded := max(s.recordIn-1, 0), -1
	for ; next < n; next += s.cfg.Every {
		s.appendSeries(i0+next, eqs[next], cars[next], grosses[next], inv[next])
		recorded = next
	}
	if i0+n-1 == len(s.m.Time)-1 && recorded != n-1 {
		s.appendSeries(i0+n-1, eqs[n-1], cars[n-1], grosses[n-1], inv[n-1])
	}
	s.recordIn = next - n + 1 // bars until the next recorded one, counting this chunk's last
}

func (s *sim) appendSeries(i int, eq, car, gross, inv float64) {
	sr := &s.res.Series
	sr.Time = append(sr.Time, s.m.Time[i])
	sr.Equity = append(sr.Equity, eq)
	sr.CapitalAtRisk = append(sr.CapitalAtRisk, car)
	sr.MarginUsed = append(sr.MarginUsed, gross/s.cfg.Leverage)
	sr.Leverage = append(sr.Leverage, gross*inv) // 0 when equity ≤ 0
}

// foldCapital sets inv to 1/equity (0 when equity ≤ 0) and adds capital
// at risk, and over bars with positive equity its share of equity and the
// effective leverage.
func (a *accumulators) foldCapital(eqs, cars, grosses, inv []float64) {
	carSum, carEqSum, levSum, maxLev, pos := a.carSum, a.carEqSum, a.levSum, a.maxLev, a.barsPositive
	carPeak := a.carPeak
	cars, grosses, inv = cars[:len(eqs)], grosses[:len(eqs)], inv[:len(eqs)]
	for b, eq := range eqs {
		car := cars[b]
		carSum += car
		if car > carPeak { // a branch, not max: no dependency chain
			carPeak = car
		}
		iv := 0.0
		if eq > 0 {
			iv = 1 / eq
			lev := grosses[b] * iv
			pos++
			carEqSum += car * iv
			levSum += lev
			if lev > maxLev { // a branch, not max: no dependency chain
				maxLev = lev
			}
		}
		inv[b] = iv
	}
	a.carSum, a.carEqSum, a.levSum, a.maxLev, a.barsPositive = carSum, carEqSum, levSum, maxLev, pos
	a.carPeak = carPeak
}

// foldReturns adds the per-bar simple returns, eq·(1/last) − 1, up to the
// first bar after one with equity ≤ 0.
func (a *accumulators) foldReturns(eqs, inv []float64) {
	if a.retStopped {
		return
	}
	inv = inv[:len(eqs)]
	retN, retShift, retS, retQ := a.retN, a.retShift, a.retS, a.retQ
	lastEq, invLast := a.lastEq, a.invLast
	b0 := 0
	if a.bars == 0 { // the first bar has no return
		lastEq, invLast, b0 = eqs[0], inv[0], 1
	}
	for b := b0; b < len(eqs); b++ {
		if !(lastEq > 0) {
			a.retStopped = true
			break
		}
		r := eqs[b]*invLast - 1
		if retN == 0 {
			retShift = r
		}
		d := r - retShift
		retN++
		retS += d
		retQ += d * d
		lastEq, invLast = eqs[b], inv[b]
	}
	a.retN, a.retShift, a.retS, a.retQ = retN, retShift, retS, retQ
}

// foldDrawdown tracks the running peak and the lowest equity/peak.
func (a *accumulators) foldDrawdown(eqs, inv []float64) {
	peak, invPeak, lowRatio := a.peak, a.invPeak, a.lowRatio
	inv = inv[:len(eqs)]
	for b, eq := range eqs {
		if eq > peak {
			peak = eq
			if eq > 0 {
				invPeak = inv[b]
			}
		} else if peak > 0 {
			if x := eq * invPeak; x < lowRatio { // a branch, not min: no dependency chain
				lowRatio = x
			}
		}
	}
	a.peak, a.invPeak, a.lowRatio = peak, invPeak, lowRatio
}

// marginPolicy tops up or sweeps an isolated position at the close.
func (s *sim) marginPolicy(i int, st *symState, mark float64) {
	pol := s.cfg.Margin
	if pol.TopUpAt == 0 && pol.SweepBelow == 0 {
		return
	}
	t := s.m.Time[i]
	r := s.a.MarginRatio(st.pos, mark)
	switch {
	case pol.TopUpAt > 0 && r >= pol.TopUpAt:
		// What the policy asks for, as far as the available balance goes,
		// in units of the position's initial margin at its current size.
		p := st.pos
		im := p.Qty * p.Entry / p.Leverage
		amt := min(pol.TopUpAmount*im, pol.TopUpCap*im-st.toppedUp, s.a.Available())
		if amt > 0 && s.a.AddMargin(t, st.name, amt) == nil {
			st.toppedUp += amt
			s.acc.topUps++
		}
	case pol.SweepBelow > 0 && r <= pol.SweepBelow:
		if rm, err := s.a.MaxRemovable(st.name); err == nil && rm > 1e-9 {
			if s.a.RemoveMargin(t, st.name, rm) == nil {
				s.acc.sweeps++
			}
		}
	}
}

// Metrics are a run's summary figures; doc.go defines each.
type Metrics struct {
	Bars  int
	Years float64
	// ObservedYears is the span the rates cover: to the ruin bar's close
	// when the run halted at ruin, else Years.
	ObservedYears float64

	Positions int
	// Liquidation events that enter the rates (not AfterRuin): positions
	// closed by a liquidation, partial-liquidation events, and positions
	// with any liquidation event.
	PositionsLiquidated        int
	PartialLiquidations        int
	PositionsTouched           int
	PositionsLiquidatedPer1000 float64 // per 1,000 positions opened
	PositionsLiquidatedPerYear float64 // per observed year
	PartialLiquidationsPer1000 float64
	PartialLiquidationsPerYear float64
	PositionsTouchedPer1000    float64
	PositionsTouchedPerYear    float64
	LiquidationsAfterRuin      int // events left out of the rates
	// YearsToFirstLiquidation is the time from the first bar to the first
	// liquidation event of either kind, or the observed span when there was
	// none (then Censored).
	YearsToFirstLiquidation float64
	Censored                bool
	LossMedian, LossWorst   float64 // quote units lost per liquidation event
	LossMedianPct           float64 // … as % of equity just before it
	LossWorstPct            float64
	Ruined                  bool
	YearsToRuin             float64 // span when not ruined
	NearMisses              int
	IntrabarAmbiguity       float64 // share of liquidation events the close policy would not have fired
	Stops                   int
	// Orders refused (doc.go, Orders): in all, and by reason.
	Rejections       int
	RejectedRuin     int
	RejectedMinOrder int
	RejectedLeverage int
	RejectedMargin   int
	TopUps, Sweeps   int

	CapitalAtRisk         float64 // mean over bars, quote units
	CapitalAtRiskPeak     float64 // largest at a close, quote units
	ReturnOnCapitalAtRisk float64 // (final − initial equity) / CapitalAtRiskPeak
	MarginUtilisation     float64 // mean Σ IM / equity
	IdleCapital           float64 // mean 1 − capital at risk / equity
	EffectiveLeverage     float64 // mean gross notional / equity
	MaxEffectiveLeverage  float64

	FinalEquity  float64
	TotalReturn  float64
	AnnualReturn float64
	MaxDrawdown  float64 // largest peak-to-trough fall, a fraction of the peak
	Sharpe       float64 // annualised, per-bar simple returns, sample std (n−1)

	Fees            float64 // trading fees
	LiquidationFees float64
	FundingPaid     float64 // net; negative means received
}

const year = 365.25 * 24 * float64(time.Hour)

func (s *sim) result() Result {
	r := s.res
	ac := &s.acc
	n := ac.bars
	m := &r.Metrics
	m.Bars = n
	barYears := func(bar int) float64 { return float64(bar) * float64(s.m.Timeframe) / year }
	m.Years = barYears(n)
	m.ObservedYears = m.Years
	if ac.ruinBar >= 0 && !s.cfg.TradeAfterRuin {
		m.ObservedYears = barYears(ac.ruinBar + 1)
	}
	m.Positions = ac.positions
	m.Stops, m.NearMisses, m.TopUps, m.Sweeps = ac.stops, ac.nearMisses, ac.topUps, ac.sweeps
	m.RejectedRuin, m.RejectedMinOrder = ac.rejected[rejectRuin], ac.rejected[rejectMinOrder]
	m.RejectedLeverage, m.RejectedMargin = ac.rejected[rejectLeverage], ac.rejected[rejectMargin]
	m.Rejections = m.RejectedRuin + m.RejectedMinOrder + m.RejectedLeverage + m.RejectedMargin
	s.liquidationMetrics(m, r.Liquidations, barYears)
	m.Ruined = ac.ruinBar >= 0
	m.YearsToRuin = m.Years
	if m.Ruined {
		m.YearsToRuin = barYears(ac.ruinBar)
	}
	if n > 0 {
		m.CapitalAtRisk = ac.carSum / float64(n)
		m.FinalEquity = ac.lastEq
	}
	m.CapitalAtRiskPeak = ac.carPeak
	if ac.barsPositive > 0 {
		bp := float64(ac.barsPositive)
		// Every position has the configured leverage, so Σ IM / equity
		// is the effective leverage over it.
		m.MarginUtilisation = ac.levSum / s.cfg.Leverage / bp
		m.IdleCapital = 1 - ac.carEqSum/bp
		m.EffectiveLeverage = ac.levSum / bp
	}
	m.MaxEffectiveLeverage = ac.maxLev
	if m.CapitalAtRiskPeak > 0 {
		m.ReturnOnCapitalAtRisk = (m.FinalEquity - ac.capital0) / m.CapitalAtRiskPeak
	}
	m.TotalReturn = m.FinalEquity/ac.capital0 - 1
	switch {
	case m.FinalEquity <= 0:
		m.AnnualReturn = -1
	case m.Years > 0:
		m.AnnualReturn = math.Pow(m.FinalEquity/ac.capital0, 1/m.Years) - 1
	}
	m.MaxDrawdown = 1 - ac.lowRatio
	m.Sharpe = ac.sharpe(year / float64(s.m.Timeframe))
	m.Fees = s.a.Fees().InexactFloat64()
	m.FundingPaid = s.a.FundingPaid().InexactFloat64()
	if s.cfg.VerifyLedger {
		if err := s.a.J.Check(); err != nil {
			r.JournalError = err.Error()
		}
	} else if sum := s.a.J.Sum(); !sum.IsZero() {
		r.JournalError = "ledger: balances sum to " + sum.String() + ", not zero"
	}
	return r
}

// liquidationMetrics fills the liquidation counts, rates, losses and
// ambiguity from the events that enter the rates (not AfterRuin).
func (s *sim) liquidationMetrics(m *Metrics, liqs []LiquidationRecord, barYears func(int) float64) {
	m.YearsToFirstLiquidation, m.Censored = m.ObservedYears, true
	touched := map[int]bool{}
	var loss, pct []float64
	ambiguous := 0
	for _, l := range liqs {
		m.LiquidationFees += l.Fee
		if l.AfterRuin {
			m.LiquidationsAfterRuin++
			continue
		}
		if m.Censored {
			m.YearsToFirstLiquidation, m.Censored = barYears(l.Bar), false
		}
		if l.Partial {
			m.PartialLiquidations++
		} else {
			m.PositionsLiquidated++
		}
		touched[l.Position] = true
		loss = append(loss, l.MarginLost)
		p := 0.0
		if l.EquityBefore > 0 {
			p = 100 * l.MarginLost / l.EquityBefore
		}
		pct = append(pct, p)
		if !l.CloseAlso {
			ambiguous++
		}
	}
	m.PositionsTouched = len(touched)
	per := func(events int) (per1000, perYear float64) {
		if m.Positions > 0 {
			per1000 = 1000 * float64(events) / float64(m.Positions)
		}
		if m.ObservedYears > 0 {
			perYear = float64(events) / m.ObservedYears
		}
		return per1000, perYear
	}
	m.PositionsLiquidatedPer1000, m.PositionsLiquidatedPerYear = per(m.PositionsLiquidated)
	m.PartialLiquidationsPer1000, m.PartialLiquidationsPerYear = per(m.PartialLiquidations)
	m.PositionsTouchedPer1000, m.PositionsTouchedPerYear = per(m.PositionsTouched)
	if len(loss) > 0 {
		lossDist, pctDist := risk.Describe(loss), risk.Describe(pct)
		m.LossMedian, m.LossWorst = lossDist.Median, lossDist.Worst
		m.LossMedianPct, m.LossWorstPct = pctDist.Median, pctDist.Worst
		m.IntrabarAmbiguity = float64(ambiguous) / float64(len(loss))
	}
}
