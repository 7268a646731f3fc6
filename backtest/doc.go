// Package backtest simulates a strategy's intents bar by bar under isolated,
// cross or hybrid margin, on the margin engine (package margin), and
// measures how often and how badly each mode liquidates and how efficiently
// it uses capital.
//
// This comment is the definition of a run: the rules below are what both
// the engine and the independent reference engine (backtest/internal/oracle)
// implement, and the differential test holds them to the same answers.
// Prices and money are quote units (USDT), sizes base units, times Unix
// nanoseconds (a bar is stamped with its open time), rates fractions.
//
// # Numbers
//
// The money ledger keeps every amount exact to 8 decimal places of the quote
// currency (package ledger); the hot path mirrors it in float64. The inputs
// are held to ranges where both are meaningful, and refused outside them
// when data and configuration are loaded, naming the file, row or key:
// prices in [data.MinPrice, data.MaxPrice] = [1e-9, 1e9] quote units (a
// price below a nano-unit is a unit mistake or a token to quote per 1,000),
// capital in [MinCapital, MaxCapital] = [1, 1e12], funding rates within ±1
// (100 %) per interval. At 1e12 of capital a cent is 1e-14 of the amount,
// well inside float64's 16 digits.
//
// # The paired comparison
//
// A Strategy decides Intents at every bar's close from what a View shows (bars
// up to and including that bar). Decide runs it once into an Intents stream;
// Run replays the same stream under each ModeSpec, so modes differ in margin
// alone. An intent change decided at bar b's close executes at bar b+1's
// open; one decided at the last bar never executes.
//
// # Prices
//
// The mark of a symbol at a bar is its mark candle (open, high, low, close)
// where it has one and the value is not NaN, else the trade candle's value,
// column by column. Liquidation tests, funding and the close marks use the
// mark; fills and stops use trade prices. A position's adverse extreme is the
// low for a long and the high for a short.
//
// # A bar
//
// Bar i, in this order (R1–R6):
//
// R1. Intent changes decided at bar i−1 become each symbol's wanted intent;
// a change ends the wait after a liquidation or stop (see R9).
//
// R2. Gaps. A position already past its liquidation trigger at the mark open
// is liquidated at the mark open before anything else: every isolated
// position (in symbol order) whose margin + uPnL ≤ maintenance at its mark
// open, then the cross account if its equity ≤ its maintenance with every
// leg at its mark open. This is the λ = 0 case of R4, moved ahead of the
// fills so that no order trades a position that is already past its trigger.
//
// R3. Fills, in symbol order, for symbols whose intent changed (R1) or whose
// cool-down ends now (R9). See "Orders" below.
//
// R4. Funding events due at or before the bar's open time, not yet applied,
// are applied (see "Funding"). Events due at or before the first bar find no
// position.
//
// R5. The intrabar path (Policy):
//   - Adverse (default). Each isolated position, in symbol order: with mark
//     open mo, mark adverse extreme ma and liquidation price LP, the
//     liquidation happens at λ_liq = (mo − LP)/(mo − ma) clamped to [0, 1]
//     (0 when mo = ma) if ma reaches LP (ma ≤ LP long, ≥ LP short), else not.
//     A stop at price S is reached when the trade adverse extreme ta reaches
//     it, at λ_stop = (to − S)/(to − ta) clamped to [0, 1] (to: trade open);
//     if λ_stop ≤ λ_liq the stop fires first and the position closes at
//     min(S, to) for a long, max(S, to) for a short (then slippage and the
//     taker fee, as any fill). Otherwise, if λ_liq ≤ 1, the position is
//     liquidated at min(LP, mo) for a long, max(LP, mo) for a short. After a
//     partial liquidation (R8) the path goes on from λ_liq: what is left is
//     tested against its new LP (and its stop) in the same way, so one bar
//     may hold several events.
//     Then the cross account: every leg's price moves from its mark open
//     toward its mark adverse extreme by a common λ ∈ [0, 1]; f(λ) = equity −
//     maintenance falls with λ (each leg's share has slope −Q·(1 ∓ r)·|ma−mo|
//     with maintenance rate r < 1), so if f(1) > 0 and no leg's stop is
//     reached nothing happens. Else λ* is the first λ ≥ λ0 with f(λ) ≤ 0
//     (λ0 = 0, or the λ of the last stop that fired in this bar); a leg's stop
//     with λ_stop (≥ λ0) ≤ λ* fires first (the earliest; on a tie, the leg
//     opened first), λ0 becomes max(λ0, its λ_stop) and
//     the search repeats with the remaining legs; otherwise, if λ* ≤ 1, every
//     leg is liquidated at its price at λ*: mo + λ*·(ma − mo).
//   - AtClose. Each open position in symbol order: its stop, if the trade
//     close reaches it, fires at the trade close; else an isolated position
//     whose mark close reaches LP is liquidated at min(LP, mark close) (long)
//     or max(LP, mark close) (short). Then the cross account, tested and
//     liquidated at the mark closes.
//
// Every liquidation records CloseAlso: whether the position (or the cross
// account) was also past its trigger at the mark close, before settling.
//
// R6. Close. Every open position is marked at its mark close; then, in symbol
// order, each isolated position's margin policy runs (MarginPolicy): at a
// margin ratio MM/(margin + uPnL) ≥ TopUpAt it adds min(TopUpAmount·IM,
// TopUpCap·IM − added since the position opened, available balance) with
// IM = Q·entry/L at its current size; at a ratio ≤ SweepBelow it returns the removable margin, margin +
// uPnL − Q·mark/L between 0 and the margin (when above 1e-9); then the bar is
// recorded:
// equity = wallet + Σ isolated margins + Σ uPnL at the marks. The first bar
// whose equity ≤ RuinFraction × Capital is the run's ruin.
//
// # Margin (package margin and venue.Rule)
//
//   - uPnL = side·Q·(P − entry); maintenance MM(P) = Q·(rP·P + rE·entry) − cum
//     in the bracket tier of the notional (venue.Rule; Q·P for families that
//     rate the mark, Q·entry for Bybit). A position's bracket table is the one
//     in force when it opens from flat.
//   - Isolated: margin + uPnL(P) ≤ MM(P) liquidates. LP is the price where
//     equality holds (re-solved across tiers). Without a positive LP, a long
//     is never liquidated by price (its margin covers a fall to zero) while a
//     short, or a long whose LP exceeds 1e15, is past its trigger at any price.
//   - Cross: wallet + Σ uPnL(P_j) ≤ Σ MM_j(P_j) over the cross legs liquidates
//     the whole cross account. Isolated positions are untouched by it, and it
//     by them.
//   - Available balance for an order: wallet − Σ cross initial margin
//     (Q·mark/L) + min(0, Σ cross uPnL), at the legs' last close marks (entry
//     for a leg opened this bar). Isolated margins are never available.
//   - Equity (the sizer's input, R3): wallet + Σ isolated margins + Σ uPnL of
//     open positions at their last close marks (entry for a position opened
//     this bar).
//
// # Orders
//
// Execute symbol k: the effective intent is flat while the symbol is blocked
// or cooling down (R9). Nothing happens when the position is open and the
// intent equals that of its last filled order, or when it is flat and the
// intent is flat. Otherwise the target size is Sizer.Size(intent, fill, equity, L)
// with fill = open·(1 + side·Slippage), rounded down to the symbol's quantity
// step (venue.OrderRules: ⌊size/step + 1e-9⌋·step); a size that is not
// positive and finite is 0, a flat target (not a refusal). If the position is open and the target is flat or
// on the other side, the position is closed first (always allowed); then the
// remaining difference is one order. An order fills at ref·(1 ± Slippage)
// (buys above, sells below) and pays the taker fee on its notional.
//
// The part of an order that opens or increases a position is refused, in this
// order of reasons, counted in Metrics.Rejected…, and the symbol then waits for
// the strategy's next decision (blocked):
//  1. ruin: the run is ruined (R6) and Config.TradeAfterRuin is false;
//  2. min_order: its quantity is below the symbol's MinQty or its notional
//     (quantity × fill price) below MinNotional (after rounding to the step);
//  3. leverage: L exceeds the maximum leverage of the bracket tier of the
//     position's new notional at the fill price;
//  4. margin: its initial margin plus fee, q·price/L + q·price·taker, exceeds
//     the available balance by more than 1e-9 (a flip's close has already
//     returned its margin). With ReduceToFit the order is cut to Available/(price/L +
//     price·taker)·0.999999, rounded down to the step, and fills if that
//     passes the min_order test; it counts as a margin rejection either way.
//
// Reductions and closes are never refused. A successful order that opens a
// position from flat counts as a position (Metrics.Positions) and numbers it
// (LiquidationRecord.Position).
//
// Ledger flows: opening or adding to an isolated position moves q·price/L from
// the wallet to its margin and pays the fee from the wallet; reducing it books
// PnL and fee to its margin, and a full close returns the margin to the
// wallet. Cross positions book everything to the wallet (which may go
// negative while other legs carry the account). A reduction that would leave
// an isolated position's margin below zero after its PnL and fee, or a close
// of the last cross leg that would leave the wallet below zero, is instead a
// liquidation of that whole position (or account) at the fill price,
// slippage included (R8); the order is void (a flip does not open the other
// side). So the insurance fund covers a shortfall only inside a
// liquidation.
//
// R7. Stops. After a successful order the position's stop is set: from the
// intent's stop distance d, entry·(1 − side·d); from StopAtLiq f,
// entry + f·(LP − entry) with LP the position's liquidation price right
// after the fill (a cross leg's holds the other legs at their last close
// marks); the one nearer the entry wins. The stop does not move until
// the next order. A stop fill blocks the symbol (R9).
//
// # Funding
//
// An event (time t, rate r) of a symbol is applied once, at the first bar
// whose open time is ≥ t. Funding times are on the venue's grid of whole
// hours; exchanges stamp them a few milliseconds late, so data.NewMarket puts
// an event stamped within FundingSnap of a whole hour on that hour. Each open
// position of the symbol (its isolated slot, then its cross slot) pays
// side·Q·price·r (positive: the trader pays) at the symbol's mark open of
// that bar; where the symbol has no mark candle there, at the mark of a
// coarser mark series at the event time (data.Funding.Mark) when there is
// one, else at the trade open. Cross positions pay from (receive into) the wallet; isolated ones
// from their own margin, which may fall to or below maintenance, or below
// zero: the position is then liquidated by the next liquidation test, R5 of
// the same bar, at the mark then (the mark open when it is already past LP).
// The insurance fund never pays funding.
//
// R8. Liquidation settlement (package margin). The position closes at the
// settle price; PnL is booked to its margin (isolated) or the wallet (cross,
// every leg's PnL before any fee); the venue's liquidation fee on the closed
// notional goes to the insurance fund, taken only from what is left (cross
// legs pay the same share of their fees when the wallet cannot pay them
// all); a negative balance left by a full liquidation is covered by the
// insurance fund. With Venue.Partial enabled the position (every cross leg
// together) is reduced in steps of Step × its size at the start of this
// liquidation until it (the account) is no longer past its trigger at the
// settle prices: a step that leaves it open and healthy makes the event
// Partial. A position whose notional at the settle price is below
// Partial.MinNotional is closed whole in one step. A fully closed isolated position's remaining margin goes to the
// insurance fund or back to the wallet (Venue.Remainder); after a full cross
// liquidation the fund takes up to the legs' Σ maintenance (at the settle
// prices, before the first step) from the wallet when the venue keeps the
// remainder.
//
// R9. After a full liquidation a symbol stays flat (blocked) until the
// strategy decides a new intent at or after the liquidation's bar, and for at
// least Cooldown bars after it (until bar i + 1 + Cooldown). When the
// cool-down ends, an intent decided meanwhile executes (R3). A partial
// liquidation leaves the position open, its stop in place and the symbol free.
// After a stop the symbol is blocked until the next decision (no cool-down).
//
// # Ruin
//
// At the first close with equity ≤ RuinFraction × Capital the run is ruined.
// Unless Config.TradeAfterRuin is set, it opens no position and adds to none
// from the next bar on (orders are refused with reason ruin; positions still
// open are closed by the strategy or liquidated as usual), and events after
// the ruin bar are flagged AfterRuin and left out of every rate: the run's
// observation ends at its ruin.
//
// # Metrics (Metrics)
//
// Time is in years of 365.25 days; a run spans Bars × timeframe; ObservedYears
// ends at the ruin bar's close when the run halted at ruin, else it is the
// span. Only events that are not AfterRuin count below.
//   - PositionsLiquidated: positions closed by a liquidation (full events);
//     PartialLiquidations: partial events; PositionsTouched: positions with
//     any liquidation event. Each also per 1,000 positions opened and per
//     observed year. A cross liquidation of three legs is three positions.
//   - YearsToFirstLiquidation: to the first event of either kind, or the
//     observed span (Censored).
//   - Loss per liquidation event: MarginLost, the trader's loss through that
//     position (isolated: its margin not returned; cross: the account's drop
//     in equity, shared by the legs' maintenance margin), also as % of the
//     account equity just before. Median (mean of the middle two when even)
//     and worst.
//   - Ruined, YearsToRuin (the span when not ruined).
//   - NearMisses: episodes in which a margin ratio (maintenance margin ÷
//     margin balance, at the bar's adverse prices; isolated per position,
//     cross per account) reached NearMiss without a liquidation following;
//     an episode ends when the ratio falls below 90 % of NearMiss.
//   - IntrabarAmbiguity: share of liquidation events that CloseAlso says the
//     close policy would not have fired.
//   - Capital at risk at a close: what open positions can lose, the same
//     definition for every mode: Σ isolated margin balances (those of open
//     isolated positions), plus the cross equity (wallet + Σ cross uPnL) while
//     any cross position is open. CapitalAtRisk is its mean over the closes
//     (flat bars count as 0); CapitalAtRiskPeak its largest value at a close
//     or right after a bar's fills (marks as for the sizer's equity), so
//     that margin committed at an open counts even if funding takes some
//     before the close.
//     ReturnOnCapitalAtRisk = (final − initial equity) ÷ CapitalAtRiskPeak:
//     −1 (−100 %) when a run loses as much as the most it ever had at risk at
//     once; below −1 only when lost margin was committed again.
//   - MarginUtilisation: mean of Σ initial margin at mark ÷ equity;
//     IdleCapital: mean of 1 − capital at risk ÷ equity; EffectiveLeverage:
//     mean of gross notional ÷ equity (bars with equity > 0).
//   - TotalReturn: final ÷ initial equity − 1; AnnualReturn compounds it
//     over the span; MaxDrawdown: largest fall from a running peak of the
//     close equity, as a fraction of the peak; Sharpe: mean ÷ sample
//     standard deviation (n − 1) of per-bar simple returns × √(bars per
//     year), risk-free rate 0.
//   - Fees (trading), LiquidationFees, FundingPaid (net; negative means
//     received): quote units.
package backtest
