// Package oracle is a deliberately plain reference simulator of a run: the
// rules of package backtest's doc comment (R1–R9, Orders, Funding, Ruin)
// written out one by one, for the differential test that holds the engine
// (backtest.Run) to the same answers. It shares no simulation code with
// the engine: it uses the data types (data.Market, backtest.Intents,
// backtest.Config, backtest.ModeSpec), the strategy's Sizer and the venue's
// tables and order rules, and writes its own maintenance margin,
// liquidation prices, cross λ-sweep and settlement. Slow is fine; obvious
// is the point. Money is plain float64.
//
// # Reading order
//
//   - oracle.go: Run, the state (wallet, insurance fund, fees, funding,
//     one position per symbol), the bar loop R1 → R6, R1, R4 (funding), R6
//     (close, margin policy, ruin), prices, the bookkeeping check.
//   - margin.go: maintenance margin per family (VENUES.md §2, the README's
//     family table), health, liquidation prices (a closed form per tier,
//     kept when it lies in its tier; bisection when rounding defeats that).
//   - orders.go: R3 (orders, refusals, fills), R7 (stops).
//   - liquidate.go: R2 (gaps), R5 (adverse λ path, close policy), R8
//     (settlement, partial steps), R9 (block and cool-down).
//
// Each account keeps its balances (wallet, isolated margins, insurance
// fund's intake, fees, funding, realised PnL) and checks at every bar that
// wallet + Σ isolated margins = capital + realised − fees − funding −
// insurance; a broken check is an error of Run.
//
// # Where the rules were silent: the oracle's choices
//
// Each is what a venue would do as far as we can tell. The differential
// test found the engine agreeing with all of them once the engine was
// fixed; backtest/doc.go states them as rules.
//
//  1. "The intent it was opened for" is the intent of the position's last
//     filled order (an add or a reduction replaces it); a refused order
//     leaves it. Read literally (the intent at the open from flat), a
//     strategy that halves a position and then asks for the full size again
//     would get nothing.
//  2. A non-flat intent whose size rounds to zero is a flat target: it
//     closes an open position, opens nothing and is not a refusal.
//  3. An add is one order of target − held, not rounded again (held may be
//     off the step after a partial liquidation); min_order tests that
//     quantity. The leverage test takes the tier of (held + q) × fill price
//     in the position's own table (a new position's: the table in force at
//     the bar).
//  4. A ReduceToFit cut that fills leaves the symbol free. (Blocked or not
//     makes no difference while the position is open.)
//  5. A close or reduction that would leave an isolated margin below zero
//     (or the last cross leg's close the wallet) is a liquidation of the
//     whole position at the fill price, slippage included, settled by R8
//     (in partial steps on partial venues). The order is void: a flip does
//     not open the other side, a partial outcome leaves the position open,
//     a full one blocks the symbol (R9). Stop fills are orders too.
//  6. A cross leg's liquidation price (for StopAtLiq) holds the wallet and
//     the other legs at their last close marks (entry for a leg opened this
//     bar), the prices of the available balance.
//  7. StopAtLiq puts the stop a fraction f of the way from the entry to LP,
//     entry + f·(LP − entry) (the first draft of R7 wrote
//     entry − side·f·(entry − LP), which puts a short's stop below its
//     entry). "Nearer the entry" is by distance.
//  8. R8's "taken only from what is left" is per step: after the step's
//     PnL, the fee from what is left of the balance (the isolated margin or
//     the wallet). For the cross account every leg's PnL of the step is
//     booked first, then the legs' fees, each the same share of its fee
//     when the wallet cannot pay them all. A negative balance is covered by
//     the fund only when the position (the account) is fully closed:
//     mid-liquidation, profitable legs still to be closed pay it.
//  9. A triggered liquidation always takes at least one step, even if
//     rounding finds the position healthy at the settle price; partial
//     liquidation takes ⌈1/Step⌉ steps at most, the last closing the rest,
//     and a position below Partial.MinNotional closes in one step. After a
//     partial event the bar's path goes on (R5) and may liquidate what is
//     left again; a cross leg closed whole is a full event even when the
//     others are only reduced.
//  10. Top-up: min(TopUpAmount·IM, TopUpCap·IM − topped up so far,
//     available), IM = Q·entry/L at the current size, nothing when that is
//     ≤ 0; a margin ratio with a margin balance ≤ 0 is +Inf. Sweep: the
//     removable margin is min(margin, max(0, margin + uPnL − Q·mark/L)),
//     when above 1e-9; sweeps do not reduce what was topped up.
//  11. Funding is recorded for every open position at every event, a rate
//     of 0 included, valued at the symbol's mark open (a coarse mark of the
//     event's time where the bar has none). An event due at the
//     bar's open is paid by a position opened at that open (R3 precedes R4).
//  12. In the cross λ-sweep a leg's stop fires at most once a bar (a stop
//     fill that became a partial liquidation leaves the leg, with its
//     stop, out of the rest of that bar's sweep).
//  13. The engine keeps money to 1e-8 quote units (its decimal ledger),
//     finer than which the two cannot agree. Result.TieBar marks the first
//     bar at which an order was decided on money near that floor (sized
//     from an equity below 1, a notional below 1, a margin test within
//     1e-6 of the available balance); the differential test compares events
//     before it only. The 1e-9 tolerance of the margin test is itself below
//     the ledger's resolution.
//
// # Triage switches
//
// rules.broken breaks one rule on purpose, for the test that the
// differential comparison notices it (mutation_test.go); rules.trace
// prints the oracle's decisions for triage. Run sets neither.
package oracle
