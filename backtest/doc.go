// Package backtest simulates a strategy's intents bar by bar under isolated,
// cross or hybrid margin, on the margin engine (package margin), and
// measures how often and how badly each mode liquidates and how efficiently
// it uses capital.
//
// # The paired comparison
//
// A Strategy decides Intents at every bar's close from what a View shows (bars
// up to and including that bar). Decide runs it once into an Intents stream;
// Run replays the same stream under each ModeSpec, so modes differ in margin
// alone. A Sizer turns an intent into a size when a position is opened, from
// the mode's own equity at that moment.
//
// # A bar
//
// Bar i, in this order:
//  1. Fills at the open for intents decided at bar i−1's close, at the open
//     price moved against the trader by Slippage, paying the taker fee. An
//     order the available balance cannot margin is rejected (or reduced with
//     ReduceToFit) and counted.
//  2. Funding events due at or before the open, priced at the mark open.
//  3. The intrabar path. Liquidation checks use mark candles where present
//     (Result.MarkSource), stops use trade candles. Policy Adverse: every
//     price moves from its open toward its adverse extreme (low for longs,
//     high for shorts) by a common fraction λ ∈ [0, 1]. An isolated position
//     is liquidated at its liquidation price (or the open, after a gap); a
//     cross account at the first λ* where equity = maintenance, every leg
//     settling at its price at λ*. Equity is linear in λ and maintenance
//     convex, so their difference is concave: healthy at both ends means
//     healthy throughout, and λ* is found by bisection and a final exact
//     linear step. A stop reached at a smaller λ fires first. Policy
//     AtClose tests the close only and settles there.
//  4. Mark at the close, isolated margin policies (top-up, sweep), record.
//
// After a liquidation or a stop a symbol stays flat until the strategy
// changes its intent, and after a liquidation for at least Cooldown bars.
//
// # Metrics (Metrics)
//
// Time is in years of 365.25 days; a run spans Bars × timeframe.
//   - Liquidations: events, one per position liquidated (a cross
//     liquidation of three legs is three). Per position: events ÷
//     positions opened; per 1,000 positions; per year: events ÷ span.
//   - YearsToFirstLiquidation: to the first event, or the span (Censored).
//   - Loss per liquidation: MarginLost, the trader's loss through that
//     position (isolated: its margin not returned; cross: the account's drop
//     in equity, shared by the legs' maintenance margin), also as % of the
//     account equity just before. Median (mean of the middle two when even)
//     and worst.
//   - Ruined: equity at a close at or below RuinFraction × Capital.
//   - NearMisses: episodes in which a margin ratio (maintenance margin ÷
//     margin balance, at the bar's adverse prices; isolated per position,
//     cross per account) reached NearMiss without a liquidation following;
//     an episode ends when the ratio falls below 90 % of NearMiss.
//   - IntrabarAmbiguity: share of liquidations the close policy would not
//     have fired (the price came back before the close).
//   - Capital at risk at a close: Σ isolated margins, plus the cross equity
//     (wallet + cross uPnL) while any cross position is open. CapitalAtRisk
//     is its mean over bars; ReturnOnCapitalAtRisk = (final − initial
//     equity) ÷ that mean.
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
